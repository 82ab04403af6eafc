// Engine behaviour beyond the scenarios: deep recursion, coroutine handlers, throwing handlers,
// argument validation, introspection, continuations, external promises, the tree bound.

#include "scenario.h"

#include <QThread>

#include <optional>
#include <thread>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif

Program<int> depth(int n)
{
    if (n == 0) co_return 0;
    int below = co_await depth(n - 1);
    co_return below + 1;
}
Program<int> depthWithEffect(int n)
{
    if (n == 0) co_return co_await Get<int>("base");
    co_return co_await depthWithEffect(n - 1) + 1;
}

/// An effect labelled from its fields (no label() of its own), answered by `tags`.
struct Tag : Effect<Tag, int> {
    static constexpr auto name = "Tag";
    QVariant n;
    double x = 0;
    QString s;
    QVariantMap fields() const { return { { u"n"_s, n }, { u"x"_s, x }, { u"s"_s, s } }; }
};

Handler tags()
{
    return handler(u"tags"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (e.is<Tag>()) return Resume(0);
        return Forward();
    });
}

/// Performs Tags whose fields differ from the previous one's in ways that print differently
/// (or not): each is one object, refilled in place, as a loop would.
Program<int> tagsInPlace()
{
    Tag t;
    const auto perform = [&](QVariant n, double x, QString s) {
        t.n = std::move(n);
        t.x = x;
        t.s = std::move(s);
    };
    perform(1, 0.0, u"a"_s);
    co_await t;
    co_await t; // the same
    perform(1, -0.0, u"a"_s); // equal as doubles, printed differently
    co_await t;
    perform(qlonglong(1), -0.0, u"a"_s); // another type, printed alike
    co_await t;
    perform(1.0, -0.0, u"a"_s); // equal as a number, printed differently
    co_await t;
    perform(1.0, -0.0, u"b"_s);
    co_await t;
    perform(QVariantList { 1 }, -0.0, u"b"_s); // a value the label cache does not compare
    co_await t;
    co_await t;
    co_return 0;
}

/// Records `who0`, `who1`, … one effect at a time.
Program<int> chatter(QString who, int n)
{
    for (int i = 0; i < n; ++i)
        co_await record(who + QString::number(i));
    co_return n;
}
/// Main alone (its effects may keep the turn), then with two tasks and a timer in the queue.
Program<int> aloneThenShared()
{
    co_await chatter(u"m"_s, 3);
    Task<int> a = co_await Spawn(chatter(u"a"_s, 3));
    co_await record(u"spawned a"_s);
    Task<int> b = co_await Spawn(chatter(u"b"_s, 2));
    co_await chatter(u"n"_s, 2);
    co_await Delay(0.0);
    co_await record(u"after delay"_s);
    const QVariantList both = co_await Gather(a, b);
    co_await chatter(u"z"_s, 2);
    co_return both.size();
}
struct SilentObserver final : Observer {
    void onEvent(const LiveEvent&, const RunView&) override { }
};

Handler tens()
{
    return handler(u"tens"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (auto* p = e.as<Ping>()) return Resume(p->n * 10);
        return Forward();
    });
}
/// A coroutine handler: asks the handlers further out, then post-processes their answer.
Handler plusOne()
{
    return handler(u"plusOne"_s, [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        if (!e.is<Ping>()) co_return Forward();
        co_await Tell("plusOne saw a Ping");
        QVariant outer = co_await ctx.forward();
        co_return Resume(outer.toInt() + 1);
    });
}
/// A handler's decision made by a sub-program of its own: the sub-program's HandlerResult is an
/// ordinary program result there, the handler's own the handling's answer.
Program<HandlerResult> decide(int n, HandlerContext& ctx)
{
    if (n < 0) co_return Forward();
    if (n == 0) co_return Fail(ValueError("zero is not a ping"));
    const QVariant outer = co_await ctx.forward();
    co_return Resume(outer.toInt() + 1000);
}
Handler delegating()
{
    return handler(u"delegating"_s, [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        const auto* p = e.as<Ping>();
        if (!p) co_return Forward();
        HandlerResult r = co_await decide(p->n, ctx);
        co_return r;
    });
}
HandlerList stack(std::initializer_list<Handler> inner, std::initializer_list<Handler> outer = {})
{
    HandlerList l(outer);
    l.append(sync_handlers_preset());
    for (const Handler& h : inner)
        l.append(h);
    return l;
}
/// A Tag, then a call: the call's activation is the program's own.
Program<int> tagThenCall()
{
    const int tag = co_await Tag {};
    co_return tag + co_await depth(1);
}
Program<QVariant> pingOnce(int n)
{
    co_return co_await ping(n);
}
Program<QString> pingCaught(int n)
{
    try {
        co_await ping(n);
    } catch (const std::exception& e) {
        co_return u"caught "_s + describeException(std::current_exception());
    }
    co_return u"no error"_s;
}

// ---- continuations kept on K ----------------------------------------------------------------
// Unobserved, a coroutine handler's continuation stays on K under its Handling frame, and is cut
// out only when someone asks for it; observed, it is cut at dispatch. Every way a handling ends
// must give the same answers, errors, K and effect tree both ways.

