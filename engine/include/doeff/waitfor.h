#pragma once

// Part of the analysis subsystem (engine/src/analysis/): a reduction of the event stream that
// answers one question about a run, live or recorded.
//
// The wait-for graph: which task waits on what at one step, who created each promise waited
// on and which live tasks could still complete it, which tasks nothing can wake, and the rings
// of tasks waiting on each other, directly or through promises (the same cycle finder the
// machine uses for DeadlockError). Built from a SessionState (a live run, a trace at any step)
// and, for promises, the events up to that step; or from a saved result, where only a
// deadlock's report says who waited on what.

#include <doeff/export.h>
#include <doeff/observer.h>

#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

namespace doeff {

class SessionState;
class TraceReader;
class RuntimeResultBase;

/// One thing a blocked task waits on, read from its blocking effect's label (§7.8 labels).
struct WaitTarget {
    enum class Kind : quint8 {
        Task, ///< id: the task
        Promise, ///< id: the promise
        ExternalPromise, ///< id: the promise (-1 when the label does not give it)
        Timer, ///< a Sleep / Delay
        Await, ///< an Await of an outside computation
        LazyAsk, ///< id: the task evaluating the lazy Ask
    };
    Kind kind = Kind::Task;
    int id = -1;
    QString name; ///< the task's name (Task, LazyAsk)
    QString describe() const;
};

/// How a task came to hold a promise's handle, as far as the events show it (docs/why.md).
enum class HoldHow : quint8 {
    Created, ///< it yielded the CreatePromise
    Named, ///< it named the promise in a Wait, Gather, Race, CompletePromise or FailPromise
    Received, ///< an answer it received (a Get, an Ask, a Wait's value, …) held the handle
    Env, ///< its env held the handle (when it was spawned, or in a Local)
    Store, ///< the store it uses held the handle (a task sharing that store wrote it)
    /// Spawned (or run as a Gather branch) by a holder after that one held it: a program's
    /// arguments are not in the events, so it may have been given the handle.
    Spawned,
};
DOEFF_EXPORT const char* holdHowName(HoldHow how); ///< `created it`, `spawned by a holder`, …

struct PromiseHolder {
    int task = -1;
    HoldHow how = HoldHow::Created;
    quint64 step = 0; ///< when it came to hold it
    qint64 seq = 0; ///< the same, as the number of events before it
    int via = -1; ///< Spawned: the holder that spawned it; Store: the task that wrote it
};

struct WaitForTask {
    int id = 0;
    QString name;
    TaskStateCode state = TaskStateCode::Ready;
    /// The function of the task's outermost program activation (`partner`), empty when unknown.
    QString program;
    /// Where the task is suspended: its innermost program activation (empty when none).
    QString file;
    int line = 0;
    QString waitsOn; ///< the blocking effect's label, as the machine gives it
    QList<WaitTarget> waits;
    /// Any one of `waits` wakes it (a Race); otherwise it needs all of them.
    bool anyOf = false;
    /// Nothing the events show can wake it: it waits (through tasks and promises) only on tasks
    /// that are stuck too, or on a promise no live task could complete.
    bool stuck = false;
    bool blocked() const { return !waits.isEmpty() || !waitsOn.isEmpty(); }
};

struct WaitForPromise {
    int id = 0;
    bool external = false;
    /// Whether its creation was seen (events from the start of the run up to the step).
    bool originKnown = false;
    int creator = -1; ///< the task that created it
    QString creatorName;
    QString file; ///< where CreatePromise was yielded
    int line = 0;
    quint64 step = 0; ///< the step it was created at
    QList<int> waiters; ///< tasks blocked on it, by id
    /// Who could still complete it. The machine does not track who holds a promise; the graph
    /// follows its handle through the events (docs/why.md, "Who can complete a promise"): the
    /// live tasks that created it, named it, received it in an answer, in their env or store,
    /// or were spawned by a holder after it held it, except a task whose own wait needs the
    /// promise. False when that cannot be followed: no events (a saved result), its creation
    /// not seen, or an external promise (completed by code outside the run).
    bool completersKnown = false;
    /// The completers, the most recent holder first (at most kCompletersKept of them).
    QList<PromiseHolder> completers;
    /// More than kCompletersKept tasks could complete it (or more than the graph follows): the
    /// promise is taken as completable and joins no cycle.
    bool completersMore = false;
    static constexpr qsizetype kCompletersKept = 64;
    bool stuck = false; ///< no live task that could complete it can make progress
};

struct WaitForCycle {
    QList<int> tasks; ///< each waits on the next, the last on the first
    /// promises[i]: the promise tasks[i] waits on that tasks[i + 1] (the first, for the last)
    /// could complete, or -1 when tasks[i] waits on tasks[i + 1] itself. Same length as tasks.
    QList<int> promises;
    /// DeadlockReport::cycleLine() of the tasks and promises: `task 1 'alice' → promise 2
    /// (created by task 0 'main' at concurrency.cpp:141) → task 2 'bob' → promise 1 (…) →
    /// task 1 'alice'`.
    QString text;
};

struct DOEFF_EXPORT WaitForGraph {
    quint64 step = 0;
    /// Every task known at the step, by id; finished tasks have no waits.
    QList<WaitForTask> tasks;
    /// The promises some task waits on, by id.
    QList<WaitForPromise> promises;
    QList<WaitForCycle> cycles;
    /// Where the graph came from, when not a full state (a saved result: `from a saved result's
    /// deadlock report`); empty otherwise.
    QString note;

