// The scheduler: tasks, promises, gather and race, cancellation, completion and deadlock.

#include "machine.h"
#include "waitcycles.h"

#include <doeff/value.h>

#include <QFileInfo>

#include <unordered_map>

namespace doeff::detail {

// ---- scheduler ---------------------------------------------------------------------------

Waitable Machine::handleOf(TaskRec* t) const
{
    return Waitable(Waitable::Kind::Task, m_runId, t->id, t->sharedName);
}

PromiseRec* Machine::promise(const Waitable& w) const
{
    if (w.kind() != Waitable::Kind::Future || w.run() != m_runId) return nullptr;
    const int i = w.id() - 1;
    return i >= 0 && i < int(m_promises.size()) ? m_promises[i].get() : nullptr;
}

ErrorPtr Machine::checkHandle(TaskRec* t, const Waitable& w, int node, const char* what)
{
    if (w.isNull())
        return raise<InvalidHandleError>(t, node,
                                         QString::fromLatin1(what) + QStringLiteral(" requires a Task or Future"));
    const bool foreign
        = w.run() != m_runId || (w.kind() == Waitable::Kind::Task ? task(w.id()) == nullptr : promise(w) == nullptr);
    if (foreign)
        return raise<InvalidHandleError>(
            t, node,
            (w.kind() == Waitable::Kind::Task ? QStringLiteral("Task %1") : QStringLiteral("Promise %1")).arg(w.id())
                + QStringLiteral(" does not belong to this run"));
    return nullptr;
}

bool Machine::itemFinished(const Waitable& w, bool* failed, int* completion) const
{
    if (w.kind() == Waitable::Kind::Task) {
        const TaskRec* x = task(w.id());
        *failed = x->state != TaskState::Done;
        *completion = x->completion();
        return x->isFinished();
    }
    const PromiseRec* p = promise(w);
    *failed = p->failed;
    *completion = p->completion;
    return p->done;
}

Outcome Machine::itemOutcome(TaskRec* receiver, const Waitable& w, int node)
{
    if (w.kind() == Waitable::Kind::Task) {
        TaskRec* x = task(w.id());
        if (x->state == TaskState::Done) return Outcome::resume(x->value());
        if (x->state == TaskState::Cancelled)
            return Outcome::thrown(raise<TaskCancelledError>(
                receiver, node, QStringLiteral("Task %1 '%2' was cancelled").arg(QString::number(x->id), x->name())));
        x->observed = true;
        return Outcome::thrown(cross(receiver, x->error(), node));
    }
    PromiseRec* p = promise(w);
    if (!p->failed) return Outcome::resume(p->value);
    return Outcome::thrown(cross(receiver, p->error, node));
}

void Machine::registerOn(const Waitable& w, const BlockPtr& b, int item)
{
    if (w.kind() == Waitable::Kind::Task)
        task(w.id())->linksForWrite().waiters.push_back({ b, item });
    else
        promise(w)->waiters.push_back({ b, item });
}

void Machine::notifyWaiters(std::vector<WaitReg> waiters)
{
    for (const WaitReg& r : waiters) {
        if (r.block->done || taskOf(*r.block)->block() != r.block) continue;
        onItemDone(r.block, r.item);
    }
}

void Machine::onItemDone(const BlockPtr& b, int item)
{
    TaskRec* t = taskOf(*b);
    const Waitable& w = b->items()[item];
    switch (b->kind) {
    case BlockOp::Wait:
        b->done = true;
        wake(t, itemOutcome(t, w, b->effectNode));
        return;
    case BlockOp::Race: {
        b->done = true;
        Outcome o = itemOutcome(t, w, b->effectNode);
        if (o.kind == Outcome::Resume) {
            RaceResult<QVariant> r;
            r.first = w;
            r.value = o.value;
            for (int i = 0; i < int(b->items().size()); ++i)
                if (i != item) r.rest.append(b->items()[i]);
            o = Outcome::resume(QVariant::fromValue(r));
        }
        wake(t, std::move(o));
        return;
    }
    case BlockOp::Gather: {
        bool failed = false;
        int completion = 0;
        itemFinished(w, &failed, &completion);
        if (failed) {
            b->done = true;
            Outcome o = itemOutcome(t, w, b->effectNode);
            cancelBranches(b);
            wake(t, std::move(o));
            return;
        }
        b->gather().results[item] = itemOutcome(t, w, b->effectNode).value;
        if (--b->gather().remaining == 0) {
            b->done = true;
            wake(t, Outcome::resume(b->gather().results));
        }
        return;
    }
    default:
        return;
    }
}

void Machine::cancelBranches(const BlockPtr& b)
{
    for (int id : b->gather().branchOf)
        if (id >= 0)
            if (TaskRec* x = task(id); x && !x->isFinished()) cancelTask(x);
}

const std::shared_ptr<void>* Machine::inheritedFrames(TaskRec* t, std::vector<const Frame*>& out) const
{
    // every HandlerFrame and InterceptFrame on the spawn site's dispatch path, top first (the
    // frames themselves: Spawn shares or copies them once, straight onto the new task's K)
    out.clear();
    TaskRec* x = t;
    int index = int(t->k.size()) - 1;
    while (x) {
        TaskRec* next = nullptr;
        int nextIndex = -1;
        auto it = std::upper_bound(x->dispatch().begin(), x->dispatch().end(), index);
        for (int pos = int(it - x->dispatch().begin()) - 1; pos >= 0; --pos) {
            const Frame& f = x->k[x->dispatch()[pos]];
            if (f.kind == FrameKind::Handler || f.kind == FrameKind::Intercept) {
                out.push_back(&f);
            } else if (f.kind == FrameKind::Handling) {
                auto hs = std::static_pointer_cast<HandlingState>(f.data);
                next = hs->after.task;
                nextIndex = hs->after.index;
                break;
            } else if (f.kind == FrameKind::GatherBranch) {
                next = task(x->parent);
                nextIndex = int(next->k.size()) - 1;
                break;
            } else if (f.kind == FrameKind::TaskRoot && f.data) {
                if (out.empty()) return &f.data; // nothing above it: the same set
                next = f.inheritedSet();
                nextIndex = int(next->k.size()) - 1;
                break;
            }
        }
        x = next;
        index = nextIndex;
    }
    return nullptr;
}

std::shared_ptr<void> Machine::inheritedSet(const std::vector<const Frame*>& frames)
{
    // a spawner in a loop, or siblings spawning with the handlers they were given, ask for the
    // same frames again and again: look among the last few sets before making another
    const auto holds = [&](const TaskRec* set) {
        if (set->k.size() != frames.size()) return false;
        for (std::size_t i = 0; i < frames.size(); ++i) {
            const Frame& f = set->k[frames.size() - 1 - i];
            if (f.kind != frames[i]->kind || f.data != frames[i]->data) return false;
        }
        return true;
    };
    for (const std::shared_ptr<void>& recent : m_recentSets)
        if (recent && holds(static_cast<const TaskRec*>(recent.get()))) return recent;
    auto set = std::make_shared<InheritedSet>(); // in no task table: only a dispatch walk reaches it
    set->k.reserve(frames.size());
    set->dispatch().reserve(frames.size());
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
        set->dispatch().push_back(int(set->k.size()));
        set->k.push_back(InheritedSet::copyOf(**it));
    }
    std::shared_ptr<void>& slot = m_recentSets[m_nextRecentSet++ % m_recentSets.size()];
    TaskRec* const rec = set.get();
    slot = std::shared_ptr<void>(std::move(set), rec); // pointing at the TaskRec: inheritedSet()
    return slot;
}

