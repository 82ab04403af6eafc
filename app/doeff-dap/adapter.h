#pragma once

#include "sourcelines.h"
#include "variables.h"

#include <remoterun.h>
#include <studiosession.h>

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QTimer>

#include <functional>
#include <optional>

namespace doeff::dap {

class Transport;

/// The Debug Adapter Protocol mapped onto a debugging session of the Studio's own kind: a
/// StudioSession fed by a RemoteRun (the program runs in a `doeff-run` child process, or is an
/// executable linked with libdoeff, over the inspector protocol), or by an opened trace. Tasks
/// are threads, a task's continuation stack is its stack trace, the store, the environment,
/// the current effect and the handlers are its scopes. The recorded history makes stepBack,
/// reverseContinue and goto travel through the run without re-running it. Everything runs on
/// the thread of the Qt event loop; nothing the debuggee does can block it.
class Adapter final : public QObject {
    Q_OBJECT
public:
    explicit Adapter(Transport* transport, QObject* parent = nullptr);
    ~Adapter() override;

    /// Where `doeff-run` is (for built-in examples and program libraries).
    void setDoeffRunPath(const QString& path) { m_doeffRun = path; }

Q_SIGNALS:
    /// The client disconnected or closed its input: the adapter may exit.
    void finished();

private:
    using Request = QJsonObject;
    using Args = QJsonObject;

    // ---- base protocol ---------------------------------------------------------------------
    void onMessage(const QJsonObject& message);
    void onMalformed(const QString& problem);
    void respond(const Request& request, const QJsonObject& body = {});
    void fail(const Request& request, const QString& message);
    void event(const QString& name, const QJsonObject& body = {});
    void output(const QString& category, const QString& text);

    // ---- requests --------------------------------------------------------------------------
    void initialize(const Request& r, const Args& a);
    void launch(const Request& r, const Args& a);
    void launchTrace(const Request& r, const Args& a);
    void launchReplay(const Request& r, const Args& a);
    /// A launch's `"whatIf"` as doeff-run arguments (`--what-if-handler 6=division=safe_division`);
    /// `problem` says what is wrong with it.
    static QStringList whatIfArguments(const QJsonValue& spec, QString* problem);
    /// Starts the live debuggee `l` (launch's and launchReplay()'s common end).
    void startLive(const Request& r, const Args& a, const views::RemoteLaunch& l);
    void configurationDone(const Request& r, const Args& a);
    void disconnect(const Request& r, const Args& a);
    void terminate(const Request& r, const Args& a);
    void restart(const Request& r, const Args& a);
    void setBreakpoints(const Request& r, const Args& a);
    void setFunctionBreakpoints(const Request& r, const Args& a);
    void setExceptionBreakpoints(const Request& r, const Args& a);
    void dataBreakpointInfo(const Request& r, const Args& a);
    void setDataBreakpoints(const Request& r, const Args& a);
    void breakpointLocations(const Request& r, const Args& a);
    void threads(const Request& r, const Args& a);
    void stackTrace(const Request& r, const Args& a);
    void scopes(const Request& r, const Args& a);
    void variables(const Request& r, const Args& a);
    void source(const Request& r, const Args& a);
    void continueRequest(const Request& r, const Args& a);
    void pause(const Request& r, const Args& a);
    void next(const Request& r, const Args& a);
    void stepIn(const Request& r, const Args& a);
    void stepOut(const Request& r, const Args& a);
    void stepBack(const Request& r, const Args& a);
    void reverseContinue(const Request& r, const Args& a);
    void gotoRequest(const Request& r, const Args& a);
    void gotoTargets(const Request& r, const Args& a);
    void evaluate(const Request& r, const Args& a);
    void exceptionInfo(const Request& r, const Args& a);
    void terminateThreads(const Request& r, const Args& a);

    // ---- the run ---------------------------------------------------------------------------
    enum class Mode : quint8 { None, Live, Trace };
    enum class Move : quint8 { Continue, Instruction, Statement, Line, In, Out };
    /// What a breakpoint is to the client (the engine's Breakpoint has no place for these).
    struct Meta {
        enum class Origin : quint8 { Source, Function, Data, Exception } origin = Origin::Source;
        QString condition; ///< evaluated by the adapter at a hit
        QString hitCondition;
        QString logMessage;
        QString filter; ///< exception breakpoints: the filter id
        int hits = 0; ///< hits whose condition held
    };

