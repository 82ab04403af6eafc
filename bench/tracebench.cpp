// doeff-tracebench: what recording a trace costs and how fast a trace opens.
//
//   doeff-tracebench [N] [EVENTS] [REPEAT]
//   doeff-tracebench write FILE EVENTS     (only record the big trace)
//   doeff-tracebench read FILE             (only the reading part)
//   doeff-tracebench observe N             (only N iterations with an observer that does nothing)
//   doeff-tracebench plain N               (only N iterations without observers, to compare with observe)
//
// 1. N × (Get + Put) (default 1,000,000) without observers, with an observer that does
//    nothing, and with a TraceRecorder (threaded and not): times, slowdowns, bytes per event.
// 2. A trace of about EVENTS events (default 10,000,000) of the same workload: the time to
//    open it, and to reconstruct the state at random steps (the first one right after open).
// Times are the best of REPEAT runs (default 2). Timings are printed, never asserted (ctest's
// tracebench_smoke only checks that a small run works).

#include <doeff/doeff.h>
#include <doeff/trace.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <cstdio>
#include <ctime>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

double cpuMs()
{
    timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

Program<int> getPut(int n)
{
    for (int i = 0; i < n; ++i) {
        const int v = co_await Get<int>("k");
        co_await Put("k", v + 1);
    }
    co_return n;
}

struct Null final : Observer {
    quint64 events = 0;
    void onEvent(const LiveEvent&, const RunView&) override { ++events; }
};

/// Seconds for one run of getPut(n) with `observers`.
double runOnce(int n, QList<Observer*> observers)
{
    RunOptions o;
    o.observers = std::move(observers);
    QElapsedTimer t;
    t.start();
    auto r = sync_run(getPut(n), sync_handlers_preset(), {}, Store { { u"k"_s, 0 } }, o);
    const double s = double(t.nsecsElapsed()) / 1e9;
    if (!r.is_ok() || r.value() != n) {
        std::fprintf(stderr, "wrong result: %s\n", qPrintable(r.format()));
        std::exit(1);
    }
    return s;
}

struct Recording {
    double seconds = 0;
    double mainCpu = 0; ///< CPU seconds of the machine's thread
    quint64 events = 0;
    quint64 bytes = 0;
};

Recording record(int n, const QString& path, bool threaded, bool compress = true, bool inputsOnly = false)
{
    TraceRecorderOptions opts;
    opts.threaded = threaded;
    opts.compress = compress;
    opts.inputsOnly = inputsOnly;
    TraceRecorder rec(opts);
    if (!rec.open(path)) {
        std::fprintf(stderr, "%s\n", qPrintable(rec.errorString()));
        std::exit(1);
    }
    QElapsedTimer t;
    t.start();
    const double cpu0 = cpuMs();
    runOnce(n, { &rec });
    const double cpu1 = cpuMs();
    if (!rec.finish()) {
        std::fprintf(stderr, "%s\n", qPrintable(rec.errorString()));
        std::exit(1);
    }
    Recording out;
    out.seconds = double(t.nsecsElapsed()) / 1e9;
    out.mainCpu = (cpu1 - cpu0) / 1e3;
    out.events = rec.eventCount();
    out.bytes = rec.bytesWritten();
    return out;
}

template<class F> auto best(int repeat, F f)
{
    auto b = f();
    for (int i = 1; i < repeat; ++i) {
        auto x = f();
        if (x.seconds < b.seconds) b = x;
    }
    return b;
}

struct Seconds {
    double seconds;
    double cpu;
};

Seconds timed(int n, QList<Observer*> observers)
{
    const double c0 = cpuMs();
    const double s = runOnce(n, std::move(observers));
    return Seconds { s, (cpuMs() - c0) / 1e3 };
}

} // namespace

