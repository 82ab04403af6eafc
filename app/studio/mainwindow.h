#pragma once

#include "whatif.h"

#include <doeff/library.h>
#include <doeff/observer.h>

#include <QFuture>
#include <QHash>
#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>

class QAction;
class QActionGroup;
class QLabel;
class QMenu;
class QFrame;
class QProgressBar;
class QStackedWidget;
class QTemporaryDir;
class QToolButton;

namespace doeff::views {
class BreakpointsPane;
class EffectTreePane;
class LiveRun;
class LogPane;
class RemoteRun;
class RunController;
class ProvenancePane;
class ResultPane;
class SearchPane;
class SourcePane;
class ExceptionBar;
class StackPane;
class StudioSession;
class TasksPane;
class EffectsPane;
class TimelinePane;
class ProblemsPane;
class WaitForPane;
class RunDiffPane;
class VariantPane;
class WatchPane;
class WelcomePage;
struct LoadedTrace;
enum class TraceFormat : quint8;
} // namespace doeff::views

namespace doeff::studio {

class ElidingLabel;

/// Doeff Studio's main window: the panes as docks around the source, the run controls, the
/// menus. Errors go to a message bar inside the window (never a blocking dialog).
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Launches a program paused at its first step: in a `doeff-run` child process when it is a
    /// built-in example or comes from a program library opened here (unless runsInProcess()),
    /// otherwise on a thread of this process.
    /// False when the user kept the live run (see setConfirmReplace()).
    bool openProgram(const ProgramInfo& info);
    /// A built-in example by name; false (with a message) when there is none.
    bool openExample(const QString& name);
    /// Launches `executable` (linked with libdoeff) with `arguments` under DOEFF_INSPECT, paused
    /// at its first step. False, with a message, when the file is not an executable.
    bool debugExecutable(const QString& executable, const QStringList& arguments, const QString& workingDirectory = {});
    /// Runs the program a trace recorded again on the inputs it recorded (`doeff-run --replay`,
    /// docs/replay.md), as a live run paused at its first step. False, with a message, when the
    /// file is not a trace or its program is neither an example nor a program of a library
    /// opened here, or when the user kept the live run.
    /// With `whatIf`, the replay makes that change at its step and runs on live from there
    /// (`doeff-run --what-if…`), and the title says what if.
    bool replayTrace(const QString& path, const WhatIfRequest* whatIf = nullptr);
    /// What if (docs/replay.md): replays the open trace, or the live run's events so far, up to
    /// `request.step`, makes the change there and runs on live, in a new window beside this one
    /// (branchOpened). This window and its run stay as they are. False, with a message, when
    /// the request is incomplete or the run's program is not one the Studio can start.
    bool whatIf(const WhatIfRequest& request);
    /// Run ▸ What If…: the dialog, filled in from `prefill` (the panes' context menus fill in
    /// the step, the task, the handler).
    void whatIfDialog(const WhatIfRequest& prefill);
    /// The branches opened from this window that are still open.
    QList<MainWindow*> branches() const;
    /// The names of the handler frames of every task at the viewed step.
    QStringList handlersOfTheRun() const;
    /// The handlers the library of `info` offers for what-ifs (HandlerOffer).
    QStringList offeredHandlers(const ProgramInfo* info) const;
    /// The program a what-if here would branch (its trace or live run is replayable), else
    /// null; `source` gets the trace file when the session is one.
    const ProgramInfo* branchableProgram(QString* source) const;
    /// Programs run in the Studio's process (a thread) instead of a child process. Default off;
    /// the Run menu's "Run in the Studio's Process" and `--in-process` set it.
    void setRunInProcess(bool inProcess);
    bool runsInProcess() const;
    /// The `doeff-run` launched for out-of-process runs (default: the one beside this executable,
    /// else the one of the build tree).
    void setDoeffRunPath(const QString& path) { m_doeffRunPath = path; }
    QString doeffRunPath() const;
    /// A program library (.so), a trace (.doefftrace) or a saved result, chosen by the file's kind.
    bool openFile(const QString& path);
    /// Whether openFile() opens `path` as a trace: in the background, answered later by
    /// traceOpened() or fileFailed(). Never blocks (a FIFO is not a trace).
    static bool isTraceFile(const QString& path);
    /// Loads a program library and starts `program` (default: its first program).
    bool openProgramLibrary(const QString& path, const QString& program = {});
    /// A saved result. `anyKind`: the file was opened as "any document", so a bad one is "not a
    /// doeff trace or result".
    bool openResult(const QString& path, bool anyKind = false);
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

