#include "debugger.h"

#include <doeff/value.h>

#include <QCoreApplication>

#include <algorithm>

#include <unistd.h>

using namespace Qt::StringLiterals;
using doeff::Breakpoint;
using doeff::InspectorClient;

namespace {
/// Commands that may overtake a wait that does not end (the debuggee does not answer).
bool interrupts(const QString& line)
{
    const QString cmd = line.trimmed();
    return cmd == u"quit"_s || cmd == u"q"_s || cmd == u"pause"_s;
}
} // namespace

TerminalDebugger::TerminalDebugger(QTextStream& out, QTextStream& err)
    : m_out(out)
    , m_err(err)
{
    m_interrupt.setSingleShot(true);
    m_interrupt.setInterval(interruptAfterMs);
    connect(&m_interrupt, &QTimer::timeout, this, &TerminalDebugger::interrupt);
    m_kill.setSingleShot(true);
    m_kill.setInterval(killAfterMs);
    connect(&m_kill, &QTimer::timeout, this, [this] {
        if (m_ended) return;
        m_out << "The program did not stop within " << killAfterMs << " ms; killing it.\n";
        m_out.flush();
        m_client.kill();
    });
    connect(&m_client, &InspectorClient::outputReceived, this, [this](const QString& text) {
        m_out << text;
        m_out.flush();
    });
    connect(&m_client, &InspectorClient::errorOutputReceived, this, [this](const QString& text) {
        m_err << text;
        m_err.flush();
    });
    connect(&m_client, &InspectorClient::paused, this, [this] {
        printPause();
        if (m_waiting == u"pause"_s) m_waiting.clear();
        prompt();
        processNext();
    });
    connect(&m_client, &InspectorClient::breakpointsChanged, this, [this](quint64, int id) {
        if (m_waiting != u"breakpoint"_s) return;
        for (const Breakpoint& b : m_client.breakpoints())
            if (b.id == id) m_out << "Breakpoint " << id << ": " << b.describe() << '\n';
        m_waiting.clear();
        prompt();
        processNext();
    });
    connect(&m_client, &InspectorClient::errorOccurred, this, [this](const QString& message) {
        m_out << "error: " << message << '\n';
        m_out.flush();
    });
    connect(&m_client, &InspectorClient::finished, this, [this] {
        printFinished();
        m_status = m_client.crashed() ? 2 : m_client.exitCode();
        m_ended = true;
        if (m_quitting) return finish(m_status);
        m_waiting.clear();
        prompt();
        processNext();
    });
}

int TerminalDebugger::start(const QString& executable, const QStringList& arguments)
{
    if (!m_client.launch(executable, arguments)) {
        m_err << "doeff-run: " << m_client.errorString() << '\n';
        return 2;
    }
    m_waiting = u"pause"_s; // the debuggee starts paused
    m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_stdin, &QSocketNotifier::activated, this, &TerminalDebugger::readInput);
    return 0;
}

void TerminalDebugger::readInput()
{
    char buffer[4096];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
        m_stdin->setEnabled(false);
        m_eof = true;
        if (!m_partial.isEmpty()) m_lines.append(QString::fromLocal8Bit(m_partial));
        m_partial.clear();
    } else {
        m_partial.append(buffer, n);
        qsizetype nl;
        while ((nl = m_partial.indexOf('\n')) >= 0) {
            m_lines.append(QString::fromLocal8Bit(m_partial.left(nl)));
            m_partial.remove(0, nl + 1);
        }
    }
    processNext();
}

void TerminalDebugger::processNext()
{
    while (m_waiting.isEmpty() && !m_lines.isEmpty() && !m_quitting)
        execute(m_lines.takeFirst());
    if (m_waiting.isEmpty() || m_quitting)
        m_interrupt.stop();
    else if (!m_interrupt.isActive() && std::any_of(m_lines.cbegin(), m_lines.cend(), interrupts))
        m_interrupt.start(); // a script's order is kept unless the wait does not end
    if (m_waiting.isEmpty() && m_lines.isEmpty() && m_eof && !m_quitting) {
        // end of input: like `quit`
        execute(u"quit"_s);
    }
}

void TerminalDebugger::prompt()
{
    m_out << "(doeff) ";
    m_out.flush();
}

void TerminalDebugger::waitFor(const QString& what)
{
    m_waiting = what;
}

