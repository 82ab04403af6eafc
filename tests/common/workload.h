#pragma once

// The programs the event-stream suites (observer, trace) run to produce events: a workload that
// raises every event kind but StoreReplaced, and a sandboxed run that raises StoreReplaced.
// Events carry source locations in this file.

#include "scenario.h"

namespace scenario {

inline Program<int> leafWork(int n)
{
    int v = co_await Get<int>("counter");
    co_await Put("counter", v + n);
    co_await Tell(QStringLiteral("leaf %1").arg(n));
    co_return v;
}
inline Program<int> failing()
{
    co_await Tell("about to fail");
    throw ValueError("nope");
}
inline Program<QVariant> askK()
{
    co_return co_await Ask("k");
}
/// Every event kind but StoreReplaced (see sandboxed()); run it with handlers() and env k = 'E'.
inline Program<QVariantList> workload()
{
    co_await Put("counter", 0);
    int a = co_await leafWork(1);
    const Env local { { QStringLiteral("k"), QStringLiteral("L") } };
    QVariant k = co_await Local(local, askK());
    auto safe = co_await Safe(failing());
    auto listened = co_await Listen(leafWork(2));
    QVariantList g = co_await Gather(leafWork(3), leafWork(4));
    Task<int> t = co_await Spawn(leafWork(5));
    int w = co_await Wait(t);
    QVariant p = co_await ping(7);
    co_await Delay(0.5);
    co_return QVariantList { a, k, safe.is_err(), QVariant(listened.log), QVariant(g), w, p };
}
/// The preset plus a handler answering Ping(n) with 2n (and writing 'pinged').
inline HandlerList handlers()
{
    HandlerList l = sync_handlers_preset();
    l.append(handler(QStringLiteral("pinger"), [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        if (!e.is<Ping>()) co_return Forward();
        co_await Put("pinged", true);
        Q_UNUSED(ctx);
        co_return Resume(e.as<Ping>()->n * 2);
    }));
    return l;
}

/// StoreReplaced: a handler resuming with a store (run it with sandboxHandlers()).
inline Program<QVariant> sandboxed()
{
    co_await Put("x", 1);
    co_return co_await ping(1);
}
/// The preset plus a handler that writes 'scratch', then resumes Ping with the store it saw.
inline HandlerList sandboxHandlers()
{
    HandlerList l = sync_handlers_preset();
    l.append(handler(QStringLiteral("sandbox"), [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        if (!e.is<Ping>()) co_return Forward();
        co_await Put("scratch", 1);
        co_return Resume(1).withStore(ctx.store());
    }));
    return l;
}

} // namespace scenario
