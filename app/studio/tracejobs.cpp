// MainWindow: opening and exporting traces as cancellable jobs on the thread pool, with progress
// in the status bar.
#include "mainwindow.h"

#include <runcontroller.h>
#include <studiosession.h>
#include <traceio.h>

#include <QFileDialog>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLabel>
#include <QProgressBar>
#include <QPromise>
#include <QTemporaryDir>
#include <QToolButton>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace doeff::studio {

template<class R>
void MainWindow::startJob(const QString& label, std::function<R(const std::function<bool(quint64, quint64)>&)> work,
                          std::function<void(const R&, bool cancelled)> done)
{
    const quint64 generation = ++m_jobGeneration;
    QFuture<R> future = QtConcurrent::run([work](QPromise<R>& promise) {
        promise.setProgressRange(0, 1000);
        const auto progress = [&promise](quint64 doneCount, quint64 total) {
            if (total > 0) promise.setProgressValue(int(doneCount * 1000 / total));
            return !promise.isCanceled();
        };
        promise.addResult(work(progress));
    });
    auto* watcher = new QFutureWatcher<R>(this);
    connect(watcher, &QFutureWatcherBase::progressValueChanged, m_progress, [this](int v) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(v);
    });
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, done] {
        watcher->deleteLater();
        if (generation != m_jobGeneration) return;
        const QFuture<R> f = watcher->future();
        endJob();
        if (f.resultCount() > 0)
            done(f.result(), f.isCanceled());
        else
            done(R(), true);
    });
    watcher->setFuture(future);
    m_job = QFuture<void>(future);
    m_jobLabel->setText(label);
    m_progress->setRange(0, 0); // busy until the first progress report
    m_jobLabel->show();
    m_progress->show();
    m_cancelJob->show();
    updateActions();
}

void MainWindow::endJob()
{
    m_job = QFuture<void>();
    m_jobLabel->hide();
    m_progress->hide();
    m_cancelJob->hide();
    updateActions();
}

void MainWindow::cancelJob()
{
    m_job.cancel();
}

bool MainWindow::openTrace(const QString& path)
{
    if (isBusy()) {
        showMessage(tr("Wait for the current load or export to finish (or cancel it) before opening %1.").arg(path));
        return false;
    }
    const QString file = path;
    startJob<std::shared_ptr<views::LoadedTrace>>(
        tr("Opening %1…").arg(QFileInfo(path).fileName()),
        [file](const views::Progress& progress) {
            return views::loadTrace(file, progress, /*recoverUnfinished=*/true);
        },
        [this, file](const std::shared_ptr<views::LoadedTrace>& trace, bool cancelled) {
            if (cancelled || !trace || trace->cancelled) {
                showMessage(tr("Opening %1 was cancelled.").arg(file), false);
                Q_EMIT fileFailed(file, tr("cancelled"));
                return;
            }
            finishTraceLoad(trace);
        });
    return true;
}

void MainWindow::finishTraceLoad(const std::shared_ptr<views::LoadedTrace>& trace)
{
    if (!trace->error.isEmpty()) {
        reportFileError(tr("Open Trace"), trace->path, tr("Could not open the trace: %1").arg(trace->error));
        return;
    }
    // An input log (doeff-run --record-inputs) holds only what its run took in: its steps are
    // in the replay, when its program is here to run; else it opens as what it is.
    const QString name = QFileInfo(trace->path).fileName();
    const bool inputLog = trace->reader && trace->reader->metadata().inputsOnly();
    const QString program = inputLog ? trace->reader->metadata().program : QString();
    if (inputLog && programNamed(program)) {
        if (replayTrace(trace->path)) {
            addRecentFile(trace->path);
            showMessage(tr("%1 is an input log: it holds only what the run took in, so it is replayed to show every "
                           "step.")
                            .arg(name),
                        false);
            Q_EMIT traceOpened(trace->path);
        } else {
            Q_EMIT fileFailed(trace->path, tr("%1 was not replayed.").arg(trace->path));
        }
        return;
    }
    if (!confirmReplace(tr("open %1").arg(name))) {
        Q_EMIT fileFailed(trace->path, tr("%1 was not opened: the live run was kept.").arg(trace->path));
        return;
    }
    documentOpened();
    m_run->shutdown();
    m_session->openTrace(*trace);
    // a stopped recorder's trace opens up to its last complete frame: say what was kept
    if (!trace->notice.isEmpty()) showMessage(trace->notice, false);
    if (inputLog)
        showMessage(tr("%1 is an input log: it shows only what the run took in. Open the library of its program %2 "
                       "(File ▸ Open Program Library…) and replay it to see every step.")
                        .arg(name, program),
                    false);
    addRecentFile(trace->path);
    updateActions();
    Q_EMIT traceOpened(trace->path);
}

