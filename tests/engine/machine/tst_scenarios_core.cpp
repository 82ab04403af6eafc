// Scenarios P, R, S, W, C, H and O of spec/SCENARIOS.md, on both runners. Over 800 lines on
// purpose: one short slot per scenario, in the spec's order, so the file reads beside the spec.

#include "scenario.h"

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

int counter = 0;

// ---- P ----
Program<int> p01_child(int x)
{
    co_await Put("c", x);
    co_return x * 2;
}
Program<int> p01_main()
{
    int a = co_await p01_child(3);
    int b = co_await pure(10);
    int c = co_await pure(5);
    co_return a + b + c;
}

Program<int> p02_failing()
{
    throw ValueError("boom");
    co_return 0;
}
Program<QString> p02_main()
{
    try {
        co_await p02_failing();
    } catch (const ValueError& e) {
        co_return u"caught "_s + str(e.what());
    }
    co_return u"not caught"_s;
}

Program<int> level3()
{
    co_await Tell("in level3");
    throw ValueError("deep failure");
}
Program<int> level2()
{
    co_return co_await level3();
}
Program<int> level1()
{
    co_await Put("progress", 1);
    co_return co_await level2();
}

Program<int> child()
{
    co_await Tell("child ran");
    co_return 7;
}
QString p09Message;
Program<QVariantList> p09_main()
{
    Program<int> p = child();
    int a = co_await p;
    Result<int> b = co_await Safe(p);
    int c = co_await child();
    p09Message = b.error().message();
    co_return QVariantList { a, kind(Result<QVariant>(b.is_ok() ? AnyResult::ok(0) : AnyResult::err(b.error()))),
                             b.error().type_name(), c };
}

QString p10a, p10b;
Program<QVariantList> p10_main()
{
    Result<int> a = co_await Safe(Get<int>("n"));
    Result<int> b = co_await Safe(Get<int>("z"));
    std::optional<int> c = co_await Get<std::optional<int>>("z");
    double d = co_await Get<double>("i");
    QString e = co_await Get<QString>("i");
    p10a = a.error().message();
    p10b = b.error().message();
    co_return QVariantList { a.error().type_name(), b.error().type_name(), !c.has_value(), d, e };
}

// ---- R ----
Program<QVariantList> r01_main()
{
    QVariant a = co_await Ask("a");
    QVariant b = co_await Ask("b");
    co_return QVariantList { a, b };
}
Program<QVariant> r02_main()
{
    co_return co_await Ask("database_url");
}
Program<int> expensive()
{
    counter += 1;
    co_await Tell("computing");
    co_return 42;
}
Program<QVariantList> r03_main()
{
    QVariant a = co_await Ask("svc");
    QVariant b = co_await Ask("svc");
    co_return QVariantList { a, b, counter };
}
Program<QVariant> circ()
{
    co_return co_await Ask("a");
}
Program<QVariant> r05_main()
{
    co_return co_await circ();
}
Program<QVariant> ask_k()
{
    co_return co_await Ask("k");
}
Program<QVariantList> r06_main()
{
    QVariant a = co_await Ask("k");
    const Env inner { { u"k"_s, u"inner"_s } }; // built outside co_await: GCC 12 rejects init-lists there
    QVariant b = co_await Local(inner, ask_k());
    QVariant c = co_await Ask("k");
    co_return QVariantList { a, b, c };
}
Program<QVariantList> both()
{
    QVariant a = co_await Ask("a");
    QVariant b = co_await Ask("b");
    co_return QVariantList { a, b };
}
Program<QVariantList> r09_main()
{
    const Env a { { u"a"_s, 1 } };
    const Env b { { u"b"_s, 2 } };
    co_return co_await Local(a, Local(b, both()));
}
Program<QVariantList> r11_main()
{
    const Env l { { u"k"_s, u"L"_s } };
    Result<QVariant> r = co_await Local(l, Safe(ask_k()));
    co_return QVariantList { kind(r), r.value() };
}
Program<QString> prog_val()
{
    counter += 1;
    co_return u"computed"_s;
}
Program<QVariantList> twice(QString k)
{
    QVariant a = co_await Ask(k);
    QVariant b = co_await Ask(k);
    co_return QVariantList { a, b };
}
Program<QVariantList> r13_main()
{
    const Env l { { u"svc"_s, QVariant::fromValue(Lazy([] { return prog_val(); })) } };
    QVariantList v = co_await Local(l, twice(u"svc"_s));
    co_return QVariantList { QVariant(v), counter };
}
Program<QVariantList> r14_main()
{
    const Env l { { u"k"_s, u"L"_s } };
    co_return co_await Local(l, Gather(ask_k(), ask_k()));
}