Outcome Machine::handleScheduler(DispatchState& d)
{
    TaskRec* t = d.task;
    switch (d.effect.builtin()) {
    case SpawnEffect::builtinId: {
        const auto* e = d.effect.as<SpawnEffect>();
        AnyProgram program = e->program ? AnyProgram(*e->program) : AnyProgram();
        NamePtr name = e->options.name.isEmpty() ? programTaskName(program) : NamePtr(e->options.name);
        TaskRec* child = newTask(TaskKind::Spawned, std::move(name), t);
        child->creationSite = d.site;
        child->env = t->env;
        child->ownStore = *t->store;
        child->store = &child->ownStore;
        std::vector<const Frame*>& inherited = m_scratchFrames; // reused: no allocation per spawn
        const std::shared_ptr<void>* shared = inheritedFrames(t, inherited);
        Frame root;
        root.kind = FrameKind::TaskRoot;
        if (sharesInherited() && (shared || !inherited.empty())) {
            // the root, which links to the inherited frames, and the program's own frame
            child->k.reserve(2);
            root.data = shared ? *shared : inheritedSet(inherited);
            pushFrameQuietly(child, std::move(root));
        } else {
            // an observed run, or nothing to inherit: copies, each announced (one allocation
            // each for K and dispatch)
            Q_ASSERT(!shared);
            child->k.reserve(inherited.size() + 2);
            child->dispatch().reserve(inherited.size() + 1);
            pushFrame(child, std::move(root));
            for (auto it = inherited.rbegin(); it != inherited.rend(); ++it)
                pushFrame(child, InheritedSet::copyOf(**it));
        }
        inherited.clear();
        Outcome& start = setPending(child, Outcome::start(std::move(program), d.node >= 0 ? d.node : d.parentNode));
        start.taskRoot = true;
        enqueue(child);
        const Waitable h = handleOf(child);
        if (d.node >= 0) m_tree.setLabel(d.node, QStringLiteral("Spawn(") + h.describe() + QStringLiteral(")"));
        return Outcome::resume(QVariant::fromValue(h));
    }
    case WaitEffect::builtinId: {
        const Waitable& w = d.effect.as<WaitEffect>()->target;
        if (ErrorPtr bad = checkHandle(t, w, d.node, "Wait")) return Outcome::thrown(bad);
        bool failed = false;
        int completion = 0;
        if (itemFinished(w, &failed, &completion)) return itemOutcome(t, w, d.node);
        BlockPtr b = BlockPtr::make(BlockOp::Wait, t->id);
        b->items()[0] = w;
        b->effectNode = d.node;
        registerOn(w, b, 0);
        blockOn(t, b, promiseIsExternal(w) ? TaskState::Awaiting : TaskState::Blocked);
        return Outcome::block();
    }
    case GatherEffect::builtinId:
        return gather(d);
    case RaceEffect::builtinId: {
        const auto* e = d.effect.as<RaceEffect>();
        if (e->items.isEmpty())
            return Outcome::thrown(
                raise<InvalidArgumentError>(t, d.node, QStringLiteral("Race requires at least one Waitable")));
        int best = -1;
        int bestCompletion = 0;
        for (int i = 0; i < e->items.size(); ++i) {
            if (ErrorPtr bad = checkHandle(t, e->items[i], d.node, "Race")) return Outcome::thrown(bad);
            bool failed = false;
            int completion = 0;
            if (itemFinished(e->items[i], &failed, &completion) && (best < 0 || completion < bestCompletion)) {
                best = i;
                bestCompletion = completion;
            }
        }
        BlockPtr b = BlockPtr::make(BlockOp::Race, t->id);
        b->itemVector().assign(e->items.begin(), e->items.end());
        b->effectNode = d.node;
        if (best >= 0) {
            b->done = true;
            Outcome o = itemOutcome(t, b->items()[best], d.node);
            if (o.kind == Outcome::Resume) {
                RaceResult<QVariant> r;
                r.first = b->items()[best];
                r.value = o.value;
                for (int i = 0; i < int(b->items().size()); ++i)
                    if (i != best) r.rest.append(b->items()[i]);
                o = Outcome::resume(QVariant::fromValue(r));
            }
            return o;
        }
        for (int i = 0; i < int(b->items().size()); ++i)
            registerOn(b->items()[i], b, i);
        blockOn(t, b, TaskState::Blocked);
        return Outcome::block();
    }
    case CancelEffect::builtinId: {
        const Waitable& w = d.effect.as<CancelEffect>()->target;
        if (ErrorPtr bad = checkHandle(t, w, d.node, "Cancel")) return Outcome::thrown(bad);
        TaskRec* x = task(w.id());
        if (x->isFinished()) return Outcome::resume(false);
        if (x == t || isAncestorOrSelf(x->id, t)) {
            // cancelling the running task (or what it belongs to) ends the turn first
            m_cancelSelf = true;
            m_cancelTarget = x;
            return Outcome::block();
        }
        cancelTask(x);
        return Outcome::resume(true);
    }
    case IsDoneEffect::builtinId: {
        const Waitable& w = d.effect.as<IsDoneEffect>()->target;
        if (ErrorPtr bad = checkHandle(t, w, d.node, "IsDone")) return Outcome::thrown(bad);
        return Outcome::resume(task(w.id())->isFinished());
    }
    case CreatePromiseEffect::builtinId:
    case CreateExternalPromiseEffect::builtinId: {
        auto p = std::make_unique<PromiseRec>();
        p->id = int(m_promises.size()) + 1;
        p->creator = t->id;
        p->tasksAtCreation = int(m_tasks.size());
        p->site = d.site;
        p->external = d.effect.builtin() == CreateExternalPromiseEffect::builtinId;
        Waitable w(Waitable::Kind::Future, m_runId, p->id);
        if (p->external) {
            auto* ext = new ExternalState();
            w = Waitable(m_runId, p->id, ext); // which adopts it
            const quint64 id = ++m_awaitSeq;
            m_externalPromise[id] = p->id;
            std::weak_ptr<Mailbox> mb = m_mailbox;
            ext->sink = [mb, id](QVariant v, std::exception_ptr e) {
                if (auto m = mb.lock()) m->post(id, std::move(v), std::move(e));
            };
        }
        m_promises.push_back(std::move(p));
        return Outcome::resume(QVariant::fromValue(w));
    }
    case CompletePromiseEffect::builtinId:
    case FailPromiseEffect::builtinId: {
        const bool complete = d.effect.builtin() == CompletePromiseEffect::builtinId;
        const Waitable& w
            = complete ? d.effect.as<CompletePromiseEffect>()->target : d.effect.as<FailPromiseEffect>()->target;
        if (ErrorPtr bad = checkHandle(t, w, d.node, complete ? "CompletePromise" : "FailPromise"))
            return Outcome::thrown(bad);
        PromiseRec* p = promise(w);
        if (p->done)
            return Outcome::thrown(
                raise<PromiseAlreadyCompletedError>(t, d.node, QStringLiteral("Promise already completed")));
        if (complete)
            completePromise(p, d.effect.as<CompletePromiseEffect>()->value, nullptr);
        else
            completePromise(p, {}, newError(t, d.effect.as<FailPromiseEffect>()->error, d.node));
        return Outcome::resume();
    }
    default:
        return Outcome();
    }
}

