#include <doeff/rundiff.h>
#include <doeff/trace.h>

#include <QBuffer>
#include <QTest>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

Event ev(EventKind kind, quint64 step, int task = 0, const QString& name = {}, const QVariant& value = {})
{
    Event e;
    e.kind = kind;
    e.step = step;
    e.task = task;
    e.name = name;
    e.value = value;
    return e;
}

/// Builds a run event by event, numbering the steps.
struct RunBuilder {
    QList<Event> events;
    quint64 step = 0;

    RunBuilder& start(const QVariant& env = QVariantMap { { u"name"_s, u"World"_s } })
    {
        Event e = ev(EventKind::RunStarted, 0, 0, u"prog"_s, QVariantList {});
        e.old = env;
        events << e;
        Event t = ev(EventKind::TaskSpawned, 0, 0, u"main"_s, env);
        t.code = int(TaskKindCode::Main);
        events << t;
        return *this;
    }
    RunBuilder& spawn(int task, const QString& name)
    {
        Event t = ev(EventKind::TaskSpawned, ++step, task, name);
        t.code = int(TaskKindCode::Spawned);
        t.index = 0;
        events << t;
        return *this;
    }
    /// `Get('key')` answered with `value`.
    RunBuilder& get(int task, const QString& key, const QVariant& value)
    {
        Event y
            = ev(EventKind::EffectYielded, ++step, task, u"Get('%1')"_s.arg(key), QVariantMap { { u"key"_s, key } });
        y.text = u"Get"_s;
        events << y;
        Event h = ev(EventKind::EffectHandled, ++step, task, y.name, value);
        h.code = int(HandledHow::Resumed);
        h.text = u"core"_s;
        events << h;
        return *this;
    }
    /// `Put('key')` writing `value`.
    RunBuilder& put(int task, const QString& key, const QVariant& value, const QVariant& old = {})
    {
        Event y = ev(EventKind::EffectYielded, ++step, task, u"Put('%1')"_s.arg(key),
                     QVariantMap { { u"key"_s, key }, { u"value"_s, value } });
        y.text = u"Put"_s;
        events << y;
        Event w = ev(EventKind::StoreWrite, ++step, task, key, value);
        w.old = old;
        events << w;
        Event h = ev(EventKind::EffectHandled, step, task, y.name);
        h.code = int(HandledHow::Resumed);
        h.text = u"core"_s;
        events << h;
        return *this;
    }
    RunBuilder& finishTask(int task, const QString& outcome = u"Ok(1)"_s)
    {
        Event f = ev(EventKind::TaskFinished, ++step, task, outcome);
        f.code = int(outcome.startsWith(u"Ok"_s) ? TaskStateCode::Done : TaskStateCode::Failed);
        events << f;
        return *this;
    }
    RunBuilder& finish(const QString& outcome = u"Ok(1)"_s)
    {
        Event f = ev(EventKind::RunFinished, ++step, 0, outcome, 1);
        f.code = outcome.startsWith(u"Ok"_s) ? 1 : 0;
        events << f;
        return *this;
    }
};

/// A small run: 20 Get + Put pairs on `x`, the 16th Get answered with `input`.
QList<Event> run(int input, bool finish = true)
{
    RunBuilder r;
    r.start();
    for (int i = 0; i < 20; ++i) {
        const int v = i == 15 ? input : i;
        r.get(0, u"x"_s, v).put(0, u"x"_s, v + 1, v);
    }
    if (finish) r.finishTask(0).finish();
    return r.events;
}

QByteArray record(const QList<Event>& events, int blockEvents = 8)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TraceRecorderOptions o;
    o.blockEvents = blockEvents; // several blocks, so reading crosses block ends
    o.threaded = false;
    TraceRecorder rec(o);
    if (!rec.start(&buffer, u"mem.doefftrace"_s)) return {};
    for (const Event& e : events)
        rec.record(e);
    if (!rec.finish()) return {};
    return buffer.data();
}

