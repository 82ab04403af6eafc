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
};
constexpr int ProblemKindCount = int(ProblemKind::LogTooLong) + 1;
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
    void add(ProblemKind kind, Severity severity, quint64 step, int task, const QString& file, int line,
             const QString& message, QList<quint64> related = {});
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
