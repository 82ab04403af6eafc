#include "logpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

LogPane::LogPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
{
    tightLayout(this)->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(LogModel::StepColumn, 60);
    m_view->setColumnWidth(LogModel::TaskColumn, 100);
    connect(m_session, &StudioSession::refreshed, this,
            [this] { m_model.setSession(m_session->state(), m_session->logpointMessages()); });
    connect(&m_model, &QAbstractItemModel::rowsInserted, m_view, &QTreeView::scrollToBottom);
}

} // namespace doeff::views
