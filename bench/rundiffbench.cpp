// doeff-rundiffbench: how long the run diff takes to find where two long recorded runs part.
//
//   doeff-rundiffbench [EVENTS] [DIR]
//
// Records two traces of about EVENTS events each (default 10,000,000) to DIR (default /tmp):
// the same loop of Get + Put on one key, except that run B writes one value differently 1,000
// iterations before the end. Existing files of that size are reused. Then times, on the pair:
//   - the first divergence (`diffTraces` without the summary); target < 2 s;
//   - the first divergence and the summary (both runs read to the end), printed;
//   - the first divergence decoding every event (no shared-prefix skip), printed.
// Each target prints PASS or MISS; timings are never asserted (ctest's rundiffbench_smoke only
// checks that a small pair works and that the right step is found).

#include <doeff/doeff.h>
#include <doeff/rundiff.h>
#include <doeff/trace.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include <algorithm>
#include <cstdio>
#include <ctime>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

/// `n` iterations of Get + Put on `k`; iteration `change` writes one more than it should.
Program<int> getPut(int n, int change)
{
    for (int i = 0; i < n; ++i) {
        const int v = co_await Get<int>("k");
        co_await Put("k", v + (i == change ? 2 : 1));
    }
    co_return n;
}

struct Count final : Observer {
    quint64 events = 0;
    void onEvent(const LiveEvent&, const RunView&) override { ++events; }
};

int iterationsFor(qint64 events)
{
    Count sizing;
    RunOptions o;
    o.observers = { &sizing };
    sync_run(getPut(1000, -1), sync_handlers_preset(), {}, Store { { u"k"_s, 0 } }, o);
    return int(std::max<qint64>(2000, events * 1000 / qint64(sizing.events)));
}

bool record(int n, int change, const QString& path)
{
    TraceRecorder rec;
    if (!rec.open(path)) {
        std::fprintf(stderr, "%s\n", qPrintable(rec.errorString()));
        return false;
    }
    RunOptions o;
    o.observers = { &rec };
    auto r = sync_run(getPut(n, change), sync_handlers_preset(), {}, Store { { u"k"_s, 0 } }, o);
    if (!rec.finish()) {
        std::fprintf(stderr, "%s\n", qPrintable(rec.errorString()));
        return false;
    }
    return r.is_ok();
}

/// Opens `path`, recording it first when it is missing or unreadable.
bool openOrRecord(TraceReader& reader, int n, int change, const QString& path)
{
    if (QFileInfo::exists(path) && reader.open(path)) return true;
    QElapsedTimer t;
    t.start();
    if (!record(n, change, path)) return false;
    std::printf("recorded %s in %.1f s\n", qPrintable(path), double(t.elapsed()) / 1e3);
    if (reader.open(path)) return true;
    std::fprintf(stderr, "%s\n", qPrintable(reader.errorString()));
    return false;
}

double seconds(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e9;
}

/// CPU time of this process so far, in seconds (on a shared machine wall time includes waiting).
double cpuSeconds()
{
    return double(std::clock()) / CLOCKS_PER_SEC;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qint64 events = args.size() > 1 ? args[1].toLongLong() : 10'000'000;
    const QString dir = args.size() > 2 ? args[2] : QDir::tempPath();
    if (events <= 0) {
        std::fprintf(stderr, "doeff-rundiffbench: EVENTS must be a positive number\n");
        return 2;
    }
    const int n = iterationsFor(events);
    const int change = n - 1000;
    const QString pathA = QDir(dir).filePath(u"rundiff-%1-a.doefftrace"_s.arg(events));
    const QString pathB = QDir(dir).filePath(u"rundiff-%1-b.doefftrace"_s.arg(events));
    TraceReader a;
    TraceReader b;
    if (!openOrRecord(a, n, -1, pathA) || !openOrRecord(b, n, change, pathB)) return 1;
    std::printf("traces: %llu and %llu events, %llu and %llu steps\n", static_cast<unsigned long long>(a.eventCount()),
                static_cast<unsigned long long>(b.eventCount()), static_cast<unsigned long long>(a.stepCount()),
                static_cast<unsigned long long>(b.stepCount()));

    double cpu = 0;
    auto diff = [&](const RunDiffOptions& o, RunDiff& d, double& s) {
        QString error;
        QElapsedTimer t;
        const double cpu0 = cpuSeconds();
        t.start();
        const bool ok = diffTraces(a, b, d, &error, o);
        s = seconds(t);
        cpu = cpuSeconds() - cpu0;
        if (!ok) std::fprintf(stderr, "%s\n", qPrintable(error));
        return ok;
    };

    RunDiffOptions firstOnly;
    firstOnly.summary = false;
    RunDiff d;
    double s = 0;
    if (!diff(firstOnly, d, s)) return 1;
    if (!d.first || d.first->effect != u"Put"_s) {
        std::fprintf(stderr, "doeff-rundiffbench: wrong first divergence:\n%s", qPrintable(formatRunDiff(d)));
        return 1;
    }
    std::printf("first divergence: task %d, A step %llu (event %llu), %s differs; %llu shared events skipped, "
                "%llu + %llu events decoded\n",
                d.first->task, static_cast<unsigned long long>(d.first->stepA),
                static_cast<unsigned long long>(d.first->eventA), qPrintable(d.first->field),
                static_cast<unsigned long long>(d.shared), static_cast<unsigned long long>(d.eventsA - d.shared),
                static_cast<unsigned long long>(d.eventsB - d.shared));
    std::printf("first divergence of two %.1f M-event traces: %.3f s (cpu %.3f s) (target < 2 s) %s\n",
                double(a.eventCount()) / 1e6, s, cpu, s < 2.0 ? "PASS" : "MISS");

    RunDiffOptions all;
    RunDiff full;
    if (!diff(all, full, s)) return 1;
    std::printf("with the summary (both runs to the end, final states): %.3f s (cpu %.3f s)\n", s, cpu);

    RunDiffOptions noSkip = firstOnly;
    noSkip.skipSharedPrefix = false;
    RunDiff decoded;
    if (!diff(noSkip, decoded, s)) return 1;
    if (!decoded.first || decoded.first->eventA != d.first->eventA) {
        std::fprintf(stderr, "doeff-rundiffbench: decoding everything found another divergence\n");
        return 1;
    }
    std::printf("first divergence decoding every event (no shared-prefix skip): %.3f s (cpu %.3f s)\n", s, cpu);
    return 0;
}
