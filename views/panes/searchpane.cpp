#include "searchpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

SearchPane::SearchPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_field(new QLineEdit(this))
    , m_summary(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancelButton(new QToolButton(this))
    , m_view(makeView(this, false))
    , m_job(m_progress, m_cancelButton)
{
    QVBoxLayout* layout = tightLayout(this);
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setObjectName(QStringLiteral("cancelSearch"));
    connect(&m_job, &BackgroundJob::cancelledByUser, this, &SearchPane::searchCancelled);
    m_field->setPlaceholderText(tr("Search the whole run: effects, keys, values, logs, tasks"));
    m_field->setClearButtonEnabled(true);
    m_field->setObjectName(QStringLiteral("searchField"));
    layout->addWidget(m_field);
    layout->addWidget(m_summary);
    auto* progressRow = new QHBoxLayout;
    progressRow->setContentsMargins(0, 0, 0, 0);
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelButton);
    layout->addLayout(progressRow);
    layout->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(SearchModel::StepColumn, 70);
    m_view->setColumnWidth(SearchModel::TaskColumn, 50);
    m_view->setColumnWidth(SearchModel::KindColumn, 60);
    connect(m_field, &QLineEdit::returnPressed, this, [this] { search(m_field->text()); });
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex& index) { travelTo(index.row()); });
    connect(m_session, &StudioSession::documentOpened, this, [this] {
        m_job.stop();
        m_pendingFind.reset();
        m_model.clear();
        m_summary->clear();
        Q_EMIT hitsChanged({});
    });
}

SearchPane::~SearchPane() = default;

void SearchPane::cancel()
{
    if (m_job.stop()) searchCancelled();
}

void SearchPane::searchCancelled()
{
    m_pendingFind.reset();
    m_summary->setText(tr("Search cancelled"));
    Q_EMIT searchFinished(false);
}

void SearchPane::search(const QString& text)
{
    m_job.stop();
    if (text.isEmpty()) {
        finished({}, true, {}, text);
        return;
    }
    SearchQuery query;
    query.text = text;
    query.limit = 100'000;
    m_summary->setText(tr("Searching…"));
    struct Outcome {
        SearchResult result;
        bool ok = false;
        QString error;
    };
    m_job.start(
        [events = RunEvents::of(m_session), query](const JobControl& control) {
            Searcher searcher(query);
            Outcome outcome;
            outcome.ok = events.forEach(
                [&searcher](const Event& e) {
                    searcher.add(e);
                    return true;
                },
                control, &outcome.error);
            outcome.result = searcher.result();
            return outcome;
        },
        [this, text](Outcome outcome) { finished(outcome.result, outcome.ok, outcome.error, text); });
}

void SearchPane::finished(const SearchResult& result, bool ok, const QString& error, const QString& text)
{
    m_model.setResult(result);
    m_summary->setText(!ok ? tr("Search failed: %1").arg(error) : text.isEmpty() ? QString() : m_model.summary());
    QList<quint64> steps;
    steps.reserve(result.hits.size());
    for (const SearchHit& h : result.hits)
        steps.append(h.step);
    Q_EMIT hitsChanged(steps);
    Q_EMIT searchFinished(ok);
    if (const std::optional<bool> next = std::exchange(m_pendingFind, std::nullopt); next && ok) find(*next, false);
}

bool SearchPane::travelTo(int row)
{
    if (row < 0 || row >= m_model.rowCount()) return false;
    m_view->setCurrentIndex(m_model.index(row, 0));
    m_view->scrollTo(m_model.index(row, 0));
    return m_session->goToStep(m_model.stepAt(row));
}

bool SearchPane::find(bool next, bool maySearch)
{
    if (maySearch && m_model.rowCount() == 0 && !m_field->text().isEmpty()) {
        // no hits yet: search, and travel when the hits are in
        if (!m_job.isRunning()) search(m_field->text());
        m_pendingFind = next;
        return true;
    }
    const std::optional<int> row
        = next ? m_model.rowAfter(m_session->viewStep()) : m_model.rowBefore(m_session->viewStep());
    return row && travelTo(*row);
}

bool SearchPane::findNext()
{
    return find(true);
}

bool SearchPane::findPrevious()
{
    return find(false);
}

void SearchPane::focusField()
{
    m_field->setFocus(Qt::ShortcutFocusReason);
    m_field->selectAll();
}

} // namespace doeff::views
