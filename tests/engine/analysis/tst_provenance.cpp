// Provenance: where a store value, an env value or a task result came from, as a tree of writes
// and the reads before them, over a program with known data flow across three tasks; and who
// read a write. Chains are compared exactly.

#include "scenario.h"

#include <doeff/provenance.h>
#include <doeff/trace.h>

#include <QTemporaryDir>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

struct Collect : Observer {
    QList<Event> events;
    void onRecord(const Event& e, const RunView&) override { events.append(e); }
};

// task 1 (spawned by main): reads seed (main's write, copied at spawn) and env factor, writes a.
Program<int> producer()
{
    int seed = co_await Get<int>("seed");
    QVariant f = co_await Ask("factor");
    co_await Put("a", seed * f.toInt());
    co_return seed* f.toInt() + 1;
}
// task 2: waits for task 1, reads its own "b" (never written: initial store), writes c.
Program<int> consumer(Task<int> p)
{
    int r = co_await Wait(p);
    int b = co_await Get<int>("b");
    co_await Put("c", r + b);
    co_return r + b;
}
Env localFactor()
{
    return Env { { QStringLiteral("factor"), 10 } };
}
Program<int> flow()
{
    co_await Put("seed", 5);
    SpawnOptions po;
    po.name = QStringLiteral("producer");
    SpawnOptions co;
    co.name = QStringLiteral("consumer");
    Task<int> p = co_await Spawn(producer(), po);
    Task<int> c = co_await Spawn(consumer(p), co);
    int rc = co_await Wait(c);
    QVariant k = co_await Local(localFactor(), Ask("factor"));
    co_await Put("total", rc + k.toInt());
    int t1 = co_await Get<int>("total");
    int t2 = co_await Get<int>("total");
    co_return t1 + t2;
}

QList<Event> runFlow()
{
    Collect c;
    RunOptions o;
    o.observers = { &c };
    auto r = sync_run(flow(), sync_handlers_preset(), Env { { u"factor"_s, 3 } }, Store { { u"b"_s, 100 } }, o);
    return c.events;
}

} // namespace

class TestProvenance : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void chainAcrossThreeTasks()
    {
        Provenance p;
        p.build(runFlow());
        // c in the consumer's store: Put('c') at step 26, from the Wait on the producer (whose
        // result came from main's seed and the run's factor) and the initial b.
        const int c = p.storeValue(2, u"c"_s, 40);
        QVERIFY(c >= 0);
        QCOMPARE(p.source(c).step, 26u);
        QCOMPARE(p.source(c).label, u"Put('c')"_s);
        QCOMPARE(p.source(c).value, QVariant(116));
        QCOMPARE(p.format(p.tree(c)),
                 u"c = 116, written by Put('c'), step 26, task 2 at tst_provenance.cpp:35\n"
                 "  <- read Wait(task 1 'producer') -> 16, step 12, task 2 at tst_provenance.cpp:33\n"
                 "    result of task 1 'producer' = 16, returned, step 22, task 1 at tst_provenance.cpp:27\n"
                 "      <- read Get('seed') -> 5, step 6, task 1 at tst_provenance.cpp:25\n"
                 "        seed = 5, written by Put('seed'), step 2, task 0 at tst_provenance.cpp:44\n"
                 "      <- read Ask('factor') -> 3, step 10, task 1 at tst_provenance.cpp:26\n"
                 "        factor = 3, from the initial env, step 0, task 0\n"
                 "  <- read Get('b') -> 100, step 24, task 2 at tst_provenance.cpp:34\n"
                 "    b = 100, from the initial store, step 0, task 0\n"_s);
        // before step 26 the consumer had no c; a the producer wrote is not in main's store
        QCOMPARE(p.storeValue(2, u"c"_s, 25), -1);
        QCOMPARE(p.storeValue(0, u"a"_s, 40), -1);
        QCOMPARE(p.source(p.storeValue(1, u"a"_s, 16)).value, QVariant(15));
        // main's total: the Wait on the consumer (whose chain is above) and the Local's factor
        const int total = p.storeValue(0, u"total"_s, 49);
        const ProvenanceTree t = p.tree(total, 1);
        QCOMPARE(t.inputs.size(), 2);
        QCOMPARE(p.read(t.inputs[0].read).label, u"Wait(task 2 'consumer')"_s);
        QCOMPARE(p.source(t.inputs[0].origin->source).kind, ProvenanceSource::Kind::TaskResult);
        QVERIFY(t.inputs[0].origin->truncated);
        QCOMPARE(p.read(t.inputs[1].read).label, u"Ask('factor')"_s);
        QCOMPARE(p.source(t.inputs[1].origin->source).kind, ProvenanceSource::Kind::Local);
    }
    void envAndResults()
    {
        Provenance p;
        p.build(runFlow());
        const int local = p.envValue(0, u"factor"_s, 36);
        QVERIFY(local >= 0);
        QCOMPARE(p.source(local).kind, ProvenanceSource::Kind::Local);
        QCOMPARE(p.source(local).value, QVariant(10));
        const int outer = p.envValue(0, u"factor"_s, 37);
        QCOMPARE(p.source(outer).kind, ProvenanceSource::Kind::InitialEnv);
        QCOMPARE(p.envValue(1, u"factor"_s, 10), outer); // the producer inherited the run's env
        const int r = p.readAt(0, 36);
        QVERIFY(r >= 0);
        QCOMPARE(p.read(r).origin, local);
        QCOMPARE(p.source(p.taskResult(2)).value, QVariant(116));
        QCOMPARE(p.taskResult(7), -1);
    }
    void whoReadThis()
    {
        Provenance p;
        p.build(runFlow());
        QCOMPARE(p.readers(p.storeValue(0, u"total"_s, 49)).size(), 2);
        QCOMPARE(p.readers(p.storeValue(0, u"seed"_s, 2)).size(), 1); // the producer's Get, via its copy
        QCOMPARE(p.read(p.readers(p.storeValue(0, u"seed"_s, 2)).first()).task, 1);
        QCOMPARE(p.readers(p.taskResult(1)).size(), 1);
        QCOMPARE(p.readers(p.storeValue(1, u"a"_s, 30)).size(), 0);
        // the initial env's factor: the producer's Ask only (main's Ask saw the Local)
        QCOMPARE(p.readers(p.envValue(0, u"factor"_s, 40)).size(), 1);
    }
    void fromTraceFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"flow.doefftrace"_s);
        {
            TraceRecorder rec;
            QVERIFY(rec.open(path));
            RunOptions o;
            o.observers = { &rec };
            sync_run(flow(), sync_handlers_preset(), Env { { u"factor"_s, 3 } }, Store { { u"b"_s, 100 } }, o);
            QVERIFY(rec.finish());
        }
        TraceReader reader;
        QVERIFY2(reader.open(path), qPrintable(reader.errorString()));
        Provenance fromFile;
        QVERIFY(fromFile.build(reader));
        Provenance live;
        live.build(runFlow());
        const int c = fromFile.storeValue(2, u"c"_s, 40);
        QCOMPARE(fromFile.format(fromFile.tree(c)), live.format(live.tree(live.storeValue(2, u"c"_s, 40))));
        QCOMPARE(fromFile.readCount(), live.readCount());
        QCOMPARE(fromFile.sourceCount(), live.sourceCount());
    }
};

QTEST_GUILESS_MAIN(TestProvenance)
#include "tst_provenance.moc"
