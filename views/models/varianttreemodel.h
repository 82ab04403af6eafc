#pragma once

#include <QAbstractItemModel>
#include <QList>
#include <QStringList>
#include <QVariant>

#include <utility>
#include <vector>

namespace doeff::views {

/// A store or environment as a tree: top-level keys, maps and lists expand. Keys written by
/// the last step are highlighted.
class VariantTreeModel final : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Columns { KeyColumn, ValueColumn, TypeColumn, NUM_COLUMNS };
    enum Roles { ChangedRole = Qt::UserRole, PathRole };

    using Entries = QList<std::pair<QString, QVariant>>;
    using QAbstractItemModel::QAbstractItemModel;

    /// Adopts `entries` (insertion order); `changed` are top-level keys to highlight.
    /// `hideInternal` drops `__…__` keys.
    void setEntries(const Entries& entries, const QStringList& changed, bool hideInternal = false);

    QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
    QModelIndex parent(const QModelIndex& child) const override;
    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    bool hasChildren(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Node {
        QString key;
        QVariant value;
        int parent = -1;
        int row = 0;
        bool changed = false;
        QList<int> children;
    };
    int addNode(int parent, const QString& key, const QVariant& value, int depth);
    const QList<int>& childrenOf(int node) const { return node < 0 ? m_roots : m_nodes[size_t(node)].children; }

    std::vector<Node> m_nodes;
    QList<int> m_roots;
    Entries m_entries;
    QStringList m_changed;
};

} // namespace doeff::views
