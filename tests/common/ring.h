#pragma once

// A deadlock every analysis and scenario test can name: n tasks in a ring, each waiting on the
// next.

#include <doeff/doeff.h>

#include <memory>
#include <vector>

namespace testcommon {

// Issue 17 #3: n tasks in a ring, each waiting on the next (the last on the first); main waits
// on the first. The gate lets every task exist before any of them waits on its neighbour.
inline doeff::Program<int> ringMember(std::shared_ptr<std::vector<doeff::Task<int>>> ring, doeff::Future<QVariant> gate,
                                      int i)
{
    co_await doeff::Wait(gate);
    co_await doeff::Wait((*ring)[(std::size_t(i) + 1) % ring->size()]);
    co_return i;
}
inline doeff::Program<int> ringMain(int n)
{
    auto ring = std::make_shared<std::vector<doeff::Task<int>>>();
    ring->reserve(std::size_t(n));
    doeff::Promise<QVariant> gate = co_await doeff::CreatePromise();
    for (int i = 0; i < n; ++i) {
        // no temporaries owning heap data inside the co_await expression: g++ 12 may destroy
        // such a temporary twice (a literal's static data survives that, a built name does not)
        const doeff::SpawnOptions options { QStringLiteral("m") + QString::number(i) };
        doeff::Program<int> member = ringMember(ring, gate.future(), i);
        doeff::Task<int> task = co_await doeff::Spawn(std::move(member), options);
        ring->push_back(task);
    }
    co_await doeff::CompletePromise(gate, QVariant());
    co_return co_await doeff::Wait(ring->front());
}

} // namespace testcommon
