#pragma once

#include <doeff/export.h>

#include <QAtomicInt>
#include <QHash>
#include <QList>
#include <QString>
#include <QVariant>

#include <functional>
#include <initializer_list>
#include <new>
#include <string_view>
#include <utility>

namespace doeff {

namespace detail {
/// A store key with a cheap hash: Qt's seeded qHash(QString) is slow on some CPUs, and every
/// Get and Put hashes once. Keys are the program's own names, not attacker-chosen input.
/// It is a view: an index entry views the text its store's key list holds (a store's index and
/// key list always hold the same keys), and a lookup views the caller's key, so no lookup
/// touches a string's reference count.
struct StoreKey {
    const char16_t* data;
    qsizetype size;
    explicit StoreKey(const QString& s) noexcept
        : data(reinterpret_cast<const char16_t*>(s.constData())) // constData(): utf16() copies a literal
        , size(s.size())
    { }
    bool operator==(const StoreKey& other) const noexcept
    {
        if (size != other.size) return false;
        if (data == other.data) return true;
        for (qsizetype i = 0; i < size; ++i) // keys are short: a loop beats a call to memcmp
            if (data[i] != other.data[i]) return false;
        return true;
    }
};
inline size_t qHash(const StoreKey& key, size_t seed = 0) noexcept
{
    // FNV-1a over the UTF-16 units: keys are short names, where this beats a block hash.
    size_t h = 14695981039346656037ull ^ seed;
    for (const char16_t *p = key.data, *end = p + key.size; p != end; ++p)
        h = (h ^ size_t(*p)) * 1099511628211ull;
    return h;
}
} // namespace detail

/// The run's mutable state: `QString → QVariant`, ordered by first insertion. Implicitly shared
/// (copy-on-write) as a whole, through one pointer: every task record holds a store, and a
/// spawned task's or a coroutine handler's copy costs one reference count. Lookups are O(1)
/// whatever the size. An empty store holds nothing.
class DOEFF_EXPORT Store {
public:
    Store() noexcept = default;
    Store(std::initializer_list<std::pair<QString, QVariant>> entries);
    Store(const Store& other) noexcept
        : d(other.d)
    {
        if (d) d->ref.ref();
    }
    Store(Store&& other) noexcept
        : d(std::exchange(other.d, nullptr))
    { }
    Store& operator=(const Store& other) noexcept
    {
        Store(other).swap(*this);
        return *this;
    }
    Store& operator=(Store&& other) noexcept
    {
        Store(std::move(other)).swap(*this);
        return *this;
    }
    ~Store()
    {
        if (d && !d->ref.deref()) delete d;
    }
    void swap(Store& other) noexcept { std::swap(d, other.d); }

    bool contains(const QString& key) const;
    /// The value, or nullptr when the key is absent (a stored null is a valid, non-null pointer).
    const QVariant* find(const QString& key) const;
    QVariant value(const QString& key, const QVariant& fallback = {}) const;
    /// Sets the key; a new key goes to the end, an existing key keeps its position.
    void insert(const QString& key, const QVariant& value);
    void insert(const QString& key, QVariant&& value);
    /// Mutable access to an existing key's value, or nullptr.
    QVariant* findMutable(const QString& key);

    /// find() and insert() for a caller that looks the same keys up again and again: `hint`
    /// is a position it kept from an earlier call (any value will do; it is checked), and is
    /// set to the key's position. A right hint costs one comparison of the key instead of
    /// hashing it.
    const QVariant* find(const QString& key, qsizetype& hint) const;
    void insert(const QString& key, QVariant&& value, qsizetype& hint);
    void insert(const QString& key, const QVariant& value, qsizetype& hint);
    bool remove(const QString& key);
    void clear();

    qsizetype size() const { return d ? d->keys.size() : 0; }
    bool isEmpty() const { return size() == 0; }
    /// Keys in insertion order.
    QStringList keys() const;
    /// Entries in insertion order.
    QList<std::pair<QString, QVariant>> entries() const;
    QVariantMap toMap() const;

    bool operator==(const Store& other) const;

private:
    /// One block: the keys and their index, shared with the store's copies until a key is added
    /// or removed, and after them the values, which are what a write changes: a copy's first
    /// write makes one block, copying the values only.
    struct Data {
        QAtomicInt ref; ///< the stores that hold it
        qsizetype capacity = 0; ///< values the block has room for; keys.size() of them are live
        QList<QString> keys;
        QHash<detail::StoreKey, qsizetype> index; ///< views the text of `keys`

        QVariant* values() noexcept { return reinterpret_cast<QVariant*>(this + 1); }
        const QVariant* values() const noexcept { return reinterpret_cast<const QVariant*>(this + 1); }
        /// A block with room for `capacity` values: empty, or a copy of `from`'s (and its keys).
        static Data* make(qsizetype capacity, const Data* from = nullptr);
        ~Data();
        /// Gives the block back with its size, which only the block knows.
        static void operator delete(Data* p, std::destroying_delete_t) noexcept;
    };
    static_assert(sizeof(Data) % alignof(QVariant) == 0, "the values follow the block's header");

    template<class V> void insertAt(const QString& key, V&& value, qsizetype& hint);
    /// The data, made or unshared, with room for `extra` more values: a write's first step.
    Data& write(qsizetype extra = 0)
    {
        if (d && d->ref.loadRelaxed() == 1 && d->keys.size() + extra <= d->capacity) [[likely]]
            return *d;
        return writeAnew(extra);
    }
    /// write() when the store needs a new block: its first, a copy of a shared one, or a bigger one.
    Data& writeAnew(qsizetype extra);
    bool hits(const QString& key, qsizetype hint) const noexcept
    {
        if (hint < 0 || hint >= d->keys.size()) return false;
        return detail::StoreKey { d->keys.at(hint) } == detail::StoreKey { key };
    }

    Data* d = nullptr; ///< null while the store is empty and never written
};
static_assert(sizeof(void*) != 8 || sizeof(Store) == 8, "every task record holds one");

} // namespace doeff