    /// Restores geometry, dock layout and settings saved by a previous session (fitted to the
    /// screen when the saved geometry no longer fits it).
    void restoreSettings();
    /// Sizes and places the window inside its screen's available geometry (a default size of at
    /// most 1600×1000 device-independent pixels, less on a small or scaled screen).
    void fitToScreen();
    /// Help ▸ Reset Layout: every pane docked where it starts, visible, in the default proportions.
    void resetLayout();
    /// Help ▸ Keyboard Shortcuts: every menu command that has a key, as rows (command, keys).
    QList<std::pair<QString, QString>> shortcutList() const;

    /// Asked before a live run (running or paused) is replaced by another document or restarted:
    /// `program` is the live program, `what` says what would replace it ("open counter.doefftrace").
    /// True goes on (the run is stopped), false leaves everything as it was. The default asks
    /// with a message box "Stop <program> and <what>?".
    using ConfirmReplace = std::function<bool(const QString& program, const QString& what)>;
    void setConfirmReplace(ConfirmReplace confirm) { m_confirmReplace = std::move(confirm); }
    /// The hook new windows start with (tests answer without a dialog); empty: the message box.
    static void setDefaultConfirmReplace(ConfirmReplace confirm);
    /// A run is live: running or paused, not finished.
    bool isLive() const;
    /// The program a trace's or a result's "Run This Program Again" starts, if it is known here.
    const ProgramInfo* programToRunAgain() const;
    /// A program of an opened library, else a built-in example, by its library or display name.
    const ProgramInfo* programNamed(const QString& name) const;

    void showMessage(const QString& text, bool error = true);
    /// Goes to the newest step before the viewed one where an event is a `hit`, from the recorded
    /// history; says `none` (or why the history could not be read) when there is none.
    std::optional<quint64> goBackTo(const std::function<bool(const doeff::Event&)>& hit, const QString& none);
    /// Back to the previous step where an enabled breakpoint hit (the recorded history).
    void reverseContinue();
    /// Back to the last step before the viewed one at the line of Source's cursor.
    void runBackToCursor();
    /// Edit ▸ Find (Ctrl+F), Find Next (F3), Find Previous (Shift+F3): the Search dock.
    void find();
    void findNext();
    void findPrevious();
    QString messageText() const;

