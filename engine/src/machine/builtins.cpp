// The preset handlers (scheduler, time, await, core) and the built-in effects of core, time and
// await (the scheduler's are in tasks.cpp).

#include "machine.h"

#include <doeff/errors.h>
#include <doeff/sourceinfo.h>
#include <doeff/value.h>

#include <cmath>

namespace doeff::detail {

namespace {

const QString& graphKey()
{
    static const QString k = QStringLiteral("__graph__");
    return k;
}
const QString& cacheKey()
{
    static const QString k = QStringLiteral("__cache_storage__");
    return k;
}

QString numberText(double v)
{
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

} // namespace

// ---- scoped constructs -------------------------------------------------------------------

Outcome Machine::scoped(DispatchState& d, FrameKind kind, const SharedProgram& body, std::shared_ptr<void> data)
{
    Outcome o = Outcome::start(body ? AnyProgram(*body) : AnyProgram(), d.node >= 0 ? d.node : d.parentNode,
                               Outcome::RunScoped);
    o.run->frame.kind = kind;
    o.run->frame.node = d.node;
    o.run->frame.data = std::move(data);
    return o;
}

// ---- core --------------------------------------------------------------------------------

Outcome Machine::handleCore(DispatchState& d)
{
    TaskRec* t = d.task;
    Store& store = *t->store;
    switch (d.effect.builtin()) {
    case AskEffect::builtinId: {
        const auto* e = d.effect.as<AskEffect>();
        auto it = t->env.constFind(e->key);
        if (it == t->env.cend()) return Outcome::thrown(raise<MissingEnvKeyError>(t, d.node, e->key));
        if (it->metaType() == QMetaType::fromType<Lazy>()) return askLazy(d, it->value<Lazy>(), e->key);
        return Outcome::resume(*it);
    }
    case LocalEffect::builtinId: {
        const auto* e = d.effect.as<LocalEffect>();
        Outcome o = scoped(d, FrameKind::Local, e->body);
        o.run->frame.data = std::make_shared<Env>(t->env);
        Env merged = t->env;
        for (auto it = e->overrides.cbegin(); it != e->overrides.cend(); ++it)
            merged.insert(it.key(), it.value());
        o.run->env = std::move(merged);
        return o;
    }
    case GetEffect::builtinId: {
        const auto* e = d.effect.as<GetEffect>();
        const QVariant* v = store.find(e->key, keyHint(e->key));
        if (!v) return Outcome::thrown(raise<MissingStoreKeyError>(t, d.node, e->key));
        return Outcome::resume(*v);
    }
    case PutEffect::builtinId: {
        const auto* e = d.effect.as<PutEffect>();
        writeStore(t, e->key, e->value);
        return Outcome::resume();
    }
    case ModifyEffect::builtinId: {
        const auto* e = d.effect.as<ModifyEffect>();
        const QVariant* old = store.find(e->key);
        QVariant next = e->fn(old ? *old : QVariant());
        writeStore(t, e->key, next);
        return Outcome::resume(std::move(next));
    }
    case TellEffect::builtinId:
        appendLog(t, d.effect.as<TellEffect>()->message);
        return Outcome::resume();
    case StructuredLogEffect::builtinId:
        appendLog(t, QVariantList { d.effect.as<StructuredLogEffect>()->entry });
        return Outcome::resume();
    case ListenEffect::builtinId:
        return scoped(d, FrameKind::Listen, d.effect.as<ListenEffect>()->body, std::make_shared<QVariantList>());
    case SafeEffect::builtinId:
        return scoped(d, FrameKind::Safe, d.effect.as<SafeEffect>()->body);
    case InterceptEffect::builtinId: {
        const auto* e = d.effect.as<InterceptEffect>();
        if (!e->transforms || e->transforms->isEmpty())
            return Outcome::thrown(
                raise<InvalidArgumentError>(t, d.node, QStringLiteral("Intercept requires at least one transform")));
        return scoped(d, FrameKind::Intercept, e->body, std::const_pointer_cast<QList<TransformFn>>(e->transforms));
    }
    case IOEffect::builtinId:
        return Outcome::resume(d.effect.as<IOEffect>()->fn());
    case CachePutEffect::builtinId: {
        const auto* e = d.effect.as<CachePutEffect>();
        if (e->policy.ttl && !(*e->policy.ttl > 0))
            return Outcome::thrown(raise<InvalidArgumentError>(
                t, d.node, QStringLiteral("ttl must be positive, got ") + numberText(*e->policy.ttl)));
        QVariantMap cache = store.value(cacheKey()).toMap();
        cache.insert(e->key, e->value);
        writeStore(t, cacheKey(), cache);
        return Outcome::resume();
    }
    case CacheGetEffect::builtinId: {
        const auto* e = d.effect.as<CacheGetEffect>();
        const QVariantMap cache = store.value(cacheKey()).toMap();
        auto it = cache.constFind(e->key);
        if (it == cache.cend()) return Outcome::thrown(raise<CacheMissError>(t, d.node, e->key));
        return Outcome::resume(*it);
    }
    case CacheExistsEffect::builtinId:
        return Outcome::resume(store.value(cacheKey()).toMap().contains(d.effect.as<CacheExistsEffect>()->key));
    case CacheDeleteEffect::builtinId: {
        const auto* e = d.effect.as<CacheDeleteEffect>();
        QVariantMap cache = store.value(cacheKey()).toMap();
        const bool removed = cache.remove(e->key) > 0;
        if (removed) writeStore(t, cacheKey(), cache);
        return Outcome::resume(removed);
    }
    case AtomicGetEffect::builtinId: {
        const auto* e = d.effect.as<AtomicGetEffect>();
        if (const QVariant* v = store.find(e->key)) return Outcome::resume(*v);
        if (!e->defaultFactory) return Outcome::resume();
        QVariant v = e->defaultFactory();
        writeStore(t, e->key, v);
        return Outcome::resume(std::move(v));
    }
    case AtomicUpdateEffect::builtinId: {
        const auto* e = d.effect.as<AtomicUpdateEffect>();
        QVariant old;
        if (const QVariant* v = store.find(e->key))
            old = *v;
        else if (e->defaultFactory)
            old = e->defaultFactory();
        QVariant next = e->updater(old);
        writeStore(t, e->key, next);
        return Outcome::resume(std::move(next));
    }
    case ProgramCallFrameEffect::builtinId: {
        const int depth = d.effect.as<ProgramCallFrameEffect>()->depth;
        if (depth < 0)
            return Outcome::thrown(raise<InvalidArgumentError>(
                t, d.node, QStringLiteral("depth must be non-negative, got %1").arg(depth)));
        const QList<CallFrame> stack = callStack(d);
        if (depth >= stack.size())
            return Outcome::thrown(raise<OutOfRangeError>(
                t, d.node,
                QStringLiteral("Call stack depth %1 exceeds available frames (%2)").arg(depth).arg(stack.size())));
        return Outcome::resume(QVariant::fromValue(stack.at(depth)));
    }
    case ProgramCallStackEffect::builtinId:
        return Outcome::resume(QVariant::fromValue(callStack(d)));
    case StepEffect::builtinId: {
        const auto* e = d.effect.as<StepEffect>();
        QVariantList graph = store.value(graphKey()).toList();
        graph.append(QVariantMap { { QStringLiteral("meta"), e->meta }, { QStringLiteral("value"), e->value } });
        writeStore(t, graphKey(), graph);
        return Outcome::resume(e->value);
    }
    case AnnotateEffect::builtinId: {
        const auto* e = d.effect.as<AnnotateEffect>();
        QVariantList graph = store.value(graphKey()).toList();
        if (!graph.isEmpty()) {
            QVariantMap node = graph.last().toMap();
            QVariantMap meta = node.value(QStringLiteral("meta")).toMap();
            for (auto it = e->meta.cbegin(); it != e->meta.cend(); ++it)
                meta.insert(it.key(), it.value());
            node.insert(QStringLiteral("meta"), meta);
            graph.last() = node;
            writeStore(t, graphKey(), graph);
        }
        return Outcome::resume();
    }
    case SnapshotEffect::builtinId:
        return Outcome::resume(store.value(graphKey()).toList());
    case CaptureGraphEffect::builtinId:
        return scoped(d, FrameKind::GraphCapture, d.effect.as<CaptureGraphEffect>()->body,
                      std::make_shared<std::vector<qsizetype>>());
    default:
        return Outcome();
    }
}

QList<CallFrame> Machine::callStack(const DispatchState& d) const
{
    QList<CallFrame> out;
    TaskRec* t = d.task;
    int index = int(t->k.size()) - 1;
    while (t) {
        TaskRec* next = nullptr;
        int nextIndex = -1;
        for (int i = index; i >= 0; --i) {
            const Frame& f = t->k[i];
            if (f.kind == FrameKind::Program) {
                const PromiseBase* p = f.program.get();
                CallFrame cf;
                cf.function = functionDisplayNameOfStatic(p->definition().function_name());
                const std::source_location loc = p->suspended() ? p->site() : p->definition();
                cf.file = QString::fromUtf8(loc.file_name());
                cf.line = int(loc.line());
                cf.depth = int(out.size());
                cf.task = t->id;
                out.append(cf);
            } else if (f.kind == FrameKind::Handling) {
                auto hs = std::static_pointer_cast<HandlingState>(f.data);
                next = hs->after.task;
                nextIndex = hs->after.index;
                break;
            } else if (f.kind == FrameKind::GatherBranch) {
                next = task(t->parent);
                nextIndex = next ? int(next->k.size()) - 1 : -1;
                break;
            }
        }
        t = next;
        index = nextIndex;
    }
    return out;
}

Outcome Machine::askLazy(DispatchState& d, const Lazy& lazy, const QString& key)
{
    TaskRec* t = d.task;
    std::shared_ptr<LazyEntry>& slot = m_lazy[lazy.identity()];
    if (!slot) {
        slot = std::make_shared<LazyEntry>();
        slot->identity = lazy.identity();
        slot->key = key;
    }
    std::shared_ptr<LazyEntry> entry = slot;
    if (entry->cached) return Outcome::resume(entry->value);
    if (entry->evaluating) {
        if (isAncestorOrSelf(entry->evaluator, t))
            return Outcome::thrown(raise<CircularAskError>(
                t, d.node, QStringLiteral("Circular dependency detected for Ask(") + repr(key) + QStringLiteral(")")));
        BlockPtr b = BlockPtr::make(BlockOp::Lazy, t->id);
        b->effectNode = d.node;
        BlockOp::LazyPart& lazyPart = b->lazy();
        lazyPart.label = QStringLiteral("Ask(") + repr(key) + QStringLiteral(")");
        lazyPart.evaluator = entry->evaluator;
        lazyPart.entry = entry;
        entry->waiters.push_back(b);
        blockOn(t, b, TaskState::Blocked);
        return Outcome::block();
    }
    entry->evaluating = true;
    entry->evaluator = t->id;
    Outcome o = scoped(d, FrameKind::AskLazy, detail::share(lazy.make()), entry);
    return o;
}

bool Machine::isAncestorOrSelf(int ancestor, TaskRec* t) const
{
    for (TaskRec* x = t; x; x = x->kind == TaskKind::Branch ? task(x->parent) : nullptr)
        if (x->id == ancestor) return true;
    return false;
}

// ---- time --------------------------------------------------------------------------------

qint64 Machine::nowMicros() const
{
    if (m_options.clock == Clock::Simulated) return m_virtualNow;
    return QDateTime::currentMSecsSinceEpoch() * 1000;
}

qint64 Machine::readClock(TaskRec* t)
{
    if (m_options.clock == Clock::Simulated) return m_virtualNow; // the run's own: not an input
    qint64 now = 0;
    if (m_replay) [[unlikely]] {
        const Event* in = m_replay->nextInput(heldBackReady());
        if (in && InputKind(in->code) == InputKind::Clock && in->task == t->id && in->step == m_step) {
            now = in->value.toLongLong();
        } else {
            replayDiverged(QStringLiteral("task %1 read the clock, which the recording did not do here").arg(t->id));
            now = nowMicros();
        }
    } else {
        now = nowMicros();
    }
    if (watchesInputs()) [[unlikely]] {
        const QVariant reading = QVariant::fromValue(qlonglong(now));
        hookInput(InputKind::Clock, t->id, -1, &reading, nullptr);
    }
    return now;
}

void Machine::hookInput(InputKind kind, int task, qint64 id, const QVariant* value, const std::exception_ptr& error)
{
    QString type;
    QString message;
    if (error) {
        type = exceptionTypeName(error);
        message = exceptionMessage(error);
    }
    const events::InputReceived fields { kind,
                                         id,
                                         error ? nullptr : value,
                                         error ? &type : nullptr,
                                         error ? &message : nullptr,
                                         m_options.clock == Clock::Simulated && kind != InputKind::Clock ? m_virtualNow
                                                                                                         : -1 };
    emitToWatchers(fields, task);
}

void Machine::replayDiverged(const QString& why)
{
    if (m_abortRequested) return; // the first report stands
    m_abortRequested = true;
    m_abortReason = m_replay->diverged(why, m_step);
}

Outcome Machine::sleepUntil(DispatchState& d, qint64 deadline)
{
    BlockPtr b = BlockPtr::make(BlockOp::Timer, d.task->id);
    b->effectNode = d.node;
    m_timers.emplace(std::make_pair(deadline, ++m_timerSeq), b);
    blockOn(d.task, b, TaskState::Sleeping);
    return Outcome::block();
}

Outcome Machine::handleTime(DispatchState& d)
{
    TaskRec* t = d.task;
    switch (d.effect.builtin()) {
    case DelayEffect::builtinId: {
        const double s = d.effect.as<DelayEffect>()->seconds;
        if (!(s >= 0) || std::isinf(s))
            return Outcome::thrown(raise<InvalidArgumentError>(
                t, d.node, QStringLiteral("seconds must be non-negative, got ") + numberText(s)));
        return sleepUntil(d, readClock(t) + qint64(std::llround(s * 1e6)));
    }
    case WaitUntilEffect::builtinId: {
        const QDateTime& target = d.effect.as<WaitUntilEffect>()->target;
        if (!target.isValid())
            return Outcome::thrown(
                raise<InvalidArgumentError>(t, d.node, QStringLiteral("WaitUntil requires a valid QDateTime")));
        return sleepUntil(d, std::max(readClock(t), target.toMSecsSinceEpoch() * 1000));
    }
    case GetTimeEffect::builtinId: {
        if (const QVariant* v = t->store->find(QStringLiteral("__current_time__")); v && !isNull(*v)) {
            const QDateTime dt = fromVariant<QDateTime>(*v, [] { return QStringLiteral("GetTime()"); });
            return Outcome::resume(dt);
        }
        return Outcome::resume(QDateTime::fromMSecsSinceEpoch(readClock(t) / 1000, Qt::UTC));
    }
    default:
        return Outcome();
    }
}

qint64 Machine::nextDeadline() const
{
    for (const auto& [key, b] : m_timers)
        if (!b->done && taskOf(*b)->block() == b) return key.first;
    return std::numeric_limits<qint64>::max();
}

bool Machine::hasTimers()
{
    while (!m_timers.empty()) {
        const BlockPtr& b = m_timers.begin()->second;
        if (!b->done && taskOf(*b)->block() == b) return true;
        m_timers.erase(m_timers.begin());
    }
    return false;
}

void Machine::advanceToNextDeadline()
{
    if (hasTimers()) m_virtualNow = std::max(m_virtualNow, m_timers.begin()->first.first);
}

// ---- await -------------------------------------------------------------------------------

Outcome Machine::handleAwait(DispatchState& d)
{
    if (d.effect.builtin() != AwaitEffect::builtinId) return Outcome();
    const auto* e = d.effect.as<AwaitEffect>();
    BlockPtr b = BlockPtr::make(BlockOp::Await, d.task->id);
    b->effectNode = d.node;
    const quint64 id = ++m_awaitSeq;
    m_awaits[id] = b;
    ++m_pendingAwaits;
    m_awaitRequests.push_back({ id, e->start });
    blockOn(d.task, b, TaskState::Awaiting);
    return Outcome::block();
}

std::vector<Machine::AwaitRequest> Machine::takeAwaitRequests()
{
    if (m_replay) [[unlikely]] {
        // the recording has their results: not started (unless a what-if leaves the recording)
        for (AwaitRequest& r : m_awaitRequests)
            m_heldAwaits.push_back(std::move(r));
        m_awaitRequests.clear();
        return {};
    }
    return std::exchange(m_awaitRequests, {});
}

void Machine::leaveReplay()
{
    m_replay->branched(m_step);
    m_replay = nullptr;
    for (AwaitRequest& r : m_heldAwaits)
        if (m_awaits.count(r.id)) m_awaitRequests.push_back(std::move(r)); // still waited on
    m_heldAwaits.clear();
}

void Mailbox::post(quint64 id, QVariant value, std::exception_ptr error)
{
    std::function<void()> w;
    {
        std::lock_guard lock(mutex);
        posted.emplace_back(id, std::move(value), std::move(error));
        hasPosted.store(true, std::memory_order_release);
        w = wake;
    }
    cv.notify_all();
    if (w) w();
}

bool Machine::hasPostedCompletions()
{
    return m_mailbox->hasPosted.load(std::memory_order_acquire);
}

void Machine::waitForCompletion(std::chrono::steady_clock::time_point deadline)
{
    std::unique_lock lock(m_mailbox->mutex);
    m_mailbox->cv.wait_until(lock, deadline, [this] { return !m_mailbox->posted.empty(); });
}

void Machine::setWakeCallback(std::function<void()> cb)
{
    std::lock_guard lock(m_mailbox->mutex);
    m_mailbox->wake = std::move(cb);
}

void Machine::pollCompletions()
{
    if (m_replay) [[unlikely]] {
        replayCompletions();
        return;
    }
    std::vector<std::tuple<quint64, QVariant, std::exception_ptr>> posted;
    if (m_mailbox->hasPosted.load(std::memory_order_acquire)) {
        std::lock_guard lock(m_mailbox->mutex);
        posted.swap(m_mailbox->posted);
        m_mailbox->hasPosted.store(false, std::memory_order_relaxed);
    }
    for (auto& [id, value, error] : posted) {
        if (auto ext = m_externalPromise.find(id); ext != m_externalPromise.end()) {
            PromiseRec* p = m_promises[ext->second - 1].get();
            if (!p->done) {
                TaskRec* anyTask = m_tasks.front();
                if (watchesInputs()) [[unlikely]]
                    hookInput(InputKind::ExternalPromise, anyTask->id, qint64(id), &value, error);
                completePromise(p, value, error ? newError(anyTask, error, -1) : nullptr);
            }
            continue;
        }
        auto it = m_awaits.find(id);
        if (it == m_awaits.end()) continue;
        BlockPtr b = it->second;
        m_awaits.erase(it);
        --m_pendingAwaits;
        if (b->done || taskOf(*b)->block() != b) continue;
        b->done = true;
        if (watchesInputs()) [[unlikely]]
            hookInput(InputKind::Await, taskOf(*b)->id, qint64(id), &value, error);
        wake(taskOf(*b), error ? Outcome::thrown(newError(taskOf(*b), error, b->effectNode)) : Outcome::resume(value));
    }
    if (!m_timers.empty()) {
        const qint64 now = nowMicros();
        while (!m_timers.empty() && m_timers.begin()->first.first <= now) {
            BlockPtr b = m_timers.begin()->second;
            m_timers.erase(m_timers.begin());
            if (b->done || taskOf(*b)->block() != b) continue;
            b->done = true;
            // on the real clock when a timer fires is an input; the simulated clock is the run's
            if (watchesInputs() && m_options.clock == Clock::Real) [[unlikely]]
                hookInput(InputKind::Timer, taskOf(*b)->id, -1, nullptr, nullptr);
            wake(taskOf(*b), Outcome::resume());
        }
    }
}

void Machine::replayCompletions()
{
    if (m_mailbox->hasPosted.load(std::memory_order_acquire)) {
        // the program's own threads (an external promise's completer) are not the recording
        std::lock_guard lock(m_mailbox->mutex);
        m_mailbox->posted.clear();
        m_mailbox->hasPosted.store(false, std::memory_order_relaxed);
    }
    while (!m_abortRequested) {
        const Event* in = m_replay->nextInput(heldBackReady());
        if (!in || in->step != m_step || InputKind(in->code) == InputKind::Clock) break;
        // the simulated clock stood where the recording took the input in
        if (m_options.clock == Clock::Simulated && in->old.isValid())
            m_virtualNow = std::max(m_virtualNow, qint64(in->old.toLongLong()));
        const bool failed = !in->name.isEmpty();
        const std::exception_ptr error
            = failed ? std::make_exception_ptr(LoadedError(in->name, in->text)) : std::exception_ptr();
        const QVariant value = in->value;
        const quint64 id = quint64(in->index);
        const int taskId = in->task;
        switch (InputKind(in->code)) {
        case InputKind::Await: {
            auto it = m_awaits.find(id);
            if (it == m_awaits.end() || taskOf(*it->second)->id != taskId || it->second->done) {
                replayDiverged(QStringLiteral("the recording completed Await %1 of task %2 here, and the replay has "
                                              "no such Await waiting")
                                   .arg(id)
                                   .arg(taskId));
                return;
            }
            if (const QString why = m_replay->unreplayable(*in); !why.isEmpty()) {
                replayDiverged(QStringLiteral("Await %1 of task %2: %3").arg(id).arg(taskId).arg(why));
                return;
            }
            BlockPtr b = it->second;
            m_awaits.erase(it);
            --m_pendingAwaits;
            b->done = true;
            hookInput(InputKind::Await, taskId, qint64(id), &value, error);
            wake(taskOf(*b),
                 failed ? Outcome::thrown(newError(taskOf(*b), error, b->effectNode)) : Outcome::resume(value));
            break;
        }
        case InputKind::ExternalPromise: {
            auto ext = m_externalPromise.find(id);
            PromiseRec* p = ext == m_externalPromise.end() ? nullptr : m_promises[ext->second - 1].get();
            if (!p || p->done) {
                replayDiverged(QStringLiteral("the recording completed external promise %1 here, and the replay "
                                              "has no such promise waiting")
                                   .arg(id));
                return;
            }
            if (const QString why = m_replay->unreplayable(*in); !why.isEmpty()) {
                replayDiverged(QStringLiteral("external promise %1: %2").arg(id).arg(why));
                return;
            }
            TaskRec* anyTask = m_tasks.front();
            hookInput(InputKind::ExternalPromise, anyTask->id, qint64(id), &value, error);
            completePromise(p, value, failed ? newError(anyTask, error, -1) : nullptr);
            break;
        }
        case InputKind::Timer: {
            auto it = std::find_if(m_timers.begin(), m_timers.end(), [&](const auto& entry) {
                const BlockPtr& b = entry.second;
                return !b->done && taskOf(*b)->block() == b && taskOf(*b)->id == taskId;
            });
            if (it == m_timers.end()) {
                replayDiverged(
                    QStringLiteral("the recording woke task %1 from a timer here, and the replay has no such timer")
                        .arg(taskId));
                return;
            }
            BlockPtr b = it->second;
            m_timers.erase(it);
            b->done = true;
            hookInput(InputKind::Timer, taskId, -1, nullptr, nullptr);
            wake(taskOf(*b), Outcome::resume());
            break;
        }
        case InputKind::Clock:
            break;
        }
    }
    if (m_options.clock == Clock::Simulated) {
        while (!m_timers.empty() && m_timers.begin()->first.first <= m_virtualNow) {
            BlockPtr b = m_timers.begin()->second;
            m_timers.erase(m_timers.begin());
            if (b->done || taskOf(*b)->block() != b) continue;
            b->done = true;
            wake(taskOf(*b), Outcome::resume());
        }
    }
}

bool Machine::replayIdle()
{
    if (m_options.clock == Clock::Simulated && hasTimers() && !hasPendingAwaits()) {
        advanceToNextDeadline(); // as the runners do: the next poll fires the timers
        return true;
    }
    if (const Event* in = m_replay->nextInput(heldBackReady()); in && InputKind(in->code) != InputKind::Clock) {
        replayDiverged(QStringLiteral("the recording took in %1 (task %2) at step %3, and the replay has nothing "
                                      "left to run at step %4")
                           .arg(QLatin1StringView(inputKindName(InputKind(in->code))))
                           .arg(in->task)
                           .arg(in->step)
                           .arg(m_step));
        return true;
    }
    // The recording never waited here without something to come (a runner waits for an Await
    // or a real timer, it does not call it a deadlock): it ended first — cut short, stopped.
    if (hasPendingAwaits() || (m_options.clock == Clock::Real && hasTimers())) {
        replayDiverged(QStringLiteral("the replay waits on %1 at step %2, and the recording has nothing more to give "
                                      "it: it ends here")
                           .arg(hasPendingAwaits() ? QStringLiteral("an Await") : QStringLiteral("a timer"))
                           .arg(m_step));
        return true;
    }
    return false;
}

bool Machine::hasExternalWaiters() const
{
    for (std::size_t i = 0; i < m_tasks.size(); ++i)
        if (const TaskRec* t = m_tasks[i];
            t->state == TaskState::Awaiting && t->block() && t->block()->kind == BlockOp::Wait)
            return true;
    return false;
}

} // namespace doeff::detail

namespace doeff {

namespace {
Handler builtin(const char* name, int id)
{
    auto impl = std::make_shared<detail::HandlerImpl>();
    impl->name = QString::fromLatin1(name);
    impl->builtin = id;
    return Handler(std::move(impl));
}
} // namespace

HandlerList sync_handlers_preset()
{
    // shared immutable handlers; the runner, not the handler, decides how waiting happens
    static const HandlerList preset {
        builtin("scheduler", detail::BuiltinScheduler),
        builtin("time", detail::BuiltinTime),
        builtin("await", detail::BuiltinAwait),
        builtin("core", detail::BuiltinCore),
    };
    return preset;
}

HandlerList async_handlers_preset()
{
    return sync_handlers_preset();
}

} // namespace doeff