// ---- S ----
Program<QVariantList> s01_main()
{
    QVariant x = co_await Get("a");
    co_await Put("a", 2);
    QVariant y = co_await Get("a");
    co_return QVariantList { x, y };
}
Program<QVariant> s02_main()
{
    co_return co_await Get("nope");
}
Program<QVariantList> s03_main()
{
    auto seen = std::make_shared<QVariantList>();
    // a capturing lambda is named before co_await: g++ 12 destroys closure temporaries of a
    // co_await expression twice
    auto remember = [seen](const QVariant& x) {
        seen->append(x);
        return QVariant(5);
    };
    QVariant v = co_await Modify("c", remember);
    co_return QVariantList { QVariant(*seen), v };
}
Program<void> inc_then_fail()
{
    co_await Modify("counter", [](const QVariant& x) { return x.toInt() + 1; });
    co_await Tell("inc");
    throw ValueError("e");
}
Program<QVariantList> s05_main()
{
    co_await Put("counter", 0);
    Result<void> r = co_await Safe(inc_then_fail());
    QVariant c = co_await Get("counter");
    co_return QVariantList { r.is_err(), c };
}

// ---- W ----
Program<QVariant> w01_main()
{
    co_await Tell("a");
    const QVariantList bc { u"b"_s, u"c"_s };
    const QStringList d { u"d"_s };
    const QVariantMap entry { { u"level"_s, u"info"_s }, { u"msg"_s, u"m"_s } };
    const QVariantMap k { { u"k"_s, 1 } };
    co_await Tell(bc);
    co_await Tell(d);
    co_await Log("e");
    co_await StructuredLog(entry);
    co_await Tell(k);
    co_return QVariant();
}
Program<int> w03_inner()
{
    co_await Tell("i1");
    co_await Tell("i2");
    co_return 42;
}
Program<int> w03_mid()
{
    co_await Tell("m1");
    int x = co_await w03_inner();
    co_await Tell("m2");
    co_return x;
}
Program<QVariantList> w03_main()
{
    co_await Tell("before");
    ListenResult<int> lr = co_await Listen(w03_mid());
    co_await Tell("after");
    co_return QVariantList { lr.value, QVariant(lr.log) };
}
Program<int> w04_inner()
{
    co_await Tell("inner1");
    co_await Tell("inner2");
    co_return 0;
}
Program<QVariantList> w04_middle()
{
    co_await Tell("middle1");
    ListenResult<int> il = co_await Listen(w04_inner());
    co_await Tell("middle2");
    co_return il.log;
}
Program<QVariantList> w04_main()
{
    auto ol = co_await Listen(w04_middle());
    co_return QVariantList { QVariant(ol.value), QVariant(ol.log) };
}
Program<int> w05_fail()
{
    co_await Tell("before_error");
    throw ValueError("err");
}
Program<QVariantList> w05_main()
{
    auto lr = co_await Listen(Safe(w05_fail()));
    co_return QVariantList { kind(AnyResult(lr.value.is_ok() ? AnyResult::ok(0) : AnyResult::err(lr.value.error()))),
                             lr.value.error().message(), QVariant(lr.log) };
}