    views::StudioSession* session() const { return m_session; }
    /// The controller of the current (or last) run: liveRun() or remoteRun().
    views::RunController* run() const { return m_run; }
    views::LiveRun* liveRun() const { return m_liveRun; }
    views::RemoteRun* remoteRun() const { return m_remoteRun; }
    views::TasksPane* tasksPane() const { return m_tasks; }
    views::EffectsPane* effectsPane() const { return m_effects; }
    views::StackPane* stackPane() const { return m_stack; }
    views::VariantPane* storePane() const { return m_store; }
    views::VariantPane* envPane() const { return m_env; }
    views::WatchPane* watchPane() const { return m_watches; }
    views::EffectTreePane* effectTreePane() const { return m_tree; }
    views::LogPane* logPane() const { return m_log; }
    views::SourcePane* sourcePane() const { return m_source; }
    views::ExceptionBar* exceptionBar() const { return m_exceptionBar; }
    views::ResultPane* resultPane() const { return m_result; }
    views::BreakpointsPane* breakpointsPane() const { return m_breakpoints; }
    views::TimelinePane* timelinePane() const { return m_timeline; }
    views::SearchPane* searchPane() const { return m_search; }
    views::ProvenancePane* provenancePane() const { return m_provenance; }
    views::ProblemsPane* problemsPane() const { return m_problems; }
    views::WaitForPane* waitForPane() const { return m_waitFor; }
    views::RunDiffPane* runDiffPane() const { return m_runDiff; }
    /// Shown instead of the source while no program, trace or result is open.
    views::WelcomePage* welcomePage() const { return m_welcome; }
    bool isWelcomeShown() const;
    /// The user guide: installed beside the Studio, else the source tree's docs/guide.md.
    static QString guidePath();
    QString stepText() const;
    QString reasonText() const;
    QString runStatusText() const;

Q_SIGNALS:
    void traceOpened(const QString& path);
    /// A file could not be opened: `message` names the file and the problem.
    void fileFailed(const QString& path, const QString& message);
    /// An export ended; `error` is empty on success.
    void exportFinished(const QString& path, const QString& error);
    /// whatIf() opened `branch` (a top-level window of its own, deleted when closed).
    void branchOpened(doeff::studio::MainWindow* branch);

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void childEvent(QChildEvent* event) override;

private:
    // mainwindow.cpp
    void updateStatus();
    /// The default dock layout in proportion to the window's size.
    void applyDefaultProportions();
    /// true when nothing is live or the user agreed to stop it for `what`.
    bool confirmReplace(const QString& what);
    /// A new document is shown: messages and dialogs about the previous file go.
    void documentOpened();
    // actions.cpp
    void createActions();
    void updateActions();
    /// Run to Cursor: a live run paused at the present and a source file shown.
    void updateRunToCursor();

public:
    /// Opens the breakpoint dialog on breakpoint `id` (non-modal; applies on OK).
    void editBreakpoint(int id);
    /// The source margin's Add Logpoint…: the breakpoint dialog for a new logpoint on that line.
    void addLogpoint(const QString& file, int line);
    /// The effect names the dialog completes and accepts: the built-in ones and those the
    /// session has seen.
    QStringList knownEffectNames() const;
    /// The breakpoints are saved per program (QSettings, under `key`: a program's name, with its
    /// library's path, or an executable's path): switching to another program's key saves the
    /// current list and loads that program's.
    void useBreakpointsOf(const QString& key);
    QString breakpointsKey() const { return m_breakpointsKey; }

private:
    // docks.cpp
    void createDocks();
    /// Cells of the panes' tables and trees whose text is elided show it whole in a tooltip.
    void installElidedTextToolTips();
    /// The tabs of tabbed docks show their whole titles and scroll (the bottom group has nine
    /// panes: elided to "E…", "W…", none could be told apart). The dock layout makes its tab
    /// bars as it needs them, so this runs again whenever one is added.
    void keepDockTabTitlesWhole();
    // launch.cpp
    void debugExecutableDialog();
    void replayTraceDialog();
    bool startReplay(const QString& path, const WhatIfRequest* whatIf, const QStringList& runOptions);
    // whatif.cpp, tracejobs.cpp
    MainWindow* openBranch(const QString& trace, const WhatIfRequest& request, std::shared_ptr<QTemporaryDir> scratch);
    /// A live run's events written to a scratch trace on the thread pool, then openBranch().
    bool exportForBranch(const WhatIfRequest& request);
    /// Pane context menus: What If… at the effect, task or handler under the mouse.
    void addWhatIfMenus();
    /// What If… can branch the session (checked without reading any file).
    bool canBranch() const;
    /// The step a what-if starts at by default: the last effect at or before the viewed step.
    quint64 whatIfStep() const;
    /// `Divide(…) in task 0` when an effect was yielded at `step`, else empty.
    QString effectAtStep(quint64 step) const;
    void useRun(views::RunController* run);
    QStringList launchOptions(bool withRunner = true) const;
    // documents.cpp
    void openProgramLibraryDialog();
    void addLibraryMenu(const QString& title, const ProgramLibrary& library);
    void openResultDialog();
    void saveResultDialog();
    void addRecentFile(const QString& path);
    void rebuildRecentMenu();
    void reportFileError(const QString& title, const QString& path, const QString& message);
    // tracejobs.cpp
    void openTraceDialog();
    void exportTraceDialog(views::TraceFormat format);
    void finishTraceLoad(const std::shared_ptr<views::LoadedTrace>& trace);
    /// Runs `work` on the thread pool with progress in the status bar; `done` runs on the GUI
    /// thread unless the window is gone or a newer job replaced it.
    template<class R>
    void startJob(const QString& label, std::function<R(const std::function<bool(quint64, quint64)>&)> work,
                  std::function<void(const R&, bool cancelled)> done);
    void endJob();

