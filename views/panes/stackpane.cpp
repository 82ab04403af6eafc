#include "stackpane.h"

#include "paneparts.h"
#include "studiosession.h"
#include "traceio.h"

#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

StackPane::StackPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
    , m_title(titleLabel(this))
{
    // "Task 2 'parser' raised the error — 7 frame(s) at the failing point, top first" is longer than the
    // column is wide on a first start: wrapped rather than cut off
    m_title->setWordWrap(true);
    auto* l = tightLayout(this);
    l->addWidget(m_title);
    l->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(StackModel::KindColumn, 90);
    m_view->setColumnWidth(StackModel::DescriptionColumn, 260);
    connect(m_session, &StudioSession::refreshed, this, &StackPane::refresh);
    connect(m_view, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const QString file = index.data(StackModel::FileRole).toString();
        if (!file.isEmpty()) Q_EMIT sourceRequested(file, index.data(StackModel::LineRole).toInt());
    });
}

void StackPane::refresh()
{
    const int task = m_session->selectedTask();
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        m_model.setFrames(m_session->result().k_stack().frames);
        m_title->setText(tr("K at the failing point (result file)"));
        return;
    }
    if (m_session->showsFailingPoint()) {
        m_model.setFrames(m_session->result().k_stack().frames);
        const auto& ctx = m_session->result().error_context();
        m_title->setText(tr("Task %1 '%2' raised the error — %n frame(s) at the failing point, top first", nullptr,
                            int(m_model.frames().size()))
                             .arg(ctx.task)
                             .arg(ctx.taskName));
        return;
    }
    // at a pause the agent's K also has the frames held by handlings (the suspended program)
    const bool paused = m_session->showsPause();
    QList<FrameInfo> frames = paused && m_session->lastPause()->k.contains(task) ? m_session->lastPause()->k.value(task)
                                                                                 : m_session->state().k(task);
    if (paused) {
        // Paused at an error raised elsewhere and passed on (FailPromise, a failed task waited
        // on): Source shows where it was raised, so that frame heads the K, as in a traceback
        const PausedState& p = *m_session->lastPause();
        const bool atTop
            = !frames.isEmpty() && frames.first().file == p.eventFile && frames.first().line == p.event.line;
        if (p.event.kind == EventKind::ErrorRaised && p.event.code == 0 && p.task == task && !p.eventFile.isEmpty()
            && !p.eventFunction.isEmpty() && !atTop)
            frames.prepend(RaiseSite { p.eventFile, p.event.line, p.eventFunction }.frame());
    }
    m_model.setFrames(frames);
    const SessionTask* t = m_session->state().task(task);
    m_title->setText(
        t ? tr("Task %1 '%2' — %n frame(s), top first", nullptr, int(m_model.frames().size())).arg(task).arg(t->name)
          : tr("No task selected"));
}

} // namespace doeff::views
