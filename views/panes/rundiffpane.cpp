#include "rundiffpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QFileInfo>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

RunDiffPane::RunDiffPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
    , m_label(new QLabel(this))
    , m_details(new QLabel(this))
    , m_progress(new QProgressBar(this))
    , m_job(m_progress)
{
    QVBoxLayout* layout = tightLayout(this);
    layout->addWidget(m_label);
    layout->addWidget(m_progress);
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
    m_view->setColumnWidth(RunDiffModel::StepColumn, 75);
    m_view->setColumnWidth(RunDiffModel::OtherStepColumn, 80);
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

RunDiffPane::~RunDiffPane() = default;

void RunDiffPane::clear()
{
    m_job.stop();
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
    m_job.stop();
    m_model.clear();
    showDetails(-1);
    m_other = path;
    if (!canCompare()) {
        setMessage(tr("Nothing to compare: open a trace or run a program first."));
        Q_EMIT compared();
        return false;
    }
    {
        TraceReader other; // checked here, so that a wrong file is named at once
        if (!other.open(path)) {
            setMessage(tr("Cannot compare: %1").arg(other.errorString()));
            Q_EMIT compared();
            return false;
        }
    }
    const quint64 finalStep = m_session->presentStep();
    setMessage(tr("Comparing with %1…").arg(QFileInfo(path).fileName()));
    struct Outcome {
        bool ok = false;
        RunDiff diff;
        QString error;
    };
    // The open run is read on the worker too: its trace file, or a snapshot of the live log.
    m_job.start(
        [path, mine = RunEvents::of(m_session)](const JobControl& control) {
            RunDiffOptions options;
            options.progress = [&control](quint64 done, quint64 total) { return control.progress(done, total); };
            Outcome outcome;
            TraceReader other;
            if (!other.open(path)) {
                outcome.error = other.errorString();
            } else if (mine.tracePath.isEmpty()) {
                outcome.ok = diffRunWithTrace(mine.events.toList(), other, outcome.diff, &outcome.error, options);
            } else {
                TraceReader reader;
                if (!reader.open(mine.tracePath))
                    outcome.error = reader.errorString();
                else
                    outcome.ok = diffTraces(reader, other, outcome.diff, &outcome.error, options);
            }
            return outcome;
        },
        [this, finalStep](Outcome outcome) { showResult(outcome.ok, outcome.diff, outcome.error, finalStep); });
    return true;
}

void RunDiffPane::showResult(bool ok, const RunDiff& diff, const QString& error, quint64 finalStep)
{
    if (!ok) {
        setMessage(tr("Cannot compare: %1").arg(error));
        Q_EMIT compared();
        return;
    }
    m_model.setDiff(diff, finalStep);
    const QString name = QFileInfo(m_other).fileName();
    if (diff.equal()) {
        setMessage(tr("This run and %1 are equal (%2 events).").arg(name, QLocale().toString(diff.eventsA)));
    } else {
        const QLocale locale;
        QString text = tr("This run against %1: %2 differences.").arg(name, locale.toString(m_model.rowCount()));
        if (diff.first)
            text += u' '
                + tr("First divergence at step %1 here, step %2 there (task %3, %4: %5).")
                      .arg(locale.toString(diff.first->stepA), locale.toString(diff.first->stepB))
                      .arg(diff.first->task)
                      .arg(diff.first->effect, diff.first->field);
        setMessage(text);
        if (const int first = m_model.firstRow(); first >= 0)
            m_view->selectionModel()->setCurrentIndex(m_model.index(first, 0),
                                                      QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    }
    Q_EMIT compared();
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
