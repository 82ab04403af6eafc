#pragma once

// Part of the analysis subsystem (engine/src/analysis/): a reduction of the event stream that
// answers one question about a run, live or recorded.

#include <doeff/export.h>
#include <doeff/observer.h>

#include <QList>
#include <QString>
#include <QVariant>

#include <memory>

/// Provenance: where a value came from, and who read it (docs/debugging.md "Provenance").
///
/// A *source* is an event that put a value where a program can read it: a store write (Put,
/// Modify, a handler's write, one key of a replaced store), a key of the initial store, a key a
/// Local bound, a key of the initial env, or a task's result. A *read* is a Get, Ask, Modify or
/// Wait a task yielded; its *origin* is the source whose value it read: the last write of the key
/// to the store the task uses before the read (for a spawned task, before its spawn, the parent's,
/// whose store it copied), the innermost Local in force that bound the key (else the env the task
/// was spawned with, else the run's), the waited task's result.
///
/// The *inputs* of a source are what "the program had read before writing it": the reads the same
/// task made from the start of the innermost program activation that made the write (for a task
/// result: from the task's start) up to the write, including the reads of the programs that
/// activation called in between (their results flowed into it). Each input has its own origin,
/// whose inputs lead further back: the chain ends at the initial store and env.
namespace doeff {

class TraceReader;

struct ProvenanceSource {
    enum class Kind : quint8 { Write, InitialStore, Local, InitialEnv, TaskResult };
    Kind kind = Kind::Write;
    quint64 event = 0; ///< index of the event in the run
    quint64 step = 0;
    int task = -1; ///< the task that wrote (for an initial store/env, the main task)
    QString key; ///< store/env key; a task result: the task's name
    QString label; ///< the effect (`Put('a')`), `env={'k'}`, `Ok(16)`, `initial store`
    QVariant value;
    const char* file = nullptr; ///< where the write was made (null when unknown)
    int line = 0;
    const char* function = nullptr;
};

struct ProvenanceRead {
    quint64 event = 0;
    quint64 step = 0;
    int task = -1;
    QString key; ///< store/env key; a Wait: `task N`
    QString label; ///< `Get('seed')`
    QVariant value; ///< the value it read (a Wait: the task's result)
    const char* file = nullptr;
    int line = 0;
    const char* function = nullptr;
    int origin = -1; ///< source id, -1 when unknown (a key never written)
};

const char* provenanceKindName(ProvenanceSource::Kind kind);

/// One node of the chain: a source, its inputs (reads) and for each read its origin's node.
struct ProvenanceTree {
    int source = -1;
    struct Input {
        int read = -1;
        std::shared_ptr<ProvenanceTree> origin; ///< null: unknown, or shown above (`seen`)
        bool seen = false; ///< the origin is already expanded elsewhere in the tree
    };
    QList<Input> inputs;
    int moreInputs = 0; ///< inputs not listed (beyond the limit)
    bool truncated = false; ///< the depth limit stopped here
};

/// The index over one run's events, built once; every question is then a few lookups.
class DOEFF_EXPORT Provenance {
public:
    Provenance();
    ~Provenance();
    Provenance(Provenance&&) noexcept;
    Provenance& operator=(Provenance&&) noexcept;

    /// Reads every event of a trace. False (with `error`) on a malformed file.
    bool build(TraceReader& reader, QString* error = nullptr);
    /// The events a live session kept, in order.
    void build(const QList<Event>& events);
    /// Incremental form: add() each event in order, then finish().
    void add(const Event& event);
    void finish();

    quint64 eventCount() const;
    int sourceCount() const;
    int readCount() const;
    const ProvenanceSource& source(int id) const;
    const ProvenanceRead& read(int id) const;

    /// The source of the value `key` has in `task`'s store after step `step` (-1: none).
    int storeValue(int task, const QString& key, quint64 step) const;
    /// The source of the value `key` has in `task`'s env after step `step` (-1: none).
    int envValue(int task, const QString& key, quint64 step) const;
    /// The source that is `task`'s result (-1: the task did not finish with a value).
    int taskResult(int task) const;
    /// The read made by the Get/Ask/Modify/Wait `task` yielded at `step` (-1: none).
    int readAt(int task, quint64 step) const;

    /// The reads that are the source's inputs, oldest first; at most `limit` (the most recent
    /// ones), `total` receives how many there are.
    QList<int> inputs(int source, int limit = 100, int* total = nullptr) const;
    /// Every later read whose origin is the source, in order ("who read this").
    QList<int> readers(int source) const;

    /// The chain back from `source`, `depth` levels of sources deep, each source expanded once.
    ProvenanceTree tree(int source, int depth = 64, int inputLimit = 100) const;

    /// The tree as indented text (what `doeff-run --why` prints).
    QString format(const ProvenanceTree& tree) const;
    QString describe(const ProvenanceSource& s) const;
    QString describe(const ProvenanceRead& r) const;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace doeff
