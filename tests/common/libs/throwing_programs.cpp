// A program library (loaded with dlopen) whose programs throw, for the throw-site tests: the
// throw hook in libdoeff must see throws in code the host loaded at run time.

#include <doeff/doeff.h>
#include <doeff/library.h>

#include <stdexcept>
#include <vector>

namespace thrower {

doeff::Program<int> plain()
{
    co_await doeff::Tell("about to throw");
    int n = co_await doeff::Get<int>("n");
    if (n > 0) throw std::runtime_error("thrown in a loaded library"); // THROW_PLAIN
    co_return n;
}

doeff::Program<int> at()
{
    const std::vector<int> v { 1, 2 };
    int n = co_await doeff::Get<int>("n");
    co_return v.at(std::size_t(n)); // THROW_AT
}

} // namespace thrower

DOEFF_PROGRAM(plain, "Throws std::runtime_error", thrower::plain, .store = { { "n", 1 } });
DOEFF_PROGRAM(at, "Reads past a vector's end with at()", thrower::at, .store = { { "n", 5 } });

DOEFF_PROGRAM_LIBRARY()
