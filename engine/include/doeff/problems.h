#pragma once

// Part of the analysis subsystem (engine/src/analysis/): a reduction of the event stream that
// answers one question about a run, live or recorded.

namespace doeff {
} // namespace doeff
