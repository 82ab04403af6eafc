#pragma once

#include <doeff/effects.h>
#include <doeff/export.h>
#include <doeff/handler.h>
#include <doeff/program.h>
#include <doeff/runtimeresult.h>
#include <doeff/store.h>

#include <QDateTime>
#include <QTimeZone>

#include <qcoro/qcorotask.h>

#include <chrono>
#include <functional>

namespace doeff {

class Observer;
class InputSource;

enum class Clock : unsigned char { Real, Simulated };

struct RunOptions {
    Clock clock = Clock::Real;
    QDateTime simulated_start = QDateTime(QDate(2000, 1, 1), QTime(0, 0), Qt::UTC);
    /// Bound of the recorded effect call tree; 0 disables recording.
    int effect_tree_limit = 10000;
    std::chrono::milliseconds external_wait_timeout { 30000 };
    bool capture_source_lines = true;
    /// Observers of the event stream (not owned; must outlive the run).
    QList<Observer*> observers {};
    /// The name the run goes by: the RunStarted event (and so a trace, a debugger) and the
    /// result name the program so. runProgram() sets a library program's registered name
    /// (`counter`); empty: the main program's function name (`counter_main`).
    QString program_name {};
    /// Replay a recording (doeff/replay.h, docs/replay.md): the run takes every input —
    /// Await results, real-clock readings and timers, external promise completions — from it
    /// instead of from outside, and its checker ends the run at the first event that differs.
    /// Null: a normal run.
    std::shared_ptr<InputSource> replay {};
    /// Asked between turns (a task goes on for at most a few hundred effects in one): a
    /// non-empty reason ends the run as an observer's AbortRun would, with RunAbortedError.
    /// For a stop request from outside (a signal) that costs no observer. Null: never asked.
    std::function<QString()> interrupt {};
};

/// The four preset handlers, outermost first: scheduler, time, await, core.
DOEFF_EXPORT HandlerList sync_handlers_preset();
DOEFF_EXPORT HandlerList async_handlers_preset();

namespace detail {
DOEFF_EXPORT std::shared_ptr<const ResultData> syncRunAny(AnyProgram program, HandlerList handlers, Env env,
                                                          Store store, RunOptions options);
DOEFF_EXPORT QCoro::Task<std::shared_ptr<const ResultData>> asyncRunAny(AnyProgram program, HandlerList handlers,
                                                                        Env env, Store store, RunOptions options);
template<class T>
QCoro::Task<RuntimeResult<T>> asyncRunTyped(AnyProgram program, HandlerList handlers, Env env, Store store,
                                            RunOptions options)
{
    auto data = co_await asyncRunAny(std::move(program), std::move(handlers), std::move(env), std::move(store),
                                     std::move(options));
    co_return RuntimeResult<T>(std::move(data));
}
} // namespace detail

/// Runs `program` to the end on the calling thread (no event loop needed). Never throws for
/// program errors: they are in the result.
template<class T>
RuntimeResult<T> sync_run(Program<T> program, HandlerList handlers, Env env = {}, Store store = {},
                          RunOptions options = {})
{
    return RuntimeResult<T>(detail::syncRunAny(std::move(program), std::move(handlers), std::move(env),
                                               std::move(store), std::move(options)));
}

/// Runs `program` on the calling thread's Qt event loop without ever blocking it.
template<class T>
QCoro::Task<RuntimeResult<T>> async_run(Program<T> program, HandlerList handlers, Env env = {}, Store store = {},
                                        RunOptions options = {})
{
    return detail::asyncRunTyped<T>(std::move(program), std::move(handlers), std::move(env), std::move(store),
                                    std::move(options));
}

/// An effect where a program is expected (RUNTIME.md §2): a program that performs it once.
template<EffectLike E>
RuntimeResult<typename E::result_type> sync_run(E effect, HandlerList handlers, Env env = {}, Store store = {},
                                                RunOptions options = {})
{
    return sync_run(Program<typename E::result_type>::fromAny(AnyProgram(std::move(effect))), std::move(handlers),
                    std::move(env), std::move(store), std::move(options));
}

/// An effect where a program is expected (RUNTIME.md §2): a program that performs it once.
template<EffectLike E>
QCoro::Task<RuntimeResult<typename E::result_type>> async_run(E effect, HandlerList handlers, Env env = {},
                                                              Store store = {}, RunOptions options = {})
{
    return async_run(Program<typename E::result_type>::fromAny(AnyProgram(std::move(effect))), std::move(handlers),
                     std::move(env), std::move(store), std::move(options));
}

} // namespace doeff
