// Scenarios T and TM of spec/SCENARIOS.md: tasks, scheduling, cancellation, deadlock, time,
// clocks and Await — on both runners, with exact interleavings.

#include "ring.h"
#include "scenario.h"

#include <QBuffer>
#include <QPromise>
#include <QtConcurrent>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

using testcommon::ringMain;

QDateTime dt(const QString& iso)
{
    QDateTime t = QDateTime::fromString(iso, Qt::ISODate);
    t.setTimeSpec(Qt::UTC);
    return t;
}
QString hms(const QDateTime& t)
{
    return t.toUTC().toString(u"HH:mm:ss"_s);
}
RunOptions simulated(const QString& start)
{
    RunOptions o;
    o.clock = Clock::Simulated;
    o.simulated_start = dt(start);
    return o;
}

Program<QString> worker(QString name, int n)
{
    for (int i = 0; i < n; ++i)
        co_await record(name + QString::number(i));
    co_return name;
}
Program<QString> failing(QString msg)
{
    co_await record(u"F:"_s + msg);
    throw ValueError(msg.toStdString());
}

Program<QVariantList> t01_main()
{
    co_await record(u"M0"_s);
    Task<QString> t1 = co_await Spawn(worker(u"A"_s, 3));
    co_await record(u"M1"_s);
    Task<QString> t2 = co_await Spawn(worker(u"B"_s, 3));
    co_await record(u"M2"_s);
    QString r1 = co_await Wait(t1);
    co_await record(u"M3"_s);
    QString r2 = co_await Wait(t2);
    co_await record(u"M4"_s);
    co_return QVariantList { r1, r2 };
}
Program<QVariantList> t02_main()
{
    auto t1 = co_await Spawn(worker(u"A"_s, 3));
    auto t2 = co_await Spawn(worker(u"B"_s, 2));
    auto t3 = co_await Spawn(worker(u"C"_s, 1));
    co_await record(u"M"_s);
    QVariantList res = co_await Gather(t3, t1, t2);
    co_await record(u"MG"_s);
    co_return res;
}
Program<int> incr()
{
    int c = co_await Get<int>("counter");
    co_await Put("counter", c + 1);
    co_return c;
}
Program<QVariantList> t03_main()
{
    co_await Put("counter", 0);
    QVariantList res = co_await Gather(incr(), incr(), incr());
    QVariantList g = co_await Gather(worker(u"A"_s, 2), worker(u"B"_s, 2));
    QVariant final = co_await Get("counter");
    co_return QVariantList { QVariant(res), QVariant(g), final };
}
Program<QVariantList> t05_child()
{
    int c = co_await Get<int>("counter");
    co_await Put("counter", c + 1);
    co_await Put("child_only", "x");
    co_await Tell("child log");
    QVariant e = co_await Ask("k");
    co_return QVariantList { c + 1, e };
}
Program<QVariantList> t05_main()
{
    co_await Put("counter", 0);
    co_await Tell("parent log 1");
    auto t = co_await Spawn(t05_child());
    co_await Put("counter", 100);
    co_await Tell("parent log 2");
    QVariantList r = co_await Wait(t);
    QVariant final = co_await Get("counter");
    auto co = co_await Safe(Get("child_only"));
    co_return QVariantList { QVariant(r), final, co.is_err() };
}
Program<QString> t06_main()
{
    auto t1 = co_await Spawn(worker(u"A"_s, 2));
    auto t2 = co_await Spawn(worker(u"B"_s, 2));
    Q_UNUSED(t2);
    co_await record(u"M0"_s);
    QString v = co_await Wait(t1);
    auto t3 = co_await Spawn(worker(u"C"_s, 2));
    Q_UNUSED(t3);
    co_await record(u"Mend"_s);
    co_return v;
}
std::exception_ptr t07First, t07Second;
Program<QVariantList> t07_main()
{
    auto tb = co_await Spawn(failing(u"oops"_s));
    auto tok = co_await Spawn(worker(u"OK"_s, 1));
    QString v = co_await Wait(tok);
    Result<QString> r = co_await Safe(Wait(tb));
    t07First = r.error().exception();
    QString c;
    try {
        co_await Wait(tb);
    } catch (const ValueError& e) {
        t07Second = std::current_exception();
        c = u"caught "_s + str(e.what());
    }
    co_return QVariantList { v == u"OK"_s ? 1 : 0, r.is_err(), r.error().type_name(), r.error().message(), c };
}
Program<QString> completer(Promise<QVariant> p)
{
    co_await record(u"P"_s);
    co_await CompletePromise(p, u"from promise"_s);
    co_return u"c"_s;
}
Program<QVariantList> t09_main()
{
    auto t1 = co_await Spawn(worker(u"A"_s, 3));
    auto t2 = co_await Spawn(worker(u"B"_s, 1));
    RaceResult<QVariant> r = co_await Race(t1, t2);
    auto f1 = co_await Spawn(failing(u"rf"_s));
    auto f2 = co_await Spawn(worker(u"C"_s, 2));
    auto e = co_await Safe(Race(f1, f2));
    Promise<QVariant> p = co_await CreatePromise();
    auto slow = co_await Spawn(worker(u"S"_s, 3));
    auto c = co_await Spawn(completer(p));
    Q_UNUSED(c);
    RaceResult<QVariant> x = co_await Race(slow, p.future());
    co_return QVariantList { r.first == t2,       r.value, r.rest.size(),        r.rest.value(0) == t1,
                             e.error().message(), x.value, x.first == p.future() };
}
QString t10Message;
Program<QVariantList> t10_main()
{
    auto t = co_await Spawn(worker(u"A"_s, 5));
    bool d0 = co_await t.is_done();
    bool c = co_await t.cancel();
    bool d = co_await t.is_done();
    auto r = co_await Safe(Wait(t));
    auto t2 = co_await Spawn(worker(u"B"_s, 1));
    QString w = co_await Wait(t2);
    bool c2 = co_await t2.cancel();
    bool d2 = co_await t2.is_done();
    QString v2 = co_await Wait(t2);
    t10Message = r.error().message();
    co_return QVariantList { d0, c, d, r.is_err(), r.error().type_name(), w, c2, d2, v2 };
}
QString t11a, t11b;
Program<QVariantList> t11_main()
{
    Promise<QVariant> p = co_await CreatePromise();
    auto a = co_await Safe(Wait(p.future()));
    auto b = co_await Safe(Gather(p.future()));
    t11a = a.error().message();
    t11b = b.error().message();
    co_return QVariantList { a.error().type_name(), b.error().type_name() };
}
Program<void> t15_completer(Promise<int> p)
{
    co_await record(u"C"_s);
    co_await CompletePromise(p, 42);
}
Program<QVariantList> t15_main()
{
    Promise<int> p = co_await CreatePromise<int>();
    auto t = co_await Spawn(t15_completer(p));
    Q_UNUSED(t);
    int v = co_await Wait(p.future());
    Promise<int> q = co_await CreatePromise<int>();
    co_await FailPromise(q, ValueError("pf"));
    auto r = co_await Safe(Wait(q.future()));
    auto again = co_await Safe(CompletePromise(q, 1));
    co_return QVariantList { v, r.error().message(), again.error().type_name(), again.error().message() };
}
Program<QVariant> ask_k()
{
    co_return co_await Ask("k");
}
template<class P> Program<QVariant> spawn_and_wait(P p)
{
    auto t = co_await Spawn(std::move(p));
    co_return co_await Wait(t);
}
Program<QVariantList> t16_main()
{
    const Env l { { u"k"_s, u"L"_s } };
    QVariant a = co_await Local(l, spawn_and_wait(ask_k()));
    QVariant b = co_await spawn_and_wait(Local(l, ask_k()));
    QVariant c = co_await ask_k();
    co_return QVariantList { a, b, c };
}
Program<QVariantList> t19_main()
{
    auto t1 = co_await Spawn(worker(u"A"_s, 3));
    auto t2 = co_await Spawn(worker(u"B"_s, 3));
    auto t3 = co_await Spawn(worker(u"C"_s, 3));
    co_await record(u"M"_s);
    QVariantList r = co_await Gather(t1, t2, t3);
    co_await record(u"Mdone"_s);
    co_return r;
}
Program<QString> t20_main()
{
    auto t = co_await Spawn(failing(u"lost"_s));
    Q_UNUSED(t);
    co_await record(u"M"_s);
    co_return u"done"_s;
}
Program<QString> a_body(Promise<QVariant> p1, Promise<QVariant> p2)
{
    co_await record(u"a"_s);
    QVariant v = co_await Wait(p1.future());
    co_await CompletePromise(p2, v);
    co_return u"a"_s;
}
Program<QString> b_body(Promise<QVariant> p1, Promise<QVariant> p2)
{
    co_await record(u"b"_s);
    QVariant v = co_await Wait(p2.future());
    co_await CompletePromise(p1, v);
    co_return u"b"_s;
}
QString t21Message;
Program<QString> t21_main()
{
    Promise<QVariant> p1 = co_await CreatePromise();
    Promise<QVariant> p2 = co_await CreatePromise();
    auto ta = co_await Spawn(a_body(p1, p2), SpawnOptions { u"a"_s });
    auto tb = co_await Spawn(b_body(p1, p2), SpawnOptions { u"b"_s });
    auto r = co_await Safe(Gather(ta, tb));
    t21Message = r.error().message();
    co_return r.error().type_name();
}
Program<QString> partner(Promise<QString> mine, Promise<QString> theirs)
{
    const QString message = co_await Wait(theirs.future());
    co_await CompletePromise(mine, message);
    co_return message;
}
/// The deadlock example's shape: each partner waits on the promise the other would complete;
/// main created both and gathers the partners.
Program<QVariantList> partnersMain()
{
    const Promise<QString> fromAlice = co_await CreatePromise<QString>();
    const Promise<QString> fromBob = co_await CreatePromise<QString>();
    auto alice = co_await Spawn(partner(fromAlice, fromBob), SpawnOptions { u"alice"_s });
    auto bob = co_await Spawn(partner(fromBob, fromAlice), SpawnOptions { u"bob"_s });
    co_return co_await Gather(alice, bob);
}
Program<QString> sleeper()
{
    co_await record(u"s0"_s);
    co_await Delay(10);
    co_await record(u"s1"_s);
    co_return u"slept"_s;
}
Program<QVariantList> t22_main()
{
    auto t = co_await Spawn(sleeper());
    co_await record(u"M"_s);
    co_await Delay(1);
    bool c = co_await t.cancel();
    QDateTime now = co_await GetTime();
    auto r = co_await Safe(Wait(t));
    co_return QVariantList { c, dt(u"2024-01-01T00:00"_s).msecsTo(now) / 1000.0, r.error().type_name() };
}