bool Machine::promiseIsExternal(const Waitable& w) const
{
    const PromiseRec* p = w.kind() == Waitable::Kind::Future ? promise(w) : nullptr;
    return p && p->external;
}

void Machine::completePromise(PromiseRec* p, QVariant value, ErrorPtr error)
{
    p->done = true;
    p->failed = error != nullptr;
    p->value = std::move(value);
    p->error = std::move(error);
    p->completion = ++m_completionCounter;
    auto waiters = std::move(p->waiters);
    p->waiters.clear();
    notifyWaiters(std::move(waiters));
}

Outcome Machine::gather(DispatchState& d)
{
    TaskRec* t = d.task;
    const auto* e = d.effect.as<GatherEffect>();
    const int n = int(e->items.size());
    // handle items first: an already failed one fails the Gather at once
    int failedItem = -1;
    int failedCompletion = 0;
    bool allDone = true;
    for (int i = 0; i < n; ++i) {
        const GatherItem& item = e->items[i];
        if (item.program) {
            allDone = false;
            continue;
        }
        if (ErrorPtr bad = checkHandle(t, item.handle, d.node, "Gather")) return Outcome::thrown(bad);
        bool failed = false;
        int completion = 0;
        if (!itemFinished(item.handle, &failed, &completion))
            allDone = false;
        else if (failed && (failedItem < 0 || completion < failedCompletion)) {
            failedItem = i;
            failedCompletion = completion;
        }
    }
    if (failedItem >= 0) return itemOutcome(t, e->items[failedItem].handle, d.node);
    BlockPtr b = BlockPtr::make(BlockOp::Gather, t->id);
    b->effectNode = d.node;
    b->itemVector().resize(std::size_t(n));
    b->gather().branchOf.assign(n, -1);
    b->gather().results = QVariantList(n);
    if (allDone) {
        for (int i = 0; i < n; ++i)
            b->gather().results[i] = itemOutcome(t, e->items[i].handle, d.node).value;
        return Outcome::resume(b->gather().results);
    }
    for (int i = 0; i < n; ++i) {
        const GatherItem& item = e->items[i];
        if (!item.program) {
            b->items()[i] = item.handle;
            continue;
        }
        AnyProgram program(*item.program);
        TaskRec* branch = newTask(TaskKind::Branch, programTaskName(program), t);
        branch->creationSite = d.site;
        branch->branchIndex = i;
        branch->env = t->env;
        branch->store = t->store;
        Frame root;
        root.kind = FrameKind::GatherBranch;
        root.setGatherItems(std::size_t(n));
        pushFrame(branch, std::move(root));
        Outcome& start = setPending(branch, Outcome::start(std::move(program), d.node >= 0 ? d.node : d.parentNode));
        start.taskRoot = true;
        b->items()[i] = handleOf(branch);
        b->gather().branchOf[i] = branch->id;
        t->linksForWrite().branches.push_back(branch->id);
        enqueue(branch);
    }
    b->gather().remaining = 0;
    for (int i = 0; i < n; ++i) {
        bool failed = false;
        int completion = 0;
        if (itemFinished(b->items()[i], &failed, &completion)) {
            b->gather().results[i] = itemOutcome(t, b->items()[i], d.node).value;
        } else {
            ++b->gather().remaining;
            registerOn(b->items()[i], b, i);
        }
    }
    blockOn(t, b, TaskState::Blocked);
    return Outcome::block();
}

