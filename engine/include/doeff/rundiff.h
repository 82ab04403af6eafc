#pragma once

// Part of the analysis subsystem (engine/src/analysis/): a reduction of the event stream that
// answers one question about a run, live or recorded.

#include <doeff/observer.h>

#include <QList>
#include <QString>
#include <optional>

namespace doeff {

class TraceReader;

/// Where two runs first part: the event index and step in each run and what differs.
struct RunDivergence {
    quint64 eventA = 0;
    quint64 eventB = 0;
    quint64 stepA = 0;
    quint64 stepB = 0;
    /// What differs (`kind`, `task`, `name`, `text`, `value`, `old`, `line`, `missing`), in
    /// the order the comparison checks them; `missing` when one run ended first.
    QString field;
    /// The event of each run in one line (empty for the run that ended).
    QString a;
    QString b;
};

/// Two runs compared event by event in order.
struct RunDiff {
    quint64 eventsA = 0; ///< events read from A (all of them unless stopped at the first divergence)
    quint64 eventsB = 0;
    std::optional<RunDivergence> first;
    bool equal() const { return !first.has_value(); }
};

/// One line for an event: kind, step, task and its fields.
DOEFF_EXPORT QString describeRunEvent(const Event& e);

/// Compares two live sessions' event lists.
DOEFF_EXPORT RunDiff diffRuns(const QList<Event>& a, const QList<Event>& b);

/// Compares two traces, reading both in lock-step a block at a time and stopping at the first
/// divergence. False (with `error` naming the file and the problem) on a malformed trace.
DOEFF_EXPORT bool diffTraces(TraceReader& a, TraceReader& b, RunDiff& out, QString* error = nullptr);

/// The report `doeff-run --diff` prints.
DOEFF_EXPORT QString formatRunDiff(const RunDiff& diff, const QString& nameA = QStringLiteral("A"),
                                   const QString& nameB = QStringLiteral("B"));

} // namespace doeff
