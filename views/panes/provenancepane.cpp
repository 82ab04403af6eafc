#include "provenancepane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QLabel>
#include <QRegularExpression>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

ProvenancePane::ProvenancePane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_title(new QLabel(this))
    , m_view(makeView(this, true))
{
    QVBoxLayout* layout = tightLayout(this);
    m_title->setText(tr("Right-click a Store or Environment key: Where did this come from?"));
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
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
        m_indexed = false;
        m_index = Provenance();
        m_model.setChain(m_index, -1);
        m_title->setText(tr("Right-click a Store or Environment key: Where did this come from?"));
    });
}

bool ProvenancePane::ensureIndex(QString* error)
{
    if (m_session->status() == RunStatus::Trace) {
        if (m_indexed) return true;
        TraceReader reader;
        if (!reader.open(m_session->traceFile())) {
            *error = reader.errorString();
            return false;
        }
        if (!m_index.build(reader, error)) return false;
    } else {
        const EventLog events = m_session->liveEvents();
        if (m_indexed && m_indexedEvents == quint64(events.size())) return true;
        Provenance index;
        const bool ok = events.forEach(
            0, events.size(),
            [&index](const Event& e) {
                index.add(e);
                return true;
            },
            error);
        index.finish();
        if (!ok) return false;
        m_index = std::move(index);
        m_indexedEvents = quint64(events.size());
    }
    m_indexed = true;
    return true;
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
    QString error;
    if (!ensureIndex(&error)) {
        m_model.setChain(m_index, -1);
        m_title->setText(tr("Could not read the run's events: %1").arg(error));
        return false;
    }
    const int id = task.captured(1).toInt();
    return show(m_index.taskResult(id), tr("The result of task %1").arg(id), readers);
}

bool ProvenancePane::explain(What what, const QString& key)
{
    QString error;
    if (!ensureIndex(&error)) {
        m_model.setChain(m_index, -1);
        m_title->setText(tr("Could not read the run's events: %1").arg(error));
        return false;
    }
    const int task = m_session->selectedTask();
    const quint64 step = m_session->viewStep();
    const int source = what == What::Store ? m_index.storeValue(task, key, step) : m_index.envValue(task, key, step);
    m_title->setText(
        (what == What::Store ? tr("Store key '%1' of task %2 at step %3") : tr("Env key '%1' of task %2 at step %3"))
            .arg(key)
            .arg(task)
            .arg(step));
    m_model.setChain(m_index, source, tr("No recorded source for this value."));
    m_view->expandAll();
    return true;
}

bool ProvenancePane::showReaders(What what, const QString& key)
{
    if (!explain(what, key)) return false;
    const QModelIndex readBy = m_model.index(m_model.rowCount() - 1, 0);
    m_view->setCurrentIndex(readBy);
    m_view->scrollTo(readBy);
    return true;
}

} // namespace doeff::views
