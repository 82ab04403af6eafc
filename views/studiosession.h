#pragma once

#include <doeff/agent.h>
#include <doeff/runtimeresult.h>
#include <doeff/session.h>

#include <QObject>
#include <QStringList>
#include <QTimer>

#include <optional>

namespace doeff::views {

enum class RunStatus : quint8 { Idle, Running, Paused, Finished, Loaded };

/// The GUI-side state of one debugging session: a SessionState reduced from the event stream,
/// the latest pause, the selected task and the run's result. Lives on the GUI thread; panes
/// read it when refreshed() fires (at most ~30 times a second while a run streams events, and
/// at once at every pause).
class StudioSession : public QObject {
    Q_OBJECT
public:
    explicit StudioSession(QObject* parent = nullptr);

    /// Forgets everything: a new run of `program` (or a loaded file) starts.
    void reset(const QString& program);
    // GUI thread only
    void applyEvents(const QList<Event>& events);
    void setPaused(const PausedState& state);
    void setResumed();
    /// The run ended (or a result file was opened: `loaded`).
    void setResult(const RuntimeResultBase& result, bool loaded = false);

    const SessionState& state() const { return m_state; }
    bool isPaused() const { return m_status == RunStatus::Paused && m_paused.has_value(); }
    /// The latest pause (valid while isPaused(); kept after resuming for reference).
    const std::optional<PausedState>& lastPause() const { return m_paused; }
    RunStatus status() const { return m_status; }
    QString statusText() const;
    QString programName() const { return m_program; }

    int selectedTask() const { return m_selectedTask; }
    void setSelectedTask(int task);
    /// Store/env keys written by the last step, and since the previous pause.
    QStringList changedKeys() const;

    bool hasResult() const { return m_result.has_value(); }
    const RuntimeResultBase& result() const { return *m_result; }
    /// `Ok(value)` / `Err(Type: message)`.
    QString resultSummary() const;

    /// The source location to show for the selected task: the pausing event's when it belongs
    /// to that task, else the task's innermost program frame. Empty file when none.
    QString currentFile() const;
    int currentLine() const;
    QString currentFunction() const;

    /// Emits refreshed() now (skipping the coalescing delay).
    void refreshNow();

Q_SIGNALS:
    void refreshed();
    void selectedTaskChanged(int task);
    void resultChanged();
    void statusChanged();

private:
    void scheduleRefresh();

    SessionState m_state;
    std::optional<PausedState> m_paused;
    std::optional<RuntimeResultBase> m_result;
    RunStatus m_status = RunStatus::Idle;
    QString m_program;
    int m_selectedTask = 0;
    QStringList m_changedSincePause;
    QTimer m_refreshTimer;
};

QString resultSummaryText(const RuntimeResultBase& result);

} // namespace doeff::views
