#include "varianttreemodel.h"

#include <doeff/value.h>

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QHash>
#include <QSet>

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

QString summary(const QVariant& v);

/// One line for the Change column: a container's summary, else its repr cut short.
QString shortText(const QVariant& v, qsizetype limit = 60)
{
    if (isContainer(v)) return summary(v);
    QString text = repr(v);
    if (text.size() > limit) text = text.left(limit) + QStringLiteral("…");
    return text;
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

void VariantTreeModel::setEntries(const Entries& entries, const QStringList& changed, bool hideInternal,
                                  const Entries* before)
{
    const auto internal
        = [](const QString& k) { return k.startsWith(QLatin1String("__")) && k.endsWith(QLatin1String("__")); };
    QHash<QString, QVariant> old;
    if (before)
        for (const auto& e : *before)
            if (!hideInternal || !internal(e.first)) old.insert(e.first, e.second);
    QList<Root> roots;
    QSet<QString> seen;
    for (const auto& e : entries) {
        if (hideInternal && internal(e.first)) continue;
        Root r { e.first, e.second, changed.contains(e.first), Unchanged, {} };
        if (before) {
            seen.insert(e.first);
            const auto it = old.constFind(e.first);
            if (it == old.cend()) {
                r.change = Added;
            } else if (!(it.value() == e.second)) {
                r.change = Changed;
                r.old = it.value();
            }
            r.changed = r.changed || r.change != Unchanged;
        }
        roots.append(r);
    }
    if (before)
        for (const auto& e : *before)
            if (!seen.contains(e.first) && old.contains(e.first))
                roots.append(Root { e.first, e.second, true, Removed, e.second });
    if (roots == m_rootInfo) return;
    beginResetModel();
    m_rootInfo = roots;
    m_nodes.clear();
    m_roots.clear();
    for (const Root& r : std::as_const(m_rootInfo)) {
        const int n = addNode(-1, r.key, r.value, 0);
        Node& node = m_nodes[size_t(n)];
        node.changed = r.changed;
        node.change = r.change;
        node.old = r.old;
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
    if (role == Qt::ToolTipRole && n.change != Unchanged) {
        switch (n.change) {
        case Changed:
            return tr("Before this step: %1\nNow: %2").arg(repr(n.old).left(2000), repr(n.value).left(2000));
        case Added:
            return tr("Added at this step: %1").arg(repr(n.value).left(2000));
        case Removed:
            return tr("Removed at this step; it was: %1").arg(repr(n.old).left(2000));
        case Unchanged:
            break;
        }
    }
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (index.column()) {
        case KeyColumn:
            return n.key;
        case ValueColumn: {
            if (role == Qt::DisplayRole) {
                switch (n.change) {
                case Changed:
                    return QString(shortText(n.old) + QStringLiteral(" → ") + shortText(n.value));
                case Added:
                    return tr("%1  (new)").arg(shortText(n.value, 300));
                case Removed:
                    return tr("%1  (removed)").arg(shortText(n.value, 300));
                case Unchanged:
                    break;
                }
            }
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
    case ChangeRole:
        return int(n.change);
    case OldValueRole:
        return n.old;
    case PathRole: {
        QStringList path;
        for (int i = int(index.internalId()); i >= 0; i = m_nodes[size_t(i)].parent)
            path.prepend(m_nodes[size_t(i)].key);
        return path;
    }
    case Qt::FontRole:
        if (n.change == Removed) {
            QFont f;
            f.setStrikeOut(index.column() == KeyColumn);
            return f;
        }
        if (n.changed) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    case Qt::BackgroundRole:
        return n.changed ? QVariant(QBrush(QColor(255, 236, 170))) : QVariant();
    case Qt::ForegroundRole:
        if (n.change == Removed) return QBrush(QColor(140, 60, 60));
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

VariantFilterModel::VariantFilterModel(QObject* parent)
    : QSortFilterProxyModel(parent)
{
    setRecursiveFilteringEnabled(true); // the parents of a match stay
    setAutoAcceptChildRows(true); // and a matching container shows what it holds
}

void VariantFilterModel::setFilterText(const QString& text)
{
    if (text == m_text) return;
    m_text = text;
    invalidateFilter();
}

bool VariantFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const
{
    if (m_text.isEmpty()) return true;
    const QAbstractItemModel* m = sourceModel();
    const QModelIndex key = m->index(sourceRow, VariantTreeModel::KeyColumn, sourceParent);
    if (key.data().toString().contains(m_text, Qt::CaseInsensitive)) return true;
    // a leaf's whole text (containers are matched through their children)
    const QModelIndex value = m->index(sourceRow, VariantTreeModel::ValueColumn, sourceParent);
    if (m->hasChildren(key)) return false;
    return value.data().toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace doeff::views
