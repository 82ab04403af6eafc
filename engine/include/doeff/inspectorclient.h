#pragma once

#include <doeff/agent.h>
#include <doeff/export.h>
#include <doeff/inspector.h>
#include <doeff/runtimeresult.h>
#include <doeff/session.h>

#include <QHash>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

class QLocalSocket;

namespace doeff {

/// What the debuggee said in its hello.
struct InspectorHello {
    quint32 version = 0; ///< the protocol version in use
    quint32 minVersion = 0;
    quint32 maxVersion = 0;
    QString program;
    QString runner; ///< `sync` / `async`
    qint64 pid = 0;
};

/// Where and why the debuggee paused. The run's state at that point is session().
struct InspectorPause {
    quint64 eventCount = 0; ///< events of the run up to and including the pausing one
    quint64 step = 0;
    int task = -1;
    QString reason; ///< `start`, `step`, `effect`, `step over`, `breakpoint 2: effect Put`, `pause`, …
    int breakpoint = -1; ///< the breakpoint that was hit, or -1
    QString file; ///< source location of the pausing event (may be empty)
    int line = 0;
    QString function;
};

/// The debugger side of the inspector protocol (docs/inspector-protocol.md): listens on a
/// private local socket, launches a program with DOEFF_INSPECT pointing at it, sends commands and
/// reduces the event stream into a SessionState, exactly as a trace is reduced. A debuggee that
/// crashes, is killed or exits is reported through finished() with its exit status and the last
/// lines of its stderr; the last known state stays readable.
///
/// Lives on one thread (the one that created it); Qt Core and Network only.
class DOEFF_EXPORT InspectorClient : public QObject {
    Q_OBJECT
public:
    enum class State : quint8 {
        Idle, ///< not listening
        Listening, ///< waiting for a debuggee to connect
        Running, ///< attached, the debuggee runs
        Paused, ///< attached, the debuggee waits for a command
        Detached, ///< the connection is gone; the launched debuggee has not exited yet
        Finished, ///< the debuggee is gone (see finishSummary())
    };
    Q_ENUM(State)

    explicit InspectorClient(QObject* parent = nullptr);
    ~InspectorClient() override;

    /// What the debuggee does when the connection is lost: go on (default) or stop.
    void setStopOnDisconnect(bool stop);
    /// Lines of the debuggee's stderr kept for finishSummary() (default 20).
    void setStderrTailLines(int lines);
    /// Keeps the received events for takeEvents() (default off), decoded in full (effect fields
    /// and handled values included, as a trace holds them), for a debugger that records the run.
    void setKeepEvents(bool keep);
    /// The events received since the last call (with setKeepEvents(true)), in order. Their
    /// file/function strings stay valid for the lifetime of the process.
    QList<Event> takeEvents();
    /// The working directory of the next launch() (empty: this process's).
    void setWorkingDirectory(const QString& directory);

    /// Listens on a new socket in a private directory (mode 0700, under the runtime directory or
    /// the temporary directory), user access only. Returns false with errorString() on failure.
    bool listen();
    /// The name to put in DOEFF_INSPECT (a path).
    QString socketName() const;
    /// Starts `executable` with DOEFF_INSPECT set (listening first if needed). The debuggee's
    /// stdout is relayed through outputReceived(); its stderr is relayed through
    /// errorOutputReceived() and its tail kept.
    bool launch(const QString& executable, const QStringList& arguments,
                const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment());
    /// Kills a launched debuggee (SIGKILL).
    void kill();

    // ---- commands; false when there is no attached debuggee ------------------------------
    bool continueRun();
    bool pause();
    bool stepInto();
    bool stepEffect();
    bool stepOver();
    bool stepOut();
    bool runToLine(const QString& file, int line);
    bool stop();
    /// Cancels a task (not the main one) when the running task's turn ends (protocol version 3;
    /// false with errorString() for an older debuggee).
    bool cancelTask(int task);
    /// Goes on with the move the latest pause interrupted (DebugAgent::Command::Resume; protocol
    /// version 4: false with errorString() for an older debuggee, which the caller then sends
    /// its move again instead).
    bool resumeMove();
    /// Lets the debuggee run on without a debugger and closes the connection.
    bool detach();
    /// Returns a request tag (0 when not attached); breakpointsChanged(tag, id) answers it.
    quint64 addBreakpoint(const Breakpoint& breakpoint);
    quint64 removeBreakpoint(int id);
    quint64 setBreakpointEnabled(int id, bool enabled);

    // ---- state ----------------------------------------------------------------------------
    State state() const { return m_state; }
    bool isAttached() const { return m_state == State::Running || m_state == State::Paused; }
    bool isPaused() const { return m_state == State::Paused; }
    /// The run as the event stream describes it (kept after the debuggee is gone).
    const SessionState& session() const { return m_session; }
    const InspectorHello& hello() const { return m_hello; }
    const InspectorPause& lastPause() const { return m_pause; }
    /// Breakpoints as the debuggee last reported them (ids, hit counts).
    const QList<Breakpoint>& breakpoints() const { return m_breakpoints; }
    /// The run's result once the debuggee sent it.
    const std::optional<SavedResult>& result() const { return m_result; }

    /// After finished(): how the debuggee ended (launched debuggees only).
    bool processExited() const { return m_processDone; }
    int exitCode() const { return m_exitCode; }
    QProcess::ExitStatus exitStatus() const { return m_exitStatus; }
    bool crashed() const { return m_processDone && m_exitStatus == QProcess::CrashExit; }
    QStringList stderrTail() const { return m_stderrTail; }
    /// One paragraph: how the debuggee ended, at which step, and its last stderr lines.
    QString finishSummary() const;
    /// The last protocol or process error.
    QString errorString() const { return m_error; }

Q_SIGNALS:
    /// A debuggee connected and said hello; the client attached.
    void attached();
    /// Events [firstEvent, firstEvent + count) were applied to session().
    void eventsReceived(quint64 firstEvent, int count);
    void paused();
    void resumed();
    /// The debuggee's breakpoint list changed in answer to request `tag`; `result` is the new
    /// breakpoint's id for an add, 1/0 for a remove or enable.
    void breakpointsChanged(quint64 tag, int result);
    void resultReceived();
    void outputReceived(const QString& text);
    void errorOutputReceived(const QString& text);
    /// A protocol or process error (the session may go on: see state()).
    void errorOccurred(const QString& message);
    /// The debuggee is gone (exited, crashed, killed, or disconnected). Emitted once per launch.
    void finished();

private:
    void onNewConnection();
    void onReadyRead();
    void onDisconnected();
    void handleMessage(quint8 type, const QByteArray& payload);
    void handleHello(const QByteArray& payload);
    void handleEvents(const QByteArray& payload);
    void protocolError(int code, const QString& message);
    bool send(const QByteArray& message);
    bool command(DebugAgent::Command c);
    void readStderr();
    void maybeFinish();
    void setState(State s);

    struct Private;
    std::unique_ptr<Private> d;

    State m_state = State::Idle;
    SessionState m_session;
    InspectorHello m_hello;
    InspectorPause m_pause;
    QList<Breakpoint> m_breakpoints;
    std::optional<SavedResult> m_result;
    bool m_processDone = false;
    int m_exitCode = 0;
    QProcess::ExitStatus m_exitStatus = QProcess::NormalExit;
    QStringList m_stderrTail;
    QString m_error;
};

} // namespace doeff
