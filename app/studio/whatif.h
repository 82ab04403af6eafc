#pragma once

#include <QString>
#include <QStringList>

namespace doeff::studio {

/// What if (docs/replay.md): the one change a branch makes at a step of a recorded run, as the
/// Studio asks for it and `doeff-run --replay` takes it.
struct WhatIfRequest {
    enum class Kind : quint8 {
        Result, ///< the effect yielded at `step` answers `value` instead of being handled
        Schedule, ///< the turn that starts at `step` runs `task` instead of the queue's head
        Swap, ///< from `step` on, the run's handler `handler` is replaced by the offered one
        Remove, ///< from `step` on, the run's handler `handler` is taken out
        Add, ///< from `step` on, the offered handler is added innermost of the run's handlers
    };
    Kind kind = Kind::Result;
    quint64 step = 0;
    QString value; ///< Result: JSON text (`41`, `"text"`, `{"a": 1}`); not JSON: a string
    int task = 0; ///< Schedule
    QString handler; ///< Swap, Remove: the name of one of the run's handlers
    QString offered; ///< Swap, Add: the name of a handler a program library offers

    /// The `doeff-run` arguments: `--what-if 12=41`, `--what-if-handler 9=division=safe_division`…
    QStringList arguments() const;
    /// For titles: `step 12 answers 41`, `division swapped for safe_division at step 9`…
    QString describe() const;
    /// Empty when the request can be made, else what is missing (`no handler chosen`).
    QString problem() const;
};

} // namespace doeff::studio
