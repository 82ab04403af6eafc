#include "studiosession.h"

#include <doeff/value.h>

#include <QThread>

namespace doeff::views {

StudioSession::StudioSession(QObject* parent)
    : QObject(parent)
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(33); // ≤ 30 refreshes a second while events stream in
    connect(&m_refreshTimer, &QTimer::timeout, this, &StudioSession::refreshed);
}

void StudioSession::reset(const QString& program)
{
    Q_ASSERT(thread() == QThread::currentThread());
    m_state = SessionState();
    m_paused.reset();
    m_result.reset();
    m_status = RunStatus::Running;
    m_program = program;
    m_selectedTask = 0;
    m_changedSincePause.clear();
    Q_EMIT statusChanged();
    Q_EMIT resultChanged();
    refreshNow();
}

void StudioSession::applyEvents(const QList<Event>& events)
{
    Q_ASSERT(thread() == QThread::currentThread());
    if (events.isEmpty()) return;
    for (const Event& e : events) {
        m_state.apply(e);
        if (e.kind == EventKind::StoreWrite && !m_changedSincePause.contains(e.name))
            m_changedSincePause.append(e.name);
        else if (e.kind == EventKind::LogAppended && !m_changedSincePause.contains(QStringLiteral("__log__")))
            m_changedSincePause.append(QStringLiteral("__log__"));
    }
    scheduleRefresh();
}

void StudioSession::setPaused(const PausedState& state)
{
    Q_ASSERT(thread() == QThread::currentThread());
    m_paused = state;
    m_status = RunStatus::Paused;
    if (state.task >= 0 && state.task != m_selectedTask) {
        m_selectedTask = state.task;
        Q_EMIT selectedTaskChanged(m_selectedTask);
    }
    Q_EMIT statusChanged();
    refreshNow();
}

void StudioSession::setResumed()
{
    if (m_status != RunStatus::Paused) return;
    m_status = RunStatus::Running;
    m_changedSincePause.clear();
    Q_EMIT statusChanged();
}

void StudioSession::setResult(const RuntimeResultBase& result, bool loaded)
{
    Q_ASSERT(thread() == QThread::currentThread());
    m_result = result;
    m_status = loaded ? RunStatus::Loaded : RunStatus::Finished;
    Q_EMIT statusChanged();
    Q_EMIT resultChanged();
    refreshNow();
}

QString StudioSession::statusText() const
{
    switch (m_status) {
    case RunStatus::Idle:
        return tr("idle");
    case RunStatus::Running:
        return tr("running");
    case RunStatus::Paused:
        return tr("paused");
    case RunStatus::Finished:
        return tr("finished: %1").arg(resultSummary());
    case RunStatus::Loaded:
        return tr("result file: %1").arg(resultSummary());
    }
    return {};
}

void StudioSession::setSelectedTask(int task)
{
    if (task == m_selectedTask) return;
    m_selectedTask = task;
    Q_EMIT selectedTaskChanged(task);
    refreshNow();
}

QStringList StudioSession::changedKeys() const
{
    QStringList keys = m_state.changedKeys();
    for (const QString& k : m_changedSincePause)
        if (!keys.contains(k)) keys.append(k);
    return keys;
}

QString resultSummaryText(const RuntimeResultBase& result)
{
    if (result.is_ok()) {
        try {
            return QStringLiteral("Ok(") + repr(result.anyValue()) + u')';
        } catch (const std::exception&) {
            return QStringLiteral("Ok(?)");
        }
    }
    return QStringLiteral("Err(") + result.error().describe() + u')';
}

QString StudioSession::resultSummary() const
{
    return m_result ? resultSummaryText(*m_result) : QString();
}

namespace {
const SessionFrame* topProgramFrame(const SessionTask* t)
{
    if (!t) return nullptr;
    for (auto it = t->k.crbegin(); it != t->k.crend(); ++it)
        if (it->kind == FrameKindCode::Program && !it->file.isEmpty()) return &*it;
    return nullptr;
}
} // namespace

QString StudioSession::currentFile() const
{
    if (m_paused && m_status == RunStatus::Paused && m_paused->task == m_selectedTask && !m_paused->eventFile.isEmpty())
        return m_paused->eventFile;
    const SessionFrame* f = topProgramFrame(m_state.task(m_selectedTask));
    return f ? f->file : QString();
}

int StudioSession::currentLine() const
{
    if (m_paused && m_status == RunStatus::Paused && m_paused->task == m_selectedTask && !m_paused->eventFile.isEmpty())
        return m_paused->event.line;
    const SessionFrame* f = topProgramFrame(m_state.task(m_selectedTask));
    return f ? f->line : 0;
}

QString StudioSession::currentFunction() const
{
    if (m_paused && m_status == RunStatus::Paused && m_paused->task == m_selectedTask && !m_paused->eventFile.isEmpty())
        return m_paused->eventFunction;
    const SessionFrame* f = topProgramFrame(m_state.task(m_selectedTask));
    return f ? f->function : QString();
}

void StudioSession::refreshNow()
{
    m_refreshTimer.stop();
    Q_EMIT refreshed();
}

void StudioSession::scheduleRefresh()
{
    if (!m_refreshTimer.isActive()) m_refreshTimer.start();
}

} // namespace doeff::views
