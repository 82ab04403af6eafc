#pragma once

#include <doeff/library.h>

#include <stdexcept>

/// The example program library (`libdoeff-examples.so`): every example of the documentation
/// plus a few realistic demos. `doeff-run --list` shows them; `doeff-run NAME` runs one.
namespace examples {

/// The examples' library (the same object `doeff::loadProgramLibrary()` returns for this .so).
const doeff::ProgramLibrary& library();

/// `divide`: the divisor was zero.
struct ZeroDivisionError : std::domain_error {
    using std::domain_error::domain_error;
};
/// `get_env_var`: a variable with no fallback is not set.
struct MissingVariableError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// `pipeline`: a record could not be parsed.
struct ParseError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
/// `delayed_response`: the response did not arrive in time.
struct TimeoutError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

} // namespace examples
