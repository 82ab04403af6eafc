// doeff-forward-probe: one effect through H − 1 forwarding coroutine handlers, N times — the
// program bench/forward-instructions.sh counts instructions of (see README.md, "A coroutine
// handler's start, leaner").
//
//   doeff-forward-probe H N        (H ≥ 1 handlers in all: `pong`, which answers, and H − 1 forwarders)
//
// The stack is [pong (outermost), the preset handlers, forwarders × (H − 1) (innermost)], as
// in doeff-bench's workload g. It prints how many answers were right and exits 1 unless all were.

#include <doeff/doeff.h>

#include <cstdio>
#include <cstdlib>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

struct ProbePing : Effect<ProbePing, int> {
    static constexpr auto name = "ProbePing";
    int n = 0;
    QVariantMap fields() const { return { { u"n"_s, n } }; }
};

/// What the forwarders answer themselves (never performed): they test for it, as a handler does
/// for its own effects, and forward everything else.
struct ProbeOther : Effect<ProbeOther, int> {
    static constexpr auto name = "ProbeOther";
};

Program<int> pingLoop(int n)
{
    int right = 0;
    for (int i = 0; i < n; ++i) {
        ProbePing p;
        p.n = i;
        const int v = co_await p;
        right += v == i + 1 ? 1 : 0;
    }
    co_return right;
}

Handler pong()
{
    return handler(u"pong"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (const auto* p = e.as<ProbePing>()) return Resume(p->n + 1);
        return Forward();
    });
}

Handler forwarder(int i)
{
    return handler(u"forwarder%1"_s.arg(i), [](const AnyEffect& e, HandlerContext& ctx) -> Program<HandlerResult> {
        if (e.is<ProbeOther>()) co_return Resume(0);
        QVariant v = co_await ctx.forward();
        co_return Resume(std::move(v));
    });
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: doeff-forward-probe H N\n");
        return 2;
    }
    const int h = std::max(1, std::atoi(argv[1]));
    const int n = std::max(0, std::atoi(argv[2]));
    HandlerList stack;
    stack.append(pong());
    stack.append(sync_handlers_preset());
    for (int i = 1; i < h; ++i)
        stack.append(forwarder(i));
    const RuntimeResult<int> r = sync_run(pingLoop(n), stack);
    const int right = r.is_ok() ? r.value() : -1;
    std::printf("%d of %d answers right\n", right, n);
    return right == n ? 0 : 1;
}