// ---- C ----
Program<int> boom()
{
    throw ValueError("boom");
    co_return 0;
}
Program<QVariantList> c02_main()
{
    Result<int> s = co_await Safe(pure(5));
    Result<int> r = co_await Safe(boom());
    co_return QVariantList { s.is_ok() ? u"Ok"_s : u"Err"_s,
                             s.value(),
                             !s.err().has_value(),
                             r.is_ok() ? u"Ok"_s : u"Err"_s,
                             r.is_err(),
                             r.error().type_name(),
                             r.error().message(),
                             !r.ok().has_value() };
}
Program<QVariantList> c04_main()
{
    auto a = co_await Safe(Ask("x"));
    auto b = co_await Safe(Get("y"));
    auto c = co_await Safe(IO([]() -> int { throw std::domain_error("division by zero"); }));
    co_return QVariantList { a.error().type_name(), b.error().type_name(), c.error().type_name() };
}
Program<QVariantList> uses_ask()
{
    QVariant a = co_await Ask("a");
    QVariant b = co_await Get("b");
    co_return QVariantList { a, b };
}
Transform askToPure(const AnyEffect& e, const QString& value)
{
    if (e.is<AskEffect>()) return pure(QVariant(value));
    return {};
}
Program<QVariantList> c05_main()
{
    const QList<TransformFn> transforms { [](const AnyEffect& e) { return askToPure(e, u"intercepted"_s); } };
    co_return co_await Intercept(uses_ask(), transforms);
}
Program<QVariantList> c07_outer()
{
    co_return co_await uses_ask();
}
Program<QVariantList> c07_main()
{
    auto seen = std::make_shared<QVariantList>();
    TransformFn f1 = [seen](const AnyEffect& e) -> Transform {
        seen->append(QVariant(QVariantList { u"f1"_s, e.name() }));
        return {};
    };
    TransformFn f2 = [seen](const AnyEffect& e) -> Transform {
        seen->append(QVariant(QVariantList { u"f2"_s, e.name() }));
        return askToPure(e, u"f2"_s);
    };
    const QList<TransformFn> transforms { f1, f2 };
    QVariantList v = co_await Intercept(c07_outer(), transforms);
    co_return QVariantList { QVariant(v), QVariant(*seen) };
}
Program<QVariant> safe_inside()
{
    Result<QVariantList> r = co_await Safe(uses_ask());
    co_return QVariant(r.value());
}
Program<QVariant> c08_main()
{
    const QList<TransformFn> transforms { [](const AnyEffect& e) { return askToPure(e, u"T"_s); } };
    co_return co_await Intercept(safe_inside(), transforms);
}
Program<QVariantList> c09_body()
{
    QVariantList g = co_await Gather(ask_k(), ask_k());
    Task<QVariant> t = co_await Spawn(ask_k());
    QVariant w = co_await Wait(t);
    co_return QVariantList { QVariant(g), w };
}
Program<QVariantList> c09_main()
{
    auto seen = std::make_shared<QVariantList>();
    const QList<TransformFn> transforms { [seen](const AnyEffect& e) -> Transform {
        seen->append(e.name());
        return askToPure(e, u"T"_s);
    } };
    QVariantList gw = co_await Intercept(c09_body(), transforms);
    co_return QVariantList { gw[0], gw[1], QVariant(*seen) };
}

// ---- H ----
Program<QVariant> h_main()
{
    QVariant v;
    try {
        v = co_await ping(2);
    } catch (const ValueError& e) {
        co_return QVariant(u"caught: "_s + str(e.what()));
    }
    QVariant x = co_await Get("x");
    co_return QVariantList { v, x };
}
Handler tens()
{
    return handler(u"tens"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (auto* p = e.as<Ping>()) return Resume(p->n * 10);
        return Forward();
    });
}
HandlerList withInner(Handler h)
{
    HandlerList l = sync_handlers_preset();
    l.append(std::move(h));
    return l;
}
Program<int> h04_sub()
{
    QVariant v = co_await Get("x");
    co_return v.toInt() + 1000;
}
Handler spy(QString name, std::shared_ptr<QVariantList> order)
{
    return handler(name, [name, order](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        order->append(QVariant(QVariantList { name, e.name() }));
        QVariant v = co_await ctx.forward();
        co_return Resume(v);
    });
}
std::shared_ptr<QVariantList> h09Order;
Program<QVariant> h09_main()
{
    co_await Tell("x");
    co_return QVariant(*h09Order);
}
Program<QVariant> h10_main()
{
    co_return co_await ping(1);
}
Program<AnyResult> h11_main()
{
    Result<QVariant> r = co_await Safe(ping(1));
    co_return r;
}
Program<QVariant> pinger(int n)
{
    co_return co_await ping(n);
}
Program<Task<QVariant>> spawn_in_scope()
{
    Task<QVariant> t = co_await Spawn(pinger(3));
    co_return t;
}
Program<QVariantList> h14_main(Handler h2)
{
    QVariant a = co_await ping(1);
    Task<QVariant> t = co_await Spawn(pinger(4));
    QVariant b = co_await Wait(t);
    Task<QVariant> t2 = co_await WithHandler(h2, spawn_in_scope());
    QVariant c = co_await Wait(t2);
    co_return QVariantList { a, b, c };
}
Program<QVariant> h15_sub()
{
    co_return co_await ping(1);
}
Program<QVariantList> h15_main(Handler h, Handler h2)
{
    QVariant v = co_await WithHandler(h, h15_sub());
    QVariant w = co_await WithHandler(h2, h15_sub());
    Result<QVariant> z = co_await Safe(h15_sub());
    co_return QVariantList { v, w, kind(z) };
}
Program<QString> h16_body()
{
    co_await record(u"a"_s);
    co_await ping(1);
    co_await record(u"b"_s);
    co_return u"body done"_s;
}
Program<QString> h16_main(Handler stop)
{
    QString v = co_await WithHandler(stop, h16_body());
    co_await record(u"after"_s);
    co_return v;
}

