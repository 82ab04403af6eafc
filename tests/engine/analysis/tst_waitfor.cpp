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
        QVERIFY(!p1->completersKnown);
        QVERIFY(g.cycles.isEmpty()); // a ring through promises is not one the machine can prove
        QVERIFY2(g.text().contains(u"promise 1: created by task 0 'main' at concurrency.cpp:140"_s),
                 qPrintable(g.text()));
        QVERIFY(g.text().contains(u"could be completed by: unknown"_s));

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

    void okResultHasNoGraph()
    {
        auto result = sync_run(one(), sync_handlers_preset());
        QVERIFY(waitForGraphOfResult(result).tasks.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestWaitFor)
#include "tst_waitfor.moc"
