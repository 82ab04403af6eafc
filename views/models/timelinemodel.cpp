#include "timelinemodel.h"

namespace doeff::views {

void TimelineModel::setTimeline(const TimelineData* data)
{
    const int rows = data ? int(data->lanes().size()) : 0;
    if (data != m_data || rows < m_rows) {
        beginResetModel();
        m_data = data;
        m_rows = rows;
        endResetModel();
        return;
    }
    if (m_rows > 0) Q_EMIT dataChanged(index(0), index(m_rows - 1));
    if (rows > m_rows) {
        beginInsertRows({}, m_rows, rows - 1);
        m_rows = rows;
        endInsertRows();
    }
}

const TimelineLane* TimelineModel::lane(int row) const
{
    if (!m_data || row < 0 || row >= m_rows) return nullptr;
    return &m_data->lanes()[row];
}

int TimelineModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

QVariant TimelineModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const TimelineLane* l = lane(index.row());
    Q_ASSERT(l);
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1 %2").arg(l->task).arg(l->name);
    case Qt::ToolTipRole:
        return tr("Task %1 '%2': %3 step(s), %4 effect(s)")
            .arg(l->task)
            .arg(l->name)
            .arg(qulonglong(l->steps.size()))
            .arg(qulonglong(l->effects.size()));
    case TaskIdRole:
        return l->task;
    case StepCountRole:
        return qulonglong(l->steps.size());
    case EffectCountRole:
        return qulonglong(l->effects.size());
    default:
        return {};
    }
}

QVariant TimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (section == 0 && orientation == Qt::Horizontal && role == Qt::DisplayRole) return tr("Task");
    return {};
}

} // namespace doeff::views
