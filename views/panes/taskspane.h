#pragma once

#include "taskfiltermodel.h"
#include "taskgroupmodel.h"
#include "taskmodel.h"

#include <QSet>
#include <QWidget>

class QCheckBox;
class QLineEdit;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Tasks: selecting a task drives the stack, store and environment panes. Sorted by any column
/// (click its header), filtered by a text that any column may contain, and identical tasks
/// (same name, kind, state and waits) optionally folded into one row with a count.
class TasksPane : public QWidget {
    Q_OBJECT
public:
    explicit TasksPane(StudioSession* session, QWidget* parent = nullptr);
    TaskModel* model() { return &m_model; }
    /// What the view shows: the tasks (or their groups), sorted and filtered.
    TaskFilterModel* viewModel() { return m_proxy; }
    QTreeView* view() { return m_view; }
    QLineEdit* filterEdit() { return m_filter; }
    /// Shows `rows` (what a refresh does with the session's tasks); `current` is highlighted.
    void setRows(const QList<TaskModel::Row>& rows, int current);
    void setGrouped(bool grouped);
    bool isGrouped() const { return m_grouped; }
    void setFilterText(const QString& text);
    /// The view index showing `task` (its group's row when the group is folded), or invalid
    /// when the filter hides it.
    QModelIndex viewIndexOfTask(int task) const;

private:
    void refresh();
    void syncSelection();
    void restoreExpanded();
    /// Widens the Id column to the largest id shown (and the group indent).
    void fitIdColumn();
    StudioSession* m_session; // not owned
    TaskModel m_model;
    TaskGroupModel m_groups;
    TaskFilterModel* m_proxy;
    QLineEdit* m_filter;
    QCheckBox* m_groupBox;
    QTreeView* m_view;
    QSet<QString> m_expanded; ///< keys of the groups the user expanded, across regroupings
    int m_modelChanging = 0; ///< the proxy is between an about-to-change signal and its end
    bool m_grouped = false;
    int m_idDigits = 0; ///< the digits fitIdColumn() last made room for (0: none yet)
    bool m_syncing = false;
};

} // namespace doeff::views
