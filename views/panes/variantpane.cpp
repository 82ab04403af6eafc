#include "variantpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QLineEdit>
#include <QMenu>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

VariantPane::VariantPane(StudioSession* session, Source source, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_source(source)
    , m_filterEdit(new QLineEdit(this))
    , m_view(makeView(this, true))
{
    m_filterEdit->setObjectName(source == Source::Store ? QStringLiteral("storeFilter") : QStringLiteral("envFilter"));
    m_filterEdit->setPlaceholderText(tr("Filter keys and values"));
    m_filterEdit->setClearButtonEnabled(true);
    QVBoxLayout* layout = tightLayout(this);
    layout->addWidget(m_filterEdit);
    layout->addWidget(m_view);
    m_filter.setSourceModel(&m_model);
    m_view->setModel(&m_filter);
    m_view->setColumnWidth(VariantTreeModel::KeyColumn, 110);
    m_view->setColumnWidth(VariantTreeModel::ValueColumn, 200);
    connect(m_filterEdit, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_filter.setFilterText(text.trimmed());
        if (!m_filter.filterText().isEmpty()) m_view->expandAll(); // show the matches inside containers
    });
    connect(m_session, &StudioSession::refreshed, this, &VariantPane::refresh);
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QStringList path = m_view->indexAt(pos).data(VariantTreeModel::PathRole).toStringList();
        if (path.isEmpty()) return;
        QMenu menu(this);
        menu.addAction(tr("Where did this come from?"));
        QAction* who = menu.addAction(tr("Who read this?"));
        QAction* chosen = menu.exec(m_view->viewport()->mapToGlobal(pos));
        if (chosen) Q_EMIT provenanceRequested(path.first(), chosen == who);
    });
    // keep the user's expansion across resets (key paths)
    connect(&m_filter, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        if (!m_filter.filterText().isEmpty()) return; // everything is expanded; keep the user's set
        m_expanded.clear();
        std::vector<QModelIndex> stack { QModelIndex() };
        while (!stack.empty()) {
            const QModelIndex p = stack.back();
            stack.pop_back();
            for (int r = 0; r < m_filter.rowCount(p); ++r) {
                const QModelIndex i = m_filter.index(r, 0, p);
                if (m_view->isExpanded(i)) {
                    m_expanded.append(i.data(VariantTreeModel::PathRole).toStringList().join(QChar(0x1f)));
                    stack.push_back(i);
                }
            }
        }
    });
    connect(&m_filter, &QAbstractItemModel::modelReset, this, [this] {
        if (!m_filter.filterText().isEmpty()) {
            m_view->expandAll(); // a filter shows every match
            return;
        }
        if (m_expanded.isEmpty()) {
            // first look: open the top-level containers when they are small
            for (int r = 0; r < m_filter.rowCount(); ++r) {
                const QModelIndex i = m_filter.index(r, 0);
                if (m_filter.rowCount(i) <= 8 && !i.data().toString().startsWith(QLatin1String("__")))
                    m_view->expand(i);
            }
            return;
        }
        std::vector<QModelIndex> stack { QModelIndex() };
        while (!stack.empty()) {
            const QModelIndex p = stack.back();
            stack.pop_back();
            for (int r = 0; r < m_filter.rowCount(p); ++r) {
                const QModelIndex i = m_filter.index(r, 0, p);
                if (m_expanded.contains(i.data(VariantTreeModel::PathRole).toStringList().join(QChar(0x1f)))) {
                    m_view->expand(i);
                    stack.push_back(i);
                }
            }
        }
    });
}

void VariantPane::refresh()
{
    VariantTreeModel::Entries entries;
    if (m_session->showsFailingPoint() && m_session->hasFailingPointStore()) {
        // where Source and Stack are: the failing task's store and env when it failed
        const ErrorContext& c = m_session->result().error_context();
        if (m_source == Source::Store) {
            entries = c.store.entries();
        } else {
            for (auto it = c.env.cbegin(); it != c.env.cend(); ++it)
                entries.append({ it.key(), it.value() });
        }
        m_model.setEntries(entries, {});
        return;
    }
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        // the main task's final store and env (all a result file keeps of the others)
        const RuntimeResultBase& r = m_session->result();
        if (m_source == Source::Store) {
            entries = r.raw_store().entries();
        } else {
            for (auto it = r.env().cbegin(); it != r.env().cend(); ++it)
                entries.append({ it.key(), it.value() });
        }
        m_model.setEntries(entries, {});
        return;
    }
    const SessionState& s = m_session->state();
    const int task = m_session->selectedTask();
    if (m_source == Source::Store) {
        entries = s.store(task).entries();
    } else if (const SessionTask* t = s.task(task)) {
        for (auto it = t->env.cbegin(); it != t->env.cend(); ++it)
            entries.append({ it.key(), it.value() });
    }
    // what the viewed step changed: old → new, added and removed keys
    Store store;
    Env env;
    if (m_session->valuesBeforeView(task, &store, &env)) {
        VariantTreeModel::Entries before;
        if (m_source == Source::Store) {
            before = store.entries();
        } else {
            for (auto it = env.cbegin(); it != env.cend(); ++it)
                before.append({ it.key(), it.value() });
        }
        m_model.setEntries(entries, m_source == Source::Store ? m_session->changedKeys() : QStringList(), false,
                           &before);
        return;
    }
    m_model.setEntries(entries, m_source == Source::Store ? m_session->changedKeys() : QStringList());
}

} // namespace doeff::views
