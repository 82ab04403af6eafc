#pragma once

#include "backgroundjob.h"
#include "provenancemodel.h"

#include <doeff/provenance.h>

#include <QWidget>

#include <functional>
#include <memory>

class QLabel;
class QProgressBar;
class QToolButton;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Provenance: where a store or env value of the selected task came from at the viewed step,
/// as a tree back to the start of the run, and who read it. The index over the run's events
/// (live or the trace) is built when first asked and again when the run has moved on, on a
/// worker thread with a progress bar and a Cancel button; the question asked (for the task
/// and step selected when it was asked) is answered when the index is in. Clicking a row
/// travels to its step.
class ProvenancePane : public QWidget {
    Q_OBJECT
public:
    enum class What : quint8 { Store, Environment };
    explicit ProvenancePane(StudioSession* session, QWidget* parent = nullptr);
    ~ProvenancePane() override;
    ProvenanceModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    QLabel* titleLabel() { return m_title; }

    /// Shows where `key` in the selected task's store or env came from at the viewed step: at
    /// once when the index is up to date, else once it is built (chainShown()). The reason is
    /// in the title when the events could not be read.
    bool explain(What what, const QString& key);
    /// The same, then selects the "Read by" list.
    bool showReaders(What what, const QString& key);
    /// A watch expression (`counter`, `store:counter`, `env:name`, `task 2`: its result).
    bool explainWatch(const QString& expression, bool readers);

    /// The index is being built on the worker thread.
    bool isIndexing() const { return m_job.isRunning(); }
    /// Stops building the index; the question waiting for it is dropped.
    void cancel();

Q_SIGNALS:
    /// A chain (or the reason there is none) is shown.
    void chainShown();

private:
    /// Runs `then` with the index up to date: now, or when the worker has built it.
    void withIndex(std::function<void()> then);
    void indexCancelled();
    void explainAt(What what, const QString& key, int task, quint64 step, bool readers);
    bool show(int source, const QString& title, bool readers);

    StudioSession* m_session;
    ProvenanceModel m_model;
    QLabel* m_title;
    QProgressBar* m_progress;
    QToolButton* m_cancelButton;
    QTreeView* m_view;
    BackgroundJob m_job;
    std::function<void()> m_pending;
    Provenance m_index;
    quint64 m_indexedEvents = 0;
    bool m_indexed = false;
};

} // namespace doeff::views
