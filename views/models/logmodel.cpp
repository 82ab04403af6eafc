#include "logmodel.h"

#include "breakpointmodel.h"

#include <doeff/value.h>

#include <QLocale>

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

LogModel::Row LogModel::makeRow(const SessionState& state, const LogpointMessage& m) const
{
    Row r;
    r.step = m.step;
    const SessionTask* t = state.task(m.task);
    r.task = t ? QStringLiteral("%1 %2").arg(m.task).arg(t->name) : QString::number(m.task);
    r.message = m.text;
    r.logpoint = m.breakpoint;
    return r;
}

void LogModel::setSession(const SessionState& state, const QList<LogpointMessage>& logpoints)
{
    const QList<SessionLogEntry>& logs = state.logs();
    // the logpoints of the steps shown (travelling back hides the later ones)
    qsizetype points = 0;
    while (points < logpoints.size() && logpoints[points].step <= state.step())
        ++points;
    // rows from the tell-th Tell message and the point-th logpoint message on, merged by step;
    // at one step the logpoint's first (it logs before its effect runs)
    const auto merged = [&](qsizetype tell, qsizetype point) {
        QList<Row> rows;
        while (tell < logs.size() || point < points) {
            const bool takePoint = point < points && (tell >= logs.size() || logpoints[point].step <= logs[tell].step);
            rows.append(takePoint ? makeRow(state, logpoints[point++]) : makeRow(state, logs[tell++]));
        }
        return rows;
    };
    // the same run further on: the new messages come after the rows there are
    const bool extends
        = logs.size() >= m_tells && points >= m_logpoints && (m_tells == 0 || logs[0].step == m_firstTellStep);
    if (extends) {
        const QList<Row> added = merged(m_tells, m_logpoints);
        if (added.isEmpty()) return;
        if (m_rows.isEmpty() || added.first().step >= m_rows.last().step) {
            beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
            m_rows.append(added);
            m_tells = logs.size();
            m_logpoints = points;
            m_firstTellStep = logs.isEmpty() ? 0 : logs[0].step;
            endInsertRows();
            return;
        }
    }
    beginResetModel();
    m_rows = merged(0, 0);
    m_tells = logs.size();
    m_logpoints = points;
    m_firstTellStep = logs.isEmpty() ? 0 : logs[0].step;
    endResetModel();
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
    if (role == Qt::DisplayRole || (role == Qt::ToolTipRole && r.logpoint == 0)) {
        switch (index.column()) {
        case StepColumn:
            return QLocale().toString(r.step);
        case TaskColumn:
            return r.task;
        case MessageColumn:
            return r.message;
        }
    }
    if (role == Qt::TextAlignmentRole && index.column() == StepColumn) return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == LogpointRole) return r.logpoint;
    if (r.logpoint > 0 && index.column() == MessageColumn) {
        if (role == Qt::DecorationRole) return breakpointIcon(true, true);
        if (role == Qt::ToolTipRole) return tr("Logpoint %1: %2").arg(r.logpoint).arg(r.message);
    }
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
