#include "searchpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QProgressBar>
#include <QThread>
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
{
    QVBoxLayout* layout = tightLayout(this);
    m_progress->setRange(0, 1000);
    m_progress->setVisible(false);
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setObjectName(QStringLiteral("cancelSearch"));
    m_cancelButton->setVisible(false);
    connect(m_cancelButton, &QToolButton::clicked, this, &SearchPane::cancel);
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
        stopWorker();
        m_pendingFind.reset();
        m_model.clear();
        m_summary->clear();
        Q_EMIT hitsChanged({});
    });
}

SearchPane::~SearchPane()
{
    stopWorker();
}

void SearchPane::stopWorker()
{
    ++m_generation;
    if (m_cancel) m_cancel->store(true);
    if (m_worker) {
        m_worker->wait();
        delete m_worker;
        m_worker = nullptr;
    }
    m_cancel.reset();
    m_progress->setVisible(false);
    m_cancelButton->setVisible(false);
}

void SearchPane::cancel()
{
    if (!m_worker) return;
    stopWorker();
    m_pendingFind.reset();
    m_summary->setText(tr("Search cancelled"));
    Q_EMIT searchFinished(false);
}

void SearchPane::search(const QString& text)
{
    stopWorker();
    if (text.isEmpty()) {
        finished({}, true, {}, text);
        return;
    }
    SearchQuery query;
    query.text = text;
    query.limit = 100'000;
    // what to read, taken on this thread: a trace's path, or a snapshot of the live events
    const bool trace = m_session->status() == RunStatus::Trace;
    const QString path = trace ? m_session->traceFile() : QString();
    const EventLog events = trace ? EventLog() : m_session->liveEvents();
    const quint64 generation = m_generation;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    auto cancel = m_cancel;
    QPointer<SearchPane> self(this);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_cancelButton->setVisible(true);
    m_summary->setText(tr("Searching…"));
    m_worker = QThread::create([self, trace, path, events, query, cancel, generation, text] {
        Searcher searcher(query);
        QString error;
        bool ok = true;
        quint64 done = 0;
        quint64 total = 0;
        const auto each = [&](const Event& e) {
            searcher.add(e);
            if ((++done % 65536) == 0) {
                const int permille = total ? int(done * 1000 / total) : 0;
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, generation, permille] {
                        if (self && self->m_generation == generation) self->m_progress->setValue(permille);
                    },
                    Qt::QueuedConnection);
                if (cancel->load()) return false;
            }
            return true;
        };
        if (trace) {
            TraceReader reader;
            ok = reader.open(path);
            if (ok) {
                total = reader.eventCount();
                ok = reader.forEachEvent(0, total, each);
            }
            if (!ok) error = reader.errorString();
        } else {
            total = quint64(events.size());
            ok = events.forEach(0, events.size(), each, &error);
        }
        const SearchResult result = searcher.result();
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, result, ok, error, text] {
                if (!self || self->m_generation != generation) return;
                self->m_worker->wait();
                delete self->m_worker;
                self->m_worker = nullptr;
                self->m_cancel.reset();
                self->m_progress->setVisible(false);
                self->m_cancelButton->setVisible(false);
                self->finished(result, ok, error, text);
            },
            Qt::QueuedConnection);
    });
    m_worker->start();
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
        if (!m_worker) search(m_field->text());
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
