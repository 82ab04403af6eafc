#pragma once

#include <doeff/agent.h>

#include <QHash>
#include <QList>
#include <QObject>

namespace doeff::views {

class StudioSession;

/// The Studio's handle on the run it debugs, whichever process runs it: LiveRun (a thread of the
/// Studio) or RemoteRun (a child process over the inspector protocol). Both feed a StudioSession,
/// the only thing panes read. The breakpoint list belongs here: ids are the Studio's own and
/// stay stable across launches; each launch re-arms the enabled and disabled ones. GUI thread.
class RunController : public QObject {
    Q_OBJECT
public:
    enum class ClockChoice : quint8 { ProgramDefault, Real, Simulated };

    explicit RunController(StudioSession* session, QObject* parent = nullptr); // session: not owned
    ~RunController() override;

    /// Relaunches the last program with the same settings, paused at its start.
    virtual void restart() = 0;
    /// Asks the run to end; the run finishes as it does (a result, or the debuggee's end).
    virtual void stop() = 0;
    /// Ends the run at once and drops whatever it still delivers (window close, switching runs).
    virtual void shutdown() = 0;
    virtual bool isRunning() const = 0;
    virtual bool hasProgram() const = 0;
    virtual void command(DebugAgent::Command c) = 0;
    /// Runs to `file` (suffix match) : `line`.
    virtual void runToLine(const QString& file, int line) = 0;
    /// Cancels a task (not the main one) when the running task's turn ends; false with the
    /// reason in `error` when the run cannot (none is running, or its debuggee is too old).
    virtual bool cancelTask(int task, QString* error) = 0;

    /// Breakpoints as the Studio numbers them; hits count the current run.
    QList<Breakpoint> breakpoints() const { return m_breakpoints; }
    int addBreakpoint(Breakpoint b);
    void removeBreakpoint(int id);
    void setBreakpointEnabled(int id, bool enabled);
    /// The source margin's click: removes the source-line breakpoint(s) on `file`:`line`, or adds
    /// one there when there is none. Returns the new id, or 0 when one was removed.
    int toggleSourceBreakpoint(const QString& file, int line);
    /// Replaces the breakpoint with `b.id` by `b` (the edit dialog); its hits start again.
    void updateBreakpoint(const Breakpoint& b);
    /// The Studio id of the breakpoint the latest pause hit, or -1 (a step, a pause, the start).
    virtual int pausedBreakpoint() const = 0;
    /// Takes over another controller's breakpoints (switching between in- and out-of-process).
    void adoptBreakpoints(const RunController& other);

Q_SIGNALS:
    void runStarted();
    void runEnded();
    void breakpointsChanged();
    /// The run ended without a result (the debuggee crashed, was killed, could not start, hung
    /// up): `message` says how, with its last stderr lines.
    void runFailed(const QString& message);

protected:
    /// The move the user made last, which a logpoint's pause goes on with.
    struct Move {
        DebugAgent::Command command = DebugAgent::Command::Continue;
        QString file; ///< RunToLine's target
        int line = 0;
    };
    void noteMove(DebugAgent::Command c, const QString& file = {}, int line = 0);
    const Move& lastMove() const { return m_lastMove; }
    /// At a pause: when it is a logpoint's, logs its message (StudioSession::addLogpointMessage)
    /// from the run's present state and sends Resume, so the run goes on with the interrupted
    /// move as if it had not paused (a step over stays that step over). True when it did: the
    /// pause is not to be shown. A pause the user asked for (Pause) still shows, after the message.
    bool passLogpoint(const PausedState& pause);
    // Forward a change to the running target, if any (the list is already updated).
    virtual void armBreakpoint(const Breakpoint& b) = 0;
    virtual void disarmBreakpoint(int id) = 0;
    virtual void enableBreakpoint(int id, bool enabled) = 0;
    /// Sets the hit counts of the current run, by Studio id; emits breakpointsChanged().
    void setHits(const QHash<int, int>& hitsByStudioId);
    void resetHits();

    StudioSession* m_session; // not owned
    QList<Breakpoint> m_breakpoints;

private:
    int m_nextBreakpointId = 1;
    Move m_lastMove;
};

} // namespace doeff::views
