// The event stream: the machine's hook sites (called only while an observer is attached) and
// the read-only RunView observers use to look at the machine during a callback.

#include "machine.h"

#include <doeff/value.h>

#include <QLoggingCategory>

namespace doeff {

namespace detail {

static_assert(int(FrameKind::Convert) == int(FrameKindCode::Convert), "frame kind codes follow FrameKind");
static_assert(int(TaskState::Cancelled) == int(TaskStateCode::Cancelled), "task state codes follow TaskState");
static_assert(int(TaskKind::Branch) == int(TaskKindCode::Branch), "task kind codes follow TaskKind");

void Machine::emitEvent(Event& e)
{
    settleObservers();
    e.step = m_step;
    deliverEvent(e);
}

void Machine::flushDeferredReady()
{
    const TaskRec* t = m_deferredReady;
    m_deferredReady = nullptr;
    Event e;
    e.kind = EventKind::TaskStateChanged;
    e.task = t->id;
    e.code = int(TaskState::Ready);
    e.step = m_deferredReadyStep;
    deliverEvent(e);
}

void Machine::deliverEvent(Event& e)
{
    for (Observer* o : m_observers) {
        try {
            o->onEvent(e, *this);
        } catch (const AbortRun& abort) {
            m_abortRequested = true;
            m_abortReason = abort.reason;
        } catch (...) {
            // an observer's bug must not change the run; say so once per observer
            if (std::find(m_faultyObservers.begin(), m_faultyObservers.end(), o) == m_faultyObservers.end()) {
                m_faultyObservers.push_back(o);
                qWarning("doeff: an observer threw while handling %s (%s); further errors of this observer are "
                         "not reported",
                         eventKindName(e.kind), qPrintable(describeException(std::current_exception())));
            }
        }
    }
}

void Machine::locateTop(Event& e, const TaskRec* t) const
{
    for (auto it = t->k.rbegin(); it != t->k.rend(); ++it) {
        if (it->kind != FrameKind::Program) continue;
        const PromiseBase* p = it->program.get();
        const std::source_location loc = p->suspended() ? p->site() : p->definition();
        e.file = loc.file_name();
        e.line = int(loc.line());
        e.function = p->definition().function_name();
        return;
    }
}

void Machine::announceTask(TaskRec* t)
{
    t->announced = true;
    Event s;
    s.kind = EventKind::TaskSpawned;
    s.task = t->id;
    s.index = t->parent;
    s.code = int(t->kind);
    s.name = t->name;
    s.value = t->env;
    if (t->kind != TaskKind::Branch && t->store) s.old = storePairs(*t->store);
    if (t->creationSite.file_name() && *t->creationSite.file_name()) {
        s.file = t->creationSite.file_name();
        s.line = int(t->creationSite.line());
        s.function = t->creationSite.function_name();
    }
    emitEvent(s);
}

void Machine::hookFramePushed(const TaskRec* t, const Frame& f, int index)
{
    Event e;
    e.kind = EventKind::FramePushed;
    e.task = t->id;
    e.index = index;
    e.code = int(f.kind);
    const FrameInfo fi = frameInfo(snapFrame(t, f));
    e.name = fi.kind;
    e.text = fi.description;
    if (f.kind == FrameKind::Program) {
        const PromiseBase* p = f.program.get();
        e.file = p->definition().file_name();
        e.line = fi.line;
        e.function = p->definition().function_name();
    }
    emitEvent(e);
}

void Machine::hookFramePopped(const TaskRec* t, FrameKind kind, int index)
{
    Event e;
    e.kind = EventKind::FramePopped;
    e.task = t->id;
    e.index = index;
    e.code = int(kind);
    emitEvent(e);
}

void Machine::hookTaskState(const TaskRec* t)
{
    Event e;
    e.task = t->id;
    e.code = int(t->state);
    if (t->isFinished()) {
        e.kind = EventKind::TaskFinished;
        if (t->state == TaskState::Done) {
            e.name = QStringLiteral("Ok(") + repr(t->value) + QStringLiteral(")");
            e.value = t->value;
        } else if (t->state == TaskState::Failed && t->error) {
            e.name = QStringLiteral("Err(") + describeException(t->error->exception) + QStringLiteral(")");
        } else {
            e.name = QStringLiteral("cancelled");
        }
    } else {
        e.kind = EventKind::TaskStateChanged;
        if (t->block
            && (t->state == TaskState::Blocked || t->state == TaskState::Sleeping || t->state == TaskState::Awaiting))
            e.name = t->block->label(*this);
    }
    emitEvent(e);
}

void Machine::hookHandled(const DispatchState& ds, const Outcome& o, const QString& handler)
{
    Event e;
    e.kind = EventKind::EffectHandled;
    e.task = ds.task->id;
    e.file = ds.site.file_name();
    e.line = int(ds.site.line());
    e.function = ds.site.function_name();
    e.name = ds.observedLabel.isNull() ? ds.effect.label() : ds.observedLabel;
    e.text = handler;
    switch (o.kind) {
    case Outcome::Forward:
        e.code = int(HandledHow::Forwarded);
        break;
    case Outcome::Resume:
        e.code = int(HandledHow::Resumed);
        e.value = o.value;
        break;
    case Outcome::Throw:
        e.code = int(HandledHow::Failed);
        if (o.error) e.value = describeException(o.error->exception);
        break;
    case Outcome::Run:
    case Outcome::RunScoped:
        e.code = int(HandledHow::RanProgram);
        break;
    case Outcome::Block:
        e.code = int(HandledHow::Blocked);
        break;
    case Outcome::Continue:
        e.code = int(HandledHow::HandlerStarted);
        break;
    }
    emitEvent(e);
}

void Machine::hookStoreWrite(const TaskRec* t, const QString& key, const QVariant& value, const QVariant* old)
{
    Event e;
    e.kind = EventKind::StoreWrite;
    e.task = t->id;
    locateTop(e, t);
    e.name = key;
    e.value = value;
    if (old) e.old = *old;
    emitEvent(e);
}

void Machine::hookEnv(const TaskRec* t, EventKind kind, const QString& keys)
{
    Event e;
    e.kind = kind;
    e.task = t->id;
    locateTop(e, t);
    e.name = keys;
    e.value = t->env;
    emitEvent(e);
}

void Machine::hookErrorCaught(const TaskRec* t, const ErrorPtr& error, int how)
{
    Event e;
    e.kind = EventKind::ErrorCaught;
    e.task = t->id;
    locateTop(e, t);
    e.code = how;
    if (error) {
        e.name = exceptionTypeName(error->exception);
        e.text = exceptionMessage(error->exception);
    }
    emitEvent(e);
}

void Machine::writeStore(TaskRec* t, const QString& key, QVariant value)
{
    if (DOEFF_OBSERVED) [[unlikely]] {
        const QVariant* slot = t->store->find(key);
        const QVariant old = slot ? *slot : QVariant();
        const bool existed = slot != nullptr;
        t->store->insert(key, value);
        hookStoreWrite(t, key, value, existed ? &old : nullptr);
        return;
    }
    t->store->insert(key, std::move(value));
}

QVariant Machine::storePairs(const Store& s)
{
    QVariantList pairs;
    pairs.reserve(s.size());
    for (const auto& [k, v] : s.entries())
        pairs.append(QVariant(QVariantList { k, v }));
    return pairs;
}

void Machine::announceFinished(const ResultData& result)
{
    if (!DOEFF_OBSERVED) return;
    Event e;
    e.kind = EventKind::RunFinished;
    e.task = 0;
    e.code = result.ok ? 1 : 0;
    e.name = result.ok ? QStringLiteral("Ok(") + repr(result.value) + QStringLiteral(")")
                       : QStringLiteral("Err(") + result.error.describe() + QStringLiteral(")");
    e.value = result.value;
    emitEvent(e);
}

void Machine::abortRun()
{
    // observers already asked to stop; do not let them stop the stopping
    m_abortRequested = false;
    TaskRec* main = m_tasks.front().get();
    for (auto it = m_tasks.rbegin(); it != m_tasks.rend(); ++it)
        if ((*it)->id != 0) cancelTask(it->get());
    if (!main->isFinished()) {
        ErrorPtr error = newError(main, std::make_exception_ptr(RunAbortedError(m_abortReason)), -1);
        cancelTask(main);
        settleObservers();
        main->state = TaskState::Failed;
        main->error = std::move(error);
        main->failOrder = ++m_failCounter;
    }
    m_ready.clear();
    m_timers.clear();
}

// ---- RunView -----------------------------------------------------------------------------

QList<TaskSnapshot> Machine::tasks() const
{
    QList<TaskSnapshot> out;
    out.reserve(qsizetype(m_tasks.size()));
    for (const auto& t : m_tasks) {
        TaskSnapshot s;
        s.id = t->id;
        s.name = t->name;
        s.kind = TaskKindCode(t->kind);
        s.parent = t->parent;
        s.state = TaskStateCode(t->state);
        if (t->block
            && (t->state == TaskState::Blocked || t->state == TaskState::Sleeping || t->state == TaskState::Awaiting))
            s.waitsOn = t->block->label(*this);
        s.steps = t->steps;
        out.append(s);
    }
    return out;
}

QList<FrameInfo> Machine::k(int taskId) const
{
    QList<FrameInfo> out;
    if (TaskRec* t = task(taskId))
        for (const SnapFrame& s : snapshot(t))
            out.append(frameInfo(s));
    return out;
}

QList<FrameInfo> Machine::liveK(int taskId) const
{
    QList<FrameInfo> out;
    if (const TaskRec* t = task(taskId))
        for (auto it = t->k.rbegin(); it != t->k.rend(); ++it)
            out.append(frameInfo(snapFrame(t, *it)));
    return out;
}

Store Machine::store(int taskId) const
{
    const TaskRec* t = task(taskId);
    return t && t->store ? *t->store : Store();
}

Env Machine::env(int taskId) const
{
    const TaskRec* t = task(taskId);
    return t ? t->env : Env();
}

EffectStackTrace Machine::effectTree() const
{
    return m_tree.build(-1, {});
}

} // namespace detail

} // namespace doeff
