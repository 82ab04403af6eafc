// `doeff-run … --debug`, the terminal debugger: from a pipe (a script, as the transcript shows
// it) and on a real terminal (a pseudo-terminal: line editing, history, Enter repeating the last
// step, each command shown once).

#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

using namespace Qt::StringLiterals;

namespace {

constexpr int timeoutMs = 60000; // only turns a hang into a failure
const QString doeffRun = QStringLiteral(DOEFF_RUN_PATH);

/// Runs `doeff-run arguments` with `script` on stdin; its stdout and exit status.
std::pair<QString, int> runScript(const QStringList& arguments, const QByteArray& script)
{
    QProcess p;
    p.start(doeffRun, arguments);
    p.write(script);
    p.closeWriteChannel();
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished();
    }
    return { QString::fromUtf8(p.readAllStandardOutput()), p.exitCode() };
}

/// The steps of every "Paused (…) at step N" line, in order.
QList<int> pausedSteps(const QString& out)
{
    static const QRegularExpression paused(u"Paused \\([^)]*\\) at step (\\d+)"_s);
    QList<int> steps;
    for (auto it = paused.globalMatch(out); it.hasNext();)
        steps.append(it.next().captured(1).toInt());
    return steps;
}

/// doeff-run on a pseudo-terminal, as a person at a terminal runs it.
class Terminal {
public:
    explicit Terminal(const QStringList& arguments)
    {
        m_pid = forkpty(&m_master, nullptr, nullptr, nullptr);
        if (m_pid == 0) {
            QList<QByteArray> args { doeffRun.toLocal8Bit() };
            for (const QString& a : arguments)
                args.append(a.toLocal8Bit());
            std::vector<char*> argv;
            for (QByteArray& a : args)
                argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
    }
    ~Terminal()
    {
        if (m_pid > 0 && !m_exited) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
        if (m_master >= 0) ::close(m_master);
    }
    bool started() const { return m_pid > 0; }
    void type(const QByteArray& keys) { (void)::write(m_master, keys.constData(), keys.size()); }
    /// Reads until the output since the last call contains `needle` (or the deadline passes).
    QByteArray readUntil(const QByteArray& needle)
    {
        QByteArray got;
        QDeadlineTimer deadline(timeoutMs);
        while (!got.contains(needle) && !deadline.hasExpired()) {
            pollfd fd { m_master, POLLIN, 0 };
            if (::poll(&fd, 1, int(std::min<qint64>(deadline.remainingTime(), 1000))) <= 0) continue;
            char buffer[4096];
            const ssize_t n = ::read(m_master, buffer, sizeof buffer);
            if (n <= 0) break; // the other side closed
            got.append(buffer, n);
        }
        m_all += got;
        return got;
    }
    /// The exit status once the program has ended (-1 when it did not).
    int waitForExit()
    {
        readUntil("\x04never"); // drain until the terminal closes
        int status = 0;
        if (::waitpid(m_pid, &status, 0) != m_pid) return -1;
        m_exited = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    const QByteArray& all() const { return m_all; }

private:
    pid_t m_pid = -1;
    int m_master = -1;
    bool m_exited = false;
    QByteArray m_all;
};

} // namespace

class TestTerminalDebugger : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // `next` after `step` moves on: the steps reported only grow (it reported the same step twice)
    void nextAfterStepMovesOn()
    {
        const auto [out, status] = runScript({ u"count_to_three"_s, u"--debug"_s }, "step\nnext\nnext\nnext\nquit\n");
        const QList<int> steps = pausedSteps(out);
        QCOMPARE(steps.size(), 5); // start, step, three nexts
        for (qsizetype i = 1; i < steps.size(); ++i)
            QVERIFY2(steps.at(i) > steps.at(i - 1), qPrintable(out));
        // the first `next` from the line about to Get stops at the next line's effect
        QVERIFY2(out.contains(u"Paused (step over) at step 4, task 0, counter_main at "_s), qPrintable(out));
        Q_UNUSED(status);
    }

