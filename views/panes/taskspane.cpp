#include "taskspane.h"

#include "history.h"
#include "paneparts.h"
#include "studiosession.h"
#include "traceio.h"

#include <QCheckBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QTreeView>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace doeff::views {

TasksPane::TasksPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_proxy(new TaskFilterModel(this))
    , m_filter(new QLineEdit(this))
    , m_groupBox(new QCheckBox(tr("Group identical"), this))
    , m_view(makeView(this, false))
{
    auto* bar = new QHBoxLayout;
    bar->setContentsMargins(2, 0, 2, 0);
    m_filter->setPlaceholderText(tr("Filter tasks (id, name, state, waits on, effect)"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setObjectName(u"tasksFilter"_s);
    m_groupBox->setObjectName(u"tasksGroup"_s);
    m_groupBox->setToolTip(tr("Fold tasks with the same name, kind, state and waits into one row with a count"));
    bar->addWidget(m_filter, 1);
    bar->addWidget(m_groupBox);
    QVBoxLayout* layout = tightLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_view);

    m_proxy->setSourceModel(&m_model);
    // Rows inserted, removed, filtered or sorted move the view's current row. That is not the
    // user choosing a task, and answering it (selecting a task refreshes the panes, this one
    // too) while the sorting proxy is still updating its mapping corrupts the mapping. So such
    // moves are ignored, and once the proxy is done the session's task is selected again. Connected
    // before the view's selection model is, which moves the current row in its own handlers.
    auto changing = [this] { ++m_modelChanging; };
    auto changed = [this] {
        if (--m_modelChanging == 0) QMetaObject::invokeMethod(this, &TasksPane::syncSelection, Qt::QueuedConnection);
    };
    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeInserted, this, changing);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, changed);
    connect(m_proxy, &QAbstractItemModel::rowsAboutToBeRemoved, this, changing);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, changed);
    connect(m_proxy, &QAbstractItemModel::modelAboutToBeReset, this, changing);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, changed);
    connect(m_proxy, &QAbstractItemModel::layoutAboutToBeChanged, this, changing);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, changed);
    m_model.setPromiseNamer([this](int id) -> QString {
        const StateHistory* history = m_session->history();
        if (!history) return {};
        const auto& origins = history->timeline().promiseOrigins().origins();
        const auto it = origins.constFind(id);
        if (it == origins.cend()) return {};
        const SessionTask* creator = m_session->presentState().task(it->task);
        return tr("created by task %1 '%2' at %3:%4 (step %L5)")
            .arg(it->task)
            .arg(creator ? creator->name : QString(), QFileInfo(it->file).fileName())
            .arg(it->line)
            .arg(it->step);
    });
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(TaskModel::IdColumn, Qt::AscendingOrder);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    fitIdColumn();
    m_view->setColumnWidth(TaskModel::NameColumn, 150);
    m_view->setColumnWidth(TaskModel::KindColumn, 70);
    m_view->setColumnWidth(TaskModel::StateColumn, 70);
    m_view->setColumnWidth(TaskModel::WaitsOnColumn, 90);
    m_view->setColumnWidth(TaskModel::StepsColumn, 50);
    connect(m_session, &StudioSession::refreshed, this, &TasksPane::refresh);
    connect(m_session, &StudioSession::selectedTaskChanged, this, &TasksPane::syncSelection);
    connect(m_filter, &QLineEdit::textChanged, this, &TasksPane::setFilterText);
    connect(m_groupBox, &QCheckBox::toggled, this, &TasksPane::setGrouped);
    // a regrouping resets the view, which forgets what was expanded
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &TasksPane::restoreExpanded);
    connect(m_view, &QTreeView::expanded, this,
            [this](const QModelIndex& i) { m_expanded.insert(i.data(TaskGroupModel::GroupKeyRole).toString()); });
    connect(m_view, &QTreeView::collapsed, this,
            [this](const QModelIndex& i) { m_expanded.remove(i.data(TaskGroupModel::GroupKeyRole).toString()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (m_syncing || m_modelChanging > 0 || !current.isValid()) return;
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
        setRows(rows, m_session->result().is_err() ? m_session->result().error_context().task : 0);
        return;
    }
    const SessionState& s = m_session->state();
    int current = s.currentTask();
    if (m_session->showsPause()) current = m_session->lastPause()->task;
    // a dead debuggee's unfinished tasks are lost, not running (at the present; past steps
    // show what was true then)
    m_syncing = true; // (see setRows)
    m_model.setSession(s, current, m_session->status() == RunStatus::Lost && m_session->isAtPresent());
    m_syncing = false;
    fitIdColumn();
    syncSelection();
}

void TasksPane::setRows(const QList<TaskModel::Row>& rows, int current)
{
    // Rows removed, inserted or re-sorted move the view's current row: that is not the user
    // choosing a task, and answering it (selecting a task, which selects in this view again)
    // while the sorting proxy is still updating its mapping corrupts it. The session's task is
    // selected again once the rows are in.
    m_syncing = true;
    m_model.setRows(rows, current);
    m_syncing = false;
    fitIdColumn();
    syncSelection();
}

void TasksPane::fitIdColumn()
{
    // wide enough for the largest id (10,000 tasks: five digits), and in a group for its indent;
    // set only when that changes, so a width the user chose stays until more room is needed
    // (rows come in id order; every refresh asks, so no walk over 100,000 of them)
    const QList<TaskModel::Row>& rows = m_model.rows();
    const int largest = rows.isEmpty() ? 0 : std::max({ rows.first().id, rows.last().id, int(rows.size()) - 1 });
    const int digits = std::max<int>(3, int(QString::number(largest).size()));
    if (digits == m_idDigits) return; // nearly every refresh: no text measured
    const int width = m_view->fontMetrics().horizontalAdvance(QString(digits, u'9')) + 14
        + (m_grouped ? m_view->indentation() * 2 : 0);
    // the first time (and after a regrouping) exactly: the header's default is far wider
    const int kept = m_idDigits == 0 ? 0 : m_view->columnWidth(TaskModel::IdColumn);
    m_idDigits = digits;
    m_view->setColumnWidth(TaskModel::IdColumn, std::max(width, kept));
}

void TasksPane::setGrouped(bool grouped)
{
    if (grouped == m_grouped) return;
    m_grouped = grouped;
    m_groupBox->setChecked(grouped);
    m_expanded.clear();
    // the grouping follows the tasks only while it is shown
    m_groups.setSourceModel(grouped ? &m_model : nullptr);
    m_proxy->setSourceModel(grouped ? static_cast<QAbstractItemModel*>(&m_groups) : &m_model);
    m_view->setRootIsDecorated(grouped);
    // (a task inside a group is indented: its id needs the room)
    m_idDigits = 0;
    fitIdColumn();
    syncSelection();
}

void TasksPane::setFilterText(const QString& text)
{
    if (m_filter->text() != text) {
        const QSignalBlocker quiet(m_filter);
        m_filter->setText(text);
    }
    m_proxy->setFilterText(text);
    syncSelection();
}

QModelIndex TasksPane::viewIndexOfTask(int task) const
{
    QModelIndex source;
    if (m_grouped) {
        source = m_groups.indexOfTask(task);
    } else if (const int row = m_model.rowOf(task); row >= 0) {
        source = m_model.index(row, 0);
    }
    return m_proxy->mapFromSource(source);
}

void TasksPane::restoreExpanded()
{
    if (!m_grouped || m_expanded.isEmpty()) return;
    m_syncing = true;
    const QSet<QString> keys = m_expanded;
    for (int r = 0, n = m_proxy->rowCount(); r < n; ++r) {
        const QModelIndex i = m_proxy->index(r, 0);
        if (keys.contains(i.data(TaskGroupModel::GroupKeyRole).toString())) m_view->expand(i);
    }
    m_expanded = keys;
    m_syncing = false;
}

void TasksPane::syncSelection()
{
    const QModelIndex index = viewIndexOfTask(m_session->selectedTask());
    if (!index.isValid() || m_view->currentIndex() == index) return;
    m_syncing = true;
    m_view->setCurrentIndex(index);
    m_view->scrollTo(index);
    m_syncing = false;
}

} // namespace doeff::views