/// Index of the n-th event of `kind` in task `task`.
quint64 nth(const QList<Event>& events, EventKind kind, int task, int n)
{
    for (qsizetype i = 0; i < events.size(); ++i)
        if (events[i].kind == kind && events[i].task == task && n-- == 0) return quint64(i);
    return quint64(-1);
}

/// Two workers (tasks 1 and 2) each doing `n` Get + Put on their own key, interleaved one
/// effect at a time (`alternate`) or one task after the other.
RunBuilder workers(int n, bool alternate, int extraIn2 = -1)
{
    RunBuilder r;
    r.start().spawn(1, u"w1"_s).spawn(2, u"w2"_s);
    auto work = [&](int task, int i) {
        const QString key = u"k%1"_s.arg(task);
        r.get(task, key, i).put(task, key, i + 1, i);
        if (task == 2 && i == extraIn2) r.get(2, u"extra"_s, 0);
    };
    if (alternate) {
        for (int i = 0; i < n; ++i) {
            work(1, i);
            work(2, i);
        }
    } else {
        for (int i = 0; i < n; ++i)
            work(1, i);
        for (int i = 0; i < n; ++i)
            work(2, i);
    }
    r.finishTask(1).finishTask(2);
    return r;
}

} // namespace

class TestRunDiff : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identicalRunsAreEqual()
    {
        const RunDiff d = diffRuns(run(7), run(7));
        QVERIFY(d.equal());
        QCOMPARE(d.eventsA, quint64(run(7).size()));
        QVERIFY(formatRunDiff(d).startsWith(u"runs are equal"_s));
    }
    void differentInputGivesTheExactStep()
    {
        const QList<Event> a = run(7);
        const RunDiff d = diffRuns(a, run(8));
        QVERIFY(!d.equal());
        // the 16th Get of task 0 is answered differently
        const quint64 at = nth(a, EventKind::EffectYielded, 0, 2 * 15);
        QCOMPARE(d.first->eventA, at);
        QCOMPARE(d.first->eventB, at);
        QCOMPARE(d.first->stepA, a[qsizetype(at)].step);
        QCOMPARE(d.first->task, 0);
        QCOMPARE(d.first->effect, u"Get"_s);
        QCOMPARE(d.first->field, u"result"_s);
        QVERIFY2(d.first->a.contains(u"resumed by core: 7"_s), qPrintable(d.first->a));
        QVERIFY2(d.first->b.contains(u"resumed by core: 8"_s), qPrintable(d.first->b));
    }
    void eachPartOfAnEffectIsCompared()
    {
        const QList<Event> base = run(7);
        const quint64 put = nth(base, EventKind::EffectYielded, 0, 5); // the third Put
        auto check = [&](qsizetype at, auto change, const QString& field) {
            QList<Event> other = base;
            change(other[at]);
            const RunDiff d = diffRuns(base, other);
            QVERIFY(!d.equal());
            QCOMPARE(d.first->eventA, put);
            QCOMPARE(d.first->field, field);
        };
        check(
            qsizetype(put), [](Event& e) { e.text = u"Set"_s; }, u"effect"_s);
        check(
            qsizetype(put),
            [](Event& e) {
                e.value = QVariantMap { { u"key"_s, u"y"_s } };
            },
            u"fields"_s);
        check(
            qsizetype(put), [](Event& e) { e.name = u"Put('x', 3)"_s; }, u"label"_s);
        check(
            qsizetype(put) + 1, [](Event& e) { e.value = 99; }, u"writes"_s);
        check(
            qsizetype(put) + 2, [](Event& e) { e.text = u"other"_s; }, u"result"_s);
        // what an effect is not compared by: its step and its source location
        QList<Event> shifted = base;
        shifted[qsizetype(put)].step += 5;
        shifted[qsizetype(put)].line = 12;
        QVERIFY(diffRuns(base, shifted).equal());
    }
    void outcomeDiffers()
    {
        QList<Event> b = run(7);
        b.last().code = 0;
        b.last().name = u"Err(ValueError: x)"_s;
        const RunDiff d = diffRuns(run(7), b);
        QCOMPARE(d.first->eventA, quint64(b.size() - 1));
        QCOMPARE(d.first->effect, u"RunFinished"_s);
        QCOMPARE(d.first->field, u"label"_s);
        QVERIFY(d.summary.outcome.has_value());
        QCOMPARE(d.summary.outcome->b, u"Err(ValueError: x)"_s);
    }
    void anInterleavingChangeIsNotADivergence()
    {
        // the same work of two tasks, one effect at a time against one task after the other:
        // by position the runs part at the first effect of task 2
        const RunDiff d = diffRuns(workers(30, true).events, workers(30, false).events);
        QVERIFY2(d.equal(), qPrintable(formatRunDiff(d)));
    }
    void theAlignmentWindowBoundsWhatIsHeld()
    {
        // B runs task 2 only after task 1: A's task-2 effects wait for their match meanwhile
        const RunBuilder a = workers(3000, true); // several chunks of events
        const RunBuilder b = workers(3000, false);
        QVERIFY(diffRuns(a.events, b.events).equal());
        RunDiffOptions o;
        o.window = 8; // no more than 8 effects of a task wait: the oldest are given up as missing
        const RunDiff d = diffRuns(a.events, b.events, o);
        QVERIFY(!d.equal());
        // both tasks drift apart: A's task 2 runs ahead of B's, B's task 1 ahead of A's
        QCOMPARE(d.first->field, u"missing"_s);
        QCOMPARE(d.first->task, 2); // A's first effect of task 2, given up once B had gone past it
        QVERIFY(d.first->b.isEmpty());
        QCOMPARE(d.first->eventA, nth(a.events, EventKind::EffectYielded, 2, 0));
        QVERIFY(d.first->stepB > d.first->stepA);
        quint64 missing = 0;
        for (const RunEffectDifferences& e : d.summary.effects)
            missing += e.count;
        QVERIFY(missing > 0);
    }
    void anExtraEffectInOneTask()
    {
        const RunBuilder a = workers(30, true);
        const RunBuilder b = workers(30, false, 10); // task 2 reads `extra` after its 11th Put
        const RunDiff d = diffRuns(a.events, b.events);
        QVERIFY(!d.equal());
        QCOMPARE(d.first->task, 2);
        QCOMPARE(d.first->field, u"missing"_s);
        QVERIFY(d.first->a.isEmpty());
        QVERIFY2(d.first->b.startsWith(u"Get('extra')"_s), qPrintable(d.first->b));
        const quint64 extra = nth(b.events, EventKind::EffectYielded, 2, 2 * 11);
        QCOMPARE(d.first->eventB, extra);
        QCOMPARE(d.first->stepB, b.events[qsizetype(extra)].step);
        // A is at task 2's next effect there, its 12th Get
        QCOMPARE(d.first->eventA, nth(a.events, EventKind::EffectYielded, 2, 2 * 11));
        // only that effect differs: the rest of task 2 still aligns
        QCOMPARE(d.summary.effects.size(), 1);
        QCOMPARE(d.summary.effects[0].effect, u"Get"_s);
        QCOMPARE(d.summary.effects[0].count, quint64(1));
        QVERIFY2(formatRunDiff(d, u"a"_s, u"b"_s).contains(u"Get missing in a"_s), qPrintable(formatRunDiff(d)));
    }
    // Tasks match by where they come from, not by their ids: the same workers spawned in the
    // other order (ids swapped), or after an extra task (ids shifted), are compared with their
    // counterparts, and only the extra task differs.
    void tasksMatchByOriginNotById()
    {
        const RunBuilder a = workers(20, true); // w1 is task 1, w2 is task 2
        auto work = [](RunBuilder& r, int w1, int w2) {
            for (int i = 0; i < 20; ++i) {
                r.get(w2, u"k2"_s, i).put(w2, u"k2"_s, i + 1, i);
                r.get(w1, u"k1"_s, i).put(w1, u"k1"_s, i + 1, i);
            }
        };
        RunBuilder swapped;
        swapped.start().spawn(1, u"w2"_s).spawn(2, u"w1"_s);
        work(swapped, 2, 1);
        swapped.finishTask(2).finishTask(1);
        const RunDiff same = diffRuns(a.events, swapped.events);
        QVERIFY2(same.equal(), qPrintable(formatRunDiff(same)));
        // the same through two traces
        TraceReader ra, rb;
        QVERIFY(ra.openData(record(a.events), u"a"_s) && rb.openData(record(swapped.events), u"b"_s));
        RunDiff traced;
        QVERIFY(diffTraces(ra, rb, traced));
        QVERIFY2(traced.equal(), qPrintable(formatRunDiff(traced)));

        RunBuilder extra;
        extra.start().spawn(1, u"logger"_s).spawn(2, u"w1"_s).spawn(3, u"w2"_s);
        work(extra, 2, 3);
        extra.finishTask(1).finishTask(2).finishTask(3);
        const RunDiff d = diffRuns(a.events, extra.events);
        QVERIFY(!d.equal());
        QCOMPARE(d.first->effect, u"TaskFinished"_s); // the logger's end, which A lacks
        QCOMPARE(d.first->field, u"missing"_s);
        QCOMPARE(d.first->task, 1); // B's id: only B has the task
        QVERIFY(d.first->a.isEmpty());
        QCOMPARE(d.summary.effects.size(), 1);
        QCOMPARE(d.summary.effects[0].count, quint64(1));
        QCOMPARE(d.summary.tasks.size(), 1);
        QCOMPARE(d.summary.tasks[0].what, u"task 1 (logger)"_s);
        QCOMPARE(d.summary.tasks[0].a, u"(none)"_s);
        QVERIFY(d.summary.store.isEmpty()); // w1's and w2's stores are compared with their matches
    }
    void theEarliestDivergenceOfEitherRun()
    {
        // task 2 differs early in A's order but is reached late in B's; task 1 differs in the
        // middle of both. Read a chunk at a time, B's task-1 difference is found first.
        const int n = 2000;
        RunBuilder a = workers(n, true);
        RunBuilder b = workers(n, false);
        auto answer = [](RunBuilder& r, int task, int i, int value) {
            const qsizetype at = qsizetype(nth(r.events, EventKind::EffectHandled, task, 2 * i));
            r.events[at].value = value;
        };
        answer(a, 1, n - 100, -1);
        answer(a, 2, 5, -1);
        RunDiffOptions o;
        o.summary = false;
        const RunDiff d = diffRuns(a.events, b.events, o);
        QVERIFY(d.first);
        QCOMPARE(d.first->task, 2);
        QCOMPARE(d.first->eventA, nth(a.events, EventKind::EffectYielded, 2, 2 * 5));
        QCOMPARE(d.first->eventB, nth(b.events, EventKind::EffectYielded, 2, 2 * 5));
        // stopped before the end, once nothing earlier could differ
        QVERIFY(d.eventsA < quint64(a.events.size()) || d.eventsB < quint64(b.events.size()));
        // with the summary both are counted
        const RunDiff all = diffRuns(a.events, b.events);
        QCOMPARE(all.first->task, 2);
        QCOMPARE(all.summary.effects.size(), 1);
        QCOMPARE(all.summary.effects[0].count, quint64(2));
    }
    void aTaskThatEndsEarly()
    {
        RunBuilder a = workers(5, true);
        RunBuilder b;
        b.start().spawn(1, u"w1"_s).spawn(2, u"w2"_s);
        for (int i = 0; i < 5; ++i)
            b.get(1, u"k1"_s, i).put(1, u"k1"_s, i + 1, i);
        for (int i = 0; i < 3; ++i)
            b.get(2, u"k2"_s, i).put(2, u"k2"_s, i + 1, i);
        b.finishTask(1).finishTask(2, u"Err(ValueError: stop)"_s);
        const RunDiff d = diffRuns(a.events, b.events);
        QCOMPARE(d.first->task, 2);
        QCOMPARE(d.first->field, u"effect"_s); // B's TaskFinished against A's 4th Get
        QCOMPARE(d.first->eventA, nth(a.events, EventKind::EffectYielded, 2, 6));
        QVERIFY(d.first->b.startsWith(u"Err(ValueError: stop)"_s));
        // the rest of A's task 2 is missing in B
        quint64 missing = 0;
        for (const RunEffectDifferences& e : d.summary.effects)
            for (const RunDivergence& x : e.examples)
                missing += x.field == u"missing"_s ? 1 : 0;
        QVERIFY(missing > 0);
        QVERIFY(!d.summary.tasks.isEmpty());
        QCOMPARE(d.summary.tasks[0].what, u"task 2 (w2)"_s);
        QCOMPARE(d.summary.tasks[0].b, u"failed Err(ValueError: stop)"_s);
    }
    void theSummaryOfFinalStates()
    {
        RunBuilder a;
        a.start().get(0, u"n"_s, 1).put(0, u"n"_s, 2, 1).put(0, u"only_a"_s, true).finishTask(0).finish(u"Ok(2)"_s);
        RunBuilder b;
        b.start(QVariantMap { { u"name"_s, u"Bob"_s } })
            .get(0, u"n"_s, 1)
            .put(0, u"n"_s, 3, 1)
            .put(0, u"only_b"_s, 0)
            .finishTask(0, u"Err(ValueError: no)"_s)
            .finish(u"Err(ValueError: no)"_s);
        const RunDiff d = diffRuns(a.events, b.events);
        QCOMPARE(d.first->effect, u"RunStarted"_s); // the env differs from the start
        QCOMPARE(d.first->field, u"env"_s);
        QVERIFY(d.hasSummary);
        const RunDiffSummary& m = d.summary;
        QVERIFY(m.outcome);
        QCOMPARE(m.outcome->a, u"Ok(2)"_s);
        QCOMPARE(m.store.size(), 3);
        QCOMPARE(m.store[0].what, u"n"_s);
        QCOMPARE(m.store[0].a, u"2"_s);
        QCOMPARE(m.store[0].b, u"3"_s);
        QCOMPARE(m.store[1].what, u"only_a"_s);
        QCOMPARE(m.store[1].b, u"(none)"_s);
        QCOMPARE(m.store[2].what, u"only_b"_s);
        QCOMPARE(m.env.size(), 1);
        QCOMPARE(m.env[0].b, u"Bob"_s);
        QCOMPARE(m.tasks.size(), 1);
        QVERIFY(!m.effects.isEmpty());
        QCOMPARE(m.effects[0].effect, u"Put"_s); // two Puts differ, more than any other name
        QCOMPARE(m.effects[0].count, quint64(2));
        const QString text = formatRunDiff(d, u"a"_s, u"b"_s);
        QVERIFY2(text.contains(u"  outcome: a: Ok(2), b: Err(ValueError: no)\n"_s), qPrintable(text));
        QVERIFY2(text.contains(u"    n: a: 2, b: 3\n"_s), qPrintable(text));
        QVERIFY2(text.contains(u"  final env (1 differ):\n    name: a: World, b: Bob\n"_s), qPrintable(text));
        QVERIFY2(text.contains(u"    Put: 2\n"_s), qPrintable(text));
    }
    void tracesAlignLikeLists()
    {
        const RunBuilder a = workers(40, true);
        const RunBuilder b = workers(40, false, 30);
        TraceReader ta;
        TraceReader tb;
        QVERIFY2(ta.openData(record(a.events), u"a"_s), qPrintable(ta.errorString()));
        QVERIFY2(tb.openData(record(b.events), u"b"_s), qPrintable(tb.errorString()));
        RunDiff d;
        QVERIFY(diffTraces(ta, tb, d));
        const RunDiff l = diffRuns(a.events, b.events);
        QVERIFY(d.first && l.first);
        QCOMPARE(d.first->eventA, l.first->eventA);
        QCOMPARE(d.first->eventB, l.first->eventB);
        QCOMPARE(d.first->field, u"missing"_s);
        QCOMPARE(d.summary.effects.size(), l.summary.effects.size());
        QVERIFY(d.shared < nth(a.events, EventKind::EffectYielded, 2, 0) + 1); // parts at task 2's first effect
    }
    void aSharedPrefixIsSkipped()
    {
        const QList<Event> a = run(7);
        const QList<Event> b = run(8);
        TraceReader ta;
        TraceReader tb;
        QVERIFY(ta.openData(record(a), u"a"_s));
        QVERIFY(tb.openData(record(b), u"b"_s));
        const quint64 shared = ta.sharedPrefixEvents(tb);
        const quint64 differs = nth(a, EventKind::EffectHandled, 0, 2 * 15);
        QVERIFY2(shared > 0 && shared <= differs, qPrintable(QString::number(shared)));
        QCOMPARE(shared % 8, quint64(0)); // whole blocks
        QCOMPARE(ta.sharedPrefixEvents(ta), ta.eventCount());
        RunDiff d;
        QVERIFY(diffTraces(ta, tb, d));
        QCOMPARE(d.shared, shared);
        QCOMPARE(d.first->eventA, nth(a, EventKind::EffectYielded, 0, 2 * 15));
        QCOMPARE(d.first->field, u"result"_s);
        // the same answer decoding everything
        RunDiffOptions o;
        o.skipSharedPrefix = false;
        RunDiff full;
        QVERIFY(diffTraces(ta, tb, full, nullptr, o));
        QCOMPARE(full.shared, quint64(0));
        QCOMPARE(full.first->eventA, d.first->eventA);
        QCOMPARE(full.first->a, d.first->a);
        // identical traces: everything is shared, nothing decoded, equal
        TraceReader tc;
        QVERIFY(tc.openData(record(a), u"c"_s));
        QVERIFY(diffTraces(ta, tc, d));
        QVERIFY(d.equal());
        QCOMPARE(d.shared, ta.eventCount());
    }
    void progressAndCancel()
    {
        const RunBuilder a = workers(3000, true);
        const RunBuilder b = workers(3000, false);
        RunDiffOptions o;
        QList<std::pair<quint64, quint64>> calls;
        o.progress = [&](quint64 done, quint64 total) {
            calls.append({ done, total });
            return true;
        };
        QVERIFY(diffRuns(a.events, b.events, o).equal());
        QVERIFY(calls.size() > 2);
        QCOMPARE(calls.last().first, quint64(a.events.size() + b.events.size()));
        QCOMPARE(calls.last().second, calls.last().first);
        // a progress callback that says stop: the trace diff fails as cancelled
        TraceReader ta;
        TraceReader tb;
        QVERIFY(ta.openData(record(a.events, 4096), u"a"_s));
        QVERIFY(tb.openData(record(b.events, 4096), u"b"_s));
        int asked = 0;
        o.progress = [&](quint64, quint64) { return ++asked < 2; };
        RunDiff d;
        QString error;
        QVERIFY(!diffTraces(ta, tb, d, &error, o));
        QCOMPARE(error, u"cancelled"_s);
        QCOMPARE(asked, 2);
    }
    void traceAgainstATruncatedCopy()
    {
        QList<Event> shortRun = run(7, false);
        shortRun.removeLast();
        TraceReader a;
        TraceReader b;
        QVERIFY(a.openData(record(run(7)), u"a"_s));
        QVERIFY(b.openData(record(shortRun), u"b"_s));
        RunDiff d;
        QVERIFY(diffTraces(a, b, d));
        QVERIFY(!d.equal());
        // B's last Put was never handled
        QCOMPARE(d.first->field, u"result"_s);
        QCOMPARE(d.first->eventA, quint64(shortRun.size() - 2));
        QCOMPARE(d.first->effect, u"Put"_s);
        const QString text = formatRunDiff(d);
        QVERIFY2(text.contains(u"    TaskFinished: 1\n"_s), qPrintable(text)); // missing in B
        QVERIFY2(text.contains(u"  outcome: A: Ok(1), B: (not finished)\n"_s), qPrintable(text));
    }
};

QTEST_GUILESS_MAIN(TestRunDiff)
#include "tst_rundiff.moc"
