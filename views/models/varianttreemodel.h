#pragma once

#include <QAbstractItemModel>
#include <QList>
#include <QSortFilterProxyModel>
#include <QStringList>
#include <QVariant>

#include <utility>
#include <vector>

namespace doeff::views {

/// A store or environment as a tree: top-level keys, maps and lists expand. Keys written by
/// the last step are highlighted; given the values before the step, the Value column shows
/// `old → new` for a changed key, `value  (new)` for an added one and `old  (removed)` on a
/// struck-out row for a removed one.
class VariantTreeModel final : public QAbstractItemModel {
    Q_OBJECT
public:
    enum Columns { KeyColumn, ValueColumn, TypeColumn, NUM_COLUMNS };
    enum Roles {
        ChangedRole = Qt::UserRole,
        PathRole,
        ChangeRole, ///< a Change (top-level rows; Unchanged below)
        OldValueRole, ///< the value before the step (Changed and Removed rows)
    };
    enum Change { Unchanged, Changed, Added, Removed };

    using Entries = QList<std::pair<QString, QVariant>>;
    using QAbstractItemModel::QAbstractItemModel;

    /// Adopts `entries` (insertion order); `changed` are top-level keys to highlight.
    /// `hideInternal` drops `__…__` keys. With `before` (the entries before the viewed step),
    /// every key whose value differs is highlighted with its old value, keys it lacks are
    /// added and keys only it has are listed as removed.
    void setEntries(const Entries& entries, const QStringList& changed, bool hideInternal = false,
                    const Entries* before = nullptr);

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
        Change change = Unchanged;
        QVariant old;
        QList<int> children;
    };
    struct Root {
        QString key;
        QVariant value;
        bool changed = false;
        Change change = Unchanged;
        QVariant old;
        bool operator==(const Root&) const = default;
    };
    int addNode(int parent, const QString& key, const QVariant& value, int depth);
    const QList<int>& childrenOf(int node) const { return node < 0 ? m_roots : m_nodes[size_t(node)].children; }

    std::vector<Node> m_nodes;
    QList<int> m_roots;
    QList<Root> m_rootInfo;
};

/// Filters a VariantTreeModel by text: a row stays when its key or its value's text contains
/// the filter (case-insensitive), when one of its descendants does (the path to a match stays),
/// or when it is inside a match (a matching container shows what it holds).
class VariantFilterModel final : public QSortFilterProxyModel {
    Q_OBJECT
public:
    explicit VariantFilterModel(QObject* parent = nullptr);
    void setFilterText(const QString& text);
    QString filterText() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex& sourceParent) const override;

private:
    QString m_text;
};

} // namespace doeff::views
