#include "liverun.h"

#include "studiosession.h"

#include <doeff/errors.h>

#include <QThread>

namespace doeff::views {

LiveRun::LiveRun(StudioSession* session, QObject* parent)
    : RunController(session, parent)
{ }

LiveRun::~LiveRun()
{
    shutdown();
}

void LiveRun::start(const ProgramInfo& info, ClockChoice clock, bool startPaused)
{
    Q_ASSERT(thread() == QThread::currentThread());
    shutdown();
    m_program = info;
    m_clock = clock;
    const quint64 generation = ++m_generation;
    {
        QMutexLocker lock(&m_mutex);
        m_pending = {};
    }
    m_agent = std::make_unique<DebugAgent>(startPaused);
    m_agentIds.clear();
    resetHits();
    for (const Breakpoint& b : std::as_const(m_breakpoints)) {
        const int agentId = m_agent->addBreakpoint(b);
        m_agentIds.insert(b.id, agentId);
        if (!b.enabled) m_agent->setBreakpointEnabled(agentId, false);
    }
    Q_EMIT breakpointsChanged();

    // Callbacks run on the worker thread.
    m_agent->eventCallback = [this, generation](const Event& e) { postEvent(generation, e); };
    m_agent->pausedCallback = [this, generation](const PausedState& s) {
        QMetaObject::invokeMethod(
            this, [this, generation, s] { deliverPause(generation, s); }, Qt::QueuedConnection);
    };
    m_agent->resumedCallback = [this, generation] {
        QMetaObject::invokeMethod(
            this, [this, generation] { deliverResumed(generation); }, Qt::QueuedConnection);
    };

    m_session->reset(info.name);
    m_running = true;
    RunOptions options = info.options;
    if (clock == ClockChoice::Real)
        options.clock = Clock::Real;
    else if (clock == ClockChoice::Simulated)
        options.clock = Clock::Simulated;
    options.observers = { m_agent.get() };
    m_thread = std::thread([this, generation, info, options] {
        RuntimeResultBase result;
        bool ok = false;
        try {
            result = runProgram(info, {}, {}, options);
            ok = true;
        } catch (const std::exception& e) {
            // Should not happen (program errors are in the result); keep the Studio up anyway.
            const QString message = QString::fromUtf8(e.what());
            QMetaObject::invokeMethod(
                this,
                [this, generation, message] {
                    if (generation != m_generation) return;
                    drain(generation);
                    m_running = false;
                    m_session->setResumed();
                    Q_EMIT runEnded();
                    qWarning("run failed outside the program: %s", qPrintable(message));
                },
                Qt::QueuedConnection);
        }
        if (ok)
            QMetaObject::invokeMethod(
                this, [this, generation, result] { deliverResult(generation, result); }, Qt::QueuedConnection);
    });
    Q_EMIT runStarted();
}

void LiveRun::restart()
{
    if (m_program) {
        const ProgramInfo info = *m_program;
        start(info, m_clock);
    }
}

void LiveRun::stop()
{
    if (m_agent && m_running) m_agent->stop();
}

void LiveRun::shutdown()
{
    if (m_agent) m_agent->stop();
    join();
    if (m_running) {
        m_running = false;
        ++m_generation; // drop what the old run still has queued
    }
    m_agent.reset();
}

void LiveRun::join()
{
    if (m_thread.joinable()) m_thread.join();
}

void LiveRun::command(DebugAgent::Command c)
{
    if (!m_agent || !m_running) return;
    noteMove(c);
    if (c == DebugAgent::Command::Stop)
        m_agent->stop();
    else
        m_agent->command(c);
    // the machine leaves its pause now; the GUI stops offering step commands until the next one
    if (c != DebugAgent::Command::Pause) m_session->setResumed();
}

bool LiveRun::cancelTask(int task, QString* error)
{
    if (!m_agent || !m_running) {
        if (error) *error = tr("no program is running");
        return false;
    }
    m_agent->cancelTask(task);
    return true;
}

void LiveRun::runToLine(const QString& file, int line)
{
    if (!m_agent || !m_running) return;
    noteMove(DebugAgent::Command::RunToLine, file, line);
    m_agent->runToLine(file, line);
    m_session->setResumed();
}

// worker thread; takes m_internMutex
const char* LiveRun::intern(const char* s)
{
    if (!s) return nullptr;
    QMutexLocker lock(&m_internMutex);
    return m_strings.emplace(s).first->c_str();
}

// worker thread; takes m_mutex
void LiveRun::postEvent(quint64 generation, const Event& e)
{
    Event copy = e;
    copy.file = intern(e.file);
    copy.function = intern(e.function);
    bool wake = false;
    {
        QMutexLocker lock(&m_mutex);
        m_pending.events.append(std::move(copy));
        wake = !m_pending.wakePending;
        m_pending.wakePending = true;
    }
    if (wake)
        QMetaObject::invokeMethod(
            this, [this, generation] { drain(generation); }, Qt::QueuedConnection);
}

void LiveRun::drain(quint64 generation)
{
    Q_ASSERT(thread() == QThread::currentThread());
    QList<Event> events;
    {
        QMutexLocker lock(&m_mutex);
        events.swap(m_pending.events);
        m_pending.wakePending = false;
    }
    if (generation != m_generation) return;
    m_session->applyEvents(events);
}

void LiveRun::deliverPause(quint64 generation, const PausedState& s)
{
    if (generation != m_generation) return;
    drain(generation);
    refreshHits();
    m_pausedAgentId = s.breakpoint;
    if (passLogpoint(s)) return;
    m_session->setPaused(s);
}

int LiveRun::pausedBreakpoint() const
{
    return m_pausedAgentId < 0 ? -1 : m_agentIds.key(m_pausedAgentId, -1);
}

void LiveRun::deliverResumed(quint64 generation)
{
    if (generation != m_generation) return;
    m_session->setResumed();
}

void LiveRun::deliverResult(quint64 generation, const RuntimeResultBase& result)
{
    if (generation != m_generation) return;
    drain(generation);
    join();
    m_running = false;
    refreshHits();
    m_session->setResumed();
    m_session->setResult(result);
    Q_EMIT runEnded();
}

void LiveRun::refreshHits()
{
    if (!m_agent) return;
    const QList<Breakpoint> live = m_agent->breakpoints();
    QHash<int, int> hits;
    for (const Breakpoint& b : std::as_const(m_breakpoints)) {
        const int agentId = m_agentIds.value(b.id, -1);
        for (const Breakpoint& a : live)
            if (a.id == agentId) hits.insert(b.id, a.hits);
    }
    setHits(hits);
}

void LiveRun::armBreakpoint(const Breakpoint& b)
{
    if (!m_agent || !m_running) return;
    const int agentId = m_agent->addBreakpoint(b);
    m_agentIds.insert(b.id, agentId);
    if (!b.enabled) m_agent->setBreakpointEnabled(agentId, false);
}

void LiveRun::disarmBreakpoint(int id)
{
    if (m_agent && m_agentIds.contains(id)) m_agent->removeBreakpoint(m_agentIds.take(id));
}

void LiveRun::enableBreakpoint(int id, bool enabled)
{
    if (m_agent && m_agentIds.contains(id)) m_agent->setBreakpointEnabled(m_agentIds.value(id), enabled);
}

} // namespace doeff::views
