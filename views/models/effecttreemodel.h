#pragma once

#include <doeff/session.h>

#include <QAbstractItemModel>
#include <QList>

#include <vector>

namespace doeff::views {

/// The effect call tree reconstructed by SessionState. Grows incrementally (nodes are only
/// ever appended, so new nodes are inserted at the end of their parent's children and views
/// keep their expansion); counts and error marks update in place. A node with children the
/// tree did not record (SessionTreeNode::more) gets a last row `… N more (not recorded)`.
class EffectTreeModel final : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Columns { NodeColumn, TaskColumn, CountColumn, NUM_COLUMNS };
    enum Roles { ErrorRole = Qt::UserRole, IsEffectRole, MoreRole };

    using QAbstractItemModel::QAbstractItemModel;

    void setTree(const std::vector<SessionTreeNode>& tree);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node {
        QString display;
        int parent = -1;
        int row = 0;
        int task = 0;
        int count = 1;
        bool effect = false;
        bool error = false;
        int more = 0; // children not recorded (SessionState::treeNodeLimit)
        QList<int> children; // as the model currently exposes them
    };
    const QList<int>& childrenOf(int node) const { return node < 0 ? m_roots : m_nodes[size_t(node)].children; }
    /// The rows under `node`: its children, then the `more` row when it has one.
    int rowsOf(int node) const;
    QModelIndex indexOf(int node) const;
    /// A `more` row's internal id: its node's id with the top bit set.
    static constexpr quintptr MoreBit = quintptr(1) << (sizeof(quintptr) * 8 - 1);
    static bool isMoreRow(const QModelIndex& index) { return index.internalId() & MoreBit; }
    static int nodeOf(const QModelIndex& index) { return int(index.internalId() & ~MoreBit); }
    void setMore(int node, int more);
    void rebuild(const std::vector<SessionTreeNode>& tree);

    std::vector<Node> m_nodes;
    QList<int> m_roots;
};

} // namespace doeff::views
