#pragma once

// Part of the analysis subsystem (engine/src/analysis/): a reduction of the event stream that
// answers one question about a run, live or recorded.

#include <doeff/observer.h>

#include <QList>
#include <QString>
#include <functional>
#include <optional>

namespace doeff {

class TraceReader;

/// One aligned effect on which two runs disagree, or an effect one run has and the other lacks.
///
/// Runs are aligned by effect, per task: each task's effects are taken in order (an effect with
/// its name, label, fields, result and the store writes, logs and errors that follow it in that
/// task), and the n-th of task t in A is compared with the n-th of task t in B, so a different
/// interleaving of tasks is not a difference. Tasks are matched by where they come from, not by
/// their ids: main with main, and the n-th task named N that a task spawned with the n-th task
/// named N that its match spawned, so runs that spawn in another order, or spawn an extra task,
/// still compare each task with its counterpart. The run's start (`RunStarted`: program, store,
/// env), each task's end (`TaskFinished`) and the run's end (`RunFinished`) take part as effects
/// of those names.
struct RunDivergence {
    quint64 eventA = 0; ///< index of the effect's first event in A (where B is, when A lacks it)
    quint64 eventB = 0;
    quint64 stepA = 0;
    quint64 stepB = 0;
    int task = -1; ///< the task's id in A (in B when only B has the effect; -1: the run's end)
    QString effect; ///< the effect's name (`Get`, `Put`, `RunStarted`, `TaskFinished`, …)
    /// What differs, in the order the comparison checks: `effect`, `fields`, `label`, `result`,
    /// `writes`; `missing` when one run lacks the effect (the run or the task ended first, or the
    /// other run has an extra effect there).
    QString field;
    /// The aligned effect of each run in one line; empty for the run that lacks it.
    QString a;
    QString b;
};

/// One difference of the runs' final state: a store or env key, a task, the outcome.
struct RunDifference {
    QString what; ///< `k`, `task 3 (worker)`, `outcome`, …
    QString a; ///< `(none)` when A does not have it
    QString b;
};

/// The aligned effects of one name that differ.
struct RunEffectDifferences {
    QString effect;
    quint64 count = 0;
    QList<RunDivergence> examples; ///< the first few, in the order found
};

/// Every difference after (and including) the first divergence.
struct RunDiffSummary {
    QList<RunDifference> store; ///< final stores: the main task's keys, then other tasks' own stores
    QList<RunDifference> env; ///< the main task's final env
    QList<RunDifference> tasks; ///< tasks' final states and outcomes; tasks only one run has
    std::optional<RunDifference> outcome; ///< the run's outcome (`Ok(…)` / `Err(…)` / `incomplete`)
    QList<RunEffectDifferences> effects; ///< by effect name, most differences first
    bool isEmpty() const
    {
        return store.isEmpty() && env.isEmpty() && tasks.isEmpty() && !outcome && effects.isEmpty();
    }
};

struct RunDiffOptions {
    /// Read both runs to the end and fill RunDiff::summary; false stops as soon as the first
    /// divergence is certain.
    bool summary = true;
    /// Examples kept per effect name in the summary.
    int examples = 3;
    /// Traces only: skip the leading events whose bytes are identical in both files
    /// (TraceReader::sharedPrefixEvents) instead of decoding them.
    bool skipSharedPrefix = true;
    /// Effects one task may run ahead in one run: when more wait for their match and the other
    /// run has been read past the oldest one's step, that one is called missing in the other
    /// (bounds the memory the alignment holds).
    int window = 1 << 20;
    /// Called after each block read with the events read (or skipped) so far of both runs and
    /// their total; returning false stops the diff, which then fails with the error `cancelled`
    /// (diffRuns returns what it had found, without the summary).
    std::function<bool(quint64 done, quint64 total)> progress;
};

/// Two runs aligned by effect per task.
struct RunDiff {
    quint64 eventsA = 0; ///< events of A read or skipped (all of them when a summary was made)
    quint64 eventsB = 0;
    quint64 shared = 0; ///< leading events skipped as byte-identical in both traces
    /// The earliest divergence: the aligned effect that differs at the lowest step of either run.
    std::optional<RunDivergence> first;
    bool hasSummary = false;
    RunDiffSummary summary;
    bool equal() const { return !first.has_value() && summary.isEmpty(); }
};

/// One line for an event: kind, step, task and its fields.
DOEFF_EXPORT QString describeRunEvent(const Event& e);

/// Compares two live sessions' event lists.
DOEFF_EXPORT RunDiff diffRuns(const QList<Event>& a, const QList<Event>& b, const RunDiffOptions& options = {});

/// Compares two traces, reading both a block at a time (the one whose step is behind first).
/// False (with `error` naming the file and the problem) on a malformed trace.
DOEFF_EXPORT bool diffTraces(TraceReader& a, TraceReader& b, RunDiff& out, QString* error = nullptr,
                             const RunDiffOptions& options = {});

/// Compares a live session's event list (A) with a trace (B), reading the trace a block at a
/// time. False (with `error`) on a malformed trace.
DOEFF_EXPORT bool diffRunWithTrace(const QList<Event>& a, TraceReader& b, RunDiff& out, QString* error = nullptr,
                                   const RunDiffOptions& options = {});

/// The report `doeff-run --diff` prints: the first divergence, then the summary.
DOEFF_EXPORT QString formatRunDiff(const RunDiff& diff, const QString& nameA = QStringLiteral("A"),
                                   const QString& nameB = QStringLiteral("B"));

} // namespace doeff
