#include "searchpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

SearchPane::SearchPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_field(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_view(makeView(this, false))
{
    QVBoxLayout* layout = tightLayout(this);
    m_field->setPlaceholderText(tr("Search the whole run: effects, keys, values, logs, tasks"));
    m_field->setClearButtonEnabled(true);
    m_field->setObjectName(QStringLiteral("searchField"));
    layout->addWidget(m_field);
    layout->addWidget(m_summary);
    layout->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(SearchModel::StepColumn, 70);
    m_view->setColumnWidth(SearchModel::TaskColumn, 50);
    m_view->setColumnWidth(SearchModel::KindColumn, 60);
    connect(m_field, &QLineEdit::returnPressed, this, [this] { search(m_field->text()); });
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex& index) { travelTo(index.row()); });
    connect(m_session, &StudioSession::documentOpened, this, [this] {
        m_model.clear();
        m_summary->clear();
        Q_EMIT hitsChanged({});
    });
}

bool SearchPane::search(const QString& text)
{
    SearchQuery query;
    query.text = text;
    query.limit = 100'000;
    SearchResult result;
    QString error;
    bool ok = true;
    if (text.isEmpty()) {
        // nothing to look for
    } else if (m_session->status() == RunStatus::Trace) {
        TraceReader reader;
        ok = reader.open(m_session->traceFile()) && doeff::search(reader, query, result, &error);
        if (!ok && error.isEmpty()) error = reader.errorString();
    } else {
        Searcher searcher(query);
        ok = m_session->liveEvents().forEach(
            0, m_session->liveEvents().size(),
            [&searcher](const Event& e) {
                searcher.add(e);
                return true;
            },
            &error);
        result = searcher.result();
    }
    m_model.setResult(result);
    m_summary->setText(!ok ? tr("Search failed: %1").arg(error) : text.isEmpty() ? QString() : m_model.summary());
    QList<quint64> steps;
    steps.reserve(result.hits.size());
    for (const SearchHit& h : result.hits)
        steps.append(h.step);
    Q_EMIT hitsChanged(steps);
    return ok;
}

bool SearchPane::travelTo(int row)
{
    if (row < 0 || row >= m_model.rowCount()) return false;
    m_view->setCurrentIndex(m_model.index(row, 0));
    m_view->scrollTo(m_model.index(row, 0));
    return m_session->goToStep(m_model.stepAt(row));
}

bool SearchPane::findNext()
{
    if (m_model.rowCount() == 0 && !m_field->text().isEmpty()) search(m_field->text());
    const std::optional<int> row = m_model.rowAfter(m_session->viewStep());
    return row && travelTo(*row);
}

bool SearchPane::findPrevious()
{
    if (m_model.rowCount() == 0 && !m_field->text().isEmpty()) search(m_field->text());
    const std::optional<int> row = m_model.rowBefore(m_session->viewStep());
    return row && travelTo(*row);
}

void SearchPane::focusField()
{
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

} // namespace doeff::views
