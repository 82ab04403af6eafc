#include <doeff/doeff.h>

#include "snippets.h"

#define main readmeMain // the README's program is run by the docs test
namespace readme {
// [snippet]
#include <doeff/doeff.h>
using namespace doeff;

Program<int> counter()
{
    int count = co_await Get<int>("counter");
    co_await Put("counter", count + 1);
    co_return count + 1;
}

int main()
{
    auto r = sync_run(counter(), sync_handlers_preset(), {}, { { "counter", 0 } });
    qInfo().noquote() << r.format(); // Ok(1)
    return r.is_ok() ? 0 : 1;
}
// [/snippet]
} // namespace readme
#undef main

SNIPPET_CHECK(readme,
              (readme::readmeMain(),
               doeff::sync_run(readme::counter(), doeff::sync_handlers_preset(), {}, { { "counter", 0 } }).format()),
              "Ok(1)")
