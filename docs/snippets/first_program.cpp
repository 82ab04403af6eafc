#include <doeff/doeff.h>

#include "snippets.h"

// [snippet]
#include <doeff/doeff.h>
using namespace doeff;

Program<int> counter()
{
    int count = co_await Get<int>("counter");
    co_await Put("counter", count + 1);
    co_return count + 1;
}

QString runCounter()
{
    RuntimeResult<int> r = sync_run(counter(), sync_handlers_preset(), {}, { { "counter", 41 } });
    return r.format(); // "Ok(42)"
}
// [/snippet]

SNIPPET_CHECK(first_program, runCounter(), "Ok(42)")