    const WaitForTask* task(int id) const;
    const WaitForPromise* promise(int id) const;
    /// The graph as text, one line per blocked task, then promises, then cycles:
    /// `cycle: task 1 'alice' → task 2 'bob' → task 1 'alice'`.
    QString text() const;
};

/// Where each promise was created and which tasks the events show holding its handle, fed
/// event by event (live, or from a trace). Promise ids are the machine's: read from the value
/// CreatePromise resumed with.
class DOEFF_EXPORT PromiseOrigins {
public:
    struct Origin {
        int id = 0;
        bool external = false;
        int task = -1;
        QString file;
        int line = 0;
        quint64 step = 0;
    };
    void apply(const Event& event);
    /// Applies every event of `reader` (all of them: origins hold for any step, the graph keeps
    /// those created at or before its step). `progress(done, total)` returns false to cancel.
    /// False with `error` set on a malformed trace or a cancel.
    bool scan(TraceReader& reader, QString* error = nullptr,
              const std::function<bool(quint64, quint64)>& progress = {});
    const QMap<int, Origin>& origins() const { return m_origins; }
    /// The tasks that may hold promise `id`'s handle by `step` (the rule: PromiseHolder's
    /// HoldHow), each once, by its earliest hold; only tasks for which `counts(task)` is true are
    /// returned, the most recent holder first. Past `limit` of them (or more tasks to follow
    /// than the search allows, 16 × limit + 256) the search stops and sets `*more` (when
    /// given); which `limit` it returned then is not specified.
    QList<PromiseHolder> holders(int id, quint64 step, const std::function<bool(int)>& counts, qsizetype limit,
                                 bool* more = nullptr) const;
    /// The number of events after which the run's first deadlock had every task it failed
    /// still blocked (the moment to show), or -1 when the events had no DeadlockError.
    qint64 deadlockEvents() const { return m_deadlockEvents; }

private:
    struct Pending {
        QString file;
        int line = 0;
        quint64 step = 0;
        bool external = false;
    };
    struct Spawn {
        int parent = -1;
        qint64 seq = 0;
        quint64 step = 0;
        int storeOwner = -1;
    };
    void hold(int promise, int task, HoldHow how, const Event& e, int via = -1);
    void holdValues(const QVariant& value, int task, HoldHow how, const Event& e);
    QMap<int, Origin> m_origins;
    QMap<int, Pending> m_pending; ///< by task: a CreatePromise yielded, not yet resumed
    QHash<int, QList<PromiseHolder>> m_holders; ///< by promise: explicit holds (not Spawned)
    QSet<quint64> m_held; ///< (promise, task, store?) already in m_holders
    QHash<int, Spawn> m_spawns; ///< by task
    QHash<int, QList<int>> m_children; ///< by task, in spawn order
    QHash<int, QList<int>> m_storeUsers; ///< by store owner: the tasks sharing its store (not itself)
    QHash<int, QList<int>> m_taskWaiters; ///< by task: tasks that waited on it before it ended
    QHash<int, QList<int>> m_taskResult; ///< by task: the promises its result holds
    bool m_sawPromise = false;
    int m_counter = 0;
    qint64 m_events = 0;
    qint64 m_lastBlocked = 0;
    qint64 m_deadlockEvents = -1;
};

/// The graph at the state's step. `origins`: promise creations and holders (null: unknown).
DOEFF_EXPORT WaitForGraph waitForGraph(const SessionState& state, const PromiseOrigins* origins = nullptr);
/// The graph of `tasks` (every task known at `step`, finished ones too, with what each waits
/// on: waitsOn and waits), for a reduction that keeps its own task list (the Problems' deadlock).
DOEFF_EXPORT WaitForGraph waitForGraphOfTasks(QList<WaitForTask> tasks, quint64 step, const PromiseOrigins* origins);
/// The graph of a trace at `step` (the state after every event of steps <= step), using
/// `origins` scanned from the same trace (null: promise origins unknown). Empty on error.
DOEFF_EXPORT std::optional<WaitForGraph> waitForGraphAt(TraceReader& reader, quint64 step,
                                                        const PromiseOrigins* origins, QString* error = nullptr);
/// The graph of a trace after its first `events` events (see PromiseOrigins::deadlockEvents()).
DOEFF_EXPORT std::optional<WaitForGraph> waitForGraphAtEvent(TraceReader& reader, quint64 events,
                                                             const PromiseOrigins* origins, QString* error = nullptr);
/// The graph a saved result can give: a deadlock's blocked tasks (its DeadlockError message
/// lists them while there are at most DeadlockReport::kListed) and its cycle. Empty (no
/// tasks) for any other result.
DOEFF_EXPORT WaitForGraph waitForGraphOfResult(const RuntimeResultBase& result);

/// Parses a §7.8 blocking label (`Gather(task 1 'a', promise 2)`) into its targets.
DOEFF_EXPORT QList<WaitTarget> parseWaitLabel(const QString& label);

} // namespace doeff