    /// keepDockTabTitlesWhole() is due (childEvent). First of the members: the ones below make
    /// children of the window as they are initialised, and each child is announced to
    /// childEvent(), which reads this.
    bool m_tabBarsQueued = false;
    views::StudioSession* m_session;
    views::LiveRun* m_liveRun;
    views::RemoteRun* m_remoteRun;
    views::RunController* m_run; // the one of the current run: m_liveRun or m_remoteRun
    QString m_doeffRunPath;
    ConfirmReplace m_confirmReplace;
    QHash<const ProgramInfo*, QString> m_libraryOf; // program -> the library file it came from
    mutable QHash<const ProgramInfo*, QString> m_displayNames; // program -> its display name (traces use it)
    views::TasksPane* m_tasks = nullptr;
    views::EffectsPane* m_effects = nullptr;
    views::StackPane* m_stack = nullptr;
    views::VariantPane* m_store = nullptr;
    views::VariantPane* m_env = nullptr;
    views::WatchPane* m_watches = nullptr;
    views::EffectTreePane* m_tree = nullptr;
    views::LogPane* m_log = nullptr;
    views::SourcePane* m_source = nullptr;
    views::ExceptionBar* m_exceptionBar = nullptr;
    views::ResultPane* m_result = nullptr;
    views::BreakpointsPane* m_breakpoints = nullptr;
    views::TimelinePane* m_timeline = nullptr;
    views::SearchPane* m_search = nullptr;
    views::ProvenancePane* m_provenance = nullptr;
    views::ProblemsPane* m_problems = nullptr;
    views::WaitForPane* m_waitFor = nullptr;
    views::RunDiffPane* m_runDiff = nullptr;

    views::WelcomePage* m_welcome = nullptr;
    QStackedWidget* m_central = nullptr;
    QFrame* m_messageBar = nullptr;
    QLabel* m_messageLabel = nullptr;
    QLabel* m_stepLabel = nullptr;
    QLabel* m_reasonLabel = nullptr;
    ElidingLabel* m_statusLabel = nullptr;
    QLabel* m_jobLabel = nullptr;
    QProgressBar* m_progress = nullptr;
    /// A saved dock layout was restored (the default proportions then stay out of its way).
    bool m_layoutRestored = false;
    QByteArray m_defaultState; ///< the dock layout as built, for Reset Layout
    bool m_shownOnce = false;
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
    QAction* m_stepBack = nullptr;
    QAction* m_reverseContinue = nullptr;
    QAction* m_runToCursor = nullptr;
    QAction* m_runBackToCursor = nullptr;
    QString m_breakpointsKey;
    bool m_loadingBreakpoints = false;
    void saveBreakpoints();
    QAction* m_restart = nullptr;
    QAction* m_stop = nullptr;
    QAction* m_saveResult = nullptr;
    QAction* m_openTrace = nullptr;
    QAction* m_replayTrace = nullptr; // File ▸ Replay Trace…
    QAction* m_replayThis = nullptr; // Run ▸ Replay This Trace
    QAction* m_whatIf = nullptr; // Run ▸ What If…
    QList<QPointer<MainWindow>> m_branches;
    /// A branch of a live run: the scratch trace it replays (kept as long as this window).
    std::shared_ptr<QTemporaryDir> m_branchScratch;
    /// `--runner` / `--clock` the current run was launched with (a branch of it replays so).
    QStringList m_runLaunchOptions;
    QAction* m_compare = nullptr; // File ▸ Compare With… (docks.cpp)
    QList<QAction*> m_exportActions;
    QActionGroup* m_clockGroup = nullptr;
    QActionGroup* m_runnerGroup = nullptr;
    QAction* m_inProcess = nullptr;
};

} // namespace doeff::studio
