#include "taskmodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QRegularExpression>

#include <algorithm>
#include <utility>

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
        // other tasks (another run, or an earlier step): all rows go, the new ones come
        if (!m_rows.isEmpty()) {
            beginRemoveRows({}, 0, int(m_rows.size()) - 1);
            m_rows.clear();
            m_rowOf.clear();
            endRemoveRows();
        }
        m_current = current;
        if (!rows.isEmpty()) {
            beginInsertRows({}, 0, int(rows.size()) - 1);
            m_rows = rows;
            m_rowOf.reserve(m_rows.size());
            for (qsizetype i = 0; i < m_rows.size(); ++i)
                m_rowOf.insert(m_rows[i].id, int(i));
            endInsertRows();
        }
        return;
    }
    const qsizetype old = m_rows.size();
    const int previous = std::exchange(m_current, current);
    bool updated = false;
    // Only the cells that changed say so (and the highlight's old and new rows): a sorting or
    // filtering view above re-sorts and re-filters what it is told changed, most tasks do not
    // change between two refreshes, and a task's id never does (so a sort by id stays put).
    for (qsizetype i = 0; i < old; ++i) {
        const Row& was = m_rows[i];
        const Row& now = rows[i];
        const bool highlight = (was.id == previous) != (was.id == current);
        if (!highlight && was == now) continue;
        int first = NUM_COLUMNS;
        int last = -1;
        auto differs = [&](int column, bool changed) {
            if (!changed) return;
            first = std::min(first, column);
            last = std::max(last, column);
        };
        // the state colours the whole row (failed, done, lost), as the highlight does
        const bool whole = highlight || was.state != now.state || was.lost != now.lost;
        differs(IdColumn, whole);
        differs(NameColumn, whole || was.name != now.name);
        differs(KindColumn, whole || was.kind != now.kind);
        differs(StateColumn, whole);
        differs(WaitsOnColumn, whole || was.waitsOn != now.waitsOn);
        differs(StepsColumn, whole || was.steps != now.steps);
        differs(EffectColumn, whole || was.effect != now.effect || was.outcome != now.outcome);
        m_rows[i] = now;
        if (last >= 0) Q_EMIT dataChanged(index(int(i), first), index(int(i), last));
        updated = true;
    }
    if (rows.size() > old) {
        beginInsertRows({}, int(old), int(rows.size()) - 1);
        for (qsizetype i = old; i < rows.size(); ++i) {
            m_rows.append(rows[i]);
            m_rowOf.insert(rows[i].id, int(i));
        }
        endInsertRows();
    }
    if (updated) Q_EMIT rowsUpdated();
}

int TaskModel::rowOf(int task) const
{
    return m_rowOf.value(task, -1);
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
    return rowData(m_rows[index.row()], index.column(), role);
}

QVariant TaskModel::rowData(const Row& r, int column, int role) const
{
    if (role == TaskIdRole) return r.id;
    if (role == Qt::DisplayRole || role == SortRole) {
        switch (column) {
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
    if (role == Qt::ToolTipRole && column == EffectColumn) return r.outcome.isEmpty() ? r.effect : r.outcome;
    // the whole text, however narrow the column (a Gather over many items is long)
    if (role == Qt::ToolTipRole && column == WaitsOnColumn && !r.waitsOn.isEmpty()) {
        QString tip = tr("Task %1 '%2' waits on %3").arg(r.id).arg(r.name, r.waitsOn);
        // the promises it names, by where they were created
        if (m_promiseNamer) {
            static const QRegularExpression promise(QStringLiteral("promise (\\d+)"));
            QList<int> seen;
            for (auto it = promise.globalMatch(r.waitsOn); it.hasNext();) {
                const int id = it.next().captured(1).toInt();
                if (seen.contains(id)) continue;
                seen.append(id);
                if (const QString where = m_promiseNamer(id); !where.isEmpty())
                    tip += u'\n' + tr("promise %1: %2").arg(id).arg(where);
            }
        }
        return tip;
    }
    if (role == Qt::ToolTipRole && column == NameColumn) return tr("Task %1 '%2'").arg(r.id).arg(r.name);
    if (role == Qt::ToolTipRole && column == StateColumn && r.lost)
        return tr("The debuggee process ended before this task finished; it was %1 at the last event the Studio "
                  "received")
            .arg(QString::fromLatin1(taskStateCodeName(r.state)));
    if (role == Qt::TextAlignmentRole && (column == IdColumn || column == StepsColumn))
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
