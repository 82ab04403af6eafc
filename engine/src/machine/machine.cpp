#include "machine.h"
#include "taskname.h"

#include <utility>

#include <doeff/sourceinfo.h>
#include <doeff/value.h>

#include <QFileInfo>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <new>

namespace doeff::detail {

namespace {
std::atomic<quint64> s_runCounter { 0 };

qint64 toMicros(const QDateTime& dt)
{
    return dt.toMSecsSinceEpoch() * 1000;
}

} // namespace

// The names are the event vocabulary's (observe); the codes follow these enums (hooks.cpp).
const char* frameKindName(FrameKind k)
{
    return frameKindCodeName(FrameKindCode(k));
}

const char* taskStateName(TaskState s)
{
    return taskStateCodeName(TaskStateCode(s));
}

// ---- construction ------------------------------------------------------------------------

Machine::Machine(HandlerList handlers, Env env, Store store, RunOptions options)
    : m_runId(++s_runCounter)
    , m_options(std::move(options))
    , m_handlers(std::move(handlers))
    , m_tree(m_options.effect_tree_limit)
{
    m_mailbox = std::make_shared<Mailbox>();
    m_spareOutcomes.reserve(kMaxSpareOutcomes); // giving one back never allocates (out of memory too)
    if (m_options.replay) {
        m_replay = m_options.replay.get();
        // first: a run that parts from the recording stops before anyone else sees it go on
        if (Observer* checker = m_replay->checker()) m_options.observers.prepend(checker);
        m_handlerChange = m_replay->whatIfHandlers();
    }
    for (Observer* o : std::as_const(m_options.observers)) {
        if (!o) continue;
        if (o->interest() == EventInterest::Inputs)
            m_inputObservers.push_back(o);
        else
            m_observers.push_back(o);
    }
    m_virtualNow
        = toMicros(m_options.simulated_start.isValid() ? m_options.simulated_start : QDateTime::currentDateTimeUtc());
    TaskRec* main = newTask(TaskKind::Main, NamePtr(QStringLiteral("main")), nullptr);
    main->env = std::move(env);
    main->ownStore = std::move(store);
    main->store = &main->ownStore;
    Frame root;
    root.kind = FrameKind::TaskRoot;
    pushFrame(main, std::move(root));
    for (const Handler& h : std::as_const(m_handlers)) {
        if (!h.isValid()) continue;
        Frame f;
        f.kind = FrameKind::Handler;
        f.setHandler(h.impl());
        pushFrame(main, std::move(f));
    }
}

Machine::~Machine()
{
    std::lock_guard lock(m_mailbox->mutex);
    m_mailbox->wake = nullptr;
}

void Machine::start(AnyProgram program)
{
    TaskRec* main = m_tasks.front();
    m_programName = m_options.program_name.isEmpty() ? program.displayName() : m_options.program_name;
#if DOEFF_HOOKS
    m_observed = !m_observers.empty();
#endif
    if (watchesInputs()) [[unlikely]]
        emitToWatchers(events::RunStarted { m_programName, *main->store, main->env }, 0);
    if (DOEFF_OBSERVED) [[unlikely]] {
        // the main task and the frames the constructor pushed
        announceTask(main);
        for (int i = 0; i < int(main->k.size()); ++i)
            hookFramePushed(main, main->k[i], i);
    }
    setPending(main, Outcome::start(std::move(program), -1));
    enqueue(main);
}

TaskTable::~TaskTable()
{
    for (std::size_t i = 0; i < m_size; ++i)
        (*this)[i]->~TaskRec();
    for (TaskRec* chunk : m_chunks)
        ::operator delete(chunk, std::align_val_t(alignof(TaskRec)));
}

TaskRec* TaskTable::add()
{
    if (m_size == m_chunks.size() * kChunk) {
        // room for the chunk's pointer first, so that nothing is to undo if this throws; grown
        // by doubling, as push_back would: room for one more each time copied the list of
        // chunks once per 64 tasks, quadratic in the tasks (a gigabyte of copying at a million)
        if (m_chunks.size() == m_chunks.capacity()) m_chunks.reserve(std::max<std::size_t>(16, 2 * m_chunks.size()));
        m_chunks.push_back(
            static_cast<TaskRec*>(::operator new(kChunk * sizeof(TaskRec), std::align_val_t(alignof(TaskRec)))));
    }
    TaskRec* t = new ((*this)[m_size]) TaskRec();
    ++m_size;
    return t;
}

TaskRec* Machine::newTask(TaskKind kind, NamePtr name, TaskRec* parent)
{
    TaskRec* t = m_tasks.add();
    t->id = int(m_tasks.size()) - 1;
    t->sharedName = std::move(name);
    t->kind = kind;
    t->parent = parent ? parent->id : -1;
    ++m_live;
    return t;
}

NamePtr Machine::programTaskName(const AnyProgram& program)
{
    if (const char* function = program.functionName()) return sharedFunctionDisplayName(function);
    return NamePtr(program.displayName()); // an effect or a pure value run as a task: rare
}

Outcome& Machine::setPending(TaskRec* t, Outcome&& o)
{
    std::unique_ptr<Outcome>& pending = t->pendingSlot();
    if (!pending) {
        if (!m_spareOutcomes.empty()) {
            pending = std::move(m_spareOutcomes.back());
            m_spareOutcomes.pop_back();
        } else {
            pending = std::make_unique<Outcome>();
        }
    }
    *pending = std::move(o);
    t->hasPending = true;
    return *pending;
}

void Machine::dropPending(TaskRec* t) noexcept
{
    if (t->settled()) return; // it has none
    std::unique_ptr<Outcome>& pending = t->pendingSlot();
    if (!pending) return;
    *pending = Outcome(); // what it held goes now
    if (m_spareOutcomes.size() < kMaxSpareOutcomes) m_spareOutcomes.push_back(std::move(pending));
    pending.reset();
}

TaskRec* Machine::task(int id) const
{
    return id >= 0 && id < int(m_tasks.size()) ? m_tasks[std::size_t(id)] : nullptr;
}

// ---- frames ------------------------------------------------------------------------------

void Machine::pushFrameObserved(TaskRec* t, Frame&& f)
{
    if (!t->announced) announceTask(t);
    pushFrameQuietly(t, std::move(f));
    hookFramePushed(t, t->k.back(), int(t->k.size()) - 1);
}

Frame Machine::popFrameObserved(TaskRec* t)
{
    if (!m_watchedErrs.empty() && t->k.back().kind == FrameKind::Program) judgeWatchedErrs(t, t->k.back());
    Frame f = popFrameQuietly(t);
    hookFramePopped(t, f.kind, int(t->k.size()));
    return f;
}

std::vector<Frame> Machine::cutAbove(TaskRec* t, int index)
{
    std::vector<Frame> out; // with the room a continuation gave back, if there is one
    if (!m_spareFrames.empty()) {
        out.swap(m_spareFrames.back());
        m_spareFrames.pop_back();
    }
    const int from = index + 1;
    if (from >= int(t->k.size())) return out;
    if (DOEFF_OBSERVED) [[unlikely]] {
        // top first, as popFrame() tells them, with the frames below still whole on K
        out.resize(t->k.size() - from);
        for (int i = int(t->k.size()) - 1; i >= from; --i) {
            out[i - from] = std::move(t->k[i]);
            t->k.pop_back();
            hookFramePopped(t, out[i - from].kind, i);
        }
    } else {
        const auto first = t->k.begin() + from;
        out.assign(std::make_move_iterator(first), std::make_move_iterator(t->k.end()));
        t->k.erase(first, t->k.end());
    }
    while (!t->dispatch().empty() && t->dispatch().back() >= from)
        t->dispatch().pop_back();
    for (const Frame& f : out)
        if (f.kind == FrameKind::Handling) --t->handlingDepth;
    return out;
}

void Machine::install(TaskRec* t, std::vector<Frame>& frames)
{
    // (observers are told these frames come back: they were on K before)
    const bool wasRestoring = std::exchange(m_restoringFrames, true);
    for (Frame& f : frames)
        pushFrame(t, std::move(f));
    m_restoringFrames = wasRestoring;
    frames.clear();
    // The room goes to a later cutAbove(): every handling cuts a continuation and gives it back,
    // and a forwarded effect holds one per handler it passed. Small ones only, and a few: a
    // deep K captured once is not kept for the rest of the run.
    if (frames.capacity() > 0 && frames.capacity() <= kSpareFrameRoom && m_spareFrames.size() < kSpareFrameLists)
        m_spareFrames.push_back(std::move(frames));
}

void Machine::discard(TaskRec* t, std::vector<Frame>& frames)
{
    for (const Frame& f : frames) {
        if (f.kind == FrameKind::Local) {
            t->env = f.savedEnv();
            break;
        }
    }
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        if (it->kind == FrameKind::AskLazy) {
            auto entry = std::static_pointer_cast<LazyEntry>(it->data);
            entry->evaluating = false;
            entry->evaluator = -1;
        }
        if (it->kind == FrameKind::Program) {
            m_tree.finish(it->node);
            // an abandoned program never finishes: its watched Errs go unjudged
            if (!m_watchedErrs.empty()) [[unlikely]]
                std::erase_if(m_watchedErrs, [p = it->program.get()](const WatchedErr& w) { return w.program == p; });
        }
    }
    // destroy top first, like unwinding
    while (!frames.empty())
        frames.pop_back();
}

