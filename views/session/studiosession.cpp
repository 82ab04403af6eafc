#include "studiosession.h"

#include "history.h"
#include "traceio.h"

#include <doeff/value.h>

#include <QFileInfo>
#include <QThread>

namespace doeff::views {

StudioSession::StudioSession(QObject* parent)
    : QObject(parent)
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(33); // ≤ 30 refreshes a second while events stream in
    connect(&m_refreshTimer, &QTimer::timeout, this, &StudioSession::refreshed);
}

StudioSession::~StudioSession() = default;

void StudioSession::reset(const QString& program)
{
    Q_ASSERT(thread() == QThread::currentThread());
    m_state = SessionState();
    m_view.reset();
    auto live = std::make_unique<LiveHistory>();
    m_liveHistory = live.get();
    m_history = std::move(live);
    m_traceFile.clear();
    m_paused.reset();
    m_result.reset();
    m_failure.clear();
    m_status = RunStatus::Running;
    m_program = program;
    m_selectedTask = 0;
    m_changedSincePause.clear();
    m_logpoints.clear();
    m_before.valid = false;
    Q_EMIT documentOpened();
    Q_EMIT selectedTaskChanged(0);
    Q_EMIT statusChanged();
    Q_EMIT resultChanged();
    Q_EMIT viewChanged();
    refreshNow();
}

void StudioSession::openTrace(LoadedTrace& trace)
{
    Q_ASSERT(thread() == QThread::currentThread());
    Q_ASSERT(trace.reader && trace.finalState);
    m_program = trace.reader->metadata().program.isEmpty() ? QFileInfo(trace.path).fileName()
                                                           : trace.reader->metadata().program;
    m_state = *trace.finalState;
    m_view.reset();
    m_liveHistory = nullptr;
    m_history = std::make_unique<TraceHistory>(std::move(trace.reader), std::move(trace.timeline));
    m_traceFile = trace.path;
    m_paused.reset();
    m_result = trace.result;
    m_failure.clear();
    m_status = RunStatus::Trace;
    m_changedSincePause.clear();
    m_logpoints.clear();
    m_before.valid = false;
    m_selectedTask = 0;
    Q_EMIT documentOpened();
    Q_EMIT selectedTaskChanged(0);
    selectFailingTask();
    Q_EMIT statusChanged();
    Q_EMIT resultChanged();
    Q_EMIT viewChanged();
    refreshNow();
}

void StudioSession::selectFailingTask()
{
    if (!m_result || m_result->is_ok()) return;
    const int task = m_result->error_context().task;
    if (task == m_selectedTask || (m_status != RunStatus::Loaded && !m_state.task(task))) return;
    m_selectedTask = task;
    Q_EMIT selectedTaskChanged(task);
}

bool StudioSession::showsFailingPoint() const
{
    return m_result && m_result->is_err() && isAtPresent() && m_selectedTask == m_result->error_context().task
        && locationIsEnd() && !m_result->k_stack().isEmpty();
}

bool StudioSession::hasFailingPointStore() const
{
    if (!m_result || !m_result->is_err()) return false;
    const ErrorContext& c = m_result->error_context();
    return !c.store.isEmpty() || c.storeKeys.isEmpty();
}

EventLog StudioSession::liveEvents() const
{
    return m_liveHistory ? m_liveHistory->events() : EventLog();
}

bool StudioSession::canExportTrace() const
{
    if (m_status == RunStatus::Trace) return true;
    return m_liveHistory && !m_liveHistory->events().isEmpty() && m_status != RunStatus::Loaded;
}

quint64 StudioSession::presentStep() const
{
    return m_state.step();
}

bool StudioSession::goToStep(quint64 step)
{
    Q_ASSERT(thread() == QThread::currentThread());
    if (!m_history || m_status == RunStatus::Loaded) return false;
    if (step >= presentStep()) {
        goToPresent();
        return true;
    }
    if (m_view && m_viewStep == step) return true;
    m_view.reset(); // a trace reuses the previous snapshot in place when stepping forward
    m_view = m_history->stateAt(step);
    if (!m_view) {
        Q_EMIT historyFailed(m_history->errorString());
        goToPresent();
        return false;
    }
    m_viewStep = step;
    Q_EMIT viewChanged();
    refreshNow();
    return true;
}

void StudioSession::goToPresent()
{
    if (!m_view) return;
    m_view.reset();
    Q_EMIT viewChanged();
    refreshNow();
}