// ---- cancellation, completion, deadlock ---------------------------------------------------

bool Machine::cancelTask(TaskRec* x)
{
    if (x->isFinished()) return false;
    settleObservers();
    if (x->state == TaskState::Ready) m_ready.erase(std::remove(m_ready.begin(), m_ready.end(), x), m_ready.end());
    if (x->block()) x->block()->done = true;
    x->clearBlock();
    for (int id : x->branchIds())
        if (TaskRec* b = task(id)) cancelTask(b);
    releaseLazies(x);
    // destroy the coroutine frames, top first
    while (!x->k.empty()) {
        Frame f = popFrame(x);
        if (f.kind == FrameKind::Program) m_tree.finish(f.node);
    }
    x->dispatch().clear();
    x->handlingDepth = 0;
    dropPending(x);
    x->hasPending = false;
    x->state = TaskState::Cancelled;
    x->finish({}, nullptr);
    if (DOEFF_OBSERVED) [[unlikely]]
        hookTaskState(x);
    x->setCompletion(++m_completionCounter);
    --m_live;
    if (TaskRec* parent = task(x->parent)) parent->forgetBranch(x->id);
    notifyWaiters(x->takeWaiters());
    return true;
}

void Machine::releaseLazies(TaskRec* x)
{
    for (auto it = m_lazy.begin(); it != m_lazy.end(); ++it) {
        LazyEntry& e = **it;
        if (!e.evaluating || e.evaluator != x->id) continue;
        e.evaluating = false;
        e.evaluator = -1;
        auto waiters = std::move(e.waiters);
        e.waiters.clear();
        for (const BlockPtr& b : waiters) {
            if (b->done || taskOf(*b)->block() != b) continue;
            b->done = true;
            wake(taskOf(*b),
                 Outcome::start(AnyProgram::fromEffect(AnyEffect::own(AskEffect { {}, e.key })), b->effectNode));
        }
    }
}