// ---- the run loop ------------------------------------------------------------------------

void Machine::enqueue(TaskRec* t)
{
    if (DOEFF_OBSERVED) [[unlikely]]
        return enqueueObserved(t);
    t->state = TaskState::Ready;
    m_ready.push_back(t);
}

void Machine::enqueueObserved(TaskRec* t)
{
    settleObservers();
    t->state = TaskState::Ready;
    m_ready.push_back(t);
    // A task going back to the queue after its effect usually runs again next, with nothing in
    // between: Ready + Running would say nothing. Hold the Ready back until another event comes
    // first (emitEvent flushes it); runTurn drops it otherwise.
    if (t == m_current) {
        m_deferredReady = t;
        m_deferredReadyStep = m_step;
    } else {
        hookTaskState(t);
    }
}

void Machine::wake(TaskRec* t, Outcome o)
{
    t->clearBlock();
    setPending(t, std::move(o));
    enqueue(t);
}

void Machine::blockOn(TaskRec* t, BlockPtr b, TaskState state)
{
    settleObservers();
    t->setBlock(std::move(b), ++m_blockCounter);
    if (!t->hasPending) dropPending(t); // a waiting task keeps no Outcome
    t->state = state;
    if (DOEFF_OBSERVED) [[unlikely]]
        hookTaskState(t);
}

