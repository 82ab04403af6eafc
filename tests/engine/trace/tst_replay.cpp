// Deterministic replay (docs/replay.md): a recorded run, run again on its recorded inputs, is
// the same run event for event; a run that parts from its recording stops at the first event
// that differs, with a report naming it.

#include "scenario.h"
#include "tinyhttpserver.h"

#include <doeff/library.h>
#include <doeff/replay.h>
#include <doeff/trace.h>

#include <doeff_examples.h>

#include <QScopeGuard>
#include <QTemporaryDir>
#include <QtConcurrent>

#include <atomic>
#include <thread>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

/// How many times the Await below really ran its operation.
std::atomic<int> operationsStarted { 0 };

Program<int> awaitsAnOperation()
{
    const int n = co_await Await([] { return QtConcurrent::run([] { return ++operationsStarted; }); });
    co_await Put("seen", n);
    co_return n * 10;
}

/// Set by the waiter below once its Await has answered (in a replay: once the recorded answer
/// was fed back).
std::atomic<bool> answered { false };

Program<int> waitsThenSays()
{
    const int n = co_await Await([] { return QtConcurrent::run([] { return 5; }); });
    answered = true;
    co_return n;
}

/// Main computes alone, effect after effect, until the other task's Await has answered, and a
/// little longer: the answer comes in while main has the machine to itself.
Program<int> computesWhileAnAwaitAnswers()
{
    answered = false;
    const Task<int> waiter = co_await Spawn(waitsThenSays());
    int i = 0;
    while (!answered)
        co_await Put("k", ++i);
    for (int more = 0; more < 10; ++more)
        co_await Put("k", ++i);
    const int n = co_await Wait(waiter);
    co_return n + (co_await Get<int>("k") > 10 ? 1 : 0);
}

/// The value the outside completes the external promise with.
std::atomic<int> outsideValue { 0 };
std::optional<std::jthread> outside;

Program<int> waitsForTheOutside()
{
    const ExternalPromise<int> promise = co_await CreateExternalPromise<int>();
    outside.emplace([promise] { promise.complete(outsideValue.load()); });
    const int v = co_await Wait(promise.future());
    co_return v + 1;
}

Program<qint64> readsTheClock(int times)
{
    qint64 last = 0;
    for (int i = 0; i < times; ++i)
        last = (co_await GetTime()).toMSecsSinceEpoch();
    co_return last;
}

struct Opaque {
    int x = 7;
};

Program<int> awaitsAnOpaqueValue()
{
    const QVariant v = co_await Await([] { return QtConcurrent::run([] { return QVariant::fromValue(Opaque {}); }); });
    co_return v.value<Opaque>().x;
}

/// `puts` Puts, then the Await of awaitsAnOperation(): a program edited between record and
/// replay moves its input to another step.
Program<int> putsThenAwaits(int puts)
{
    for (int i = 0; i < puts; ++i)
        co_await Put("k", i);
    const int n = co_await Await([] { return QtConcurrent::run([] { return 3; }); });
    co_return n;
}

Program<int> putsTwice(int second)
{
    co_await Put("k", 1);
    co_await Put("k", second);
    co_return co_await Get<int>("k");
}

/// The same effect from one of two lines: a program edited between record and replay.
Program<int> putsFromALine(bool moved)
{
    if (!moved) {
        co_await Put("k", 1);
    } else {
        co_await Put("k", 1);
    }
    co_return 1;
}

Program<int> doublesTheStore()
{
    const int v = co_await Get<int>("k");
    co_await Put("out", v * 2);
    co_return v * 2;
}

Program<int> says(QString what)
{
    co_await Delay(1);
    co_await record(what);
    co_return 0;
}

/// Two workers that each sleep, then say their name: woken together, their order is the
/// scheduler's.
Program<QStringList> twoWorkers()
{
    const Task<int> a = co_await Spawn(says(u"a"_s));
    const Task<int> b = co_await Spawn(says(u"b"_s));
    co_await Wait(a);
    co_await Wait(b);
    co_return trace();
}

/// Halves a number (the `halving` handler); the what-if tests swap, remove and add handlers
/// for it.
struct Halve : Effect<Halve, int> {
    static constexpr auto name = "Halve";
    int n = 0;
    QVariantMap fields() const { return { { u"n"_s, n } }; }
};
Halve halve(int n)
{
    return { {}, n };
}

/// Answers Halve with `answer(n)`, for the numbers `takes(n)` accepts; forwards the rest.
Handler halveHandler(
    const QString& name, int (*answer)(int), bool (*takes)(int) = [](int) { return true; })
{
    return handler(name, [answer, takes](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        const auto* h = e.as<Halve>();
        if (!h || !takes(h->n)) return Forward();
        return Resume(answer(h->n));
    });
}
Handler halving()
{
    return halveHandler(u"halving"_s, [](int n) { return n / 2; });
}
Handler doubling()
{
    return halveHandler(u"doubling"_s, [](int n) { return n * 2; });
}
/// Answers Halve of 10 or more with the number itself; leaves the smaller ones to the others.
Handler keepsBigOnes()
{
    return halveHandler(
        u"keeps_big_ones"_s, [](int n) { return n; }, [](int n) { return n >= 10; });
}

Program<int> halvesTwenty()
{
    co_return co_await halve(20);
}

/// Halves 8, spawns a worker that halves 20, halves 6, then waits for the worker: [4, 3, 10].
Program<QVariantList> halvesWithAWorker()
{
    QVariantList out;
    out << co_await halve(8);
    const Task<int> worker = co_await Spawn(halvesTwenty());
    out << co_await halve(6);
    out << co_await Wait(worker);
    co_return out;
}

/// Halves in a coroutine handler that logs first: a what-if can come while it is handling.
Handler halvingSlowly()
{
    return handler(u"halving_slowly"_s, [](const AnyEffect& e, HandlerContext&) -> Program<HandlerResult> {
        const auto* h = e.as<Halve>();
        if (!h) co_return Forward();
        co_await Tell(u"halving %1"_s.arg(h->n));
        co_return Resume(h->n / 2);
    });
}

Program<QVariantList> halvesTwice()
{
    QVariantList out;
    out << co_await halve(8);
    out << co_await halve(30);
    co_return out;
}

/// Records, at every Step event, the K the machine has, with the index of that event.
struct KWatcher : Observer {
    quint64 events = 0;
    QList<std::tuple<quint64, int, QStringList>> ks; ///< (events so far, task, K descriptions)
    void onEvent(const LiveEvent& e, const RunView& view) override
    {
        ++events;
        if (e.kind != EventKind::Step) return;
        QStringList k;
        for (const FrameInfo& f : view.liveK(e.task)) // what FramePushed/Popped describe
            k << f.description;
        ks.append({ events, e.task, k });
    }
};