// ---- O ----
Program<QVariantList> o01_main()
{
    int v = co_await IO([] { return 5; });
    auto e = co_await Safe(IO([]() -> int { throw std::domain_error("division by zero"); }));
    co_return QVariantList { v, e.error().type_name() };
}
QString o02Miss;
Program<QVariantList> o02_main()
{
    bool e0 = co_await CacheExists("k");
    const QVariantMap v1 { { u"v"_s, 1 } };
    co_await CachePut("k", v1);
    bool e1 = co_await CacheExists("k");
    QVariant g = co_await CacheGet("k");
    bool d = co_await CacheDelete("k");
    bool e2 = co_await CacheExists("k");
    auto miss = co_await Safe(CacheGet("k"));
    bool dd = co_await CacheDelete("absent");
    co_await CachePut("t", u"tv"_s);
    QVariant t = co_await CacheGet("t");
    o02Miss = miss.error().message();
    co_return QVariantList { e0, e1, g, d, e2, miss.error().type_name(), dd, t };
}
Program<QVariantList> o03_main()
{
    QVariant a = co_await AtomicGet("cnt");
    QVariant b = co_await AtomicGet("lst", [] { return QVariant(QVariantList {}); });
    auto s = co_await Safe(Get("lst"));
    QVariant c = co_await AtomicUpdate("cnt2", [](const QVariant& x) { return (isNull(x) ? 0 : x.toInt()) + 1; });
    QVariant d = co_await AtomicUpdate(
        "cnt3", [](const QVariant& x) { return x.toInt() + 1; }, [] { return QVariant(10); });
    QVariant e = co_await AtomicGet("cnt3");
    co_return QVariantList { a, b, s.is_ok(), c, d, e };
}
Program<QString> o04_inner()
{
    co_await Step(u"i1"_s);
    co_return u"iv"_s;
}
Program<QVariantList> o04_main()
{
    const QVariantMap meta { { u"k"_s, 1 } };
    const QVariantMap extra { { u"extra"_s, 2 } };
    QVariant v = co_await Step(u"a"_s, meta);
    co_await Annotate(extra);
    co_await Step(u"b"_s);
    QVariantList snap = co_await Snapshot();
    GraphCapture<QString> cap = co_await CaptureGraph(o04_inner());
    QVariantList snap2 = co_await Snapshot();
    co_return QVariantList { v, QVariant(snap), cap.value, QVariant(cap.nodes), snap2.size() };
}
Program<void> inc_atomic(int n)
{
    for (int i = 0; i < n; ++i)
        co_await AtomicUpdate("a", [](const QVariant& x) { return x.toInt() + 1; });
}
Program<void> inc_modify(int n)
{
    for (int i = 0; i < n; ++i)
        co_await Modify("m", [](const QVariant& x) { return x.toInt() + 1; });
}
QList<QVariantList> o06Reads;
Program<void> inc_getput(int n, int branch)
{
    for (int i = 0; i < n; ++i) {
        QVariant v = co_await Get("g");
        o06Reads[i].append(QVariant(QVariantList { branch, v }));
        co_await Put("g", v.toInt() + 1);
    }
}
Program<QVariantList> o06_main()
{
    co_await Put("a", 0);
    co_await Put("m", 0);
    co_await Put("g", 0);
    co_await Gather(inc_atomic(3), inc_atomic(3), inc_atomic(3));
    co_await Gather(inc_modify(3), inc_modify(3), inc_modify(3));
    co_await Gather(inc_getput(3, 0), inc_getput(3, 1), inc_getput(3, 2));
    QVariant a = co_await Get("a");
    QVariant m = co_await Get("m");
    QVariant g = co_await Get("g");
    co_return QVariantList { a, m, g };
}

Env env(std::initializer_list<std::pair<QString, QVariant>> entries)
{
    Env e;
    for (const auto& [k, v] : entries)
        e.insert(k, v);
    return e;
}

} // namespace