void Machine::runTurn()
{
    if (m_replay && !m_abortRequested) [[unlikely]] {
        if (const int pick = m_replay->whatIfSchedule(m_step); pick >= 0) {
            auto it = std::find_if(m_ready.begin(), m_ready.end(), [pick](const TaskRec* r) { return r->id == pick; });
            if (it == m_ready.end()) {
                replayDiverged(
                    QStringLiteral("what if task %1 ran next: it is not ready at step %2").arg(pick).arg(m_step));
                return;
            }
            TaskRec* chosen = *it;
            m_ready.erase(it);
            m_ready.push_front(chosen);
            leaveReplay();
        }
    }
    TaskRec* t = m_ready.front();
    m_ready.pop_front();
    bool announce = true;
    if (DOEFF_OBSERVED && m_deferredReady == t) [[unlikely]] {
        m_deferredReady = nullptr; // it never stopped running, as far as observers can tell
        announce = false;
    }
    settleObservers();
    m_current = t;
    t->state = TaskState::Running;
    if (DOEFF_OBSERVED && announce) [[unlikely]]
        hookTaskState(t);
    const std::size_t tasksBefore = m_tasks.size();
    m_turnBudget = kTurnBudget;
    ensureThrowRing(); // the turn runs program code: its throws are recorded (throwsite.h)
    try {
        Ctl c;
        applyPending(t, c);
        if (DOEFF_OBSERVED)
            while (step<true>(t, c)) { }
        else
            while (step<false>(t, c)) { }
    } catch (const std::bad_alloc&) {
        // Program code's allocation failures are caught where the program runs; this one came from
        // the machine's own bookkeeping (a frame, a task, a vector growing).
        failOutOfMemory(t, tasksBefore, std::current_exception());
    }
    m_current = nullptr;
    if (m_cancelSelf) {
        m_cancelSelf = false;
        cancelTask(std::exchange(m_cancelTarget, nullptr));
    }
    if (!m_cancelRequests.empty()) [[unlikely]] {
        for (int id : std::exchange(m_cancelRequests, {}))
            if (TaskRec* x = task(id); x && !x->isFinished()) cancelTask(x);
    }
}