void TerminalDebugger::interrupt()
{
    if (m_waiting.isEmpty() || m_quitting) return;
    const auto it = std::find_if(m_lines.begin(), m_lines.end(), interrupts);
    if (it == m_lines.end()) return;
    const QString line = *it;
    m_lines.erase(it);
    m_out << "\n(no answer from the program for " << interruptAfterMs << " ms)\n";
    // `pause` asks again and keeps waiting; `quit` ends the wait with the debuggee
    execute(line);
    processNext();
}

void TerminalDebugger::quit()
{
    m_quitting = true;
    m_interrupt.stop();
    if (m_ended) return finish(m_status);
    // ask first (the run ends with RunAbortedError), kill when it does not answer
    if (!m_client.isAttached() || !m_client.stop()) m_client.kill();
    m_kill.start();
}

bool TerminalDebugger::needAttached()
{
    if (m_client.isAttached()) return true;
    m_out << (m_ended ? "The program is not being run.\n" : "The program is running; wait for it to pause.\n");
    prompt();
    return false;
}

void TerminalDebugger::execute(const QString& input)
{
    const QString line = input.trimmed();
    m_out << line << '\n'; // echo, so that a transcript of a script reads like a session
    const qsizetype space = line.indexOf(u' ');
    const QString cmd = space < 0 ? line : line.left(space);
    const QString arg = space < 0 ? QString() : line.mid(space + 1).trimmed();
    if (cmd.isEmpty()) return prompt();
    auto resume = [this](bool (InspectorClient::*fn)()) {
        if (!needAttached()) return;
        if (!m_client.isPaused()) {
            m_out << "The program is running; use 'pause' first.\n";
            return prompt();
        }
        (m_client.*fn)();
        waitFor(u"pause"_s);
    };
    if (cmd == u"step"_s || cmd == u"s"_s) return resume(&InspectorClient::stepInto);
    if (cmd == u"next"_s || cmd == u"n"_s) return resume(&InspectorClient::stepOver);
    if (cmd == u"finish"_s) return resume(&InspectorClient::stepOut);
    if (cmd == u"continue"_s || cmd == u"c"_s) return resume(&InspectorClient::continueRun);
    if (cmd == u"effect"_s || cmd == u"e"_s) return resume(&InspectorClient::stepEffect);
    if (cmd == u"pause"_s) {
        if (!needAttached()) return;
        m_client.pause();
        return waitFor(u"pause"_s);
    }
    if (cmd == u"break"_s || cmd == u"b"_s) return addBreakpoint(arg, false);
    if (cmd == u"watch"_s) return addBreakpoint(arg, true);
    if (cmd == u"quit"_s || cmd == u"q"_s) return quit();
    if (cmd == u"tasks"_s)
        printTasks();
    else if (cmd == u"stack"_s || cmd == u"bt"_s)
        printStack(arg);
    else if (cmd == u"store"_s)
        printStore();
    else if (cmd == u"env"_s)
        printEnv();
    else if (cmd == u"tree"_s)
        printTree();
    else if (cmd == u"log"_s)
        printLog();
    else if (cmd == u"help"_s || cmd == u"h"_s)
        printHelp();
    else
        m_out << "Unknown command '" << cmd << "'. Try 'help'.\n";
    prompt();
}

void TerminalDebugger::addBreakpoint(const QString& arg, bool watch)
{
    if (!needAttached()) return;
    Breakpoint b;
    if (arg.isEmpty()) {
        m_out << (watch ? "usage: watch <store-key>\n" : "usage: break <effect-type|file:line|error|spawn>\n");
        return prompt();
    }
    if (watch) {
        b.kind = Breakpoint::Kind::StoreKey;
        b.pattern = arg;
    } else if (arg == u"error"_s) {
        b.kind = Breakpoint::Kind::Error;
    } else if (arg == u"spawn"_s) {
        b.kind = Breakpoint::Kind::TaskSpawn;
    } else if (const qsizetype colon = arg.lastIndexOf(u':'); colon > 0) {
        bool ok = false;
        b.line = arg.mid(colon + 1).toInt(&ok);
        if (!ok || b.line <= 0) {
            m_out << "Bad line number in '" << arg << "'.\n";
            return prompt();
        }
        b.kind = Breakpoint::Kind::SourceLine;
        b.file = arg.left(colon);
    } else {
        // `Get`, or `Put key=k` with a field condition
        b.kind = Breakpoint::Kind::Effect;
        const qsizetype space = arg.indexOf(u' ');
        b.pattern = space < 0 ? arg : arg.left(space);
        if (space > 0) b.condition = arg.mid(space + 1).trimmed();
    }
    if (m_client.addBreakpoint(b) == 0) {
        m_out << "Cannot set a breakpoint now.\n";
        return prompt();
    }
    waitFor(u"breakpoint"_s);
}

