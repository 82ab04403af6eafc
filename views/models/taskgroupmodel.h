#pragma once

#include "taskmodel.h"

#include <QAbstractItemModel>
#include <QHash>
#include <QPointer>
#include <QVector>

namespace doeff::views {

/// The task queue with identical tasks folded together: tasks with the same name, kind, state,
/// "waits on" and current effect become one top-level row that says how many there are and
/// expands to them. A task alone in its group is a top-level row of its own. Same columns and
/// roles as TaskModel; a group row's TaskIdRole is its first task's id, GroupSizeRole its size.
///
/// Follows its source: any change to the source's rows rebuilds the groups (a reset), in one
/// pass over the rows, so 100,000 tasks fold in a few milliseconds (bench: doeff-tasks-bench).
class TaskGroupModel final : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Roles { GroupSizeRole = TaskModel::SortRole + 1, GroupKeyRole };

    explicit TaskGroupModel(QObject* parent = nullptr);
    void setSourceModel(TaskModel* source);
    TaskModel* sourceModel() const { return m_source; }

    /// The index of a task (its group row when the group is folded into one row, else its own).
    QModelIndex indexOfTask(int task) const;
    /// The source row an index shows (a group row: its first task), or -1.
    int sourceRow(const QModelIndex& index) const;
    int groupCount() const { return int(m_groups.size()); }

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Group {
        QString key;
        QVector<int> rows; ///< source rows, in task order
        int current = -1; ///< the source row of the current task, when it is in this group
    };
    void rebuild();
    QPointer<TaskModel> m_source;
    QVector<Group> m_groups;
    QVector<int> m_groupOfRow; ///< source row → group
    bool m_dirty = false; ///< tasks changed since the last regrouping
};

} // namespace doeff::views
