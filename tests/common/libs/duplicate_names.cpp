// A program library that registers one name twice: loading it is an error naming the program.

#include <doeff/doeff.h>
#include <doeff/library.h>

namespace {
doeff::Program<int> one()
{
    co_return 1;
}
} // namespace

DOEFF_PROGRAM(twice, "the first registration", one);
// a second registration of the same name (DOEFF_PROGRAM would not compile: same variable name)
[[maybe_unused]] static const doeff::detail::ProgramRegistrar again { doeff::ProgramInfo {
    .name = "twice", .description = "the second registration", .make = [] { return doeff::AnyProgram(one()); } } };

DOEFF_PROGRAM_LIBRARY()
