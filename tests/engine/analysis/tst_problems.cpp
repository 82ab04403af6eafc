// Problems (doeff/problems.h): for each lint a program that triggers it and one that must not,
// found live event by event and over a trace, each lint switchable off.
#include "ring.h"

#include <doeff/doeff.h>
#include <doeff/problems.h>
#include <doeff/trace.h>

#include <QBuffer>
#include <QTest>

#include <algorithm>
#include <deque>
#include <memory>
#include <vector>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

using testcommon::ringMain;

/// Feeds a ProblemFinder live and keeps every event's owned record (for partial replays).
struct Finder final : Observer {
    explicit Finder(ProblemOptions o = {})
        : finder(std::move(o))
    { }
    ProblemFinder finder;
    std::deque<Event> events;
    void onRecord(const Event& e, const RunView&) override
    {
        finder.apply(e);
        Event copy = e;
        copy.file = nullptr; // valid during the callback only
        copy.function = nullptr;
        events.push_back(std::move(copy));
    }
};

template<class T> QList<Problem> problemsOf(Program<T> program, ProblemOptions options = {}, Finder** keep = nullptr)
{
    static std::unique_ptr<Finder> last;
    last = std::make_unique<Finder>(options);
    RunOptions ro;
    ro.observers = { last.get() };
    sync_run(std::move(program), sync_handlers_preset(), {}, {}, ro);
    if (keep) *keep = last.get();
    return last->finder.problems();
}

QList<Problem> ofKind(const QList<Problem>& all, ProblemKind kind)
{
    QList<Problem> out;
    for (const Problem& p : all)
        if (p.kind == kind) out.append(p);
    return out;
}

Program<int> one()
{
    co_return 1;
}

// ---- deadlock: a ring of tasks --------------------------------------------------------------

// ---- deadlock: two tasks each waiting on the promise the other would complete ----------------
Program<int> partnerOf(Promise<int> mine, Future<int> theirs)
{
    const int v = co_await Wait(theirs);
    co_await CompletePromise(mine, v);
    co_return v;
}
Program<QVariantList> promiseRing()
{
    Promise<int> a = co_await CreatePromise<int>();
    Promise<int> b = co_await CreatePromise<int>();
    const SpawnOptions ao { u"a"_s };
    const SpawnOptions bo { u"b"_s };
    Program<int> pa = partnerOf(a, b.future());
    Program<int> pb = partnerOf(b, a.future());
    Task<int> ta = co_await Spawn(std::move(pa), ao);
    Task<int> tb = co_await Spawn(std::move(pb), bo);
    co_return co_await Gather(ta, tb);
}

// ---- failures, waits, promises ---------------------------------------------------------------
Program<int> failing()
{
    co_await Tell("about to fail");
    throw InvalidArgumentError(u"lost"_s);
}
Program<int> forgetsAFailure()
{
    const SpawnOptions o { u"failing"_s };
    co_await Spawn(failing(), o);
    co_return 0;
}
Program<int> observesAFailure()
{
    const SpawnOptions o { u"failing"_s };
    Task<int> t = co_await Spawn(failing(), o);
    auto r = co_await Safe(Wait(t));
    co_return r.is_ok() ? 1 : 0;
}
Program<int> worker()
{
    co_return 7;
}
Program<int> forgetsATask()
{
    const SpawnOptions o { u"worker"_s };
    co_await Spawn(worker(), o);
    co_return 0;
}
Program<int> waitsATask()
{
    const SpawnOptions o { u"worker"_s };
    Task<int> t = co_await Spawn(worker(), o);
    co_return co_await Wait(t);
}
Program<int> waitsOnAnAbandonedPromise()
{
    Promise<int> p = co_await CreatePromise<int>();
    auto r = co_await Safe(Wait(p.future()));
    co_return r.is_ok() ? 1 : 0;
}
Program<void> completer(Promise<int> p)
{
    co_await CompletePromise(p, 5);
}
Program<int> waitsOnACompletedPromise()
{
    Promise<int> p = co_await CreatePromise<int>();
    const SpawnOptions o { u"completer"_s };
    Task<void> t = co_await Spawn(completer(p), o);
    const int v = co_await Wait(p.future());
    co_await Wait(t);
    co_return v;
}

