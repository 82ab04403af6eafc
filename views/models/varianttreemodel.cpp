#include "varianttreemodel.h"

#include <doeff/value.h>

#include <QBrush>
#include <QColor>
#include <QFont>

namespace doeff::views {

namespace {
constexpr int MaxDepth = 24;
constexpr int MaxChildren = 2000; // per container; the rest are summarised in the parent's value

bool isContainer(const QVariant& v)
{
    const int t = v.typeId();
    return t == QMetaType::QVariantMap || t == QMetaType::QVariantHash || t == QMetaType::QVariantList
        || t == QMetaType::QStringList;
}

QString summary(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::QVariantMap:
    case QMetaType::QVariantHash: {
        const auto n = v.typeId() == QMetaType::QVariantMap ? v.toMap().size() : v.toHash().size();
        return n == 1 ? QStringLiteral("{1 entry}") : QStringLiteral("{%1 entries}").arg(n);
    }
    case QMetaType::QVariantList:
    case QMetaType::QStringList: {
        const auto n = v.toList().size();
        return n == 1 ? QStringLiteral("[1 item]") : QStringLiteral("[%1 items]").arg(n);
    }
    }
    return {};
}
} // namespace

void VariantTreeModel::setEntries(const Entries& entries, const QStringList& changed, bool hideInternal)
{
    Entries shown;
    for (const auto& e : entries)
        if (!hideInternal || !(e.first.startsWith(QLatin1String("__")) && e.first.endsWith(QLatin1String("__"))))
            shown.append(e);
    QStringList relevant;
    for (const auto& e : shown)
        if (changed.contains(e.first)) relevant.append(e.first);
    if (shown == m_entries && relevant == m_changed) return;
    beginResetModel();
    m_entries = shown;
    m_changed = relevant;
    m_nodes.clear();
    m_roots.clear();
    for (const auto& e : std::as_const(m_entries)) {
        const int n = addNode(-1, e.first, e.second, 0);
        m_nodes[size_t(n)].changed = relevant.contains(e.first);
    }
    endResetModel();
}

int VariantTreeModel::addNode(int parent, const QString& key, const QVariant& value, int depth)
{
    Node n;
    n.key = key;
    n.value = value;
    n.parent = parent;
    n.row = int(childrenOf(parent).size());
    m_nodes.push_back(n);
    const int id = int(m_nodes.size()) - 1;
    if (parent < 0)
        m_roots.append(id);
    else
        m_nodes[size_t(parent)].children.append(id);
    if (depth >= MaxDepth || !isContainer(value)) return id;
    if (value.typeId() == QMetaType::QVariantMap || value.typeId() == QMetaType::QVariantHash) {
        const QVariantMap map = value.toMap();
        int count = 0;
        for (auto it = map.cbegin(); it != map.cend() && count < MaxChildren; ++it, ++count)
            addNode(id, it.key(), it.value(), depth + 1);
    } else {
        const QVariantList list = value.toList();
        for (qsizetype i = 0; i < list.size() && i < MaxChildren; ++i)
            addNode(id, QStringLiteral("[%1]").arg(i), list[i], depth + 1);
    }
    return id;
}

QModelIndex VariantTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent)) return {};
    const int p = parent.isValid() ? int(parent.internalId()) : -1;
    return createIndex(row, column, quintptr(childrenOf(p)[row]));
}

QModelIndex VariantTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid()) return {};
    const Node& n = m_nodes[size_t(child.internalId())];
    if (n.parent < 0) return {};
    return createIndex(m_nodes[size_t(n.parent)].row, 0, quintptr(n.parent));
}

int VariantTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0) return 0;
    return int(childrenOf(parent.isValid() ? int(parent.internalId()) : -1).size());
}

int VariantTreeModel::columnCount(const QModelIndex&) const
{
    return NUM_COLUMNS;
}

bool VariantTreeModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

QVariant VariantTreeModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    const Node& n = m_nodes[size_t(index.internalId())];
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case KeyColumn:
            return n.key;
        case ValueColumn: {
            if (isContainer(n.value) && role == Qt::DisplayRole) return summary(n.value);
            QString text = repr(n.value);
            if (role == Qt::DisplayRole && text.size() > 300) text = text.left(300) + QStringLiteral("…");
            return text;
        }
        case TypeColumn:
            return n.value.isValid() ? QString::fromLatin1(n.value.typeName()) : QStringLiteral("null");
        }
        return {};
    case ChangedRole:
        return n.changed;
    case PathRole: {
        QStringList path;
        for (int i = int(index.internalId()); i >= 0; i = m_nodes[size_t(i)].parent)
            path.prepend(m_nodes[size_t(i)].key);
        return path;
    }
    case Qt::FontRole:
        if (n.changed) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::BackgroundRole:
        return n.changed ? QVariant(QBrush(QColor(255, 236, 170))) : QVariant();
    case Qt::ForegroundRole:
        if (n.changed) return QBrush(QColor(20, 20, 20));
        return index.column() == TypeColumn ? QVariant(QBrush(QColor(120, 120, 120))) : QVariant();
    }
    return {};
}

QVariant VariantTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case KeyColumn:
        return tr("Key");
    case ValueColumn:
        return tr("Value");
    case TypeColumn:
        return tr("Type");
    }
    return {};
}

} // namespace doeff::views
