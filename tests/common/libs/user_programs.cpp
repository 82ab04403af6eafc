// A program library written the way a third party would: plain string literals, no project
// hygiene flags, programs in its own namespace. It shadows the built-in `counter`.

#include <doeff/doeff.h>
#include <doeff/library.h>

namespace plugin {

doeff::Program<QString> hello()
{
    QString who = co_await doeff::Ask<QString>("who");
    co_await doeff::Tell("said hello");
    co_return "Hello from a plugin, " + who;
}

doeff::Program<int> counter()
{
    int n = co_await doeff::Get<int>("n");
    co_await doeff::Put("n", n * 2);
    co_return n * 2;
}

} // namespace plugin

DOEFF_PROGRAM(hello, "Says hello to the env's 'who'", plugin::hello, .env = { { "who", "plugin user" } });
DOEFF_PROGRAM(counter, "Doubles the store's 'n' (shadows the built-in counter)", plugin::counter,
              .store = { { "n", 21 } });

DOEFF_PROGRAM_LIBRARY()
