#include "effectlistmodel.h"

#include <QLocale>

#include <algorithm>

namespace doeff::views {

namespace {
constexpr qsizetype LabelBlock = 256; // labels read at once around a shown row
constexpr qsizetype LabelCacheLimit = 65536;
const std::vector<EffectMark> NoMarks;
} // namespace

void EffectListModel::setHistory(StateHistory* history)
{
    beginResetModel();
    m_history = history;
    m_rows.clear();
    m_seen = 0;
    m_labels.clear();
    m_error.clear();
    endResetModel();
    update();
}

const std::vector<EffectMark>& EffectListModel::marks() const
{
    return m_history ? m_history->timeline().effects() : NoMarks;
}

QStringList EffectListModel::effectNames() const
{
    return m_history ? m_history->timeline().effectNames() : QStringList();
}

qsizetype EffectListModel::totalCount() const
{
    return qsizetype(marks().size());
}

bool EffectListModel::accepts(const EffectMark& mark) const
{
    if (m_nameId == -2) return false;
    if (m_nameId >= 0 && mark.name != quint32(m_nameId)) return false;
    return m_task < 0 || mark.task == m_task;
}

void EffectListModel::setFilter(const QString& name, int task, const QString& text)
{
    if (name == m_name && task == m_task && text == m_text) return;
    beginResetModel();
    m_name = name;
    m_task = task;
    m_text = text;
    m_rows.clear();
    m_seen = 0;
    m_error.clear();
    endResetModel();
    update();
}

void EffectListModel::update()
{
    const std::vector<EffectMark>& all = marks();
    const qsizetype total = qsizetype(all.size());
    if (m_seen >= total) return;
    // the type's id, once it has been seen
    m_nameId = -1;
    if (!m_name.isEmpty()) {
        const qsizetype id = effectNames().indexOf(m_name);
        m_nameId = id < 0 ? -2 : id;
    }
    std::vector<qint64> added;
    if (m_text.isEmpty()) {
        for (qsizetype i = m_seen; i < total; ++i)
            if (accepts(all[size_t(i)])) added.push_back(i);
    } else if (!readLabels(m_seen, total, [&](qsizetype i, const QString& label) {
                   if (accepts(all[size_t(i)]) && label.contains(m_text, Qt::CaseInsensitive)) added.push_back(i);
               })) {
        m_error = m_history->errorString();
    }
    m_seen = total;
    if (added.empty()) return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
    m_rows.insert(m_rows.end(), added.begin(), added.end());
    endInsertRows();
}

bool EffectListModel::readLabels(qsizetype first, qsizetype last,
                                 const std::function<void(qsizetype, const QString&)>& fn) const
{
    const std::vector<EffectMark>& all = marks();
    if (!m_history || first >= last) return true;
    const quint64 fromStep = all[size_t(first)].step;
    // effects of the same step before `first` come first in the stream: skip them
    qsizetype skip = 0;
    for (qsizetype i = first - 1; i >= 0 && all[size_t(i)].step == fromStep; --i)
        ++skip;
    qsizetype next = first;
    return m_history->forEachEventInSteps(fromStep, all[size_t(last - 1)].step, [&](const Event& e) {
        if (e.kind != EventKind::EffectYielded || next >= last) return;
        if (skip > 0) {
            --skip;
            return;
        }
        fn(next++, e.name);
    });
}

int EffectListModel::rowAtOrBefore(quint64 step) const
{
    const std::vector<EffectMark>& all = marks();
    auto it = std::upper_bound(m_rows.begin(), m_rows.end(), step,
                               [&](quint64 s, qint64 mark) { return s < all[size_t(mark)].step; });
    return it == m_rows.begin() ? -1 : int(it - m_rows.begin()) - 1;
}

quint64 EffectListModel::stepOf(int row) const
{
    return row >= 0 && size_t(row) < m_rows.size() ? marks()[size_t(m_rows[size_t(row)])].step : 0;
}

int EffectListModel::taskOf(int row) const
{
    return row >= 0 && size_t(row) < m_rows.size() ? marks()[size_t(m_rows[size_t(row)])].task : -1;
}

QString EffectListModel::taskName(int task) const
{
    if (m_history) {
        const TimelineData& t = m_history->timeline();
        const int lane = t.laneOf(task);
        if (lane >= 0 && !t.lanes()[lane].name.isEmpty()) return tr("%1 '%2'").arg(task).arg(t.lanes()[lane].name);
    }
    return task == 0 ? tr("0 'main'") : QString::number(task);
}

int EffectListModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int EffectListModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant EffectListModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const qint64 mark = m_rows[size_t(index.row())];
    const EffectMark& m = marks()[size_t(mark)];
    if (role == StepRole) return m.step;
    if (role == TaskIdRole) return m.task;
    if (role == Qt::TextAlignmentRole && index.column() == StepColumn) return int(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    switch (index.column()) {
    case StepColumn:
        return QLocale().toString(m.step);
    case TaskColumn:
        return taskName(m.task);
    case EffectColumn: {
        auto it = m_labels.constFind(mark);
        if (it == m_labels.cend()) {
            // read the block of labels around it: the rows about to be shown are its neighbours
            if (m_labels.size() > LabelCacheLimit) m_labels.clear();
            const qsizetype row = index.row();
            const qsizetype from = std::max<qsizetype>(0, row - LabelBlock / 2);
            const qsizetype to = std::min<qsizetype>(qsizetype(m_rows.size()), from + LabelBlock);
            // the rows' marks are in order: read the stretch they span once
            const qint64 firstMark = m_rows[size_t(from)];
            const qint64 lastMark = m_rows[size_t(to - 1)];
            if (lastMark - firstMark < LabelBlock * 16) {
                readLabels(firstMark, lastMark + 1, [&](qsizetype i, const QString& label) {
                    if (std::binary_search(m_rows.begin() + from, m_rows.begin() + to, qint64(i)))
                        m_labels.insert(i, label);
                });
            } else {
                readLabels(mark, mark + 1, [&](qsizetype i, const QString& label) { m_labels.insert(i, label); });
            }
            it = m_labels.constFind(mark);
            if (it == m_labels.cend()) return tr("(not readable: %1)").arg(m_history->errorString());
        }
        return *it;
    }
    }
    return {};
}

QVariant EffectListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case StepColumn:
        return tr("Step");
    case TaskColumn:
        return tr("Task");
    case EffectColumn:
        return tr("Effect");
    }
    return {};
}

} // namespace doeff::views