// RUNTIME.md §2, "Effects as programs": an effect object wherever a program is expected, including
// the entry points that have no program of their own (CaptureGraph, Intercept, WithHandler, the runners).
Program<QVariantList> effectsAsPrograms_main()
{
    GraphCapture<int> captured = co_await CaptureGraph(Get<int>("x"));
    const QList<TransformFn> transforms { [](const AnyEffect& e) { return askToPure(e, u"intercepted"_s); } };
    QVariant intercepted = co_await Intercept(Ask("k"), transforms);
    Handler doubler = handler(u"doubler"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (!e.is<AskEffect>()) return Forward();
        return Resume(u"handled %1"_s.arg(e.as<AskEffect>()->key));
    });
    QString handled = co_await WithHandler(doubler, Ask<QString>("k"));
    co_return QVariantList { captured.value, intercepted, handled };
}

class TestScenariosCore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void p01_data() { addRunnerColumn(); }
    void p01()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, p01_main());
        QCOMPARE(resultText(r), u"Ok(21)"_s);
        QCOMPARE(userStore(r), u"{'c': 3}"_s);
    }
    void p02_data() { addRunnerColumn(); }
    void p02()
    {
        QFETCH(int, runner);
        QCOMPARE(resultText(runWith(runner, p02_main())), u"Ok('caught boom')"_s);
    }
    void p03_data() { addRunnerColumn(); }
    void p03()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, level1());
        QCOMPARE(resultText(r), u"Err(ValueError: deep failure)"_s);
        QCOMPARE(userStore(r), u"{'progress': 1}"_s);
        QCOMPARE(logOf(r), u"['in level3']"_s);
    }
    void effectsAsPrograms_data() { addRunnerColumn(); }
    void effectsAsPrograms()
    {
        QFETCH(int, runner);
        const Store store { { u"x"_s, 41 } };
        const Env env { { u"k"_s, u"from env"_s } };
        // the runners take an effect: its result type is the run's value type
        RuntimeResult<int> direct = Runner(runner) == Runner::Sync
            ? sync_run(Get<int>("x"), sync_handlers_preset(), env, store)
            : QCoro::waitFor(async_run(Get<int>("x"), sync_handlers_preset(), env, store));
        QCOMPARE(resultText(direct), u"Ok(41)"_s);
        QCOMPARE(direct.value(), 41);
        RuntimeResult<QVariant> untyped = Runner(runner) == Runner::Sync
            ? sync_run(Ask("k"), sync_handlers_preset(), env)
            : QCoro::waitFor(async_run(Ask("k"), sync_handlers_preset(), env));
        QCOMPARE(resultText(untyped), u"Ok('from env')"_s);
        // and so do CaptureGraph, Intercept and WithHandler inside a program
        auto r = runWith(runner, effectsAsPrograms_main(), sync_handlers_preset(), env, store);
        QCOMPARE(resultText(r), u"Ok([41, 'intercepted', 'handled k'])"_s);
    }
    void p09_data() { addRunnerColumn(); }
    void p09()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, p09_main());
        QCOMPARE(resultText(r), u"Ok([7, 'Err', 'ProgramReusedError', 7])"_s);
        QCOMPARE(logOf(r), u"['child ran', 'child ran']"_s);
        QCOMPARE(p09Message, u"Program 'child' was already started; call child() again for a new activation"_s);
    }
    void p10_data() { addRunnerColumn(); }
    void p10()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, p10_main(), sync_handlers_preset(), {},
                         Store { { u"n"_s, u"abc"_s }, { u"z"_s, QVariant() }, { u"i"_s, 5 } });
        QCOMPARE(resultText(r), u"Ok(['ConversionError', 'ConversionError', true, 5.0, '5'])"_s);
        QCOMPARE(p10a, u"Cannot convert 'abc' (QString) to int for Get('n')"_s);
        QCOMPARE(p10b, u"Cannot convert null to int for Get('z')"_s);
    }

    void r01_data() { addRunnerColumn(); }
    void r01()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, r01_main(), sync_handlers_preset(), env({ { u"a"_s, 1 }, { u"b"_s, u"seven"_s } }));
        QCOMPARE(resultText(r), u"Ok([1, 'seven'])"_s);
    }
    void r02_data() { addRunnerColumn(); }
    void r02()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, r02_main(), sync_handlers_preset(), env({ { u"timeout"_s, 30 } }));
        QCOMPARE(resultText(r),
                 QStringLiteral("Err(MissingEnvKeyError: Environment key not found: 'database_url' (hint: pass "
                                "it in the run's env or bind it with Local))"));
        const auto* key = r.error().as<KeyError>();
        QVERIFY(key);
        QCOMPARE(key->key(), u"database_url"_s);
    }
    void r03_data() { addRunnerColumn(); }
    void r03()
    {
        QFETCH(int, runner);
        counter = 0;
        auto r = runWith(runner, r03_main(), sync_handlers_preset(),
                         env({ { u"svc"_s, QVariant::fromValue(Lazy([] { return expensive(); })) } }));
        QCOMPARE(resultText(r), u"Ok([42, 42, 1])"_s);
        QCOMPARE(logOf(r), u"['computing']"_s);
        QCOMPARE(reservedKeys(r), QStringList { u"__log__"_s });
    }
    void r05_data() { addRunnerColumn(); }
    void r05()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, r05_main(), sync_handlers_preset(),
                         env({ { u"a"_s, QVariant::fromValue(Lazy([] { return circ(); })) } }));
        QCOMPARE(resultText(r), u"Err(CircularAskError: Circular dependency detected for Ask('a'))"_s);
    }
    void r06_data() { addRunnerColumn(); }
    void r06()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, r06_main(), sync_handlers_preset(), env({ { u"k"_s, u"outer"_s } }));
        QCOMPARE(resultText(r), u"Ok(['outer', 'inner', 'outer'])"_s);
    }
    void r09_data() { addRunnerColumn(); }
    void r09()
    {
        QFETCH(int, runner);
        QCOMPARE(resultText(runWith(runner, r09_main())), u"Ok([1, 2])"_s);
    }
    void r11_data() { addRunnerColumn(); }
    void r11()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, r11_main(), sync_handlers_preset(), env({ { u"k"_s, u"E"_s } }));
        QCOMPARE(resultText(r), u"Ok(['Ok', 'L'])"_s);
    }
    void r13_data() { addRunnerColumn(); }
    void r13()
    {
        QFETCH(int, runner);
        counter = 0;
        QCOMPARE(resultText(runWith(runner, r13_main())), u"Ok([['computed', 'computed'], 1])"_s);
    }
    void r14_data() { addRunnerColumn(); }
    void r14()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, r14_main(), sync_handlers_preset(), env({ { u"k"_s, u"E"_s } }));
        QCOMPARE(resultText(r), u"Ok(['L', 'L'])"_s);
    }

    void s01_data() { addRunnerColumn(); }
    void s01()
    {
        QFETCH(int, runner);
        Store initial { { u"a"_s, 1 } };
        auto r = runWith(runner, s01_main(), sync_handlers_preset(), {}, initial);
        QCOMPARE(resultText(r), u"Ok([1, 2])"_s);
        QCOMPARE(userStore(r), u"{'a': 2}"_s);
        QCOMPARE(initial.value(u"a"_s).toInt(), 1);
        QCOMPARE(initial.size(), 1);
    }
    void s02_data() { addRunnerColumn(); }
    void s02()
    {
        QFETCH(int, runner);
        QCOMPARE(resultText(runWith(runner, s02_main())), u"Err(MissingStoreKeyError: Store key not found: 'nope')"_s);
    }
    void s03_data() { addRunnerColumn(); }
    void s03()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, s03_main());
        QCOMPARE(resultText(r), u"Ok([[null], 5])"_s);
        QCOMPARE(userStore(r), u"{'c': 5}"_s);
    }
    void s05_data() { addRunnerColumn(); }
    void s05()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, s05_main());
        QCOMPARE(resultText(r), u"Ok([true, 1])"_s);
        QCOMPARE(userStore(r), u"{'counter': 1}"_s);
        QCOMPARE(logOf(r), u"['inc']"_s);
    }

    void w01_data() { addRunnerColumn(); }
    void w01()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, w01_main());
        QCOMPARE(resultText(r), u"Ok(null)"_s);
        QCOMPARE(logOf(r), u"['a', 'b', 'c', 'd', 'e', {'level': 'info', 'msg': 'm'}, {'k': 1}]"_s);
    }
    void w03_data() { addRunnerColumn(); }
    void w03()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, w03_main());
        QCOMPARE(resultText(r), u"Ok([42, ['m1', 'i1', 'i2', 'm2']])"_s);
        QCOMPARE(logOf(r), u"['before', 'm1', 'i1', 'i2', 'm2', 'after']"_s);
    }
    void w04_data() { addRunnerColumn(); }
    void w04()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, w04_main());
        QCOMPARE(resultText(r), u"Ok([['inner1', 'inner2'], ['middle1', 'inner1', 'inner2', 'middle2']])"_s);
        QCOMPARE(logOf(r), u"['middle1', 'inner1', 'inner2', 'middle2']"_s);
    }
    void w05_data() { addRunnerColumn(); }
    void w05()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, w05_main());
        QCOMPARE(resultText(r), u"Ok(['Err', 'err', ['before_error']])"_s);
        QCOMPARE(logOf(r), u"['before_error']"_s);
    }

    void c02_data() { addRunnerColumn(); }
    void c02()
    {
        QFETCH(int, runner);
        QCOMPARE(resultText(runWith(runner, c02_main())),
                 u"Ok(['Ok', 5, true, 'Err', true, 'ValueError', 'boom', true])"_s);
    }
    void c04_data() { addRunnerColumn(); }
    void c04()
    {
        QFETCH(int, runner);
        QCOMPARE(resultText(runWith(runner, c04_main())),
                 u"Ok(['MissingEnvKeyError', 'MissingStoreKeyError', 'std::domain_error'])"_s);
    }
    void c05_data() { addRunnerColumn(); }
    void c05()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, c05_main(), sync_handlers_preset(), env({ { u"a"_s, u"orig"_s } }),
                         Store { { u"b"_s, 1 } });
        QCOMPARE(resultText(r), u"Ok(['intercepted', 1])"_s);
    }
    void c07_data() { addRunnerColumn(); }
    void c07()
    {
        QFETCH(int, runner);
        auto r
            = runWith(runner, c07_main(), sync_handlers_preset(), env({ { u"a"_s, u"o"_s } }), Store { { u"b"_s, 1 } });
        QCOMPARE(resultText(r), u"Ok([['f2', 1], [['f1', 'Ask'], ['f2', 'Ask'], ['f1', 'Get'], ['f2', 'Get']]])"_s);
    }
    void c08_data() { addRunnerColumn(); }
    void c08()
    {
        QFETCH(int, runner);
        auto r
            = runWith(runner, c08_main(), sync_handlers_preset(), env({ { u"a"_s, u"o"_s } }), Store { { u"b"_s, 1 } });
        QCOMPARE(resultText(r), u"Ok(['T', 1])"_s);
    }
    void c09_data() { addRunnerColumn(); }
    void c09()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, c09_main(), sync_handlers_preset(), env({ { u"k"_s, u"E"_s } }));
        QCOMPARE(resultText(r), u"Ok([['T', 'T'], 'T', ['Gather', 'Ask', 'Ask', 'Spawn', 'Ask', 'Wait']])"_s);
    }

    void h01_data() { addRunnerColumn(); }
    void h01()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, h_main(), withInner(tens()), {}, Store { { u"x"_s, 5 } });
        QCOMPARE(resultText(r), u"Ok([20, 5])"_s);
    }
    void h02_data() { addRunnerColumn(); }
    void h02()
    {
        QFETCH(int, runner);
        auto h = handler(u"failer"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
            if (auto* p = e.as<Ping>()) return Fail(ValueError("ping " + std::to_string(p->n)));
            return Forward();
        });
        auto r = runWith(runner, h_main(), withInner(h), {}, Store { { u"x"_s, 5 } });
        QCOMPARE(resultText(r), u"Ok('caught: ping 2')"_s);
    }
    void h04_data() { addRunnerColumn(); }
    void h04()
    {
        QFETCH(int, runner);
        auto h = handler(u"runner"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
            if (e.is<Ping>()) return Run(h04_sub());
            return Forward();
        });
        auto r = runWith(runner, h_main(), withInner(h), {}, Store { { u"x"_s, 5 } });
        QCOMPARE(resultText(r), u"Ok([1005, 5])"_s);
    }
    void h05_data() { addRunnerColumn(); }
    void h05()
    {
        QFETCH(int, runner);
        auto h = handler(u"resumer"_s, [](const AnyEffect& e, HandlerContext& ctx) -> HandlerResult {
            if (auto* p = e.as<Ping>()) return ResumeK(ctx.continuation(), p->n + 7);
            return Forward();
        });
        auto r = runWith(runner, h_main(), withInner(h), {}, Store { { u"x"_s, 5 } });
        QCOMPARE(resultText(r), u"Ok([9, 5])"_s);
    }
    void h09_data() { addRunnerColumn(); }
    void h09()
    {
        QFETCH(int, runner);
        h09Order = std::make_shared<QVariantList>();
        HandlerList hs { spy(u"outermost"_s, h09Order) };
        hs.append(sync_handlers_preset());
        hs.append(spy(u"outer"_s, h09Order));
        hs.append(spy(u"inner"_s, h09Order));
        auto r = runWith(runner, h09_main(), hs);
        QCOMPARE(resultText(r), u"Ok([['inner', 'Tell'], ['outer', 'Tell']])"_s);
        QCOMPARE(logOf(r), u"['x']"_s);
        QCOMPARE(h09Order->size(), 2); // the outermost spy never saw the Tell
    }
    void h10_data() { addRunnerColumn(); }
    void h10()
    {
        QFETCH(int, runner);
        HandlerList hs { tens() };
        hs.append(sync_handlers_preset());
        QCOMPARE(resultText(runWith(runner, h10_main(), hs)), u"Ok(10)"_s);
    }
    void h11_data() { addRunnerColumn(); }
    void h11()
    {
        QFETCH(int, runner);
        QCOMPARE(resultText(runWith(runner, h11_main())), u"Ok(Err(UnhandledEffectError: No handler for Ping))"_s);
    }
    void h14_data() { addRunnerColumn(); }
    void h14()
    {
        QFETCH(int, runner);
        auto h2 = handler(u"h2"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
            if (auto* p = e.as<Ping>()) return Resume(u"h2:%1"_s.arg(p->n));
            return Forward();
        });
        QCOMPARE(resultText(runWith(runner, h14_main(h2), withInner(tens()))), u"Ok([10, 40, 'h2:3'])"_s);
    }
    void h15_data() { addRunnerColumn(); }
    void h15()
    {
        QFETCH(int, runner);
        auto h2 = handler(u"h2"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
            if (auto* p = e.as<Ping>()) return Resume(p->n + 10);
            return Forward();
        });
        QCOMPARE(resultText(runWith(runner, h15_main(tens(), h2))), u"Ok([10, 11, 'Err'])"_s);
    }
    void h16_data() { addRunnerColumn(); }
    void h16()
    {
        QFETCH(int, runner);
        auto stop = handler(u"stop"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
            if (e.is<Ping>()) return Abort(u"aborted"_s);
            return Forward();
        });
        auto r = runWith(runner, h16_main(stop));
        QCOMPARE(resultText(r), u"Ok('aborted')"_s);
        QCOMPARE(trace(), (QStringList { u"a"_s, u"after"_s }));
    }

    void o01_data() { addRunnerColumn(); }
    void o01()
    {
        QFETCH(int, runner);
        QCOMPARE(resultText(runWith(runner, o01_main())), u"Ok([5, 'std::domain_error'])"_s);
    }
    void o02_data() { addRunnerColumn(); }
    void o02()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, o02_main());
        QCOMPARE(resultText(r), u"Ok([false, true, {'v': 1}, true, false, 'CacheMissError', false, 'tv'])"_s);
        QCOMPARE(o02Miss, u"Cache key not found: 'k'"_s);
        QCOMPARE(repr(r.raw_store().value(u"__cache_storage__"_s)), u"{'t': 'tv'}"_s);
    }
    void o03_data() { addRunnerColumn(); }
    void o03()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, o03_main());
        QCOMPARE(resultText(r), u"Ok([null, [], true, 1, 11, 11])"_s);
        QCOMPARE(userStore(r), u"{'lst': [], 'cnt2': 1, 'cnt3': 11}"_s);
    }
    void o04_data() { addRunnerColumn(); }
    void o04()
    {
        QFETCH(int, runner);
        QCOMPARE(
            resultText(runWith(runner, o04_main())),
            QStringLiteral("Ok(['a', [{'meta': {'extra': 2, 'k': 1}, 'value': 'a'}, {'meta': {}, 'value': 'b'}], 'iv', "
                           "[{'meta': {}, 'value': 'i1'}], 3])"));
    }
    void o06_data() { addRunnerColumn(); }
    void o06()
    {
        QFETCH(int, runner);
        o06Reads = { {}, {}, {} };
        QCOMPARE(resultText(runWith(runner, o06_main())), u"Ok([9, 9, 3])"_s);
        // every round: the three branches read the same value before any of them writes
        for (int round = 0; round < 3; ++round)
            QCOMPARE(repr(o06Reads[round]), u"[[0, %1], [1, %1], [2, %1]]"_s.arg(round));
    }
};

QTEST_GUILESS_MAIN(TestScenariosCore)
#include "tst_scenarios_core.moc"