/// Answers every Ping with n*10, and keeps the K each was performed from (ctx.k()).
Handler witness(std::shared_ptr<QStringList> seen)
{
    return handler(u"witness"_s, [seen](const AnyEffect& e, HandlerContext& ctx) -> HandlerResult {
        const auto* p = e.as<Ping>();
        if (!p) return Forward();
        QStringList frames;
        for (const FrameInfo& f : ctx.k())
            frames.append(f.kind + u' ' + (f.function.isEmpty() ? f.description : f.function));
        seen->append(frames.join(u" | "_s));
        return Resume(p->n * 10);
    });
}
Program<int> grabContinuation(HandlerContext& ctx, std::optional<Continuation>* out)
{
    *out = ctx.continuation();
    co_return 0;
}
Program<int> performTag()
{
    Tag t;
    co_return co_await t;
}
/// A handler whose program takes `outer`'s continuation (a context it was given).
Handler takingOuter(HandlerContext* outer, std::optional<Continuation>* k)
{
    return handler(u"inner"_s, [outer, k](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (!e.is<Tag>()) return Forward();
        *k = outer->continuation();
        return Resume(7);
    });
}
/// Forwards a Ping, then ends the handling as `how` says.
Program<HandlerResult> endHandling(QString how, const AnyEffect& e, HandlerContext& ctx)
{
    if (!e.is<Ping>()) co_return Forward();
    const int outer = (co_await ctx.forward()).toInt();
    if (how == u"resume") co_return Resume(outer + 1);
    if (how == u"resumeK") co_return ResumeK(ctx.continuation(), outer + 2);
    if (how == u"abort") co_return Abort(outer + 3);
    if (how == u"throw") throw ValueError("the ending broke");
    std::optional<Continuation> k;
    if (how == u"local") {
        // taken inside a Local of the handler's: the continuation resumes in the site's env
        const Env handlers { { u"who"_s, u"handler"_s } }; // (GCC 12: no braced list in a co_await)
        co_await Local(handlers, grabContinuation(ctx, &k));
        co_return ResumeK(*k, outer + 4);
    }
    // "nested": taken while a handling nested in this one (above it on K) is under way, by a
    // handler given this one's context
    const int seven = co_await WithHandler(takingOuter(&ctx, &k), performTag());
    co_return ResumeK(*k, outer + seven);
}
Handler ending(QString how)
{
    return handler(u"ending-"_s + how,
                   [how](const AnyEffect& e, HandlerContext& ctx) { return endHandling(how, e, ctx); });
}
/// (untyped: an abort's value comes back in its place)
Program<QVariant> pingAndAsk(int n)
{
    const QVariant v = co_await ping(n);
    const QString who = co_await Ask<QString>("who");
    co_return QVariant(v.toString() + who);
}
/// Pings under two coroutine handlers (`how`'s and a resuming one within it), in a Local, and
/// again from a spawned task.
Program<QVariantList> endings(QString how)
{
    QVariantList out;
    const Env site { { u"who"_s, u"site"_s } };
    out.append(co_await Local(site, WithHandler(ending(how), WithHandler(ending(u"resume"_s), pingAndAsk(1)))));
    Task<QVariant> t = co_await Spawn(WithHandler(ending(how), pingAndAsk(2)));
    out.append(co_await Wait(t));
    co_return out;
}

Program<QVariantList> validation()
{
    auto d = co_await Safe(Delay(-1));
    auto c = co_await Safe(ProgramCallFrame(-1));
    auto deep = co_await Safe(ProgramCallFrame(5));
    auto w = co_await Safe(Wait(Task<QVariant>()));
    auto race = co_await Safe(Race());
    const QList<TransformFn> none;
    auto icpt = co_await Safe(Intercept(pure(1), none));
    co_return QVariantList { d.error().describe(), c.error().describe(),    deep.error().describe(),
                             w.error().describe(), race.error().describe(), icpt.error().describe() };
}

Program<QVariantList> leaf()
{
    CallFrame self = co_await ProgramCallFrame();
    QList<CallFrame> all = co_await ProgramCallStack();
    QVariantList names;
    for (const CallFrame& f : all)
        names.append(f.function);
    co_return QVariantList { self.function, self.depth, QVariant(names) };
}
Program<QVariantList> middle()
{
    co_return co_await leaf();
}

Program<int> externalWaiter(std::function<void(ExternalPromise<int>)> handOut)
{
    ExternalPromise<int> p = co_await CreateExternalPromise<int>();
    handOut(p);
    co_return co_await Wait(p.future());
}

Program<void> manyEffects(int n)
{
    for (int i = 0; i < n; ++i)
        co_await Put("i", i);
}
Program<void> fanOutOfSmallCalls(int n)
{
    for (int i = 0; i < n; ++i)
        co_await depth(1);
}