// ---- cancel while awaited ----------------------------------------------------------------------
Program<int> stuck(Future<int> never)
{
    co_return co_await Wait(never);
}
Program<int> watcher(Task<int> t)
{
    auto r = co_await Safe(Wait(t));
    co_return r.is_ok() ? 1 : 0;
}
Program<void> canceller(Task<int> t)
{
    co_await t.cancel();
}
Program<int> cancelsAWaitedTask(bool watched)
{
    Promise<int> never = co_await CreatePromise<int>();
    const SpawnOptions w { u"stuck"_s };
    Task<int> s = co_await Spawn(stuck(never.future()), w);
    const SpawnOptions o { u"watcher"_s };
    std::optional<Task<int>> watch;
    if (watched) watch = co_await Spawn(watcher(s), o);
    const SpawnOptions c { u"canceller"_s };
    Task<void> k = co_await Spawn(canceller(s), c);
    co_await Wait(k);
    if (watch) co_await Wait(*watch);
    auto r = co_await Safe(Wait(s));
    co_return r.is_ok() ? 1 : 0;
}

// ---- handlers that neither resume nor fail ------------------------------------------------------
struct Ping : Effect<Ping, int> {
    static constexpr auto name = "Ping";
    QVariantMap fields() const { return {}; }
};
Program<int> pings()
{
    const int v = co_await Ping {};
    co_await Tell("after the ping");
    co_return v;
}
/// Answers Ping by discarding the continuation: the Tell after it never runs.
Handler aborting()
{
    return handler(u"aborting"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (!e.is<Ping>()) return Forward();
        return HandlerResult::abort(QVariant(7));
    });
}
Handler resuming()
{
    return handler(u"resuming"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (!e.is<Ping>()) return Forward();
        return Resume(7);
    });
}
/// A coroutine handler that takes its time before resuming.
Handler slow()
{
    return handler(u"slow"_s, [](const AnyEffect& e, HandlerContext&) -> Program<HandlerResult> {
        if (!e.is<Ping>()) co_return Forward();
        co_await Delay(10);
        co_return Resume(7);
    });
}
Program<int> abortedPing()
{
    co_return co_await WithHandler(aborting(), pings());
}
Program<int> resumedPing()
{
    const int a = co_await WithHandler(resuming(), pings());
    const int b = co_await WithHandler(slow(), pings());
    co_return a + b;
}
Program<int> pingsSlowly()
{
    co_return co_await WithHandler(slow(), pings());
}
/// The slow handler is still running when its task is cancelled.
Program<int> cancelledWhileHandling()
{
    const SpawnOptions o { u"pinger"_s };
    Task<int> t = co_await Spawn(pingsSlowly(), o);
    co_await Delay(1);
    co_await t.cancel();
    co_return 0;
}

// ---- a Safe's Err -------------------------------------------------------------------------------
constexpr int discardsAnErrLine = __LINE__ + 3;
Program<int> discardsAnErr()
{
    co_await Safe(failing());
    co_await Put("next", 1);
    co_return 0;
}
Program<int> reportsAnErr()
{
    auto r = co_await Safe(failing());
    if (r.is_err()) co_await Tell(u"it failed: "_s + r.error().message());
    co_return 0;
}
/// Drops the Err and returns at once: nothing after the Safe would have shown it.
Program<int> dropsAndReturns()
{
    co_await Safe(failing());
    co_return 0;
}
/// Tests the Err, then does something that does not mention it: looked at.
Program<int> testsThenGoesOn()
{
    auto r = co_await Safe(failing());
    if (r.is_err()) co_await Put("fallback", 1);
    co_return 0;
}
Program<int> looksAt(Result<int> r)
{
    co_return r.is_ok() ? 1 : 0;
}
/// Hands a copy of the Err to another program, which looks at it.
Program<int> passesItOn()
{
    auto r = co_await Safe(failing());
    co_return co_await looksAt(r);
}
/// Looks at the first Err, not at the second.
constexpr int secondSafeLine = __LINE__ + 4;
Program<int> looksAtOneOfTwo()
{
    auto first = co_await Safe(failing());
    auto second = co_await Safe(failing());
    co_return first.is_err() ? 1 : 0;
}

