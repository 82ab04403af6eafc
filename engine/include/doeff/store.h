#pragma once

#include <doeff/export.h>

#include <QHash>
#include <QList>
#include <QString>
#include <QVariant>

#include <functional>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace doeff {

namespace detail {
/// A store key with a cheap hash: Qt's seeded qHash(QString) is slow on some CPUs, and every
/// Get and Put hashes once. Keys are the program's own names, not attacker-chosen input.
struct StoreKey {
    QString text;
    bool operator==(const StoreKey& other) const noexcept
    {
        const qsizetype n = text.size();
        if (n != other.text.size()) return false;
        const char16_t* a = reinterpret_cast<const char16_t*>(text.constData());
        const char16_t* b = reinterpret_cast<const char16_t*>(other.text.constData());
        if (a == b) return true;
        for (qsizetype i = 0; i < n; ++i) // keys are short: a loop beats a call to memcmp
            if (a[i] != b[i]) return false;
        return true;
    }
};
inline size_t qHash(const StoreKey& key, size_t seed = 0) noexcept
{
    // FNV-1a over the UTF-16 units: keys are short names, where this beats a block hash.
    // constData(), not utf16(): utf16() copies a string literal's text to terminate it.
    size_t h = 14695981039346656037ull ^ seed;
    const char16_t* p = reinterpret_cast<const char16_t*>(key.text.constData());
    for (const char16_t* end = p + key.text.size(); p != end; ++p)
        h = (h ^ size_t(*p)) * 1099511628211ull;
    return h;
}
} // namespace detail

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
    QHash<detail::StoreKey, qsizetype> m_index;
};

} // namespace doeff
