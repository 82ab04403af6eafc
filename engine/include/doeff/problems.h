#pragma once

// Part of the analysis subsystem (engine/src/analysis/): a reduction of the event stream that
// answers one question about a run, live or recorded.
//
// Problems: lints over the event stream (a deadlock, a failure nobody observed, a promise
// nobody completes, …), found event by event so a debugger can run them live, or over a whole
// trace with progress and cancellation.

#include <doeff/export.h>
#include <doeff/observer.h>
#include <doeff/waitfor.h>

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

namespace doeff {

class TraceReader;
class RuntimeResultBase;

enum class ProblemKind : quint8 {
    Deadlock, ///< tasks failed with DeadlockError: who waited on what, and the cycle
    UnobservedFailure, ///< a spawned task failed and no Wait, Gather or Race named it
    UnfinishedTask, ///< a task had not finished when the events ended
    NeverWaited, ///< a spawned task finished and no Wait, Gather or Race ever named it
    UncompletedPromise, ///< a task waited on a promise nobody completed or failed
    CancelledWhileAwaited, ///< a task was cancelled while another waited on it
    UnreadStoreKey, ///< a store key was written and never read (Get, Modify)
    LogTooLong, ///< the log grew past ProblemOptions::logBound entries
    /// A handler took an effect and neither resumed nor failed its continuation: a coroutine
    /// handler still running when its task ended, or a handler that discarded the
    /// continuation (Abort, or resuming another one), so the code after the effect never ran.
    UnresumedHandler,
    /// A Safe caught an error and the program it went to finished without looking at the Err
    /// (no is_ok, is_err, value, error… on any copy of it, and it was not handed on).
    DiscardedSafeError,
    /// A task stayed blocked (Wait, Gather, Race, a lazy Ask, an Await) longer than
    /// ProblemOptions::blockedBound seconds of timer time (the clock the run's timers imply).
    BlockedTooLong,
};
constexpr int ProblemKindCount = int(ProblemKind::BlockedTooLong) + 1;
enum class Severity : quint8 { Error, Warning, Info };

DOEFF_EXPORT const char* problemKindName(ProblemKind kind); ///< `deadlock`, `unobserved-failure`, …
DOEFF_EXPORT const char* severityName(Severity severity); ///< `error`, `warning`, `info`

struct Problem {
    ProblemKind kind = ProblemKind::Deadlock;
    Severity severity = Severity::Error;
    quint64 step = 0; ///< where to travel to
    int task = -1;
    QString file; ///< the event's source location, when it has one
    int line = 0;
    QString message;
    QList<quint64> related; ///< other steps that explain it (where tasks blocked, wrote, …)
};

/// `error step 18 task 0 concurrency.cpp:146 [deadlock] message`.
DOEFF_EXPORT QString formatProblem(const Problem& problem);

struct ProblemOptions {
    QSet<ProblemKind> disabled;
    /// LogTooLong: more entries than this.
    qsizetype logBound = 10'000;
    /// BlockedTooLong: seconds of timer time (Delay, GetTime readings; docs/why.md).
    double blockedBound = 60;
    bool enabled(ProblemKind kind) const { return !disabled.contains(kind); }
};

/// Fed every event in order (a live observer's records or a trace's events). Problems found at
/// once (a deadlock, a cancel, the log bound) appear as their event arrives; those that need
/// the whole run (unobserved failures, unread keys, …) when RunFinished arrives or finish() is
/// called, whichever is first.
class DOEFF_EXPORT ProblemFinder {
public:
    explicit ProblemFinder(ProblemOptions options = {});
    void apply(const Event& event);
    /// The end of the events (a trace without RunFinished, or a live run stopped early).
    void finish();
    bool finished() const { return m_finished; }
    const QList<Problem>& problems() const { return m_problems; }

private:
    struct TaskInfo {
        QString name;
        TaskKindCode kind = TaskKindCode::Main;
        bool finished = false;
        TaskStateCode state = TaskStateCode::Ready;
        QString waitsOn;
        quint64 blockedAt = 0;
        bool waitedOn = false;
        quint64 failedAt = 0;
        quint64 finishedAt = 0;
        QString errorFile;
        int errorLine = 0;
        QString error;
    };
    struct Site {
        quint64 step = 0;
        int task = -1;
        QString file;
        int line = 0;
    };
    struct Handling { ///< an effect dispatched by a task, not yet answered
        QString label;
        QString handler; ///< the coroutine handler running for it (empty: none started)
        int depth = 0; ///< the task's K depth at the site
        quint64 step = 0;
        QString file;
        int line = 0;
    };
    void add(ProblemKind kind, Severity severity, quint64 step, int task, const QString& file, int line,
             const QString& message, QList<quint64> related = {});
    void handled(const Event& e);
    void unresumed(int task, const Handling& h, const QString& why, quint64 step);
    void advanceClock(double to);
    void unblocked(int task, quint64 step);
    void noteWaited(const QString& label, const Event& e);
    void deadlock(const Event& e);

    ProblemOptions m_options;
    QList<Problem> m_problems;
    QHash<int, TaskInfo> m_tasks;
    PromiseOrigins m_promises; ///< who created and holds each promise (the deadlock's cycle)
    QHash<int, Site> m_promiseWaited; ///< first wait on each promise
    QSet<int> m_promiseDone;
    QHash<QString, Site> m_written; ///< store key: first write
    QSet<QString> m_readLabels; ///< `Get('k')`, `Modify('k')`
    QHash<int, int> m_depth; ///< by task: K depth
    QHash<int, QList<Handling>> m_handling; ///< by task: effects dispatched, innermost last
    /// Timer time, seconds from the start: Delay deadlines reached, GetTime readings.
    double m_clock = 0;
    std::optional<double> m_clockOffset; ///< a GetTime reading minus m_clock (the run's clock)
    QHash<int, double> m_wakeAt; ///< sleeping tasks: when their timer fires
    QHash<int, double> m_delay; ///< by task: the seconds of the Delay it just yielded
    QHash<int, std::pair<double, quint64>> m_blockedSince; ///< blocked tasks: timer time and step
    qsizetype m_logEntries = 0;
    bool m_logReported = false;
    bool m_deadlockReported = false;
    bool m_finished = false;
};

/// What a saved (or finished) result tells without its events: its deadlock (the spec message
/// and the cycle) and its unobserved failures (the machine's own list, §7.9).
DOEFF_EXPORT QList<Problem> problemsOfResult(const RuntimeResultBase& result);

/// Every problem of a trace. `progress(eventsDone, eventsTotal)` is called now and then and
/// returns false to cancel. Empty with `error` set on a malformed trace or a cancel.
DOEFF_EXPORT std::optional<QList<Problem>> findProblems(TraceReader& reader, const ProblemOptions& options = {},
                                                        const std::function<bool(quint64, quint64)>& progress = {},
                                                        QString* error = nullptr);

} // namespace doeff