bool Machine::requestCancel(int id) const
{
    const TaskRec* x = task(id);
    if (id == 0 || !x || x->isFinished()) return false;
    m_cancelRequests.push_back(id);
    return true;
}

void Machine::failOutOfMemory(TaskRec* t, std::size_t tasksBefore, std::exception_ptr error)
{
    // The step that failed may have left t half-updated (a dispatch index without its frame, a
    // block registered on some items only), so t does not go on: it is torn down the way a
    // cancelled task is (which frees its K, the likely culprit) and then fails with the error.
    // A task the step created but had not yet queued would never run: it is cancelled.
    for (std::size_t i = tasksBefore; i < m_tasks.size(); ++i) {
        TaskRec* x = m_tasks[i];
        if (x->state == TaskState::Ready && !x->block()
            && std::find(m_ready.begin(), m_ready.end(), x) == m_ready.end())
            cancelTask(x);
    }
    if (t->isFinished()) return;
    m_ready.erase(std::remove(m_ready.begin(), m_ready.end(), t), m_ready.end());
    if (t->block()) t->block()->done = true;
    t->clearBlock();
    for (int id : t->branchIds())
        if (TaskRec* b = task(id)) cancelTask(b);
    // free the coroutines first, top first and without allocating: popping frames one by one
    // records into the effect tree, which needs memory that only this frees
    for (auto it = t->k.rbegin(); it != t->k.rend(); ++it) {
        it->program.reset();
        it->data.reset();
    }
    releaseLazies(t);
    while (!t->k.empty()) {
        Frame f = popFrame(t);
        if (f.kind == FrameKind::Program) m_tree.finish(f.node);
    }
    t->dispatch().clear();
    t->handlingDepth = 0;
    t->hasPending = false;
    dropPending(t);
    finishTask(t, false, {}, newError(t, std::move(error), t->rootNode));
}

void Machine::applyPending(TaskRec* t, Ctl& c)
{
    t->hasPending = false;
    if (!t->pendingSlot()) return; // nothing to apply: the turn does nothing (c.kind stays Stop)
    Outcome& o = *t->pendingSlot();
    applyOutcome(t, o, c);
    resetValue(o.value); // what the outcome held goes with it, as if it had been moved out
    o.error.reset();
    o.run.reset();
}

void Machine::applyOutcome(TaskRec* t, Outcome& o, Ctl& c)
{
    switch (o.kind) {
    case Outcome::Resume:
        c.kind = Ctl::Value;
        moveInto(c.value, o.value);
        break;
    case Outcome::Throw:
        c.kind = Ctl::Error;
        c.error = std::move(o.error);
        break;
    case Outcome::RunScoped:
        // the env first: a LocalFrame describes itself by comparing it with the saved one
        if (o.run->env) {
            t->env = std::move(*o.run->env);
            if (DOEFF_OBSERVED) [[unlikely]]
                hookEnvEntered(t, o.run->frame);
        }
        pushFrame(t, std::move(o.run->frame));
        [[fallthrough]];
    case Outcome::Run:
        c.kind = Ctl::Start;
        c.program = std::move(o.run->program);
        c.node = o.node;
        c.taskRoot = o.taskRoot;
        break;
    case Outcome::Continue: {
        // startCoroutineHandler() pushed the Handling frame just now, with the program in it
        Q_ASSERT(!t->k.empty() && t->k.back().kind == FrameKind::Handling);
        HandlingState& hs = *static_cast<HandlingState*>(t->k.back().data.get());
        c.kind = Ctl::Start;
        c.program = std::move(hs.program);
        c.node = o.node;
        c.taskRoot = false;
        c.handler = hs.handler;
        break;
    }
    case Outcome::Forward:
    case Outcome::Block:
        Q_ASSERT_X(false, "applyOutcome", "not an applicable outcome");
        c.kind = Ctl::Stop;
        break;
    }
}

bool Machine::observeStep(TaskRec* t, const Ctl& c)
{
    if (m_handlerChange && m_handlerChange->step == m_step && m_replay) [[unlikely]] {
        changeHandlers();
        if (m_abortRequested) return false;
    }
    if (c.kind == Ctl::Stop) return true;
    const events::Step fields { c.kind == Ctl::Start       ? ControlKind::Start
                                    : c.kind == Ctl::Value ? ControlKind::Value
                                    : c.kind == Ctl::Error ? ControlKind::Error
                                                           : ControlKind::Perform,
                                int(t->k.size()) };
    emitEvent(fields, t->id,
              c.kind == Ctl::Perform ? Where { c.site.file_name(), int(c.site.line()), c.site.function_name() }
                                     : topSite(t));
    return true;
}

