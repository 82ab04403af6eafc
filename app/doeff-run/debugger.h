#pragma once

#include <doeff/inspectorclient.h>

#include <QObject>
#include <QSocketNotifier>
#include <QStringList>
#include <QTextStream>
#include <QTimer>

#include <functional>

/// `doeff-run … --debug`: a gdb-like prompt on stdin/stdout over InspectorClient. The program
/// runs in a child process (doeff-run itself, without --debug, under DOEFF_INSPECT). Commands
/// that resume the program wait for the next pause (or the end) before the next line is run,
/// so a script fed on stdin is deterministic. The prompt is never held for good: a `quit` or
/// `pause` typed while a command waits runs at once if the wait is still pending after
/// interruptAfterMs, and `quit` kills a debuggee that has not stopped within killAfterMs.
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
    bool m_eof = false;
    bool m_ended = false;
    bool m_quitting = false;
    int m_status = 0;
};
