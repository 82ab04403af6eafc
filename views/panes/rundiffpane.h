#pragma once

#include "backgroundjob.h"
#include "rundiffmodel.h"

#include <QWidget>

class QLabel;
class QProgressBar;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Compare: the open run (a trace, or a live session's recorded history) against another
/// recorded run (a .doefftrace), aligned by effect per task (doeff/rundiff.h). Lists every
/// difference with the first divergence selected; clicking a row selects its task and travels
/// the open run to its step. The comparison runs on a worker thread with a progress bar; a new
/// document (or another comparison) cancels it and clears the list.
class RunDiffPane : public QWidget {
    Q_OBJECT
public:
    explicit RunDiffPane(StudioSession* session, QWidget* parent = nullptr);
    ~RunDiffPane() override;
    RunDiffModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    QString summary() const;
    /// The current row's two sides in full, under the list.
    QString details() const;
    /// Whether there is an open run to compare (a trace, or a run with a history).
    bool canCompare() const;
    /// Starts comparing the open run with the trace at `path` on a worker thread; compared() says
    /// when the list is there. False at once, with the reason in summary(), when there is no run
    /// to compare or `path` is not a trace (compared() is emitted then too).
    bool compareWith(const QString& path);
    /// A comparison is running on the worker thread.
    bool isComputing() const { return m_job.isRunning(); }
    /// The other run's file (empty before a comparison).
    QString otherFile() const { return m_other; }
    /// Selects the row's task and shows its step in the open run (what a click does).
    void travelTo(int row);

Q_SIGNALS:
    /// A comparison ended: the list and summary() show its outcome.
    void compared();

private:
    void clear();
    void setMessage(const QString& text);
    void showDetails(int row);
    void showResult(bool ok, const RunDiff& diff, const QString& error, quint64 finalStep);

    StudioSession* m_session;
    RunDiffModel m_model;
    QTreeView* m_view;
    QLabel* m_label;
    QLabel* m_details;
    QProgressBar* m_progress;
    QString m_other;
    BackgroundJob m_job;
};

} // namespace doeff::views
