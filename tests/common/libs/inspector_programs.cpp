// Programs the inspector tests debug out of process (tests/engine/inspect/tst_inspector.cpp), built the way a
// third party builds a program library.

#include <doeff/doeff.h>
#include <doeff/library.h>

#include <csignal>

namespace inspected {

doeff::Program<int> inner(int x)
{
    int n = co_await doeff::Get<int>("n");
    co_await doeff::Put("n", n + x);
    co_return n + x;
}

// A sub-program between two effects of main: for step over and step out.
doeff::Program<int> nested()
{
    co_await doeff::Put("before", 1);
    int a = co_await inner(5);
    co_await doeff::Put("after", a);
    co_return a;
}

// Dies of SIGSEGV after writing the store once.
doeff::Program<int> segfault()
{
    co_await doeff::Put("k", 1);
    std::raise(SIGSEGV);
    co_return 0;
}

// Stores and returns a 70 MB string: more than one protocol message may carry (64 MiB), so its
// Put event and the result travel in fragments.
doeff::Program<QString> big_value()
{
    QString big(70 * 1024 * 1024, u'x');
    big[0] = u'<';
    big[big.size() - 1] = u'>';
    co_await doeff::Put("big", big);
    co_return big;
}

} // namespace inspected

DOEFF_PROGRAM(nested, "Put, a sub-program that does Get + Put, Put", inspected::nested, .store = { { "n", 0 } });
DOEFF_PROGRAM(segfault, "Writes the store, then raises SIGSEGV", inspected::segfault);
DOEFF_PROGRAM(big_value, "Stores and returns a 70 MB string", inspected::big_value);

DOEFF_PROGRAM_LIBRARY()
