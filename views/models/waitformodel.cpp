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
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        m_graph = waitForGraphOfResult(m_session->result());
    } else {
        const StateHistory* history = m_session->history();
        m_graph = waitForGraph(m_session->state(), history ? &history->timeline().promiseOrigins() : nullptr);
    }
    Q_EMIT changed();
}

} // namespace doeff::views