// ---- TM ----
Program<QVariantList> tm01_main()
{
    QDateTime t1 = co_await GetTime();
    QVariant d = co_await Delay(0.05);
    QDateTime t2 = co_await GetTime();
    co_await WaitUntil(dt(u"2024-01-01T13:00"_s));
    QDateTime t3 = co_await GetTime();
    co_return QVariantList { t1, t2, t3, d };
}
Program<QString> tm02_sleeper()
{
    co_await record(u"A:start"_s);
    co_await Delay(0.01);
    co_await record(u"A:end"_s);
    co_return u"A"_s;
}
Program<int> tm02_awaiter()
{
    co_return co_await Await(QtFuture::makeReadyFuture(7));
}
Program<QVariantList> tm02_main()
{
    auto t1 = co_await Spawn(tm02_sleeper());
    auto t2 = co_await Spawn(tm02_awaiter());
    co_await record(u"M"_s);
    co_return co_await Gather(t1, t2);
}
Program<QString> w(QString name, QList<double> delays)
{
    for (int i = 0; i < delays.size(); ++i) {
        co_await record(name + QString::number(i));
        co_await Delay(delays[i]);
    }
    co_await record(name + u"end"_s);
    co_return name;
}
QDateTime tm03End;
Program<QVariantList> tm03_main()
{
    const QList<double> da { 0.15, 0.15 };
    const QList<double> db { 0.05, 0.35 };
    auto t1 = co_await Spawn(w(u"A"_s, da));
    auto t2 = co_await Spawn(w(u"B"_s, db));
    co_await record(u"M"_s);
    QVariantList r = co_await Gather(t1, t2);
    co_await record(u"Mdone"_s);
    tm03End = co_await GetTime();
    co_return r;
}
Program<QString> ticker(QString name, double period, int n)
{
    for (int i = 0; i < n; ++i) {
        co_await Delay(period);
        QDateTime now = co_await GetTime();
        co_await record(name + u"@"_s + hms(now));
    }
    co_return name;
}
Program<QVariantList> tm04_main()
{
    QDateTime t0 = co_await GetTime();
    co_await Delay(3600);
    QDateTime t1 = co_await GetTime();
    co_await WaitUntil(dt(u"2024-01-01T12:30"_s));
    QDateTime t2 = co_await GetTime();
    co_await WaitUntil(dt(u"2024-01-01T14:00"_s));
    QDateTime t3 = co_await GetTime();
    auto a = co_await Spawn(ticker(u"a"_s, 60, 3));
    auto b = co_await Spawn(ticker(u"b"_s, 90, 2));
    QVariantList r = co_await Gather(a, b);
    QDateTime t4 = co_await GetTime();
    co_return QVariantList { hms(t0), hms(t1), hms(t2), hms(t3), QVariant(r), hms(t4) };
}
QPromise<int>* tm05Promise = nullptr;
Program<QString> tm05_ticker()
{
    co_await record(u"T0"_s);
    co_await record(u"T1"_s);
    co_await IO([] {
        tm05Promise->start();
        tm05Promise->addResult(7);
        tm05Promise->finish();
    });
    co_await record(u"T2"_s);
    co_return u"t"_s;
}
Program<QVariantList> tm05_main(QFuture<int> fut)
{
    auto t = co_await Spawn(tm05_ticker());
    int v = co_await Await(fut);
    co_await record(u"M:"_s + QString::number(v));
    QString w = co_await Wait(t);
    co_return QVariantList { v, w };
}

