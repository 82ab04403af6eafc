#pragma once

#include <doeff/session.h>

#include <QString>
#include <QVariant>

#include <optional>

/// The small expression language of the adapter: what `evaluate`, breakpoint conditions and
/// logpoint messages may say. It reads the state of one task at the viewed step and never runs
/// program code:
///
///     store.KEY   env.KEY   KEY (the store's, else the env's)   task   step
///     EXPR == LITERAL   (also != < <= > >=; LITERAL is JSON, or a 'quoted' string)
namespace doeff::dap {

struct Evaluation {
    std::optional<QVariant> value; ///< absent when the name is unknown
    QString error; ///< why there is no value
};

/// The value a name has for `task` in `state`.
Evaluation evaluateName(const SessionState& state, int task, const QString& name);

/// A condition: a name (true when its value is truthy) or a comparison with a literal. False with
/// `error` set when it cannot be evaluated (a breakpoint then stops, and says why).
bool evaluateCondition(const SessionState& state, int task, const QString& condition, QString* error);

/// A logpoint message with every `{expression}` replaced by its value's repr (`{{`/`}}` are
/// braces).
QString interpolate(const SessionState& state, int task, const QString& message);

/// A DAP hitCondition: `5` or `==5` (the fifth hit), `>5`, `>=5`, `<5`, `<=5`, `%5` (every fifth).
/// nullopt when `condition` is none of these.
std::optional<bool> hitConditionHolds(const QString& condition, int hits);
bool isValidHitCondition(const QString& condition);

} // namespace doeff::dap