/// The branch's trace tells the K the machine had at every step (`watcher`), `changed` frames
/// included; with `below`, each `changed` frame sits right above that one.
void checkBranchK(const KWatcher& watcher, const QString& branchPath, const QString& changed, const QString& below)
{
    TraceReader reader;
    QVERIFY(reader.open(branchPath));
    int changedSteps = 0;
    for (const auto& [events, task, k] : std::as_const(watcher.ks)) {
        const auto state = reader.stateAtEvent(events);
        QVERIFY(state);
        QStringList rebuilt;
        for (const FrameInfo& f : state->k(task))
            rebuilt << f.description;
        QCOMPARE(rebuilt, k);
        if (!k.contains(changed)) continue;
        ++changedSteps;
        if (!below.isEmpty()) QCOMPARE(k.indexOf(changed) + 1, k.indexOf(below)); // top first
    }
    QVERIFY(changedSteps > 0);
}

struct Recorded {
    QString path;
    QString result;
};

/// Runs `program` with a trace recorder writing `path`.
template<class T>
Recorded record(const QString& path, int runner, Program<T> program, HandlerList handlers, Env env, Store store,
                RunOptions options)
{
    TraceRecorder rec;
    if (!rec.open(path)) qFatal("cannot record %s", qPrintable(rec.errorString()));
    rec.setMetadata(u"clock"_s, options.clock == Clock::Simulated ? u"simulated"_s : u"real"_s);
    options.observers.append(&rec);
    const auto r = runWith(runner, std::move(program), std::move(handlers), std::move(env), std::move(store), options);
    if (!rec.finish()) qFatal("cannot finish %s", qPrintable(rec.errorString()));
    return { path, resultText(r) };
}

/// Runs `program` recording an input log to `logPath` (docs/replay.md, "Input logs") and, when
/// `tracePath` is not empty, its whole trace too.
template<class T>
Recorded recordInputs(const QString& logPath, const QString& tracePath, int runner, Program<T> program,
                      HandlerList handlers, Env env, Store store, RunOptions options)
{
    TraceRecorderOptions logOptions;
    logOptions.inputsOnly = true;
    TraceRecorder log(logOptions);
    if (!log.open(logPath)) qFatal("cannot record %s", qPrintable(log.errorString()));
    log.setMetadata(u"clock"_s, options.clock == Clock::Simulated ? u"simulated"_s : u"real"_s);
    options.observers.append(&log);
    TraceRecorder whole;
    if (!tracePath.isEmpty()) {
        if (!whole.open(tracePath)) qFatal("cannot record %s", qPrintable(whole.errorString()));
        options.observers.append(&whole);
    }
    const auto r = runWith(runner, std::move(program), std::move(handlers), std::move(env), std::move(store), options);
    if (!log.finish()) qFatal("cannot finish %s", qPrintable(log.errorString()));
    if (!tracePath.isEmpty() && !whole.finish()) qFatal("cannot finish %s", qPrintable(whole.errorString()));
    return { logPath, resultText(r) };
}

/// Where traces `a` and `b` first differ (`event N: the FIELD differs`), or empty when they hold
/// the same events.
QString firstDifference(const QString& a, const QString& b)
{
    TraceReader ra, rb;
    if (!ra.open(a)) return ra.errorString();
    if (!rb.open(b)) return rb.errorString();
    QList<Event> ea, eb;
    if (!ra.events(0, ra.eventCount(), ea) || !rb.events(0, rb.eventCount(), eb)) return u"unreadable"_s;
    for (qsizetype i = 0; i < std::min(ea.size(), eb.size()); ++i)
        if (const QString field = replayDifference(ea[i], eb[i]); !field.isEmpty())
            return u"event %1: the %2 differs (%3 / %4)"_s.arg(i).arg(field, describeReplayEvent(ea[i]),
                                                                      describeReplayEvent(eb[i]));
    if (ea.size() != eb.size()) return u"%1 events against %2"_s.arg(ea.size()).arg(eb.size());
    return {};
}

/// Replays `path` with `program`; the result text, and the replay through `out`.
template<class T>
QString replay(const QString& path, int runner, Program<T> program, HandlerList handlers, RunOptions options,
               std::shared_ptr<Replay>& out)
{
    QString error;
    out = Replay::open(path, &error);
    if (!out) return u"cannot open: "_s + error;
    options.replay = out;
    options.clock = out->simulatedClock() ? Clock::Simulated : Clock::Real;
    const auto r = runWith(runner, std::move(program), std::move(handlers), out->env(), out->store(), options);
    return resultText(r);
}

/// An example as the every-example tests run it: on the row's clock, long loops shortened.
struct ExampleRun {
    const ProgramInfo* info = nullptr;
    RunOptions options;
    Env env;
};

ExampleRun exampleRun(const QString& name, bool simulated)
{
    ExampleRun x;
    x.info = examples::library().find(name);
    if (!x.info) return x;
    x.options = x.info->options;
    x.options.clock = simulated ? Clock::Simulated : Clock::Real;
    x.env = x.info->env;
    if (x.env.contains(u"iterations"_s)) x.env.insert(u"iterations"_s, 300);
    return x;
}

/// The index of the first event of `path` that satisfies `pred`.
quint64 firstEvent(const QString& path, const std::function<bool(const Event&)>& pred)
{
    TraceReader r;
    if (!r.open(path)) return ~0ull;
    quint64 i = 0;
    quint64 found = ~0ull;
    r.forEachEvent(0, r.eventCount(), [&](const Event& e) {
        if (pred(e)) {
            found = i;
            return false;
        }
        ++i;
        return true;
    });
    return found;
}

} // namespace

