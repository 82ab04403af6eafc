#pragma once

#include <doeff/observer.h>

#include "history.h"

#include <QObject>

#include <atomic>
#include <functional>
#include <memory>
#include <type_traits>

class QAbstractButton;
class QProgressBar;
class QThread;

namespace doeff::views {

class StudioSession;

/// What a job's worker sees of its job: where to report progress and whether it is still wanted.
class JobControl {
public:
    /// Reports `done` of `total` (the bar shows a whole bar when `total` is 0). Returns false once
    /// the job has been cancelled: the worker should stop then.
    bool progress(quint64 done, quint64 total) const;
    bool cancelled() const { return m_cancelled.load(std::memory_order_relaxed); }

private:
    friend class BackgroundJob;
    class BackgroundJob* m_job = nullptr;
    quint64 m_generation = 0;
    std::atomic_bool m_cancelled { false };
    mutable std::atomic_int m_permille { -1 };
};

/// One computation at a time on a worker thread, for a pane that must not freeze the window:
/// starting a job cancels the one running, only the newest job's result reaches the GUI thread,
/// and a progress bar (and a Cancel button, when there is one) is shown while it runs. The
/// worker never touches the pane: it gets a JobControl, and hands back a value that `done`
/// receives on the GUI thread. Destroying the job cancels it and waits for the worker.
class BackgroundJob : public QObject {
    Q_OBJECT
public:
    /// `bar` (0–1000) and `cancelButton` are hidden until a job runs; a click on `cancelButton`
    /// is cancel().
    explicit BackgroundJob(QProgressBar* bar, QAbstractButton* cancelButton = nullptr, QObject* parent = nullptr);
    ~BackgroundJob() override;

    /// Runs `work(const JobControl&)` on a worker thread, then `done(result)` on this thread —
    /// unless the job was cancelled or replaced meanwhile.
    template<class Work, class Done> void start(Work work, Done done)
    {
        using Result = std::invoke_result_t<Work&, const JobControl&>;
        launch([work = std::move(work),
                done = std::move(done)](const JobControl& control) mutable -> std::function<void()> {
            auto result = std::make_shared<Result>(work(control));
            return [done = std::move(done), result]() mutable { done(std::move(*result)); };
        });
    }
    /// Cancels the running job, waits for its worker and hides the progress; its `done` is never
    /// called. Returns whether a job was running.
    bool stop();
    bool isRunning() const { return m_thread != nullptr; }

Q_SIGNALS:
    /// The user clicked Cancel (after the job stopped).
    void cancelledByUser();

private:
    friend class JobControl;
    void launch(std::function<std::function<void()>(const JobControl&)> work);
    void showProgress(quint64 generation, int permille);

    QProgressBar* m_bar;
    QAbstractButton* m_cancelButton;
    QThread* m_thread = nullptr;
    std::shared_ptr<JobControl> m_control;
    quint64 m_generation = 0;
};

/// The open run's events, taken on the GUI thread and read on a worker: an opened trace's path,
/// or a snapshot of the live run's log (a cheap copy).
struct RunEvents {
    static RunEvents of(const StudioSession* session);

    /// Streams every event to `fn`, reporting progress to `control`. False, with `error`, when
    /// the events cannot be read; false when the job was cancelled or `fn` returned false.
    /// `count` receives how many events were read.
    bool forEach(const std::function<bool(const Event&)>& fn, const JobControl& control, QString* error,
                 quint64* count = nullptr) const;

    QString tracePath; ///< empty for a live run
    EventLog events;
};

} // namespace doeff::views