void Machine::finishTask(TaskRec* t, bool ok, QVariant value, ErrorPtr error)
{
    settleObservers();
    if (DOEFF_OBSERVED) [[unlikely]] {
        while (!t->k.empty())
            popFrame(t); // each frame given back is an event
    } else {
        while (!t->k.empty())
            t->k.pop_back(); // top first, as popFrame gives them back, without moving each out
        t->handlingDepth = 0;
    }
    // a finished task keeps its result, store and env; the rest goes, for later tasks to reuse
    t->k.release();
    t->dispatch().release();
    t->hasPending = false;
    dropPending(t);
    t->state = ok ? TaskState::Done : TaskState::Failed;
    t->finish(std::move(value), std::move(error));
    t->setCompletion(++m_completionCounter);
    if (!ok) t->linksForWrite().failOrder = ++m_failCounter; // failures are rare: no room in every record
    if (DOEFF_OBSERVED) [[unlikely]]
        hookTaskState(t);
    --m_live;
    if (TaskRec* parent = task(t->parent)) parent->forgetBranch(t->id);
    notifyWaiters(t->takeWaiters());
}

QString BlockOp::label(const Machine& m) const
{
    auto unfinished = [&](bool includeAll) {
        QStringList parts;
        for (const Waitable& w : items()) {
            bool failed = false;
            int completion = 0;
            if (!includeAll && m.itemFinished(w, &failed, &completion)) continue;
            parts.append(w.describe());
        }
        return parts.join(QStringLiteral(", "));
    };
    switch (kind) {
    case Wait:
        return QStringLiteral("Wait(") + unfinished(true) + QStringLiteral(")");
    case Gather:
        return QStringLiteral("Gather(") + unfinished(false) + QStringLiteral(")");
    case Race:
        return QStringLiteral("Race(") + unfinished(false) + QStringLiteral(")");
    case Lazy: {
        const TaskRec* ev = m.task(lazy().evaluator);
        return lazy().label
            + QStringLiteral(" (evaluated by task %1 '%2')")
                  .arg(QString::number(lazy().evaluator), ev ? ev->name() : QString());
    }
    case Timer:
        return QStringLiteral("timer");
    case Await:
        return QStringLiteral("Await()");
    case External:
        return QStringLiteral("external promise");
    }
    return {};
}

