#include "taskfiltermodel.h"

#include "taskgroupmodel.h"
#include "taskmodel.h"

namespace doeff::views {

namespace {

template<typename T> int order(const T& a, const T& b)
{
    return a < b ? -1 : b < a ? 1 : 0;
}

bool contains(QLatin1StringView text, const QString& needle)
{
    return text.contains(needle, Qt::CaseInsensitive);
}

} // namespace

TaskFilterModel::TaskFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(TaskModel::SortRole);
    setRecursiveFilteringEnabled(true); // (a group stays while one of its tasks matches)
}

void TaskFilterModel::setSourceModel(QAbstractItemModel* source)
{
    // (looked up once: lessThan() runs a few million times in a sort of 100,000 tasks)
    m_tasks = qobject_cast<const TaskModel*>(source);
    m_groups = qobject_cast<const TaskGroupModel*>(source);
    QSortFilterProxyModel::setSourceModel(source);
}

const TaskModel::Row* TaskFilterModel::rowAt(const QModelIndex& index) const
{
    if (m_tasks) return &m_tasks->rows().at(index.row());
    if (!m_groups || !m_groups->sourceModel()) return nullptr;
    const int row = m_groups->sourceRow(index);
    if (!index.parent().isValid() && m_groups->rowCount(index.siblingAtColumn(0)) > 0) return nullptr;
    return &m_groups->sourceModel()->rows().at(row);
}

void TaskFilterModel::setFilterText(const QString& text)
{
    if (text == m_text) return;
    // A narrower text only hides rows: removing them keeps the view's state. A wider one brings
    // rows back, which the proxy would insert one sorted position at a time: rebuilding the
    // mapping in one sort is several times faster for many rows.
    const bool narrower = text.contains(m_text, Qt::CaseInsensitive);
    m_text = text;
    if (narrower)
        invalidateRowsFilter();
    else
        invalidate();
}

bool TaskFilterModel::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const TaskModel::Row* a = rowAt(left);
    const TaskModel::Row* b = rowAt(right);
    if (!a || !b) return QSortFilterProxyModel::lessThan(left, right); // a group: its SortRole
    int c = 0;
    switch (left.column()) {
    case TaskModel::NameColumn:
        c = a->name.compare(b->name, Qt::CaseInsensitive);
        break;
    case TaskModel::KindColumn:
        c = order(int(a->kind), int(b->kind));
        break;
    case TaskModel::StateColumn:
        c = order(int(a->state), int(b->state));
        if (c == 0) c = order(a->lost, b->lost);
        break;
    case TaskModel::WaitsOnColumn:
        c = a->waitsOn.compare(b->waitsOn, Qt::CaseInsensitive);
        break;
    case TaskModel::StepsColumn:
        c = order(a->steps, b->steps);
        break;
    case TaskModel::EffectColumn:
        c = (a->outcome.isEmpty() ? a->effect : a->outcome)
                .compare(b->outcome.isEmpty() ? b->effect : b->outcome, Qt::CaseInsensitive);
        break;
    default:
        break;
    }
    // equal values keep task order, so a sort is stable from one refresh to the next
    return c != 0 ? c < 0 : a->id < b->id;
}

bool TaskFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_text.isEmpty()) return true;
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    const TaskModel::Row* r = rowAt(index);
    if (!r) // a folded group: its name and count (its tasks are matched one by one)
        return index.siblingAtColumn(TaskModel::NameColumn).data().toString().contains(m_text, Qt::CaseInsensitive);
    return QString::number(r->id).contains(m_text) || r->name.contains(m_text, Qt::CaseInsensitive)
        || contains(QLatin1StringView(taskKindCodeName(r->kind)), m_text)
        || contains(QLatin1StringView(taskStateCodeName(r->state)), m_text)
        || (r->lost && contains(QLatin1StringView("lost"), m_text)) || r->waitsOn.contains(m_text, Qt::CaseInsensitive)
        || r->effect.contains(m_text, Qt::CaseInsensitive) || r->outcome.contains(m_text, Qt::CaseInsensitive);
}

} // namespace doeff::views
