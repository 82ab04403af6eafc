#pragma once

#include <doeff/inspectorclient.h>
#include <doeff/session.h>

#include <QHash>
#include <QObject>
#include <QSocketNotifier>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <functional>
#include <optional>

/// `doeff-run … --debug`: a gdb-like prompt on stdin/stdout over InspectorClient. The program
/// runs in a child process (doeff-run itself, without --debug, under DOEFF_INSPECT). Commands
/// that resume the program wait for the next pause (or the end) before the next line is run,
/// so a script fed on stdin is deterministic. The prompt is never held for good: a `quit` or
/// `pause` typed while a command waits runs at once if the wait is still pending after
/// interruptAfterMs, and `quit` kills a debuggee that has not stopped within killAfterMs.
///
/// On a terminal the prompt is a line editor (libedit: arrow keys, history, Ctrl+R), and an
/// empty line repeats the last command, as in gdb. From a pipe every command is echoed, so that
/// a transcript of a script reads like a session.
class TerminalDebugger final : public QObject {
public:
    TerminalDebugger(QTextStream& out, QTextStream& err);

    /// Starts `executable arguments` as the debuggee; 2 when it cannot.
    int start(const QString& executable, const QStringList& arguments);
    /// The exit status once the prompt ends: the debuggee's (0 when it did not end).
    int exitStatus() const { return m_status; }
    /// Called when the prompt ends (quit, end of input).
    std::function<void(int)> done;

    static constexpr int interruptAfterMs = 2000;
    static constexpr int killAfterMs = 3000;
    /// Events kept for `goto` into the past; a longer run can go back only this far.
    static constexpr qsizetype historyLimit = 2'000'000;

    ~TerminalDebugger() override;

private:
    void readInput();
    void processNext();
    void execute(const QString& line);
    void waitFor(const QString& what);
    void interrupt();
    void quit();
    void prompt();
    void printPause();
    void printFinished();
    void printTasks();
    void printStack(const QString& arg);
    void printStore();
    void printEnv();
    void printTree();
    void printLog();
    void printHelp();
    void addBreakpoint(const QString& arg, bool watch);
    /// Resumes the program with `move` (continue or a step).
    void sendMove(doeff::DebugAgent::Command move);
    void addLogpoint(const QString& arg); ///< `log <where> <message>`
    QString
    logText(const QString& message) const; ///< the message with `{store.K}`, `{env.K}`, `{task}`, `{step}` filled
    void changeBreakpoint(const QString& cmd, const QString& arg);
    void printBreakpoints();
    void printValue(const QString& arg);
    void goTo(const QString& arg);
    /// `back` (one step before the one shown) and `rcontinue` (the previous breakpoint hit).
    void goBack(bool oneStep);
    void keepEvents();
    /// The state the view commands show: the past step `goto` went to, else the live one.
    const doeff::SessionState& viewed() const { return m_viewed ? *m_viewed : m_client.session(); }
    void editLine(); ///< on a terminal: show the prompt and edit the next line
    static void lineEdited(char* line);
    void finish(int status);
    bool needAttached();

    QTextStream& m_out;
    QTextStream& m_err;
    doeff::InspectorClient m_client;
    QSocketNotifier* m_stdin = nullptr;
    QByteArray m_partial;
    QStringList m_lines;
    QString m_waiting; ///< what a command waits for (`pause`, `breakpoint`), or empty
    QTimer m_interrupt; ///< a `quit`/`pause` queued behind a wait runs when this fires
    QTimer m_kill; ///< after quit's Stop: the debuggee did not end, kill it
    bool m_tty = false; ///< stdin and stdout are a terminal: line editing, no echo
    bool m_editing = false; ///< the line editor owns the terminal
    QString m_lastCommand; ///< what an empty line repeats (on a terminal)
    QString m_breakpointAction; ///< what the pending breakpoint request does, for its answer
    int m_breakpointId = 0;
    QString m_pendingLog; ///< the message of the logpoint being added
    QHash<int, QString> m_logMessages; ///< breakpoint id → message: a hit prints it and goes on
    QList<doeff::Event> m_history; ///< every event so far (up to historyLimit), for `goto`
    quint64 m_historyDropped = 0;
    std::optional<doeff::SessionState> m_viewed; ///< the past step `goto` shows
    quint64 m_gotoStep = 0; ///< `goto` ahead: step into until this step
    bool m_eof = false;
    bool m_ended = false;
    bool m_quitting = false;
    int m_status = 0;
    /// The last command that resumed the program: a logpoint's hit goes on with it.
    doeff::DebugAgent::Command m_lastMove = doeff::DebugAgent::Command::Continue;
};
