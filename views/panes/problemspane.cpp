#include "problemspane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QThread>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

ProblemsPane::ProblemsPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
    , m_label(new QLabel(this))
    , m_progress(new QProgressBar(this))
{
    QVBoxLayout* layout = tightLayout(this);
    layout->addWidget(m_label);
    layout->addWidget(m_progress);
    layout->addWidget(m_view);
    m_label->setContentsMargins(4, 2, 4, 2);
    m_progress->setRange(0, 1000);
    m_progress->setVisible(false);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(ProblemModel::SeverityColumn, 90);
    m_view->setColumnWidth(ProblemModel::StepColumn, 60);
    m_view->setColumnWidth(ProblemModel::TaskColumn, 50);
    m_view->setColumnWidth(ProblemModel::WhereColumn, 140);
    m_view->setColumnWidth(ProblemModel::KindColumn, 170);
    connect(m_view, &QTreeView::clicked, this, [this](const QModelIndex& index) { travelTo(index.row()); });
    connect(m_session, &StudioSession::documentOpened, this, &ProblemsPane::restart);
    connect(m_session, &StudioSession::refreshed, this, &ProblemsPane::refresh);
    connect(m_session, &StudioSession::resultChanged, this, &ProblemsPane::refresh);
    restart();
}

ProblemsPane::~ProblemsPane()
{
    stopWorker();
}

void ProblemsPane::stopWorker()
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
}

void ProblemsPane::restart()
{
    stopWorker();
    m_live = std::make_unique<ProblemFinder>();
    m_fed = 0;
    m_resultShown = false;
    m_traceStarted = false;
    setList({});
    refresh();
}

QString ProblemsPane::summary() const
{
    if (m_worker) return tr("Looking for problems…");
    const int errors = m_model.count(Severity::Error), warnings = m_model.count(Severity::Warning),
              infos = m_model.count(Severity::Info);
    if (errors + warnings + infos == 0) return tr("No problems found");
    auto n = [](int count, const char* one, const char* many) -> QString {
        return QString::number(count) + u' ' + QString::fromLatin1(count == 1 ? one : many);
    };
    return n(errors, "error", "errors") + QStringLiteral(", ") + n(warnings, "warning", "warnings")
        + QStringLiteral(", ") + n(infos, "note", "notes");
}

void ProblemsPane::setList(const QList<Problem>& problems)
{
    m_model.setProblems(problems);
    m_label->setText(summary());
    Q_EMIT problemsChanged();
}

void ProblemsPane::refresh()
{
    switch (m_session->status()) {
    case RunStatus::Trace:
        if (!m_traceStarted) startTrace(m_session->traceFile());
        return;
    case RunStatus::Loaded:
        if (!m_resultShown && m_session->hasResult()) {
            m_resultShown = true;
            setList(problemsOfResult(m_session->result()));
        }
        return;
    case RunStatus::Idle:
        return;
    default:
        break;
    }
    // a live run: the events that arrived since the last refresh
    if (!m_live || m_live->finished()) return;
    const EventLog events = m_session->liveEvents();
    if (events.size() == m_fed) return;
    const qsizetype before = m_live->problems().size();
    events.forEach(m_fed, events.size(), [this](const Event& e) {
        m_live->apply(e);
        return true;
    });
    m_fed = events.size();
    if (m_live->problems().size() != before || m_live->finished()) setList(m_live->problems());
}

void ProblemsPane::startTrace(const QString& path)
{
    m_traceStarted = true;
    if (path.isEmpty()) return;
    const quint64 generation = ++m_generation;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    auto cancel = m_cancel;
    QPointer<ProblemsPane> self(this);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_worker = QThread::create([self, path, cancel, generation] {
        TraceReader reader;
        std::optional<QList<Problem>> found;
        QString error;
        if (reader.open(path)) {
            found = findProblems(
                reader, {},
                [self, cancel, generation](quint64 done, quint64 total) {
                    const int permille = total ? int(done * 1000 / total) : 1000;
                    QMetaObject::invokeMethod(
                        self.data(),
                        [self, generation, permille] {
                            if (self && self->m_generation == generation) self->m_progress->setValue(permille);
                        },
                        Qt::QueuedConnection);
                    return !cancel->load();
                },
                &error);
        } else {
            error = reader.errorString();
        }
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, found, error] {
                if (!self || self->m_generation != generation) return;
                self->m_worker->wait();
                delete self->m_worker;
                self->m_worker = nullptr;
                self->m_cancel.reset();
                self->m_progress->setVisible(false);
                self->setList(found.value_or(QList<Problem> {}));
                if (!found) self->m_label->setText(tr("Cannot look for problems: %1").arg(error));
            },
            Qt::QueuedConnection);
    });
    m_worker->start();
    m_label->setText(summary());
}

void ProblemsPane::travelTo(int row)
{
    if (row < 0 || row >= m_model.problems().size()) return;
    const Problem& p = m_model.problems().at(row);
    if (p.task >= 0) m_session->setSelectedTask(p.task);
    if (m_session->history()) m_session->goToStep(p.step);
}

} // namespace doeff::views
