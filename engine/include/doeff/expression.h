#pragma once

#include <doeff/export.h>
#include <doeff/session.h>

#include <QString>
#include <QVariant>

#include <optional>

/// The small expression language of debuggers (doeff-dap, the terminal debugger): what
/// `evaluate`, breakpoint conditions and logpoint messages may say. It reads the state of one task at the viewed step
/// and never runs program code:
///
///     store.KEY   env.KEY   KEY (the store's, else the env's)   task   step
///     EXPR == LITERAL   (also != < <= > >=; LITERAL is JSON, or a 'quoted' string)
namespace doeff {

struct Evaluation {
    std::optional<QVariant> value; ///< absent when the name is unknown
    QString error; ///< why there is no value
};

/// The value a name has for `task` in `state`.
DOEFF_EXPORT Evaluation evaluateName(const SessionState& state, int task, const QString& name);

/// A condition: a name (true when its value is truthy) or a comparison with a literal. False with
/// `error` set when it cannot be evaluated (a breakpoint then stops, and says why).
DOEFF_EXPORT bool evaluateCondition(const SessionState& state, int task, const QString& condition, QString* error);

/// A logpoint message with every `{expression}` replaced by its value's repr (`{{`/`}}` are
/// braces).
DOEFF_EXPORT QString interpolate(const SessionState& state, int task, const QString& message);

/// A DAP hitCondition: `5` or `==5` (the fifth hit), `>5`, `>=5`, `<5`, `<=5`, `%5` (every fifth).
/// nullopt when `condition` is none of these.
DOEFF_EXPORT std::optional<bool> hitConditionHolds(const QString& condition, int hits);
DOEFF_EXPORT bool isValidHitCondition(const QString& condition);

} // namespace doeff
