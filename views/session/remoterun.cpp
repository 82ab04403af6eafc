#include "remoterun.h"

#include "studiosession.h"

#include <doeff/inspectorclient.h>

#include <QFileInfo>
#include <QThread>

namespace doeff::views {

RemoteRun::RemoteRun(StudioSession* session, QObject* parent)
    : RunController(session, parent)
{
    m_stopTimer.setSingleShot(true);
    m_stopTimer.setInterval(3000);
    connect(&m_stopTimer, &QTimer::timeout, this, &RemoteRun::onStopTimeout);
}

RemoteRun::~RemoteRun()
{
    shutdown();
}

qint64 RemoteRun::debuggeePid() const
{
    return m_client ? m_client->hello().pid : 0;
}

bool RemoteRun::start(const RemoteLaunch& launch)
{
    Q_ASSERT(thread() == QThread::currentThread());
    shutdown();
    m_launch = launch;
    m_everAttached = false;
    m_killedAfterStop = false;
    m_failure.clear();
    m_lastEvent = {};
    m_remoteIds.clear();
    m_pendingAdds.clear();
    resetHits();
    Q_EMIT breakpointsChanged();

    auto* client = new InspectorClient(this);
    m_client = client;
    client->setKeepEvents(true);
    client->setStopOnDisconnect(true); // a debuggee whose Studio went away does not run on
    client->setStderrTailLines(8);
    client->setWorkingDirectory(launch.workingDirectory);
    connect(client, &InspectorClient::attached, this, &RemoteRun::onAttached);
    connect(client, &InspectorClient::eventsReceived, this, &RemoteRun::onEvents);
    connect(client, &InspectorClient::paused, this, &RemoteRun::onPaused);
    connect(client, &InspectorClient::resumed, this, [this] { m_session->setResumed(); });
    connect(client, &InspectorClient::resultReceived, this, &RemoteRun::onResult);
    connect(client, &InspectorClient::breakpointsChanged, this, &RemoteRun::onBreakpoints);
    connect(client, &InspectorClient::finished, this, &RemoteRun::onFinished);

    m_session->reset(launch.program);
    m_running = true;
    Q_EMIT runStarted();
    if (!client->listen()) {
        m_running = false;
        m_failure = tr("Could not debug %1: %2").arg(launch.program, client->errorString());
        m_session->setLost(m_failure);
        Q_EMIT runFailed(m_failure);
        Q_EMIT runEnded();
        return false;
    }
    QStringList arguments = launch.arguments;
    if (launch.inspectArgument) arguments << QStringLiteral("--inspect") << client->socketName();
    // a start failure is reported through finished() (onFinished)
    client->launch(launch.executable, arguments);
    return true;
}

void RemoteRun::restart()
{
    if (m_launch) {
        const RemoteLaunch launch = *m_launch;
        start(launch);
    }
}

void RemoteRun::stop()
{
    if (!m_client || !m_running) return;
    if (m_client->isAttached() && m_client->stop()) {
        m_session->setResumed();
        if (!m_stopTimer.isActive()) m_stopTimer.start();
        return;
    }
    // not attached (yet): nobody to ask
    m_killedAfterStop = true;
    m_client->kill();
}

void RemoteRun::onStopTimeout()
{
    if (!m_client || !m_running) return;
    m_killedAfterStop = true;
    m_client->kill();
}

void RemoteRun::shutdown()
{
    m_stopTimer.stop();
    releaseClient();
    if (m_running) {
        m_running = false;
        m_session->setResumed();
    }
}

void RemoteRun::releaseClient()
{
    InspectorClient* client = m_client;
    m_client = nullptr;
    if (!client) return;
    client->disconnect(this);
    if (client->state() == InspectorClient::State::Finished || client->state() == InspectorClient::State::Idle) {
        client->deleteLater();
        return;
    }
    // killed now, deleted once its process is reaped (the client's destructor would wait for it)
    connect(client, &InspectorClient::finished, client, &QObject::deleteLater);
    QTimer::singleShot(10000, client, &QObject::deleteLater);
    client->kill();
}

void RemoteRun::command(DebugAgent::Command c)
{
    if (!m_client || !m_running) return;
    noteMove(c);
    bool sent = false;
    switch (c) {
    case DebugAgent::Command::Continue:
        sent = m_client->continueRun();
        break;
    case DebugAgent::Command::Pause:
        sent = m_client->pause();
        break;
    case DebugAgent::Command::StepInto:
        sent = m_client->stepInto();
        break;
    case DebugAgent::Command::StepEffect:
        sent = m_client->stepEffect();
        break;
    case DebugAgent::Command::StepOver:
        sent = m_client->stepOver();
        break;
    case DebugAgent::Command::StepOut:
        sent = m_client->stepOut();
        break;
    case DebugAgent::Command::RunToLine:
        return; // needs a location: runToLine()
    case DebugAgent::Command::Stop:
        stop();
        return;
    case DebugAgent::Command::Resume:
        sent = m_client->resumeMove();
        if (!sent && m_client->hello().version < 4) {
            // a debuggee older than Resume: the move again, from here
            if (lastMove().command == DebugAgent::Command::RunToLine)
                runToLine(lastMove().file, lastMove().line);
            else
                command(lastMove().command);
            return;
        }
        break;
    }
    // the debuggee leaves its pause now; the GUI stops offering step commands until the next one
    if (sent && c != DebugAgent::Command::Pause) m_session->setResumed();
}

void RemoteRun::runToLine(const QString& file, int line)
{
    if (!m_client || !m_running) return;
    noteMove(DebugAgent::Command::RunToLine, file, line);
    if (m_client->runToLine(file, line)) m_session->setResumed();
}

void RemoteRun::onAttached()
{
    m_everAttached = true;
    // an executable we did not name the program of (Debug Executable): the debuggee says
    // which program it runs
    if (m_launch && !m_launch->inspectArgument && m_client && !m_client->hello().program.isEmpty())
        m_session->setProgramName(m_client->hello().program);
    for (const Breakpoint& b : std::as_const(m_breakpoints))
        armBreakpoint(b);
}

void RemoteRun::onEvents()
{
    const QList<Event> events = m_client->takeEvents();
    if (events.isEmpty()) return;
    m_lastEvent = events.constLast();
    m_session->applyEvents(events);
}

void RemoteRun::onPaused()
{
    const InspectorPause& p = m_client->lastPause();
    PausedState s;
    s.step = p.step;
    s.task = p.task;
    s.reason = p.reason;
    s.breakpoint = p.breakpoint;
    s.event = m_lastEvent;
    s.event.line = p.line;
    s.eventFile = p.file;
    s.eventFunction = p.function;
    // no agent snapshots: the panes read the state reduced from the events
    refreshHits();
    if (passLogpoint(s)) return;
    m_session->setPaused(s);
}

void RemoteRun::onResult()
{
    m_stopTimer.stop();
    m_running = false;
    refreshHits();
    m_session->setResumed();
    m_session->setResult(*m_client->result());
    Q_EMIT runEnded();
}

void RemoteRun::onFinished()
{
    m_stopTimer.stop();
    InspectorClient* client = m_client;
    if (!client) return;
    if (client->result()) {
        // the run ended normally; a debuggee that dies on its way out still deserves a word
        if (client->crashed()) Q_EMIT runFailed(tr("After the run ended, %1").arg(client->finishSummary()));
        return;
    }
    QString message;
    if (client->processExited() && client->exitCode() == -1 && client->exitStatus() == QProcess::NormalExit
        && !m_everAttached) {
        message = tr("Could not start %1: %2").arg(m_launch->executable, client->errorString());
    } else {
        // "the debuggee crashed (signal 11: …) at step 4 (9 events)\nlast stderr lines:\n  …"
        const QString summary = client->finishSummary();
        QString first = summary.section(u'\n', 0, 0);
        const QString rest = summary.section(u'\n', 1);
        first[0] = first[0].toUpper();
        if (m_killedAfterStop)
            first = tr("Stopped: the debuggee did not end within %1 ms of Stop, so the Studio killed it. %2")
                        .arg(m_stopTimer.interval())
                        .arg(first);
        message = first + u'.';
        if (!m_everAttached)
            message += u' '
                + tr("%1 never connected to the debugger: is it linked with libdoeff, and does it call sync_run "
                     "or async_run?")
                      .arg(QFileInfo(m_launch->executable).fileName());
        else if (!client->errorString().isEmpty() && !summary.contains(client->errorString()))
            message += u' ' + client->errorString() + u'.';
        if (!rest.isEmpty()) message += u'\n' + rest;
    }
    m_failure = message;
    m_running = false;
    m_session->setResumed();
    m_session->setLost(message);
    Q_EMIT runFailed(message);
    Q_EMIT runEnded();
}

bool RemoteRun::cancelTask(int task, QString* error)
{
    if (!m_client || !m_client->isAttached()) {
        if (error) *error = tr("no program is running");
        return false;
    }
    if (m_client->cancelTask(task)) return true;
    if (error) *error = m_client->errorString();
    return false;
}

int RemoteRun::pausedBreakpoint() const
{
    if (!m_client || m_client->lastPause().breakpoint < 0) return -1;
    return m_remoteIds.key(m_client->lastPause().breakpoint, -1);
}

void RemoteRun::refreshHits()
{
    if (!m_client) return;
    QHash<int, int> hits;
    const QList<Breakpoint>& remote = m_client->breakpoints();
    for (auto it = m_remoteIds.cbegin(); it != m_remoteIds.cend(); ++it)
        for (const Breakpoint& r : remote)
            if (r.id == it.value()) hits.insert(it.key(), r.hits);
    setHits(hits);
}

void RemoteRun::onBreakpoints(quint64 tag, int result)
{
    if (m_pendingAdds.contains(tag)) {
        const PendingAdd asked = m_pendingAdds.take(tag);
        if (result > 0) {
            const Breakpoint* b = nullptr;
            for (const Breakpoint& s : std::as_const(m_breakpoints))
                if (s.id == asked.studioId) b = &s;
            if (!b) {
                m_client->removeBreakpoint(result); // removed while the add was on its way
            } else {
                m_remoteIds.insert(asked.studioId, result);
                if (b->enabled != asked.enabled) m_client->setBreakpointEnabled(result, b->enabled);
            }
        }
    }
    refreshHits();
}

void RemoteRun::armBreakpoint(const Breakpoint& b)
{
    if (!m_client || !m_client->isAttached()) return; // armed at the attach
    if (const quint64 tag = m_client->addBreakpoint(b)) m_pendingAdds.insert(tag, { b.id, b.enabled });
}

void RemoteRun::disarmBreakpoint(int id)
{
    if (m_client && m_remoteIds.contains(id)) m_client->removeBreakpoint(m_remoteIds.take(id));
}

void RemoteRun::enableBreakpoint(int id, bool enabled)
{
    if (m_client && m_remoteIds.contains(id)) m_client->setBreakpointEnabled(m_remoteIds.value(id), enabled);
}

} // namespace doeff::views