    void onStatusChanged();
    void onRefreshed();
    void onRunEnded();
    void onPaused();
    /// The first pause of a run, once the client is configured: stop on entry or run on.
    void leaveStart();
    void stopped(const QString& reason, int task, const QString& description = {}, const QList<int>& hits = {});
    void invalidate();
    /// Sends a live move to the run and remembers it: a pause that is no stop for the client (a
    /// line still running, a false condition, a logpoint) goes on with the same move.
    void resume(DebugAgent::Command c);
    /// A step or continue: on the live run at the present, through the history otherwise.
    void move(const Request& r, Move how, int task);
    /// Shows the state after the first `events` events of the recorded run (a pause's state is
    /// the one after its pausing event) and reports the stop; false with `error` when it cannot.
    bool travelTo(qsizetype events, const QString& reason, const QString& description, QString* error,
                  const QList<int>& hits = {});
    /// The breakpoint hits of the event whose state is after `events` events.
    QList<int> hitsAt(qsizetype events);
    /// The stop reason a breakpoint gives (`breakpoint`, `function breakpoint`, …).
    QString reasonFor(int id) const;
    /// Whether the event at `index` (of `task`, at `file`:`line`) is on a line its task was
    /// already at: its previous location event is on the same line. A line breakpoint stops
    /// once per arrival at its line, not at every event the line makes.
    bool sameVisit(qsizetype index, int task, const char* file, int line);
    /// A recorded event at `index` is a stop for a breakpoint (a line's only on arrival).
    bool historyHit(qsizetype index, const Event& e);
    /// The number of events up to the first machine step: where a recorded run starts.
    qsizetype startEvents();
    /// The latest event before the viewed state's last one that `hit` accepts, for its fields.
    std::optional<Event> lastEvent(const std::function<bool(const Event&)>& hit);
    /// The state shown: a past one after travelling, else the run's present.
    const SessionState& viewed() const { return m_past ? *m_past : m_session.state(); }
    /// How many events the viewed state has applied.
    qsizetype viewedEvents() const { return m_past ? m_pastEvents : qsizetype(m_session.state().eventCount()); }
    /// Paused at the present of a live run: the pause's own details apply to viewed().
    bool showsPause() const { return !m_past && m_session.showsPause(); }
    /// The id of an enabled breakpoint the recorded event hits, or 0.
    int breakpointHit(const Event& e) const;
    int addBreakpoint(const Breakpoint& b, const Meta& meta);
    void removeBreakpoints(Meta::Origin origin, const QString& path = {});
    QJsonObject threadJson(const SessionTask& t) const;
    /// The task a thread id names in the viewed state, or -1.
    int taskOf(const Args& a, const QString& field = QStringLiteral("threadId")) const;
    int viewedTask() const;
    void sendNewOutput();
    void sendThreadEvents();
    void endSession(int exitCode);
    bool canTravel(QString* why) const;

    Transport* m_io;
    int m_seq = 1;
    views::StudioSession m_session;
    views::RemoteRun m_run { &m_session };
    SourceLines m_sources;
    Variables m_vars;
    QString m_doeffRun;
    Mode m_mode = Mode::None;
    QJsonObject m_clientCaps;
    bool m_configured = false;
    bool m_stopOnEntry = false;
    bool m_atStart = false; ///< the run waits at its first pause for leaveStart()
    bool m_ended = false; ///< exited/terminated sent
    bool m_restarting = false;
    bool m_pauseAtStart = false; ///< a pause asked for before the run reached its first pause
    QPointer<QTimer> m_grace; ///< waits for the ended debuggee's last output

    quint64 m_lastPauseEvents = 0;
    quint64 m_pauses = 0;
    DebugAgent::Command m_moving = DebugAgent::Command::Continue; ///< the client's last live move
    QHash<int, Meta> m_meta; ///< by breakpoint id (RunController's)
    QHash<int, QString> m_sourceOf; ///< source breakpoints: id -> path
    qsizetype m_logsSent = 0;
    QSet<int> m_threadsStarted;
    QSet<int> m_threadsExited;
    struct FrameRef {
        int task = 0;
        int index = 0; ///< position in the task's K, bottom first
    };
    QList<FrameRef> m_frames; ///< frame id = index + 1, valid until the next stop
    std::shared_ptr<const SessionState> m_past; ///< the state travelled to, or null at the present
    qsizetype m_pastEvents = 0;
    int m_storeScope = 0;
    int m_envScope = 0;
};

} // namespace doeff::dap
