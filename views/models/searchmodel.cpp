#include "searchmodel.h"

#include <QLocale>

#include <algorithm>

namespace doeff::views {

void SearchModel::setResult(const SearchResult& result)
{
    beginResetModel();
    m_result = result;
    endResetModel();
}

void SearchModel::clear()
{
    setResult({});
}

QString SearchModel::summary() const
{
    const QLocale c = QLocale::c();
    if (m_result.total == 0) return tr("no hits");
    if (m_result.truncated())
        return tr("%1 of %2 hits shown").arg(c.toString(m_result.hits.size()), c.toString(m_result.total));
    return m_result.total == 1 ? tr("1 hit") : tr("%1 hits").arg(c.toString(m_result.total));
}

std::optional<int> SearchModel::rowAfter(quint64 step) const
{
    const auto& h = m_result.hits;
    auto it = std::upper_bound(h.begin(), h.end(), step, [](quint64 s, const SearchHit& x) { return s < x.step; });
    if (it == h.end()) return std::nullopt;
    return int(it - h.begin());
}

std::optional<int> SearchModel::rowBefore(quint64 step) const
{
    const auto& h = m_result.hits;
    auto it = std::lower_bound(h.begin(), h.end(), step, [](const SearchHit& x, quint64 s) { return x.step < s; });
    if (it == h.begin()) return std::nullopt;
    return int(it - h.begin()) - 1;
}

int SearchModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_result.hits.size());
}

int SearchModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : NUM_COLUMNS;
}

QVariant SearchModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= m_result.hits.size()) return {};
    const SearchHit& h = m_result.hits[index.row()];
    if (role == StepRole) return QVariant::fromValue(h.step);
    if (role == Qt::ToolTipRole && index.column() == TextColumn) return h.text;
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case StepColumn:
        return QString::number(h.step);
    case TaskColumn:
        return QString::number(h.task);
    case KindColumn:
        return QString::fromLatin1(searchKindName(h.kind));
    case TextColumn:
        return h.text.size() > 200 ? h.text.left(197) + QStringLiteral("...") : h.text;
    default:
        return {};
    }
}

QVariant SearchModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case StepColumn:
        return tr("Step");
    case TaskColumn:
        return tr("Task");
    case KindColumn:
        return tr("Kind");
    case TextColumn:
        return tr("Match");
    default:
        return {};
    }
}

} // namespace doeff::views
