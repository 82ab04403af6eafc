#include "effecttreemodel.h"

#include <QBrush>
#include <QColor>
#include <QFont>

namespace doeff::views {

namespace {
constexpr size_t ResetThreshold = 4000; // more new nodes than this in one refresh: reset instead

int parentOf(const std::vector<SessionTreeNode>& tree, size_t i)
{
    const int p = tree[i].parent;
    return p >= 0 && size_t(p) < i ? p : -1; // a dangling parent makes a root, never a cycle
}
} // namespace

void EffectTreeModel::setTree(const std::vector<SessionTreeNode>& tree)
{
    const size_t old = m_nodes.size();
    bool compatible = tree.size() >= old;
    if (compatible && old > 0)
        compatible = tree[0].display == m_nodes[0].display && tree[old - 1].display == m_nodes[old - 1].display
            && tree[old - 1].parent == m_nodes[old - 1].parent;
    if (!compatible || tree.size() - old > ResetThreshold) {
        rebuild(tree);
        return;
    }
    // counts, error marks and unrecorded children of existing nodes
    for (size_t i = 0; i < old; ++i) {
        Node& n = m_nodes[i];
        if (n.count != tree[i].count || n.error != tree[i].error) {
            n.count = tree[i].count;
            n.error = tree[i].error;
            const QModelIndex first = indexOf(int(i));
            Q_EMIT dataChanged(first, first.siblingAtColumn(NUM_COLUMNS - 1));
        }
        if (n.more != tree[i].more) setMore(int(i), tree[i].more);
    }
    // new nodes: each is the last child of its parent so far (parents precede children);
    // consecutive siblings go in one insertion
    size_t i = old;
    while (i < tree.size()) {
        const int parent = parentOf(tree, i);
        size_t end = i + 1;
        while (end < tree.size() && parentOf(tree, end) == parent)
            ++end;
        const int first = int(childrenOf(parent).size()); // (before the parent's `more` row, if any)
        beginInsertRows(parent < 0 ? QModelIndex() : indexOf(parent), first, first + int(end - i) - 1);
        for (size_t j = i; j < end; ++j) {
            Node n;
            n.display = tree[j].display;
            n.parent = parent;
            n.row = first + int(j - i);
            n.task = tree[j].task;
            n.count = tree[j].count;
            n.effect = tree[j].effect;
            n.error = tree[j].error;
            m_nodes.push_back(n);
            if (parent < 0)
                m_roots.append(int(j));
            else
                m_nodes[size_t(parent)].children.append(int(j));
        }
        endInsertRows();
        for (size_t j = i; j < end; ++j)
            if (tree[j].more > 0) setMore(int(j), tree[j].more);
        i = end;
    }
}

void EffectTreeModel::setMore(int node, int more)
{
    Node& n = m_nodes[size_t(node)];
    const QModelIndex parent = indexOf(node);
    const int row = int(n.children.size());
    if (n.more == 0 && more > 0) {
        beginInsertRows(parent, row, row);
        n.more = more;
        endInsertRows();
    } else if (n.more > 0 && more == 0) {
        beginRemoveRows(parent, row, row);
        n.more = 0;
        endRemoveRows();
    } else if (n.more != more) {
        n.more = more;
        const QModelIndex first = createIndex(row, 0, quintptr(node) | MoreBit);
        Q_EMIT dataChanged(first, first.siblingAtColumn(NUM_COLUMNS - 1));
    }
}

int EffectTreeModel::rowsOf(int node) const
{
    if (node < 0) return int(m_roots.size());
    const Node& n = m_nodes[size_t(node)];
    return int(n.children.size()) + (n.more > 0 ? 1 : 0);
}

void EffectTreeModel::rebuild(const std::vector<SessionTreeNode>& tree)
{
    beginResetModel();
    m_nodes.clear();
    m_roots.clear();
    m_nodes.reserve(tree.size());
    for (size_t j = 0; j < tree.size(); ++j) {
        Node n;
        n.display = tree[j].display;
        n.parent = parentOf(tree, j);
        n.task = tree[j].task;
        n.count = tree[j].count;
        n.effect = tree[j].effect;
        n.error = tree[j].error;
        n.more = tree[j].more;
        QList<int>& siblings = n.parent < 0 ? m_roots : m_nodes[size_t(n.parent)].children;
        n.row = int(siblings.size());
        siblings.append(int(j));
        m_nodes.push_back(n);
    }
    endResetModel();
}

QModelIndex EffectTreeModel::indexOf(int node) const
{
    return createIndex(m_nodes[size_t(node)].row, 0, quintptr(node));
}

QModelIndex EffectTreeModel::index(int row, int column, const QModelIndex& parent) const
{
    if (!hasIndex(row, column, parent)) return {};
    const int p = parent.isValid() ? nodeOf(parent) : -1;
    const QList<int>& children = childrenOf(p);
    if (row == children.size()) return createIndex(row, column, quintptr(p) | MoreBit); // the `more` row
    return createIndex(row, column, quintptr(children[row]));
}

QModelIndex EffectTreeModel::parent(const QModelIndex& child) const
{
    if (!child.isValid()) return {};
    if (isMoreRow(child)) return indexOf(nodeOf(child));
    const int p = m_nodes[size_t(child.internalId())].parent;
    return p < 0 ? QModelIndex() : indexOf(p);
}

int EffectTreeModel::rowCount(const QModelIndex& parent) const
{
    if (parent.column() > 0) return 0;
    if (!parent.isValid()) return rowsOf(-1);
    return isMoreRow(parent) ? 0 : rowsOf(nodeOf(parent));
}

int EffectTreeModel::columnCount(const QModelIndex&) const
{
    return NUM_COLUMNS;
}

bool EffectTreeModel::hasChildren(const QModelIndex& parent) const
{
    return rowCount(parent) > 0;
}

QVariant EffectTreeModel::data(const QModelIndex& index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
    if (isMoreRow(index)) {
        const Node& owner = m_nodes[size_t(nodeOf(index))];
        switch (role) {
        case Qt::DisplayRole:
            return index.column() == NodeColumn ? tr("… %L1 more (not recorded)").arg(owner.more) : QVariant();
        case Qt::ToolTipRole:
            return tr("%L1 more calls and effects under %2 were not recorded: the effect tree has a size limit "
                      "(the Timeline has every event)")
                .arg(owner.more)
                .arg(owner.display);
        case MoreRole:
            return owner.more;
        case ErrorRole:
        case IsEffectRole:
            return false;
        case Qt::ForegroundRole:
            return QBrush(QColor(110, 110, 110));
        case Qt::FontRole: {
            QFont f;
            f.setItalic(true);
            return f;
        }
        }
        return {};
    }
    const Node& n = m_nodes[size_t(index.internalId())];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NodeColumn:
            return n.error ? n.display + QStringLiteral("  ✗") : n.display;
        case TaskColumn:
            return n.task;
        case CountColumn:
            return n.count > 1 ? QVariant(n.count) : QVariant();
        }
        return {};
    case Qt::ToolTipRole:
        return n.error ? tr("%1 — error raised here").arg(n.display) : n.display;
    case MoreRole:
        return n.more;
    case ErrorRole:
        return n.error;
    case IsEffectRole:
        return n.effect;
    case Qt::ForegroundRole:
        if (n.error) return QBrush(QColor(190, 30, 30));
        return n.effect ? QVariant(QBrush(QColor(30, 90, 170))) : QVariant();
    case Qt::FontRole:
        if (n.error || !n.effect) {
            QFont f;
            f.setBold(n.error);
            f.setItalic(!n.effect && !n.error);
            return f;
        }
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == NodeColumn ? QVariant() : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
    }
    return {};
}

QVariant EffectTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case NodeColumn:
        return tr("Call / effect");
    case TaskColumn:
        return tr("Task");
    case CountColumn:
        return tr("Count");
    }
    return {};
}

} // namespace doeff::views
