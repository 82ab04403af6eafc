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

void Machine::flushDeferredReady()
{
    const TaskRec* t = m_deferredReady;
    m_deferredReady = nullptr;
    const events::TaskStateChanged fields { TaskStateCode::Ready, {} };
    const LiveEvent e(fields, m_deferredReadyStep, t->id);
    deliverEvent(e);
}

void Machine::deliverEvent(const LiveEvent& e)
{
    deliverTo(m_observers, e);
}

void Machine::deliverTo(const std::vector<Observer*>& observers, const LiveEvent& e)
{
    for (Observer* o : observers) {
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

Machine::Where Machine::topSite(const TaskRec* t) const
{
    for (auto it = t->k.rbegin(); it != t->k.rend(); ++it) {
        if (it->kind != FrameKind::Program) continue;
        const PromiseBase* p = it->program.get();
        const std::source_location loc = p->suspended() ? p->site() : p->definition();
        return { loc.file_name(), int(loc.line()), p->definition().function_name() };
    }
    return {};
}

void Machine::announceTask(TaskRec* t)
{
    t->announced = true;
    const events::TaskSpawned fields { t->parent, TaskKindCode(t->kind), t->name(), t->env,
                                       t->kind != TaskKind::Branch ? t->store : nullptr };
    Where at;
    if (t->creationSite.file_name() && *t->creationSite.file_name())
        at = { t->creationSite.file_name(), int(t->creationSite.line()), t->creationSite.function_name() };
    emitEvent(fields, t->id, at);
}

void Machine::hookFramePushed(const TaskRec* t, const Frame& f, int index)
{
    // formatted once, and only when an observer asks for the kind's name or the description
    struct Described {
        const Machine* m;
        const TaskRec* t;
        const Frame* f;
        mutable std::optional<FrameInfo> info;
        const FrameInfo& get() const
        {
            if (!info) info = m->frameInfo(m->snapFrame(t, *f));
            return *info;
        }
        static QString kindName(const void* c) { return static_cast<const Described*>(c)->get().kind; }
        static QString description(const void* c) { return static_cast<const Described*>(c)->get().description; }
    } described { this, t, &f, std::nullopt };
    const events::FramePushed fields { index, FrameKindCode(f.kind), LazyText { &Described::kindName, &described },
                                       LazyText { &Described::description, &described }, m_restoringFrames };
    Where at;
    if (f.kind == FrameKind::Program) {
        const PromiseBase* p = f.program.get();
        at = { p->definition().file_name(), described.get().line, p->definition().function_name() };
    } else if (f.kind == FrameKind::Handling) {
        // a handling is located where its effect was performed (the program below the handler)
        if (const PromiseBase* p = performer(*std::static_pointer_cast<HandlingState>(f.data)))
            at = { p->definition().file_name(), described.get().line, p->definition().function_name() };
    }
    emitEvent(fields, t->id, at);
}

void Machine::hookFramePopped(const TaskRec* t, FrameKind kind, int index)
{
    emitEvent(events::FramePopped { index, FrameKindCode(kind) }, t->id);
}

void Machine::hookTaskState(const TaskRec* t)
{
    struct Text {
        const Machine* m;
        const TaskRec* t;
        static QString summary(const void* c)
        {
            const TaskRec* t = static_cast<const Text*>(c)->t;
            if (t->state == TaskState::Done) return QStringLiteral("Ok(") + repr(t->value()) + QStringLiteral(")");
            if (t->state == TaskState::Failed && t->error())
                return QStringLiteral("Err(") + describeException(t->error()->exception) + QStringLiteral(")");
            return QStringLiteral("cancelled");
        }
        static QString waitsOn(const void* c)
        {
            const auto* x = static_cast<const Text*>(c);
            const TaskRec* t = x->t;
            const bool waiting
                = t->state == TaskState::Blocked || t->state == TaskState::Sleeping || t->state == TaskState::Awaiting;
            return t->block() && waiting ? t->block()->label(*x->m) : QString();
        }
    } text { this, t };
    if (t->isFinished()) {
        const QVariant* value = t->state == TaskState::Done ? &t->value() : nullptr;
        emitEvent(events::TaskFinished { TaskStateCode(t->state), value, LazyText { &Text::summary, &text } }, t->id);
        return;
    }
    emitEvent(events::TaskStateChanged { TaskStateCode(t->state), LazyText { &Text::waitsOn, &text } }, t->id);
}

void Machine::hookHandled(const DispatchState& ds, const Outcome& o, const QString& handler)
{
    HandledHow how = HandledHow::HandlerStarted;
    switch (o.kind) {
    case Outcome::Forward:
        how = HandledHow::Forwarded;
        break;
    case Outcome::Resume:
        how = HandledHow::Resumed;
        break;
    case Outcome::Throw:
        how = HandledHow::Failed;
        break;
    case Outcome::Run:
    case Outcome::RunScoped:
        how = HandledHow::RanProgram;
        break;
    case Outcome::Block:
        how = HandledHow::Blocked;
        break;
    case Outcome::Continue:
        how = HandledHow::HandlerStarted;
        break;
    }
    const auto error = [](const void* c) -> QString {
        const Outcome* o = static_cast<const Outcome*>(c);
        return o->error ? describeException(o->error->exception) : QString();
    };
    const QString label = ds.observedLabel.isNull() ? ds.effect.label() : ds.observedLabel;
    const QVariant* value = how == HandledHow::Resumed ? &o.value : nullptr;
    emitEvent(events::EffectHandled { how, label, handler, value, LazyText { error, &o } }, ds.task->id,
              { ds.site.file_name(), int(ds.site.line()), ds.site.function_name() });
}

void Machine::hookStoreWrite(const TaskRec* t, const QString& key, const QVariant& value, const QVariant* old)
{
    emitEvent(events::StoreWrite { key, value, old }, t->id, topSite(t));
}

void Machine::hookEnvEntered(const TaskRec* t, const Frame& local)
{
    emitEvent(events::EnvEntered { snapFrame(t, local).description, t->env }, t->id, topSite(t));
}

void Machine::hookEnvLeft(const TaskRec* t)
{
    emitEvent(events::EnvLeft { t->env }, t->id, topSite(t));
}

namespace {
QString errorType(const void* c)
{
    const ErrorPtr& e = *static_cast<const ErrorPtr*>(c);
    return e ? exceptionTypeName(e->exception) : QString();
}
QString errorMessage(const void* c)
{
    const ErrorPtr& e = *static_cast<const ErrorPtr*>(c);
    return e ? exceptionMessage(e->exception) : QString();
}
} // namespace

void Machine::hookErrorCaught(const TaskRec* t, const ErrorPtr& error, int how)
{
    emitEvent(events::ErrorCaught { how, LazyText { &errorType, &error }, LazyText { &errorMessage, &error } }, t->id,
              topSite(t));
}

void Machine::watchErr(const TaskRec* t, AnyResult& r)
{
    // the program the Err goes to: the nearest activation below the Safe
    for (auto it = t->k.rbegin(); it != t->k.rend(); ++it) {
        if (it->kind != FrameKind::Program) continue;
        const PromiseBase* p = it->program.get();
        const std::source_location loc = p->suspended() ? p->site() : p->definition();
        auto watch = std::make_shared<ResultWatch>();
        r.set_watch(watch);
        m_watchedErrs.push_back({ p, std::move(watch), *r.peek_error(), m_step,
                                  Where { loc.file_name(), int(loc.line()), p->definition().function_name() } });
        return;
    }
}

void Machine::judgeWatchedErrs(const TaskRec* t, const Frame& f)
{
    const PromiseBase* program = f.program.get();
    for (std::size_t i = 0; i < m_watchedErrs.size();) {
        WatchedErr& w = m_watchedErrs[i];
        if (w.program != program) {
            ++i;
            continue;
        }
        if (!w.watch->looked) {
            struct Text {
                static QString type(const void* c) { return static_cast<const ErrorInfo*>(c)->type_name(); }
                static QString message(const void* c) { return static_cast<const ErrorInfo*>(c)->message(); }
            };
            emitEvent(events::ErrorCaught { 3, LazyText { &Text::type, &w.error },
                                            LazyText { &Text::message, &w.error }, w.caughtAt },
                      t->id, w.site);
        }
        // (emitEvent may not add watches: nothing runs program code in a callback)
        m_watchedErrs.erase(m_watchedErrs.begin() + std::ptrdiff_t(i));
    }
}

void Machine::writeStore(TaskRec* t, const QString& key, const QVariant& value)
{
    // by reference: one copy assignment into the store's slot, where a by-value parameter cost a
    // copy, a move and the destruction of the moved-from parameter (each a call into Qt)
    if (DOEFF_OBSERVED) [[unlikely]]
        return writeStoreObserved(t, key, value);
    t->store->insert(key, value, keyHint(key));
}

void Machine::writeStoreObserved(TaskRec* t, const QString& key, const QVariant& value)
{
    qsizetype& hint = keyHint(key);
    const QVariant* slot = t->store->find(key, hint);
    const QVariant old = slot ? *slot : QVariant();
    const bool existed = slot != nullptr;
    t->store->insert(key, value, hint);
    hookStoreWrite(t, key, value, existed ? &old : nullptr);
}

void Machine::announceFinished(const ResultData& result)
{
    if (!watchesInputs()) return;
    const auto summary = [](const void* c) -> QString {
        const ResultData& r = *static_cast<const ResultData*>(c);
        return r.ok ? QStringLiteral("Ok(") + repr(r.value) + QStringLiteral(")")
                    : QStringLiteral("Err(") + r.error.describe() + QStringLiteral(")");
    };
    emitToWatchers(events::RunFinished { result.ok, result.value, LazyText { summary, &result } }, 0);
}

void Machine::askInterrupt()
{
    QString reason;
    try {
        reason = m_options.interrupt();
    } catch (...) {
        reason = QStringLiteral("the run's interrupt check threw: ") + describeException(std::current_exception());
    }
    if (reason.isEmpty()) return;
    m_abortRequested = true;
    m_abortReason = reason;
}

void Machine::abortRun()
{
    // observers already asked to stop; do not let them stop the stopping
    m_abortRequested = false;
    TaskRec* main = m_tasks.front();
    for (std::size_t i = m_tasks.size(); i-- > 1;) // every task but main, the newest first
        cancelTask(m_tasks[i]);
    if (!main->isFinished()) {
        ErrorPtr error = newError(main, std::make_exception_ptr(RunAbortedError(m_abortReason)), -1);
        cancelTask(main);
        settleObservers();
        main->state = TaskState::Failed;
        main->setError(std::move(error));
        main->linksForWrite().failOrder = ++m_failCounter;
    }
    m_ready.clear();
    m_timers.clear();
}

// ---- RunView -----------------------------------------------------------------------------

QList<TaskSnapshot> Machine::tasks() const
{
    QList<TaskSnapshot> out;
    out.reserve(qsizetype(m_tasks.size()));
    for (std::size_t i = 0; i < m_tasks.size(); ++i) {
        const TaskRec* t = m_tasks[i];
        TaskSnapshot s;
        s.id = t->id;
        s.name = t->name();
        s.kind = TaskKindCode(t->kind);
        s.parent = t->parent;
        s.state = TaskStateCode(t->state);
        if (t->block()
            && (t->state == TaskState::Blocked || t->state == TaskState::Sleeping || t->state == TaskState::Awaiting))
            s.waitsOn = t->block()->label(*this);
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

namespace {
int programsIn(std::span<const Frame> frames)
{
    int n = 0;
    for (const Frame& f : frames) {
        if (f.kind == FrameKind::Program) {
            ++n;
        } else if (f.kind == FrameKind::Handling) {
            // the site's activations, and theirs if a handler's program was the site
            const auto* hs = static_cast<const HandlingState*>(f.data.get());
            if (hs->cont()) n += programsIn(hs->cont()->frames);
        }
    }
    return n;
}
} // namespace

int Machine::programDepth(int taskId) const
{
    const TaskRec* t = task(taskId);
    return t ? programsIn(t->k) : 0;
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
