#include "provenancepane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QRegularExpression>
#include <QThread>
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
{
    QVBoxLayout* layout = tightLayout(this);
    m_title->setText(tr("Right-click a Store or Environment key: Where did this come from?"));
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    m_progress->setRange(0, 1000);
    m_progress->setVisible(false);
    m_cancelButton->setText(tr("Cancel"));
    m_cancelButton->setObjectName(QStringLiteral("cancelProvenance"));
    m_cancelButton->setVisible(false);
    connect(m_cancelButton, &QToolButton::clicked, this, &ProvenancePane::cancel);
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
        stopWorker();
        m_pending = nullptr;
        m_indexed = false;
        m_index = Provenance();
        m_model.setChain(m_index, -1);
        m_title->setText(tr("Right-click a Store or Environment key: Where did this come from?"));
    });
}

ProvenancePane::~ProvenancePane()
{
    stopWorker();
}

void ProvenancePane::stopWorker()
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

void ProvenancePane::cancel()
{
    if (!m_worker) return;
    stopWorker();
    m_pending = nullptr;
    m_title->setText(tr("Building the index was cancelled."));
    Q_EMIT chainShown();
}

void ProvenancePane::withIndex(std::function<void()> then)
{
    const bool trace = m_session->status() == RunStatus::Trace;
    const EventLog events = trace ? EventLog() : m_session->liveEvents();
    if (m_indexed && (trace || m_indexedEvents == quint64(events.size()))) {
        stopWorker(); // an index for an older state of the run is no longer wanted
        m_pending = nullptr;
        then();
        return;
    }
    stopWorker();
    m_pending = std::move(then);
    const QString path = trace ? m_session->traceFile() : QString();
    const quint64 generation = m_generation;
    m_cancel = std::make_shared<std::atomic_bool>(false);
    auto cancel = m_cancel;
    QPointer<ProvenancePane> self(this);
    m_progress->setValue(0);
    m_progress->setVisible(true);
    m_cancelButton->setVisible(true);
    m_title->setText(tr("Indexing the run's events…"));
    m_worker = QThread::create([self, trace, path, events, cancel, generation] {
        auto index = std::make_shared<Provenance>();
        QString error;
        bool ok = true;
        quint64 done = 0;
        quint64 total = 0;
        const auto each = [&](const Event& e) {
            index->add(e);
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
        index->finish();
        QMetaObject::invokeMethod(
            self.data(),
            [self, generation, index, ok, error, done] {
                if (!self || self->m_generation != generation) return;
                self->m_worker->wait();
                delete self->m_worker;
                self->m_worker = nullptr;
                self->m_cancel.reset();
                self->m_progress->setVisible(false);
                self->m_cancelButton->setVisible(false);
                const std::function<void()> then = std::exchange(self->m_pending, nullptr);
                if (!ok) {
                    self->m_model.setChain(self->m_index, -1);
                    self->m_title->setText(tr("Could not read the run's events: %1").arg(error));
                    Q_EMIT self->chainShown();
                    return;
                }
                self->m_index = std::move(*index);
                self->m_indexedEvents = done;
                self->m_indexed = true;
                if (then) then();
            },
            Qt::QueuedConnection);
    });
    m_worker->start();
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