Program<int> smallWorker(int i)
{
    co_await Put("a", i); // every effect is a scheduling point: the workers interleave
    co_await Put("b", i);
    co_return i;
}
Program<int> spawnMany(int n)
{
    QList<GatherItem> workers;
    for (int i = 0; i < n; ++i) {
        Task<int> t = co_await Spawn(smallWorker(i));
        workers.append(t);
    }
    const QVariantList results = co_await GatherAll(workers);
    co_return int(results.size());
}

Program<QVariant> handlerStoreDiscard()
{
    co_await Put("x", 1);
    QVariant v = co_await ping(3);
    QVariant x = co_await Get("x");
    co_return QVariantList { v, x };
}

Program<int> boom()
{
    co_await Tell("x");
    throw std::runtime_error("boom");
}
Program<int> caughtThenRethrown()
{
    Task<int> t = co_await Spawn(boom());
    std::exception_ptr e;
    try {
        co_await Wait(t);
    } catch (...) {
        e = std::current_exception();
    }
    co_await Tell("after");
    std::rethrow_exception(e);
}
Program<int> safeThenValue()
{
    Result<int> r = co_await Safe(boom());
    co_await Tell("after");
    co_return r.value();
}

Program<QString> throwsNonStd()
{
    throw 42;
    co_return QString();
}

/// A coroutine handler: asks the handlers further out about a Ping, then adds `k`.
Handler adder(int k)
{
    return handler(u"adder%1"_s.arg(k), [k](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        if (!e.is<Ping>()) co_return Forward();
        const QVariant outer = co_await ctx.forward();
        co_return Resume(outer.toInt() + k);
    });
}
/// A plain handler that answers Ping(77) through the continuation it takes.
Handler resumer()
{
    return handler(u"resumer"_s, [](const AnyEffect& e, HandlerContext& ctx) -> HandlerResult {
        if (auto* p = e.as<Ping>(); p && p->n == 77) return ResumeK(ctx.continuation(), 770);
        return Forward();
    });
}
/// An effect no handler answers.
struct Nobody : Effect<Nobody, int> {
    static constexpr auto name = "Nobody";
};

Program<QVariantList> inheritor(int level, int last, bool fail);
/// Spawns an inheritor and waits for it.
Program<QVariantList> spawnAndWait(int level, int last, bool fail)
{
    Task<QVariantList> t = co_await Spawn(inheritor(level, last, fail));
    co_return co_await Wait(t);
}
/// A task that asks every handler it inherited: Pings through coroutine handlers that forward
/// to a plain one, a Ping an inherited Intercept rewrites, a Ping answered through a taken
/// continuation, the same from two Gather branches, an effect nobody answers. Then it
/// spawns the next level inside a handler of its own; the last level returns or fails.
Program<QVariantList> inheritor(int level, int last, bool fail)
{
    QVariantList out;
    out.append(co_await ping(level));
    out.append(co_await ping(99));
    out.append(co_await ping(77));
    // Gather branches walk on into their parent: here, into its set
    out.append(QVariant(co_await Gather(pingOnce(level), pingOnce(99))));
    const Result<int> unanswered = co_await Safe(Nobody());
    out.append(unanswered.error().describe());
    if (level == last) {
        if (fail) throw std::runtime_error("the deepest task fails");
        co_return out;
    }
    out.append(QVariant(co_await WithHandler(adder(1000 * level), spawnAndWait(level + 1, last, fail))));
    co_return out;
}
Program<QVariantList> inheritorsUnderAnIntercept(bool fail)
{
    const QList<TransformFn> transforms { [](const AnyEffect& e) -> Transform {
        if (const auto* p = e.as<Ping>(); p && p->n == 99) return ping(5);
        return std::nullopt;
    } };
    co_return co_await Intercept(spawnAndWait(1, 3, fail), transforms);
}

Program<int> pingWhenTold(Future<QVariant> go)
{
    co_await Wait(go);
    const QVariant answer = co_await ping(1);
    co_return answer.toInt();
}
Program<Task<int>> spawnPinger(Future<QVariant> go)
{
    co_return co_await Spawn(pingWhenTold(go));
}
/// A coroutine handler that ends the task of a Ping(13) with 130 (its continuation dropped),
/// and fails a Ping(14) from its own code.
Handler ender()
{
    return handler(u"ender"_s, [](const AnyEffect& e, HandlerContext&) -> Program<HandlerResult> {
        const auto* p = e.as<Ping>();
        if (!p || (p->n != 13 && p->n != 14)) co_return Forward();
        co_await Tell("ender saw a Ping");
        if (p->n == 14) throw std::runtime_error("ender fails on 14");
        co_return Abort(130);
    });
}
Program<int> pingAndReturn(int n)
{
    co_await ping(n);
    co_return -1;
}
/// Tasks that share ender: one ended by it, one failed by it (and caught by its spawner).
Program<QVariantList> endedTasks()
{
    const Task<int> ended = co_await Spawn(pingAndReturn(13));
    const Task<int> failed = co_await Spawn(pingAndReturn(14));
    const QVariant first = co_await Wait(ended);
    const Result<int> second = co_await Safe(Wait(failed));
    co_return QVariantList { first, second.error().describe() };
}
/// Six tasks, each spawned under an adder of its own (so each has a set of its own: more than
/// the machine keeps at hand), that Ping once all of them wait.
Program<QVariantList> sixSets()
{
    const Promise<QVariant> go = co_await CreatePromise<QVariant>();
    QList<GatherItem> tasks;
    for (int i = 1; i <= 6; ++i) {
        const Task<int> t = co_await WithHandler(adder(i), spawnPinger(go.future()));
        tasks.append(t);
    }
    co_await CompletePromise(go, 0);
    co_return co_await GatherAll(tasks);
}