int readBench(const QString& path)
{
    QElapsedTimer t;
    t.start();
    TraceReader reader;
    if (!reader.open(path)) {
        std::fprintf(stderr, "%s\n", qPrintable(reader.errorString()));
        return 1;
    }
    const double openMs = double(t.nsecsElapsed()) / 1e6;
    std::printf(
        "open: %.3f ms (%llu events, %llu blocks, %llu checkpoints, %llu steps)\n", openMs,
        static_cast<unsigned long long>(reader.eventCount()), static_cast<unsigned long long>(reader.blockCount()),
        static_cast<unsigned long long>(reader.checkpointCount()), static_cast<unsigned long long>(reader.stepCount()));
    QRandomGenerator rng(12345);
    double worst = 0;
    double total = 0;
    double worstCpu = 0;
    double totalCpu = 0;
    const int probes = 10;
    for (int i = 0; i < probes; ++i) {
        const quint64 step = rng.bounded(quint64(reader.stepCount()) + 1);
        t.restart();
        const double cpu0 = cpuMs();
        auto s = reader.stateAt(step);
        const double ms = double(t.nsecsElapsed()) / 1e6;
        const double cpu = cpuMs() - cpu0;
        totalCpu += cpu;
        worstCpu = std::max(worstCpu, cpu);
        if (!s) {
            std::fprintf(stderr, "%s\n", qPrintable(reader.errorString()));
            return 1;
        }
        std::printf("stateAt(%llu): %.2f ms (cpu %.2f ms)%s (tree %zu nodes, k = %lld)\n",
                    static_cast<unsigned long long>(step), ms, cpu, i == 0 ? " (first after open)" : "",
                    s->tree().size(), s->store(0).value(u"k"_s).toLongLong());
        worst = std::max(worst, ms);
        total += ms;
    }
    t.restart();
    auto last = reader.stateAt(reader.stepCount());
    std::printf("stateAt(last step): %.2f ms\n", double(t.nsecsElapsed()) / 1e6);
    t.restart();
    QList<Event> events;
    reader.events(reader.eventCount() / 2, reader.eventCount() / 2 + 4096, events);
    std::printf("events(): 4096 events in %.2f ms\n", double(t.nsecsElapsed()) / 1e6);
    std::printf("stateAt at random steps: mean %.2f ms, worst %.2f ms; thread cpu mean %.2f ms, worst %.2f ms "
                "(target < 50 ms)\n",
                total / probes, worst, totalCpu / probes, worstCpu);
    return last ? 0 : 1;
}

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() > 2 && args[1] == u"read") return readBench(args[2]);
    if (args.size() > 2 && args[1] == u"plain") {
        const Seconds run = timed(args[2].toInt(), {});
        std::printf("no observer %.3f s (cpu %.3f s)\n", run.seconds, run.cpu);
        return 0;
    }
    if (args.size() > 2 && args[1] == u"observe") {
        Null null;
        const Seconds run = timed(args[2].toInt(), { &null });
        std::printf("null observer %.3f s (cpu %.3f s), %llu events\n", run.seconds, run.cpu,
                    static_cast<unsigned long long>(null.events));
        return 0;
    }
    if (args.size() > 3 && args[1] == u"write") {
        Null sizing; // events per iteration, to size the trace
        timed(1000, { &sizing });
        const Recording big = record(int(args[3].toDouble() * 1000.0 / double(sizing.events)), args[2], true);
        std::printf("recorded %llu events, %llu bytes in %.2f s\n", static_cast<unsigned long long>(big.events),
                    static_cast<unsigned long long>(big.bytes), big.seconds);
        return 0;
    }
    const int n = args.size() > 1 ? args[1].toInt() : 1000000;
    const qint64 bigEvents = args.size() > 2 ? args[2].toLongLong() : 10000000;
    const int repeat = args.size() > 3 ? std::max(1, args[3].toInt()) : 2;
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bench.doefftrace"_s);

    std::printf("== recording: %d x (Get + Put), best of %d\n", n, repeat);
    const Seconds plainRun = best(repeat, [&] { return timed(n, {}); });
    const double plain = plainRun.seconds;
    Null null;
    const Seconds observedRun = best(repeat, [&] { return timed(n, { &null }); });
    const double observed = observedRun.seconds;
    const Recording threaded = best(repeat, [&] { return record(n, path, true); });
    const Recording inline_ = best(repeat, [&] { return record(n, path, false); });
    const Recording plainFrames = best(repeat, [&] { return record(n, path, true, false); });
    const Recording inputLog = best(repeat, [&] { return record(n, path, true, true, true); });
    std::printf("no observer            %8.3f s (cpu %.3f s)\n", plain, plainRun.cpu);
    std::printf("null observer          %8.3f s (cpu %.3f s)   %5.2fx no observer\n", observed, observedRun.cpu,
                observed / plain);
    std::printf("TraceRecorder threaded %8.3f s   %5.2fx no observer   %5.2fx null observer\n", threaded.seconds,
                threaded.seconds / plain, threaded.seconds / observed);
    std::printf("  machine thread cpu   %8.3f s   %5.2fx no observer   %5.2fx null observer (the writer thread's "
                "work excluded)\n",
                threaded.mainCpu, threaded.mainCpu / plainRun.cpu, threaded.mainCpu / observedRun.cpu);
    std::printf("TraceRecorder inline   %8.3f s   %5.2fx no observer   %5.2fx null observer\n", inline_.seconds,
                inline_.seconds / plain, inline_.seconds / observed);
    std::printf("  plain frames         %8.3f s   %5.2fx no observer   %5.2fx null observer (machine thread cpu "
                "%.3f s; %.2f bytes/event)\n",
                plainFrames.seconds, plainFrames.seconds / plain, plainFrames.seconds / observed, plainFrames.mainCpu,
                double(plainFrames.bytes) / double(plainFrames.events));
    std::printf("TraceRecorder inputs   %8.3f s   %5.2fx no observer   %5.2fx null observer (an input log: %llu "
                "events, %llu bytes; replaying it rebuilds the rest)\n",
                inputLog.seconds, inputLog.seconds / plain, inputLog.seconds / observed,
                static_cast<unsigned long long>(inputLog.events), static_cast<unsigned long long>(inputLog.bytes));
    std::printf("events %llu, file %llu bytes, %.2f bytes/event\n", static_cast<unsigned long long>(threaded.events),
                static_cast<unsigned long long>(threaded.bytes), double(threaded.bytes) / double(threaded.events));
    // issue 18's goals for recording
    const double recording = threaded.seconds / plain;
    const double perEvent = double(threaded.bytes) / double(threaded.events);
    std::printf("targets\n");
    std::printf("  %s recording a trace (threaded recorder)   goal <= 1.5x no observer   %.2fx\n",
                recording <= 1.5 ? "PASS" : "MISS", recording);
    std::printf("  %s trace size                              goal <= 4 bytes/event      %.2f\n",
                perEvent <= 4.0 ? "PASS" : "MISS", perEvent);
    // the same goal met by recording less: an input log (docs/replay.md, "Input logs")
    const double logging = inputLog.seconds / plain;
    std::printf("  %s recording an input log                  goal <= 1.5x no observer   %.2fx\n",
                logging <= 1.5 ? "PASS" : "MISS", logging);

    // events per iteration, to size the big trace
    const double perIteration = double(threaded.events) / double(n);
    const int bigN = int(double(bigEvents) / perIteration);
    std::printf("\n== a trace of ~%lld events (%d iterations)\n", static_cast<long long>(bigEvents), bigN);
    const Recording big = record(bigN, path, true);
    std::printf("recorded %llu events, %llu bytes (%.2f bytes/event) in %.2f s\n",
                static_cast<unsigned long long>(big.events), static_cast<unsigned long long>(big.bytes),
                double(big.bytes) / double(big.events), big.seconds);

    return readBench(path);
}