    // Where a coroutine handler's handling is on top (no program frame: its site's frames are in
    // the handling's continuation), a pause names the handling and the line of the effect it
    // handles instead of no place at all; `finish` out of the handler's program stops back in
    // the program at that line.
    void aPauseAtAHandlingSaysWhatItHandles()
    {
        const auto [out, status]
            = runScript({ u"audit_log"_s, u"--debug"_s }, "step\nstep\nstep\nstep\nfinish\nquit\n");
        static const QRegularExpression handling(
            u"Paused \\(step\\) at step 3, task 0, handling: effect=Tell\\('job started'\\) handler=audit_log, "
            "performed by custom_log_handler_main at [^\\n]*handlers\\.cpp:(\\d+)\\n"_s);
        const QRegularExpressionMatch m = handling.match(out);
        QVERIFY2(m.hasMatch(), qPrintable(out));
        const QString line = m.captured(1);
        QVERIFY2(out.contains(u"Paused (step out) at step "_s) && out.contains(u"custom_log_handler_main at "_s),
                 qPrintable(out));
        static const QRegularExpression finished(u"Paused \\(step out\\) at step \\d+, task 0, "
                                                 "custom_log_handler_main at [^\\n]*handlers\\.cpp:(\\d+)\\n"_s);
        const QRegularExpressionMatch f = finished.match(out);
        QVERIFY2(f.hasMatch(), qPrintable(out));
        QCOMPARE(f.captured(1), line);
        Q_UNUSED(status);
    }

    // `quit` stops the program and says so, without printing the stopped run as an error
    void quitSaysItStopped()
    {
        const auto [out, status] = runScript({ u"count_to_three"_s, u"--debug"_s }, "step\nquit\n");
        QVERIFY2(out.contains(u"Stopped the program at step 2.\n"_s), qPrintable(out));
        QVERIFY2(!out.contains(u"RunAbortedError"_s), qPrintable(out));
        QVERIFY2(!out.contains(u"Root Cause"_s), qPrintable(out));
        QCOMPARE(status, 1); // the program's status: its run was aborted
    }

