#pragma once

// Workload g's program and handler stack, shared by doeff-bench (wall clock) and
// doeff-forward-probe (instructions, bench/forward-instructions.sh): one user effect through
// forwarding handlers.

#include <doeff/doeff.h>

namespace bench {

/// The user effect of workload g, handled by the outermost handler.
struct BenchPing : doeff::Effect<BenchPing, int> {
    static constexpr auto name = "BenchPing";
    int n = 0;
    QVariantMap fields() const { return { { QStringLiteral("n"), n } }; }
};
/// An effect the forwarding handlers "handle" (never performed): they forward everything else.
struct BenchOther : doeff::Effect<BenchOther, int> {
    static constexpr auto name = "BenchOther";
};

/// N BenchPings, each carrying its index; the number answered with index + 1.
doeff::Program<int> pingLoop(int n);
/// pingLoop performing the same BenchPing every time: the effect call tree merges them into one
/// line, so every one of them is labelled (a changing one stops being labelled once the tree
/// is full).
doeff::Program<int> samePingLoop(int n);
/// [pong (outermost), scheduler, time, await, core, forwarders × (h - 1) (innermost)]: fast
/// handlers, or coroutine handlers that `co_await ctx.forward()`.
doeff::HandlerList forwardingStack(int h, bool coroutine);

} // namespace bench