void TerminalDebugger::printPause()
{
    const doeff::InspectorPause& p = m_client.lastPause();
    m_out << "Paused (" << p.reason << ") at step " << p.step << ", task " << p.task;
    if (!p.file.isEmpty()) m_out << ", " << p.function << " at " << p.file << ':' << p.line;
    m_out << '\n';
    if (const doeff::SessionTask* t = m_client.session().task(p.task); t && !t->currentEffect.isEmpty())
        m_out << "  last effect: " << t->currentEffect << '\n';
    m_out.flush();
}

void TerminalDebugger::printFinished()
{
    m_out << m_client.finishSummary() << '\n';
    m_out.flush();
}

void TerminalDebugger::printTasks()
{
    for (const doeff::SessionTask& t : m_client.session().tasks()) {
        m_out << "task " << t.id << " '" << t.name << "' " << doeff::taskStateCodeName(t.state);
        if (!t.waitsOn.isEmpty()) m_out << ", waits on " << t.waitsOn;
        if (!t.outcome.isEmpty()) m_out << ", " << t.outcome;
        m_out << ", " << t.steps << " steps\n";
    }
}

void TerminalDebugger::printStack(const QString& arg)
{
    int task = m_client.session().currentTask();
    if (!arg.isEmpty()) {
        bool ok = false;
        task = arg.toInt(&ok);
        if (!ok) {
            m_out << "usage: stack [task]\n";
            return;
        }
    }
    if (!m_client.session().task(task)) {
        m_out << "No task " << task << ".\n";
        return;
    }
    doeff::KStackTrace k;
    k.frames = m_client.session().k(task);
    m_out << "task " << task << ":\n" << (k.isEmpty() ? u"(empty K)"_s : k.format()) << '\n';
}

void TerminalDebugger::printStore()
{
    const int task = std::max(0, m_client.session().currentTask());
    const doeff::Store store = m_client.session().store(task);
    if (store.entries().isEmpty()) m_out << "(empty store)\n";
    for (const auto& [key, value] : store.entries())
        m_out << key << " = " << doeff::repr(value) << '\n';
}

void TerminalDebugger::printEnv()
{
    const int task = std::max(0, m_client.session().currentTask());
    const doeff::SessionTask* t = m_client.session().task(task);
    if (!t || t->env.isEmpty()) {
        m_out << "(empty env)\n";
        return;
    }
    for (auto it = t->env.cbegin(); it != t->env.cend(); ++it)
        m_out << it.key() << " = " << doeff::repr(it.value()) << '\n';
}

void TerminalDebugger::printTree()
{
    const doeff::EffectStackTrace tree = m_client.session().effectTree();
    m_out << (tree.captured ? tree.format() : u"(no effect tree)"_s) << '\n';
}

void TerminalDebugger::printLog()
{
    if (m_client.session().logs().isEmpty()) m_out << "(empty log)\n";
    for (const doeff::SessionLogEntry& l : m_client.session().logs())
        m_out << "step " << l.step << " task " << l.task << ": " << doeff::repr(l.message) << '\n';
}

void TerminalDebugger::printHelp()
{
    m_out << "step (s)            one machine step\n"
             "next (n)            the current activation's next effect, running sub-programs\n"
             "finish              until the current activation returns\n"
             "effect (e)          until any task yields its next effect\n"
             "continue (c)        run to the next breakpoint or the end\n"
             "pause               pause a running program\n"
             "break <what>        break on an effect type (Get, 'Put key=k'), a file:line, error or spawn\n"
             "watch <key>         break when a store key is written\n"
             "tasks               every task with its state\n"
             "stack [task]        a task's K (default: the current task)\n"
             "store / env         the current task's store / environment\n"
             "tree / log          the effect call tree / the log\n"
             "quit (q)            stop the program and leave\n";
}

void TerminalDebugger::finish(int status)
{
    m_interrupt.stop();
    m_kill.stop();
    if (m_stdin) m_stdin->setEnabled(false);
    m_out.flush();
    if (done) done(status);
}
