#include "taskgroupmodel.h"

#include <QLocale>

using namespace Qt::StringLiterals;

namespace doeff::views {

namespace {

// Top-level indexes carry 0; a task inside a group carries its group's index + 1.
constexpr quintptr TopLevel = 0;

QString groupTip(const TaskModel::Row& first, int n)
{
    return TaskGroupModel::tr("%1 tasks named '%2', all %3")
        .arg(QLocale().toString(n), first.name, QString::fromLatin1(taskStateCodeName(first.state)));
}

QString groupKey(const TaskModel::Row& r)
{
    return QString::number(int(r.kind)) + u'\x1f' + QString::number(int(r.state)) + u'\x1f'
        + (r.lost ? u"lost"_s : QString()) + u'\x1f' + r.name + u'\x1f' + r.waitsOn;
}

} // namespace

TaskGroupModel::TaskGroupModel(QObject* parent)
    : QAbstractItemModel(parent)
{ }

void TaskGroupModel::setSourceModel(TaskModel* source)
{
    if (m_source) disconnect(m_source, nullptr, this, nullptr);
    m_source = source;
    if (m_source) {
        // every change of the source regroups: a task that changes state moves to another group
        connect(m_source, &QAbstractItemModel::modelReset, this, &TaskGroupModel::rebuild);
        connect(m_source, &QAbstractItemModel::rowsInserted, this, &TaskGroupModel::rebuild);
        connect(m_source, &QAbstractItemModel::rowsRemoved, this, &TaskGroupModel::rebuild);
        // a refresh changes many tasks at once: one regrouping for all of them
        connect(m_source, &QAbstractItemModel::dataChanged, this, [this] { m_dirty = true; });
        connect(m_source, &TaskModel::rowsUpdated, this, [this] {
            if (m_dirty) rebuild();
        });
    }
    rebuild();
}

void TaskGroupModel::rebuild()
{
    m_dirty = false;
    beginResetModel();
    m_groups.clear();
    m_groupOfRow.clear();
    if (m_source) {
        const QList<TaskModel::Row>& rows = m_source->rows();
        QHash<QString, int> groupOf;
        m_groupOfRow.resize(rows.size());
        for (qsizetype i = 0; i < rows.size(); ++i) {
            const QString key = groupKey(rows[i]);
            auto it = groupOf.find(key);
            if (it == groupOf.end()) {
                it = groupOf.insert(key, int(m_groups.size()));
                m_groups.append(Group { key, {} });
            }
            m_groups[*it].rows.append(int(i));
            m_groupOfRow[i] = *it;
            if (rows[i].id == m_source->current()) m_groups[*it].current = int(i);
        }
    }
    endResetModel();
}

QModelIndex TaskGroupModel::indexOfTask(int task) const
{
    if (!m_source) return {};
    const int row = m_source->rowOf(task);
    if (row < 0 || row >= m_groupOfRow.size()) return {};
    const int group = m_groupOfRow[row];
    const Group& g = m_groups[group];
    if (g.rows.size() == 1) return createIndex(group, 0, TopLevel);
    return createIndex(int(g.rows.indexOf(row)), 0, quintptr(group) + 1);
}

int TaskGroupModel::sourceRow(const QModelIndex& index) const
{
    if (!index.isValid()) return -1;
    if (index.internalId() == TopLevel) return m_groups[index.row()].rows.first();
    return m_groups[int(index.internalId() - 1)].rows[index.row()];
}

QModelIndex TaskGroupModel::index(int row, int column, const QModelIndex& parent) const
{
    if (row < 0 || column < 0 || column >= TaskModel::NUM_COLUMNS) return {};
    if (!parent.isValid()) return row < m_groups.size() ? createIndex(row, column, TopLevel) : QModelIndex();
    if (parent.internalId() != TopLevel || parent.row() >= m_groups.size()) return {};
    const Group& g = m_groups[parent.row()];
    if (g.rows.size() < 2 || row >= g.rows.size()) return {};
    return createIndex(row, column, quintptr(parent.row()) + 1);
}

QModelIndex TaskGroupModel::parent(const QModelIndex& child) const
{
    if (!child.isValid() || child.internalId() == TopLevel) return {};
    return createIndex(int(child.internalId() - 1), 0, TopLevel);
}

int TaskGroupModel::rowCount(const QModelIndex& parent) const
{
    if (!parent.isValid()) return int(m_groups.size());
    if (parent.column() != 0 || parent.internalId() != TopLevel) return 0;
    const qsizetype n = m_groups[parent.row()].rows.size();
    return n > 1 ? int(n) : 0;
}

int TaskGroupModel::columnCount(const QModelIndex&) const
{
    return TaskModel::NUM_COLUMNS;
}

QVariant TaskGroupModel::data(const QModelIndex& index, int role) const
{
    if (!m_source || !checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const QList<TaskModel::Row>& rows = m_source->rows();
    if (index.internalId() != TopLevel) return m_source->rowData(rows[sourceRow(index)], index.column(), role);
    const Group& g = m_groups[index.row()];
    const TaskModel::Row& first = rows[g.rows.first()];
    if (role == GroupSizeRole) return int(g.rows.size());
    if (role == GroupKeyRole) return g.key;
    if (g.rows.size() == 1) return m_source->rowData(first, index.column(), role);
    const int n = int(g.rows.size());
    switch (index.column()) {
    case TaskModel::IdColumn:
        // the group's tasks sort by their first id; the Id column is too narrow for a count
        if (role == Qt::DisplayRole) return QString();
        if (role == TaskModel::SortRole) return first.id;
        if (role == Qt::ToolTipRole) return groupTip(first, n);
        break;
    case TaskModel::NameColumn:
        // the name, and how many tasks share it (and the rest of the row)
        if (role == Qt::DisplayRole) return tr("%1 ×%2").arg(first.name, QLocale().toString(n));
        if (role == Qt::ToolTipRole) return groupTip(first, n);
        break;
    case TaskModel::StepsColumn:
        if (role == Qt::DisplayRole || role == TaskModel::SortRole) {
            quint64 steps = 0;
            for (int r : g.rows)
                steps += rows[r].steps;
            return steps;
        }
        break;
    case TaskModel::EffectColumn:
        // what they are doing differs from task to task: expand the group to see it
        if (role == Qt::DisplayRole || role == TaskModel::SortRole || role == Qt::ToolTipRole) return {};
        break;
    default:
        break;
    }
    if (role == Qt::FontRole || role == Qt::BackgroundRole) {
        // the group holds the current task: say so on the folded row too
        return g.current >= 0 ? m_source->rowData(rows[g.current], index.column(), role) : QVariant();
    }
    return m_source->rowData(first, index.column(), role);
}

QVariant TaskGroupModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    return m_source ? m_source->headerData(section, orientation, role) : QVariant();
}

} // namespace doeff::views