template<bool Observed> bool Machine::step(TaskRec* t, Ctl& c)
{
    if (m_abortRequested) [[unlikely]]
        return false;
    ++m_step;
    ++t->steps;
    if (Observed)
        if (!observeStep(t, c)) return false;
    switch (c.kind) {
    case Ctl::Start:
        startProgram(t, c);
        return true;
    case Ctl::Value:
    case Ctl::Error:
        return deliver(t, c);
    case Ctl::Perform:
        return perform(t, c);
    case Ctl::Stop:
        return false;
    }
    return false;
}

void Machine::startProgram(TaskRec* t, Ctl& c)
{
    AnyProgram& p = c.program;
    // Set by Outcome::Continue: the program is a coroutine handler's, and its frame names the
    // handler. Taken here whatever the program is, so that no later one passes for a handler's.
    std::shared_ptr<const HandlerImpl> handler = std::move(c.handler);
    switch (p.kind()) {
    case AnyProgram::Kind::Empty: {
        const QString name = functionDisplayName(p.functionName());
        c.kind = Ctl::Error;
        c.error = raise<ProgramReusedError>(t, c.node,
                                            QStringLiteral("Program '%1' was already started; call %1() again for a "
                                                           "new activation")
                                                .arg(name));
        return;
    }
    case AnyProgram::Kind::Pure:
        c.kind = Ctl::Value;
        c.value = p.pureValue();
        return;
    case AnyProgram::Kind::Effect: {
        AnyProgram taken = p.take();
        if (AnyProgram::Converter convert = taken.converter()) {
            Frame f;
            f.kind = FrameKind::Convert;
            f.node = c.node;
            f.data = std::make_shared<ConvertState>(ConvertState { convert, taken.effect() });
            pushFrame(t, std::move(f));
        }
        c.kind = Ctl::Perform;
        c.effect = taken.effect();
        return;
    }
    case AnyProgram::Kind::Scoped: {
        AnyProgram taken = p.take();
        auto scope = taken.scope();
        Frame f;
        f.kind = FrameKind::Handler;
        f.setHandler(scope->handler.impl());
        pushFrame(t, std::move(f));
        c.program = std::move(scope->body);
        c.handler = std::move(handler); // the body is the handler's program, if this was
        return; // still Start
    }
    case AnyProgram::Kind::Coroutine: {
        PromiseBase* pr = p.takePromise();
        const int node = m_tree.addActivation(c.node, pr->definition().function_name(), t->id, c.taskRoot,
                                              handler ? &handler->name : nullptr);
        if (c.taskRoot) t->rootNode = node;
        Frame f;
        f.kind = FrameKind::Program;
        f.node = node;
        f.program = CoroOwner(pr);
        if (handler) f.setHandler(std::move(handler)); // a handler's program: the frame names it
        pushFrame(t, std::move(f));
        c.taskRoot = false;
        resumeTop(t, c, nullptr);
        return;
    }
    }
}

void Machine::resumeTop(TaskRec* t, Ctl& c, ErrorPtr inflight)
{
    Frame& f = t->k.back();
    PromiseBase* pr = f.program.get();
    pr->m_answer = &m_answer; // lent until the program suspends again
    {
        const ThrowCapture capture; // program code runs: the throw hook records throw sites
        pr->handle().resume();
    }
    if (pr->handle().done()) {
        const int node = f.node;
        if (m_answer.exception) {
            std::exception_ptr thrown = std::exchange(m_answer.exception, nullptr);
            ErrorPtr e;
            if (inflight && inflight->exception == thrown)
                e = std::move(inflight);
            else
                e = newError(t, std::move(thrown), node, true);
            popFrame(t);
            m_tree.finish(node);
            c.kind = Ctl::Error;
            c.error = std::move(e);
        } else {
            if (pr->answerInPlace()) [[unlikely]]
                takeAnswer(t, c, static_cast<Promise<HandlerResult>*>(pr));
            else
                moveInto(c.value, m_answer.value);
            popFrame(t);
            m_tree.finish(node);
            c.kind = Ctl::Value;
        }
        return;
    }
    if (inflight && DOEFF_OBSERVED) [[unlikely]]
        hookErrorCaught(t, inflight, 2); // thrown into the coroutine, which went on
    const Request req = pr->request();
    const EffectType* type = pr->effectType();
    pr->setRequest(Request::None);
    c.node = f.node;
    c.site = pr->site();
    if (req == Request::Perform) {
        c.kind = Ctl::Perform;
        c.effect = AnyEffect::borrow(type, pr->m_effectObject);
    } else if (req == Request::PerformAny) {
        c.kind = Ctl::Perform;
        c.effect = *pr->m_anyEffect;
    } else {
        c.kind = Ctl::Start;
        AnyProgram& called = *pr->m_call;
        c.program = std::move(called);
        called.setCaller(pr); // where its awaiter finds the answer
    }
}