bool MainWindow::exportTrace(views::TraceFormat format, const QString& path)
{
    if (isBusy() || !m_session->canExportTrace()) {
        showMessage(isBusy() ? tr("Wait for the current load or export to finish before exporting.")
                             : tr("There is no run or trace to export."));
        return false;
    }
    views::TraceSource source;
    if (m_session->status() == views::RunStatus::Trace) {
        source.file = m_session->traceFile();
    } else {
        source.events = m_session->liveEvents();
        source.program = m_session->programName();
    }
    const QString target = path;
    startJob<QString>(
        tr("Exporting to %1…").arg(QFileInfo(path).fileName()),
        [source, format, target](const views::Progress& progress) {
            return views::exportTrace(source, format, target, progress);
        },
        [this, target](const QString& error, bool cancelled) {
            const QString problem = cancelled ? tr("cancelled") : error;
            if (!problem.isEmpty()) {
                reportFileError(tr("Export Trace"), target, tr("Could not export the trace: %1").arg(problem));
            } else {
                showMessage(tr("Exported the trace to %1.").arg(target), false);
                if (target.endsWith(u".doefftrace"_s)) addRecentFile(target);
            }
            Q_EMIT exportFinished(target, problem);
        });
    return true;
}

bool MainWindow::exportForBranch(const WhatIfRequest& request)
{
    if (isBusy()) {
        showMessage(tr("Wait for the current load or export to finish (or cancel it) before branching."));
        return false;
    }
    auto scratch = std::make_shared<QTemporaryDir>();
    if (!scratch->isValid()) {
        showMessage(
            tr("Cannot branch: no scratch directory for the run's recording (%1).").arg(scratch->errorString()));
        return false;
    }
    views::TraceSource source;
    source.events = m_session->liveEvents();
    source.program = m_session->programName();
    const QString target = scratch->filePath(u"run.doefftrace"_s);
    startJob<QString>(
        tr("Recording the run for the branch…"),
        [source, target](const views::Progress& progress) {
            return views::exportTrace(source, views::TraceFormat::Native, target, progress);
        },
        [this, target, scratch, request](const QString& error, bool cancelled) {
            if (cancelled || !error.isEmpty()) {
                showMessage(
                    tr("Cannot branch: the run could not be recorded: %1").arg(cancelled ? tr("cancelled") : error));
                return;
            }
            openBranch(target, request, scratch);
        });
    return true;
}

void MainWindow::openTraceDialog()
{
    const QString path
        = QFileDialog::getOpenFileName(this, tr("Open Trace"), {}, tr("Doeff traces (*.doefftrace);;All files (*)"));
    if (!path.isEmpty()) openTrace(path);
}

void MainWindow::exportTraceDialog(views::TraceFormat format)
{
    QString suffix = u".doefftrace"_s, filter = tr("Doeff traces (*.doefftrace)");
    if (format == views::TraceFormat::Json) {
        suffix = u".json"_s;
        filter = tr("JSON (*.json)");
    } else if (format == views::TraceFormat::Perfetto) {
        suffix = u".perfetto.json"_s;
        filter = tr("Chrome Trace Event JSON for Perfetto (*.json)");
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Trace"), m_session->programName() + suffix,
                                                      filter + tr(";;All files (*)"));
    if (!path.isEmpty()) exportTrace(format, path);
}

} // namespace doeff::studio
