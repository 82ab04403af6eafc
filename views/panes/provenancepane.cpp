#include "provenancepane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QRegularExpression>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

ProvenancePane::ProvenancePane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_title(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_cancelButton(new QToolButton(this))
    , m_view(makeView(this, true))
    , m_job(m_progress, m_cancelButton)
{
    QVBoxLayout* layout = tightLayout(this);
    m_title->setText(tr("Right-click a Store or Environment key: Where did this come from?"));
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setObjectName(QStringLiteral("cancelProvenance"));
    connect(&m_job, &BackgroundJob::cancelledByUser, this, &ProvenancePane::indexCancelled);
    auto* progressRow = new QHBoxLayout;
    progressRow->setContentsMargins(0, 0, 0, 0);
    progressRow->addWidget(m_progress, 1);
    progressRow->addWidget(m_cancelButton);
    layout->addLayout(progressRow);
    layout->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(ProvenanceModel::WhatColumn, 240);
    m_view->setColumnWidth(ProvenanceModel::StepColumn, 60);
    m_view->setColumnWidth(ProvenanceModel::TaskColumn, 40);
    connect(m_view, &QTreeView::activated, this, [this](const QModelIndex& index) {
        const QVariant step = index.data(ProvenanceModel::StepRole);
        if (step.isValid()) m_session->goToStep(step.toULongLong());
    });
    connect(m_session, &StudioSession::documentOpened, this, [this] {
        m_job.stop();
        m_pending = nullptr;
        m_indexed = false;
        m_index = Provenance();
        m_model.setChain(m_index, -1);
        m_title->setText(tr("Right-click a Store or Environment key: Where did this come from?"));
    });
}

ProvenancePane::~ProvenancePane() = default;

void ProvenancePane::cancel()
{
    if (m_job.stop()) indexCancelled();
}

void ProvenancePane::indexCancelled()
{
    m_pending = nullptr;
    m_title->setText(tr("Building the index was cancelled."));
    Q_EMIT chainShown();
}

void ProvenancePane::withIndex(std::function<void()> then)
{
    const RunEvents events = RunEvents::of(m_session);
    const bool trace = !events.tracePath.isEmpty();
    if (m_indexed && (trace || m_indexedEvents == quint64(events.events.size()))) {
        m_job.stop(); // an index for an older state of the run is no longer wanted
        m_pending = nullptr;
        then();
        return;
    }
    m_job.stop();
    m_pending = std::move(then);
    m_title->setText(tr("Indexing the run's events…"));
    struct Outcome {
        std::shared_ptr<Provenance> index = std::make_shared<Provenance>();
        bool ok = false;
        QString error;
        quint64 count = 0;
    };
    m_job.start(
        [events](const JobControl& control) {
            Outcome outcome;
            Provenance& index = *outcome.index;
            outcome.ok = events.forEach(
                [&index](const Event& e) {
                    index.add(e);
                    return true;
                },
                control, &outcome.error, &outcome.count);
            index.finish();
            return outcome;
        },
        [this](Outcome outcome) {
            const std::function<void()> then = std::exchange(m_pending, nullptr);
            if (!outcome.ok) {
                m_model.setChain(m_index, -1);
                m_title->setText(tr("Could not read the run's events: %1").arg(outcome.error));
                Q_EMIT chainShown();
                return;
            }
            m_index = std::move(*outcome.index);
            m_indexedEvents = outcome.count;
            m_indexed = true;
            if (then) then();
        });
}

bool ProvenancePane::show(int source, const QString& title, bool readers)
{
    m_title->setText(title);
    m_model.setChain(m_index, source, tr("No recorded source for this value."));
    m_view->expandAll();
    if (readers && source >= 0) {
        const QModelIndex readBy = m_model.index(m_model.rowCount() - 1, 0);
        m_view->setCurrentIndex(readBy);
        m_view->scrollTo(readBy);
    }
    Q_EMIT chainShown();
    return true;
}

bool ProvenancePane::explainWatch(const QString& expression, bool readers)
{
    const QString e = expression.trimmed();
    static const QRegularExpression taskPattern(QStringLiteral("^task\\s+(\\d+)$"));
    const QRegularExpressionMatch task = taskPattern.match(e);
    if (!task.hasMatch()) {
        if (e.startsWith(QStringLiteral("env:")))
            return readers ? showReaders(What::Environment, e.mid(4)) : explain(What::Environment, e.mid(4));
        const QString key = e.startsWith(QStringLiteral("store:")) ? e.mid(6) : e;
        return readers ? showReaders(What::Store, key) : explain(What::Store, key);
    }
    const int id = task.captured(1).toInt();
    withIndex([this, id, readers] { show(m_index.taskResult(id), tr("The result of task %1").arg(id), readers); });
    return true;
}

bool ProvenancePane::explain(What what, const QString& key)
{
    const int task = m_session->selectedTask();
    const quint64 step = m_session->viewStep();
    withIndex([this, what, key, task, step] { explainAt(what, key, task, step, false); });
    return true;
}

void ProvenancePane::explainAt(What what, const QString& key, int task, quint64 step, bool readers)
{
    const int source = what == What::Store ? m_index.storeValue(task, key, step) : m_index.envValue(task, key, step);
    m_title->setText(
        (what == What::Store ? tr("Store key '%1' of task %2 at step %3") : tr("Env key '%1' of task %2 at step %3"))
            .arg(key)
            .arg(task)
            .arg(step));
    m_model.setChain(m_index, source, tr("No recorded source for this value."));
    m_view->expandAll();
    if (readers) {
        const QModelIndex readBy = m_model.index(m_model.rowCount() - 1, 0);
        m_view->setCurrentIndex(readBy);
        m_view->scrollTo(readBy);
    }
    Q_EMIT chainShown();
}

bool ProvenancePane::showReaders(What what, const QString& key)
{
    const int task = m_session->selectedTask();
    const quint64 step = m_session->viewStep();
    withIndex([this, what, key, task, step] { explainAt(what, key, task, step, true); });
    return true;
}

} // namespace doeff::views
