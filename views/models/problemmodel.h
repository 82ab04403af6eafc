#pragma once

#include <doeff/problems.h>

#include <QAbstractTableModel>
#include <QIcon>
#include <QList>

namespace doeff::views {

/// The Problems list (doeff/problems.h): severity (with an icon), step, task, location, kind and
/// message, one row per problem, in step order.
class ProblemModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { SeverityColumn, StepColumn, TaskColumn, WhereColumn, KindColumn, MessageColumn, NUM_COLUMNS };
    enum Roles { StepRole = Qt::UserRole + 1, TaskRole, SeverityRole };

    using QAbstractTableModel::QAbstractTableModel;

    void setProblems(const QList<Problem>& problems);
    const QList<Problem>& problems() const { return m_problems; }
    /// How many problems have this severity.
    int count(Severity severity) const;
    /// The icon drawn for a severity (a red, amber or blue disc with a mark).
    static QIcon icon(Severity severity);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Problem> m_problems;
};

} // namespace doeff::views
