// doeff-inspector-bench: what the inspector costs (see README.md).
//
//   doeff-inspector-bench [N] [free]   (free: part 1 only, for profiles)
//
// 1. Workload a (N × Get + Put, store of 10 keys) free-running with an InspectorServer attached
//    over a real local socket to an InspectorClient that decodes and reduces every event, vs
//    the same run with no observer: the time ratio.
// 2. A program with 1,000 tasks blocked on a promise and 10,000 store keys, paused: the time of
//    one step round trip (step into → Paused received and the events of the step reduced).
// The debuggee runs on a worker thread of this process; the client on the main thread.
// Prints numbers; never fails on time.

#include <doeff/doeff.h>
#include <doeff/inspector.h>
#include <doeff/inspectorclient.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <thread>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

Program<int> getPut(int n)
{
    static const QStringList keys { u"k0"_s, u"k1"_s, u"k2"_s, u"k3"_s, u"k4"_s,
                                    u"k5"_s, u"k6"_s, u"k7"_s, u"k8"_s, u"k9"_s };
    int sum = 0;
    for (int i = 0; i < n; ++i) {
        const QString& k = keys.at(i % 10);
        const int v = co_await Get<int>(k);
        co_await Put(k, v + 1);
        sum += v;
    }
    co_return sum;
}

Store tenKeys()
{
    Store s;
    for (int i = 0; i < 10; ++i)
        s.insert(u"k%1"_s.arg(i), 0);
    return s;
}

Program<int> waiter(Future<QVariant> f)
{
    co_await Wait(f);
    co_return 1;
}

/// 10,000 keys, 1,000 blocked tasks, then a loop of effects to step through.
Program<int> bigState(int steps)
{
    for (int i = 0; i < 10000; ++i)
        co_await Put(u"key%1"_s.arg(i), i);
    auto promise = co_await CreatePromise<QVariant>();
    for (int i = 0; i < 1000; ++i)
        co_await Spawn(waiter(promise.future()));
    co_await Tell(u"ready"_s);
    for (int i = 0; i < steps; ++i) {
        const int v = co_await Get<int>(u"key%1"_s.arg(i % 10000));
        co_await Put(u"key%1"_s.arg(i % 10000), v + 1);
    }
    co_await CompletePromise(promise, QVariant(0));
    co_return steps;
}

/// Waits on the main loop until `done()`.
template<class Pred> void spin(InspectorClient& c, Pred done)
{
    QEventLoop loop;
    auto check = [&] {
        if (done()) loop.quit();
    };
    QObject::connect(&c, &InspectorClient::paused, &loop, check);
    QObject::connect(&c, &InspectorClient::resumed, &loop, check);
    QObject::connect(&c, &InspectorClient::breakpointsChanged, &loop, check);
    QObject::connect(&c, &InspectorClient::finished, &loop, check);
    QObject::connect(&c, &InspectorClient::eventsReceived, &loop, check);
    QObject::connect(&c, &InspectorClient::resultReceived, &loop, check);
    if (!done()) loop.exec();
}

/// Runs `make()` on a worker thread with an InspectorServer connected to `c`.
template<class Make> std::thread debuggee(InspectorClient& c, Make make, Store store)
{
    const QString name = c.socketName();
    return std::thread([name, make, store] {
        InspectorServer::Options o;
        o.socketName = name;
        o.runner = u"sync"_s;
        InspectorServer server(o);
        RunOptions options;
        options.observers = { &server };
        auto r = sync_run(make(), sync_handlers_preset(), {}, store, options);
        server.finish(r);
    });
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    const int n = argc > 1 ? std::max(1, atoi(argv[1])) : 200000;
#if !defined(__OPTIMIZE__)
    std::fprintf(stderr, "warning: not an optimised build; the numbers mean little\n");
#endif

    // ---- 1: free-running, attached vs not ----
    double best = 1e100;
    for (int rep = 0; rep < 3; ++rep) {
        QElapsedTimer t;
        t.start();
        auto r = sync_run(getPut(n), sync_handlers_preset(), {}, tenKeys());
        best = std::min(best, double(t.nsecsElapsed()) / 1e9);
        if (!r.is_ok()) return 1;
    }
    double attached = 1e100;
    quint64 events = 0;
    for (int rep = 0; rep < 3; ++rep) {
        InspectorClient c;
        if (!c.listen()) return 1;
        std::thread worker = debuggee(
            c, [n] { return getPut(n); }, tenKeys());
        spin(c, [&] { return c.isPaused(); });
        QElapsedTimer t;
        t.start();
        c.continueRun();
        spin(c, [&] { return c.result().has_value() || c.state() == InspectorClient::State::Finished; });
        attached = std::min(attached, double(t.nsecsElapsed()) / 1e9);
        worker.join();
        events = c.session().eventCount();
    }
    std::printf("free-running Get+Put, N=%d (%d effects):\n", n, 2 * n);
    std::printf("  no agent:                  %.3f s\n", best);
    std::printf("  agent attached (socket):   %.3f s  (%llu events streamed and reduced)\n", attached,
                static_cast<unsigned long long>(events));
    std::printf("  ratio attached / none:     %.2fx\n", attached / best);
    std::printf("  %s free-running with the inspector attached   goal <= 2x   %.2fx\n",
                attached / best <= 2.0 ? "PASS" : "MISS", attached / best);

    // ---- 2: step round trip with 1,000 tasks and 10,000 keys ----
    if (argc <= 2 || qstrcmp(argv[2], "free") != 0) {
        InspectorClient c;
        if (!c.listen()) return 1;
        const int steps = 200;
        std::thread worker = debuggee(c, [steps] { return bigState(steps); }, {});
        spin(c, [&] { return c.isPaused(); });
        Breakpoint b;
        b.kind = Breakpoint::Kind::Effect;
        b.pattern = u"Tell"_s;
        c.addBreakpoint(b);
        bool hit = false;
        QObject::connect(&c, &InspectorClient::breakpointsChanged, &c, [&] { hit = true; });
        spin(c, [&] { return hit; });
        c.continueRun();
        spin(c, [&] { return !c.isPaused(); });
        spin(c, [&] { return c.isPaused() || c.state() == InspectorClient::State::Finished; });
        std::fprintf(stderr, "at the breakpoint: %s\n", qPrintable(c.lastPause().reason));
        const int tasks = int(c.session().tasks().size());
        const qsizetype keys = c.session().store(0).entries().size();
        QList<double> ms;
        for (int i = 0; i < 50; ++i) {
            QElapsedTimer t;
            t.start();
            c.stepInto();
            spin(c, [&] { return !c.isPaused(); });
            spin(c, [&] { return c.isPaused(); });
            ms.append(double(t.nsecsElapsed()) / 1e6);
        }
        std::sort(ms.begin(), ms.end());
        std::printf("step round trip, %d tasks, %lld store keys (50 steps):\n", tasks, static_cast<long long>(keys));
        std::printf("  median %.3f ms, best %.3f ms, worst %.3f ms\n", ms.at(ms.size() / 2), ms.first(), ms.last());
        c.stop();
        spin(c, [&] { return c.state() == InspectorClient::State::Finished || c.result().has_value(); });
        worker.join();
    }
    return 0;
}
