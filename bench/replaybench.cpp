// doeff-replaybench: how fast a recorded run replays (docs/replay.md), against the same program
// run without any debugging.
//
//   doeff-replaybench [ITERATIONS] [AWAITS] [DIR] [REPEAT]
//
// Two programs, each run plain (no observer) and with an observer that does nothing (the floor
// under any replay that checks every event), then recorded to DIR (default /tmp) and replayed
// from that recording, twice: a whole trace (every event checked against the recording: encoded
// and compared with its bytes, decoded only where they differ), and an input log (its inputs and
// its end checked; docs/replay.md, "Input logs"). Plain, observed and replayed runs are the best
// of REPEAT (default 3):
//   - compute: ITERATIONS (default 1,000,000) of Get + Put on one key: nothing to skip, so a
//     replay of the whole trace pays the whole check (target, for both recordings: replay at
//     >= 50% of the plain run's speed);
//   - io: AWAITS (default 200) Awaits of an operation that takes 2 ms: the replay performs none
//     of them (printed, no target).
// Each target prints PASS or MISS; timings are never asserted (ctest's replaybench_smoke only
// checks that small replays match their recordings).

#include <doeff/doeff.h>
#include <doeff/replay.h>
#include <doeff/trace.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QtConcurrent>

#include <chrono>
#include <cstdio>
#include <thread>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

Program<int> compute(int n)
{
    for (int i = 0; i < n; ++i) {
        const int v = co_await Get<int>("k");
        co_await Put("k", v + 1);
    }
    co_return co_await Get<int>("k");
}

Program<int> io(int n)
{
    int sum = 0;
    for (int i = 0; i < n; ++i)
        sum += co_await Await([i] {
            return QtConcurrent::run([i] {
                std::this_thread::sleep_for(std::chrono::milliseconds(2)); // the operation's own time
                return i;
            });
        });
    co_return sum;
}

struct Timing {
    double plain = 0;
    double observed = 0; ///< with an observer that does nothing: the floor under any replay
    double record = 0;
    double replay = 0;
    quint64 events = 0;
    quint64 asBytes = 0;
    bool same = false;
    QString report;
};

/// Takes every event and does nothing with it.
class NullObserver final : public Observer {
public:
    void onEvent(const LiveEvent&, const RunView&) override { }
};

/// Best of `repeat` for the plain, observed and replayed runs; one recording, of every event or
/// (`inputsOnly`) an input log.
template<class Make> Timing measure(Make make, const QString& path, int repeat, bool inputsOnly)
{
    Timing t;
    const Store store { { u"k"_s, 0 } };
    QElapsedTimer clock;
    auto best = [](double& slot, double seconds) { slot = slot > 0 ? std::min(slot, seconds) : seconds; };
    QVariant plainValue;
    for (int i = 0; i < repeat; ++i) {
        clock.start();
        const auto plain = sync_run(make(), sync_handlers_preset(), {}, store);
        best(t.plain, double(clock.nsecsElapsed()) / 1e9);
        plainValue = plain.is_ok() ? QVariant(plain.value()) : QVariant();
        NullObserver null;
        RunOptions o;
        o.observers = { &null };
        clock.restart();
        sync_run(make(), sync_handlers_preset(), {}, store, o);
        best(t.observed, double(clock.nsecsElapsed()) / 1e9);
    }
    {
        TraceRecorderOptions options;
        options.inputsOnly = inputsOnly;
        TraceRecorder rec(options);
        if (!rec.open(path)) qFatal("%s", qPrintable(rec.errorString()));
        rec.setMetadata(u"clock"_s, u"real"_s);
        RunOptions o;
        o.observers = { &rec };
        clock.restart();
        sync_run(make(), sync_handlers_preset(), {}, store, o);
        if (!rec.finish()) qFatal("%s", qPrintable(rec.errorString()));
        t.record = double(clock.nsecsElapsed()) / 1e9;
    }
    t.same = plainValue.isValid();
    for (int i = 0; i < repeat; ++i) {
        QString error;
        const auto replay = Replay::open(path, &error);
        if (!replay) qFatal("%s", qPrintable(error));
        RunOptions o;
        o.replay = replay;
        clock.restart();
        const auto replayed = sync_run(make(), sync_handlers_preset(), replay->env(), replay->store(), o);
        best(t.replay, double(clock.nsecsElapsed()) / 1e9);
        t.events = replay->recordedEvents();
        t.asBytes = replay->matchedAsBytes();
        t.same = t.same && replay->complete() && replayed.is_ok() && QVariant(replayed.value()) == plainValue;
        if (!replay->report().isEmpty()) t.report = replay->report();
    }
    return t;
}

void print(const char* name, const Timing& t)
{
    std::printf("%-20s %10llu events  plain %8.3f s  observed %8.3f s  recorded %8.3f s  replayed %8.3f s  (%.0f "
                "events/s; %llu matched as bytes)  %s\n",
                name, static_cast<unsigned long long>(t.events), t.plain, t.observed, t.record, t.replay,
                t.replay > 0 ? double(t.events) / t.replay : 0.0, static_cast<unsigned long long>(t.asBytes),
                t.same ? "same run" : "DIVERGED");
    if (!t.same) std::printf("  %s\n", qPrintable(t.report));
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int iterations = args.size() > 1 ? args[1].toInt() : 1000000;
    const int awaits = args.size() > 2 ? args[2].toInt() : 200;
    const QString dir = args.size() > 3 ? args[3] : QDir::tempPath();
    const int repeat = args.size() > 4 ? std::max(1, args[4].toInt()) : 3;

    const QString computePath = dir + u"/replaybench-compute.doefftrace"_s;
    const QString ioPath = dir + u"/replaybench-io.doefftrace"_s;
    const auto computing = [iterations] { return compute(iterations); };
    const auto waiting = [awaits] { return io(awaits); };
    const Timing c = measure(computing, computePath, repeat, false);
    print("compute", c);
    const Timing cl = measure(computing, computePath, repeat, true);
    print("compute (input log)", cl);
    const Timing i = measure(waiting, ioPath, repeat, false);
    print("io", i);
    const Timing il = measure(waiting, ioPath, repeat, true);
    print("io (input log)", il);

    const double speed = c.replay > 0 ? c.plain / c.replay : 0;
    std::printf("target compute replay speed >= 50%% of the plain run, a whole trace (every event checked): %.1f%%  "
                "%s\n",
                speed * 100, speed >= 0.5 ? "PASS" : "MISS");
    std::printf("  (an observer that does nothing runs at %.1f%% of the plain run: no replay that checks every "
                "event is faster)\n",
                c.observed > 0 ? c.plain / c.observed * 100 : 0.0);
    const double logSpeed = cl.replay > 0 ? cl.plain / cl.replay : 0;
    std::printf("target compute replay speed >= 50%% of the plain run, an input log (its inputs and end checked): "
                "%.1f%%  %s\n",
                logSpeed * 100, logSpeed >= 0.5 ? "PASS" : "MISS");
    std::printf("io replay speed: %.1fx the plain run, %.1fx from an input log (no operation performed)\n",
                i.replay > 0 ? i.plain / i.replay : 0, il.replay > 0 ? il.plain / il.replay : 0);
    QFile::remove(computePath);
    QFile::remove(ioPath);
    return c.same && cl.same && i.same && il.same ? 0 : 1;
}