// ---- beyond the scenarios ----
Program<QString> longSleeper()
{
    co_await record(u"s0"_s);
    co_await Delay(3600);
    co_await record(u"s1"_s);
    co_return u"slept"_s;
}
Program<QVariant> cancelSleeping_main()
{
    auto t = co_await Spawn(longSleeper());
    co_await Delay(0.001);
    bool c = co_await t.cancel();
    co_return c;
}
QFuture<int> failedFuture()
{
    QPromise<int> p;
    p.start();
    p.setException(std::make_exception_ptr(std::domain_error("io failed")));
    p.finish();
    return p.future();
}
Program<QString> awaitThrows_main()
{
    auto r = co_await Safe(Await(&failedFuture));
    co_return r.is_err() ? r.error().describe() : u"no error"_s;
}

void addRunnerClockColumns(bool simulatedClock, bool realClock)
{
    QTest::addColumn<int>("runner");
    QTest::addColumn<bool>("sim");
    for (int runner : { int(Runner::Sync), int(Runner::Async) }) {
        const char* r = runner == int(Runner::Sync) ? "sync" : "async";
        if (realClock) QTest::addRow("%s/real", r) << runner << false;
        if (simulatedClock) QTest::addRow("%s/simulated", r) << runner << true;
    }
}

} // namespace

