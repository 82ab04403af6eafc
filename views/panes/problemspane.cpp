#include "problemspane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

ProblemsPane::ProblemsPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
    , m_label(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_job(m_progress)
{
    QVBoxLayout* layout = tightLayout(this);
    layout->addWidget(m_label);
    layout->addWidget(m_progress);
    layout->addWidget(m_view);
    m_label->setContentsMargins(4, 2, 4, 2);
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

ProblemsPane::~ProblemsPane() = default;

void ProblemsPane::restart()
{
    m_job.stop();
    m_live = std::make_unique<ProblemFinder>();
    m_fed = 0;
    m_resultShown = false;
    m_traceStarted = false;
    setList({});
    refresh();
}

QString ProblemsPane::summary() const
{
    if (m_job.isRunning()) return tr("Looking for problems…");
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
    m_job.start(
        [path](const JobControl& control) {
            TraceReader reader;
            std::optional<QList<Problem>> found;
            QString error;
            if (reader.open(path))
                found = findProblems(
                    reader, {}, [&control](quint64 done, quint64 total) { return control.progress(done, total); },
                    &error);
            else
                error = reader.errorString();
            return std::make_pair(found, error);
        },
        [this](std::pair<std::optional<QList<Problem>>, QString> outcome) {
            setList(outcome.first.value_or(QList<Problem> {}));
            if (!outcome.first) m_label->setText(tr("Cannot look for problems: %1").arg(outcome.second));
        });
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
