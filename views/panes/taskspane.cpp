#include "taskspane.h"

#include "paneparts.h"
#include "studiosession.h"
#include "traceio.h"

#include <QItemSelectionModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

TasksPane::TasksPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
{
    tightLayout(this)->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setColumnWidth(TaskModel::IdColumn, 36);
    m_view->setColumnWidth(TaskModel::NameColumn, 150);
    m_view->setColumnWidth(TaskModel::KindColumn, 70);
    m_view->setColumnWidth(TaskModel::StateColumn, 70);
    m_view->setColumnWidth(TaskModel::WaitsOnColumn, 90);
    m_view->setColumnWidth(TaskModel::StepsColumn, 50);
    connect(m_session, &StudioSession::refreshed, this, &TasksPane::refresh);
    connect(m_session, &StudioSession::selectedTaskChanged, this, &TasksPane::syncSelection);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (m_syncing || !current.isValid()) return;
                m_session->setSelectedTask(current.data(TaskModel::TaskIdRole).toInt());
            });
}

void TasksPane::refresh()
{
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        // a saved result knows no scheduler: the tasks its error context and stacks name
        QList<TaskModel::Row> rows;
        for (const ResultTask& t : tasksOfResult(m_session->result(), m_session->programName())) {
            TaskModel::Row r;
            r.id = t.id;
            r.name = t.name;
            r.kind = t.id == 0 ? TaskKindCode::Main : TaskKindCode::Spawned;
            r.state = t.state;
            r.outcome = t.outcome;
            rows.append(r);
        }
        m_model.setRows(rows, m_session->result().is_err() ? m_session->result().error_context().task : 0);
        syncSelection();
        return;
    }
    const SessionState& s = m_session->state();
    int current = s.currentTask();
    if (m_session->showsPause()) current = m_session->lastPause()->task;
    // a dead debuggee's unfinished tasks are lost, not running (at the present; past steps
    // show what was true then)
    m_model.setSession(s, current, m_session->status() == RunStatus::Lost && m_session->isAtPresent());
    syncSelection();
}

void TasksPane::syncSelection()
{
    const int row = m_model.rowOf(m_session->selectedTask());
    if (row < 0 || m_view->currentIndex().row() == row) return;
    m_syncing = true;
    m_view->setCurrentIndex(m_model.index(row, 0));
    m_view->scrollTo(m_model.index(row, 0));
    m_syncing = false;
}

} // namespace doeff::views
