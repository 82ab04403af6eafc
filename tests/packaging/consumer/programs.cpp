// A program library as a user writes it against the installed package.
#include <doeff/doeff.h>
#include <doeff/library.h>

using namespace doeff;

Program<int> doubled()
{
    int n = co_await Ask<int>("n");
    co_await Put("result", n * 2);
    co_return n * 2;
}

DOEFF_PROGRAM(doubled, "Doubles the env's n", doubled, .env = { { "n", 21 } });
DOEFF_PROGRAM_LIBRARY()
