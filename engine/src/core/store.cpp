#include <doeff/store.h>

namespace doeff {

Store::Store(std::initializer_list<std::pair<QString, QVariant>> entries)
{
    for (const auto& [k, v] : entries)
        insert(k, v);
}

bool Store::contains(const QString& key) const
{
    return m_index.contains(detail::StoreKey { key });
}

const QVariant* Store::find(const QString& key) const
{
    auto it = m_index.constFind(detail::StoreKey { key });
    return it == m_index.cend() ? nullptr : &m_values.at(it.value());
}

const QVariant* Store::find(const QString& key, qsizetype& hint) const
{
    if (hits(key, hint)) return &m_values.at(hint);
    auto it = m_index.constFind(detail::StoreKey { key });
    if (it == m_index.cend()) return nullptr;
    hint = it.value();
    return &m_values.at(hint);
}

QVariant Store::value(const QString& key, const QVariant& fallback) const
{
    const QVariant* v = find(key);
    return v ? *v : fallback;
}

template<class V> void Store::insertAt(const QString& key, V&& value, qsizetype& hint)
{
    if (!hits(key, hint)) {
        auto it = m_index.constFind(detail::StoreKey { key });
        if (it == m_index.cend()) {
            hint = m_keys.size();
            m_keys.append(key);
            m_index.insert(detail::StoreKey { m_keys.constLast() }, hint); // views the kept copy
            m_values.append(std::forward<V>(value));
            return;
        }
        hint = it.value();
    }
    m_values[hint] = std::forward<V>(value);
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
    auto it = m_index.constFind(detail::StoreKey { key });
    return it == m_index.cend() ? nullptr : &m_values[it.value()];
}

bool Store::remove(const QString& key)
{
    auto it = m_index.constFind(detail::StoreKey { key });
    if (it == m_index.cend()) return false;
    const qsizetype pos = it.value();
    m_index.erase(it);
    m_keys.removeAt(pos);
    m_values.removeAt(pos);
    for (qsizetype i = pos; i < m_keys.size(); ++i)
        m_index[detail::StoreKey { m_keys.at(i) }] = i;
    return true;
}

void Store::clear()
{
    m_keys.clear();
    m_values.clear();
    m_index.clear();
}

QStringList Store::keys() const
{
    return m_keys;
}

QList<std::pair<QString, QVariant>> Store::entries() const
{
    QList<std::pair<QString, QVariant>> out;
    out.reserve(m_keys.size());
    for (qsizetype i = 0; i < m_keys.size(); ++i)
        out.append({ m_keys.at(i), m_values.at(i) });
    return out;
}

QVariantMap Store::toMap() const
{
    QVariantMap out;
    for (qsizetype i = 0; i < m_keys.size(); ++i)
        out.insert(m_keys.at(i), m_values.at(i));
    return out;
}

bool Store::operator==(const Store& other) const
{
    return m_keys == other.m_keys && m_values == other.m_values;
}

} // namespace doeff
