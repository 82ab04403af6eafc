#include "effecttreepane.h"

#include "paneparts.h"
#include "studiosession.h"
#include "traceio.h"

#include <QHeaderView>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

EffectTreePane::EffectTreePane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_view(makeView(this, true))
{
    auto* l = tightLayout(this);
    m_filter->setPlaceholderText(tr("Filter calls and effects…"));
    m_filter->setClearButtonEnabled(true);
    l->addWidget(m_filter);
    l->addWidget(m_view);
    m_proxy->setSourceModel(&m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(EffectTreeModel::NodeColumn);
    m_view->setModel(m_proxy);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(EffectTreeModel::NodeColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(EffectTreeModel::TaskColumn, 44);
    m_view->setColumnWidth(EffectTreeModel::CountColumn, 56);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setFilterFixedString(text);
        if (!text.isEmpty()) m_view->expandAll();
    });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent) {
        if (parent.isValid() && m_model.rowCount() < 3000) m_view->expand(parent);
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] { m_view->expandToDepth(3); });
    connect(m_session, &StudioSession::refreshed, this, &EffectTreePane::refresh);
}

void EffectTreePane::refresh()
{
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult())
        m_model.setTree(flattenTree(m_session->result().effect_stack()));
    else
        m_model.setTree(m_session->state().tree());
}

} // namespace doeff::views
