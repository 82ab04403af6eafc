#include "waitformodel.h"

#include "history.h"
#include "studiosession.h"

namespace doeff::views {

WaitForModel::WaitForModel(StudioSession* session, QObject* parent)
    : QObject(parent)
    , m_session(session)
{
    connect(m_session, &StudioSession::documentOpened, this, &WaitForModel::refresh);
    connect(m_session, &StudioSession::refreshed, this, &WaitForModel::refresh);
    connect(m_session, &StudioSession::viewChanged, this, &WaitForModel::refresh);
    refresh();
}

void WaitForModel::refresh()
{
    m_deadlockMoment.reset();
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        m_graph = waitForGraphOfResult(m_session->result());
        Q_EMIT changed();
        return;
    }
    StateHistory* history = m_session->history();
    const PromiseOrigins* origins = history ? &history->timeline().promiseOrigins() : nullptr;
    m_graph = waitForGraph(m_session->state(), origins);
    // After a deadlock its tasks have failed with DeadlockError and wait on nothing: show the
    // moment it was found instead of an empty graph, and say so.
    if (origins && origins->deadlockEvents() >= 0 && m_graph.cycles.isEmpty()) {
        if (!m_deadlockGraph || m_deadlockHistory != history || m_deadlockEvents != origins->deadlockEvents()) {
            m_deadlockHistory = history;
            m_deadlockEvents = origins->deadlockEvents();
            m_deadlockGraph = WaitForGraph {};
            if (const auto state = history->stateAfterEvents(qsizetype(origins->deadlockEvents())))
                m_deadlockGraph = waitForGraph(*state, origins);
        }
        if (!m_deadlockGraph->cycles.isEmpty() && m_deadlockGraph->step <= m_session->viewStep()) {
            m_deadlockMoment = m_deadlockGraph->step;
            m_graph = *m_deadlockGraph;
        }
    }
    Q_EMIT changed();
}

} // namespace doeff::views