void Machine::resolveDeadlock()
{
    std::vector<TaskRec*> blocked;
    for (std::size_t i = 0; i < m_tasks.size(); ++i)
        if (TaskRec* t = m_tasks[i]; (t->state == TaskState::Blocked || t->state == TaskState::Awaiting) && t->block())
            blocked.push_back(t);
    std::sort(blocked.begin(), blocked.end(), [](TaskRec* a, TaskRec* b) { return a->blockOrder() < b->blockOrder(); });

    // One report for the whole deadlock, shared by every task's error: its size is linear in
    // the number of tasks and its message bounded (a copy per task would be quadratic).
    auto report = std::make_shared<DeadlockReport>();
    report->blocked.reserve(qsizetype(blocked.size()));
    for (TaskRec* t : blocked)
        report->blocked.append(QStringLiteral("task %1 '%2' waits on %3")
                                   .arg(QString::number(t->id), t->name(), t->block()->label(*this)));

    std::unordered_map<int, int> nodeOf;
    for (std::size_t i = 0; i < blocked.size(); ++i)
        nodeOf.emplace(blocked[i]->id, int(i));
    std::vector<std::vector<int>> out(blocked.size());
    for (std::size_t i = 0; i < blocked.size(); ++i) {
        const BlockOp& b = *blocked[i]->block();
        auto edge = [&](int taskId) {
            if (auto it = nodeOf.find(taskId); it != nodeOf.end()) out[i].push_back(it->second);
        };
        if (b.kind == BlockOp::Lazy) edge(b.lazy().evaluator);
        for (const Waitable& w : b.items())
            if (w.kind() == Waitable::Kind::Task) edge(w.id());
    }
    constexpr qsizetype kCyclesKept = 8, kCyclesShown = 3, kCycleTasksShown = 3;
    const QList<QList<int>> nodeCycles = findWaitCycles(out, kCyclesKept);
    QStringList cycleTexts;
    auto taskText = [&](int node) {
        return QStringLiteral("task %1 '%2'").arg(QString::number(blocked[node]->id), blocked[node]->name());
    };
    for (const QList<int>& c : nodeCycles) {
        QList<int> ids;
        ids.reserve(c.size());
        for (int node : c)
            ids.append(blocked[node]->id);
        report->cycles.append(ids);
        if (cycleTexts.size() == kCyclesShown) continue;
        QString text = QStringLiteral("a cycle of %1 tasks: ").arg(c.size());
        for (qsizetype i = 0; i < std::min(c.size(), kCycleTasksShown); ++i)
            text += taskText(c[i]) + QStringLiteral(" -> ");
        if (c.size() > kCycleTasksShown) text += QStringLiteral("... -> ");
        cycleTexts.append(text + taskText(c[0]));
    }
    if (nodeCycles.size() > kCyclesShown)
        cycleTexts.append((nodeCycles.size() == kCyclesKept ? QStringLiteral("at least %1 more cycles")
                                                            : QStringLiteral("%1 more cycles"))
                              .arg(nodeCycles.size() - kCyclesShown));
    report->text = DeadlockReport::message(report->blocked, cycleTexts);
    // The cycle text (format()'s last block) also goes through promises. Who can complete a
    // promise is not something the machine sees (a handle travels in program arguments), so it
    // takes those who could hold it: its creator and the tasks spawned from the creator's line
    // after it was created, the most recent first; a task waiting on the promise cannot.
    // The message above stays the spec's (tasks waiting on tasks only).
    std::vector<const PromiseRec*> promiseNodes;
    std::unordered_map<int, int> promiseNode;
    std::vector<std::vector<int>> withPromises = out;
    auto descendsFrom = [&](const TaskRec* x, int ancestor) {
        for (int guard = 0; x && guard < 100000; ++guard, x = task(x->parent))
            if (x->id == ancestor) return true;
        return false;
    };
    for (std::size_t i = 0; i < blocked.size(); ++i) {
        for (const Waitable& w : blocked[i]->block()->items()) {
            const PromiseRec* p = promise(w);
            if (!p || p->done) continue;
            auto [it, fresh] = promiseNode.emplace(p->id, int(blocked.size() + promiseNodes.size()));
            if (fresh) promiseNodes.push_back(p);
            withPromises[i].push_back(it->second);
        }
    }
    withPromises.resize(blocked.size() + promiseNodes.size());
    for (std::size_t k = 0; k < promiseNodes.size(); ++k) {
        const PromiseRec* p = promiseNodes[k];
        std::vector<int>& completers = withPromises[blocked.size() + k];
        auto waitsOnIt = [&](const TaskRec* x) {
            for (const Waitable& w : x->block()->items())
                if (promise(w) == p) return true;
            return false;
        };
        std::vector<std::size_t> candidates;
        for (std::size_t i = 0; i < blocked.size(); ++i) {
            const TaskRec* x = blocked[i];
            if (waitsOnIt(x)) continue;
            if (x->id == p->creator || (x->id >= p->tasksAtCreation && descendsFrom(x, p->creator)))
                candidates.push_back(i);
        }
        std::sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
            const bool ca = blocked[a]->id == p->creator, cb = blocked[b]->id == p->creator;
            return ca != cb ? cb : blocked[a]->id > blocked[b]->id;
        });
        for (std::size_t i : candidates)
            completers.push_back(int(i));
    }
    const QList<QList<int>> namedCycles = promiseNodes.empty() ? nodeCycles : findWaitCycles(withPromises, kCyclesKept);
    auto nodeText = [&](int node) {
        if (node < int(blocked.size())) return taskText(node);
        const PromiseRec* p = promiseNodes[std::size_t(node) - blocked.size()];
        const TaskRec* creator = task(p->creator);
        QString text
            = QStringLiteral("promise %1 (created by task %2 '%3'")
                  .arg(QString::number(p->id), QString::number(p->creator), creator ? creator->name() : QString());
        if (p->site.file_name() && *p->site.file_name())
            text += QStringLiteral(" at %1:%2")
                        .arg(QFileInfo(QString::fromUtf8(p->site.file_name())).fileName(),
                             QString::number(p->site.line()));
        text += u')';
        return text;
    };
    // the first cycle found is the most specific one (recent holders come before creators);
    // the others share its tasks more often than not, so they are counted, not listed
    QStringList named;
    if (!namedCycles.isEmpty()) {
        QStringList names;
        for (int node : namedCycles.first())
            names.append(nodeText(node));
        named.append(DeadlockReport::cycleLine(names));
    }
    if (namedCycles.size() > 1)
        named.append((namedCycles.size() == kCyclesKept ? QStringLiteral("at least %1 more cycles")
                                                        : QStringLiteral("%1 more cycles"))
                         .arg(namedCycles.size() - 1));
    report->cycleText = named.join(QStringLiteral("; "));
    const std::shared_ptr<const DeadlockReport> shared = std::move(report);

    for (TaskRec* t : blocked) {
        if (t->isFinished() || !t->block()) continue;
        BlockPtr b = t->block();
        b->done = true;
        if (b->kind == BlockOp::Gather) cancelBranches(b);
        wake(t, Outcome::thrown(raise<DeadlockError>(t, b->effectNode, shared)));
    }
}

} // namespace doeff::detail