class TestReplay : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString file(const QString& name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void everyExampleReplays_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("runner");
        QTest::addColumn<bool>("simulated");
        // Under the sanitizers each example runs on one runner and one clock, in turn; the
        // plain build checks every example on both runners and both clocks.
#if defined(__SANITIZE_ADDRESS__)
        constexpr bool every = false;
#else
        constexpr bool every = true;
#endif
        int i = 0;
        for (const ProgramInfo& info : examples::library().programs()) {
            for (int runner : { int(Runner::Sync), int(Runner::Async) })
                for (bool simulated : { false, true })
                    if (every || (runner == i % 2 && simulated == ((i / 2) % 2 == 1)))
                        QTest::addRow("%s %s %s", qPrintable(info.name), runner == int(Runner::Sync) ? "sync" : "async",
                                      simulated ? "simulated" : "real")
                            << info.name << runner << simulated;
            ++i;
        }
    }
    /// Every example, recorded and replayed: event for event the same run, the same result.
    void everyExampleReplays()
    {
        QFETCH(QString, name);
        QFETCH(int, runner);
        QFETCH(bool, simulated);
        const ExampleRun example = exampleRun(name, simulated);
        const ProgramInfo* info = example.info;
        QVERIFY(info);
        const RunOptions& options = example.options;
        const Env& env = example.env;
        const QString path = file(name + u".doefftrace"_s);
        const Recorded rec = record(path, runner, info->program(), info->handlerStack(), env, info->store, options);
        std::shared_ptr<Replay> r;
        const QString replayed = replay(path, runner, info->program(), info->handlerStack(), info->options, r);
        QVERIFY(r);
        QVERIFY2(r->complete(), qPrintable(r->report()));
        QCOMPARE(r->matchedEvents(), r->recordedEvents());
        QCOMPARE(replayed, rec.result);
        QCOMPARE(r->simulatedClock(), simulated);
        // checked without decoding the recording: every event encodes to its recorded bytes
        QCOMPARE(r->matchedAsBytes(), r->matchedEvents());
    }

    void everyExampleReplaysFromItsInputLog_data()
    {
        everyExampleReplays_data();
    }
    /// Every example, recorded as an input log with no other observer (the run on its fast
    /// path), replays from the log alone; and recorded as an input log next to its whole
    /// trace, replays from the log to that very trace, event for event.
    void everyExampleReplaysFromItsInputLog()
    {
        QFETCH(QString, name);
        QFETCH(int, runner);
        QFETCH(bool, simulated);
        const ExampleRun example = exampleRun(name, simulated);
        const ProgramInfo* info = example.info;
        QVERIFY(info);
        const RunOptions& options = example.options;
        const Env& env = example.env;
        const QString log = file(name + u".inputs.doefftrace"_s);
        const Recorded alone
            = recordInputs(log, {}, runner, info->program(), info->handlerStack(), env, info->store, options);
        std::shared_ptr<Replay> r;
        QCOMPARE(replay(log, runner, info->program(), info->handlerStack(), info->options, r), alone.result);
        QVERIFY(r->inputsOnly());
        QVERIFY2(r->complete(), qPrintable(r->report()));
        QCOMPARE(r->simulatedClock(), simulated);

        const QString whole = file(name + u".whole.doefftrace"_s);
        const Recorded both
            = recordInputs(log, whole, runner, info->program(), info->handlerStack(), env, info->store, options);
        const QString rebuilt = file(name + u".rebuilt.doefftrace"_s);
        TraceRecorder again;
        QVERIFY(again.open(rebuilt));
        RunOptions replayOptions = info->options;
        replayOptions.observers = { &again };
        QCOMPARE(replay(log, runner, info->program(), info->handlerStack(), replayOptions, r), both.result);
        QVERIFY(again.finish());
        QVERIFY2(r->complete(), qPrintable(r->report()));
        const QString difference = firstDifference(whole, rebuilt);
        QVERIFY2(difference.isEmpty(), qPrintable(difference));
    }

    /// A program edited between record and replay of its input log stops where the recording
    /// took an input in and the replay does not: at that input, with its step.
    void anInputLogDivergesAtItsInput_data()
    {
        addRunnerColumn();
    }
    void anInputLogDivergesAtItsInput()
    {
        QFETCH(int, runner);
        const QString log = file(u"await.inputs.doefftrace"_s);
        const Recorded rec = recordInputs(log, {}, runner, putsThenAwaits(1), sync_handlers_preset(), {}, {}, {});
        QCOMPARE(rec.result, u"Ok(3)"_s);
        const quint64 input = firstEvent(log, [](const Event& e) { return e.kind == EventKind::InputReceived; });
        QCOMPARE(input, 1u); // RunStarted, the Await's result, RunFinished
        std::shared_ptr<Replay> same;
        QCOMPARE(replay(log, runner, putsThenAwaits(1), sync_handlers_preset(), {}, same), u"Ok(3)"_s);
        QVERIFY2(same->complete(), qPrintable(same->report()));
        QCOMPARE(same->matchedEvents(), 3u);

        std::shared_ptr<Replay> r;
        const QString replayed = replay(log, runner, putsThenAwaits(2), sync_handlers_preset(), {}, r);
        QVERIFY(r->diverged());
        QCOMPARE(r->matchedEvents(), input);
        const QString report = r->report();
        // at the step the recording took the Await's result in, the replay has not reached it
        QVERIFY2(report.contains(u"diverged at event 1: the recording completed Await 1 of task 0 here, and the "
                                 "replay has no such Await waiting (step 4)"_s),
                 qPrintable(report));
        QVERIFY2(report.contains(u"recorded: InputReceived task 0 step 4 code=2 index=1 value=3"_s),
                 qPrintable(report));
        QVERIFY2(replayed.startsWith(u"Err(RunAbortedError: replay of "_s), qPrintable(replayed));
    }

    /// With no input to tell them apart, an input log still checks how the run ended: a
    /// program edited to end with another value diverges at RunFinished.
    void anInputLogChecksTheEnd()
    {
        const QString log = file(u"puts.inputs.doefftrace"_s);
        recordInputs(log, {}, int(Runner::Sync), putsTwice(2), sync_handlers_preset(), {}, {}, {});
        std::shared_ptr<Replay> r;
        const QString replayed = replay(log, int(Runner::Sync), putsTwice(3), sync_handlers_preset(), {}, r);
        QCOMPARE(replayed, u"Ok(3)"_s); // the run had ended when its end was checked
        QVERIFY(r->diverged());
        QVERIFY(!r->complete());
        const QString report = r->report();
        QVERIFY2(report.contains(u"diverged at event 1: the name differs"_s), qPrintable(report));
        QVERIFY2(report.contains(u"recorded: RunFinished task 0"_s) && report.contains(u"name=Ok(2)"_s)
                     && report.contains(u"name=Ok(3)"_s),
                 qPrintable(report));
    }

    /// DOEFF_RECORD_INPUTS=DIR (docs/replay.md, "Every run replayable"): every run of the
    /// process leaves an input log in DIR, named after its program, that replays to the same
    /// run; with DOEFF_RECORD_INPUTS_KEEP=failed only the logs of failed runs stay.
    void everyRunLeavesAnInputLogWhenAsked_data()
    {
        addRunnerColumn();
    }
    void everyRunLeavesAnInputLogWhenAsked()
    {
        QFETCH(int, runner);
        QTemporaryDir logs;
        const QDir dir(logs.path());
        const auto cleanup = qScopeGuard([] {
            qunsetenv("DOEFF_RECORD_INPUTS");
            qunsetenv("DOEFF_RECORD_INPUTS_KEEP");
        });
        qputenv("DOEFF_RECORD_INPUTS", QFile::encodeName(logs.path()));
        RunOptions named;
        named.program_name = u"awaits_an_operation"_s;
        const QString result = resultText(runWith(runner, awaitsAnOperation(), sync_handlers_preset(), {}, {}, named));
        const QStringList logged = dir.entryList({ u"*.inputs.doefftrace"_s }, QDir::Files);
        QCOMPARE(logged.size(), 1);
        QVERIFY2(logged[0].startsWith(u"awaits_an_operation-"_s), qPrintable(logged[0]));
        QCOMPARE(dir.entryList(QDir::Files | QDir::Hidden).size(), 1); // nothing provisional left

        qunsetenv("DOEFF_RECORD_INPUTS"); // (or the replay leaves a log of its own)
        std::shared_ptr<Replay> r;
        QCOMPARE(replay(dir.filePath(logged[0]), runner, awaitsAnOperation(), sync_handlers_preset(), named, r),
                 result);
        QVERIFY(r->inputsOnly());
        QVERIFY2(r->complete(), qPrintable(r->report()));
        QCOMPARE(r->runner(), runner == int(Runner::Sync) ? u"sync"_s : u"async"_s);

        qputenv("DOEFF_RECORD_INPUTS", QFile::encodeName(logs.path()));
        qputenv("DOEFF_RECORD_INPUTS_KEEP", "failed");
        QCOMPARE(resultText(runWith(runner, putsTwice(2))), u"Ok(2)"_s);
        QCOMPARE(dir.entryList(QDir::Files | QDir::Hidden).size(), 1); // an Ok run leaves none
        auto fails = []() -> Program<int> {
            co_await Put("k", 1);
            throw std::runtime_error("boom");
            co_return 0;
        };
        QVERIFY(resultText(runWith(runner, fails())).startsWith(u"Err("_s));
        QCOMPARE(dir.entryList({ u"*.inputs.doefftrace"_s }, QDir::Files).size(), 2);
        QCOMPARE(dir.entryList(QDir::Files | QDir::Hidden).size(), 2);
    }

    /// An Await's operation is not started again: its recorded result is fed back.
    void awaitIsNotPerformed_data()
    {
        addRunnerColumn();
    }
    void awaitIsNotPerformed()
    {
        QFETCH(int, runner);
        operationsStarted = 0;
        const QString path = file(u"await.doefftrace"_s);
        const Recorded rec = record(path, runner, awaitsAnOperation(), sync_handlers_preset(), {}, {}, {});
        QCOMPARE(rec.result, u"Ok(10)"_s);
        QCOMPARE(operationsStarted.load(), 1);
        // the input is in the trace, with the task it woke and the value
        const quint64 input = firstEvent(path, [](const Event& e) { return e.kind == EventKind::InputReceived; });
        QVERIFY(input != ~0ull);
        std::shared_ptr<Replay> r;
        QCOMPARE(replay(path, runner, awaitsAnOperation(), sync_handlers_preset(), {}, r), u"Ok(10)"_s);
        QVERIFY2(r->complete(), qPrintable(r->report()));
        QCOMPARE(operationsStarted.load(), 1);
        // a plain run does start it: the counter is what the replay would have seen otherwise
        QCOMPARE(resultText(runWith(runner, awaitsAnOperation())), u"Ok(20)"_s);
    }

    /// An input that came in while a task ran alone, effect after effect, is fed back at the
    /// step it came in. The recording announced that task's held-back Ready just before the
    /// input: the replay, holding the same Ready back, looks past it to find the input.
    void anInputWhileATaskRunsAlone_data()
    {
        addRunnerColumn();
    }
    void anInputWhileATaskRunsAlone()
    {
        QFETCH(int, runner);
        const QString path = file(u"alone.doefftrace"_s);
        const Recorded rec = record(path, runner, computesWhileAnAwaitAnswers(), sync_handlers_preset(), {}, {}, {});
        QCOMPARE(rec.result, u"Ok(6)"_s);
        // main's Puts before and after the answer
        const quint64 input = firstEvent(path, [](const Event& e) { return e.kind == EventKind::InputReceived; });
        QVERIFY(input != ~0ull);
        TraceReader reader;
        QVERIFY(reader.open(path));
        int putsBefore = 0;
        int putsAfter = 0;
        quint64 i = 0;
        reader.forEachEvent(0, reader.eventCount(), [&](const Event& e) {
            if (e.kind == EventKind::StoreWrite && e.task == 0) ++(i < input ? putsBefore : putsAfter);
            ++i;
            return true;
        });
        QVERIFY(putsBefore >= 1);
        QVERIFY(putsAfter >= 10);
        std::shared_ptr<Replay> r;
        QCOMPARE(replay(path, runner, computesWhileAnAwaitAnswers(), sync_handlers_preset(), {}, r), rec.result);
        QVERIFY2(r->complete(), qPrintable(r->report()));

        // an input log of it, recorded with nobody else watching: the answer came in at a step
        // that ended a turn of main's; the replay lets main run on in its turn up to that step
        const QString log = file(u"alone.inputs.doefftrace"_s);
        const Recorded logged
            = recordInputs(log, {}, runner, computesWhileAnAwaitAnswers(), sync_handlers_preset(), {}, {}, {});
        QCOMPARE(logged.result, u"Ok(6)"_s);
        QCOMPARE(replay(log, runner, computesWhileAnAwaitAnswers(), sync_handlers_preset(), {}, r), logged.result);
        QVERIFY(r->inputsOnly());
        QVERIFY2(r->complete(), qPrintable(r->report()));
    }

    /// An external promise completes with what the recording got, whatever the outside does
    /// this time.
    void externalCompletionIsReplayed_data()
    {
        addRunnerColumn();
    }
    void externalCompletionIsReplayed()
    {
        QFETCH(int, runner);
        const QString path = file(u"external.doefftrace"_s);
        outsideValue = 41;
        const Recorded rec = record(path, runner, waitsForTheOutside(), sync_handlers_preset(), {}, {}, {});
        outside.reset();
        QCOMPARE(rec.result, u"Ok(42)"_s);
        outsideValue = 99;
        std::shared_ptr<Replay> r;
        const QString replayed = replay(path, runner, waitsForTheOutside(), sync_handlers_preset(), {}, r);
        outside.reset();
        QCOMPARE(replayed, u"Ok(42)"_s);
        QVERIFY2(r->complete(), qPrintable(r->report()));
    }

    /// Real-clock readings are inputs: the replay reads the recording's time, not today's.
    void clockReadingsAreReplayed()
    {
        const QString path = file(u"clock.doefftrace"_s);
        const Recorded rec = record(path, int(Runner::Sync), readsTheClock(3), sync_handlers_preset(), {}, {}, {});
        const qint64 recorded = rec.result.mid(3, rec.result.size() - 4).toLongLong();
        QVERIFY(recorded > 0);
        // the next run of the same program reads a later time
        auto later = sync_run(readsTheClock(1), sync_handlers_preset());
        while (later.value() == recorded) // the clock has a millisecond resolution
            later = sync_run(readsTheClock(1), sync_handlers_preset());
        QVERIFY(later.value() > recorded);
        std::shared_ptr<Replay> r;
        QCOMPARE(replay(path, int(Runner::Sync), readsTheClock(3), sync_handlers_preset(), {}, r), rec.result);
        QVERIFY2(r->complete(), qPrintable(r->report()));
        QVERIFY(!r->simulatedClock());
    }

    /// A program changed between record and replay stops at its first differing event.
    void changedProgramDiverges()
    {
        const QString path = file(u"puts.doefftrace"_s);
        const Recorded rec = record(path, int(Runner::Sync), putsTwice(2), sync_handlers_preset(), {}, {}, {});
        QCOMPARE(rec.result, u"Ok(2)"_s);
        // the first event that can differ: the second Put's effect (its label carries no value,
        // its fields do)
        const quint64 second = firstEvent(path, [n = 0](const Event& e) mutable {
            return e.kind == EventKind::EffectYielded && e.text == u"Put"_s && ++n == 2;
        });
        QVERIFY(second != ~0ull);
        std::shared_ptr<Replay> r;
        const QString replayed = replay(path, int(Runner::Sync), putsTwice(3), sync_handlers_preset(), {}, r);
        QVERIFY(r->diverged());
        QVERIFY(!r->complete());
        QCOMPARE(r->matchedEvents(), second);
        QCOMPARE(r->matchedAsBytes(), second); // the difference is found in the bytes, and told decoded
        const QString report = r->report();
        QVERIFY2(report.contains(u"diverged at event %1: the value differs"_s.arg(second)), qPrintable(report));
        QVERIFY2(report.contains(u"recorded: EffectYielded"_s), qPrintable(report));
        QVERIFY2(report.contains(u"'value': 2"_s) && report.contains(u"'value': 3"_s), qPrintable(report));
        // the run ends there, with the report as its error
        QVERIFY2(replayed.startsWith(u"Err(RunAbortedError: replay of "_s), qPrintable(replayed));
    }

    /// An effect moved to another line diverges at the first event located there, though it
    /// encodes to the same bytes: both runs meet a new location there and give it the same id;
    /// what differs is the location that id stands for.
    void aMovedEffectDiverges()
    {
        const QString path = file(u"moved.doefftrace"_s);
        record(path, int(Runner::Sync), putsFromALine(false), sync_handlers_preset(), {}, {}, {});
        const quint64 yielded = firstEvent(path, [](const Event& e) { return e.kind == EventKind::EffectYielded; });
        QVERIFY(yielded != ~0ull);
        TraceReader reader;
        QVERIFY(reader.open(path));
        QList<Event> events;
        QVERIFY(reader.events(yielded, yielded + 1, events));
        const int line = events.front().line;
        QVERIFY(line > 0);
        const quint64 first = firstEvent(path, [line](const Event& e) { return e.line == line; });
        std::shared_ptr<Replay> r;
        replay(path, int(Runner::Sync), putsFromALine(true), sync_handlers_preset(), {}, r);
        QVERIFY(r->diverged());
        QCOMPARE(r->matchedEvents(), first);
        QCOMPARE(r->matchedAsBytes(), first);
        QVERIFY2(r->report().contains(u"diverged at event %1: the location differs"_s.arg(first)),
                 qPrintable(r->report()));
    }

    /// A recording whose bytes differ where its events do not (as another writer may encode
    /// them: here a value written as a 64-bit integer where the run has an int) is checked event
    /// by event, decoded, from that event on, and still replays.
    void equalEventsInOtherBytesStillMatch()
    {
        const QString path = file(u"puts-int.doefftrace"_s);
        record(path, int(Runner::Sync), putsTwice(2), sync_handlers_preset(), {}, {}, {});
        TraceReader reader;
        QVERIFY2(reader.open(path), qPrintable(reader.errorString()));
        QList<Event> events;
        QVERIFY2(reader.events(0, reader.eventCount(), events), qPrintable(reader.errorString()));
        const auto widened = std::find_if(events.begin(), events.end(), [](const Event& e) {
            return e.kind == EventKind::StoreWrite && e.value.metaType().id() == QMetaType::Int;
        });
        QVERIFY(widened != events.end());
        const quint64 at = quint64(widened - events.begin());
        widened->value = QVariant(widened->value.toLongLong());
        const QString rewritten = file(u"puts-longlong.doefftrace"_s);
        {
            TraceRecorder rec;
            QVERIFY2(rec.open(rewritten), qPrintable(rec.errorString()));
            rec.setMetadata(u"clock"_s, u"real"_s);
            for (const Event& e : std::as_const(events))
                rec.record(e);
            QVERIFY2(rec.finish(), qPrintable(rec.errorString()));
        }
        std::shared_ptr<Replay> r;
        QCOMPARE(replay(rewritten, int(Runner::Sync), putsTwice(2), sync_handlers_preset(), {}, r), u"Ok(2)"_s);
        QVERIFY2(r->complete(), qPrintable(r->report()));
        QCOMPARE(r->matchedEvents(), quint64(events.size()));
        QCOMPARE(r->matchedAsBytes(), at); // the same bytes up to the widened value
    }

    /// An input the replayed program needs and the recording does not have is a divergence: a
    /// recording on the simulated clock replayed on the real one reads a clock it never read.
    void missingInputDiverges()
    {
        const QString path = file(u"clock-once.doefftrace"_s);
        RunOptions simulated;
        simulated.clock = Clock::Simulated;
        record(path, int(Runner::Sync), readsTheClock(1), sync_handlers_preset(), {}, {}, simulated);
        QString error;
        auto r = Replay::open(path, &error);
        QVERIFY2(r, qPrintable(error));
        RunOptions real;
        real.replay = r;
        const QString replayed = resultText(sync_run(readsTheClock(1), sync_handlers_preset(), {}, {}, real));
        QVERIFY(r->diverged());
        QVERIFY2(r->report().contains(u"task 0 read the clock, which the recording did not do here"_s),
                 qPrintable(r->report()));
        QVERIFY2(replayed.startsWith(u"Err(RunAbortedError: "_s), qPrintable(replayed));
    }

    /// What if an effect had answered something else: the replay follows the recording to that
    /// effect, resumes it with the value, and runs on live.
    void whatIfAnEffectReturnedAnotherValue()
    {
        const QString path = file(u"whatif.doefftrace"_s);
        const Recorded rec = record(path, int(Runner::Sync), doublesTheStore(), sync_handlers_preset(), {},
                                    Store { { u"k"_s, 3 } }, {});
        QCOMPARE(rec.result, u"Ok(6)"_s);
        TraceReader reader;
        QVERIFY(reader.open(path));
        const quint64 get = firstEvent(path, [](const Event& e) { return e.kind == EventKind::EffectYielded; });
        QList<Event> at;
        QVERIFY(reader.events(get, get + 1, at));
        QString error;
        auto r = Replay::open(path, &error);
        QVERIFY2(r, qPrintable(error));
        r->setWhatIf({ WhatIf::Kind::Result, at[0].step, -1, 10 });
        RunOptions options;
        options.replay = r;
        const auto result = sync_run(doublesTheStore(), sync_handlers_preset(), r->env(), r->store(), options);
        QCOMPARE(resultText(result), u"Ok(20)"_s);
        QCOMPARE(result.raw_store().find(u"out"_s)->toInt(), 20);
        QVERIFY(r->branched());
        QCOMPARE(r->branchStep(), at[0].step);
        QVERIFY(!r->diverged());
        QVERIFY(!r->complete());
        QCOMPARE(r->matchedEvents(), get + 1); // up to the effect itself
    }

    /// A what-if on an input log: the steps of the log are those of the whole run, so the same
    /// step names the same effect, and the branch goes on live from there.
    void whatIfOnAnInputLog()
    {
        const QString whole = file(u"whatif-whole.doefftrace"_s);
        const QString log = file(u"whatif.inputs.doefftrace"_s);
        const Recorded rec = recordInputs(log, whole, int(Runner::Sync), doublesTheStore(), sync_handlers_preset(), {},
                                          Store { { u"k"_s, 3 } }, {});
        QCOMPARE(rec.result, u"Ok(6)"_s);
        TraceReader reader;
        QVERIFY(reader.open(whole));
        const quint64 get = firstEvent(whole, [](const Event& e) { return e.kind == EventKind::EffectYielded; });
        QList<Event> at;
        QVERIFY(reader.events(get, get + 1, at));
        QString error;
        auto r = Replay::open(log, &error);
        QVERIFY2(r, qPrintable(error));
        QVERIFY(r->inputsOnly());
        r->setWhatIf({ WhatIf::Kind::Result, at[0].step, -1, 10 });
        RunOptions options;
        options.replay = r;
        const auto result = sync_run(doublesTheStore(), sync_handlers_preset(), r->env(), r->store(), options);
        QCOMPARE(resultText(result), u"Ok(20)"_s);
        QVERIFY(r->branched());
        QCOMPARE(r->branchStep(), at[0].step);
        QVERIFY(!r->diverged());
        QCOMPARE(r->matchedEvents(), 1u); // the log's RunStarted; its end is the branch's own

        // a handler swapped at a step of the log: halving for doubling at the second Halve
        const HandlerList handlers = sync_handlers_preset() + HandlerList { halving() };
        const QString halvesWhole = file(u"whatif-halves.doefftrace"_s);
        const QString halvesLog = file(u"whatif-halves.inputs.doefftrace"_s);
        QCOMPARE(
            recordInputs(halvesLog, halvesWhole, int(Runner::Sync), halvesWithAWorker(), handlers, {}, {}, {}).result,
            u"Ok([4, 3, 10])"_s);
        quint64 seen = 0;
        quint64 step = 0;
        TraceReader halves;
        QVERIFY(halves.open(halvesWhole));
        halves.forEachEvent(0, halves.eventCount(), [&](const Event& e) {
            if (e.kind == EventKind::EffectYielded && e.text == u"Halve"_s && ++seen == 2) step = e.step;
            return step == 0;
        });
        QVERIFY(step > 0);
        r = Replay::open(halvesLog, &error);
        QVERIFY2(r, qPrintable(error));
        WhatIf swap;
        swap.kind = WhatIf::Kind::Handler;
        swap.step = step;
        swap.handler = u"halving"_s;
        swap.replacement = doubling();
        r->setWhatIf(swap);
        options.replay = r;
        QCOMPARE(resultText(sync_run(halvesWithAWorker(), handlers, r->env(), r->store(), options)),
                 u"Ok([4, 12, 40])"_s);
        QVERIFY2(!r->diverged(), qPrintable(r->report()));
        QCOMPARE(r->branchStep(), step);
    }

    /// What if an Await had given another value: the operation is never started.
    void whatIfAnAwaitReturnedAnotherValue()
    {
        operationsStarted = 0;
        const QString path = file(u"whatif-await.doefftrace"_s);
        record(path, int(Runner::Sync), awaitsAnOperation(), sync_handlers_preset(), {}, {}, {});
        QCOMPARE(operationsStarted.load(), 1);
        const quint64 yielded = firstEvent(path, [](const Event& e) { return e.kind == EventKind::EffectYielded; });
        TraceReader reader;
        QVERIFY(reader.open(path));
        QList<Event> at;
        QVERIFY(reader.events(yielded, yielded + 1, at));
        QCOMPARE(at[0].text, u"Await"_s);
        QString error;
        auto r = Replay::open(path, &error);
        r->setWhatIf({ WhatIf::Kind::Result, at[0].step, 0, 5 });
        RunOptions options;
        options.replay = r;
        QCOMPARE(resultText(sync_run(awaitsAnOperation(), sync_handlers_preset(), {}, {}, options)), u"Ok(50)"_s);
        QVERIFY(r->branched());
        QCOMPARE(operationsStarted.load(), 1);
    }

    /// What if the scheduler had run another ready task: the order of the workers changes, and
    /// a task that is not ready is refused.
    void whatIfAnotherTaskRanNext_data()
    {
        addRunnerColumn();
    }
    void whatIfAnotherTaskRanNext()
    {
        QFETCH(int, runner);
        const QString path = file(u"whatif-run.doefftrace"_s);
        RunOptions simulated;
        simulated.clock = Clock::Simulated;
        const Recorded rec = record(path, runner, twoWorkers(), sync_handlers_preset(), {}, {}, simulated);
        QCOMPARE(rec.result, u"Ok(['a', 'b'])"_s);
        // the turn in which worker a (task 1) runs once it woke; worker b (task 2) woke with it
        quint64 turn = 0;
        {
            TraceReader reader;
            QVERIFY(reader.open(path));
            bool slept = false;
            reader.forEachEvent(0, reader.eventCount(), [&](const Event& e) {
                if (e.kind != EventKind::TaskStateChanged || e.task != 1) return true;
                if (TaskStateCode(e.code) == TaskStateCode::Sleeping) slept = true;
                if (slept && TaskStateCode(e.code) == TaskStateCode::Running) {
                    turn = e.step;
                    return false;
                }
                return true;
            });
        }
        QVERIFY(turn > 0);
        std::shared_ptr<Replay> r;
        QString error;
        r = Replay::open(path, &error);
        r->setWhatIf({ WhatIf::Kind::Schedule, turn, 2, {} });
        RunOptions options = simulated;
        options.replay = r;
        QCOMPARE(resultText(runWith(runner, twoWorkers(), sync_handlers_preset(), {}, {}, options)),
                 u"Ok(['b', 'a'])"_s);
        QVERIFY(r->branched());
        QCOMPARE(r->branchStep(), turn);
        // task 7 is no task at all: the what-if cannot be, and says so
        r = Replay::open(path, &error);
        r->setWhatIf({ WhatIf::Kind::Schedule, turn, 7, {} });
        options.replay = r;
        runWith(runner, twoWorkers(), sync_handlers_preset(), {}, {}, options);
        QVERIFY(r->diverged());
        QVERIFY2(r->report().contains(u"what if task 7 ran next: it is not ready at step %1"_s.arg(turn)),
                 qPrintable(r->report()));
    }

    /// The real-network example, recorded against a local server, replays with the server
    /// gone: the pages come from the recording, and no request reaches anything.
    void realNetworkReplaysWithTheServerStopped_data()
    {
        addRunnerColumn();
    }
    void realNetworkReplaysWithTheServerStopped()
    {
        QFETCH(int, runner);
        TinyHttpServer server;
        QVERIFY(server.listen());
        const ProgramInfo* info = examples::library().find(u"fetch_pages"_s);
        QVERIFY(info);
        const Env env = info->mergedEnv({ { u"base_url"_s, server.url(QString()).toString() } });
        const QString path = file(u"network.doefftrace"_s);
        // recorded on async_run: the server answers on this thread's event loop, which it drives
        const Recorded rec
            = record(path, int(Runner::Async), info->program(), info->handlerStack(), env, info->store, {});
        QCOMPARE(rec.result, u"Ok(['page a', 'page b'])"_s);
        QCOMPARE(server.received.size(), 2);
        // and as an input log alone (the run watched by nobody else)
        const QString log = file(u"network.inputs.doefftrace"_s);
        const Recorded logged
            = recordInputs(log, {}, int(Runner::Async), info->program(), info->handlerStack(), env, info->store, {});
        QCOMPARE(logged.result, rec.result);
        QCOMPARE(server.received.size(), 4);
        server.close();
        // the server is gone: a live run cannot fetch
        const QString live
            = resultText(runWith(int(Runner::Async), info->program(), info->handlerStack(), env, info->store, {}));
        QVERIFY2(live.startsWith(u"Err("_s) && live.contains(u"cannot fetch"_s), qPrintable(live));
        std::shared_ptr<Replay> r;
        QCOMPARE(replay(path, runner, info->program(), info->handlerStack(), {}, r), rec.result);
        QVERIFY2(r->complete(), qPrintable(r->report()));
        QCOMPARE(replay(log, runner, info->program(), info->handlerStack(), {}, r), rec.result);
        QVERIFY(r->inputsOnly());
        QVERIFY2(r->complete(), qPrintable(r->report()));
        QCOMPARE(server.received.size(), 4); // nothing more arrived
    }

    /// What if a handler were swapped, removed or added: every task's frames change, the one
    /// spawned before the change too, and the branch's own trace rebuilds the K it really had.
    void whatIfAHandlerChanged_data()
    {
        QTest::addColumn<int>("runner");
        QTest::addColumn<QString>("handler");
        QTest::addColumn<QString>("replacement");
        QTest::addColumn<QString>("expected");
        for (int runner : { int(Runner::Sync), int(Runner::Async) }) {
            const char* name = runner == int(Runner::Sync) ? "sync" : "async";
            // the main task's Halve(6) and the worker's Halve(20) come after the change
            QTest::addRow("%s swap", name) << runner << u"halving"_s << u"doubling"_s << u"Ok([4, 12, 40])"_s;
            QTest::addRow("%s remove", name)
                << runner << u"halving"_s << QString() << u"Err(UnhandledEffectError: No handler for Halve)"_s;
            QTest::addRow("%s add", name) << runner << QString() << u"keeps_big_ones"_s << u"Ok([4, 3, 20])"_s;
        }
    }
    void whatIfAHandlerChanged()
    {
        QFETCH(int, runner);
        QFETCH(QString, handler);
        QFETCH(QString, replacement);
        QFETCH(QString, expected);
        const QString path = file(u"whatif-handler.doefftrace"_s);
        const HandlerList handlers = sync_handlers_preset() + HandlerList { halving() };
        QCOMPARE(record(path, runner, halvesWithAWorker(), handlers, {}, {}, {}).result, u"Ok([4, 3, 10])"_s);
        // the step of the second Halve: the worker is spawned, and waits for its turn
        quint64 seen = 0;
        quint64 step = 0;
        {
            TraceReader reader;
            QVERIFY(reader.open(path));
            reader.forEachEvent(0, reader.eventCount(), [&](const Event& e) {
                if (e.kind == EventKind::EffectYielded && e.text == u"Halve"_s && ++seen == 2) step = e.step;
                return step == 0;
            });
        }
        QVERIFY(step > 0);
        QString error;
        auto r = Replay::open(path, &error);
        QVERIFY2(r, qPrintable(error));
        WhatIf w;
        w.kind = WhatIf::Kind::Handler;
        w.step = step;
        w.handler = handler;
        if (replacement == u"doubling"_s) w.replacement = doubling();
        if (replacement == u"keeps_big_ones"_s) w.replacement = keepsBigOnes();
        r->setWhatIf(w);
        const QString branchPath = file(u"whatif-handler-branch.doefftrace"_s);
        TraceRecorder branchTrace;
        QVERIFY(branchTrace.open(branchPath));
        KWatcher watcher;
        RunOptions options;
        options.replay = r;
        options.observers = { &branchTrace, &watcher };
        QCOMPARE(resultText(runWith(runner, halvesWithAWorker(), handlers, r->env(), r->store(), options)), expected);
        QVERIFY(branchTrace.finish());
        QVERIFY2(!r->diverged(), qPrintable(r->report()));
        QVERIFY(r->branched());
        QCOMPARE(r->branchStep(), step);

        const QString changed = replacement.isEmpty()
            ? u"handler=halving (removed by what-if)"_s
            : u"handler="_s + (replacement == u"doubling"_s ? u"doubling"_s : u"keeps_big_ones"_s);
        checkBranchK(watcher, branchPath, changed, handler.isEmpty() ? u"handler=halving"_s : QString());
    }

    /// A handler added while another is handling an effect: the handling finishes as it was,
    /// and the next effect meets the added handler.
    void whatIfAHandlerIsAddedWhileOneIsHandling()
    {
        const QString path = file(u"whatif-handling.doefftrace"_s);
        const HandlerList handlers = sync_handlers_preset() + HandlerList { halvingSlowly() };
        QCOMPARE(record(path, int(Runner::Sync), halvesTwice(), handlers, {}, {}, {}).result, u"Ok([4, 15])"_s);
        // the handler's Tell for Halve(8): the handling is on K
        const quint64 tell = firstEvent(
            path, [](const Event& e) { return e.kind == EventKind::EffectYielded && e.text == u"Tell"_s; });
        TraceReader reader;
        QVERIFY(reader.open(path));
        QList<Event> at;
        QVERIFY(reader.events(tell, tell + 1, at));
        QString error;
        auto r = Replay::open(path, &error);
        WhatIf w;
        w.kind = WhatIf::Kind::Handler;
        w.step = at[0].step;
        w.replacement = keepsBigOnes();
        r->setWhatIf(w);
        const QString branchPath = file(u"whatif-handling-branch.doefftrace"_s);
        TraceRecorder branchTrace;
        QVERIFY(branchTrace.open(branchPath));
        KWatcher watcher;
        RunOptions options;
        options.replay = r;
        options.observers = { &branchTrace, &watcher };
        const auto result = sync_run(halvesTwice(), handlers, {}, {}, options);
        QVERIFY(branchTrace.finish());
        QVERIFY2(!r->diverged(), qPrintable(r->report()));
        QCOMPARE(resultText(result), u"Ok([4, 30])"_s);
        int tells = 0; // only Halve(8) was halved slowly
        {
            TraceReader branch;
            QVERIFY(branch.open(branchPath));
            branch.forEachEvent(0, branch.eventCount(), [&](const Event& e) {
                tells += e.kind == EventKind::EffectYielded && e.text == u"Tell"_s;
                return true;
            });
        }
        QCOMPARE(tells, 1);
        checkBranchK(watcher, branchPath, u"handler=keeps_big_ones"_s, u"handler=halving_slowly"_s);
    }

    /// A what-if naming a handler the run does not have ends the replay with a report.
    void whatIfAHandlerThatIsNotThere()
    {
        const QString path = file(u"whatif-handler-missing.doefftrace"_s);
        const HandlerList handlers = sync_handlers_preset() + HandlerList { halving() };
        record(path, int(Runner::Sync), halvesWithAWorker(), handlers, {}, {}, {});
        QString error;
        auto r = Replay::open(path, &error);
        WhatIf w;
        w.kind = WhatIf::Kind::Handler;
        w.step = 3;
        w.handler = u"nope"_s;
        r->setWhatIf(w);
        RunOptions options;
        options.replay = r;
        const auto result = sync_run(halvesWithAWorker(), handlers, {}, {}, options);
        QVERIFY(r->diverged());
        QVERIFY2(r->report().contains(u"what if handler nope were removed: no task has a handler called nope"_s),
                 qPrintable(r->report()));
        QVERIFY(resultText(result).startsWith(u"Err(RunAbortedError"_s));
    }

    /// The example library offers handlers by name, for what-ifs (DOEFF_HANDLER).
    void theLibraryOffersHandlers()
    {
        const ProgramLibrary& lib = examples::library();
        const HandlerOffer* safe = lib.findHandler(u"safe_division"_s);
        QVERIFY(safe);
        QVERIFY(!safe->description.isEmpty());
        QCOMPARE(safe->make().name(), u"safe_division"_s);
        QVERIFY(!lib.findHandler(u"no_such_handler"_s));
        ProgramLibrary mine;
        QVERIFY(mine.addHandler({ u"h"_s, u"one"_s, [] { return halving(); } }));
        QVERIFY(!mine.addHandler({ u"h"_s, u"again"_s, [] { return halving(); } }));
        QVERIFY(!mine.addHandler({ u"g"_s, u"no make"_s, {} }));
        QCOMPARE(mine.problems(),
                 (QStringList { u"handler 'h' is offered twice"_s, u"handler 'g' has no make function"_s }));
    }

    /// A recording cut anywhere (the recorder was killed) replays up to its cut and then stops
    /// with a report: it never waits for what the recording does not have.
    void aCutRecordingEndsTheReplay()
    {
        operationsStarted = 0;
        const QString path = file(u"cut.doefftrace"_s);
        {
            TraceRecorderOptions small;
            small.blockEvents = 1; // a frame per event: a cut can fall between any two
            small.checkpointEvents = 0;
            TraceRecorder rec(small);
            QVERIFY(rec.open(path));
            rec.setMetadata(u"clock"_s, u"real"_s);
            RunOptions o;
            o.observers = { &rec };
            QCOMPARE(resultText(sync_run(awaitsAnOperation(), sync_handlers_preset(), {}, {}, o)), u"Ok(10)"_s);
            QVERIFY(rec.finish());
        }
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray whole = f.readAll();
        f.close();
        int cuts = 0;
        int waitedForNothing = 0; // cut after the Await, before its result
        for (qsizetype size = whole.size() - 100; size > 200; size -= 37) {
            const QString cut = file(u"cut-%1.doefftrace"_s.arg(size));
            QFile out(cut);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(whole.left(size));
            out.close();
            QString error;
            const auto r = Replay::open(cut, &error);
            if (!r) continue; // cut before the RunStarted frame
            RunOptions o;
            o.replay = r;
            const QString result = resultText(sync_run(awaitsAnOperation(), sync_handlers_preset(), {}, {}, o));
            if (r->complete()) { // only the index was cut: every event is there
                QCOMPARE(result, u"Ok(10)"_s);
                continue;
            }
            QVERIFY2(r->diverged(), qPrintable(u"cut at %1: %2"_s.arg(size).arg(result)));
            // stopped where the recording ends, or (cut in its last events) told after the end
            QVERIFY2(result.startsWith(u"Err(RunAbortedError: replay of "_s) || result == u"Ok(10)"_s,
                     qPrintable(result));
            waitedForNothing += r->report().contains(u"the recording has nothing more to give it: it ends here"_s);
            ++cuts;
        }
        QVERIFY(cuts > 5);
        QVERIFY(waitedForNothing > 0);
    }

    /// A value a trace holds only as text is named as what cannot be replayed.
    void unreplayableValueIsNamed()
    {
        const QString path = file(u"opaque.doefftrace"_s);
        const Recorded rec = record(path, int(Runner::Sync), awaitsAnOpaqueValue(), sync_handlers_preset(), {}, {}, {});
        QCOMPARE(rec.result, u"Ok(7)"_s);
        std::shared_ptr<Replay> r;
        replay(path, int(Runner::Sync), awaitsAnOpaqueValue(), sync_handlers_preset(), {}, r);
        QVERIFY(r->diverged());
        QVERIFY2(r->report().contains(u"Await 1 of task 0: its value (a "_s)
                     && r->report().contains(u"was recorded only as text"_s)
                     && r->report().contains(u"it cannot be replayed"_s),
                 qPrintable(r->report()));
    }

    /// What the recording started with comes back from it; a file that is not a trace is
    /// refused with its name.
    void openReadsTheStart()
    {
        const QString path = file(u"start.doefftrace"_s);
        RunOptions simulated;
        simulated.clock = Clock::Simulated;
        record(path, int(Runner::Sync), putsTwice(2), sync_handlers_preset(), Env { { u"who"_s, u"Ada"_s } },
               Store { { u"k"_s, 5 } }, simulated);
        QString error;
        const auto r = Replay::open(path, &error);
        QVERIFY2(r, qPrintable(error));
        QCOMPARE(r->env().value(u"who"_s).toString(), u"Ada"_s);
        QCOMPARE(r->store().find(u"k"_s)->toInt(), 5);
        QVERIFY(r->simulatedClock());
        QVERIFY(r->recordedEvents() > 0);

        QFile junk(file(u"junk.doefftrace"_s));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a trace at all");
        junk.close();
        QVERIFY(!Replay::open(junk.fileName(), &error));
        QVERIFY2(error.contains(junk.fileName()), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestReplay)
#include "tst_replay.moc"
