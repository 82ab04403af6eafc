#include <doeff/doeff.h>

#include "snippets.h"

using namespace doeff;

// [snippet]
Program<int> square(int n)
{
    co_await Delay(0.1); // suspends only this task
    co_return n* n;
}

Program<QVariantList> fanOut()
{
    Task<int> a = co_await Spawn(square(3));
    Task<int> b = co_await Spawn(square(4));
    QVariantList both = co_await Gather(a, b); // results in argument order
    co_return both;
}

QString runTasks()
{
    RunOptions options;
    options.clock = Clock::Simulated; // Delay costs no real time, order is deterministic
    return sync_run(fanOut(), sync_handlers_preset(), {}, {}, options).format();
}
// [/snippet]

SNIPPET_CHECK(tasks, runTasks(), "Ok([9, 16])")
