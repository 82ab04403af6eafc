#pragma once

#include <doeff/session.h>

#include <QAbstractTableModel>
#include <QList>

namespace doeff::views {

/// Tell messages with the task and step that logged them; appended in batches.
class LogModel final : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Columns { StepColumn, TaskColumn, MessageColumn, NUM_COLUMNS };

    using QAbstractTableModel::QAbstractTableModel;

    void setSession(const SessionState& state);

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        quint64 step = 0;
        QString task;
        QString message;
    };
    Row makeRow(const SessionState& state, const SessionLogEntry& e) const;
    QList<Row> m_rows;
};

} // namespace doeff::views
