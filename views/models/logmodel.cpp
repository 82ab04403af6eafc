#include "logmodel.h"

#include <doeff/value.h>

namespace doeff::views {

LogModel::Row LogModel::makeRow(const SessionState& state, const SessionLogEntry& e) const
{
    Row r;
    r.step = e.step;
    const SessionTask* t = state.task(e.task);
    r.task = t ? QStringLiteral("%1 %2").arg(e.task).arg(t->name) : QString::number(e.task);
    r.message = e.message.typeId() == QMetaType::QString ? e.message.toString() : repr(e.message);
    return r;
}

void LogModel::setSession(const SessionState& state)
{
    const QList<SessionLogEntry>& logs = state.logs();
    if (logs.size() < m_rows.size() || (!m_rows.isEmpty() && logs[0].step != m_rows[0].step)) {
        beginResetModel();
        m_rows.clear();
        for (const SessionLogEntry& e : logs)
            m_rows.append(makeRow(state, e));
        endResetModel();
        return;
    }
    if (logs.size() == m_rows.size()) return;
    beginInsertRows({}, int(m_rows.size()), int(logs.size()) - 1);
    for (qsizetype i = m_rows.size(); i < logs.size(); ++i)
        m_rows.append(makeRow(state, logs[i]));
    endInsertRows();
}

int LogModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int LogModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant LogModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& r = m_rows[index.row()];
    if (role == Qt::DisplayRole || role == Qt::ToolTipRole) {
        switch (index.column()) {
        case StepColumn:
            return r.step;
        case TaskColumn:
            return r.task;
        case MessageColumn:
            return r.message;
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == StepColumn) return int(Qt::AlignRight | Qt::AlignVCenter);
    return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case StepColumn:
        return tr("Step");
    case TaskColumn:
        return tr("Task");
    case MessageColumn:
        return tr("Message");
    }
    return {};
}

} // namespace doeff::views
