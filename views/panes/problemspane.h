#pragma once

#include "backgroundjob.h"
#include "problemmodel.h"

#include <doeff/problems.h>

#include <QWidget>

#include <memory>

class QLabel;
class QProgressBar;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Problems: the lints of doeff/problems.h for the open document. A live run is linted as its
/// events arrive; an opened trace on a worker thread, with a progress bar (a new document
/// cancels it); a saved result from what it keeps. Clicking a problem selects its task and
/// travels to its step.
class ProblemsPane : public QWidget {
    Q_OBJECT
public:
    explicit ProblemsPane(StudioSession* session, QWidget* parent = nullptr);
    ~ProblemsPane() override;
    ProblemModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    /// A trace is being linted on the worker thread.
    bool isComputing() const { return m_job.isRunning(); }
    QString summary() const;
    /// Selects the problem's task and shows its step (what a click does).
    void travelTo(int row);

Q_SIGNALS:
    /// The list changed (a live batch, a trace's worker finished, a result loaded).
    void problemsChanged();

private:
    void restart();
    void refresh();
    void startTrace(const QString& path);
    void setList(const QList<Problem>& problems);

    StudioSession* m_session;
    ProblemModel m_model;
    QTreeView* m_view;
    QLabel* m_label;
    QProgressBar* m_progress;
    std::unique_ptr<ProblemFinder> m_live;
    qsizetype m_fed = 0;
    bool m_resultShown = false;
    bool m_traceStarted = false;
    BackgroundJob m_job;
};

} // namespace doeff::views
