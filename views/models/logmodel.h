#pragma once

#include "studiosession.h"

#include <doeff/session.h>

#include <QAbstractTableModel>
#include <QList>

namespace doeff::views {

/// Tell messages and logpoint messages with the task and step that logged them, in step order
/// (at one step, a logpoint's message first: it logs before its effect runs); appended in
/// batches. A logpoint's row is marked with its diamond and says which logpoint it is.
class LogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { StepColumn, TaskColumn, MessageColumn, NUM_COLUMNS };
    enum Roles { LogpointRole = Qt::UserRole }; ///< the logpoint's id, 0 for Tell

    using QAbstractTableModel::QAbstractTableModel;

    /// The Tell messages of `state` and the `logpoints` logged at or before its step.
    void setSession(const SessionState& state, const QList<LogpointMessage>& logpoints = {});

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        quint64 step = 0;
        QString task;
        QString message;
        int logpoint = 0;
    };
    Row makeRow(const SessionState& state, const SessionLogEntry& e) const;
    Row makeRow(const SessionState& state, const LogpointMessage& m) const;
    QList<Row> m_rows;
    qsizetype m_tells = 0; ///< Tell messages among the rows
    qsizetype m_logpoints = 0; ///< logpoint messages among the rows
    quint64 m_firstTellStep = 0; ///< the first Tell's step (tells whether the log is the same run's)
};

} // namespace doeff::views
