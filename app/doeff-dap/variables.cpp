#include "variables.h"

#include <doeff/value.h>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace doeff::dap {

namespace {
bool isMap(const QVariant& v)
{
    return v.typeId() == QMetaType::QVariantMap || v.typeId() == QMetaType::QVariantHash;
}
bool isList(const QVariant& v)
{
    return v.typeId() == QMetaType::QVariantList || v.typeId() == QMetaType::QStringList;
}
QString typeName(const QVariant& v)
{
    if (!v.isValid() || v.isNull()) return u"null"_s;
    if (isMap(v)) return u"map"_s;
    if (isList(v)) return u"list"_s;
    return QString::fromLatin1(v.typeName());
}
} // namespace

void Variables::childCounts(const QVariant& value, int* named, int* indexed)
{
    *named = isMap(value) ? int(value.toMap().size()) : 0;
    *indexed = isList(value) ? int(value.toList().size()) : 0;
}

int Variables::addStore(const Store& store, const QString& prefix)
{
    Node n;
    n.kind = Node::Kind::Store;
    n.store = store;
    n.prefix = prefix;
    m_nodes.push_back(std::move(n));
    return int(m_nodes.size());
}

int Variables::addEntries(const Entries& entries, const QString& prefix, bool rawText)
{
    Node n;
    n.rawText = rawText;
    n.kind = Node::Kind::Entries;
    n.entries = entries;
    n.prefix = prefix;
    m_nodes.push_back(std::move(n));
    return int(m_nodes.size());
}

int Variables::addValue(const QVariant& value, const QString& evaluateName)
{
    if (!isMap(value) && !isList(value)) return 0;
    Node n;
    n.value = value;
    n.prefix = evaluateName;
    m_nodes.push_back(std::move(n));
    return int(m_nodes.size());
}

QJsonObject Variables::variable(const QString& name, const QVariant& value, const QString& evaluateName, bool rawText)
{
    const bool text = rawText && value.typeId() == QMetaType::QString;
    QJsonObject v { { u"name"_s, name },
                    { u"value"_s, text ? value.toString() : repr(value) },
                    { u"type"_s, typeName(value) } };
    const int reference = addValue(value, evaluateName);
    v[u"variablesReference"_s] = reference;
    if (reference > 0) {
        int named = 0, indexed = 0;
        childCounts(value, &named, &indexed);
        if (named > 0) v[u"namedVariables"_s] = named;
        if (indexed > 0) v[u"indexedVariables"_s] = indexed;
    }
    if (!evaluateName.isEmpty()) v[u"evaluateName"_s] = evaluateName;
    return v;
}

bool Variables::children(int reference, const QString& filter, int start, int count, QJsonArray* out)
{
    if (reference <= 0 || reference > int(m_nodes.size())) return false;
    // copy: variable() may grow m_nodes
    const Node node = m_nodes[size_t(reference - 1)];
    const auto page = [&](qsizetype size, const auto& emit) {
        const qsizetype first = std::clamp<qsizetype>(start, 0, size);
        const qsizetype last = count > 0 ? std::min<qsizetype>(size, first + count) : size;
        for (qsizetype i = first; i < last; ++i)
            emit(i);
    };
    const auto child = [&](const QString& key) { return node.prefix.isEmpty() ? QString() : node.prefix + key; };
    switch (node.kind) {
    case Node::Kind::Store: {
        if (filter == u"indexed"_s) return true;
        const QStringList keys = node.store.keys();
        page(keys.size(),
             [&](qsizetype i) { out->append(variable(keys[i], node.store.value(keys[i]), child(keys[i]))); });
        return true;
    }
    case Node::Kind::Entries:
        if (filter == u"indexed"_s) return true;
        page(node.entries.size(), [&](qsizetype i) {
            const auto& [key, value] = node.entries[i];
            out->append(variable(key, value, child(key), node.rawText));
        });
        return true;
    case Node::Kind::Value:
        if (isMap(node.value)) {
            if (filter == u"indexed"_s) return true;
            const QVariantMap map = node.value.toMap();
            const QStringList keys = map.keys(); // sorted
            page(keys.size(), [&](qsizetype i) {
                out->append(variable(keys[i], map.value(keys[i]),
                                     node.prefix.isEmpty() ? QString() : node.prefix + u'.' + keys[i]));
            });
        } else if (isList(node.value)) {
            if (filter == u"named"_s) return true;
            const QVariantList list = node.value.toList();
            page(list.size(), [&](qsizetype i) {
                out->append(variable(u"[%1]"_s.arg(i), list[i],
                                     node.prefix.isEmpty() ? QString() : node.prefix + u"[%1]"_s.arg(i)));
            });
        }
        return true;
    }
    return true;
}

} // namespace doeff::dap