void Machine::takeAnswer(TaskRec* t, Ctl& c, Promise<HandlerResult>* pr)
{
    // A coroutine handler's program ended: its Handling frame, just below it, takes the answer
    // as it is. Anything else that ran a Program<HandlerResult> (a program calling one) gets it
    // as a value, as any program's result.
    const std::size_t n = t->k.size();
    if (n >= 2 && t->k[n - 2].kind == FrameKind::Handling) [[likely]]
        c.answer.emplace(pr->takeAnswer());
    else
        c.value = toVariant(pr->takeAnswer());
}

bool Machine::deliver(TaskRec* t, Ctl& c)
{
    Frame& f = t->k.back();
    Q_ASSERT(!c.answer || f.kind == FrameKind::Handling);
    switch (f.kind) {
    case FrameKind::Program: {
        ErrorPtr inflight;
        if (c.kind == Ctl::Value) {
            moveInto(m_answer.value, c.value);
        } else {
            inflight = std::move(c.error);
            m_answer.exception = inflight->exception;
        }
        resumeTop(t, c, std::move(inflight));
        return true;
    }
    case FrameKind::Handler:
    case FrameKind::Intercept:
        popFrame(t);
        return true;
    case FrameKind::Convert: {
        Frame popped = popFrame(t);
        if (c.kind == Ctl::Value) {
            auto cs = std::static_pointer_cast<ConvertState>(popped.data);
            try {
                c.value = cs->convert(c.value, cs->effect);
            } catch (...) {
                c.kind = Ctl::Error;
                c.value = QVariant();
                c.error = newError(t, std::current_exception(), popped.node);
            }
        }
        return true;
    }
    case FrameKind::Local: {
        Frame popped = popFrame(t);
        t->env = std::move(popped.savedEnv());
        if (DOEFF_OBSERVED) [[unlikely]]
            hookEnvLeft(t);
        return true;
    }
    case FrameKind::Safe: {
        popFrame(t);
        if (c.kind == Ctl::Value) {
            c.value = QVariant::fromValue(AnyResult::ok(std::move(c.value)));
        } else {
            AnyResult caught = AnyResult::err(ErrorInfo(c.error->exception));
            if (DOEFF_OBSERVED) [[unlikely]] {
                hookErrorCaught(t, c.error, 1);
                watchErr(t, caught);
            }
            c.value = QVariant::fromValue(std::move(caught));
            c.error.reset();
            c.kind = Ctl::Value;
        }
        return true;
    }
    case FrameKind::Listen: {
        Frame popped = popFrame(t);
        if (c.kind == Ctl::Value) {
            auto log = std::static_pointer_cast<QVariantList>(popped.data);
            c.value = QVariant::fromValue(ListenResult<QVariant> { std::move(c.value), *log });
        }
        return true;
    }
    case FrameKind::GraphCapture: {
        Frame popped = popFrame(t);
        if (c.kind == Ctl::Value) {
            auto indices = std::static_pointer_cast<std::vector<qsizetype>>(popped.data);
            const QVariantList graph = t->store->value(QStringLiteral("__graph__")).toList();
            QVariantList nodes;
            for (qsizetype i : *indices)
                if (i >= 0 && i < graph.size()) nodes.append(graph.at(i));
            c.value = QVariant::fromValue(GraphCapture<QVariant> { std::move(c.value), nodes });
        }
        return true;
    }
    case FrameKind::AskLazy: {
        Frame popped = popFrame(t);
        auto entry = std::static_pointer_cast<LazyEntry>(popped.data);
        entry->evaluating = false;
        entry->evaluator = -1;
        auto waiters = std::move(entry->waiters);
        entry->waiters.clear();
        if (c.kind == Ctl::Value) {
            entry->cached = true;
            entry->value = c.value;
        } else {
            m_lazy.remove(entry->identity);
        }
        for (const BlockPtr& b : waiters) {
            if (b->done || taskOf(*b)->block() != b) continue;
            b->done = true;
            wake(taskOf(*b),
                 c.kind == Ctl::Value ? Outcome::resume(c.value)
                                      : Outcome::thrown(cross(taskOf(*b), c.error, b->effectNode)));
        }
        return true;
    }
    case FrameKind::Handling: {
        const Frame popped = popFrame(t); // holds the handling until it is interpreted
        HandlingState* hs = static_cast<HandlingState*>(popped.data.get());
        const bool programLevel = hs->dispatch.programLevel;
        if (c.kind == Ctl::Error) {
            reinstallCaptured(hs->dispatch);
            Outcome o = Outcome::thrown(std::move(c.error));
            if (DOEFF_OBSERVED) [[unlikely]]
                hookHandled(hs->dispatch, o, hs->handler->name);
            return finishDispatch(t, c, std::move(o), programLevel);
        }
        if (!c.answer) [[unlikely]] { // a handler's answer given as a value
            try {
                c.answer.emplace(fromVariant<HandlerResult>(c.value, [] { return QStringLiteral("handler result"); }));
            } catch (...) {
                reinstallCaptured(hs->dispatch);
                return finishDispatch(t, c, Outcome::thrown(newError(t, std::current_exception(), hs->dispatch.node)),
                                      programLevel);
            }
        }
        Outcome o = interpretHandling(*hs, std::move(*c.answer)); // built in place
        c.answer.reset();
        if (DOEFF_OBSERVED) [[unlikely]]
            hookHandled(hs->dispatch, o, hs->handler->name);
        return finishDispatch(t, c, std::move(o), programLevel);
    }
    case FrameKind::TaskRoot:
        if (f.data) {
            // The root's link stands for the frames it shares, which an observed run or a replay
            // copies onto the task's K and passes one step each: it takes as many, so that step
            // numbers do not depend on who watches (an input log's steps are a replay's;
            // docs/replay.md).
            const auto shared = quint64(f.inheritedSet()->k.size());
            m_step += shared;
            t->steps += shared;
        }
        [[fallthrough]];
    case FrameKind::GatherBranch:
        if (c.kind == Ctl::Value)
            finishTask(t, true, std::move(c.value), nullptr);
        else
            finishTask(t, false, {}, std::move(c.error));
        return false;
    }
    return false;
}

