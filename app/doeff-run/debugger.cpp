#include "debugger.h"

#include <doeff/expression.h>
#include <doeff/value.h>

#include <QCoreApplication>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <editline/readline.h>
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

/// Commands an empty line repeats on a terminal (moving on; setting things is not repeated).
bool repeatable(const QString& cmd)
{
    static const QStringList commands { u"step"_s,   u"s"_s, u"next"_s,     u"n"_s, u"finish"_s,
                                        u"effect"_s, u"e"_s, u"continue"_s, u"c"_s };
    return commands.contains(cmd);
}

/// The debugger whose line the editor is reading (libedit's callback takes no context).
TerminalDebugger* editing = nullptr;
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
        if (m_quitting) return; // the stopped run's RunAbortedError result: `quit` says it itself
        m_out << text;
        m_out.flush();
    });
    connect(&m_client, &InspectorClient::errorOutputReceived, this, [this](const QString& text) {
        m_err << text;
        m_err.flush();
    });
    connect(&m_client, &InspectorClient::eventsReceived, this, &TerminalDebugger::keepEvents);
    connect(&m_client, &InspectorClient::paused, this, [this] {
        if (m_gotoStep > 0 && m_client.session().step() < m_gotoStep && !m_quitting) {
            m_client.stepInto(); // `goto` ahead: on to the step asked for, silently
            return;
        }
        m_gotoStep = 0;
        if (const int bp = m_client.lastPause().breakpoint; m_logMessages.contains(bp) && !m_quitting) {
            // a logpoint: print its message and go on with the command that was running (a step
            // stays a step); the command's wait goes on too
            m_out << "log: " << logText(m_logMessages.value(bp)) << '\n';
            m_out.flush();
            if (!m_client.resumeMove()) sendMove(m_lastMove); // a debuggee older than Resume: the move again
            return;
        }
        printPause();
        if (m_waiting == u"pause"_s) m_waiting.clear();
        prompt();
        processNext();
    });
    connect(&m_client, &InspectorClient::breakpointsChanged, this, [this](quint64, int id) {
        if (m_waiting != u"breakpoint"_s) return;
        if (m_breakpointAction == u"add"_s) {
            if (!m_pendingLog.isEmpty()) m_logMessages.insert(id, std::exchange(m_pendingLog, QString()));
            for (const Breakpoint& b : m_client.breakpoints())
                if (b.id == id)
                    m_out << (m_logMessages.contains(id) ? "Logpoint " : "Breakpoint ") << id << ": " << b.describe()
                          << '\n';
        } else if (m_breakpointAction == u"delete"_s) {
            m_logMessages.remove(m_breakpointId);
            m_out << "Deleted breakpoint " << m_breakpointId << ".\n";
        } else {
            m_out << (m_breakpointAction == u"enable"_s ? "Enabled" : "Disabled") << " breakpoint " << m_breakpointId
                  << ".\n";
        }
        m_breakpointAction.clear();
        m_waiting.clear();
        prompt();
        processNext();
    });
    connect(&m_client, &InspectorClient::errorOccurred, this, [this](const QString& message) {
        m_out << "error: " << message << '\n';
        m_out.flush();
    });
    connect(&m_client, &InspectorClient::finished, this, [this] {
        if (m_quitting && !m_client.crashed())
            m_out << "Stopped the program at step " << m_client.session().step() << ".\n";
        else
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
    m_client.setKeepEvents(true); // for `goto` into the past
    m_tty = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
    if (m_tty) using_history();
    m_stdin = new QSocketNotifier(STDIN_FILENO, QSocketNotifier::Read, this);
    connect(m_stdin, &QSocketNotifier::activated, this, &TerminalDebugger::readInput);
    return 0;
}

TerminalDebugger::~TerminalDebugger()
{
    if (m_editing) rl_callback_handler_remove(); // the terminal as it was
    if (editing == this) editing = nullptr;
}

void TerminalDebugger::keepEvents()
{
    for (doeff::Event& e : m_client.takeEvents()) {
        if (m_history.size() < historyLimit)
            m_history.append(std::move(e));
        else
            ++m_historyDropped;
    }
}

void TerminalDebugger::editLine()
{
    m_out.flush();
    editing = this;
    m_editing = true;
    rl_callback_handler_install("(doeff) ", &TerminalDebugger::lineEdited);
}

void TerminalDebugger::lineEdited(char* line)
{
    TerminalDebugger* self = editing;
    rl_callback_handler_remove();
    if (!self) return std::free(line);
    self->m_editing = false;
    if (!line) { // Ctrl+D: like the end of a script
        self->m_out << '\n';
        self->m_eof = true;
        if (self->m_stdin) self->m_stdin->setEnabled(false);
        return self->processNext();
    }
    QString text = QString::fromLocal8Bit(line).trimmed();
    if (!text.isEmpty() && (history_length == 0 || QString::fromLocal8Bit(history_get(history_length)->line) != text))
        add_history(line);
    std::free(line);
    if (text.isEmpty()) text = self->m_lastCommand; // as in gdb
    if (text.isEmpty()) return self->editLine();
    self->m_lines.append(text);
    self->processNext();
}

void TerminalDebugger::readInput()
{
    if (m_editing) return rl_callback_read_char();
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
    if (m_tty && m_waiting.isEmpty() && m_lines.isEmpty() && !m_eof && !m_quitting && !m_editing) editLine();
}

void TerminalDebugger::prompt()
{
    if (m_tty) return; // the line editor shows it when the next line is wanted (processNext)
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
    if (!m_tty) m_out << line << '\n'; // echo, so that a transcript of a script reads like a session
    const qsizetype space = line.indexOf(u' ');
    const QString cmd = space < 0 ? line : line.left(space);
    const QString arg = space < 0 ? QString() : line.mid(space + 1).trimmed();
    if (cmd.isEmpty()) return prompt();
    if (repeatable(cmd)) m_lastCommand = line;
    auto resume = [this](doeff::DebugAgent::Command move) {
        if (!needAttached()) return;
        m_viewed.reset(); // back to the present
        if (!m_client.isPaused()) {
            m_out << "The program is running; use 'pause' first.\n";
            return prompt();
        }
        m_lastMove = move;
        sendMove(move);
        waitFor(u"pause"_s);
    };
    if (cmd == u"step"_s || cmd == u"s"_s) return resume(doeff::DebugAgent::Command::StepInto);
    if (cmd == u"next"_s || cmd == u"n"_s) return resume(doeff::DebugAgent::Command::StepOver);
    if (cmd == u"finish"_s) return resume(doeff::DebugAgent::Command::StepOut);
    if (cmd == u"continue"_s || cmd == u"c"_s) return resume(doeff::DebugAgent::Command::Continue);
    if (cmd == u"effect"_s || cmd == u"e"_s) return resume(doeff::DebugAgent::Command::StepEffect);
    if (cmd == u"pause"_s) {
        if (!needAttached()) return;
        m_client.pause();
        return waitFor(u"pause"_s);
    }
    if (cmd == u"break"_s || cmd == u"b"_s) return addBreakpoint(arg, false);
    if (cmd == u"watch"_s) return addBreakpoint(arg, true);
    if (cmd == u"log"_s && !arg.isEmpty()) return addLogpoint(arg);
    if (cmd == u"delete"_s || cmd == u"d"_s || cmd == u"enable"_s || cmd == u"disable"_s)
        return changeBreakpoint(cmd == u"d"_s ? u"delete"_s : cmd, arg);
    if (cmd == u"goto"_s) return goTo(arg);
    if (cmd == u"back"_s || cmd == u"rcontinue"_s || cmd == u"rc"_s) return goBack(cmd == u"back"_s);
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
    else if (cmd == u"print"_s || cmd == u"p"_s)
        printValue(arg);
    else if (cmd == u"breakpoints"_s || (cmd == u"info"_s && (arg == u"breakpoints"_s || arg == u"b"_s)))
        printBreakpoints();
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
    m_breakpointAction = u"add"_s;
    waitFor(u"breakpoint"_s);
}

void TerminalDebugger::sendMove(doeff::DebugAgent::Command move)
{
    switch (move) {
    case doeff::DebugAgent::Command::StepInto:
        m_client.stepInto();
        break;
    case doeff::DebugAgent::Command::StepOver:
        m_client.stepOver();
        break;
    case doeff::DebugAgent::Command::StepOut:
        m_client.stepOut();
        break;
    case doeff::DebugAgent::Command::StepEffect:
        m_client.stepEffect();
        break;
    default:
        m_client.continueRun();
        break;
    }
}

void TerminalDebugger::addLogpoint(const QString& arg)
{
    const qsizetype space = arg.indexOf(u' ');
    const QString message = space < 0 ? QString() : arg.mid(space + 1).trimmed();
    if (message.isEmpty()) {
        m_out << "usage: log <effect-type|file:line|error|spawn> <message with {store.KEY} {env.KEY} {task} {step}>\n";
        return prompt();
    }
    m_pendingLog = message;
    addBreakpoint(arg.left(space), false);
    if (m_breakpointAction.isEmpty()) m_pendingLog.clear(); // not sent: a bad `where`
}

QString TerminalDebugger::logText(const QString& message) const
{
    const doeff::SessionState& s = m_client.session();
    return doeff::interpolate(s, std::max(0, s.currentTask()), message);
}

void TerminalDebugger::changeBreakpoint(const QString& cmd, const QString& arg)
{
    if (!needAttached()) return;
    bool ok = false;
    const int id = arg.toInt(&ok);
    if (!ok) {
        m_out << "usage: " << cmd << " <breakpoint number> ('info breakpoints' lists them)\n";
        return prompt();
    }
    const bool known = std::any_of(m_client.breakpoints().cbegin(), m_client.breakpoints().cend(),
                                   [id](const Breakpoint& b) { return b.id == id; });
    if (!known) {
        m_out << "No breakpoint " << id << ".\n";
        return prompt();
    }
    const quint64 tag
        = cmd == u"delete"_s ? m_client.removeBreakpoint(id) : m_client.setBreakpointEnabled(id, cmd == u"enable"_s);
    if (tag == 0) {
        m_out << "Cannot change breakpoints now.\n";
        return prompt();
    }
    m_breakpointAction = cmd;
    m_breakpointId = id;
    waitFor(u"breakpoint"_s);
}

void TerminalDebugger::printBreakpoints()
{
    if (m_client.breakpoints().isEmpty()) {
        m_out << "No breakpoints.\n";
        return;
    }
    m_out << "Num  Enabled  Hits  What\n";
    for (const Breakpoint& b : m_client.breakpoints())
        m_out << QString::number(b.id).leftJustified(5) << (b.enabled ? u"yes"_s : u"no"_s).leftJustified(9)
              << QString::number(b.hits).leftJustified(6) << b.describe()
              << (m_logMessages.contains(b.id) ? u", log: "_s + m_logMessages.value(b.id) : QString()) << '\n';
}

void TerminalDebugger::printValue(const QString& arg)
{
    if (arg.isEmpty()) {
        m_out << "usage: print <store-key> | store.<key> | env.<key>\n";
        return;
    }
    const doeff::SessionState& s = viewed();
    const int task = std::max(0, s.currentTask());
    const doeff::Store store = s.store(task);
    const doeff::SessionTask* t = s.task(task);
    const bool envOnly = arg.startsWith(u"env."_s);
    const bool storeOnly = arg.startsWith(u"store."_s);
    const QString key = envOnly ? arg.mid(4) : storeOnly ? arg.mid(6) : arg;
    if (!envOnly && store.contains(key)) {
        m_out << key << " = " << doeff::repr(store.value(key)) << '\n';
    } else if (!storeOnly && t && t->env.contains(key)) {
        m_out << "env." << key << " = " << doeff::repr(t->env.value(key)) << '\n';
    } else {
        m_out << "No "
              << (envOnly         ? "env"
                      : storeOnly ? "store"
                                  : "store or env")
              << " key '" << key << "' in task " << task << ".\n";
    }
}

void TerminalDebugger::goTo(const QString& arg)
{
    const quint64 present = m_client.session().step();
    if (arg.isEmpty() || arg == u"present"_s) {
        m_viewed.reset();
        m_out << "At the present: step " << present << ".\n";
        return prompt();
    }
    bool ok = false;
    const quint64 target = arg.toULongLong(&ok);
    if (!ok) {
        m_out << "usage: goto <step> (no step: back to the present)\n";
        return prompt();
    }
    if (target > present) {
        if (!needAttached()) return;
        if (!m_client.isPaused()) {
            m_out << "The program is running; use 'pause' first.\n";
            return prompt();
        }
        m_viewed.reset();
        m_gotoStep = target;
        m_client.stepInto();
        return waitFor(u"pause"_s);
    }
    if (m_historyDropped > 0 && !m_history.isEmpty() && target > m_history.last().step) {
        m_out << "Step " << target << " is past the " << historyLimit << " events kept for going back.\n";
        return prompt();
    }
    doeff::SessionState past;
    for (const doeff::Event& e : std::as_const(m_history)) {
        if (e.step > target) break;
        past.apply(e);
    }
    m_viewed = std::move(past);
    const doeff::SessionState& s = *m_viewed;
    m_out << "Viewing step " << s.step() << " (the program is at step " << present
          << "; 'goto' alone comes back), task " << s.currentTask() << '\n';
    if (!s.lastEffect().isEmpty()) m_out << "  last effect: " << s.lastEffect() << '\n';
    prompt();
}

void TerminalDebugger::goBack(bool oneStep)
{
    const quint64 viewedStep = m_viewed ? m_viewed->step() : m_client.session().step();
    if (viewedStep == 0) {
        m_out << "At step 0: nothing earlier.\n";
        return prompt();
    }
    if (oneStep) return goTo(QString::number(viewedStep - 1));
    // the last recorded event before the viewed step that an enabled breakpoint hits
    QList<Breakpoint> enabled;
    for (const Breakpoint& b : m_client.breakpoints())
        if (b.enabled) enabled.append(b);
    if (enabled.isEmpty()) {
        m_out << "No breakpoints are enabled: 'rcontinue' goes back to the previous hit of one.\n";
        return prompt();
    }
    for (auto e = m_history.crbegin(); e != m_history.crend(); ++e) {
        if (e->step >= viewedStep) continue;
        for (const Breakpoint& b : std::as_const(enabled))
            if (b.matches(*e)) {
                m_out << "Breakpoint " << b.id << " (" << b.describe() << ") hit at step " << e->step << ".\n";
                return goTo(QString::number(e->step));
            }
    }
    m_out << "No breakpoint hit before step " << viewedStep
          << (m_historyDropped > 0 ? " in the events kept for going back.\n" : ".\n");
    prompt();
}

void TerminalDebugger::printPause()
{
    const doeff::InspectorPause& p = m_client.lastPause();
    m_out << "Paused (" << p.reason << ") at step " << p.step << ", task " << p.task;
    const doeff::SessionTask* t = m_client.session().task(p.task);
    if (!p.file.isEmpty()) {
        m_out << ", " << p.function << " at " << p.file << ':' << p.line;
    } else if (const doeff::SessionFrame* h = t ? t->codeFrame() : nullptr;
               h && h->kind == doeff::FrameKindCode::Handling) {
        // no program on top: a coroutine handler's handling is, located where its effect was performed
        m_out << ", handling: " << h->description << ", performed by " << h->function << " at " << h->file << ':'
              << h->line;
    }
    m_out << '\n';
    if (t && !t->currentEffect.isEmpty()) m_out << "  last effect: " << t->currentEffect << '\n';
    m_out.flush();
}

void TerminalDebugger::printFinished()
{
    m_out << m_client.finishSummary() << '\n';
    m_out.flush();
}

void TerminalDebugger::printTasks()
{
    for (const doeff::SessionTask& t : viewed().tasks()) {
        m_out << "task " << t.id << " '" << t.name << "' " << doeff::taskStateCodeName(t.state);
        if (!t.waitsOn.isEmpty()) m_out << ", waits on " << t.waitsOn;
        if (!t.outcome.isEmpty()) m_out << ", " << t.outcome;
        m_out << ", " << t.steps << " steps\n";
    }
}

void TerminalDebugger::printStack(const QString& arg)
{
    int task = viewed().currentTask();
    if (!arg.isEmpty()) {
        bool ok = false;
        task = arg.toInt(&ok);
        if (!ok) {
            m_out << "usage: stack [task]\n";
            return;
        }
    }
    if (!viewed().task(task)) {
        m_out << "No task " << task << ".\n";
        return;
    }
    doeff::KStackTrace k;
    k.frames = viewed().k(task);
    m_out << "task " << task << ":\n" << (k.isEmpty() ? u"(empty K)"_s : k.format()) << '\n';
}

void TerminalDebugger::printStore()
{
    const int task = std::max(0, viewed().currentTask());
    const doeff::Store store = viewed().store(task);
    if (store.entries().isEmpty()) m_out << "(empty store)\n";
    for (const auto& [key, value] : store.entries())
        m_out << key << " = " << doeff::repr(value) << '\n';
}

void TerminalDebugger::printEnv()
{
    const int task = std::max(0, viewed().currentTask());
    const doeff::SessionTask* t = viewed().task(task);
    if (!t || t->env.isEmpty()) {
        m_out << "(empty env)\n";
        return;
    }
    for (auto it = t->env.cbegin(); it != t->env.cend(); ++it)
        m_out << it.key() << " = " << doeff::repr(it.value()) << '\n';
}

void TerminalDebugger::printTree()
{
    const doeff::EffectStackTrace tree = viewed().effectTree();
    m_out << (tree.captured ? tree.format() : u"(no effect tree)"_s) << '\n';
}

void TerminalDebugger::printLog()
{
    if (viewed().logs().isEmpty()) m_out << "(empty log)\n";
    for (const doeff::SessionLogEntry& l : viewed().logs())
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
             "log <what> <text>   a logpoint: prints 'log: <text>' ({store.KEY} {env.KEY} {task} {step}), goes on\n"
             "tasks               every task with its state\n"
             "stack [task]        a task's K (default: the current task)\n"
             "store / env         the current task's store / environment\n"
             "tree / log          the effect call tree / the log\n"
             "print (p) <key>     a store value (store.KEY, env.KEY for one or the other)\n"
             "info breakpoints    the breakpoints with their numbers and hits\n"
             "delete (d) <n>      remove breakpoint n; enable <n> / disable <n>\n"
             "goto <step>         show the state at an earlier step, or run to a later one; alone: back\n"
             "back                show the state one step before the one shown\n"
             "rcontinue (rc)      back to the previous hit of an enabled breakpoint\n"
             "quit (q)            stop the program and leave\n"
             "On a terminal, an empty line repeats step, next, finish, effect or continue.\n";
}

void TerminalDebugger::finish(int status)
{
    if (m_editing) rl_callback_handler_remove();
    m_editing = false;
    m_interrupt.stop();
    m_kill.stop();
    if (m_stdin) m_stdin->setEnabled(false);
    m_out.flush();
    if (done) done(status);
}
