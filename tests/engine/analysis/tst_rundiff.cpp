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

/// A small run: the store key `x` is written from the env input, then the run ends.
QList<Event> run(int input, bool finish = true)
{
    QList<Event> out;
    out << ev(EventKind::RunStarted, 0, 0, u"prog"_s);
    for (int i = 0; i < 20; ++i) {
        Event y = ev(EventKind::EffectYielded, quint64(1 + 3 * i), 0, u"Get"_s);
        y.text = u"Get"_s;
        out << y;
        out << ev(EventKind::StoreWrite, quint64(2 + 3 * i), 0, u"x"_s, i == 15 ? input : i);
    }
    if (finish) {
        Event f = ev(EventKind::RunFinished, 70, 0, u"Ok(1)"_s, 1);
        f.code = 1;
        out << f;
    }
    return out;
}

QByteArray record(const QList<Event>& events)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TraceRecorderOptions o;
    o.blockEvents = 8; // several blocks, so the lock-step reading crosses block ends
    o.threaded = false;
    TraceRecorder rec(o);
    if (!rec.start(&buffer, u"mem.doefftrace"_s)) return {};
    for (const Event& e : events)
        rec.record(e);
    if (!rec.finish()) return {};
    return buffer.data();
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
        const RunDiff d = diffRuns(run(7), run(8));
        QVERIFY(!d.equal());
        QCOMPARE(d.first->eventA, quint64(1 + 2 * 15 + 1));
        QCOMPARE(d.first->stepA, quint64(2 + 3 * 15));
        QCOMPARE(d.first->field, u"value"_s);
        QVERIFY(d.first->a.contains(u"value=7"_s));
        QVERIFY(d.first->b.contains(u"value=8"_s));
    }
    void eachFieldIsCompared()
    {
        const QList<Event> base = run(7);
        auto check = [&](auto change, const QString& field) {
            QList<Event> other = base;
            change(other[3]);
            const RunDiff d = diffRuns(base, other);
            QVERIFY(!d.equal());
            QCOMPARE(d.first->eventA, quint64(3));
            QCOMPARE(d.first->field, field);
        };
        check([](Event& e) { e.kind = EventKind::LogAppended; }, u"kind"_s);
        check([](Event& e) { e.task = 4; }, u"task"_s);
        check([](Event& e) { e.name = u"Put"_s; }, u"name"_s);
        check([](Event& e) { e.text = u"other"_s; }, u"text"_s);
        check([](Event& e) { e.value = 99; }, u"value"_s);
        check([](Event& e) { e.old = 1; }, u"old"_s);
        check([](Event& e) { e.code = 3; }, u"index"_s);
        check([](Event& e) { e.line = 12; }, u"line"_s);
        // the step alone is not a difference
        QList<Event> shifted = base;
        shifted[3].step += 5;
        QVERIFY(diffRuns(base, shifted).equal());
    }
    void outcomeDiffers()
    {
        QList<Event> b = run(7);
        b.last().code = 0;
        b.last().name = u"Err(ValueError: x)"_s;
        const RunDiff d = diffRuns(run(7), b);
        QCOMPARE(d.first->eventA, quint64(b.size() - 1));
        QCOMPARE(d.first->field, u"name"_s);
    }
    void tracesInLockStep()
    {
        TraceReader a;
        TraceReader b;
        QVERIFY2(a.openData(record(run(7)), u"a"_s), qPrintable(a.errorString()));
        QVERIFY2(b.openData(record(run(7)), u"b"_s), qPrintable(b.errorString()));
        RunDiff d;
        QVERIFY(diffTraces(a, b, d));
        QVERIFY(d.equal());

        TraceReader c;
        QVERIFY(c.openData(record(run(8)), u"c"_s));
        QVERIFY(diffTraces(a, c, d));
        QVERIFY(!d.equal());
        QCOMPARE(d.first->eventA, quint64(1 + 2 * 15 + 1));
        QCOMPARE(d.first->field, u"value"_s);
        QVERIFY(formatRunDiff(d, u"a"_s, u"c"_s).contains(u"first divergence at event 32"_s));
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
        QCOMPARE(d.first->field, u"missing"_s);
        QCOMPARE(d.first->eventA, quint64(shortRun.size()));
        QVERIFY(d.first->b.isEmpty());
        QVERIFY(formatRunDiff(d).contains(u"(run ended)"_s));
    }
};

QTEST_GUILESS_MAIN(TestRunDiff)
#include "tst_rundiff.moc"
