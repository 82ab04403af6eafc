#pragma once

// The workloads of doeff-bench: each builds programs, runs them (best of `repeat`) and returns
// one or more measurements. Times are wall-clock seconds of the whole run call (machine set-up,
// the run, result building and tear-down).

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <functional>

namespace bench {

struct Measurement {
    QString workload; ///< `a.getput`, `e.spawn_gather`, …
    QString param; ///< variant description: `store=10 depth=0`
    qint64 n = 0; ///< the size parameter
    double seconds = 0; ///< best of the repetitions
    double effects = 0; ///< effects performed by one run
    QString unit = QStringLiteral("effects"); ///< what `effects` counts
    QVariantMap extra; ///< further fields for the JSON output (ns_per_effect, rss_kib, …)
    bool ok = true;
    QString error; ///< why the run failed (wrong result or Err)

    double perSecond() const { return seconds > 0 ? effects / seconds : 0; }
    double nsPerEffect() const { return effects > 0 ? seconds * 1e9 / effects : 0; }
    /// Process CPU time of the best run: on a loaded machine, closer to the idle-core cost.
    double cpuSeconds() const { return extra.value(QStringLiteral("cpu_seconds")).toDouble(); }
};

/// A performance target (issues #2/#3), checked against a measurement. `info` rows have no goal. The verdict
/// is taken on wall-clock times (`measured`); the same value computed from CPU times
/// (`measuredCpu`, -1 when not applicable) shows what machine load did to it.
struct Target {
    QString name; ///< `a: Get+Put effects/s`
    QString goal; ///< `>= 5,000,000`
    QString unit; ///< `effects/s`, `x`, `ns`, `KiB/task`
    double measured = 0;
    double measuredCpu = -1;
    bool pass = false;
    bool passCpu = false;
    bool info = false;
};

struct Options {
    qint64 n = -1; ///< --n: size override; -1 = each workload's default
    int repeat = 3;
    bool progress = true; ///< progress lines on stderr
};

struct Workload {
    QString letter; ///< `a`
    QString name; ///< `getput`
    QString description;
    qint64 defaultN;
    /// Runs the workload at size `n`; appends its goals to `targets`.
    std::function<QList<Measurement>(const Options&, qint64 n, QList<Target>& targets)> run;
};

/// Every workload, in the order they run.
const QList<Workload>& workloads();

/// VmRSS / VmHWM of this process in KiB (from /proc/self/status), -1 if unknown.
qint64 rssKib();
qint64 peakRssKib();
/// Bytes of heap in use (glibc mallinfo2), -1 if unknown.
qint64 heapInUseBytes();

} // namespace bench
