#pragma once

#include <doeff/session.h>

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <functional>

namespace doeff::views {

/// The task queue: one row per task, appended as tasks spawn, updated in place.
class TaskModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns {
        IdColumn,
        NameColumn,
        KindColumn,
        StateColumn,
        WaitsOnColumn,
        StepsColumn,
        EffectColumn,
        NUM_COLUMNS
    };
    enum Roles { TaskIdRole = Qt::UserRole, SortRole };

    struct Row {
        int id = 0;
        QString name;
        TaskKindCode kind = TaskKindCode::Main;
        TaskStateCode state = TaskStateCode::Ready;
        QString waitsOn;
        quint64 steps = 0;
        QString effect;
        QString outcome;
        bool lost = false; ///< unfinished when the debuggee process ended (shown as such)
        bool operator==(const Row&) const = default;
    };

    using QAbstractTableModel::QAbstractTableModel;

    /// Adopts the tasks of `state`; `current` is the running or pausing task (highlighted).
    /// With `processLost` (the debuggee died before the run ended) unfinished tasks show as lost.
    void setSession(const SessionState& state, int current, bool processLost = false);
    /// Adopts rows built elsewhere (a saved result's tasks).
    void setRows(const QList<Row>& rows, int current);
    /// The row of a task id, or -1.
    int rowOf(int task) const;
    const QList<Row>& rows() const { return m_rows; }
    /// Says where promise `id` was created (`created by task 0 'main' at x.cpp:12`), for the
    /// Waits on tooltip; empty when not known.
    void setPromiseNamer(std::function<QString(int id)> namer) { m_promiseNamer = std::move(namer); }
    /// The running or pausing task (highlighted), or -1.
    int current() const { return m_current; }
    /// The row `row`'s current-task highlight, text and colours, as data() gives them.
    QVariant rowData(const Row& r, int column, int role) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

Q_SIGNALS:
    /// setRows() has said what changed (one dataChanged() per changed task): a model built over
    /// all the rows rebuilds once here instead of once per dataChanged().
    void rowsUpdated();

private:
    QList<Row> m_rows;
    QHash<int, int> m_rowOf; ///< task id → row
    std::function<QString(int)> m_promiseNamer;
    int m_current = -1;
};

} // namespace doeff::views
