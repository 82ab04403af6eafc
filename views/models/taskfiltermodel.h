#pragma once

#include "taskmodel.h"

#include <QSortFilterProxyModel>

namespace doeff::views {

class TaskGroupModel;

/// Sorts and filters the Tasks pane's rows (from a TaskModel, or a TaskGroupModel over one).
/// Compares and matches the task rows themselves rather than going through data() and QVariant
/// for every comparison, so sorting or filtering 100,000 tasks stays well under 100 ms
/// (bench: doeff-tasks-bench). A group row compares by its first task's values, its size for
/// the Id column and the sum of its steps; it is kept while its own text or any of its tasks
/// matches the filter.
class TaskFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit TaskFilterModel(QObject* parent = nullptr);
    /// A TaskModel or a TaskGroupModel.
    void setSourceModel(QAbstractItemModel* source) override;
    /// Filters by `text` (case-insensitive; any column may contain it).
    void setFilterText(const QString& text);
    QString filterText() const { return m_text; }

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    /// The task row a source index shows, or null for a folded group of several tasks.
    const TaskModel::Row* rowAt(const QModelIndex& index) const;
    QString m_text;
    const TaskModel* m_tasks = nullptr; ///< the source, when it is a TaskModel
    const TaskGroupModel* m_groups = nullptr; ///< the source, when it is a TaskGroupModel
};

} // namespace doeff::views