// ---- blocked a long time (timer time) -----------------------------------------------------------
Program<int> sleeper(double seconds)
{
    co_await Delay(seconds);
    co_return 1;
}
Program<int> waitsOnASleeper(double seconds)
{
    const SpawnOptions o { u"sleeper"_s };
    Program<int> p = sleeper(seconds);
    Task<int> t = co_await Spawn(std::move(p), o);
    co_return co_await Wait(t);
}

template<class T> QList<Problem> problemsSimulated(Program<T> program, ProblemOptions options = {})
{
    Finder f(std::move(options));
    RunOptions ro;
    ro.clock = Clock::Simulated;
    ro.observers = { &f };
    sync_run(std::move(program), sync_handlers_preset(), {}, {}, ro);
    return f.finder.problems();
}

// ---- store and log -----------------------------------------------------------------------------
Program<int> writesAndForgets()
{
    co_await Put("unused", 1);
    co_await Put("used", 2);
    co_return co_await Get<int>("used");
}
Program<int> tells(int n)
{
    for (int i = 0; i < n; ++i)
        co_await Tell(u"line %1"_s.arg(i));
    co_return n;
}

} // namespace

class TestProblems : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void deadlockNamesItsCycle()
    {
        const QList<Problem> d = ofKind(problemsOf(ringMain(3)), ProblemKind::Deadlock);
        QCOMPARE(d.size(), 1);
        QCOMPARE(d[0].severity, Severity::Error);
        QVERIFY2(d[0].message.startsWith(u"deadlock: 4 tasks blocked; cycle: task 1 'm0' \u2192 task 2 'm1' \u2192 "
                                         u"task 3 'm2' \u2192 task 1 'm0'"_s),
                 qPrintable(d[0].message));
        QVERIFY(!d[0].related.isEmpty());
        QVERIFY(ofKind(problemsOf(one()), ProblemKind::Deadlock).isEmpty());
    }
    /// Tasks waiting on each other's promise: the ring goes through the promises (who could
    /// complete each is followed through the events, doeff/waitfor.h).
    void deadlockThroughPromisesNamesItsCycle()
    {
        const QList<Problem> d = ofKind(problemsOf(promiseRing()), ProblemKind::Deadlock);
        QCOMPARE(d.size(), 1);
        QVERIFY2(d[0].message.startsWith(u"deadlock: 3 tasks blocked; cycle: task 1 'a' \u2192 promise 2 (created by "
                                         u"task 0 'main' at tst_problems.cpp:"_s),
                 qPrintable(d[0].message));
        QVERIFY2(d[0].message.contains(u"\u2192 task 2 'b' \u2192 promise 1 (created by task 0 'main' at "
                                       u"tst_problems.cpp:"_s),
                 qPrintable(d[0].message));
    }
    /// A handler that discarded the continuation (Abort), and a coroutine handler still running
    /// when its task was cancelled; handlers that resume (fast or coroutine) are not reported.
    void unresumedHandler()
    {
        QList<Problem> p = ofKind(problemsOf(abortedPing()), ProblemKind::UnresumedHandler);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].severity, Severity::Warning);
        QCOMPARE(p[0].task, 0);
        QVERIFY2(p[0].message.startsWith(u"handler 'aborting' took Ping() in task 0 'main' and neither resumed nor "
                                         u"failed it: it discarded the continuation"_s),
                 qPrintable(p[0].message));
        QVERIFY(p[0].file.endsWith(u"tst_problems.cpp"_s));

        p = ofKind(problemsSimulated(cancelledWhileHandling()), ProblemKind::UnresumedHandler);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].task, 1);
        QVERIFY2(p[0].message.contains(u"handler 'slow' took Ping() in task 1 'pinger'"_s), qPrintable(p[0].message));
        QVERIFY2(p[0].message.endsWith(u"its task ended (cancelled) while the handler still ran"_s),
                 qPrintable(p[0].message));

        QVERIFY(ofKind(problemsSimulated(resumedPing()), ProblemKind::UnresumedHandler).isEmpty());
        ProblemOptions off;
        off.disabled.insert(ProblemKind::UnresumedHandler);
        QVERIFY(ofKind(problemsOf(abortedPing(), off), ProblemKind::UnresumedHandler).isEmpty());
    }
    /// A Safe's Err the next effect does not mention; one the program reports is not a problem,
    /// nor one the program only tests before returning.
    void discardedSafeError()
    {
        QList<Problem> p = ofKind(problemsOf(discardsAnErr()), ProblemKind::DiscardedSafeError);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].severity, Severity::Warning);
        QCOMPARE(p[0].task, 0);
        // at the Safe, the step it caught the error at; the program's end is the related step
        QVERIFY2(p[0].file.endsWith(u"tst_problems.cpp"_s), qPrintable(p[0].file));
        QCOMPARE(p[0].line, discardsAnErrLine);
        QCOMPARE(p[0].message,
                 u"Safe caught InvalidArgumentError: lost in task 0 'main' at step %1, and the program it went to "
                 u"finished without looking at it (is_ok, is_err, value, error, …)"_s.arg(p[0].step));
        QCOMPARE(p[0].related.size(), 1);
        QVERIFY(p[0].related[0] > p[0].step);
        QCOMPARE(ofKind(problemsOf(dropsAndReturns()), ProblemKind::DiscardedSafeError).size(), 1);
        // looked at: directly, after a test, through a copy another program reads
        QVERIFY(ofKind(problemsOf(reportsAnErr()), ProblemKind::DiscardedSafeError).isEmpty());
        QVERIFY(ofKind(problemsOf(observesAFailure()), ProblemKind::DiscardedSafeError).isEmpty());
        QVERIFY(ofKind(problemsOf(testsThenGoesOn()), ProblemKind::DiscardedSafeError).isEmpty());
        QVERIFY(ofKind(problemsOf(passesItOn()), ProblemKind::DiscardedSafeError).isEmpty());
        // each Err on its own
        p = ofKind(problemsOf(looksAtOneOfTwo()), ProblemKind::DiscardedSafeError);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].line, secondSafeLine);
        ProblemOptions off;
        off.disabled.insert(ProblemKind::DiscardedSafeError);
        QVERIFY(ofKind(problemsOf(discardsAnErr(), off), ProblemKind::DiscardedSafeError).isEmpty());
    }
    /// Main waits on a task that sleeps 120 s of simulated time: past the 60 s bound; a 10 s
    /// sleep is not, unless the bound is lower.
    void blockedTooLong()
    {
        QList<Problem> p = ofKind(problemsSimulated(waitsOnASleeper(120)), ProblemKind::BlockedTooLong);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].task, 0);
        QCOMPARE(p[0].severity, Severity::Warning);
        QCOMPARE(p[0].message,
                 u"task 0 'main' stayed blocked 120 s of timer time (bound 60 s) waiting on Wait(task 1 "
                 u"'sleeper')"_s);
        QVERIFY(ofKind(problemsSimulated(waitsOnASleeper(10)), ProblemKind::BlockedTooLong).isEmpty());
        ProblemOptions tight;
        tight.blockedBound = 5;
        QCOMPARE(ofKind(problemsSimulated(waitsOnASleeper(10), tight), ProblemKind::BlockedTooLong).size(), 1);
        ProblemOptions off;
        off.disabled.insert(ProblemKind::BlockedTooLong);
        QVERIFY(ofKind(problemsSimulated(waitsOnASleeper(120), off), ProblemKind::BlockedTooLong).isEmpty());
    }
    void unobservedFailure()
    {
        const QList<Problem> p = ofKind(problemsOf(forgetsAFailure()), ProblemKind::UnobservedFailure);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].task, 1);
        QVERIFY2(
            p[0].message.contains(u"task 1 'failing' failed and nobody waited on it: InvalidArgumentError: lost"_s),
            qPrintable(p[0].message));
        QVERIFY(ofKind(problemsOf(observesAFailure()), ProblemKind::UnobservedFailure).isEmpty());
    }
    void neverWaited()
    {
        const QList<Problem> p = ofKind(problemsOf(forgetsATask()), ProblemKind::NeverWaited);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].severity, Severity::Info);
        QCOMPARE(p[0].task, 1);
        QVERIFY(ofKind(problemsOf(waitsATask()), ProblemKind::NeverWaited).isEmpty());
    }
    void unfinishedTaskWhenTheEventsEnd()
    {
        // the events of a deadlocking ring, cut before the deadlock: the members never finished
        Finder* f = nullptr;
        problemsOf(ringMain(3), {}, &f);
        ProblemFinder cut;
        for (const Event& e : f->events) {
            if (e.kind == EventKind::ErrorRaised) break;
            cut.apply(e);
        }
        cut.finish();
        const QList<Problem> p = ofKind(cut.problems(), ProblemKind::UnfinishedTask);
        QCOMPARE(p.size(), 4); // main and m0..m2
        const auto m0 = std::find_if(p.begin(), p.end(), [](const Problem& x) { return x.task == 1; });
        QVERIFY(m0 != p.end());
        QCOMPARE(m0->message, u"task 1 'm0' had not finished when the events ended (it waits on Wait(task 2 'm1'))"_s);
        QVERIFY(ofKind(problemsOf(ringMain(3)), ProblemKind::UnfinishedTask).isEmpty());
    }
    void uncompletedPromise()
    {
        const QList<Problem> p = ofKind(problemsOf(waitsOnAnAbandonedPromise()), ProblemKind::UncompletedPromise);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].message, u"promise 1 was waited on by task 0 'main' and nobody completed or failed it"_s);
        QVERIFY(ofKind(problemsOf(waitsOnACompletedPromise()), ProblemKind::UncompletedPromise).isEmpty());
    }
    void cancelledWhileAwaited()
    {
        const QList<Problem> p = ofKind(problemsOf(cancelsAWaitedTask(true)), ProblemKind::CancelledWhileAwaited);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].message, u"task 1 'stuck' was cancelled while task 2 'watcher' waited on it"_s);
        QVERIFY(ofKind(problemsOf(cancelsAWaitedTask(false)), ProblemKind::CancelledWhileAwaited).isEmpty());
    }
    void unreadStoreKey()
    {
        const QList<Problem> p = ofKind(problemsOf(writesAndForgets()), ProblemKind::UnreadStoreKey);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].message, u"store key 'unused' was written and never read"_s);
        QVERIFY(!p[0].file.isEmpty());
    }
    void logTooLong()
    {
        ProblemOptions o;
        o.logBound = 3;
        const QList<Problem> p = ofKind(problemsOf(tells(5), o), ProblemKind::LogTooLong);
        QCOMPARE(p.size(), 1);
        QCOMPARE(p[0].message, u"the log passed 3 entries"_s);
        QVERIFY(ofKind(problemsOf(tells(3), o), ProblemKind::LogTooLong).isEmpty());
    }
    void eachLintCanBeSwitchedOff()
    {
        ProblemOptions o;
        for (int k = 0; k < ProblemKindCount; ++k)
            o.disabled.insert(ProblemKind(k));
        QVERIFY(problemsOf(ringMain(3), o).isEmpty());
        QVERIFY(problemsOf(forgetsAFailure(), o).isEmpty());
        QVERIFY(problemsOf(writesAndForgets(), o).isEmpty());
    }
    void overATraceWithProgressAndCancel()
    {
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        Finder live;
        {
            TraceRecorder rec;
            QVERIFY(rec.start(&buffer, u"ring.doefftrace"_s));
            RunOptions ro;
            ro.observers = { &live, &rec };
            sync_run(ringMain(3), sync_handlers_preset(), {}, {}, ro);
            QVERIFY(rec.finish());
        }
        TraceReader reader;
        QVERIFY(reader.openData(bytes, u"ring.doefftrace"_s));
        quint64 lastDone = 0;
        const auto found = findProblems(reader, {}, [&](quint64 done, quint64 total) {
            lastDone = done;
            return done <= total;
        });
        QVERIFY(found);
        QCOMPARE(lastDone, reader.eventCount());
        QCOMPARE(found->size(), live.finder.problems().size());
        for (qsizetype i = 0; i < found->size(); ++i)
            QCOMPARE(formatProblem(found->at(i)), formatProblem(live.finder.problems().at(i)));
        QString error;
        QVERIFY(!findProblems(
            reader, {}, [](quint64, quint64) { return false; }, &error));
        QCOMPARE(error, u"cancelled"_s);
    }
};

QTEST_GUILESS_MAIN(TestProblems)
#include "tst_problems.moc"
