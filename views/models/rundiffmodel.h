#pragma once

#include <doeff/rundiff.h>

#include <QAbstractTableModel>
#include <QList>

namespace doeff::views {

/// The differences of a run diff (doeff/rundiff.h), one per row: the first divergence first,
/// then the outcome, the final store, env and task differences, then the differing effects by
/// name (their first few). Rows that have a step in this run (A) can be travelled to.
class RunDiffModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns {
        WhatColumn,
        StepColumn,
        OtherStepColumn,
        TaskColumn,
        DiffersColumn,
        ThisColumn,
        OtherColumn,
        NUM_COLUMNS
    };
    enum Roles { StepRole = Qt::UserRole + 1, TaskRole, FirstRole };

    struct Row {
        QString what; ///< `first divergence: Get`, `store k`, `Put`, …
        bool first = false;
        bool hasStep = false;
        quint64 step = 0; ///< in this run (A)
        quint64 otherStep = 0;
        int task = -1;
        QString differs; ///< the part that differs (`result`, `missing`, `value`, …)
        QString a;
        QString b;
    };

    using QAbstractTableModel::QAbstractTableModel;

    /// `finalStep`: where this run's final-state rows (outcome, store, env, tasks) travel to.
    void setDiff(const RunDiff& diff, quint64 finalStep);
    void clear();
    const QList<Row>& rows() const { return m_rows; }
    /// The first divergence's row, or -1 when the runs are equal.
    int firstRow() const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Row> m_rows;
};

} // namespace doeff::views
