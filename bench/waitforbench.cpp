// doeff-waitforbench: what the analysis subsystem costs on a long trace (issue 21). Records a
// many-task program to a trace of about EVENTS events, then times the wait-for graph at several
// steps (the promise origins are scanned once, then each graph is a state rebuild plus the
// graph) and the Problems list over the whole trace. Prints each target with PASS/MISS.
//
//   doeff-waitforbench [EVENTS=10000000] [TASKS=1000]
#include <doeff/doeff.h>
#include <doeff/problems.h>
#include <doeff/trace.h>
#include <doeff/waitfor.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

/// Each worker waits on the gate, then reads and writes its store key `rounds` times; half way it
/// waits on the next worker's promise, which that one completes when it ends, so the tasks
/// block in a chain (graphs taken mid-run have many waiting tasks and promises).
Program<int> worker(Future<QVariant> gate, Promise<QVariant> mine, std::optional<Future<QVariant>> next, int rounds,
                    int i)
{
    co_await Wait(gate);
    const QString key = u"k"_s + QString::number(i % 50);
    for (int r = 0; r < rounds; ++r) {
        const int v = co_await Get<int>(key);
        co_await Put(key, v + 1);
        if (r == rounds / 2 && next) co_await Wait(*next);
    }
    co_await CompletePromise(mine, QVariant(i));
    co_return i;
}

Program<int> manyTasks(int tasks, int rounds)
{
    for (int i = 0; i < 50; ++i)
        co_await Put(u"k"_s + QString::number(i), 0);
    Promise<QVariant> gate = co_await CreatePromise();
    std::vector<Promise<QVariant>> promises;
    for (int i = 0; i < tasks; ++i)
        promises.push_back(co_await CreatePromise());
    QList<GatherItem> all;
    for (int i = 0; i < tasks; ++i) {
        std::optional<Future<QVariant>> next;
        if (i + 1 < tasks) next = promises[std::size_t(i + 1)].future();
        Program<int> p = worker(gate.future(), promises[std::size_t(i)], next, rounds, i);
        Task<int> t = co_await Spawn(std::move(p));
        all.append(t);
    }
    co_await CompletePromise(gate, QVariant());
    const QVariantList done = co_await GatherAll(all);
    int sum = 0;
    for (const QVariant& v : done)
        sum += v.toInt();
    for (int i = 0; i < 50; ++i)
        co_await Get<int>(u"k"_s + QString::number(i));
    co_return sum;
}

double ms(const QElapsedTimer& t)
{
    return double(t.nsecsElapsed()) / 1e6;
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const quint64 wanted = args.size() > 1 ? args.at(1).toULongLong() : 10'000'000ULL;
    const int tasks = args.size() > 2 ? args.at(2).toInt() : 1000;
    if (wanted == 0 || tasks <= 1) {
        std::fprintf(stderr, "usage: doeff-waitforbench [EVENTS>0] [TASKS>1]\n");
        return 2;
    }
    // about 11 events per round (two effects and their steps and frames); measured below
    const int rounds = std::max(2, int(wanted / 11 / quint64(tasks)));
    QTemporaryDir dir;
    const QString path = dir.filePath(u"many.doefftrace"_s);
    QElapsedTimer t;
    t.start();
    {
        TraceRecorder rec;
        if (!rec.open(path)) {
            std::fprintf(stderr, "%s\n", qPrintable(rec.errorString()));
            return 1;
        }
        RunOptions options;
        options.observers = { &rec };
        auto r = sync_run(manyTasks(tasks, rounds), sync_handlers_preset(), {}, {}, options);
        if (!rec.finish() || r.is_err()) {
            std::fprintf(stderr, "recording failed: %s\n", qPrintable(rec.errorString() + r.format()));
            return 1;
        }
    }
    TraceReader reader;
    if (!reader.open(path)) {
        std::fprintf(stderr, "%s\n", qPrintable(reader.errorString()));
        return 1;
    }
    std::printf("trace: %llu events, %llu steps, %d tasks x %d rounds, recorded in %.1f s\n",
                (unsigned long long)reader.eventCount(), (unsigned long long)reader.stepCount(), tasks, rounds,
                ms(t) / 1e3);

    t.restart();
    PromiseOrigins origins;
    if (!origins.scan(reader)) return 1;
    std::printf("promise origins (one scan, reused by every graph): %.0f ms, %lld promises\n", ms(t),
                (long long)origins.origins().size());

    bool allGraphsFast = true;
    double worst = 0;
    for (int i = 1; i <= 5; ++i) {
        const quint64 step = reader.stepCount() * quint64(i) / 6;
        t.restart();
        const auto graph = waitForGraphAt(reader, step, &origins);
        const double took = ms(t);
        if (!graph) return 1;
        qsizetype waiting = 0;
        for (const WaitForTask& task : graph->tasks)
            if (task.blocked()) ++waiting;
        std::printf("wait-for graph at step %llu: %.1f ms (%lld tasks, %lld waiting, %lld promises)\n",
                    (unsigned long long)step, took, (long long)graph->tasks.size(), (long long)waiting,
                    (long long)graph->promises.size());
        worst = std::max(worst, took);
        allGraphsFast = allGraphsFast && took < 50;
    }
    t.restart();
    const auto problems = findProblems(reader);
    const double lint = ms(t);
    if (!problems) return 1;
    std::printf("problems over the whole trace: %.0f ms (%lld problems)\n", lint, (long long)problems->size());
    std::printf("\ntargets\n");
    std::printf("  %s wait-for graph at a step < 50 ms (worst %.1f ms)\n", allGraphsFast ? "PASS" : "MISS", worst);
    std::printf("  %s problems over a %llu-event trace < 5 s (%.2f s)\n", lint < 5000 ? "PASS" : "MISS",
                (unsigned long long)reader.eventCount(), lint / 1e3);
    return 0;
}
