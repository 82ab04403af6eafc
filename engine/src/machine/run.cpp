// The two runners (RUNTIME.md §3, §7): the same machine, driven either by a blocking loop on
// the calling thread (sync_run) or by a coroutine on the calling thread's event loop (async_run).

#include "ambient.h"
#include "machine.h"

#include <doeff/run.h>

#include <QCoreApplication>
#include <QEventLoop>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <coroutine>
#include <utility>

#include <qcoro/qcorotimer.h>

namespace doeff::detail {

namespace {

/// Runs one awaitable to completion and posts its outcome; fire-and-forget (QCoro tasks
/// detach when dropped).
QCoro::Task<void> driveAwait(AwaitStarter start, std::weak_ptr<Mailbox> mailbox, quint64 id)
{
    QVariant value;
    std::exception_ptr error;
    try {
        value = co_await start();
    } catch (...) {
        error = std::current_exception();
    }
    if (auto m = mailbox.lock()) m->post(id, std::move(value), std::move(error));
}

/// A thread with its own event loop on which sync_run drives awaitables.
class AwaitThread {
public:
    AwaitThread()
    {
        m_context->moveToThread(&m_thread);
        m_thread.start();
    }
    ~AwaitThread()
    {
        QObject* context = m_context;
        QMetaObject::invokeMethod(
            context, [context] { delete context; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    void start(Machine::AwaitRequest request, std::weak_ptr<Mailbox> mailbox)
    {
        QMetaObject::invokeMethod(
            m_context,
            [start = std::move(request.start), mailbox = std::move(mailbox), id = request.id]() mutable {
                driveAwait(std::move(start), std::move(mailbox), id);
            },
            Qt::QueuedConnection);
    }

private:
    QThread m_thread;
    QObject* m_context = new QObject; // lives and dies on m_thread
};

std::chrono::steady_clock::time_point steadyDeadline(const Machine& m, qint64 clockDeadline)
{
    const qint64 delta = clockDeadline - m.nowMicros();
    return std::chrono::steady_clock::now() + std::chrono::microseconds(std::max<qint64>(0, delta));
}

} // namespace

std::shared_ptr<const ResultData> syncRunAny(AnyProgram program, HandlerList handlers, Env env, Store store,
                                             RunOptions options)
{
    const auto externalTimeout = options.external_wait_timeout;
    // e.g. the inspector for DOEFF_INSPECT (debugged from another process)
    const auto ambient = makeAmbientObservers(AmbientRunner::Sync);
    for (auto it = ambient.rbegin(); it != ambient.rend(); ++it) // the first added, first
        options.observers.prepend((*it)->observer());
    Machine m(std::move(handlers), std::move(env), std::move(store), std::move(options));
    m.start(std::move(program));
    std::unique_ptr<AwaitThread> awaitThread;
    for (;;) {
        if (m.abortRequested()) {
            m.abortRun();
            break;
        }
        m.pollCompletions();
        for (auto& r : m.takeAwaitRequests()) {
            if (!awaitThread) awaitThread = std::make_unique<AwaitThread>();
            awaitThread->start(std::move(r), m.mailbox());
        }
        if (m.hasReady()) {
            m.runTurn();
            continue;
        }
        if (m.finished()) break;
        if (m.replaying()) { // nothing to wait for: the recording says what came next
            if (!m.replayIdle()) m.resolveDeadlock();
            continue;
        }
        const bool timers = m.hasTimers();
        if (m.hasPendingAwaits()) {
            const auto deadline = timers && m.clock() == Clock::Real
                ? steadyDeadline(m, m.nextDeadline())
                : std::chrono::steady_clock::now() + std::chrono::hours(24);
            m.waitForCompletion(deadline);
            continue;
        }
        if (timers) {
            if (m.clock() == Clock::Simulated)
                m.advanceToNextDeadline();
            else
                m.waitForCompletion(steadyDeadline(m, m.nextDeadline()));
            continue;
        }
        if (m.hasExternalWaiters() && !m.hasPostedCompletions()) {
            m.waitForCompletion(std::chrono::steady_clock::now() + externalTimeout);
            if (m.hasPostedCompletions()) continue;
        }
        m.resolveDeadlock();
    }
    auto result = m.buildResult();
    m.announceFinished(*result);
    for (const auto& a : ambient)
        a->finish(RuntimeResultBase(result));
    return result;
}

namespace {
/// Wakes the async runner's coroutine, from any thread, or when a timeout passes. A hand-made
/// awaitable rather than awaiting a signal: wakes may pile up while the runner is busy, and a
/// queued signal connection would deliver the extras to an awaiter that no longer exists.
/// Here extra wakes coalesce into one queued call, and a wake with nobody waiting is a no-op
/// (the runner re-checks its mailbox before it waits again).
class Waker : public QObject {
public:
    Waker()
    {
        m_timer.setSingleShot(true);
        QObject::connect(&m_timer, &QTimer::timeout, this, &Waker::resume);
    }
    void wakeFromAnyThread()
    {
        if (m_posted.exchange(true)) return;
        QMetaObject::invokeMethod(
            this,
            [this] {
                m_posted = false;
                resume();
            },
            Qt::QueuedConnection);
    }
    /// Suspends until a wake or until `timeout` (negative: no timeout) passes.
    auto wait(std::chrono::milliseconds timeout)
    {
        struct Awaiter {
            Waker* waker;
            std::chrono::milliseconds timeout;
            bool await_ready() const noexcept { return false; }
            void await_suspend(std::coroutine_handle<> h)
            {
                waker->m_waiting = h;
                if (timeout.count() >= 0) waker->m_timer.start(timeout);
            }
            void await_resume() const noexcept { }
        };
        return Awaiter { this, timeout };
    }

private:
    void resume()
    {
        m_timer.stop();
        if (auto h = std::exchange(m_waiting, {})) h.resume();
    }
    std::coroutine_handle<> m_waiting;
    QTimer m_timer;
    std::atomic<bool> m_posted { false };
};
} // namespace

QCoro::Task<std::shared_ptr<const ResultData>> asyncRunAny(AnyProgram program, HandlerList handlers, Env env,
                                                           Store store, RunOptions options)
{
    using namespace std::chrono;
    const auto externalTimeout = options.external_wait_timeout;
    const auto ambient = makeAmbientObservers(AmbientRunner::Async);
    for (auto it = ambient.rbegin(); it != ambient.rend(); ++it) // the first added, first
        options.observers.prepend((*it)->observer());
    auto m = std::make_unique<Machine>(std::move(handlers), std::move(env), std::move(store), std::move(options));
    Waker waker;
    QPointer<Waker> guard(&waker);
    m->setWakeCallback([guard] {
        if (guard) guard->wakeFromAnyThread();
    });
    m->start(std::move(program));
    auto sliceStart = steady_clock::now();
    for (;;) {
        if (m->abortRequested()) {
            m->abortRun();
            break;
        }
        m->pollCompletions();
        for (auto& r : m->takeAwaitRequests())
            driveAwait(std::move(r.start), m->mailbox(), r.id);
        if (m->hasReady()) {
            m->runTurn();
            if (steady_clock::now() - sliceStart >= milliseconds(10)) {
                co_await QCoro::sleepFor(milliseconds(0));
                sliceStart = steady_clock::now();
            }
            continue;
        }
        if (m->finished()) break;
        if (m->replaying()) {
            if (!m->replayIdle()) m->resolveDeadlock();
            continue;
        }
        const bool timers = m->hasTimers();
        if (timers && m->clock() == Clock::Simulated && !m->hasPendingAwaits()) {
            m->advanceToNextDeadline();
            continue;
        }
        if (m->hasPendingAwaits() || timers || m->hasExternalWaiters()) {
            if (m->hasPostedCompletions()) continue;
            milliseconds timeout = m->hasPendingAwaits() ? milliseconds(-1) : externalTimeout;
            if (timers && m->clock() == Clock::Real) {
                const qint64 deltaUs = std::max<qint64>(0, m->nextDeadline() - m->nowMicros());
                timeout = milliseconds((deltaUs + 999) / 1000);
            }
            const bool onlyExternal = !m->hasPendingAwaits() && !timers;
            co_await waker.wait(timeout);
            sliceStart = steady_clock::now();
            if (onlyExternal && !m->hasPostedCompletions()) m->resolveDeadlock();
            continue;
        }
        m->resolveDeadlock();
    }
    m->setWakeCallback({});
    auto result = m->buildResult();
    m->announceFinished(*result);
    for (const auto& a : ambient)
        a->finish(RuntimeResultBase(result));
    co_return result;
}

} // namespace doeff::detail
