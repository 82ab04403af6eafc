#pragma once

#include "history.h"

#include <doeff/agent.h>
#include <doeff/runtimeresult.h>
#include <doeff/session.h>

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <optional>

namespace doeff::views {

class LiveHistory;
class StateHistory;
struct LoadedTrace;

/// Loaded: a saved result file; Trace: an opened trace file; Lost: the run ended without a result
/// (its process crashed, was killed or hung up; see failure()).
enum class RunStatus : quint8 { Idle, Running, Paused, Finished, Loaded, Trace, Lost };

/// What a logpoint logged when the run reached it (the Log pane shows it beside Tell).
struct LogpointMessage {
    quint64 step = 0;
    int task = -1;
    int breakpoint = 0; ///< the Studio's id
    QString text;
};

/// The GUI-side state of one debugging session: a SessionState reduced from the event stream,
/// the latest pause, the selected task and the run's result. Lives on the GUI thread; panes
/// read it when refreshed() fires (at most ~30 times a second while a run streams events, and
/// at once at every pause).
///
/// Time travel: a live run records its events in a LiveHistory, an opened trace reads its
/// TraceReader. goToStep() shows the state at a past step (state() then returns it while the
/// live state goes on in the background); goToPresent() returns. A new pause returns too.
class StudioSession : public QObject {
    Q_OBJECT
public:
    explicit StudioSession(QObject* parent = nullptr);
    ~StudioSession() override;

    /// Forgets everything: a new run of `program` (or a loaded file) starts.
    void reset(const QString& program);
    // GUI thread only
    void applyEvents(const QList<Event>& events);
    void setPaused(const PausedState& state);
    void setResumed();
    /// The run ended (or a result file was opened: `loaded`).
    void setResult(const RuntimeResultBase& result, bool loaded = false);
    /// The run ended without a result: `message` says how (exit status or signal, last stderr
    /// lines). The state stays the last one received.
    void setLost(const QString& message);
    /// Replaces the session with an opened trace (shown at its last step). Takes the reader.
    void openTrace(LoadedTrace& trace);

    /// The state shown: the one at the viewed step.
    const SessionState& state() const { return m_view ? *m_view : m_state; }
    /// The run's own state, at the present, whatever step is viewed.
    const SessionState& presentState() const { return m_state; }
    /// The run is paused (the step commands apply).
    bool isPaused() const { return m_status == RunStatus::Paused && m_paused.has_value(); }
    /// Paused and showing the present: pause details (pausing event, agent K) apply to state().
    bool showsPause() const { return isPaused() && !m_view; }
    /// The latest pause (valid while isPaused(); kept after resuming for reference).
    const std::optional<PausedState>& lastPause() const { return m_paused; }
    RunStatus status() const { return m_status; }
    QString statusText() const;
    QString programName() const { return m_program; }
    /// Renames the current run's program (a debuggee reports its real name once attached).
    void setProgramName(const QString& program);

    int selectedTask() const { return m_selectedTask; }
    void setSelectedTask(int task);
    /// Whether a pause selects the task that paused (on by default). Off, a pause keeps the
    /// user's selected task as long as it exists.
    bool followsRunningTask() const { return m_followRunning; }
    void setFollowRunningTask(bool follow) { m_followRunning = follow; }
    /// The shown location is where a task or the run ended (not a line about to run): the run
    /// finished, was lost, or the selected task is done.
    bool locationIsEnd() const;
    /// At the end of a failed run (or trace), showing its failing task: the Stack shows the
    /// result's K at the failing point (the task's own K is gone).
    bool showsFailingPoint() const;
    /// The failed result holds the failing task's store at the failing point (result files
    /// written before it was recorded hold only its keys).
    bool hasFailingPointStore() const;
    /// Store/env keys written by the last step, and since the previous pause.
    QStringList changedKeys() const;
    /// The current run's logpoint messages so far, in the order they were logged.
    const QList<LogpointMessage>& logpointMessages() const { return m_logpoints; }
    void addLogpointMessage(const LogpointMessage& message);

    /// A task's store and env before the viewed step (the state after the previous step), to
    /// show what the step changed. False when there is nothing to compare with: a live run
    /// running at the present, a result file, the failing point, step 0, or a task that did
    /// not exist yet.
    bool valuesBeforeView(int task, Store* store, Env* env) const;

    bool hasResult() const { return m_result.has_value(); }
    const RuntimeResultBase& result() const { return *m_result; }
    /// `Ok(value)` / `Err(Type: message)`.
    QString resultSummary() const;
    /// How a Lost run ended (empty otherwise).
    QString failure() const { return m_failure; }

    /// The source location to show for the selected task: the pausing event's when it belongs
    /// to that task, else the task's innermost program frame. Empty file when none.
    QString currentFile() const;
    int currentLine() const;
    QString currentFunction() const;

    /// Emits refreshed() now (skipping the coalescing delay).
    void refreshNow();

    // ---- time travel ---------------------------------------------------------------------
    /// The live run's or the trace's history; null for a result file or before any run.
    StateHistory* history() const { return m_history.get(); }
    /// The live run's recorded events (empty for traces and results); a cheap snapshot.
    EventLog liveEvents() const;
    /// The opened trace file (empty unless status() is Trace).
    QString traceFile() const { return m_traceFile; }
    /// Whether there is a run or a trace to export.
    bool canExportTrace() const;
    /// The last step there is (the present).
    quint64 presentStep() const;
    quint64 viewStep() const { return m_view ? m_viewStep : m_state.step(); }
    bool isAtPresent() const { return !m_view; }
    /// Shows the state at `step` (the present at or beyond presentStep()). False, with
    /// historyFailed(), when the state cannot be rebuilt (a corrupt trace block).
    bool goToStep(quint64 step);
    void goToPresent();

Q_SIGNALS:
    /// A new document (run, restart, trace or result) replaced the previous one: per-document
    /// view state (zoom, scroll, expansion) goes back to its default.
    void documentOpened();
    void refreshed();
    void selectedTaskChanged(int task);
    void resultChanged();
    void statusChanged();
    /// The viewed step changed (or the present moved on while it is viewed).
    void viewChanged();
    void historyFailed(const QString& message);

private:
    void scheduleRefresh();
    /// A failed run's result: its failing task becomes the selected one.
    void selectFailingTask();

    SessionState m_state;
    std::unique_ptr<StateHistory> m_history;
    LiveHistory* m_liveHistory = nullptr; // m_history while a live run is recorded
    std::shared_ptr<const SessionState> m_view; // a past state, or null at the present
    quint64 m_viewStep = 0;
    QString m_traceFile;
    std::optional<PausedState> m_paused;
    std::optional<RuntimeResultBase> m_result;
    QString m_failure;
    RunStatus m_status = RunStatus::Idle;
    QString m_program;
    int m_selectedTask = 0;
    bool m_followRunning = true;
    QStringList m_changedSincePause;
    QList<LogpointMessage> m_logpoints;
    QTimer m_refreshTimer;
    struct Before { // valuesBeforeView()'s last answer
        quint64 step = 0;
        quint64 events = 0;
        int task = -1;
        bool past = false;
        bool valid = false;
        bool known = false;
        Store store;
        Env env;
    };
    mutable Before m_before;
};

QString resultSummaryText(const RuntimeResultBase& result);

} // namespace doeff::views
