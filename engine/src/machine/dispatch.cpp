// Effect dispatch: walking the handler stack, offering effects to handlers, and the calls a
// HandlerContext makes into the machine.

#include "machine.h"

#include <new>

namespace doeff::detail {

namespace {
void appendMessages(QVariantList& log, const QVariant& message)
{
    const int type = message.metaType().id();
    if (type == QMetaType::QVariantList)
        log.append(message.toList());
    else if (type == QMetaType::QStringList)
        for (const QString& s : message.toStringList())
            log.append(s);
    else
        log.append(message);
}
} // namespace

void Machine::appendLog(TaskRec* t, const QVariant& message)
{
    static const QString key = QStringLiteral("__log__");
    QVariant* slot = t->store->findMutable(key);
    if (!slot) {
        t->store->insert(key, QVariantList());
        slot = t->store->findMutable(key);
    }
    QVariantList log = slot->toList();
    *slot = QVariant(); // drop the second reference so the append does not copy
    appendMessages(log, message);
    *slot = std::move(log);
    if (DOEFF_OBSERVED) [[unlikely]] {
        emitEvent(events::LogAppended { message }, t->id, topSite(t));
    }
}

Outcome Machine::walk(DispatchState& ds, Cursor from)
{
    return DOEFF_OBSERVED ? walkAs<true>(ds, from) : walkAs<false>(ds, from);
}

template<bool Observed> Outcome Machine::walkAs(DispatchState& ds, Cursor from)
{
    // one Outcome for the whole walk (returned in place): a handler that forwards costs no
    // Outcome built and destroyed
    Outcome o;
    TaskRec* t = from.task;
    int index = from.index;
    for (;;) {
        // the dispatch frames at or below `index`; a perform starts at the top of K, where
        // that is all of them
        int pos = int(t->dispatch().size()) - 1;
        if (pos >= 0 && t->dispatch()[std::size_t(pos)] > index)
            pos = int(std::upper_bound(t->dispatch().begin(), t->dispatch().end(), index) - t->dispatch().begin()) - 1;
        bool jumped = false;
        for (; pos >= 0 && !jumped; --pos) {
            const int fi = t->dispatch()[pos];
            Frame& f = t->k[fi];
            switch (f.kind) {
            case FrameKind::Listen:
                if (const auto* tell = ds.effect.as<TellEffect>())
                    appendMessages(*std::static_pointer_cast<QVariantList>(f.data), tell->message);
                else if (const auto* sl = ds.effect.as<StructuredLogEffect>())
                    std::static_pointer_cast<QVariantList>(f.data)->append(sl->entry);
                break;
            case FrameKind::GraphCapture:
                if (ds.effect.is<StepEffect>())
                    std::static_pointer_cast<std::vector<qsizetype>>(f.data)->push_back(
                        ds.task->store->value(QStringLiteral("__graph__")).toList().size());
                break;
            case FrameKind::Intercept: {
                if (f.data.get() == ds.skipIntercept) break;
                auto transforms = std::static_pointer_cast<const QList<TransformFn>>(f.data);
                for (const TransformFn& fn : *transforms) {
                    Transform r;
                    try {
                        r = fn(ds.effect);
                    } catch (...) {
                        o = Outcome::thrown(newError(ds.task, std::current_exception(), ds.node));
                        return o;
                    }
                    if (r.effect().isValid()) {
                        ds.effect = r.effect();
                        ds.observedLabel = QString();
                        ds.skipIntercept = f.data.get();
                        break;
                    }
                    if (r.program()) {
                        o = Outcome::start(AnyProgram(*r.program()), ds.node >= 0 ? ds.node : ds.parentNode);
                        return o;
                    }
                }
                break;
            }
            case FrameKind::Handler:
                // the built-in handlers forward every user effect: unless someone watches the
                // offers, a user effect skips them
                if (const int builtin = f.handler()->builtin) {
                    if (!Observed && !ds.effect.builtin()) break;
                    if (builtin == BuiltinRemoved) [[unlikely]]
                        break; // a what-if took it out: as if it were not there
                }
                if (Observed ? offerObserved(ds, f, Cursor { t, fi }, o) : offerTo(ds, f, Cursor { t, fi }, o))
                    return o;
                break;
            case FrameKind::Handling: {
                const auto* hs = static_cast<const HandlingState*>(f.data.get());
                t = hs->after.task;
                index = hs->after.index;
                jumped = true;
                break;
            }
            case FrameKind::GatherBranch: {
                TaskRec* parent = task(t->parent);
                t = parent;
                index = int(parent->k.size()) - 1;
                jumped = true;
                break;
            }
            case FrameKind::TaskRoot:
                if (f.data) {
                    // on into the inherited frames; below the last of them no handler is left
                    t = f.inheritedSet();
                    index = int(t->k.size()) - 1;
                    jumped = true;
                    break;
                }
                o = Outcome::thrown(raise<UnhandledEffectError>(ds.task, ds.node,
                                                                QStringLiteral("No handler for ") + ds.effect.name()));
                return o;
            default:
                break;
            }
        }
        if (!jumped) {
            o = Outcome::thrown(
                raise<UnhandledEffectError>(ds.task, ds.node, QStringLiteral("No handler for ") + ds.effect.name()));
            return o;
        }
    }
}

bool Machine::offerObserved(DispatchState& ds, Frame& handlerFrame, Cursor at, Outcome& out)
{
    const QString name = handlerFrame.handler()->name;
    const bool taken = offerTo(ds, handlerFrame, at, out);
    if (!taken) out = Outcome();
    hookHandled(ds, out, name);
    return taken;
}

bool Machine::offerTo(DispatchState& ds, Frame& handlerFrame, Cursor at, Outcome& out)
{
    const HandlerImpl& h = *handlerFrame.handler();
    ds.handlerAt = at;
    if (h.builtin) {
        // `out` is a default Outcome here, which holds nothing to free (the walk and
        // offerObserved() pass no other), so a built-in handler's outcome is built in its place
        // instead of being moved from a temporary that is then destroyed: most effects of a run
        // are answered here. After a throw no Outcome lives there: a new one is built.
        Q_ASSERT(out.kind == Outcome::Forward && holdsNothing(out.value) && !out.error && !out.run);
        void* const place = &out;
        try {
            switch (h.builtin) {
            case BuiltinScheduler:
                ::new (place) Outcome(handleScheduler(ds));
                break;
            case BuiltinTime:
                ::new (place) Outcome(handleTime(ds));
                break;
            case BuiltinAwait:
                ::new (place) Outcome(handleAwait(ds));
                break;
            case BuiltinCore:
                ::new (place) Outcome(handleCore(ds));
                break;
            default:
                return false;
            }
        } catch (...) {
            ::new (place) Outcome(Outcome::thrown(newError(ds.task, std::current_exception(), ds.node)));
        }
        return out.kind != Outcome::Forward;
    }
    if (h.fast) {
        HandlerContext ctx(this, &ds);
        std::exception_ptr thrown;
        // the handler's answer is built in place (no default HandlerResult assigned over)
        HandlerResult r = [&]() -> HandlerResult {
            try {
                const ThrowCapture capture;
                return h.fast(ds.effect, ctx);
            } catch (...) {
                thrown = std::current_exception();
                return HandlerResult::forward();
            }
        }();
        if (thrown) [[unlikely]] {
            reinstallCaptured(ds);
            out = Outcome::thrown(newError(ds.task, std::move(thrown), ds.node));
            return true;
        }
        if (r.kind() == HandlerResult::Kind::Forward) { // the common case on a long stack
            reinstallCaptured(ds);
            return false;
        }
        out = fromHandlerResult(ds, std::move(r));
        return out.kind != Outcome::Forward;
    }
    if (h.coroutine) {
        // in place, as a built-in handler's: `out` holds nothing yet
        Q_ASSERT(out.kind == Outcome::Forward && holdsNothing(out.value) && !out.error && !out.run);
        ::new (static_cast<void*>(&out)) Outcome(startCoroutineHandler(ds, handlerFrame));
        return out.kind != Outcome::Forward;
    }
    return false;
}

int Machine::delimitIndex(const DispatchState& ds) const
{
    // frames above this index form the delimited continuation (cut at the task's root)
    return ds.handlerAt.task == ds.task ? ds.handlerAt.index : 0;
}

void Machine::restoreContinuation(TaskRec* t, ContinuationState& k)
{
    k.consumed = true;
    install(t, k.frames);
    t->env = k.env;
}

Outcome Machine::fromHandlerResult(DispatchState& ds, HandlerResult&& r)
{
    TaskRec* t = ds.task;
    const int runNode = ds.node >= 0 ? ds.node : ds.parentNode;
    switch (r.kind()) {
    case HandlerResult::Kind::Forward:
        reinstallCaptured(ds);
        return Outcome();
    case HandlerResult::Kind::Resume:
        reinstallCaptured(ds);
        if (r.store()) {
            *t->store = *r.store();
            if (DOEFF_OBSERVED) [[unlikely]] {
                emitEvent(events::StoreReplaced { *t->store }, t->id);
            }
        }
        return Outcome::resume(r.takeValue());
    case HandlerResult::Kind::Fail:
        reinstallCaptured(ds);
        return Outcome::thrown(newError(t, r.error(), ds.node));
    case HandlerResult::Kind::Run: {
        reinstallCaptured(ds);
        return Outcome::start(std::move(r.program()), runNode);
    }
    case HandlerResult::Kind::ResumeK:
    case HandlerResult::Kind::ResumeKError: {
        if (!ds.captured) ctxContinuation(&ds);
        return resumeWith(ds, r.continuation(), r.kind() == HandlerResult::Kind::ResumeK ? r.value() : QVariant(),
                          r.kind() == HandlerResult::Kind::ResumeKError ? r.error() : nullptr, ds.captured);
    }
    case HandlerResult::Kind::Abort: {
        if (!ds.captured) ctxContinuation(&ds);
        if (!ds.captured->consumed) {
            ds.captured->consumed = true;
            discard(t, ds.captured->frames);
        }
        return Outcome::resume(r.takeValue());
    }
    }
    return Outcome();
}

Outcome Machine::resumeWith(DispatchState& ds, const Continuation& k, QVariant v, std::exception_ptr e,
                            const std::shared_ptr<ContinuationState>& own)
{
    TaskRec* t = ds.task;
    auto fail = [&](const QString& message) {
        if (own && !own->consumed) restoreContinuation(t, *own);
        return Outcome::thrown(raise<ContinuationError>(t, ds.node, message));
    };
    const auto& ks = k.state();
    if (!ks || ks->consumed) return fail(QStringLiteral("Continuation already resumed"));
    if (ks->task != t->id || ks->handlerFrame != own->handlerFrame)
        return fail(QStringLiteral("Continuation belongs to another task or handler"));
    if (own && own != ks && !own->consumed) {
        own->consumed = true;
        discard(t, own->frames);
    }
    restoreContinuation(t, *ks);
    if (e) return Outcome::thrown(newError(t, e, ds.node));
    return Outcome::resume(std::move(v));
}

Outcome Machine::startCoroutineHandler(DispatchState& ds, Frame& handlerFrame)
{
    // Every reference count here is an atomic add (and one more to give it back): each of the
    // handler's parts is taken once.
    TaskRec* t = ds.task;
    auto shared = makePooledShared<HandlingState>();
    HandlingState& hs = *shared;
    // With ds.captured: a fast handler's continuation, if one asked for it. Once a coroutine
    // handler takes the effect, the walk and perform() read only ds's plain fields
    // (programLevel), unless an observer is told about the offer (offerObserved()).
    if (DOEFF_OBSERVED) [[unlikely]]
        hs.dispatch = ds;
    else
        hs.dispatch = std::move(ds);
    if (!hs.dispatch.effect.isOwned()) // borrowed from the performer's suspended frame
        hs.dispatch.effect = hs.dispatch.effect.owned();
    hs.store = *t->store;
    hs.dispatch.storeAtDispatch = &hs.store;
    hs.handler = handlerFrame.sharedHandler();
    hs.after = Cursor { ds.handlerAt.task, ds.handlerAt.index - 1 };
    if (InheritedSet::holds(ds.handlerAt.task)) // a handler in a set: hold the set
        hs.afterSet = static_cast<InheritedSet*>(ds.handlerAt.task)->shared_from_this();
    if (hs.dispatch.captured) {
        // a fast handler below took the continuation already: this handling holds it
    } else if (!DOEFF_OBSERVED) {
        // Nobody watches K: the continuation stays where it is, under the Handling frame, and the
        // walk from the handler's program jumps over it (`after`), as over a cut one. It is cut
        // out only if someone asks for it (materializeKept()); a handling that answers or
        // forwards, as most do, moves no frame.
        const int from = delimitIndex(ds) + 1;
        hs.dispatch.keptFrom = from;
        hs.dispatch.keptEnv = t->env;
        for (int i = int(t->k.size()) - 1; i >= from && !hs.keptPerformer; --i)
            if (t->k[std::size_t(i)].kind == FrameKind::Program) hs.keptPerformer = t->k[std::size_t(i)].program.get();
    } else {
        // An observed run shows the continuation leave K (FramePopped) and come back.
        auto k = makePooledShared<ContinuationState>();
        k->frames = cutAbove(t, delimitIndex(ds));
        k->task = t->id;
        k->handlerFrame = handlerFrame.handler();
        k->env = t->env;
        hs.dispatch.captured = std::move(k);
    }
    hs.ctx.emplace(this, &hs.dispatch);
    try {
        const ThrowCapture capture;
        hs.program = hs.handler->coroutine(hs.dispatch.effect, *hs.ctx);
    } catch (...) {
        reinstallCaptured(hs.dispatch);
        return Outcome::thrown(newError(t, std::current_exception(), ds.node));
    }
    Frame f;
    f.kind = FrameKind::Handling;
    f.node = ds.node;
    f.data = std::move(shared);
    pushFrame(t, std::move(f));
    return Outcome::handlerStarted(ds.node >= 0 ? ds.node : ds.parentNode);
}

Outcome Machine::interpretHandling(HandlingState& hs, HandlerResult&& r)
{
    DispatchState& ds = hs.dispatch;
    switch (r.kind()) {
    case HandlerResult::Kind::Forward: {
        reinstallCaptured(hs.dispatch);
        DispatchState next = ds;
        next.captured.reset();
        next.keptFrom = -1;
        next.keptEnv = Env();
        next.effect = ds.effect;
        return walk(next, hs.after);
    }
    case HandlerResult::Kind::Resume:
    case HandlerResult::Kind::Fail:
    case HandlerResult::Kind::Run:
    case HandlerResult::Kind::Abort:
        return fromHandlerResult(ds, std::move(r));
    case HandlerResult::Kind::ResumeK:
    case HandlerResult::Kind::ResumeKError:
        if (hs.kept()) materializeKept(&ds); // its own continuation is the one to compare with
        return resumeWith(ds, r.continuation(), r.kind() == HandlerResult::Kind::ResumeK ? r.value() : QVariant(),
                          r.kind() == HandlerResult::Kind::ResumeKError ? r.error() : nullptr, hs.cont());
    }
    return Outcome();
}

void Machine::materializeKept(DispatchState* d)
{
    TaskRec* t = d->task;
    // the kept frames end at the handling's own frame (the Handling frame whose state holds
    // `d`), or, once that is popped (an answer being read), at the top of K
    const int from = d->keptFrom;
    int h = int(t->k.size()) - 1;
    for (; h >= from; --h) {
        const Frame& f = t->k[std::size_t(h)];
        if (f.kind == FrameKind::Handling && &static_cast<const HandlingState*>(f.data.get())->dispatch == d) break;
    }
    if (h < from) h = int(t->k.size());
    const int n = h - from;
    // cut as dispatch cuts, then put back the handling and what is above it, moved down: the
    // handlings among them that point above the kept frames point n frames lower now
    std::vector<Frame> above = cutAbove(t, from - 1);
    auto k = makePooledShared<ContinuationState>();
    k->frames.assign(std::make_move_iterator(above.begin()), std::make_move_iterator(above.begin() + n));
    for (auto it = above.begin() + n; it != above.end(); ++it) {
        if (it->kind == FrameKind::Handling) {
            auto* hs = static_cast<HandlingState*>(it->data.get());
            if (hs->after.task == t && hs->after.index >= h) hs->after.index -= n;
            if (hs->dispatch.keptFrom >= h) hs->dispatch.keptFrom -= n;
        }
        pushFrame(t, std::move(*it));
    }
    k->task = t->id;
    k->handlerFrame = d->handlerAt.task->k[std::size_t(d->handlerAt.index)].handler();
    k->env = std::move(d->keptEnv);
    d->keptEnv = Env();
    d->keptFrom = -1;
    d->captured = std::move(k);
}

// ---- HandlerContext ----------------------------------------------------------------------

Store Machine::ctxStore(DispatchState* d) const
{
    return d->storeAtDispatch ? *d->storeAtDispatch : *d->task->store;
}

TaskInfo Machine::ctxTask(DispatchState* d) const
{
    return TaskInfo { d->task->id, d->task->name() };
}

Continuation Machine::ctxContinuation(DispatchState* d)
{
    if (!d->captured && d->keptFrom >= 0) materializeKept(d);
    if (!d->captured) {
        auto k = makePooledShared<ContinuationState>();
        k->frames = cutAbove(d->task, delimitIndex(*d));
        k->task = d->task->id;
        k->handlerFrame = d->handlerAt.task->k[d->handlerAt.index].handler();
        k->env = d->task->env;
        d->captured = std::move(k);
    }
    return Continuation(d->captured);
}

QList<FrameInfo> Machine::ctxK(DispatchState* d) const
{
    QList<FrameInfo> out;
    for (const SnapFrame& s : snapshot(d->task))
        out.append(frameInfo(s));
    return out;
}

} // namespace doeff::detail

namespace doeff {

bool Continuation::isConsumed() const
{
    return !m_state || m_state->consumed;
}

const AnyEffect& HandlerContext::effect() const
{
    return m_machine->ctxEffect(m_dispatch);
}

const Env& HandlerContext::env() const
{
    return m_machine->ctxEnv(m_dispatch);
}

Store HandlerContext::store() const
{
    return m_machine->ctxStore(m_dispatch);
}

TaskInfo HandlerContext::task() const
{
    return m_machine->ctxTask(m_dispatch);
}

Continuation HandlerContext::continuation()
{
    return m_machine->ctxContinuation(m_dispatch);
}

QList<FrameInfo> HandlerContext::k() const
{
    return m_machine->ctxK(m_dispatch);
}

} // namespace doeff
