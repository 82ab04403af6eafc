#pragma once

// The name a task takes from its program's function, shared.

#include <doeff/handles.h>

namespace doeff::detail {

/// functionDisplayNameOfStatic(), as the one shared name every task of that function takes
/// (a record and its handles hold it): from the same per-thread cache, so a Spawn in a loop
/// costs a count.
NamePtr sharedFunctionDisplayName(const char* prettyFunction);

} // namespace doeff::detail
