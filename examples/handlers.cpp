// User handlers and user effects: audit_log, get_env_var, increment_counter, divide.

#include <doeff_examples.h>

#include <doeff/doeff.h>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace examples {

// User effects are small structs: a name, fields (for labels, the debugger and traces) and the
// result type a plain `co_await` converts to. Their constructors are functions, so programs never
// put a braced initializer inside a `co_await`.

/// Reads a variable of the (sandboxed) process environment.
struct GetEnvVar : Effect<GetEnvVar, QString> {
    static constexpr auto name = "GetEnvVar";
    QString variable;
    QVariant fallback; ///< returned when the variable is not set; null: fail instead
    QVariantMap fields() const { return { { u"variable"_s, variable } }; }
};
GetEnvVar getEnvVar(QString variable, QVariant fallback = {})
{
    return { {}, std::move(variable), std::move(fallback) };
}

/// Adds `by` to the counter `counter` in the store; answers the new value.
struct IncrementCounter : Effect<IncrementCounter, int> {
    static constexpr auto name = "IncrementCounter";
    QString counter;
    int by = 1;
    QVariantMap fields() const { return { { u"counter"_s, counter }, { u"by"_s, by } }; }
};
IncrementCounter incrementCounter(QString counter, int by = 1)
{
    return { {}, std::move(counter), by };
}

/// `dividend / divisor`, failing with ZeroDivisionError when the divisor is zero.
struct DivideEffect : Effect<DivideEffect, double> {
    static constexpr auto name = "Divide";
    double dividend = 0;
    double divisor = 1;
    QVariantMap fields() const { return { { u"dividend"_s, dividend }, { u"divisor"_s, divisor } }; }
};
DivideEffect divide(double dividend, double divisor)
{
    return { {}, dividend, divisor };
}

} // namespace examples

namespace {

using examples::divide;
using examples::getEnvVar;
using examples::incrementCounter;

// ---- custom_log_handler: a handler intercepting Tell ---------------------------------------
// Installed innermost, the audit handler sees every Tell first. It rewrites the message and
// performs its own Tell, which is dispatched from outside the handler (so it reaches the core
// handler, not the audit handler again), and counts the lines it wrote.
Handler auditLogHandler()
{
    return handler(u"audit_log"_s, [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        const auto* tell = e.as<TellEffect>();
        if (!tell) co_return Forward();
        const QString line = u"[audit task %1] %2"_s.arg(ctx.task().id).arg(tell->message.toString());
        co_await Tell(line);
        co_await Modify<int>("audit_lines", [](std::optional<int> n) { return n.value_or(0) + 1; });
        co_return Resume();
    });
}

Program<QString> custom_log_handler_main()
{
    co_await Tell("job started");
    const int items = co_await Ask<int>("items");
    co_await Put("processed", items);
    co_await Tell(u"processed %1 items"_s.arg(items));
    co_return u"done"_s;
}

// ---- get_env_var: a user effect and its handler --------------------------------------------
// The handler answers GetEnvVar from the `environment` map of the run's env, a sandbox: the
// program never sees the real process environment, and tests can give it any.
Handler envVarHandler()
{
    return handler(u"env_vars"_s, [](const AnyEffect& e, HandlerContext& ctx) -> HandlerResult {
        const auto* get = e.as<examples::GetEnvVar>();
        if (!get) return Forward();
        const QVariantMap vars = ctx.env().value(u"environment"_s).toMap();
        if (vars.contains(get->variable)) return Resume(vars.value(get->variable).toString());
        if (get->fallback.isValid()) return Resume(get->fallback);
        return Fail(
            examples::MissingVariableError("environment variable " + get->variable.toStdString() + " is not set"));
    });
}

Program<QString> get_env_var_main()
{
    const QString user = co_await getEnvVar(u"USER"_s);
    const QString home = co_await getEnvVar(u"HOME"_s);
    const QString shell = co_await getEnvVar(u"SHELL"_s, u"/bin/sh"_s);
    co_await Tell(u"resolved USER, HOME and SHELL"_s);
    co_return u"%1 at %2 using %3"_s.arg(user, home, shell);
}

// ---- increment_counter: a handler that owns part of the store ------------------------------
// The handler reads the store as it was at dispatch and resumes with a replaced store
// (Resume(v).withStore(s)): a read-modify-write in one effect, so no other task can interleave.
Handler counterHandler()
{
    return handler(u"counters"_s, [](const AnyEffect& e, HandlerContext& ctx) -> HandlerResult {
        const auto* inc = e.as<examples::IncrementCounter>();
        if (!inc) return Forward();
        Store store = ctx.store();
        const int value = store.value(inc->counter, 0).toInt() + inc->by;
        store.insert(inc->counter, value);
        return Resume(value).withStore(std::move(store));
    });
}

Program<QVariantMap> increment_counter_main()
{
    for (int visit = 0; visit < 3; ++visit)
        co_await incrementCounter(u"page_views"_s);
    const int downloads = co_await incrementCounter(u"downloads"_s, 5);
    const int views = co_await Get<int>("page_views");
    co_return QVariantMap { { u"downloads"_s, downloads }, { u"page_views"_s, views } };
}

// ---- divide: a user effect that can fail ---------------------------------------------------
// By default the divisor is 0 and the run fails with ZeroDivisionError at the Divide site; try
// `--env divisor=4`.
Handler divisionHandler()
{
    return handler(u"division"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        const auto* d = e.as<examples::DivideEffect>();
        if (!d) return Forward();
        if (d->divisor == 0)
            return Fail(examples::ZeroDivisionError(u"cannot divide %1 by zero"_s.arg(d->dividend).toStdString()));
        return Resume(d->dividend / d->divisor);
    });
}