bool Machine::finishDispatch(TaskRec* t, Ctl& c, Outcome&& o, bool programLevel)
{
    switch (o.kind) {
    case Outcome::Block:
        return false;
    case Outcome::Continue:
        applyOutcome(t, o, c);
        return true;
    case Outcome::Forward:
        Q_ASSERT_X(false, "finishDispatch", "forward escaped the walk");
        return false;
    default:
        break;
    }
    if (t->isFinished()) return false;
    if (programLevel) {
        if (mayKeepTurn()) {
            // The task would be queued alone and picked next with nothing to poll in between:
            // going on now is the same schedule without the queue round trip.
            --m_turnBudget;
            applyOutcome(t, o, c);
            return true;
        }
        setPending(t, std::move(o));
        enqueue(t);
        return false;
    }
    applyOutcome(t, o, c);
    return true;
}

namespace {
/// The two values print alike (repr): the same type and value, for the types effect fields
/// mostly hold. Anything else counts as different, so its label is formatted again.
bool samePrinted(const QVariant& a, const QVariant& b)
{
    if (a.metaType() != b.metaType()) return false;
    const void* x = a.constData();
    const void* y = b.constData();
    switch (a.metaType().id()) {
    case QMetaType::UnknownType: // both invalid: null
    case QMetaType::Nullptr:
        return true;
    case QMetaType::Bool:
        return *static_cast<const bool*>(x) == *static_cast<const bool*>(y);
    case QMetaType::Int:
        return *static_cast<const int*>(x) == *static_cast<const int*>(y);
    case QMetaType::LongLong:
        return *static_cast<const qlonglong*>(x) == *static_cast<const qlonglong*>(y);
    case QMetaType::Double: // bit for bit: 0.0 and -0.0 print differently
        return std::memcmp(x, y, sizeof(double)) == 0;
    case QMetaType::QString:
        return *static_cast<const QString*>(x) == *static_cast<const QString*>(y);
    default:
        return false;
    }
}

bool sameFields(const QVariantMap& a, const QVariantMap& b)
{
    if (a.size() != b.size()) return false;
    for (auto i = a.cbegin(), j = b.cbegin(); i != a.cend(); ++i, ++j)
        if (i.key() != j.key() || !samePrinted(i.value(), j.value())) return false;
    return true;
}
} // namespace

