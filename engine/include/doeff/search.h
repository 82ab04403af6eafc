#pragma once

// Part of the analysis subsystem (engine/src/analysis/): a reduction of the event stream that
// answers one question about a run, live or recorded.

#include <doeff/export.h>
#include <doeff/observer.h>

#include <QList>
#include <QString>

/// Search over a whole run (docs/debugging.md "Search"): every event whose effect name or label,
/// store key, value, log message or task name contains the text.
namespace doeff {

class TraceReader;

enum class SearchKind : quint8 {
    Effect = 1, ///< EffectYielded: the effect's name or label (`Put('k')`)
    StoreKey = 2, ///< StoreWrite: the key (each key of a StoreReplaced)
    Value = 4, ///< a value written (StoreWrite), resumed with (EffectHandled) or returned (TaskFinished)
    Log = 8, ///< LogAppended: the message
    Task = 16, ///< TaskSpawned: the task's name
};
constexpr int SearchAllKinds = 31;
DOEFF_EXPORT const char* searchKindName(SearchKind kind);

struct SearchQuery {
    QString text; ///< a substring; empty matches nothing
    Qt::CaseSensitivity caseSensitivity = Qt::CaseInsensitive;
    int kinds = SearchAllKinds; ///< SearchKind bits
    /// Hits kept in SearchResult::hits (the count is always exact).
    int limit = 100'000;
};

struct SearchHit {
    quint64 event = 0; ///< index of the event in the run
    quint64 step = 0;
    int task = -1;
    SearchKind kind = SearchKind::Effect;
    QString text; ///< the text that matched (`Put('k')`, the key, the value's repr, the message)
};

struct SearchResult {
    QList<SearchHit> hits; ///< in event order, at most the query's limit
    quint64 total = 0; ///< every hit, counted exactly
    quint64 events = 0; ///< events searched
    bool truncated() const { return total > quint64(hits.size()); }
};

/// An incremental search: feed events in order (a live session), read result() any time.
class DOEFF_EXPORT Searcher {
public:
    explicit Searcher(SearchQuery query);
    void add(const Event& event);
    const SearchResult& result() const { return m_result; }
    const SearchQuery& query() const { return m_query; }

private:
    void hit(const Event& e, SearchKind kind, const QString& text);
    bool matches(const QString& s) const;
    SearchQuery m_query;
    SearchResult m_result;
};

/// Searches every event of a trace. False (with `error`) on a malformed file; the hits found
/// before it are kept.
DOEFF_EXPORT bool search(TraceReader& reader, const SearchQuery& query, SearchResult& result, QString* error = nullptr);
/// Searches the events a live session kept.
DOEFF_EXPORT SearchResult search(const QList<Event>& events, const SearchQuery& query);

} // namespace doeff
