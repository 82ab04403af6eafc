// The wait-for graph (doeff/waitfor.h): who waits on what at a step, who created each promise
// waited on, and the rings of tasks waiting on each other, live, from a trace and from a
// saved result.
#include "ring.h"

#include <doeff/doeff.h>
#include <doeff/session.h>
#include <doeff/trace.h>
#include <doeff/waitfor.h>
#include <doeff_examples.h>

#include <QBuffer>
#include <QFileInfo>
#include <QTest>

#include <memory>
#include <vector>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

using testcommon::ringMain;

/// Reduces the live stream and keeps the graph of the step where the most tasks waited.
struct Watcher final : Observer {
    SessionState state;
    PromiseOrigins origins;
    WaitForGraph most;
    qsizetype mostWaiting = -1;
    void onRecord(const Event& e, const RunView&) override
    {
        state.apply(e);
        origins.apply(e);
        if (e.kind != EventKind::TaskStateChanged) return;
        WaitForGraph g = waitForGraph(state, &origins);
        qsizetype waiting = 0;
        for (const WaitForTask& t : g.tasks)
            if (t.blocked()) ++waiting;
        if (waiting > mostWaiting) {
            mostWaiting = waiting;
            most = std::move(g);
        }
    }
};

Program<int> one()
{
    co_return 1;
}

struct Recorded {
    QByteArray trace;
    WaitForGraph most;
    std::optional<RuntimeResult<QVariant>> result;
};

Recorded runExample(const QString& name)
{
    Recorded out;
    const ProgramInfo* info = examples::library().find(name);
    if (!info) return out;
    QBuffer buffer(&out.trace);
    buffer.open(QIODevice::WriteOnly);
    Watcher w;
    {
        TraceRecorder rec;
        rec.start(&buffer, name + u".doefftrace"_s);
        RunOptions options = info->options;
        options.observers = { &w, &rec };
        out.result = sync_run(info->program(), info->handlerStack(), info->env, info->store, options);
        rec.finish();
    }
    out.most = w.most;
    return out;
}

// ---- a promise's handle received in an answer -------------------------------------------------
// The courier creates a promise and returns its handle; main receives it (Wait's answer) and
// spawns a waiter on it, then waits on the waiter. Only main could complete the promise now
// (the courier has ended, the waiter waits on it): main and the waiter wait on each other.
Program<QVariant> courier()
{
    const Promise<QVariant> p = co_await CreatePromise();
    co_return toVariant(p.future());
}

Program<QVariant> waitOn(Waitable handle)
{
    co_return co_await Wait(handle);
}

Program<QVariant> receiverMain()
{
    const SpawnOptions courierOptions { .name = u"courier"_s };
    Program<QVariant> c = courier();
    const Task<QVariant> t = co_await Spawn(std::move(c), courierOptions);
    const QVariant handle = co_await Wait(t);
    const SpawnOptions waiterOptions { .name = u"waiter"_s };
    Program<QVariant> w = waitOn(handle.value<Waitable>());
    const Task<QVariant> waiter = co_await Spawn(std::move(w), waiterOptions);
    co_return co_await Wait(waiter);
}

/// A task waiting on the promise it created, which nobody else holds.
Program<QVariant> selfWaitMain()
{
    const Promise<QVariant> p = co_await CreatePromise();
    co_return co_await Wait(p.future());
}

Event ev(EventKind kind, quint64 step, int task)
{
    Event e;
    e.kind = kind;
    e.step = step;
    e.task = task;
    return e;
}

QVariant handle(int promise)
{
    return QVariant::fromValue(Waitable(Waitable::Kind::Future, 1, promise));
}

Event spawned(quint64 step, int task, int parent, TaskKindCode kind = TaskKindCode::Spawned)
{
    Event e = ev(EventKind::TaskSpawned, step, task);
    e.index = parent;
    e.code = int(kind);
    return e;
}

