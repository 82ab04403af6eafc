#pragma once

#include <doeff/library.h>

#include <QFuture>
#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <memory>

class QAction;
class QActionGroup;
class QLabel;
class QMenu;
class QFrame;
class QProgressBar;
class QToolButton;

namespace doeff::views {
class BreakpointsPane;
class EffectTreePane;
class LiveRun;
class LogPane;
class ResultPane;
class SourcePane;
class StackPane;
class StudioSession;
class TasksPane;
class TimelinePane;
class VariantPane;
struct LoadedTrace;
enum class TraceFormat : quint8;
} // namespace doeff::views

namespace doeff::studio {

/// Doeff Studio's main window: the panes as docks around the source, the run controls, the
/// menus. Errors go to a message bar inside the window (never a blocking dialog).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Launches a program paused at its first step.
    void openProgram(const ProgramInfo& info);
    /// A built-in example by name; false (with a message) when there is none.
    bool openExample(const QString& name);
    /// A program library (.so), a trace (.doefftrace) or a saved result, chosen by the file's kind.
    bool openFile(const QString& path);
    bool openProgramLibrary(const QString& path);
    bool openResult(const QString& path);
    bool saveResult(const QString& path);
    /// Opens and indexes a trace on a worker thread (progress in the status bar); the session is
    /// replaced when it is ready (traceOpened), and left as it was when the file is bad
    /// (fileFailed, plus a message box). False when another load or export is running.
    bool openTrace(const QString& path);
    /// Writes the live run's events or the opened trace to `path` on a worker thread
    /// (exportFinished). False when there is nothing to export or a job is running.
    bool exportTrace(views::TraceFormat format, const QString& path);
    /// A load or an export is running.
    bool isBusy() const { return m_job.isRunning(); }
    void cancelJob();

    /// Restores geometry, dock layout and settings saved by a previous session.
    void restoreSettings();

    void showMessage(const QString& text, bool error = true);
    QString messageText() const;

    views::StudioSession* session() const { return m_session; }
    views::LiveRun* liveRun() const { return m_run; }
    views::TasksPane* tasksPane() const { return m_tasks; }
    views::StackPane* stackPane() const { return m_stack; }
    views::VariantPane* storePane() const { return m_store; }
    views::VariantPane* envPane() const { return m_env; }
    views::EffectTreePane* effectTreePane() const { return m_tree; }
    views::LogPane* logPane() const { return m_log; }
    views::SourcePane* sourcePane() const { return m_source; }
    views::ResultPane* resultPane() const { return m_result; }
    views::BreakpointsPane* breakpointsPane() const { return m_breakpoints; }
    views::TimelinePane* timelinePane() const { return m_timeline; }
    QString stepText() const;
    QString reasonText() const;
    QString runStatusText() const;

Q_SIGNALS:
    void traceOpened(const QString& path);
    /// A file could not be opened: `message` names the file and the problem.
    void fileFailed(const QString& path, const QString& message);
    /// An export ended; `error` is empty on success.
    void exportFinished(const QString& path, const QString& error);

protected:
    void closeEvent(QCloseEvent* event) override;

private:
    void createActions();
    void createDocks();
    void updateActions();
    void updateStatus();
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void addLibraryMenu(const QString& title, const ProgramLibrary& library);
    void openProgramLibraryDialog();
    void openResultDialog();
    void saveResultDialog();
    void openTraceDialog();
    void exportTraceDialog(views::TraceFormat format);
    void reportFileError(const QString& title, const QString& path, const QString& message);
    void finishTraceLoad(const std::shared_ptr<views::LoadedTrace>& trace);
    /// Runs `work` on the thread pool with progress in the status bar; `done` runs on the GUI
    /// thread unless the window is gone or a newer job replaced it.
    template<class R>
    void startJob(const QString& label, std::function<R(const std::function<bool(quint64, quint64)>&)> work,
                  std::function<void(const R&, bool cancelled)> done);
    void endJob();

    views::StudioSession* m_session;
    views::LiveRun* m_run;
    views::TasksPane* m_tasks = nullptr;
    views::StackPane* m_stack = nullptr;
    views::VariantPane* m_store = nullptr;
    views::VariantPane* m_env = nullptr;
    views::EffectTreePane* m_tree = nullptr;
    views::LogPane* m_log = nullptr;
    views::SourcePane* m_source = nullptr;
    views::ResultPane* m_result = nullptr;
    views::BreakpointsPane* m_breakpoints = nullptr;
    views::TimelinePane* m_timeline = nullptr;

    QFrame* m_messageBar = nullptr;
    QLabel* m_messageLabel = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_reasonLabel = nullptr;
    QLabel* m_statusLabel = nullptr;
    QLabel* m_jobLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    QToolButton* m_cancelJob = nullptr;
    QFuture<void> m_job; // the running load or export (its result goes through its watcher)
    quint64 m_jobGeneration = 0;

    QMenu* m_programMenu = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMenu* m_viewMenu = nullptr;
    QAction* m_continue = nullptr;
    QAction* m_pause = nullptr;
    QAction* m_stepInto = nullptr;
    QAction* m_stepOver = nullptr;
    QAction* m_stepOut = nullptr;
    QAction* m_stepEffect = nullptr;
    QAction* m_restart = nullptr;
    QAction* m_stop = nullptr;
    QAction* m_saveResult = nullptr;
    QAction* m_openTrace = nullptr;
    QList<QAction*> m_exportActions;
    QActionGroup* m_clockGroup = nullptr;
};

} // namespace doeff::studio