Program<double> divide_main()
{
    const double dividend = co_await Ask<double>("dividend");
    const double divisor = co_await Ask<double>("divisor");
    const double quotient = co_await divide(dividend, divisor);
    co_await Tell(u"%1 / %2 = %3"_s.arg(dividend).arg(divisor).arg(quotient));
    co_return quotient;
}

} // namespace

DOEFF_PROGRAM(
    audit_log, "A user handler rewrites every Tell into an audit line", custom_log_handler_main,
    .env = { { u"items"_s, 3 } }, .handlers = [] { return HandlerList { auditLogHandler() }; }, .group = u"Demos"_s);

DOEFF_PROGRAM(
    get_env_var, "User effect GetEnvVar, answered by a handler from a sandboxed environment", get_env_var_main,
    .env = { { u"environment"_s, QVariantMap { { u"HOME"_s, u"/home/ada"_s }, { u"USER"_s, u"ada"_s } } } },
    .handlers = [] { return HandlerList { envVarHandler() }; }, .group = u"Demos"_s);

DOEFF_PROGRAM(
    increment_counter, "User effect IncrementCounter, handled by rewriting the store", increment_counter_main,
    .handlers = [] { return HandlerList { counterHandler() }; }, .group = u"Demos"_s);

DOEFF_PROGRAM(
    divide, "User effect Divide fails with ZeroDivisionError for a zero divisor", divide_main,
    .env = { { u"dividend"_s, 10 }, { u"divisor"_s, 0 } }, .handlers = [] { return HandlerList { divisionHandler() }; },
    .group = u"Demos"_s);

// ---- handlers offered for what-if (docs/replay.md) ------------------------------------------
// A replay can swap one of a run's handlers for one of these, take a handler out or add one:
// `doeff-run --replay divide.doefftrace --what-if-handler STEP=division=safe_division`.

namespace {

/// Divide that never fails: a zero divisor answers 0.
Handler safeDivisionHandler()
{
    return handler(u"safe_division"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        const auto* d = e.as<examples::DivideEffect>();
        if (!d) return Forward();
        return Resume(d->divisor == 0 ? 0.0 : d->dividend / d->divisor);
    });
}

/// Answers every Tell without writing it: a run with its log silenced.
Handler muteLogHandler()
{
    return handler(u"mute_log"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (!e.as<TellEffect>()) return Forward();
        return Resume();
    });
}

} // namespace

DOEFF_HANDLER(safe_division, "Divide that answers 0 for a zero divisor instead of failing", safeDivisionHandler);
DOEFF_HANDLER(mute_log, "Answers every Tell without writing it", muteLogHandler);
DOEFF_HANDLER(division, "Divide, failing with ZeroDivisionError for a zero divisor", divisionHandler);
DOEFF_HANDLER(audit_log, "Rewrites every Tell into an audit line", auditLogHandler);
DOEFF_HANDLER(counters, "IncrementCounter, by rewriting the store", counterHandler);