    void breakpointsAreListedDisabledAndDeleted()
    {
        const auto [out, status] = runScript({ u"count_to_three"_s, u"--debug"_s },
                                             "break Put\n"
                                             "break Get\n"
                                             "info breakpoints\n"
                                             "disable 2\n"
                                             "continue\n"
                                             "delete 1\n"
                                             "breakpoints\n"
                                             "delete 7\n"
                                             "continue\n");
        QVERIFY2(out.contains(
                     u"Num  Enabled  Hits  What\n1    yes      0     effect Put\n2    yes      0     effect Get\n"_s),
                 qPrintable(out));
        QVERIFY2(out.contains(u"Disabled breakpoint 2.\n"_s), qPrintable(out));
        // the disabled Get does not stop the run; the Put does
        QVERIFY2(out.contains(u"Paused (breakpoint 1: effect Put)"_s), qPrintable(out));
        QVERIFY2(!out.contains(u"Paused (breakpoint 2"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Deleted breakpoint 1.\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"2    no       0     effect Get\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"No breakpoint 7.\n"_s), qPrintable(out));
        // with no breakpoint left enabled, the run ends
        QVERIFY2(out.contains(u"Ok(3)"_s), qPrintable(out));
        QCOMPARE(status, 0);
    }

    // `log <where> <message>`: each hit prints the message with the state at the pause filled in,
    // and the run goes on without stopping the prompt's wait
    void logpointsPrintAndGoOn()
    {
        const auto [out, status] = runScript({ u"count_to_three"_s, u"--debug"_s },
                                             "log Put counter={store.counter} task={task}\n"
                                             "info breakpoints\n"
                                             "log Put\n"
                                             "continue\n");
        QVERIFY2(out.contains(u"Logpoint 1: effect Put\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"effect Put, log: counter={store.counter} task={task}\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"usage: log <"_s), qPrintable(out));
        QVERIFY2(out.contains(u"log: counter=0 task=0\nlog: counter=1 task=0\nlog: counter=2 task=0\nOk(3)"_s),
                 qPrintable(out));
        QCOMPARE(pausedSteps(out).size(), 1); // only the start: a logpoint never shows a pause
        QCOMPARE(status, 0);
    }

    void printShowsStoreAndEnvValues()
    {
        const auto [out, status] = runScript({ u"greet_and_log"_s, u"--debug"_s, u"--store"_s, u"visits=7"_s },
                                             "print visits\n"
                                             "p env.name\n"
                                             "print name\n"
                                             "print store.name\n"
                                             "print\n"
                                             "quit\n");
        QVERIFY2(out.contains(u"visits = 7\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"env.name = 'World'\n"_s), qPrintable(out));
        QCOMPARE(out.count(u"env.name = 'World'\n"_s), 2); // a bare key falls back to the env
        QVERIFY2(out.contains(u"No store key 'name' in task 0.\n"_s), qPrintable(out));
        QVERIFY2(out.contains(u"usage: print"_s), qPrintable(out));
        Q_UNUSED(status);
    }

    // `goto` runs ahead to a step, shows an earlier one with the state it had, and comes back
    void gotoTravelsAndComesBack()
    {
        const auto [out, status] = runScript({ u"count_to_three"_s, u"--debug"_s },
                                             "goto 9\n"
                                             "print counter\n"
                                             "goto 3\n"
                                             "print counter\n"
                                             "goto\n"
                                             "print counter\n"
                                             "quit\n");
        QVERIFY2(out.contains(u"Paused (step) at step 9"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Viewing step 3 (the program is at step 9; 'goto' alone comes back)"_s),
                 qPrintable(out));
        QVERIFY2(out.contains(u"At the present: step 9.\n"_s), qPrintable(out));
        // the value at step 9, at step 3, and at step 9 again
        static const QRegularExpression values(u"counter = (\\d+)\n"_s);
        QStringList seen;
        for (auto it = values.globalMatch(out); it.hasNext();)
            seen.append(it.next().captured(1));
        QCOMPARE(seen.size(), 3);
        QCOMPARE(seen.at(0), seen.at(2));
        QVERIFY2(seen.at(1).toInt() < seen.at(0).toInt(), qPrintable(out));
        Q_UNUSED(status);
    }

    // On a terminal: each command appears once, the Up arrow recalls the last one (no `^[[A`),
    // an empty line repeats the last step.
    void aTerminalEditsLinesWithHistory()
    {
        Terminal t({ u"count_to_three"_s, u"--debug"_s });
        QVERIFY(t.started());
        QVERIFY(t.readUntil("(doeff) ").contains("Paused (start) at step 1"));
        t.type("step\r");
        const QByteArray first = t.readUntil("(doeff) ");
        QVERIFY2(first.contains("Paused (step) at step 2"), first.constData());
        QCOMPARE(first.count("step\r\n"), 1); // typed once, not echoed again
        t.type("\x1b[A\r"); // Up, Enter: `step` again from the history
        const QByteArray second = t.readUntil("(doeff) ");
        QVERIFY2(second.contains("Paused (step) at step 3"), second.constData());
        QVERIFY2(!second.contains("^["), second.constData());
        t.type("\r"); // Enter alone repeats it
        const QByteArray third = t.readUntil("(doeff) ");
        QVERIFY2(third.contains("Paused (step) at step 4"), third.constData());
        t.type("quit\r");
        QVERIFY(t.readUntil("Stopped the program").contains("Stopped the program at step 4."));
        QCOMPARE(t.waitForExit(), 1);
    }
};

QTEST_GUILESS_MAIN(TestTerminalDebugger)
#include "tst_terminal_debugger.moc"
