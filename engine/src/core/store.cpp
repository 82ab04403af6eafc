#include <doeff/store.h>

#include "pool.h"

#include <algorithm>

namespace doeff {

Store::Store(std::initializer_list<std::pair<QString, QVariant>> entries)
{
    for (const auto& [k, v] : entries)
        insert(k, v);
}

Store::Data* Store::Data::make(qsizetype capacity, const Data* from)
{
    void* block = detail::poolAllocate(sizeof(Data) + std::size_t(capacity) * sizeof(QVariant));
    Data* data = new (block) Data;
    data->capacity = capacity;
    if (from) {
        const qsizetype n = from->keys.size();
        for (qsizetype i = 0; i < n; ++i)
            new (data->values() + i) QVariant(from->values()[i]);
        data->keys = from->keys; // the values are live as the keys say: copy them first
        data->index = from->index;
    }
    return data;
}

Store::Data::~Data()
{
    for (qsizetype i = 0, n = keys.size(); i < n; ++i)
        values()[i].~QVariant();
}

void Store::Data::operator delete(Data* p, std::destroying_delete_t) noexcept
{
    const std::size_t bytes = sizeof(Data) + std::size_t(p->capacity) * sizeof(QVariant);
    p->~Data();
    detail::poolFree(p, bytes);
}

Store::Data& Store::writeAnew(qsizetype extra)
{
    const qsizetype size = d ? d->keys.size() : 0;
    const bool shared = d && d->ref.loadRelaxed() != 1;
    const qsizetype needed = size + extra;
    // a copy gets room for what it holds (a spawned task's store seldom grows), a growing block twice
    const qsizetype capacity = d && !shared && needed > d->capacity ? std::max(needed, 2 * d->capacity) : needed;
    Data* fresh = Data::make(capacity, shared ? d : nullptr);
    fresh->ref.storeRelaxed(1);
    if (d && !shared) { // the only holder: move into the bigger block
        for (qsizetype i = 0; i < size; ++i) {
            new (fresh->values() + i) QVariant(std::move(d->values()[i]));
            d->values()[i].~QVariant();
        }
        fresh->keys = std::move(d->keys); // the index views the keys' text, which does not move
        fresh->index = std::move(d->index);
        d->keys.clear(); // its values are gone
        delete d;
    } else if (d && !d->ref.deref()) {
        delete d; // the other holder let go meanwhile
    }
    d = fresh;
    return *d;
}

bool Store::contains(const QString& key) const
{
    return d && d->index.contains(detail::StoreKey { key });
}

const QVariant* Store::find(const QString& key) const
{
    if (!d) return nullptr;
    auto it = d->index.constFind(detail::StoreKey { key });
    return it == d->index.cend() ? nullptr : d->values() + it.value();
}

const QVariant* Store::find(const QString& key, qsizetype& hint) const
{
    if (!d) return nullptr;
    if (hits(key, hint)) return d->values() + hint;
    auto it = d->index.constFind(detail::StoreKey { key });
    if (it == d->index.cend()) return nullptr;
    hint = it.value();
    return d->values() + hint;
}

QVariant Store::value(const QString& key, const QVariant& fallback) const
{
    const QVariant* v = find(key);
    return v ? *v : fallback;
}

template<class V> void Store::insertAt(const QString& key, V&& value, qsizetype& hint)
{
    if (!d || !hits(key, hint)) {
        auto it
            = d ? d->index.constFind(detail::StoreKey { key }) : QHash<detail::StoreKey, qsizetype>::const_iterator();
        if (!d || it == d->index.cend()) {
            Data& data = write(1);
            hint = data.keys.size();
            new (data.values() + hint) QVariant(std::forward<V>(value)); // live once its key is
            data.keys.append(key);
            data.index.insert(detail::StoreKey { data.keys.constLast() }, hint); // views the kept copy
            return;
        }
        hint = it.value();
    }
    write().values()[hint] = std::forward<V>(value);
}

void Store::insert(const QString& key, QVariant&& value, qsizetype& hint)
{
    insertAt(key, std::move(value), hint);
}

void Store::insert(const QString& key, const QVariant& value, qsizetype& hint)
{
    insertAt(key, value, hint);
}

void Store::insert(const QString& key, const QVariant& value)
{
    qsizetype hint = -1;
    insertAt(key, value, hint);
}

void Store::insert(const QString& key, QVariant&& value)
{
    qsizetype hint = -1;
    insertAt(key, std::move(value), hint);
}

QVariant* Store::findMutable(const QString& key)
{
    if (!d) return nullptr;
    auto it = d->index.constFind(detail::StoreKey { key }); // a lookup that misses unshares nothing
    if (it == d->index.cend()) return nullptr;
    const qsizetype pos = it.value(); // positions survive unsharing
    return write().values() + pos;
}

bool Store::remove(const QString& key)
{
    if (!contains(key)) return false;
    Data& data = write();
    const qsizetype pos = data.index.take(detail::StoreKey { key });
    const qsizetype last = data.keys.size() - 1;
    QVariant* values = data.values();
    for (qsizetype i = pos; i < last; ++i)
        values[i] = std::move(values[i + 1]);
    values[last].~QVariant();
    data.keys.removeAt(pos); // after the value: keys.size() values are live
    for (qsizetype i = pos; i < data.keys.size(); ++i)
        data.index[detail::StoreKey { data.keys.at(i) }] = i;
    return true;
}

void Store::clear()
{
    Store().swap(*this);
}

QStringList Store::keys() const
{
    return d ? d->keys : QStringList();
}

QList<std::pair<QString, QVariant>> Store::entries() const
{
    QList<std::pair<QString, QVariant>> out;
    out.reserve(size());
    for (qsizetype i = 0; i < size(); ++i)
        out.append({ d->keys.at(i), d->values()[i] });
    return out;
}

QVariantMap Store::toMap() const
{
    QVariantMap out;
    for (qsizetype i = 0; i < size(); ++i)
        out.insert(d->keys.at(i), d->values()[i]);
    return out;
}

bool Store::operator==(const Store& other) const
{
    if (size() != other.size()) return false;
    if (size() == 0 || d == other.d) return true;
    if (d->keys != other.d->keys) return false;
    return std::equal(d->values(), d->values() + size(), other.d->values());
}

} // namespace doeff
