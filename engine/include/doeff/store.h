#pragma once

#include <doeff/export.h>

#include <QHash>
#include <QList>
#include <QString>
#include <QVariant>

#include <initializer_list>
#include <utility>

namespace doeff {

/// The run's mutable state: `QString → QVariant`, ordered by first insertion. Implicitly shared
/// (copy-on-write), so snapshotting a store for a spawned task is cheap. Lookups are O(1)
/// whatever the size.
class DOEFF_EXPORT Store {
public:
    Store() = default;
    Store(std::initializer_list<std::pair<QString, QVariant>> entries);

    bool contains(const QString& key) const;
    /// The value, or nullptr when the key is absent (a stored null is a valid, non-null pointer).
    const QVariant* find(const QString& key) const;
    QVariant value(const QString& key, const QVariant& fallback = {}) const;
    /// Sets the key; a new key goes to the end, an existing key keeps its position.
    void insert(const QString& key, const QVariant& value);
    /// Mutable access to an existing key's value, or nullptr.
    QVariant* findMutable(const QString& key);
    bool remove(const QString& key);
    void clear();

    qsizetype size() const { return m_keys.size(); }
    bool isEmpty() const { return m_keys.isEmpty(); }
    /// Keys in insertion order.
    QStringList keys() const;
    /// Entries in insertion order.
    QList<std::pair<QString, QVariant>> entries() const;
    QVariantMap toMap() const;

    bool operator==(const Store& other) const;

private:
    QList<QString> m_keys;
    QList<QVariant> m_values;
    QHash<QString, qsizetype> m_index;
};

} // namespace doeff
