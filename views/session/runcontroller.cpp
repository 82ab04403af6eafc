#include "runcontroller.h"

#include "studiosession.h"

#include <doeff/expression.h>

#include <algorithm>

namespace doeff::views {

RunController::RunController(StudioSession* session, QObject* parent)
    : QObject(parent)
    , m_session(session)
{ }

RunController::~RunController() = default;

int RunController::addBreakpoint(Breakpoint b)
{
    b.id = m_nextBreakpointId++;
    b.hits = 0;
    m_breakpoints.append(b);
    armBreakpoint(b);
    Q_EMIT breakpointsChanged();
    return b.id;
}

void RunController::removeBreakpoint(int id)
{
    for (qsizetype i = 0; i < m_breakpoints.size(); ++i) {
        if (m_breakpoints[i].id != id) continue;
        m_breakpoints.removeAt(i);
        disarmBreakpoint(id);
        Q_EMIT breakpointsChanged();
        return;
    }
}

void RunController::setBreakpointEnabled(int id, bool enabled)
{
    for (Breakpoint& b : m_breakpoints) {
        if (b.id != id) continue;
        b.enabled = enabled;
        enableBreakpoint(id, enabled);
        Q_EMIT breakpointsChanged();
        return;
    }
}

int RunController::toggleSourceBreakpoint(const QString& file, int line)
{
    QList<int> there;
    for (const Breakpoint& b : std::as_const(m_breakpoints))
        if (b.kind == Breakpoint::Kind::SourceLine && b.line == line && !b.file.isEmpty()
            && (file == b.file || file.endsWith(u'/' + b.file)))
            there.append(b.id);
    if (!there.isEmpty()) {
        for (int id : std::as_const(there))
            removeBreakpoint(id);
        return 0;
    }
    Breakpoint b;
    b.kind = Breakpoint::Kind::SourceLine;
    b.file = file;
    b.line = line;
    return addBreakpoint(b);
}

void RunController::updateBreakpoint(const Breakpoint& b)
{
    for (Breakpoint& mine : m_breakpoints) {
        if (mine.id != b.id) continue;
        disarmBreakpoint(b.id);
        mine = b;
        mine.hits = 0;
        armBreakpoint(mine);
        Q_EMIT breakpointsChanged();
        return;
    }
}

void RunController::adoptBreakpoints(const RunController& other)
{
    if (&other == this) return;
    for (const Breakpoint& b : std::as_const(m_breakpoints))
        disarmBreakpoint(b.id);
    m_breakpoints = other.m_breakpoints;
    m_nextBreakpointId = std::max(m_nextBreakpointId, other.m_nextBreakpointId);
    for (Breakpoint& b : m_breakpoints)
        b.hits = 0;
    Q_EMIT breakpointsChanged();
}

void RunController::setHits(const QHash<int, int>& hitsByStudioId)
{
    for (Breakpoint& b : m_breakpoints)
        b.hits = hitsByStudioId.value(b.id, b.hits);
    Q_EMIT breakpointsChanged();
}

void RunController::resetHits()
{
    for (Breakpoint& b : m_breakpoints)
        b.hits = 0;
}

void RunController::noteMove(DebugAgent::Command c, const QString& file, int line)
{
    if (c == DebugAgent::Command::Stop || c == DebugAgent::Command::Resume) return;
    m_lastMove = Move { c, file, line };
}

bool RunController::passLogpoint(const PausedState& pause)
{
    const int id = pausedBreakpoint();
    if (id < 0) return false;
    const auto b
        = std::find_if(m_breakpoints.cbegin(), m_breakpoints.cend(), [id](const Breakpoint& x) { return x.id == id; });
    if (b == m_breakpoints.cend() || !b->isLogpoint()) return false;
    // the message as the run is now, before the effect it stopped at runs (a Put's old value)
    const SessionState& now = m_session->presentState();
    m_session->addLogpointMessage(
        { pause.step, pause.task, id,
          interpolate(now, pause.task >= 0 ? pause.task : now.currentTask(), b->logMessage) });
    if (m_lastMove.command == DebugAgent::Command::Pause) return false;
    command(DebugAgent::Command::Resume);
    return true;
}

} // namespace doeff::views