class TestScenariosTasks : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void t01_data() { addRunnerColumn(); }
    void t01()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t01_main());
        QCOMPARE(resultText(r), u"Ok(['A', 'B'])"_s);
        QCOMPARE(trace().join(u' '), u"M0 A0 M1 A1 A2 B0 M2 B1 B2 M3 M4"_s);
    }
    void t02_data() { addRunnerColumn(); }
    void t02()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t02_main());
        QCOMPARE(resultText(r), u"Ok(['C', 'A', 'B'])"_s);
        QCOMPARE(trace().join(u' '), u"A0 A1 B0 A2 B1 C0 M MG"_s);
    }
    void t03_data() { addRunnerColumn(); }
    void t03()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t03_main());
        QCOMPARE(resultText(r), u"Ok([[0, 0, 0], ['A', 'B'], 1])"_s);
        QCOMPARE(trace().join(u' '), u"A0 B0 A1 B1"_s);
        QCOMPARE(userStore(r), u"{'counter': 1}"_s);
    }
    void t05_data() { addRunnerColumn(); }
    void t05()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t05_main(), sync_handlers_preset(), Env { { u"k"_s, u"E"_s } });
        QCOMPARE(resultText(r), u"Ok([[1, 'E'], 100, true])"_s);
        QCOMPARE(userStore(r), u"{'counter': 100}"_s);
        QCOMPARE(logOf(r), u"['parent log 1', 'parent log 2']"_s);
    }
    void t06_data() { addRunnerColumn(); }
    void t06()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t06_main());
        QCOMPARE(resultText(r), u"Ok('A')"_s);
        QCOMPARE(trace().join(u' '), u"A0 A1 B0 M0 B1 C0 Mend C1"_s);
        QVERIFY(r.unobserved_failures().isEmpty());
    }
    void t07_data() { addRunnerColumn(); }
    void t07()
    {
        QFETCH(int, runner);
        t07First = t07Second = nullptr;
        auto r = runWith(runner, t07_main());
        QCOMPARE(resultText(r), u"Ok([1, true, 'ValueError', 'oops', 'caught oops'])"_s);
        QCOMPARE(trace().join(u' '), u"F:oops OK0"_s);
        QVERIFY(r.unobserved_failures().isEmpty());
        QVERIFY(t07First);
        QVERIFY(t07First == t07Second); // the very exception object the task threw
    }
    void t09_data() { addRunnerColumn(); }
    void t09()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t09_main());
        QCOMPARE(resultText(r), u"Ok([true, 'B', 1, true, 'rf', 'from promise', true])"_s);
        QCOMPARE(trace().join(u' '), u"A0 A1 B0 A2 F:rf C0 C1 S0 S1 P S2"_s);
    }
    void t10_data() { addRunnerColumn(); }
    void t10()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t10_main());
        QCOMPARE(resultText(r), u"Ok([false, true, true, true, 'TaskCancelledError', 'B', false, true, 'B'])"_s);
        QCOMPARE(trace().join(u' '), u"A0 A1 B0"_s);
        QCOMPARE(t10Message, u"Task 1 'worker' was cancelled"_s);
    }
    void t11_data() { addRunnerColumn(); }
    void t11()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t11_main());
        QCOMPARE(resultText(r), u"Ok(['DeadlockError', 'DeadlockError'])"_s);
        QCOMPARE(t11a, u"Deadlock: no task can make progress: task 0 'main' waits on Wait(promise 1)"_s);
        QCOMPARE(t11b, u"Deadlock: no task can make progress: task 0 'main' waits on Gather(promise 1)"_s);
    }
    void t15_data() { addRunnerColumn(); }
    void t15()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t15_main());
        QCOMPARE(resultText(r), u"Ok([42, 'pf', 'PromiseAlreadyCompletedError', 'Promise already completed'])"_s);
        QCOMPARE(trace().join(u' '), u"C"_s);
    }
    void t16_data() { addRunnerColumn(); }
    void t16()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t16_main(), sync_handlers_preset(), Env { { u"k"_s, u"E"_s } });
        QCOMPARE(resultText(r), u"Ok(['L', 'L', 'E'])"_s);
    }
    void t19_data() { addRunnerColumn(); }
    void t19()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t19_main());
        QCOMPARE(resultText(r), u"Ok(['A', 'B', 'C'])"_s);
        QCOMPARE(trace().join(u' '), u"A0 A1 B0 A2 B1 C0 M B2 C1 C2 Mdone"_s);
    }
    void t20_data() { addRunnerColumn(); }
    void t20()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t20_main());
        QCOMPARE(resultText(r), u"Ok('done')"_s);
        QCOMPARE(trace().join(u' '), u"F:lost M"_s);
        QCOMPARE(unobserved(r), QStringList { u"task 1 'failing': ValueError: lost"_s });
        QCOMPARE(r.format(), u"Ok('done')\n\nUnobserved task failures (1):\n  task 1 'failing': ValueError: lost"_s);
    }
    void t21_data() { addRunnerColumn(); }
    void t21()
    {
        QFETCH(int, runner);
        const QString m = u"Deadlock: no task can make progress: task 1 'a' waits on Wait(promise 1); task 2 'b' waits "
                          u"on Wait(promise 2); task 0 'main' waits on Gather(task 1 'a', task 2 'b')"_s;
        auto r = runWith(runner, t21_main());
        QCOMPARE(resultText(r), u"Ok('DeadlockError')"_s);
        QCOMPARE(trace().join(u' '), u"a b"_s);
        QCOMPARE(unobserved(r),
                 (QStringList { u"task 1 'a': DeadlockError: "_s + m, u"task 2 'b': DeadlockError: "_s + m }));
        QCOMPARE(t21Message, m);
    }
    void deadlockRingIsACycle()
    {
        // small: the spec's full message, and the cycle as data
        auto r = sync_run(ringMain(3), sync_handlers_preset());
        QVERIFY(r.is_err());
        const auto* d = r.error().as<DeadlockError>();
        QVERIFY(d);
        // main blocks last: CompletePromise lets the members run first
        QCOMPARE(
            r.error().message(),
            u"Deadlock: no task can make progress: task 1 'm0' waits on Wait(task 2 'm1'); task 2 'm1' waits on "
            u"Wait(task 3 'm2'); task 3 'm2' waits on Wait(task 1 'm0'); task 0 'main' waits on Wait(task 1 'm0')"_s);
        QCOMPARE(d->cycles(), (QList<QList<int>> { { 1, 2, 3 } }));
        QCOMPARE(d->blocked().size(), 4);
    }
    void deadlockNamesItsCycleInTheResult()
    {
        // the message stays the spec's; the cycle is data, and format() adds one block at the end
        auto r = sync_run(ringMain(3), sync_handlers_preset());
        QVERIFY(r.is_err());
        const auto* d = r.error().as<DeadlockError>();
        QVERIFY(d);
        const QString cycle = u"task 1 'm0' \u2192 task 2 'm1' \u2192 task 3 'm2' \u2192 task 1 'm0'"_s;
        QCOMPARE(d->cycleText(), cycle);
        QCOMPARE(r.wait_cycle(), cycle);
        const QString text = r.format();
        QVERIFY2(text.endsWith(u"\n\nWait-for cycle: "_s + cycle), qPrintable(text));
        QCOMPARE(text.count(u"Wait-for cycle"_s), 1);
        QVERIFY(r.format(true).endsWith(u"\n\nWait-for cycle: "_s + cycle));
        // saved and loaded, the text is the same byte for byte
        QByteArray bytes;
        QBuffer out(&bytes);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QVERIFY(r.save(out));
        out.close();
        QBuffer in(&bytes);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const SavedResult loaded = load_result(in, u"ring.doeffresult"_s);
        QCOMPARE(loaded.wait_cycle(), cycle);
        QCOMPARE(loaded.format(), text);
        QCOMPARE(loaded.format(true), r.format(true));
        // a program that catches its DeadlockError ends Ok: nothing is added
        auto t21 = sync_run(t21_main(), sync_handlers_preset());
        QVERIFY(!t21.format().contains(u"Wait-for cycle"_s));
    }
    void deadlockThroughPromisesNamesItsRing()
    {
        // who completes a promise is not visible to the machine: its creator and the tasks
        // spawned from the creator's line after it may; the most recent holder comes first
        auto r = sync_run(partnersMain(), sync_handlers_preset());
        QVERIFY(r.is_err());
        const auto* d = r.error().as<DeadlockError>();
        QVERIFY(d);
        static const QRegularExpression ring(QStringLiteral(
            R"re(^task 1 'alice' \x{2192} promise 2 \(created by task 0 'main' at tst_scenarios_tasks\.cpp:\d+\) )re"
            R"re(\x{2192} task 2 'bob' \x{2192} promise 1 \(created by task 0 'main' at tst_scenarios_tasks\.cpp:\d+\) )re"
            R"re(\x{2192} task 1 'alice'; \d+ more cycles$)re"));
        QVERIFY2(ring.match(d->cycleText()).hasMatch(), qPrintable(d->cycleText()));
        QVERIFY(r.format().endsWith(u"\n\nWait-for cycle: "_s + d->cycleText()));
        // the message stays the spec's, and the cycles as data are the rings of tasks (none here)
        QVERIFY(!r.error().message().contains(u"cycle"_s));
        QVERIFY(d->cycles().isEmpty());
    }
    void deadlockOfAHundredThousandTasksIsLinear()
    {
        // Issue 17 #3: every task's error used to copy the whole list (O(N^2): std::bad_alloc)
        // smaller under the sanitizers: 20,000 tasks still cost gigabytes with a quadratic report
#if defined(__SANITIZE_ADDRESS__)
        constexpr int n = 20000;
#else
        constexpr int n = 100000;
#endif
        auto r = sync_run(ringMain(n), sync_handlers_preset());
        QVERIFY(r.is_err());
        const auto* d = r.error().as<DeadlockError>();
        QVERIFY(d);
        const QString m = r.error().message();
        QVERIFY2(m.size() < 4096, qPrintable(m.left(300)));
        QVERIFY2(m.startsWith(u"Deadlock: no task can make progress: %1 tasks blocked; a cycle of %2 tasks: "
                              u"task 1 'm0' -> task 2 'm1' -> task 3 'm2' -> ... -> task 1 'm0'; task 1 'm0' waits on "
                              u"Wait(task 2 'm1'); task 2 'm1' waits on Wait(task 3 'm2'); "_s.arg(n + 1)
                                  .arg(n)),
                 qPrintable(m));
        QVERIFY2(m.endsWith(u"; ... and %1 more"_s.arg(n - 9)), qPrintable(m));
        QCOMPARE(d->blocked().size(), n + 1);
        QCOMPARE(d->cycles().size(), 1);
        QCOMPARE(d->cycles().front().size(), n);
        // every ring member failed with the same report, shared rather than copied
        const QList<UnobservedFailure> failures = r.unobserved_failures();
        QCOMPARE(failures.size(), n);
        for (const UnobservedFailure& f : failures) {
            const auto* e = f.error.as<DeadlockError>();
            QVERIFY(e);
            QCOMPARE(e->report().get(), d->report().get());
        }
        QVERIFY(r.format().size() < qsizetype(n) * 1000);
    }
    void t22_data()
    {
        addRunnerColumn();
    }
    void t22()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, t22_main(), sync_handlers_preset(), {}, {}, simulated(u"2024-01-01T00:00"_s));
        QCOMPARE(resultText(r), u"Ok([true, 1.0, 'TaskCancelledError'])"_s);
        QCOMPARE(trace().join(u' '), u"s0 M"_s);
    }

    void tm01_data()
    {
        addRunnerClockColumns(true, true);
    }
    void tm01()
    {
        QFETCH(int, runner);
        QFETCH(bool, sim);
        const Store store { { u"__current_time__"_s, dt(u"2024-01-01T12:00"_s) } };
        // real clock: WaitUntil a past instant behaves like Delay(0)
        auto r = runWith(runner, tm01_main(), sync_handlers_preset(), {}, store,
                         sim ? simulated(u"2024-01-01T12:00"_s) : RunOptions {});
        QCOMPARE(resultText(r),
                 u"Ok([QDateTime(2024-01-01T12:00:00.000Z), QDateTime(2024-01-01T12:00:00.000Z), "
                 u"QDateTime(2024-01-01T12:00:00.000Z), null])"_s);
    }
    void tm02_data()
    {
        addRunnerColumn();
    }
    void tm02()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, tm02_main());
        QCOMPARE(resultText(r), u"Ok(['A', 7])"_s);
        QCOMPARE(trace().join(u' '), u"A:start M A:end"_s);
    }
    void tm03_data()
    {
        addRunnerClockColumns(true, true);
    }
    void tm03()
    {
        QFETCH(int, runner);
        QFETCH(bool, sim);
        auto r = runWith(runner, tm03_main(), sync_handlers_preset(), {}, {},
                         sim ? simulated(u"2024-01-01T00:00"_s) : RunOptions {});
        QCOMPARE(resultText(r), u"Ok(['A', 'B'])"_s);
        QCOMPARE(trace().join(u' '), u"A0 B0 M B1 A1 Aend Bend Mdone"_s);
        if (sim) QCOMPARE(tm03End, dt(u"2024-01-01T00:00"_s).addMSecs(400));
    }
    void tm04_data()
    {
        addRunnerColumn();
    }
    void tm04()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, tm04_main(), sync_handlers_preset(), {}, {}, simulated(u"2024-01-01T12:00"_s));
        QCOMPARE(resultText(r), u"Ok(['12:00:00', '13:00:00', '13:00:00', '14:00:00', ['a', 'b'], '14:03:00'])"_s);
        QCOMPARE(trace().join(u' '), u"a@14:01:00 b@14:01:30 a@14:02:00 b@14:03:00 a@14:03:00"_s);
    }
    void tm05_data()
    {
        addRunnerColumn();
    }
    void tm05()
    {
        QFETCH(int, runner);
        QPromise<int> qp;
        tm05Promise = &qp;
        RunOptions options;
        options.external_wait_timeout = std::chrono::milliseconds(20000); // the watchdog
        auto r = runWith(runner, tm05_main(qp.future()), sync_handlers_preset(), {}, {}, options);
        QCOMPARE(resultText(r), u"Ok([7, 't'])"_s);
        QCOMPARE(trace().join(u' '), u"T0 T1 T2 M:7"_s);
    }

    // ---- beyond the scenarios ----
    void cancelTaskBlockedInDelay_data()
    {
        addRunnerColumn();
    }
    void cancelTaskBlockedInDelay()
    {
        QFETCH(int, runner);
        // real clock: the sleeper's timer is an hour away; if the run waited for it, the test
        // would hit ctest's timeout instead of finishing
        auto r = runWith(runner, cancelSleeping_main());
        QCOMPARE(resultText(r), u"Ok(true)"_s);
        QCOMPARE(trace().join(u' '), u"s0"_s);
    }
    void awaitThatThrows_data()
    {
        addRunnerColumn();
    }
    void awaitThatThrows()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, awaitThrows_main());
        QCOMPARE(resultText(r), u"Ok('std::domain_error: io failed')"_s);
    }
    void asyncRunDoesNotBlockTheEventLoop()
    {
        // a QTimer keeps firing while async_run works through 200 timed steps
        int ticks = 0;
        QTimer timer;
        QObject::connect(&timer, &QTimer::timeout, [&ticks] { ++ticks; });
        timer.start(1);
        auto r = QCoro::waitFor(async_run(ticker(u"x"_s, 0.002, 100), sync_handlers_preset()));
        QVERIFY(r.is_ok());
        QVERIFY2(ticks >= 10, qPrintable(u"timer fired only %1 times"_s.arg(ticks)));
    }
};

QTEST_GUILESS_MAIN(TestScenariosTasks)
#include "tst_scenarios_tasks.moc"
