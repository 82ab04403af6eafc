#include "forwarding.h"

using namespace doeff;
using namespace Qt::StringLiterals;

namespace bench {

namespace {

Handler pongHandler()
{
    return handler(u"pong"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (const auto* p = e.as<BenchPing>()) return Resume(p->n + 1);
        return Forward();
    });
}

Handler fastForwarder(int i)
{
    return handler(u"fwd%1"_s.arg(i), [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (e.is<BenchOther>()) return Resume(0);
        return Forward();
    });
}

Handler coroutineForwarder(int i)
{
    return handler(u"cofwd%1"_s.arg(i), [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        if (e.is<BenchOther>()) co_return Resume(0);
        QVariant v = co_await ctx.forward();
        co_return Resume(std::move(v));
    });
}

} // namespace

Program<int> pingLoop(int n)
{
    int right = 0;
    for (int i = 0; i < n; ++i) {
        BenchPing p;
        p.n = i;
        const int v = co_await p;
        right += v == i + 1 ? 1 : 0;
    }
    co_return right;
}

Program<int> samePingLoop(int n)
{
    int right = 0;
    BenchPing p;
    for (int i = 0; i < n; ++i) {
        const int v = co_await p;
        right += v == 1 ? 1 : 0;
    }
    co_return right;
}

HandlerList forwardingStack(int h, bool coroutine)
{
    HandlerList l;
    l.append(pongHandler());
    l.append(sync_handlers_preset());
    for (int i = 1; i < h; ++i)
        l.append(coroutine ? coroutineForwarder(i) : fastForwarder(i));
    return l;
}

} // namespace bench
