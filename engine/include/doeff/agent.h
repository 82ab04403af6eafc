#pragma once

#include <doeff/export.h>
#include <doeff/observer.h>
#include <doeff/runtimeresult.h>

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

/// The debug agent: an observer that can pause the machine at any event and wait for a
/// command (continue, pause, the step modes, breakpoints). Commands may come from any thread;
/// the callbacks run on the machine's thread. A paused sync_run blocks its thread; the Studio
/// runs programs on a worker thread (or in another process) so its own loop stays free.
namespace doeff {

struct Breakpoint {
    enum class Kind : quint8 {
        Effect, ///< pattern: effect name (`Get`, `Ping`); condition: `field=value` (optional)
        StoreKey, ///< pattern: a store key written (watchpoint)
        EnvKey, ///< pattern: an env key asked
        Error, ///< any error raised
        UncaughtError, ///< a task finishing with an error
        TaskSpawn,
        TaskFinish,
        Deadlock,
        SourceLine, ///< file (suffix match) and line
    };
    int id = 0;
    Kind kind = Kind::Effect;
    QString pattern;
    QString condition;
    QString file;
    int line = 0;
    bool enabled = true;
    int hits = 0;
    /// Pause only at this hit (1-based; the hits before it are counted, not paused at). 0: every hit.
    int hitCount = 0;
    /// A logpoint's message (`{store.KEY}`, `{env.KEY}`, `{task}`, `{step}`: <doeff/expression.h>).
    /// The agent pauses at a logpoint as at any breakpoint; the debugger that set it logs the
    /// message and goes on with what it was doing. Not part of the inspector protocol.
    QString logMessage;
    bool isLogpoint() const { return !logMessage.isEmpty(); }
    QString describe() const;
    /// Whether the event is a hit (enabled or not; hits not counted). The live form is what
    /// the agent pauses on; the record form finds the same hits in a recorded history, for
    /// going back to the previous one.
    bool matches(const LiveEvent& event) const;
    bool matches(const Event& record) const;
};
DOEFF_EXPORT const char* breakpointKindName(Breakpoint::Kind kind);

/// Everything the debugger shows at a pause.
struct PausedState {
    quint64 step = 0;
    int task = -1; ///< the task the pausing event belongs to
    QString reason; ///< `step`, `effect`, `breakpoint 3: Effect Get`, `pause`, `start`, …
    int breakpoint = -1; ///< the id of the breakpoint that paused, or -1
    Event event; ///< the pausing event (file/function pointers are NOT valid after the callback)
    QString eventFile;
    QString eventFunction;
    QList<TaskSnapshot> tasks;
    QHash<int, QList<FrameInfo>> k; ///< per task, top first
    QHash<int, Store> stores; ///< per task
    QHash<int, Env> envs; ///< per task
    EffectStackTrace tree;
};

class DOEFF_EXPORT DebugAgent final : public Observer {
public:
    /// Resume: go on with the move the latest pause interrupted, as if it had not paused (a step
    /// over stays the step over it was, from where it began). What a debugger sends after a pause
    /// it does not show: a logpoint's, a condition that does not hold.
    enum class Command : quint8 { Continue, Pause, StepInto, StepEffect, StepOver, StepOut, RunToLine, Stop, Resume };

    /// `startPaused`: pause at the first step, before any program code runs.
    explicit DebugAgent(bool startPaused = true);
    ~DebugAgent() override;
    DebugAgent(const DebugAgent&) = delete;
    DebugAgent& operator=(const DebugAgent&) = delete;

    // ---- commands: thread-safe, any thread --------------------------------------------
    void command(Command c);
    void continueRun() { command(Command::Continue); }
    /// Honoured at the next machine step, even in a tight effect loop.
    void pause() { command(Command::Pause); }
    void stepInto() { command(Command::StepInto); }
    void stepEffect() { command(Command::StepEffect); }
    void stepOver() { command(Command::StepOver); }
    void stepOut() { command(Command::StepOut); }
    void runToLine(const QString& file, int line);
    /// Cancels `task` (not the main task), as Cancel would, when the running task's turn ends;
    /// asked while paused, once the run resumes. A task that has finished by then is left alone.
    void cancelTask(int task);
    /// Ends the run (it returns Err(RunAbortedError)). Also releases a paused machine.
    void stop();
    /// Nobody drives the run any more (its debugger left): it goes on and never pauses again,
    /// however close to a pause the machine already was. Unlike continueRun(), it cannot be lost
    /// to a pause that began as it was sent.
    void release();

    int addBreakpoint(Breakpoint b);
    bool removeBreakpoint(int id);
    bool setBreakpointEnabled(int id, bool enabled);
    QList<Breakpoint> breakpoints() const;

    bool isPaused() const;

    // ---- callbacks: set before the run starts; called on the machine's thread ---------
    /// Every event, in order (the live session's feed).
    std::function<void(const Event&)> eventCallback;
    /// The machine paused; it waits for a command after this returns.
    std::function<void(const PausedState&)> pausedCallback;
    /// The machine resumed after a pause.
    std::function<void()> resumedCallback;
    /// Fill PausedState's tasks, k, stores, envs and tree at a pause (costly with many tasks).
    /// The inspector server turns it off: its debugger reduces the event stream instead.
    bool collectState = true;

    void onEvent(const LiveEvent& event, const RunView& view) override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace doeff
