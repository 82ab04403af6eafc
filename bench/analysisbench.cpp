// doeff-analysisbench: what the analysis subsystem's questions cost on a long recorded run.
//
//   doeff-analysisbench [EVENTS] [FILE]
//
// Records a trace of about EVENTS events (default 10,000,000: a loop of Get + Put on one key
// with a Tell every 100 iterations) to FILE (default: a temporary file; an existing FILE is
// read as it is), then times, on the trace:
//   - building the provenance index (one pass over every event);
//   - one provenance hop at 20 random steps: the source of `k` at that step, its inputs (the
//     most recent 100) with each input's origin, and its readers; target < 50 ms;
//   - searching the whole run, for a rare text (a log message) and a frequent one (the key);
//     target < 2 s each.
// Each target prints PASS or MISS; timings are never asserted (ctest's analysisbench_smoke only
// checks that a small run works).

#include <doeff/doeff.h>
#include <doeff/provenance.h>
#include <doeff/search.h>
#include <doeff/trace.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

Program<int> getPutTell(int n)
{
    for (int i = 0; i < n; ++i) {
        const int v = co_await Get<int>("k");
        co_await Put("k", v + 1);
        if (i % 100 == 99) co_await Tell(QStringLiteral("tick %1").arg(i + 1));
    }
    co_return n;
}

struct Count final : Observer {
    quint64 events = 0;
    void onEvent(const LiveEvent&, const RunView&) override { ++events; }
};

bool record(qint64 events, const QString& path)
{
    Count sizing;
    RunOptions o;
    o.observers = { &sizing };
    sync_run(getPutTell(1000), sync_handlers_preset(), {}, Store { { u"k"_s, 0 } }, o);
    const int n = int(std::max<qint64>(1, events * 1000 / qint64(sizing.events)));
    TraceRecorder rec;
    if (!rec.open(path)) {
        std::fprintf(stderr, "%s\n", qPrintable(rec.errorString()));
        return false;
    }
    o.observers = { &rec };
    auto r = sync_run(getPutTell(n), sync_handlers_preset(), {}, Store { { u"k"_s, 0 } }, o);
    if (!rec.finish()) {
        std::fprintf(stderr, "%s\n", qPrintable(rec.errorString()));
        return false;
    }
    return r.is_ok();
}

double ms(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

const char* verdict(bool pass)
{
    return pass ? "PASS" : "MISS";
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const qint64 events = args.size() > 1 ? args[1].toLongLong() : 10'000'000;
    QTemporaryDir dir;
    const QString path = args.size() > 2 ? args[2] : dir.filePath(u"analysis.doefftrace"_s);
    if (events <= 0) {
        std::fprintf(stderr, "doeff-analysisbench: EVENTS must be a positive number\n");
        return 2;
    }
    if (!QFileInfo::exists(path)) {
        QElapsedTimer t;
        t.start();
        if (!record(events, path)) return 1;
        std::printf("recorded %s in %.2f s\n", qPrintable(path), ms(t) / 1e3);
    }
    TraceReader reader;
    if (!reader.open(path)) {
        std::fprintf(stderr, "%s\n", qPrintable(reader.errorString()));
        return 1;
    }
    std::printf("trace: %llu events, %llu steps\n", static_cast<unsigned long long>(reader.eventCount()),
                static_cast<unsigned long long>(reader.stepCount()));

    // provenance: the index, then one hop at random steps
    QElapsedTimer t;
    t.start();
    Provenance p;
    QString error;
    if (!p.build(reader, &error)) {
        std::fprintf(stderr, "%s\n", qPrintable(error));
        return 1;
    }
    const double buildMs = ms(t);
    std::printf("provenance index: %.0f ms (%d sources, %d reads)\n", buildMs, p.sourceCount(), p.readCount());
    QRandomGenerator rng(21);
    double worst = 0, total = 0;
    int hops = 0, found = 0;
    for (int i = 0; i < 20; ++i) {
        const quint64 step = rng.bounded(quint64(1), std::max<quint64>(2, reader.stepCount()));
        t.restart();
        const int source = p.storeValue(0, u"k"_s, step);
        int inputs = 0, readers = 0;
        if (source >= 0) {
            const ProvenanceTree tree = p.tree(source, 1);
            inputs = int(tree.inputs.size());
            readers = int(p.readers(source).size());
            ++found;
        }
        const double hop = ms(t);
        worst = std::max(worst, hop);
        total += hop;
        ++hops;
        if (i < 3)
            std::printf("  hop at step %llu: %.3f ms (%d inputs listed, %d readers)\n",
                        static_cast<unsigned long long>(step), hop, inputs, readers);
    }
    std::printf("provenance one hop, %d random steps (%d found): mean %.3f ms, worst %.3f ms  (< 50 ms) %s\n", hops,
                found, total / hops, worst, verdict(worst < 50.0));

    // search the whole run
    for (const QString& text : { u"tick 500"_s, u"k"_s }) {
        SearchQuery q;
        q.text = text;
        SearchResult r;
        t.restart();
        if (!search(reader, q, r, &error)) {
            std::fprintf(stderr, "%s\n", qPrintable(error));
            return 1;
        }
        const double s = ms(t) / 1e3;
        std::printf("search '%s': %llu hits in %llu events, %.2f s  (< 2 s) %s\n", qPrintable(text),
                    static_cast<unsigned long long>(r.total), static_cast<unsigned long long>(r.events), s,
                    verdict(s < 2.0));
    }
    return 0;
}
