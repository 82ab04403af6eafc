#include <doeff/search.h>
#include <doeff/trace.h>
#include <doeff/value.h>

namespace doeff {

const char* searchKindName(SearchKind kind)
{
    switch (kind) {
    case SearchKind::Effect:
        return "effect";
    case SearchKind::StoreKey:
        return "key";
    case SearchKind::Value:
        return "value";
    case SearchKind::Log:
        return "log";
    case SearchKind::Task:
        return "task";
    }
    return "?";
}

namespace {

/// The text a value is searched as: a string as itself, anything else as its repr.
QString valueText(const QVariant& v)
{
    if (v.typeId() == QMetaType::QString) return v.toString();
    if (v.typeId() == QMetaType::Int) return QString::number(v.toInt());
    if (v.typeId() == QMetaType::LongLong) return QString::number(v.toLongLong());
    return repr(v);
}

} // namespace

Searcher::Searcher(SearchQuery query)
    : m_query(std::move(query))
{ }

bool Searcher::matches(const QString& s) const
{
    return s.contains(m_query.text, m_query.caseSensitivity);
}

void Searcher::hit(const Event& e, SearchKind kind, const QString& text)
{
    ++m_result.total;
    if (m_result.hits.size() < m_query.limit) m_result.hits.append({ m_result.events, e.step, e.task, kind, text });
}

void Searcher::add(const Event& e)
{
    const int kinds = m_query.kinds;
    if (!m_query.text.isEmpty()) {
        switch (e.kind) {
        case EventKind::EffectYielded:
            if ((kinds & int(SearchKind::Effect)) && (matches(e.name) || matches(e.text)))
                hit(e, SearchKind::Effect, e.name);
            break;
        case EventKind::EffectHandled:
            if ((kinds & int(SearchKind::Value)) && HandledHow(e.code) == HandledHow::Resumed && e.value.isValid()) {
                const QString v = valueText(e.value);
                if (matches(v)) hit(e, SearchKind::Value, v);
            }
            break;
        case EventKind::StoreWrite:
            if ((kinds & int(SearchKind::StoreKey)) && matches(e.name)) hit(e, SearchKind::StoreKey, e.name);
            if (kinds & int(SearchKind::Value)) {
                const QString v = valueText(e.value);
                if (matches(v)) hit(e, SearchKind::Value, v);
            }
            break;
        case EventKind::StoreReplaced:
            for (const QVariant& pair : e.value.toList()) {
                const QVariantList kv = pair.toList();
                if (kv.size() != 2) continue;
                const QString key = kv[0].toString();
                if ((kinds & int(SearchKind::StoreKey)) && matches(key)) hit(e, SearchKind::StoreKey, key);
                if (kinds & int(SearchKind::Value)) {
                    const QString v = valueText(kv[1]);
                    if (matches(v)) hit(e, SearchKind::Value, v);
                }
            }
            break;
        case EventKind::LogAppended:
            if (kinds & int(SearchKind::Log)) {
                const QVariantList messages
                    = e.value.typeId() == QMetaType::QVariantList ? e.value.toList() : QVariantList { e.value };
                for (const QVariant& m : messages) {
                    const QString t = valueText(m);
                    if (matches(t)) hit(e, SearchKind::Log, t);
                }
            }
            break;
        case EventKind::TaskSpawned:
            if ((kinds & int(SearchKind::Task)) && matches(e.name)) hit(e, SearchKind::Task, e.name);
            break;
        case EventKind::TaskFinished:
            if ((kinds & int(SearchKind::Value)) && e.value.isValid()) {
                const QString v = valueText(e.value);
                if (matches(v)) hit(e, SearchKind::Value, v);
            }
            break;
        default:
            break;
        }
    }
    ++m_result.events;
}

bool search(TraceReader& reader, const SearchQuery& query, SearchResult& result, QString* error)
{
    Searcher s(query);
    const bool ok = reader.forEachEvent(0, reader.eventCount(), [&s](const Event& e) {
        s.add(e);
        return true;
    });
    result = s.result();
    if (!ok && error) *error = reader.errorString();
    return ok;
}

SearchResult search(const QList<Event>& events, const SearchQuery& query)
{
    Searcher s(query);
    for (const Event& e : events)
        s.add(e);
    return s.result();
}

} // namespace doeff
