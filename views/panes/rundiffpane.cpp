#include "rundiffpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QApplication>
#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

RunDiffPane::RunDiffPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
    , m_label(new QLabel(this))
    , m_details(new QLabel(this))
{
    QVBoxLayout* layout = tightLayout(this);
    layout->addWidget(m_label);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_details);
    m_label->setContentsMargins(4, 2, 4, 2);
    m_details->setContentsMargins(4, 2, 4, 2);
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::PlainText);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_label->setWordWrap(true);
    m_label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(RunDiffModel::WhatColumn, 190);
    m_view->setColumnWidth(RunDiffModel::StepColumn, 60);
    m_view->setColumnWidth(RunDiffModel::OtherStepColumn, 75);
    m_view->setColumnWidth(RunDiffModel::TaskColumn, 45);
    m_view->setColumnWidth(RunDiffModel::DiffersColumn, 80);
    m_view->setColumnWidth(RunDiffModel::ThisColumn, 330);
    connect(m_view, &QTreeView::clicked, this, [this](const QModelIndex& index) { travelTo(index.row()); });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex& index) { showDetails(index.row()); });
    connect(m_session, &StudioSession::documentOpened, this, &RunDiffPane::clear);
    clear();
}

void RunDiffPane::setMessage(const QString& text)
{
    m_label->setText(text);
}

QString RunDiffPane::summary() const
{
    return m_label->text();
}

QString RunDiffPane::details() const
{
    return m_details->text();
}

void RunDiffPane::showDetails(int row)
{
    if (row < 0 || row >= m_model.rows().size()) {
        m_details->clear();
        m_details->setVisible(false);
        return;
    }
    const RunDiffModel::Row& r = m_model.rows().at(row);
    const QString differs = r.differs.startsWith(u"missing") ? r.differs : tr("%1 differs").arg(r.differs);
    m_details->setText(tr("%1: %2\nThis run: %3\nOther run: %4").arg(r.what, differs, r.a, r.b));
    m_details->setVisible(true);
}

void RunDiffPane::clear()
{
    m_other.clear();
    m_model.clear();
    showDetails(-1);
    setMessage(tr("Compare the open run with another recorded run: File ▸ Compare With…"));
}

bool RunDiffPane::canCompare() const
{
    return m_session->status() == RunStatus::Trace || !m_session->liveEvents().isEmpty();
}

bool RunDiffPane::compareWith(const QString& path)
{
    m_model.clear();
    showDetails(-1);
    m_other = path;
    if (!canCompare()) {
        setMessage(tr("Nothing to compare: open a trace or run a program first."));
        return false;
    }
    TraceReader other;
    if (!other.open(path)) {
        setMessage(tr("Cannot compare: %1").arg(other.errorString()));
        return false;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    RunDiff diff;
    QString error;
    bool ok = false;
    if (m_session->status() == RunStatus::Trace) {
        TraceReader mine;
        ok = mine.open(m_session->traceFile());
        if (!ok)
            error = mine.errorString();
        else
            ok = diffTraces(mine, other, diff, &error);
    } else {
        ok = diffRunWithTrace(m_session->liveEvents().toList(), other, diff, &error);
    }
    QApplication::restoreOverrideCursor();
    if (!ok) {
        setMessage(tr("Cannot compare: %1").arg(error));
        return false;
    }
    m_model.setDiff(diff, m_session->presentStep());
    const QString name = QFileInfo(path).fileName();
    if (diff.equal()) {
        setMessage(tr("This run and %1 are equal (%2 events).").arg(name).arg(diff.eventsA));
    } else {
        QString text = tr("This run against %1: %2 differences.").arg(name).arg(m_model.rowCount());
        if (diff.first)
            text += u' '
                + tr("First divergence at step %1 here, step %2 there (task %3, %4: %5).")
                      .arg(diff.first->stepA)
                      .arg(diff.first->stepB)
                      .arg(diff.first->task)
                      .arg(diff.first->effect, diff.first->field);
        setMessage(text);
        if (const int first = m_model.firstRow(); first >= 0)
            m_view->selectionModel()->setCurrentIndex(m_model.index(first, 0),
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    Q_EMIT compared();
    return true;
}

void RunDiffPane::travelTo(int row)
{
    if (row < 0 || row >= m_model.rows().size()) return;
    const RunDiffModel::Row& r = m_model.rows().at(row);
    if (!r.hasStep) return;
    if (r.task >= 0) m_session->setSelectedTask(r.task);
    if (m_session->history()) m_session->goToStep(r.step);
}

} // namespace doeff::views