Program<int> plusOneOfX()
{
    const int x = co_await Get<int>(u"x"_s);
    co_return x + 1;
}

// Runs a whole other machine between two of its own effects.
Program<QString> runsAnotherMachineInside()
{
    const int before = co_await Get<int>(u"x"_s);
    const RuntimeResult<int> inner = sync_run(plusOneOfX(), sync_handlers_preset(), {}, Store { { u"x"_s, 40 } });
    const int after = co_await Get<int>(u"x"_s);
    co_return u"%1 %2 %3"_s.arg(before).arg(inner.value()).arg(after);
}

Program<int> branchOfThree(int n)
{
    co_await Tell(u"branch %1"_s.arg(n));
    if (n == 2) throw ValueError("branch two broke");
    co_return n;
}

Program<int> gatherThreeOneFailing()
{
    const QVariantList all = co_await Gather(branchOfThree(1), branchOfThree(2), branchOfThree(3));
    co_return int(all.size());
}

} // namespace

class TestEngine : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void millionDeepRecursion_data() { addRunnerColumn(); }
    void millionDeepRecursion()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, depth(1'000'000));
        QCOMPARE(resultText(r), u"Ok(1000000)"_s);
        // and with an effect at the bottom of the chain
        auto r2 = runWith(runner, depthWithEffect(100'000), sync_handlers_preset(), {}, Store { { u"base"_s, 5 } });
        QCOMPARE(resultText(r2), u"Ok(100005)"_s);
    }
    void aMachineRunInsideAProgramKeepsItsAnswersApart_data() { addRunnerColumn(); }
    void aMachineRunInsideAProgramKeepsItsAnswersApart()
    {
        // Each machine lends its own answer slot to the programs it resumes.
        QFETCH(int, runner);
        auto r = runWith(runner, runsAnotherMachineInside(), sync_handlers_preset(), {}, Store { { u"x"_s, 5 } });
        QCOMPARE(resultText(r), u"Ok('5 41 5')"_s);
    }
    void aFailingGatherBranchSaysWhichItIs_data() { addRunnerColumn(); }
    void aFailingGatherBranchSaysWhichItIs()
    {
        // The failing point's K ends in the branch's root frame, which names the item (its index
        // is kept in the task, not in every frame).
        QFETCH(int, runner);
        auto r = runWith(runner, gatherThreeOneFailing());
        QCOMPARE(resultText(r), u"Err(ValueError: branch two broke)"_s);
        const QString k = r.k_stack().format();
        QVERIFY2(k.contains(u"GatherBranchFrame  - branch 2 of 3 of Gather in task 0 'main'"_s), qPrintable(k));
    }
    void memoryExhaustionIsAnErr()
    {
        // Issue 17 #11: an allocation failing in the machine's own code (its K growing under a
        // 10,000,000-deep recursion) used to escape the run: std::terminate, no result. In a child
        // limited to 1 GB of address space, the run must end with an Err naming bad_alloc.
        if (kAddressSanitizer) QSKIP("AddressSanitizer reserves terabytes of address space: an RLIMIT_AS cannot apply");
        int fds[2];
        QCOMPARE(::pipe(fds), 0);
        const pid_t child = ::fork();
        QVERIFY(child >= 0);
        if (child == 0) {
            ::close(fds[0]);
            const rlimit limit { 1024ul << 20, 1024ul << 20 };
            if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(3);
            QByteArray report;
            try {
                auto r = sync_run(depth(10'000'000), sync_handlers_preset());
                report = r.is_err() ? (u"Err "_s + r.error().type_name()).toUtf8() : QByteArrayLiteral("Ok");
            } catch (const std::exception& e) {
                report = QByteArrayLiteral("escaped the run: ") + e.what();
            }
            const bool written = ::write(fds[1], report.constData(), size_t(report.size())) == report.size();
            ::_exit(written ? 0 : 4);
        }
        ::close(fds[1]);
        QByteArray got;
        char buffer[256];
        for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) != 0;) {
            if (n < 0 && errno == EINTR) continue;
            QVERIFY(n > 0);
            got.append(buffer, n);
        }
        ::close(fds[0]);
        int status = 0;
        QCOMPARE(::waitpid(child, &status, 0), child);
        QVERIFY2(WIFEXITED(status), qPrintable(u"the run was killed by signal %1"_s.arg(WTERMSIG(status))));
        QCOMPARE(WEXITSTATUS(status), 0);
        QVERIFY2(got.startsWith("Err ") && got.contains("bad_alloc"), got.constData());
    }
    void keptContinuationsActAsCutOnes_data() { addRunnerColumn(); }
    void keptContinuationsActAsCutOnes()
    {
        QFETCH(int, runner);
        const Env env { { u"who"_s, u"main"_s } };
        const QStringList hows { u"resume"_s, u"resumeK"_s, u"abort"_s, u"throw"_s, u"local"_s, u"nested"_s };
        QStringList results;
        for (const QString& how : hows) {
            auto plainSeen = std::make_shared<QStringList>();
            auto watchedSeen = std::make_shared<QStringList>();
            SilentObserver silent;
            RunOptions observed;
            observed.observers.append(&silent);
            auto plain = runWith(runner, endings(how), stack({ tags() }, { witness(plainSeen) }), env);
            auto watched
                = runWith(runner, endings(how), stack({ tags() }, { witness(watchedSeen) }), env, {}, observed);
            QCOMPARE(resultText(plain), resultText(watched));
            QVERIFY2(!plainSeen->isEmpty(), qPrintable(how));
            QCOMPARE(*plainSeen, *watchedSeen);
            QCOMPARE(plain.k_stack().format(), watched.k_stack().format());
            QCOMPARE(plain.effect_stack().format(), watched.effect_stack().format());
            results.append(resultText(plain));
        }
        // each ending's answer: the witness's 10 (20 for the task), plus the ending's own, plus 1
        // from the resuming handler within it (not in the task); an abort skips the site's Ask
        QCOMPARE(results,
                 (QStringList { u"Ok(['12site', '21main'])"_s, u"Ok(['13site', '22main'])"_s, u"Ok([13, 23])"_s,
                                u"Err(ValueError: the ending broke)"_s, u"Ok(['15site', '24main'])"_s,
                                u"Ok(['18site', '27main'])"_s }));
        // the K the witness saw: both handlers' programs and handlings, then the program that
        // performed the Ping (under the inner handling, whose continuation holds it when cut),
        // then the handlers themselves
        auto seen = std::make_shared<QStringList>();
        runWith(runner, endings(u"nested"_s), stack({ tags() }, { witness(seen) }), env);
        QVERIFY2(seen->first().startsWith(u"ProgramFrame endHandling | HandlingFrame endHandling | ProgramFrame "
                                          "endHandling | HandlingFrame pingAndAsk | ProgramFrame pingAndAsk | "
                                          "HandlerFrame handler=ending-resume | HandlerFrame handler=ending-nested"_s),
                 qPrintable(seen->first()));
    }
    void coroutineHandlerForwards_data() { addRunnerColumn(); }
    void coroutineHandlerForwards()
    {
        QFETCH(int, runner);
        // plusOne is innermost: it sees Ping first, forwards it to tens, adds one
        auto r = runWith(runner, pingOnce(4), stack({ plusOne() }, { tens() }));
        QCOMPARE(resultText(r), u"Ok(41)"_s);
        QCOMPARE(logOf(r), u"['plusOne saw a Ping']"_s);
        // nobody further out: forward() throws UnhandledEffectError into the handler, which
        // does not catch it, so it fails the effect at its site
        auto r2 = runWith(runner, pingCaught(4), stack({ plusOne() }));
        QCOMPARE(resultText(r2), u"Ok('caught UnhandledEffectError: No handler for Ping')"_s);
    }
    void aHandlerMayTakeItsAnswerFromASubProgram_data() { addRunnerColumn(); }
    void aHandlerMayTakeItsAnswerFromASubProgram()
    {
        QFETCH(int, runner);
        // Resume, after forwarding to tens from the sub-program
        QCOMPARE(resultText(runWith(runner, pingOnce(4), stack({ delegating() }, { tens() }))), u"Ok(1040)"_s);
        // Forward: tens answers as if delegating were not there
        QCOMPARE(resultText(runWith(runner, pingOnce(-3), stack({ delegating() }, { tens() }))), u"Ok(-30)"_s);
        // Fail: the error at the effect's site
        QCOMPARE(resultText(runWith(runner, pingCaught(0), stack({ delegating() }, { tens() }))),
                 u"Ok('caught ValueError: zero is not a ping')"_s);
        // and through two of them: each adds its thousand
        QCOMPARE(resultText(runWith(runner, pingOnce(2), stack({ delegating(), delegating() }, { tens() }))),
                 u"Ok(2020)"_s);
    }
    // A coroutine handler's function may hand back a program that is not a coroutine (pure()):
    // the machine answers from it, and no program started afterwards passes for that
    // handler's in the effect tree.
    void aHandlersProgramThatIsNotACoroutineNamesNoLaterOne_data() { addRunnerColumn(); }
    void aHandlersProgramThatIsNotACoroutineNamesNoLaterOne()
    {
        QFETCH(int, runner);
        const Handler atOnce = handler(u"atOnce"_s, [](const AnyEffect& e, HandlerContext&) -> Program<HandlerResult> {
            return pure(e.is<Tag>() ? Resume(7) : Forward());
        });
        auto r = runWith(runner, tagThenCall(), stack({ atOnce }));
        QCOMPARE(resultText(r), u"Ok(8)"_s);
        const QString tree = r.effect_stack().format();
        QVERIFY2(tree.contains(u"depth()"_s), qPrintable(tree));
        QVERIFY2(!tree.contains(u"(handler)"_s), qPrintable(tree));
    }
    void throwingHandlers_data() { addRunnerColumn(); }
    void throwingHandlers()
    {
        QFETCH(int, runner);
        auto fast = handler(u"fastThrow"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
            if (e.is<Ping>()) throw ValueError("fast handler broke");
            return Forward();
        });
        QCOMPARE(resultText(runWith(runner, pingCaught(1), stack({ fast }))),
                 u"Ok('caught ValueError: fast handler broke')"_s);
        auto coro = handler(u"coroThrow"_s, [](const AnyEffect& e, HandlerContext&) -> Program<HandlerResult> {
            if (!e.is<Ping>()) co_return Forward();
            co_await Tell("about to fail");
            throw RuntimeError("coroutine handler broke");
        });
        auto r = runWith(runner, pingCaught(1), stack({ coro }));
        QCOMPARE(resultText(r), u"Ok('caught RuntimeError: coroutine handler broke')"_s);
        QCOMPARE(logOf(r), u"['about to fail']"_s);
        // uncaught, it fails the run with a real K and source stack
        auto r2 = runWith(runner, pingOnce(1), stack({ fast }));
        QCOMPARE(resultText(r2), u"Err(ValueError: fast handler broke)"_s);
        QVERIFY(!r2.k_stack().isEmpty());
        // the raise site in the handler heads the source stack, above the performing program
        const auto& entries = r2.source_stack().entries;
        QVERIFY(entries.size() >= 2);
        QVERIFY2(entries.last().code.contains(u"throw ValueError(\"fast handler broke\")"_s),
                 qPrintable(entries.last().code));
        QCOMPARE(entries.at(entries.size() - 2).function, u"pingOnce"_s);
    }
    void resumeWithStoreDiscardsHandlerWrites_data() { addRunnerColumn(); }
    void resumeWithStoreDiscardsHandlerWrites()
    {
        QFETCH(int, runner);
        auto h = handler(u"sandbox"_s, [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
            if (!e.is<Ping>()) co_return Forward();
            co_await Put("x", 99);
            co_return Resume(7).withStore(ctx.store());
        });
        QCOMPARE(resultText(runWith(runner, handlerStoreDiscard(), stack({ h }))), u"Ok([7, 1])"_s);
    }
    void argumentErrorsAreErrorsAtTheSite_data() { addRunnerColumn(); }
    void argumentErrorsAreErrorsAtTheSite()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, validation());
        QVERIFY2(r.is_ok(), qPrintable(r.format()));
        const QVariantList v = r.value();
        QCOMPARE(v[0].toString(), u"InvalidArgumentError: seconds must be non-negative, got -1"_s);
        QCOMPARE(v[1].toString(), u"InvalidArgumentError: depth must be non-negative, got -1"_s);
        QVERIFY2(v[2].toString().startsWith(u"OutOfRangeError: Call stack depth 5 exceeds available frames ("_s),
                 qPrintable(v[2].toString()));
        QCOMPARE(v[3].toString(), u"InvalidHandleError: Wait requires a Task or Future"_s);
        QCOMPARE(v[4].toString(), u"InvalidArgumentError: Race requires at least one Waitable"_s);
        QCOMPARE(v[5].toString(), u"InvalidArgumentError: Intercept requires at least one transform"_s);
    }
    void introspection_data() { addRunnerColumn(); }
    void introspection()
    {
        QFETCH(int, runner);
        QCOMPARE(resultText(runWith(runner, middle())), u"Ok(['leaf', 0, ['leaf', 'middle']])"_s);
    }
    void continuationResumedTwiceFails_data() { addRunnerColumn(); }
    void continuationResumedTwiceFails()
    {
        QFETCH(int, runner);
        auto kept = std::make_shared<std::optional<Continuation>>();
        auto h = handler(u"twice"_s, [kept](const AnyEffect& e, HandlerContext& ctx) -> HandlerResult {
            auto* p = e.as<Ping>();
            if (!p) return Forward();
            if (p->n == 1) {
                *kept = ctx.continuation();
                return ResumeK(**kept, 1);
            }
            return ResumeK(**kept, 2); // already consumed by the first Ping
        });
        auto r = runWith(
            runner,
            []() -> Program<QString> {
                co_await ping(1);
                co_return co_await pingCaught(2);
            }(),
            stack({ h }));
        QCOMPARE(resultText(r), u"Ok('caught ContinuationError: Continuation already resumed')"_s);
    }
    void externalPromiseFromAnotherThread_data() { addRunnerColumn(); }
    void externalPromiseFromAnotherThread()
    {
        QFETCH(int, runner);
        std::thread completer;
        auto r = runWith(runner, externalWaiter([&completer](ExternalPromise<int> p) {
                             completer = std::thread([p] { p.complete(123); });
                         }));
        completer.join();
        QCOMPARE(resultText(r), u"Ok(123)"_s);
    }
    void aRethrownErrorKeepsItsFailingPoint()
    {
        auto r = sync_run(caughtThenRethrown(), sync_handlers_preset());
        QCOMPARE(resultText(r), u"Err(std::runtime_error: boom)"_s);
        const auto& source = r.source_stack().entries;
        QVERIFY(source.size() >= 2);
        QCOMPARE(source.last().function, u"boom"_s);
        QCOMPARE(source.last().task, 1);
        const QString tree = r.effect_stack().format();
        QVERIFY2(tree.contains(u"boom() [task 1]  <-- ERROR"_s), qPrintable(tree));
        QVERIFY2(tree.contains(u"Wait(task 1 'boom')  <-- RETHROWN"_s), qPrintable(tree));

        auto r2 = sync_run(safeThenValue(), sync_handlers_preset());
        QCOMPARE(r2.source_stack().entries.last().function, u"boom"_s);
        QVERIFY2(r2.effect_stack().format().contains(u"boom()  <-- ERROR"_s), qPrintable(r2.effect_stack().format()));
    }
    void nonStdExceptionIsAnError()
    {
        auto r = sync_run(throwsNonStd(), sync_handlers_preset());
        QCOMPARE(resultText(r), u"Err(int: (not a std::exception))"_s);
    }
    void aTaskAloneKeepsItsTurnWithTheSameSchedule_data() { addRunnerColumn(); }
    void aTaskAloneKeepsItsTurnWithTheSameSchedule()
    {
        // Unobserved, a task whose effect leaves it alone in the queue goes on in the same turn;
        // observed, every effect goes through the queue. The schedule must be the same: the log
        // (which records the interleaving) of both runs is the one round-robin order.
        QFETCH(int, runner);
        auto plain = runWith(runner, aloneThenShared());
        const QString plainOrder = trace().join(u' ');
        SilentObserver silent;
        RunOptions observed;
        observed.observers.append(&silent);
        auto watched = runWith(runner, aloneThenShared(), sync_handlers_preset(), {}, {}, observed);
        const QString watchedOrder = trace().join(u' ');
        QCOMPARE(resultText(plain), u"Ok(2)"_s);
        QCOMPARE(resultText(watched), u"Ok(2)"_s);
        const QString expected = u"m0 m1 m2 a0 spawned a a1 a2 b0 n0 b1 n1 after delay z0 z1"_s;
        QCOMPARE(watchedOrder, expected);
        QCOMPARE(plainOrder, expected);
    }
    void spawnedTasksShareWhatTheyInheritAsIfTheyHeldIt_data() { addRunnerColumn(); }
    void spawnedTasksShareWhatTheyInheritAsIfTheyHeldIt()
    {
        // Unobserved, a spawned task shares the handler frames it inherits (its root links to them);
        // observed, it holds copies. Through three levels of tasks, each inheriting its
        // spawner's handlers plus one of the spawner's own, both must answer every effect
        // alike, and the failing task's K must list the same frames.
        QFETCH(int, runner);
        const HandlerList handlers = stack({ plusOne(), resumer() }, { tens() });
        SilentObserver silent;
        RunOptions observed;
        observed.observers.append(&silent);

        // Ping(n) is n*10 + 1 (tens, then plusOne) plus each spawner's adder; the Intercept
        // turns Ping(99) into Ping(5); Ping(77) is 770 from the resumer, through the
        // continuation it takes, plus the adders; Nobody goes unanswered past every shared frame
        const QString none = u"'UnhandledEffectError: No handler for Nobody'"_s;
        const QString values = u"Ok([11, 51, 770, [11, 51], %1, [1021, 1051, 1770, [1021, 1051], %1, "
                               "[3031, 3051, 3770, [3031, 3051], %1]]])"_s.arg(none);
        QCOMPARE(resultText(runWith(runner, inheritorsUnderAnIntercept(false), handlers)), values);
        QCOMPARE(resultText(runWith(runner, inheritorsUnderAnIntercept(false), handlers, {}, {}, observed)), values);

        auto plain = runWith(runner, inheritorsUnderAnIntercept(true), handlers);
        auto watched = runWith(runner, inheritorsUnderAnIntercept(true), handlers, {}, {}, observed);
        QCOMPARE(resultText(plain), u"Err(std::runtime_error: the deepest task fails)"_s);
        QCOMPARE(resultText(watched), resultText(plain));
        const QString k = plain.k_stack().format();
        QCOMPARE(watched.k_stack().format(), k);
        // the deepest task's K: its program, the adders of both spawners, then what it
        // inherited from main (the Intercept, main's handlers), and its root
        QStringList frames;
        for (const FrameInfo& f : plain.k_stack().frames)
            frames.append(f.kind == u"ProgramFrame"_s ? f.function : f.description);
        QCOMPARE(
            frames,
            (QStringList { u"inheritor"_s, u"handler=adder2000"_s, u"handler=adder1000"_s, u"1 transform(s)"_s,
                           u"handler=resumer"_s, u"handler=plusOne"_s, u"handler=core"_s, u"handler=await"_s,
                           u"handler=time"_s, u"handler=scheduler"_s, u"handler=tens"_s, u"task 7 'inheritor'"_s }));
        QCOMPARE(watched.effect_stack().format(), plain.effect_stack().format());
    }
    void sharedFramesLiveAsLongAsTheTasksThatShareThem_data() { addRunnerColumn(); }
    void sharedFramesLiveAsLongAsTheTasksThatShareThem()
    {
        // The machine keeps only its last few sets at hand; the older ones live on in the tasks
        // that share them (the sanitizer run of this test finds a set freed too soon). Each
        // task's Ping goes through its own adder, a coroutine handler in its set.
        QFETCH(int, runner);
        const HandlerList handlers = stack({ plusOne() }, { tens() });
        const QString expected = u"Ok([12, 13, 14, 15, 16, 17])"_s;
        QCOMPARE(resultText(runWith(runner, sixSets(), handlers)), expected);
        SilentObserver silent;
        RunOptions observed;
        observed.observers.append(&silent);
        QCOMPARE(resultText(runWith(runner, sixSets(), handlers, {}, {}, observed)), expected);

        // a task ended by a handler in its set, which drops the frame that holds the set, and
        // one whose handler in the set throws
        const HandlerList enders = stack({ ender() });
        const QString ends = u"Ok([130, 'std::runtime_error: ender fails on 14'])"_s;
        QCOMPARE(resultText(runWith(runner, endedTasks(), enders)), ends);
        QCOMPARE(resultText(runWith(runner, endedTasks(), enders, {}, {}, observed)), ends);
    }
    void effectLabelsFollowTheFields()
    {
        // Repeated effects reuse their label (equal fields print alike): the tree shows each
        // effect as labelled from its own fields at the time it was performed.
        HandlerList handlers = sync_handlers_preset();
        handlers.append(tags());
        auto r = sync_run(tagsInPlace(), handlers);
        QCOMPARE(resultText(r), u"Ok(0)"_s);
        QCOMPARE(r.effect_stack().format(),
                 u"Effect Call Tree:\n"
                 "  └─ tagsInPlace()\n"
                 "     ├─ Tag(n=1, s='a', x=0.0) x2\n"
                 "     ├─ Tag(n=1, s='a', x=-0.0) x2\n"
                 "     ├─ Tag(n=1.0, s='a', x=-0.0)\n"
                 "     ├─ Tag(n=1.0, s='b', x=-0.0)\n"
                 "     └─ Tag(n=[1], s='b', x=-0.0) x2"_s);
    }
    void effectTreeIsBounded()
    {
        RunOptions options;
        options.effect_tree_limit = 50;
        auto r = sync_run(manyEffects(1000), sync_handlers_preset(), {}, {}, options);
        QVERIFY(r.is_ok());
        // identical consecutive leaves merge into one line with a count
        QCOMPARE(r.effect_stack().format(), u"Effect Call Tree:\n  └─ manyEffects()\n     └─ Put('i') x1000"_s);
        auto r2 = sync_run(fanOutOfSmallCalls(1000), sync_handlers_preset(), {}, {}, options);
        const QString text = r2.effect_stack().format();
        QVERIFY2(text.contains(u"more"_s), qPrintable(text));
        QVERIFY(text.split(u'\n').size() <= 60);
        // interleaved tasks finish out of order: beyond the limit every finished one folds
        for (int runner : { int(Runner::Sync), int(Runner::Async) }) {
            auto r3 = runWith(runner, spawnMany(1000), sync_handlers_preset(), {}, {}, options);
            QCOMPARE(resultText(r3), u"Ok(1000)"_s);
            const QString tree = r3.effect_stack().format();
            QVERIFY2(tree.contains(u"more"_s), qPrintable(tree));
            QVERIFY2(tree.split(u'\n').size() <= 60, qPrintable(tree));
        }
        // a deep recursion is recorded down to the depth a result shows (256 levels under the
        // root), where the one call below is counted; what happens deeper is not recorded
        auto deepRun = sync_run(depthWithEffect(2000), sync_handlers_preset(), {}, { { u"base"_s, 7 } });
        QCOMPARE(resultText(deepRun), u"Ok(2007)"_s);
        const QStringList deepLines = deepRun.effect_stack().format().split(u'\n');
        QCOMPARE(std::count_if(deepLines.begin(), deepLines.end(),
                               [](const QString& l) { return l.contains(u"depthWithEffect()"_s); }),
                 257);
        QVERIFY2(deepLines.last().endsWith(u"└─ ... 1 more"_s), qPrintable(deepLines.last()));
        QVERIFY(!deepLines.join(u'\n').contains(u"Get('base')"_s));
        RunOptions off;
        off.effect_tree_limit = 0;
        QCOMPARE(sync_run(manyEffects(3), sync_handlers_preset(), {}, {}, off).effect_stack().format(),
                 u"Effect Call Tree: <not captured>"_s);
    }
};

QTEST_GUILESS_MAIN(TestEngine)
#include "tst_engine.moc"
