#pragma once

// Part of the analysis subsystem (engine/src/analysis/): a reduction of the event stream that
// answers one question about a run, live or recorded.
//
// The wait-for graph: which task waits on what at one step, who created each promise waited
// on, and the rings of tasks waiting on each other (the same cycle finder the machine uses for
// DeadlockError). Built from a SessionState (a live run, a trace at any step) and, for promise
// origins, the events up to that step; or from a saved result, where only a deadlock's report
// says who waited on what.

#include <doeff/export.h>
#include <doeff/observer.h>

#include <QList>
#include <QMap>
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
    /// The machine does not track who holds a promise, so who could complete it is not known:
    /// always false for now (the text says `unknown`, never a guess).
    bool completersKnown = false;
    QList<int> completers;
};

struct WaitForCycle {
    QList<int> tasks; ///< each waits on the next, the last on the first
    QString text; ///< DeadlockReport::cycleLine() of the tasks
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

/// Where each promise was created, fed event by event (live, or from a trace). Promise ids are
/// the machine's: read from the value CreatePromise resumed with.
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
    QMap<int, Origin> m_origins;
    QMap<int, Pending> m_pending; ///< by task: a CreatePromise yielded, not yet resumed
    int m_counter = 0;
    qint64 m_events = 0;
    qint64 m_lastBlocked = 0;
    qint64 m_deadlockEvents = -1;
};

/// The graph at the state's step. `origins`: promise creations (null: origins unknown).
DOEFF_EXPORT WaitForGraph waitForGraph(const SessionState& state, const PromiseOrigins* origins = nullptr);
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
