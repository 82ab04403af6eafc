#include "backgroundjob.h"

#include "studiosession.h"

#include <doeff/trace.h>

#include <QAbstractButton>
#include <QProgressBar>
#include <QThread>

namespace doeff::views {

bool JobControl::progress(quint64 done, quint64 total) const
{
    const int permille = total ? int(std::min(done, total) * 1000 / total) : 1000;
    // one queued update per visible change of the bar, however often the worker reports
    if (m_permille.exchange(permille, std::memory_order_relaxed) != permille) {
        BackgroundJob* job = m_job;
        const quint64 generation = m_generation;
        QMetaObject::invokeMethod(
            job, [job, generation, permille] { job->showProgress(generation, permille); }, Qt::QueuedConnection);
    }
    return !cancelled();
}

BackgroundJob::BackgroundJob(QProgressBar* bar, QAbstractButton* cancelButton, QObject* parent)
    : QObject(parent)
    , m_bar(bar)
    , m_cancelButton(cancelButton)
{
    m_bar->setRange(0, 1000);
    m_bar->setVisible(false);
    if (m_cancelButton) {
        m_cancelButton->setVisible(false);
        connect(m_cancelButton, &QAbstractButton::clicked, this, [this] {
            if (stop()) Q_EMIT cancelledByUser();
        });
    }
}

BackgroundJob::~BackgroundJob()
{
    stop();
}

bool BackgroundJob::stop()
{
    ++m_generation; // a result or progress already queued is for a job no longer wanted
    if (m_control) m_control->m_cancelled.store(true, std::memory_order_relaxed);
    const bool running = m_thread != nullptr;
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
    m_control.reset();
    m_bar->setVisible(false);
    if (m_cancelButton) m_cancelButton->setVisible(false);
    return running;
}

void BackgroundJob::launch(std::function<std::function<void()>(const JobControl&)> work)
{
    stop();
    auto control = std::make_shared<JobControl>();
    control->m_job = this;
    control->m_generation = m_generation;
    m_control = control;
    m_bar->setValue(0);
    m_bar->setVisible(true);
    if (m_cancelButton) m_cancelButton->setVisible(true);
    // The worker may use `this` only to queue calls: stop() waits for it before the job can go.
    m_thread = QThread::create([this, control, work = std::move(work)]() mutable {
        std::function<void()> finish = work(*control);
        const quint64 generation = control->m_generation;
        QMetaObject::invokeMethod(
            this,
            [this, generation, finish = std::move(finish)] {
                if (generation != m_generation) return;
                stop(); // the worker has returned: this only joins it and hides the progress
                finish();
            },
            Qt::QueuedConnection);
    });
    m_thread->start();
}

void BackgroundJob::showProgress(quint64 generation, int permille)
{
    if (generation == m_generation && m_thread) m_bar->setValue(permille);
}

RunEvents RunEvents::of(const StudioSession* session)
{
    RunEvents events;
    if (session->status() == RunStatus::Trace)
        events.tracePath = session->traceFile();
    else
        events.events = session->liveEvents();
    return events;
}

bool RunEvents::forEach(const std::function<bool(const Event&)>& fn, const JobControl& control, QString* error,
                        quint64* count) const
{
    quint64 done = 0;
    quint64 total = 0;
    bool stopped = false;
    const auto each = [&](const Event& e) {
        if ((++done % 65536) == 0 && !control.progress(done, total)) {
            stopped = true;
            return false;
        }
        return fn(e);
    };
    bool ok = true;
    if (!tracePath.isEmpty()) {
        TraceReader reader;
        ok = reader.open(tracePath);
        if (ok) {
            total = reader.eventCount();
            ok = reader.forEachEvent(0, total, each);
        }
        if (!ok && !stopped && error) *error = reader.errorString();
    } else {
        total = quint64(events.size());
        ok = events.forEach(0, events.size(), each, error);
    }
    if (count) *count = done;
    return ok && !stopped;
}

} // namespace doeff::views
