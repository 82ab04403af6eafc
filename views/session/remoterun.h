#pragma once

#include "runcontroller.h"

#include <doeff/inspectorclient.h>
#include <doeff/observer.h>

#include <QHash>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <optional>

namespace doeff::views {

/// How to start a debuggee.
struct RemoteLaunch {
    QString program; ///< the name the Studio shows for the run
    QString executable;
    QStringList arguments;
    QString workingDirectory; ///< empty: the Studio's
    /// Append `--inspect SOCKET` (doeff-run). Either way DOEFF_INSPECT names the socket.
    bool inspectArgument = false;
};

/// Runs a program in a child process under the inspector protocol (an InspectorClient per launch)
/// and feeds a StudioSession exactly as LiveRun does: the decoded events go to applyEvents(), each
/// Paused becomes a PausedState (without the agent's snapshots: the panes read the reduced state),
/// the Result becomes the session's result. A debuggee that crashes, is killed or exits without a
/// result ends the run with StudioSession::setLost() and runFailed(); the panes keep the last state
/// received. Stop asks the debuggee to stop and kills it when it has not ended after
/// stopGracePeriod(). Nothing here blocks the GUI thread.
class RemoteRun final : public RunController {
    Q_OBJECT
public:
    explicit RemoteRun(StudioSession* session, QObject* parent = nullptr); // session: not owned
    ~RemoteRun() override;

    /// Ends any current debuggee (killing it), then launches `launch`, which starts paused. False,
    /// with runFailed(), when the Studio cannot listen for it; a debuggee that cannot be started
    /// is reported by runFailed() too (possibly before this returns).
    bool start(const RemoteLaunch& launch);
    void restart() override;
    /// Sends Stop; kills the debuggee when it has not ended within stopGracePeriod() (at once when
    /// it never attached).
    void stop() override;
    /// Kills the debuggee, if any, and drops what it still sends.
    void shutdown() override;
    bool isRunning() const override { return m_running; }
    bool hasProgram() const override { return m_launch.has_value(); }
    void command(DebugAgent::Command c) override;
    void runToLine(const QString& file, int line) override;
    bool cancelTask(int task, QString* error) override;

    /// Milliseconds between Stop and killing a debuggee that has not ended (default 3000).
    void setStopGracePeriod(int ms) { m_stopTimer.setInterval(ms); }
    int stopGracePeriod() const { return m_stopTimer.interval(); }
    const std::optional<RemoteLaunch>& launch() const { return m_launch; }
    /// The current launch's client (null before the first launch).
    InspectorClient* client() const { return m_client; }
    /// The process id of the attached debuggee (0 before its hello).
    qint64 debuggeePid() const;
    /// How the last run ended when it ended without a result (empty otherwise).
    QString failure() const { return m_failure; }
    /// The id (as breakpoints() numbers them) of the breakpoint the latest pause hit, or -1.
    int pausedBreakpoint() const override;

protected:
    void armBreakpoint(const Breakpoint& b) override;
    void disarmBreakpoint(int id) override;
    void enableBreakpoint(int id, bool enabled) override;

private:
    void onAttached();
    void onEvents();
    void onPaused();
    void onResult();
    void onBreakpoints(quint64 tag, int result);
    void onFinished();
    void onStopTimeout();
    void refreshHits();
    /// Lets go of the current client: it is killed if its process runs and deletes itself.
    void releaseClient();

    QPointer<InspectorClient> m_client; // a child of this
    std::optional<RemoteLaunch> m_launch;
    bool m_running = false;
    bool m_everAttached = false;
    bool m_killedAfterStop = false;
    QString m_failure;
    Event m_lastEvent; // the latest event received (the pausing one at a pause)
    QTimer m_stopTimer;
    QHash<int, int> m_remoteIds; // studio id -> the debuggee's id
    struct PendingAdd {
        int studioId = 0;
        bool enabled = true;
    };
    QHash<quint64, PendingAdd> m_pendingAdds; // request tag -> what was asked
};

} // namespace doeff::views
