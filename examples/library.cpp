// The example library's entry point: `doeff-run` links this library and calls library();
// `doeff::loadProgramLibrary("libdoeff-examples.so")` finds the same object through
// doeff_program_library_v1().

#include <doeff_examples.h>

DOEFF_PROGRAM_LIBRARY()

namespace examples {

const doeff::ProgramLibrary& library()
{
    return doeff::detail::thisProgramLibrary();
}

} // namespace examples
