#pragma once

#include <doeff/export.h>

#include <QList>

#include <vector>

namespace doeff::detail {

/// The cycles of a wait-for graph (`out[i]`: the nodes node i waits on), found by one iterative
/// depth-first search (a ring of 100,000 tasks must not recurse): one per back edge, at most
/// `limit`, each listed from the node where the search entered it, every node waiting on the
/// next and the last on the first. The order is stable: roots in index order, edges in the
/// order given. Shared by the machine (DeadlockError) and the wait-for graph analysis, so both
/// name the same cycles.
DOEFF_EXPORT QList<QList<int>> findWaitCycles(const std::vector<std::vector<int>>& out, qsizetype limit);

} // namespace doeff::detail
