#pragma once

#include <doeff/store.h>

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QVariant>

#include <utility>
#include <vector>

namespace doeff::dap {

/// The variablesReference handles of one stop. A handle names a container the client may expand:
/// a store (in insertion order), a list of named entries (the scopes), or a value that is a map
/// (keys sorted) or a list (indexed, paged with start/count). Handles are valid until clear(),
/// which the adapter calls whenever the program or the viewed step moves, as the protocol allows.
class Variables {
public:
    using Entries = QList<std::pair<QString, QVariant>>;

    void clear() { m_nodes.clear(); }
    int addStore(const Store& store, const QString& prefix);
    /// `rawText`: string values show as text, not in repr quotes (descriptions, not data).
    int addEntries(const Entries& entries, const QString& prefix = {}, bool rawText = false);
    /// A handle for `value` when it has children, else 0.
    int addValue(const QVariant& value, const QString& evaluateName);

    /// One DAP Variable for `name` = `value` (a handle is made when it has children).
    QJsonObject variable(const QString& name, const QVariant& value, const QString& evaluateName = {},
                         bool rawText = false);
    /// The children of `reference`; `filter` is `indexed`, `named` or empty (both). False when
    /// the handle is unknown (stale).
    bool children(int reference, const QString& filter, int start, int count, QJsonArray* out);
    /// The value's children as (name, value) pairs, for DAP's count fields: named and indexed.
    static void childCounts(const QVariant& value, int* named, int* indexed);

private:
    struct Node {
        enum class Kind : quint8 { Store, Entries, Value } kind = Kind::Value;
        Store store;
        Entries entries;
        QVariant value;
        QString prefix; ///< what evaluateName of a child starts with
        bool rawText = false;
    };
    std::vector<Node> m_nodes; ///< handle = index + 1
};

} // namespace doeff::dap
