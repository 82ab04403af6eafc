#include <doeff/store.h>

namespace doeff {

Store::Store(std::initializer_list<std::pair<QString, QVariant>> entries)
{
    for (const auto& [k, v] : entries)
        insert(k, v);
}

Store::Data& Store::write()
{
    if (!d) d = new Data;
    return *d; // non-const operator*: unshares
}

bool Store::contains(const QString& key) const
{
    return d && d->index.contains(detail::StoreKey { key });
}

const QVariant* Store::find(const QString& key) const
{
    if (!d) return nullptr;
    auto it = d->index.constFind(detail::StoreKey { key });
    return it == d->index.cend() ? nullptr : &d->values.at(it.value());
}

const QVariant* Store::find(const QString& key, qsizetype& hint) const
{
    if (!d) return nullptr;
    if (hits(key, hint)) return &d->values.at(hint);
    auto it = d->index.constFind(detail::StoreKey { key });
    if (it == d->index.cend()) return nullptr;
    hint = it.value();
    return &d->values.at(hint);
}

QVariant Store::value(const QString& key, const QVariant& fallback) const
{
    const QVariant* v = find(key);
    return v ? *v : fallback;
}

template<class V> void Store::insertAt(const QString& key, V&& value, qsizetype& hint)
{
    Data& data = write();
    if (!hits(key, hint)) {
        auto it = data.index.constFind(detail::StoreKey { key });
        if (it == data.index.cend()) {
            hint = data.keys.size();
            data.keys.append(key);
            data.index.insert(detail::StoreKey { data.keys.constLast() }, hint); // views the kept copy
            data.values.append(std::forward<V>(value));
            return;
        }
        hint = it.value();
    }
    data.values[hint] = std::forward<V>(value);
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
    const Data& shared = *std::as_const(d); // a lookup that misses unshares nothing
    auto it = shared.index.constFind(detail::StoreKey { key });
    if (it == shared.index.cend()) return nullptr;
    const qsizetype pos = it.value(); // positions survive unsharing
    return &write().values[pos];
}

bool Store::remove(const QString& key)
{
    if (!contains(key)) return false;
    Data& data = write();
    const qsizetype pos = data.index.take(detail::StoreKey { key });
    data.keys.removeAt(pos);
    data.values.removeAt(pos);
    for (qsizetype i = pos; i < data.keys.size(); ++i)
        data.index[detail::StoreKey { data.keys.at(i) }] = i;
    return true;
}

void Store::clear()
{
    d.reset();
}

QStringList Store::keys() const
{
    return d ? d->keys : QStringList();
}

QList<std::pair<QString, QVariant>> Store::entries() const
{
    QList<std::pair<QString, QVariant>> out;
    if (!d) return out;
    out.reserve(d->keys.size());
    for (qsizetype i = 0; i < d->keys.size(); ++i)
        out.append({ d->keys.at(i), d->values.at(i) });
    return out;
}

QVariantMap Store::toMap() const
{
    QVariantMap out;
    for (qsizetype i = 0; i < size(); ++i)
        out.insert(d->keys.at(i), d->values.at(i));
    return out;
}

bool Store::operator==(const Store& other) const
{
    if (size() != other.size()) return false;
    return size() == 0 || d == other.d || (d->keys == other.d->keys && d->values == other.d->values);
}

} // namespace doeff