QString where(const WaitForTask& t)
{
    return QFileInfo(t.file).fileName() + u':' + QString::number(t.line);
}

} // namespace

class TestWaitFor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void parsesEveryBlockingLabel()
    {
        const QList<WaitTarget> g = parseWaitLabel(u"Gather(task 1 'a', promise 2, external promise 4)"_s);
        QCOMPARE(g.size(), 3);
        QCOMPARE(g[0].kind, WaitTarget::Kind::Task);
        QCOMPARE(g[0].id, 1);
        QCOMPARE(g[0].name, u"a"_s);
        QCOMPARE(g[1].kind, WaitTarget::Kind::Promise);
        QCOMPARE(g[1].id, 2);
        QCOMPARE(g[2].kind, WaitTarget::Kind::ExternalPromise);
        QCOMPARE(g[2].id, 4);
        const QList<WaitTarget> lazy = parseWaitLabel(u"Ask('svc') (evaluated by task 3 'loader')"_s);
        QCOMPARE(lazy.size(), 1);
        QCOMPARE(lazy[0].kind, WaitTarget::Kind::LazyAsk);
        QCOMPARE(lazy[0].id, 3);
        QCOMPARE(lazy[0].name, u"loader"_s);
        QCOMPARE(parseWaitLabel(u"timer"_s).value(0).kind, WaitTarget::Kind::Timer);
        QCOMPARE(parseWaitLabel(u"Await()"_s).value(0).kind, WaitTarget::Kind::Await);
        QVERIFY(parseWaitLabel(QString()).isEmpty());
    }

    /// examples/concurrency.cpp `deadlock`: alice and bob wait on each other's promise, main on
    /// both; main created both promises; who would complete them the machine cannot know.
    void deadlockExampleNodeByNode()
    {
        Recorded r = runExample(u"deadlock"_s);
        QVERIFY(r.result);
        const WaitForGraph& g = r.most;
        QCOMPARE(g.tasks.size(), 3);
        const WaitForTask* main = g.task(0);
        const WaitForTask* alice = g.task(1);
        const WaitForTask* bob = g.task(2);
        QVERIFY(main && alice && bob);
        QCOMPARE(main->name, u"main"_s);
        QCOMPARE(main->state, TaskStateCode::Blocked);
        QCOMPARE(main->waitsOn, u"Gather(task 1 'alice', task 2 'bob')"_s);
        QCOMPARE(main->program, u"deadlock_main"_s);
        QCOMPARE(where(*main), u"concurrency.cpp:146"_s);
        QCOMPARE(alice->name, u"alice"_s);
        QCOMPARE(alice->waitsOn, u"Wait(promise 2)"_s);
        QCOMPARE(alice->program, u"partner"_s);
        QCOMPARE(where(*alice), u"concurrency.cpp:133"_s);
        QCOMPARE(alice->waits.size(), 1);
        QCOMPARE(alice->waits[0].kind, WaitTarget::Kind::Promise);
        QCOMPARE(bob->waitsOn, u"Wait(promise 1)"_s);
        QCOMPARE(where(*bob), u"concurrency.cpp:133"_s);
        QCOMPARE(g.promises.size(), 2);
        const WaitForPromise* p1 = g.promise(1);
        const WaitForPromise* p2 = g.promise(2);
        QVERIFY(p1 && p2);
        QVERIFY(p1->originKnown && p2->originKnown);
        QCOMPARE(p1->creator, 0);
        QCOMPARE(p1->creatorName, u"main"_s);
        QCOMPARE(QFileInfo(p1->file).fileName() + u':' + QString::number(p1->line), u"concurrency.cpp:140"_s);
        QCOMPARE(p2->line, 141);
        QCOMPARE(p1->waiters, QList<int> { 2 });
        QCOMPARE(p2->waiters, QList<int> { 1 });
        // who could complete each: main created both, and spawned alice and bob after (their
        // arguments are not in the events, so both may hold both); the waiter itself does not count
        QVERIFY(p1->completersKnown && !p1->completersMore);
        QCOMPARE(p1->completers.size(), 2);
        QCOMPARE(p1->completers[0].task, 1); // the most recent holder first
        QCOMPARE(p1->completers[0].how, HoldHow::Spawned);
        QCOMPARE(p1->completers[0].via, 0);
        QCOMPARE(p1->completers[1].task, 0);
        QCOMPARE(p1->completers[1].how, HoldHow::Created);
        QCOMPARE(p2->completers.size(), 2);
        QCOMPARE(p2->completers[0].task, 2);
        QCOMPARE(p2->completers[1].task, 0);
        QVERIFY(main->stuck && alice->stuck && bob->stuck);
        QVERIFY(p1->stuck && p2->stuck);
        // the ring through the promises, first; then the rings through main, which created them
        QVERIFY(!g.cycles.isEmpty());
        QCOMPARE(g.cycles[0].tasks, (QList<int> { 1, 2 }));
        QCOMPARE(g.cycles[0].promises, (QList<int> { 2, 1 }));
        const QString ring
            = u"task 1 'alice' \u2192 promise 2 (created by task 0 'main' at concurrency.cpp:141) \u2192 "
              u"task 2 'bob' \u2192 promise 1 (created by task 0 'main' at concurrency.cpp:140) \u2192 "
              u"task 1 'alice'"_s;
        QCOMPARE(g.cycles[0].text, ring);
        QVERIFY2(g.text().contains(u"\ncycle: "_s + ring + u'\n'), qPrintable(g.text()));
        QVERIFY2(g.text().contains(u"task 1 'alice' [blocked, stuck] in partner"_s), qPrintable(g.text()));
        QVERIFY2(g.text().contains(u"waited on by task 2 'bob'; could be completed by: task 1 'alice' (spawned by "
                                   u"task 0 after it held it), task 0 'main' (created it)\n"_s),
                 qPrintable(g.text()));
        QVERIFY2(g.text().contains(u"promise 1: created by task 0 'main' at concurrency.cpp:140"_s),
                 qPrintable(g.text()));

        // the same graph from the trace at that step
        TraceReader reader;
        QVERIFY2(reader.openData(r.trace, u"deadlock.doefftrace"_s), qPrintable(reader.errorString()));
        PromiseOrigins origins;
        QVERIFY(origins.scan(reader));
        // the step where the tasks blocked also delivered their DeadlockError: the moment to
        // show is after the events that blocked them, which the origins found
        QVERIFY(origins.deadlockEvents() > 0);
        const std::optional<WaitForGraph> fromTrace
            = waitForGraphAtEvent(reader, quint64(origins.deadlockEvents()), &origins);
        QVERIFY(fromTrace);
        QCOMPARE(fromTrace->text(), g.text());
    }

    /// examples/concurrency.cpp `pipeline`: the stages wait on the promises main created.
    void pipelineExampleNodeByNode()
    {
        Recorded r = runExample(u"pipeline"_s);
        QVERIFY(r.result);
        const WaitForGraph& g = r.most;
        const WaitForTask* main = g.task(0);
        QVERIFY(main);
        QCOMPARE(main->waitsOn, u"Wait(task 3 'consumer')"_s);
        QCOMPARE(main->waits.value(0).kind, WaitTarget::Kind::Task);
        QCOMPARE(main->waits.value(0).id, 3);
        const WaitForTask* consumer = g.task(3);
        QVERIFY(consumer);
        QCOMPARE(consumer->name, u"consumer"_s);
        QCOMPARE(consumer->program, u"consume"_s);
        QCOMPARE(consumer->waitsOn, u"Wait(promise 2)"_s);
        QCOMPARE(where(*consumer), u"concurrency.cpp:105"_s);
        const WaitForPromise* parsed = g.promise(2);
        QVERIFY(parsed && parsed->originKnown);
        QCOMPARE(parsed->creator, 0);
        QCOMPARE(parsed->line, 116);
        QCOMPARE(parsed->waiters, QList<int> { 3 });
        // main created it and waits on the consumer, which waits on it: a ring only if nobody
        // else could complete it, but the parser (spawned after it) may, and is not stuck
        QVERIFY(parsed->completersKnown);
        QList<int> completers;
        for (const PromiseHolder& h : parsed->completers)
            completers.append(h.task);
        QVERIFY2(completers.contains(2) && completers.contains(0) && !completers.contains(3), qPrintable(g.text()));
        QVERIFY(!parsed->stuck && !consumer->stuck && !main->stuck);
        QVERIFY(g.cycles.isEmpty());
    }

    /// Tasks waiting on each other in a ring: the cycle, named, in the graph and in the text;
    /// the same one the machine's DeadlockError names.
    void ringIsACycle()
    {
        Watcher w;
        RunOptions options;
        options.observers = { &w };
        auto result = sync_run(ringMain(3), sync_handlers_preset(), {}, {}, options);
        QVERIFY(result.is_err());
        const WaitForGraph& g = w.most;
        QCOMPARE(g.cycles.size(), 1);
        QCOMPARE(g.cycles[0].tasks, (QList<int> { 1, 2, 3 }));
        const QString cycle = u"task 1 'm0' \u2192 task 2 'm1' \u2192 task 3 'm2' \u2192 task 1 'm0'"_s;
        QCOMPARE(g.cycles[0].text, cycle);
        QVERIFY(g.text().endsWith(u"cycle: "_s + cycle + u'\n'));
        QCOMPARE(result.wait_cycle(), cycle);
        // from the result alone: the report's entries and the same cycle
        const WaitForGraph fromResult = waitForGraphOfResult(result);
        QCOMPARE(fromResult.tasks.size(), 4);
        QCOMPARE(fromResult.task(1)->waitsOn, u"Wait(task 2 'm1')"_s);
        QCOMPARE(fromResult.cycles.size(), 1);
        QCOMPARE(fromResult.cycles[0].text, cycle);
    }

    /// A handle received as a value (here a task's result, through Wait) makes its receiver a
    /// holder: main, which received it, is the only live task that could complete the promise,
    /// so main and the waiter form a ring through the promise. The trace (where the handle is
    /// kept as text) gives the same graph.
    void handleReceivedInAnAnswerMakesACompleter()
    {
        QByteArray trace;
        QBuffer buffer(&trace);
        buffer.open(QIODevice::WriteOnly);
        Watcher w;
        TraceRecorder rec;
        rec.start(&buffer, u"receiver.doefftrace"_s);
        RunOptions options;
        options.observers = { &w, &rec };
        auto result = sync_run(receiverMain(), sync_handlers_preset(), {}, {}, options);
        rec.finish();
        QVERIFY(result.is_err());
        const WaitForGraph& g = w.most;
        const WaitForPromise* p = g.promise(1);
        QVERIFY(p);
        QCOMPARE(p->creator, 1);
        QVERIFY(p->completersKnown);
        QCOMPARE(p->completers.size(), 1);
        QCOMPARE(p->completers[0].task, 0);
        QCOMPARE(p->completers[0].how, HoldHow::Received);
        QCOMPARE(g.cycles.size(), 1);
        QCOMPARE(g.cycles[0].tasks, (QList<int> { 0, 2 }));
        QCOMPARE(g.cycles[0].promises, (QList<int> { -1, 1 }));
        QVERIFY2(
            g.cycles[0].text.startsWith(u"task 0 'main' \u2192 task 2 'waiter' \u2192 promise 1 (created by task 1 "
                                        u"'courier' at tst_waitfor.cpp:"_s),
            qPrintable(g.cycles[0].text));
        QVERIFY(g.text().contains(u"could be completed by: task 0 'main' (received it in an answer)\n"_s));

        TraceReader reader;
        QVERIFY2(reader.openData(trace, u"receiver.doefftrace"_s), qPrintable(reader.errorString()));
        PromiseOrigins origins;
        QVERIFY(origins.scan(reader));
        const std::optional<WaitForGraph> fromTrace
            = waitForGraphAtEvent(reader, quint64(origins.deadlockEvents()), &origins);
        QVERIFY(fromTrace);
        QCOMPARE(fromTrace->text(), g.text());
    }

    /// A task waiting on its own promise, which no other task holds: nothing can complete it.
    void promiseNobodyElseHoldsIsStuck()
    {
        Watcher w;
        RunOptions options;
        options.observers = { &w };
        auto result = sync_run(selfWaitMain(), sync_handlers_preset(), {}, {}, options);
        QVERIFY(result.is_err());
        const WaitForGraph& g = w.most;
        const WaitForPromise* p = g.promise(1);
        QVERIFY(p && p->completersKnown);
        QVERIFY(p->completers.isEmpty());
        QVERIFY(p->stuck);
        QVERIFY(g.task(0)->stuck);
        QVERIFY(g.cycles.isEmpty());
        QVERIFY2(g.text().contains(u"waited on by task 0 'main'; could be completed by: no live task\n"_s),
                 qPrintable(g.text()));
    }

    /// The holder rule event by event: the creator, tasks it spawns after (and theirs), a store
    /// write (every task sharing that store), an answer, an env; nothing before the creation,
    /// nothing after the step asked for; a limit.
    void holdersFollowTheHandle()
    {
        PromiseOrigins o;
        o.apply(ev(EventKind::RunStarted, 0, 0));
        o.apply(spawned(1, 5, 0)); // before the promise exists
        o.apply(spawned(1, 6, 0, TaskKindCode::Branch)); // shares main's store
        Event create = ev(EventKind::EffectYielded, 2, 0);
        create.text = u"CreatePromise"_s;
        create.name = u"CreatePromise()"_s;
        o.apply(create);
        Event created = ev(EventKind::EffectHandled, 2, 0);
        created.code = int(HandledHow::Resumed);
        created.name = u"CreatePromise()"_s;
        created.value = handle(1);
        o.apply(created);
        o.apply(spawned(3, 1, 0));
        o.apply(spawned(3, 2, 1));
        Event put = ev(EventKind::StoreWrite, 4, 0);
        put.name = u"h"_s;
        put.value = QVariantList { 7, handle(1) };
        o.apply(put);
        Event answer = ev(EventKind::EffectHandled, 5, 5);
        answer.code = int(HandledHow::Resumed);
        answer.name = u"Ask('h')"_s;
        answer.value = QVariantMap { { u"x"_s, handle(1) } };
        o.apply(answer);
        o.apply(spawned(6, 7, 5));
        Event env = ev(EventKind::EnvEntered, 7, 10);
        env.value = QVariantMap { { u"h"_s, handle(1) }, { u"other"_s, handle(2) } };
        o.apply(env);
        o.apply(spawned(8, 11, 10));

        const auto all = [](int) { return true; };
        auto byTask = [](const QList<PromiseHolder>& hs) {
            QMap<int, PromiseHolder> m;
            for (const PromiseHolder& h : hs)
                m.insert(h.task, h);
            return m;
        };
        bool more = true;
        const QMap<int, PromiseHolder> h = byTask(o.holders(1, 100, all, 64, &more));
        QVERIFY(!more);
        QCOMPARE(h.keys(), (QList<int> { 0, 1, 2, 5, 6, 7, 10, 11 }));
        QCOMPARE(h[0].how, HoldHow::Created);
        QCOMPARE(h[1].how, HoldHow::Spawned);
        QCOMPARE(h[1].via, 0);
        QCOMPARE(h[2].how, HoldHow::Spawned);
        QCOMPARE(h[2].via, 1);
        QCOMPARE(h[5].how, HoldHow::Received);
        QCOMPARE(h[6].how, HoldHow::Store);
        QCOMPARE(h[6].via, 0);
        QCOMPARE(h[7].how, HoldHow::Spawned);
        QCOMPARE(h[7].via, 5);
        QCOMPARE(h[10].how, HoldHow::Env);
        QCOMPARE(h[11].via, 10);
        // at step 3: the creator and the two spawned after it
        QCOMPARE(byTask(o.holders(1, 3, all, 64)).keys(), (QList<int> { 0, 1, 2 }));
        // only the tasks that count, the most recent first; past the limit, `more`
        const QList<PromiseHolder> some = o.holders(
            1, 100, [](int t) { return t != 11 && t != 0; }, 64, &more);
        QVERIFY(!more);
        QCOMPARE(some.size(), 6);
        QCOMPARE(some.front().task, 10);
        QCOMPARE(some.back().task, 1);
        QVERIFY(std::is_sorted(some.begin(), some.end(),
                               [](const PromiseHolder& a, const PromiseHolder& b) { return a.seq > b.seq; }));
        QCOMPARE(o.holders(1, 100, all, 2, &more).size(), 2);
        QVERIFY(more);
        QCOMPARE(byTask(o.holders(2, 100, all, 64)).keys(), (QList<int> { 10, 11 }));
        QVERIFY(o.holders(3, 100, all, 64).isEmpty());
    }

    /// A Race needs any one of its items, a Wait all: a Race waiter on a live task is not stuck,
    /// and still counts as able to complete the promise it races on; a Wait waiter does not.
    void raceNeedsOneItem()
    {
        PromiseOrigins o;
        o.apply(ev(EventKind::RunStarted, 0, 0));
        Event create = ev(EventKind::EffectYielded, 1, 1);
        create.text = u"CreatePromise"_s;
        create.name = u"CreatePromise()"_s;
        o.apply(create);
        Event created = ev(EventKind::EffectHandled, 1, 1);
        created.code = int(HandledHow::Resumed);
        created.name = u"CreatePromise()"_s;
        created.value = handle(1);
        o.apply(created);
        auto task = [](int id, TaskStateCode state, const QString& waitsOn) {
            WaitForTask t;
            t.id = id;
            t.name = u"t"_s + QString::number(id);
            t.state = state;
            t.waitsOn = waitsOn;
            t.waits = parseWaitLabel(waitsOn);
            return t;
        };
        // task 1 created promise 1 and races it against task 2, which runs; task 3 waits on it
        WaitForGraph g = waitForGraphOfTasks({ task(1, TaskStateCode::Blocked, u"Race(promise 1, task 2 't2')"_s),
                                               task(2, TaskStateCode::Running, {}),
                                               task(3, TaskStateCode::Blocked, u"Wait(promise 1)"_s) },
                                             5, &o);
        QVERIFY(g.task(1)->anyOf);
        QVERIFY(!g.task(1)->stuck && !g.task(3)->stuck);
        QCOMPARE(g.promise(1)->completers.size(), 1);
        QCOMPARE(g.promise(1)->completers[0].task, 1);
        // the same with a Wait: its creator waits on it, so nobody could complete it
        g = waitForGraphOfTasks({ task(1, TaskStateCode::Blocked, u"Wait(promise 1)"_s),
                                  task(2, TaskStateCode::Running, {}),
                                  task(3, TaskStateCode::Blocked, u"Wait(promise 1)"_s) },
                                5, &o);
        QVERIFY(g.promise(1)->completers.isEmpty());
        QVERIFY(g.task(1)->stuck && g.task(3)->stuck && !g.task(2)->stuck);
        QVERIFY(g.cycles.isEmpty());
    }

    void okResultHasNoGraph()
    {
        auto result = sync_run(one(), sync_handlers_preset());
        QVERIFY(waitForGraphOfResult(result).tasks.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestWaitFor)
#include "tst_waitfor.moc"