void StudioSession::applyEvents(const QList<Event>& events)
{
    Q_ASSERT(thread() == QThread::currentThread());
    if (events.isEmpty()) return;
    for (const Event& e : events) {
        m_state.apply(e);
        if (m_liveHistory) m_liveHistory->append(e, m_state);
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
    if (m_view) {
        m_view.reset();
        Q_EMIT viewChanged();
    }
    const bool keep = !m_followRunning && m_state.task(m_selectedTask) != nullptr;
    if (!keep && state.task >= 0 && state.task != m_selectedTask) {
        m_selectedTask = state.task;
        Q_EMIT selectedTaskChanged(m_selectedTask);
    }
    Q_EMIT statusChanged();
    refreshNow();
}

void StudioSession::addLogpointMessage(const LogpointMessage& message)
{
    m_logpoints.append(message);
    scheduleRefresh();
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
    m_failure.clear();
    m_status = loaded ? RunStatus::Loaded : RunStatus::Finished;
    selectFailingTask();
    Q_EMIT statusChanged();
    Q_EMIT resultChanged();
    refreshNow();
}

void StudioSession::setLost(const QString& message)
{
    Q_ASSERT(thread() == QThread::currentThread());
    m_failure = message;
    m_status = RunStatus::Lost;
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
    case RunStatus::Trace:
        return m_result ? tr("trace: %1").arg(resultSummary()) : tr("trace: incomplete run");
    case RunStatus::Lost:
        return tr("ended without a result: %1").arg(m_failure.section(u'\n', 0, 0));
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

bool StudioSession::locationIsEnd() const
{
    if (m_status == RunStatus::Loaded) return true; // a result file: its end is all there is
    // A step of the past is where the run ended only for a task that had ended by then: stepping
    // back in a finished run shows the lines it ran, not its end.
    if (isAtPresent()) {
        if (m_status == RunStatus::Finished || m_status == RunStatus::Lost) return true;
        if (m_status == RunStatus::Trace && m_result) return true;
    }
    const SessionTask* t = state().task(m_selectedTask);
    return t && t->isFinished();
}

QStringList StudioSession::changedKeys() const
{
    if (m_view) return m_view->changedKeys();
    QStringList keys = m_state.changedKeys();
    for (const QString& k : m_changedSincePause)
        if (!keys.contains(k)) keys.append(k);
    return keys;
}

bool StudioSession::valuesBeforeView(int task, Store* store, Env* env) const
{
    if (!m_history || m_status == RunStatus::Loaded || (m_status == RunStatus::Running && !m_view)
        || showsFailingPoint())
        return false;
    const quint64 step = viewStep();
    if (step == 0) return false;
    Before& b = m_before;
    if (!b.valid || b.step != step || b.task != task || b.past != bool(m_view) || b.events != m_state.eventCount()) {
        b = Before { step, m_state.eventCount(), task, bool(m_view), true, false, {}, {} };
        // a copy of the earlier state: the history keeps stepping forward from the viewed one
        if (const std::shared_ptr<const SessionState> s = m_history->stateAt(step - 1)) {
            if (const SessionTask* t = s->task(task)) {
                b.known = true;
                b.store = s->store(task);
                b.env = t->env;
            }
        }
    }
    if (!b.known) return false;
    if (store) *store = b.store;
    if (env) *env = b.env;
    return true;
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
const SessionFrame* codeFrame(const SessionTask* t)
{
    return t ? t->codeFrame() : nullptr;
}
} // namespace

QString StudioSession::currentFile() const
{
    if (showsPause() && m_paused->task == m_selectedTask && !m_paused->eventFile.isEmpty()) return m_paused->eventFile;
    const SessionFrame* f = codeFrame(state().task(m_selectedTask));
    return f ? f->file : QString();
}

int StudioSession::currentLine() const
{
    if (showsPause() && m_paused->task == m_selectedTask && !m_paused->eventFile.isEmpty()) return m_paused->event.line;
    const SessionFrame* f = codeFrame(state().task(m_selectedTask));
    return f ? f->line : 0;
}

QString StudioSession::currentFunction() const
{
    const SessionTask* t = state().task(m_selectedTask);
    const SessionFrame* f = codeFrame(t);
    // a handler's program (often a lambda) is named after its handler: the frame below it is
    // the handling of the effect it handles
    QString handler;
    if (f && f != t->k.constData()) {
        const SessionFrame& below = *(f - 1);
        if (below.kind == FrameKindCode::Handling) handler = handlingFrameHandler(below.description);
        if (!handler.isEmpty()) handler += QStringLiteral(" (handler)");
    }
    if (showsPause() && m_paused->task == m_selectedTask && !m_paused->eventFile.isEmpty())
        return !handler.isEmpty() && m_paused->eventFunction == f->function ? handler : m_paused->eventFunction;
    if (!handler.isEmpty()) return handler;
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

void StudioSession::setProgramName(const QString& program)
{
    if (program == m_program) return;
    m_program = program;
    Q_EMIT statusChanged();
}

} // namespace doeff::views
