// doeff-forward-probe: one effect through H − 1 forwarding coroutine handlers, N times — the
// program bench/forward-instructions.sh counts instructions of (see README.md, "A coroutine
// handler's start, leaner").
//
//   doeff-forward-probe H N        (H ≥ 1 handlers in all: `pong`, which answers, and H − 1 forwarders)
//
// The program and the stack are workload g's (forwarding.h). It prints how many answers were
// right and exits 1 unless all were.

#include "forwarding.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: doeff-forward-probe H N\n");
        return 2;
    }
    const int h = std::max(1, std::atoi(argv[1]));
    const int n = std::max(0, std::atoi(argv[2]));
    const doeff::RuntimeResult<int> r = doeff::sync_run(bench::pingLoop(n), bench::forwardingStack(h, true));
    const int right = r.is_ok() ? r.value() : -1;
    std::printf("%d of %d answers right\n", right, n);
    return right == n ? 0 : 1;
}
