#include "taskmodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace doeff::views {

void TaskModel::setSession(const SessionState& state, int current, bool processLost)
{
    QList<Row> rows;
    rows.reserve(state.tasks().size());
    for (const SessionTask& t : state.tasks()) {
        Row r;
        r.id = t.id;
        r.name = t.name;
        r.kind = t.kind;
        r.state = t.state;
        r.waitsOn = t.waitsOn;
        r.steps = t.steps;
        r.effect = t.currentEffect;
        r.outcome = t.outcome;
        r.lost = processLost && !t.isFinished();
        rows.append(r);
    }
    setRows(rows, current);
}

void TaskModel::setRows(const QList<Row>& rows, int current)
{
    bool prefix = rows.size() >= m_rows.size();
    for (qsizetype i = 0; prefix && i < m_rows.size(); ++i)
        prefix = rows[i].id == m_rows[i].id;
    if (!prefix) {
        beginResetModel();
        m_rows = rows;
        m_current = current;
        endResetModel();
        return;
    }
    const qsizetype old = m_rows.size();
    m_current = current;
    for (qsizetype i = 0; i < old; ++i)
        m_rows[i] = rows[i];
    if (old > 0) Q_EMIT dataChanged(index(0, 0), index(int(old) - 1, NUM_COLUMNS - 1));
    if (rows.size() > old) {
        beginInsertRows({}, int(old), int(rows.size()) - 1);
        m_rows.append(rows.mid(old));
        endInsertRows();
    }
}

int TaskModel::rowOf(int task) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].id == task) return int(i);
    return -1;
}

int TaskModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int TaskModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant TaskModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& r = m_rows[index.row()];
    if (role == TaskIdRole) return r.id;
    if (role == Qt::DisplayRole || role == SortRole) {
        switch (index.column()) {
        case IdColumn:
            return r.id;
        case NameColumn:
            return r.name;
        case KindColumn:
            return QString::fromLatin1(taskKindCodeName(r.kind));
        case StateColumn:
            if (r.lost) return tr("lost"); // (the tooltip says what it was doing)
            return QString::fromLatin1(taskStateCodeName(r.state));
        case WaitsOnColumn:
            return r.waitsOn;
        case StepsColumn:
            return r.steps;
        case EffectColumn:
            return r.outcome.isEmpty() ? r.effect : r.outcome;
        }
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == EffectColumn) return r.outcome.isEmpty() ? r.effect : r.outcome;
    if (role == Qt::ToolTipRole && index.column() == StateColumn && r.lost)
        return tr("The debuggee process ended before this task finished; it was %1 at the last event the Studio "
                  "received")
            .arg(QString::fromLatin1(taskStateCodeName(r.state)));
    if (role == Qt::TextAlignmentRole && (index.column() == IdColumn || index.column() == StepsColumn))
        return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::FontRole && r.id == m_current) {
        QFont f;
        f.setBold(true);
        return f;
    }
    if (role == Qt::BackgroundRole && r.id == m_current) return QBrush(QColor(255, 236, 170));
    if (role == Qt::ForegroundRole) {
        if (r.state == TaskStateCode::Failed || r.lost) return QBrush(QColor(180, 30, 30));
        if (r.state == TaskStateCode::Done || r.state == TaskStateCode::Cancelled) return QBrush(QColor(120, 120, 120));
        if (r.id == m_current) return QBrush(QColor(20, 20, 20));
    }
    return {};
}

QVariant TaskModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case IdColumn:
        return tr("Id");
    case NameColumn:
        return tr("Name");
    case KindColumn:
        return tr("Kind");
    case StateColumn:
        return tr("State");
    case WaitsOnColumn:
        return tr("Waits on");
    case StepsColumn:
        return tr("Steps");
    case EffectColumn:
        return tr("Current effect");
    }
    return {};
}

} // namespace doeff::views