QString Machine::effectLabel(const AnyEffect& effect)
{
    const int builtin = effect.builtin();
    if (builtin == GetEffect::builtinId || builtin == PutEffect::builtinId) {
        const QString& key = builtin == GetEffect::builtinId ? static_cast<const GetEffect*>(effect.object())->key
                                                             : static_cast<const PutEffect*>(effect.object())->key;
        KeyLabel& e = m_keyLabels[addressSlot<6>(key.constData()) ^ std::size_t(builtin & 1)];
        if (e.builtin == builtin && e.key.holds(key)) [[likely]]
            return e.label;
        e = KeyLabel { builtin, HeldText(key), effect.label() };
        return e.label;
    }
    const bool owned = effect.isOwned();
    if (owned && m_labelled.object() == effect.object()) return m_label; // forwarded once more
    const EffectType* type = effect.type();
    QString label;
    if (type && type->defaultLabel) {
        // A loop performs the same effect again and again (the tree merges them), and a
        // coroutine handler forwards the owned copy of the effect the program performed: equal
        // fields are the same label, and comparing them costs far less than formatting it.
        QVariantMap fields = type->fields(effect.object());
        if (type != m_fieldsType || !sameFields(fields, m_fields)) {
            m_fieldsLabel = defaultEffectLabel(type->name, fields);
            m_fieldsType = type;
            m_fields = std::move(fields);
        }
        label = m_fieldsLabel;
    } else {
        label = effect.label();
    }
    if (owned) {
        m_labelled = effect;
        m_label = label;
    }
    return label;
}

std::optional<Outcome> Machine::observeEffect(DispatchState& ds, QString label)
{
    ds.observedLabel = label.isNull() ? effectLabel(ds.effect) : std::move(label);
    emitEvent(events::EffectYielded { ds.effect, ds.observedLabel }, ds.task->id,
              { ds.site.file_name(), int(ds.site.line()), ds.site.function_name() });
    if (m_replay && !m_abortRequested) [[unlikely]] {
        if (std::optional<QVariant> v = m_replay->whatIfResult(m_step, ds.task->id)) {
            // what if it had answered this: the run leaves its recording here
            leaveReplay();
            Outcome o = Outcome::resume(std::move(*v));
            hookHandled(ds, o, QStringLiteral("what if"));
            return o;
        }
    }
    return std::nullopt;
}

bool Machine::perform(TaskRec* t, Ctl& c)
{
    DispatchState ds;
    ds.task = t;
    ds.effect = std::move(c.effect);
    ds.site = c.site;
    ds.parentNode = c.node;
    ds.programLevel = t->handlingDepth == 0;
    QString label; // formatted once for the tree and the event
    if (m_tree.enabled()) {
        if (m_tree.full() || c.node < 0) { // full, or under an elided activation: no label needed
            m_tree.countElidedEffect(c.node);
        } else {
            label = effectLabel(ds.effect);
            ds.node = m_tree.addEffect(c.node, label, ds.effect.builtin() == SpawnEffect::builtinId);
        }
    }
    if (DOEFF_OBSERVED) [[unlikely]]
        if (std::optional<Outcome> answered = observeEffect(ds, std::move(label)))
            return finishDispatch(t, c, std::move(*answered), ds.programLevel);
    Outcome o = walk(ds, Cursor { t, int(t->k.size()) - 1 });
    if (DOEFF_OBSERVED && o.kind == Outcome::Throw && ds.handlerAt.task == nullptr) [[unlikely]]
        hookHandled(ds, o, QString()); // no handler took it, or a transform failed
    return finishDispatch(t, c, std::move(o), ds.programLevel);
}

} // namespace doeff::detail
