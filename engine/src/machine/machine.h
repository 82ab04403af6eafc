#pragma once

// The CESK machine (RUNTIME.md §8). Private to the engine: programs, handlers and views only
// see it through effects, HandlerContext and the event stream.

#include "effecttree.h"
#include "emptyvalues.h"
#include "heldtext.h"
#include "inlinestack.h"
#include "pool.h"
#include "throwsite.h"

#include <doeff/effects.h>
#include <doeff/handler.h>
#include <doeff/observer.h>
#include <doeff/run.h>
#include <doeff/runtimeresult.h>
#include <doeff/store.h>

#include <QDateTime>
#include <QHash>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <span>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace doeff {
class Observer;
}

// Hook sites test one flag; building with DOEFF_HOOKS=0 removes them (for measuring their cost).
#ifndef DOEFF_HOOKS
#define DOEFF_HOOKS 1
#endif
#if DOEFF_HOOKS
#define DOEFF_OBSERVED (m_observed)
#else
#define DOEFF_OBSERVED false
#endif

namespace doeff::detail {

enum class FrameKind : unsigned char {
    Program,
    Handler,
    Handling,
    Safe,
    Local,
    Listen,
    Intercept,
    GraphCapture,
    AskLazy,
    GatherBranch,
    /// The bottom of a task's K. In a run nobody observes (Machine::sharesInherited()), a spawned
    /// task's root also links to the handler frames it inherits, shared with its siblings in a
    /// record of their own (Frame::inheritedSet()); a snapshot shows them as the task's own.
    TaskRoot,
    Convert, ///< an effect given as a typed program: converts its answer (engine-internal)
};
const char* frameKindName(FrameKind k);

/// Owns a started coroutine; destroying it destroys the coroutine frame.
class CoroOwner {
public:
    CoroOwner() = default;
    explicit CoroOwner(PromiseBase* p) noexcept
        : m_p(p)
    { }
    CoroOwner(CoroOwner&& o) noexcept
        : m_p(std::exchange(o.m_p, nullptr))
    { }
    CoroOwner& operator=(CoroOwner&& o) noexcept
    {
        if (this != &o) {
            reset();
            m_p = std::exchange(o.m_p, nullptr);
        }
        return *this;
    }
    ~CoroOwner() { reset(); }
    PromiseBase* get() const noexcept { return m_p; }
    void reset() noexcept
    {
        if (m_p) std::exchange(m_p, nullptr)->handle().destroy();
    }

private:
    PromiseBase* m_p = nullptr;
};

struct TaskRec;

/// One K frame: 32 bytes, as every task and every nested call holds some. What only one kind
/// needs lives behind `data` or in the task (a Gather branch's index: TaskRec::branchIndex).
struct Frame {
    FrameKind kind = FrameKind::Program;
    int node = -1; ///< effect-tree node: the activation, or the construct's effect
    CoroOwner program; ///< Program
    /// Kind-specific state: Handler: its HandlerImpl (handler()); Program: the HandlerImpl whose
    /// program it is (a coroutine handler's), else null; Local: the Env to restore
    /// (savedEnv()); Handling: HandlingState; Listen, Intercept, Convert…: see where they are pushed.
    std::shared_ptr<void> data;

    const HandlerImpl* handler() const { return static_cast<const HandlerImpl*>(data.get()); }
    std::shared_ptr<const HandlerImpl> sharedHandler() const
    {
        return std::static_pointer_cast<const HandlerImpl>(data);
    }
    void setHandler(std::shared_ptr<const HandlerImpl> h) { data = std::const_pointer_cast<HandlerImpl>(std::move(h)); }
    Env& savedEnv() const { return *static_cast<Env*>(data.get()); }
    /// TaskRoot with a link: the record whose K holds the shared frames, bottom first; `data`
    /// holds it, as every sibling's root does (a record outside the task table, never changed
    /// once made).
    TaskRec* inheritedSet() const { return static_cast<TaskRec*>(data.get()); }
    /// GatherBranch: how many items its Gather has, kept in `data` as the pointer itself (an
    /// empty owner aliased: nothing to allocate, nothing to count).
    void setGatherItems(std::size_t n)
    {
        data = std::shared_ptr<void>(std::shared_ptr<void>(), reinterpret_cast<void*>(n));
    }
    std::size_t gatherItems() const { return reinterpret_cast<std::size_t>(data.get()); }
};
static_assert(sizeof(void*) != 8 || sizeof(Frame) <= 32, "every task and every nested call holds frames");

/// A task's dispatch list: the ascending K indices of its non-program frames, which a dispatch
/// walks instead of K. Most tasks hold one or two (their root, a Handler), so two live in the
/// record itself: a spawned task that waits allocates nothing for it.
class DispatchList {
public:
    DispatchList() noexcept { }
    DispatchList(const DispatchList&) = delete;
    DispatchList& operator=(const DispatchList&) = delete;
    ~DispatchList() { release(); }

    bool empty() const noexcept { return m_size == 0; }
    std::size_t size() const noexcept { return m_size; }
    int operator[](std::size_t i) const noexcept { return data()[i]; }
    int back() const noexcept { return data()[m_size - 1]; }
    const int* begin() const noexcept { return data(); }
    const int* end() const noexcept { return data() + m_size; }
    void push_back(int index)
    {
        if (m_size == m_capacity) grow(m_size + 1);
        data()[m_size++] = index;
    }
    void pop_back() noexcept { --m_size; }
    void clear() noexcept { m_size = 0; }
    void reserve(std::size_t n)
    {
        if (n > m_capacity) grow(n);
    }
    /// Empties the list and gives its memory back (a finished task's).
    void release() noexcept
    {
        if (m_capacity > kInline) delete[] m_heap;
        m_capacity = kInline;
        m_size = 0;
    }

private:
    static constexpr std::uint32_t kInline = 2;
    int* data() noexcept { return m_capacity > kInline ? m_heap : m_inline; }
    const int* data() const noexcept { return m_capacity > kInline ? m_heap : m_inline; }
    void grow(std::size_t n)
    {
        const std::size_t capacity = std::max<std::size_t>(n, 2 * std::size_t(m_capacity));
        int* bigger = new int[capacity];
        std::copy(begin(), end(), bigger);
        if (m_capacity > kInline) delete[] m_heap;
        m_heap = bigger;
        m_capacity = std::uint32_t(capacity);
    }

    std::uint32_t m_size = 0;
    std::uint32_t m_capacity = kInline;
    union {
        int* m_heap; ///< m_capacity > kInline
        int m_inline[kInline] = {};
    };
};

/// A task's K: its frames, bottom first. The first two live in the record itself (a spawned
/// task that waits holds its root and its program, and allocates nothing for them); a deeper K
/// moves to the pool.
using FrameStack = InlineStack<Frame, 2>;
static_assert(sizeof(void*) != 8 || sizeof(FrameStack) <= 80, "every task record holds one");

struct ErrorRecord;
using ErrorPtr = std::shared_ptr<ErrorRecord>;

/// A snapshot of one K frame, for results and error reports.
struct SnapFrame {
    FrameKind kind;
    QString description; ///< non-program frames
    const char* function = nullptr; ///< program frames: GCC signature
    std::source_location site;
    std::source_location definition;
    bool suspended = false;
    int task = 0;
    QString taskName;
    QString handler; ///< program frames of handler programs
    /// Where this frame's code threw (the throw hook), overriding site/definition; a frame with
    /// no `function` is the raise site in a plain function (a handler, a helper).
    ThrowTracePtr thrown;
};

/// An error travelling through the machine: the exception plus where it was raised, and a
/// link to the record it came from when it crossed from another task (§10.2).
struct ErrorRecord {
    std::exception_ptr exception;
    ErrorPtr from; ///< previous link (another task) or null at the failing point
    int task = 0;
    std::vector<SnapFrame> k; ///< K of `task` at this point, top first
    int node = -1; ///< failing point: the error node; crossing: the Wait/Gather/Race node
    ThrowTracePtr thrown; ///< where the exception was thrown, when known (kept when passed on)
    // failing point only
    Env env;
    Store store;
    const ErrorRecord& origin() const
    {
        const ErrorRecord* r = this;
        while (r->from)
            r = r->from.get();
        return *r;
    }
};

struct ContinuationState {
    std::vector<Frame> frames; ///< bottom first
    int task = -1;
    const void* handlerFrame = nullptr; ///< identity of the handler frame that captured it
    Env env; ///< env at the site
    bool consumed = false;
};

/// A position in a dispatch path: frames of `task` at K index <= `index`.
struct Cursor {
    TaskRec* task = nullptr;
    int index = -1;
};

/// What an Outcome that starts a program carries. Next to Resume and Throw (every Get, Put, Tell…)
/// these are rare, so they live on the heap and the per-effect Outcome stays a few words.
struct RunSpec : Pooled {
    AnyProgram program;
    Frame frame; ///< RunScoped: pushed before the program starts
    std::optional<Env> env; ///< RunScoped: env for the body (Local)
};

/// True when destroying `v` would do nothing: it holds no shared data, and nothing or a value
/// whose type has no destructor (an int, a double, a bool…). Read inline from what
/// QVariant::~QVariant() itself checks, which it does behind a call into Qt.
Q_ALWAYS_INLINE bool destroysTrivially(const QVariant& v) noexcept
{
    const QVariant::Private& d = v.data_ptr();
    if (d.is_shared) return false;
    const QtPrivate::QMetaTypeInterface* type = d.typeInterface();
    return !type || !type->dtor;
}

/// v = QVariant(), with no call into Qt when what `v` held needs no destruction.
Q_ALWAYS_INLINE void resetValue(QVariant& v) noexcept
{
    if (holdsNothing(v)) [[likely]]
        return;
    if (destroysTrivially(v))
        v.data_ptr() = QVariant::Private();
    else
        v = QVariant();
}

/// to = std::move(from). QVariant's own move assignment destroys what `to` held through a call
/// into Qt, although on the machine's paths that is nearly always nothing, or a program's last
/// answer that a typed co_await read and left (an int, a bool…), which needs no destruction:
/// then it swaps instead.
Q_ALWAYS_INLINE void moveInto(QVariant& to, QVariant& from) noexcept
{
    if (holdsNothing(to)) [[likely]] {
        to.swap(from);
    } else if (destroysTrivially(to)) {
        to.data_ptr() = from.data_ptr(); // QVariant is relocatable: its swap moves these bits too
        from.data_ptr() = QVariant::Private();
    } else {
        to = std::move(from);
    }
}

struct Outcome {
    /// Continue: start the program of the coroutine handler whose Handling frame is on top of
    /// the task's K (HandlingState::program); it carries no RunSpec.
    enum Kind : unsigned char { Forward, Resume, Throw, Run, RunScoped, Block, Continue };
    Kind kind = Forward;
    bool taskRoot = false; ///< Run: the program is a task's root activation
    int node = -1; ///< Run, RunScoped, Continue: tree parent of the program
    // In a union so that ~Outcome() can skip destroying a value that holds nothing, as a moved-from
    // outcome's does: QVariant's destructor is a call into Qt, one per effect.
    union {
        QVariant value;
    };
    ErrorPtr error;
    std::unique_ptr<RunSpec> run; ///< Run, RunScoped, Continue

    Outcome() noexcept
        : value()
    { }
    Outcome(Outcome&& o) noexcept
        : kind(o.kind)
        , taskRoot(o.taskRoot)
        , node(o.node)
        , value(std::move(o.value))
        , error(std::move(o.error))
        , run(std::move(o.run))
    { }
    /// The value constructed in place, not assigned over an empty one.
    Outcome(Kind k, const QVariant& v)
        : kind(k)
        , value(v)
    { }
    Outcome(Kind k, QVariant&& v) noexcept
        : kind(k)
        , value(std::move(v))
    { }
    Q_ALWAYS_INLINE ~Outcome()
    {
        if (!holdsNothing(value)) value.~QVariant();
    }
    /// An outcome assigned over another (a fast handler's over the walk's): moveInto() its value.
    Outcome& operator=(Outcome&& o) noexcept
    {
        kind = o.kind;
        taskRoot = o.taskRoot;
        node = o.node;
        moveInto(value, o.value);
        error = std::move(o.error);
        run = std::move(o.run);
        return *this;
    }

    // No by-value parameter: a Get's answer is copied once, straight into the outcome, and no
    // moved-from QVariant is left to destroy (every QVariant destruction is a call into Qt).
    static Outcome resume(const QVariant& v) { return Outcome(Resume, v); }
    static Outcome resume(QVariant&& v) { return Outcome(Resume, std::move(v)); }
    /// Resume with no value (Put, Tell, …).
    static Outcome resume()
    {
        Outcome o;
        o.kind = Resume;
        return o;
    }
    static Outcome thrown(ErrorPtr e)
    {
        Outcome o;
        o.kind = Throw;
        o.error = std::move(e);
        return o;
    }
    static Outcome block()
    {
        Outcome o;
        o.kind = Block;
        return o;
    }
    /// Continue: the coroutine handler whose Handling frame was just pushed starts its program,
    /// under tree node `node`.
    static Outcome handlerStarted(int node)
    {
        Outcome o;
        o.kind = Continue;
        o.node = node;
        return o;
    }
    /// Run (or `kind`: RunScoped) `program` under tree node `node`.
    static Outcome start(AnyProgram program, int node, Kind kind = Run)
    {
        Outcome o;
        o.kind = kind;
        o.node = node;
        o.run = std::make_unique<RunSpec>();
        o.run->program = std::move(program);
        return o;
    }
};

struct DispatchState {
    TaskRec* task = nullptr; ///< performing task
    AnyEffect effect; ///< the effect as currently dispatched (maybe substituted)
    const void* skipIntercept = nullptr;
    int node = -1; ///< effect-tree leaf of this effect
    int parentNode = -1;
    bool programLevel = true;
    std::source_location site;
    Cursor handlerAt; ///< the handler frame being offered the effect
    std::shared_ptr<ContinuationState> captured; ///< fast handler's continuation, once asked
    const Store* storeAtDispatch = nullptr; ///< coroutine handlers: ctx.store() (HandlingState::store)
    QString observedLabel; ///< effect.label(), formatted once for the events (null: not yet)
    /// A coroutine handler's continuation kept on K, under its Handling frame, instead of cut
    /// (a run nobody observes, until someone asks for it: Machine::materializeKept): the K index
    /// of its bottom frame, and the env at the site. -1: cut (`captured`), or not a handling.
    int keptFrom = -1;
    Env keptEnv;
};

struct HandlingState {
    DispatchState dispatch; ///< in place: one allocation fewer per coroutine handler
    Store store; ///< ctx.store(): the store as it was when the effect was dispatched
    /// The continuation from the site to the handler: the one its context gives (dispatch.captured).
    const std::shared_ptr<ContinuationState>& cont() const { return dispatch.captured; }
    /// The continuation is on K under the Handling frame (dispatch.keptFrom), not in cont().
    bool kept() const { return dispatch.keptFrom >= 0; }
    /// kept(): the program that performed the effect, suspended on it.
    const PromiseBase* keptPerformer = nullptr;
    std::optional<HandlerContext> ctx; ///< in place: one allocation fewer per coroutine handler
    std::shared_ptr<const HandlerImpl> handler;
    /// The handler's program, made and not yet started: the Outcome::Continue that
    /// startCoroutineHandler() returns starts it from here (Machine::applyOutcome).
    AnyProgram program;
    Cursor after; ///< where the walk resumes below the handler
    /// The inherited set `after` points into, if it does: held while this handling may walk on
    /// from there (the frames that hold it may be gone by then, with a continuation dropped).
    std::shared_ptr<void> afterSet;
    int handlerFrameTask = -1;
    int handlerFrameIndex = -1;
};

enum class TaskState : unsigned char { Ready, Running, Blocked, Sleeping, Awaiting, Done, Failed, Cancelled };
enum class TaskKind : unsigned char { Main, Spawned, Branch };
const char* taskStateName(TaskState s);

/// What a blocked task waits on; shared by the registrations it made.
class Machine;

/// Every blocked task holds one, so the parts only a Gather, a Race or a lazy Ask needs live
/// apart, behind one pointer, and a Wait's one item takes that pointer's room. It counts its owners
/// itself (BlockPtr), and names its task by id: 40 bytes, one 48-byte malloc chunk.
struct BlockOp : Pooled {
    enum Kind : unsigned char { Wait, Gather, Race, Lazy, Timer, Await, External };

    /// What only a Gather, a Race or a lazy Ask needs, behind one pointer: the block of every
    /// waiting task stays a size smaller.
    struct Part {
        virtual ~Part() = default;
    };
    struct ItemsPart : Part {
        std::vector<Waitable> items; ///< a Race's items, or a Gather's (GatherPart)
    };
    struct GatherPart final : ItemsPart {
        std::vector<int> branchOf; ///< branch task id per item, or -1
        QVariantList results;
        int remaining = 0; ///< items not finished yet
    };
    struct LazyPart final : Part {
        QString label; ///< `Ask('svc')`
        int evaluator = -1;
        std::shared_ptr<struct LazyEntry> entry;
    };

    /// A block of `k` for the task `taskId`; a Gather or a Race gets its (empty) items part, a
    /// lazy Ask its LazyPart.
    BlockOp(unsigned char k, int taskId)
        : kind(Kind(k))
        , task(taskId)
    {
        switch (kind) {
        case Wait:
            new (&m_one) Waitable();
            break;
        case Gather:
            m_part = new GatherPart;
            break;
        case Race:
            m_part = new ItemsPart;
            break;
        case Lazy:
            m_part = new LazyPart;
            break;
        default:
            m_part = nullptr;
        }
    }
    ~BlockOp()
    {
        if (kind == Wait)
            m_one.~Waitable();
        else
            delete m_part;
    }
    BlockOp(const BlockOp&) = delete;
    BlockOp& operator=(const BlockOp&) = delete;

    const Kind kind;
    bool done = false;
    int effectNode = -1;
    int owners = 0; ///< BlockPtrs to it; the machine's thread only
    const int task; ///< the blocked task's id (Machine::taskOf)

    /// What it waits on: a Wait's one, a Gather's or a Race's items (itemVector()), else none.
    std::span<Waitable> items() noexcept
    {
        if (kind == Wait) return std::span(&m_one, 1);
        if (kind == Gather || kind == Race) return std::span(itemVector());
        return {};
    }
    std::span<const Waitable> items() const noexcept
    {
        if (kind == Wait) return std::span(&m_one, 1);
        if (kind == Gather || kind == Race) return std::span(static_cast<const ItemsPart*>(m_part)->items);
        return {};
    }
    /// A Gather's or a Race's items, to fill (a Wait has its one in place).
    std::vector<Waitable>& itemVector() noexcept
    {
        Q_ASSERT(kind == Gather || kind == Race);
        return static_cast<ItemsPart*>(m_part)->items;
    }
    GatherPart& gather() const noexcept
    {
        Q_ASSERT(kind == Gather);
        return static_cast<GatherPart&>(*m_part);
    }
    LazyPart& lazy() const noexcept
    {
        Q_ASSERT(kind == Lazy);
        return static_cast<LazyPart&>(*m_part);
    }
    QString label(const Machine& m) const;

private:
    union {
        Waitable m_one; ///< Wait
        Part* m_part; ///< owned: Gather, Race, Lazy; null for the other kinds
    };
};
static_assert(sizeof(void*) != 8 || sizeof(BlockOp) <= 40, "every blocked task holds one: one 48-byte malloc chunk");

/// An owner of a BlockOp: the blocked task, each registration on what it waits for, a timer, an
/// await. One pointer; the count is the block's own, not atomic (blocks never leave the
/// machine's thread).
class BlockPtr {
public:
    BlockPtr() noexcept = default;
    BlockPtr(std::nullptr_t) noexcept { }
    BlockPtr(const BlockPtr& other) noexcept
        : m_block(other.m_block)
    {
        if (m_block) ++m_block->owners;
    }
    BlockPtr(BlockPtr&& other) noexcept
        : m_block(std::exchange(other.m_block, nullptr))
    { }
    BlockPtr& operator=(BlockPtr other) noexcept
    {
        std::swap(m_block, other.m_block);
        return *this;
    }
    ~BlockPtr() { reset(); }

    /// A new block for the task `taskId`, owned by the pointer returned.
    static BlockPtr make(BlockOp::Kind kind, int taskId)
    {
        BlockPtr p;
        p.m_block = new BlockOp(kind, taskId);
        p.m_block->owners = 1;
        return p;
    }
    void reset() noexcept
    {
        if (m_block && --m_block->owners == 0) delete m_block;
        m_block = nullptr;
    }
    BlockOp* get() const noexcept { return m_block; }
    BlockOp* operator->() const noexcept { return m_block; }
    BlockOp& operator*() const noexcept { return *m_block; }
    explicit operator bool() const noexcept { return m_block != nullptr; }
    friend bool operator==(const BlockPtr& a, const BlockPtr& b) noexcept { return a.m_block == b.m_block; }

private:
    BlockOp* m_block = nullptr;
};
static_assert(sizeof(void*) != 8 || sizeof(BlockPtr) == 8);

struct WaitReg {
    BlockPtr block;
    int item = 0;
};

/// State of a ConvertFrame: how to convert, and the effect (for the error's label).
struct ConvertState {
    AnyProgram::Converter convert;
    AnyEffect effect;
};

struct LazyEntry {
    const void* identity = nullptr;
    bool evaluating = false;
    bool cached = false;
    QVariant value;
    int evaluator = -1;
    QString key;
    std::vector<BlockPtr> waiters;
};

struct PromiseRec {
    int id = 0;
    int creator = -1; ///< the task that created it
    int tasksAtCreation = 0; ///< tasks spawned later (by its creator's line) may hold its handle
    std::source_location site; ///< where it was created
    bool external = false;
    bool done = false;
    bool failed = false;
    QVariant value;
    ErrorPtr error;
    int completion = 0;
    std::vector<WaitReg> waiters;
};

/// Where other threads (awaitables, external promises) post completions. Outlives the
/// machine when a late completion arrives.
struct Mailbox {
    std::mutex mutex;
    std::condition_variable cv;
    std::vector<std::tuple<quint64, QVariant, std::exception_ptr>> posted;
    /// `posted` is not empty (set under the mutex): lets the machine skip the lock on the
    /// turns where nothing arrived, i.e. almost all of them.
    std::atomic<bool> hasPosted { false };
    std::function<void()> wake;
    void post(quint64 id, QVariant value, std::exception_ptr error);
};

/// BuiltinRemoved: a handler frame a what-if took out (docs/replay.md): offered nothing.
enum BuiltinHandler { BuiltinScheduler = 1, BuiltinTime, BuiltinAwait, BuiltinCore, BuiltinRemoved };

/// One per task, alive until the run ends: the small members are packed at the front so that
/// no padding sits between them. Its first two K frames live in it (FrameStack). What only a
/// task that has not finished uses (its dispatch list, what it does next, what it waits on) and
/// what only a finished one has (its value) share their room: finish() turns the one into the
/// other, once. A failed task's error is with the rarely made part (Links).
struct TaskRec {
    TaskRec() noexcept { new (&m_running) Running(); }
    TaskRec(const TaskRec&) = delete;
    TaskRec& operator=(const TaskRec&) = delete;
    ~TaskRec()
    {
        if (m_finished)
            m_result.~Result();
        else
            m_running.~Running();
    }

    int id = 0;
    int parent = -1;
    int handlingDepth = 0;
    int rootNode = -1;
    int branchIndex = -1; ///< a Gather branch: the index of its item
    TaskKind kind = TaskKind::Main;
    TaskState state = TaskState::Ready;
    bool hasPending : 1 = false;
    bool observed : 1 = false;
    bool announced : 1 = false; ///< TaskSpawned was emitted

private:
    bool m_finished : 1 = false; ///< finish() happened: the result part is in use, not the running one

public:
    NamePtr sharedName; ///< shared with its handles (Machine::handleOf) and its program's other tasks
    const QString& name() const noexcept { return sharedName.text(); }
    FrameStack k;
    Env env;
    /// The store the task reads and writes: its own (ownStore), or for a Gather branch its
    /// parent's. Records stay where they are until the machine ends (TaskTable), so a pointer
    /// does: no allocation and no reference count per spawned task.
    Store* store = nullptr;
    Store ownStore;
    /// What only some tasks have, made when first needed: a task nobody waits on, that made no
    /// Gather branch and did not fail (a blocked one, typically), holds one pointer for it all.
    struct Links : Pooled {
        std::vector<WaitReg> waiters; ///< blocked on this task
        std::vector<int> branches; ///< live Gather branches it created
        quint64 failOrder = 0; ///< Failed: when, among the run's failures (failOrder())
        ErrorPtr error; ///< Failed: why (error())
    };
    std::unique_ptr<Links> links;
    quint64 steps = 0;
    std::source_location creationSite;

    bool isFinished() const
    {
        return state == TaskState::Done || state == TaskState::Failed || state == TaskState::Cancelled;
    }

    /// finish() happened: the result part is in use (value(), error()), not the running one.
    bool settled() const noexcept { return m_finished; }

    // ---- until it finishes --------------------------------------------------------------
    /// Its dispatch list. Only while it has not finished (a finished task has none).
    DispatchList& dispatch() noexcept
    {
        Q_ASSERT(!m_finished);
        return m_running.dispatch;
    }
    const DispatchList& dispatch() const noexcept
    {
        Q_ASSERT(!m_finished);
        return m_running.dispatch;
    }
    /// What the task does when it next runs (Machine::setPending, Machine::dropPending). Only
    /// while it has not finished.
    std::unique_ptr<Outcome>& pendingSlot() noexcept
    {
        Q_ASSERT(!m_finished);
        return m_running.pending;
    }
    /// What it waits on while Blocked/Sleeping/Awaiting; null otherwise, and once finished.
    const BlockPtr& block() const noexcept
    {
        static const BlockPtr none;
        return m_finished ? none : m_running.block;
    }
    /// When it blocked, among the run's blocks (a deadlock lists tasks in that order).
    quint64 blockOrder() const noexcept { return m_finished ? 0 : m_running.blockOrder; }
    void setBlock(BlockPtr b, quint64 order) noexcept
    {
        Q_ASSERT(!m_finished);
        m_running.block = std::move(b);
        m_running.blockOrder = order;
    }
    void clearBlock() noexcept
    {
        if (!m_finished) m_running.block.reset();
    }

    // ---- once finished ------------------------------------------------------------------
    /// The running part goes (its dispatch list, what it would do next, what it waited on:
    /// the caller has let each go as it should), and the result part takes its room.
    void finish(QVariant v, ErrorPtr e)
    {
        Q_ASSERT(!m_finished);
        m_running.~Running();
        new (&m_result) Result { std::move(v) };
        m_finished = true;
        if (e) linksForWrite().error = std::move(e);
    }
    /// When it finished, among the run's tasks and promises (Machine::itemFinished); 0 until it
    /// finished.
    int completion() const noexcept { return m_finished ? m_result.completion : 0; }
    void setCompletion(int order) noexcept
    {
        Q_ASSERT(m_finished);
        m_result.completion = order;
    }
    /// What it returned: null until it finished, and for a failed or cancelled task.
    const QVariant& value() const noexcept
    {
        static const QVariant none;
        return m_finished ? m_result.value : none;
    }
    /// Why it failed: null until it finished, and for a task that did not fail.
    const ErrorPtr& error() const noexcept
    {
        static const ErrorPtr none;
        return m_finished && links ? links->error : none;
    }
    /// A finished task's error, set after finish() (a run stopped fails its cancelled main).
    void setError(ErrorPtr e)
    {
        Q_ASSERT(m_finished);
        linksForWrite().error = std::move(e);
    }

    Links& linksForWrite()
    {
        if (!links) links = std::make_unique<Links>();
        return *links;
    }
    /// The registrations of the tasks waiting on this one, taken.
    std::vector<WaitReg> takeWaiters() { return links ? std::exchange(links->waiters, {}) : std::vector<WaitReg>(); }
    std::vector<int> branchIds() const { return links ? links->branches : std::vector<int>(); }
    quint64 failOrder() const { return links ? links->failOrder : 0; }
    void forgetBranch(int id)
    {
        if (links) std::erase(links->branches, id);
    }

private:
    struct Running {
        DispatchList dispatch;
        /// On the heap: allocated while the task runs or is ready, given back while it is
        /// blocked, so that waiting tasks stay small.
        std::unique_ptr<Outcome> pending;
        BlockPtr block;
        quint64 blockOrder = 0;
    };
    struct Result {
        QVariant value;
        int completion = 0;
    };
    union {
        Running m_running; ///< !m_finished
        Result m_result; ///< m_finished
    };
};
static_assert(sizeof(void*) != 8 || sizeof(TaskRec) <= 200, "every task holds one; its first two frames are in it");

/// The record behind a root's link: the shared frames in its K, bottom first, and no id
/// (kId), in no task table. Held by every TaskRoot frame that shares it (their `data`, which
/// points at the TaskRec in it), by a Handling whose `after` points into it, and for a while by
/// the machine (Machine::m_recentSets); a dispatch Cursor may point into it.
struct InheritedSet final : TaskRec, std::enable_shared_from_this<InheritedSet> {
    static constexpr int kId = -1;
    InheritedSet() { id = kId; }
    /// Whether `t` is a set's record, not a task's.
    static bool holds(const TaskRec* t) { return t->id == kId; }
    /// A copy of `f` for a task that inherits it (the frame's kind and what it points at).
    static Frame copyOf(const Frame& f)
    {
        Frame copy;
        copy.kind = f.kind;
        copy.data = f.data;
        return copy;
    }
};

/// The run's task records, addressed by id. A record stays where it is until the machine ends
/// (pointers to it are kept everywhere), so records live in chunks: one allocation per
/// kChunk tasks instead of one per task.
class TaskTable {
public:
    TaskTable() = default;
    ~TaskTable();
    TaskTable(const TaskTable&) = delete;
    TaskTable& operator=(const TaskTable&) = delete;

    /// A new, default-constructed record at the end.
    TaskRec* add();
    TaskRec* operator[](std::size_t i) const { return m_chunks[i / kChunk] + i % kChunk; }
    TaskRec* front() const { return (*this)[0]; }
    std::size_t size() const { return m_size; }

private:
    static constexpr std::size_t kChunk = 64;
    std::vector<TaskRec*> m_chunks; ///< raw storage for kChunk records each
    std::size_t m_size = 0;
};

/// One run's machine: task table, ready queue, timers, awaits, lazy cache, effect tree.
class Machine final : public RunView {
public:
    Machine(HandlerList handlers, Env env, Store store, RunOptions options);
    ~Machine();
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;

    void start(AnyProgram program);

    // ---- runner interface -------------------------------------------------------------
    bool hasReady() const { return !m_ready.empty(); }
    /// Runs one turn of the head of the ready queue.
    void runTurn();
    /// Between turns: appends tasks whose Await/external promise completed, then due timers.
    void pollCompletions();
    bool finished() const { return m_live == 0; }
    /// Awaits that were requested and not yet started by the runner.
    struct AwaitRequest {
        quint64 id;
        AwaitStarter start;
    };
    std::vector<AwaitRequest> takeAwaitRequests();
    /// Thread-safe: delivers an awaitable's (or external promise's) outcome.
    void postCompletion(quint64 awaitId, QVariant value, std::exception_ptr error);
    bool hasPendingAwaits() const { return m_pendingAwaits > 0; }
    bool hasExternalWaiters() const;
    /// True if a live timer is pending (drops stale ones).
    bool hasTimers();
    /// Earliest timer deadline in clock microseconds.
    qint64 nextDeadline() const;
    qint64 nowMicros() const;
    Clock clock() const { return m_options.clock; }

    // ---- replay (docs/replay.md) ------------------------------------------------------
    /// True when the run takes its inputs from a recording (RunOptions::replay): Awaits are
    /// not started, what the program's threads post is dropped, and pollCompletions() delivers
    /// what the recording took in, at the steps it took them in.
    bool replaying() const { return m_replay != nullptr; }
    /// Replay, nothing ready and not finished: does what the recording did next. False when the
    /// recording did nothing more either (the runner then resolves the deadlock as it did).
    bool replayIdle();
    /// The replay's what-if took effect: from here the run is live. Awaits the replay did not
    /// start and the recording did not complete are started now.
    void leaveReplay();
    /// Simulated clock: jump to the earliest deadline.
    void advanceToNextDeadline();
    /// Blocks the calling thread until a completion is posted or `deadline` (steady clock).
    void waitForCompletion(std::chrono::steady_clock::time_point deadline);
    bool hasPostedCompletions();
    /// Nothing can make progress: fail every blocked task with DeadlockError (§7.8).
    void resolveDeadlock();
    /// Called (on the posting thread) whenever a completion is posted.
    void setWakeCallback(std::function<void()> cb);
    const std::shared_ptr<Mailbox>& mailbox() const { return m_mailbox; }

    std::shared_ptr<const ResultData> buildResult();

    // ---- for handlers and HandlerContext ---------------------------------------------
    const AnyEffect& ctxEffect(DispatchState* d) const { return d->effect; }
    const Env& ctxEnv(DispatchState* d) const { return d->task->env; }
    Store ctxStore(DispatchState* d) const;
    TaskInfo ctxTask(DispatchState* d) const;
    Continuation ctxContinuation(DispatchState* d);
    QList<FrameInfo> ctxK(DispatchState* d) const;

    TaskRec* task(int id) const;
    /// The task a block is of: in the table for as long as the run lasts.
    TaskRec* taskOf(const BlockOp& b) const noexcept { return m_tasks[std::size_t(b.task)]; }
    quint64 runId() const { return m_runId; }
    const RunOptions& options() const { return m_options; }

    bool itemFinished(const Waitable& w, bool* failed, int* completion) const;
    static FrameInfo frameInfo(const SnapFrame& s);
    /// The program that performed the effect a handling handles (the innermost program frame of
    /// the continuation it holds), or null.
    static const PromiseBase* performer(const HandlingState& hs);

    // ---- RunView (observers) ---------------------------------------------------------
    quint64 stepCount() const override { return m_step; }
    int currentTask() const override { return m_current ? m_current->id : -1; }
    bool requestCancel(int task) const override;
    QList<TaskSnapshot> tasks() const override;
    QList<FrameInfo> k(int task) const override;
    QList<FrameInfo> liveK(int task) const override;
    int programDepth(int task) const override;
    Store store(int task) const override;
    Env env(int task) const override;
    EffectStackTrace effectTree() const override;
    /// An observer asked to end the run (doeff::AbortRun), or RunOptions::interrupt did.
    bool abortRequested()
    {
        if (m_options.interrupt && !m_abortRequested) [[unlikely]]
            askInterrupt();
        return m_abortRequested;
    }
    /// Ends the run now: every task is cancelled, main fails with RunAbortedError.
    void abortRun();
    /// RunFinished, once the result is known (the runner calls it).
    void announceFinished(const ResultData& result);

private:
    struct Ctl {
        enum Kind : unsigned char { Start, Value, Error, Perform, Stop } kind = Stop;
        bool taskRoot = false;
        AnyProgram program;
        int node = -1;
        QVariant value;
        ErrorPtr error;
        AnyEffect effect;
        std::source_location site;
        std::shared_ptr<const HandlerImpl> handler; ///< Start: the handler whose program this is
        /// Value, to the Handling frame on top: the coroutine handler's answer, as it returned it
        /// (Promise<HandlerResult>); `value` is then unused. See resumeTop().
        std::optional<HandlerResult> answer;
    };

    // turn & steps
    void applyPending(TaskRec* t, Ctl& c);
    void applyOutcome(TaskRec* t, Outcome& o, Ctl& c);
    /// One step; false: the turn ends. Compiled once for observed runs and once for the others.
    template<bool Observed> bool step(TaskRec* t, Ctl& c);
    void startProgram(TaskRec* t, Ctl& c);
    void resumeTop(TaskRec* t, Ctl& c, ErrorPtr inflight);
    void takeAnswer(TaskRec* t, Ctl& c, Promise<HandlerResult>* pr);
    bool deliver(TaskRec* t, Ctl& c);
    bool perform(TaskRec* t, Ctl& c);
    /// The effect's label. A coroutine handler forwards by performing again the owned copy of
    /// its effect, so each level would format the same label: the last owned effect's is kept.
    QString effectLabel(const AnyEffect& effect);
    bool finishDispatch(TaskRec* t, Ctl& c, Outcome&& o, bool programLevel);

    // frames
    void pushFrame(TaskRec* t, Frame&& f);
    Frame popFrame(TaskRec* t);
    /// pushFrame and popFrame without telling observers (pushFrameObserved and
    /// popFrameObserved, below, tell them).
    void pushFrameQuietly(TaskRec* t, Frame&& f);
    Frame popFrameQuietly(TaskRec* t);
    std::vector<Frame> cutAbove(TaskRec* t, int index);
    /// Pushes `frames` back, bottom first, and leaves it empty.
    void install(TaskRec* t, std::vector<Frame>& frames);
    void discard(TaskRec* t, std::vector<Frame>& frames);
    void restoreContinuation(TaskRec* t, ContinuationState& k);

    // dispatch
    Outcome walk(DispatchState& ds, Cursor from);
    /// The walk, compiled once for observed runs and once for the others: no test of the
    /// observers for each frame passed.
    template<bool Observed> Outcome walkAs(DispatchState& ds, Cursor from);
    /// Offers the effect to one handler: true when it took it (`out` says how), false when it
    /// forwarded (`out` untouched).
    bool offerTo(DispatchState& ds, Frame& handlerFrame, Cursor at, Outcome& out);
    /// offerTo() in observed runs, followed by the EffectHandled event for this handler (taken or
    /// forwarded).
    bool offerObserved(DispatchState& ds, Frame& handlerFrame, Cursor at, Outcome& out);
    int delimitIndex(const DispatchState& ds) const;
    /// A handler that did not use the continuation it took (a fast handler that asked for it, a
    /// coroutine handler's): gives its frames back.
    void reinstallCaptured(DispatchState& ds)
    {
        if (ds.captured && !ds.captured->consumed) [[unlikely]]
            restoreContinuation(ds.task, *ds.captured);
        else if (ds.keptFrom >= 0 && !ds.task->env.isSharedWith(ds.keptEnv)) // kept on K: only the env
            ds.task->env = ds.keptEnv;
    }
    Outcome fromHandlerResult(DispatchState& ds, HandlerResult&& r);
    Outcome startCoroutineHandler(DispatchState& ds, Frame& handlerFrame);
    /// A handling's continuation kept on K (DispatchState::keptFrom), cut out now as the
    /// handling would have cut it: someone asked for it (ctx.continuation(), ResumeK, Abort).
    void materializeKept(DispatchState* d);
    Outcome interpretHandling(HandlingState& hs, HandlerResult&& r);
    Outcome resumeWith(DispatchState& ds, const Continuation& k, QVariant v, std::exception_ptr e,
                       const std::shared_ptr<ContinuationState>& own);

    // built-in handlers (builtins.cpp)
    Outcome handleCore(DispatchState& d);
    Outcome handleScheduler(DispatchState& d);
    Outcome handleTime(DispatchState& d);
    Outcome handleAwait(DispatchState& d);
    Outcome askLazy(DispatchState& d, const Lazy& lazy, const QString& key);
    Outcome scoped(DispatchState& d, FrameKind kind, const SharedProgram& body, std::shared_ptr<void> data = {});
    Outcome gather(DispatchState& d);
    Outcome sleepUntil(DispatchState& d, qint64 deadline);
    QList<CallFrame> callStack(const DispatchState& d) const;
    void appendLog(TaskRec* t, const QVariant& message);

    // observation (hooks); each is called only when DOEFF_OBSERVED
    //
    // The hot functions (step, perform, the walk) call out to these, never inline: were an event
    // built inline, its stack frame and saved registers would be paid on every step, observed or
    // not. (Not [[gnu::cold]]: that would compile them for size, and observed runs call them for
    // every event.)
    /// The Step event (and a what-if handler change due at this step): false when the run aborts.
    [[gnu::noinline]] bool observeStep(TaskRec* t, const Ctl& c);
    /// The EffectYielded event, `label` the tree's (null: none made): a value when a what-if
    /// answers the effect instead of its handlers.
    [[gnu::noinline]] std::optional<Outcome> observeEffect(DispatchState& ds, QString label);
    /// Where an event applies (the strings of std::source_location).
    struct Where {
        const char* file = nullptr;
        int line = 0;
        const char* function = nullptr;
    };
    template<class T> [[gnu::noinline]] void emitEvent(const T& fields, int task, Where at = {})
    {
        settleObservers();
        const LiveEvent e(fields, m_step, task, at.file, at.line, at.function);
        deliverEvent(e);
    }
    void deliverEvent(const LiveEvent& e);
    /// Emits the Ready of a task that yielded and was not picked again at once (see enqueue()).
    void flushDeferredReady();
    /// The task whose Ready is held back (enqueueObserved()), or -1.
    int heldBackReady() const { return m_deferredReady ? m_deferredReady->id : -1; }
    /// After a program-level effect: the task may go on in the same turn (no other task is ready,
    /// nothing was posted, no timer or Await start is pending, and a replay has no input to feed
    /// in). Observers cannot tell: a task queued and picked again at once shows no Ready or
    /// Running (enqueueObserved() holds the Ready back, runTurn() drops it). A replay feeds the
    /// recording's inputs in between turns, at the step each came in: it says when one may come.
    bool mayKeepTurn() const
    {
        return m_turnBudget > 0 && m_ready.empty() && m_timers.empty() && m_awaitRequests.empty()
            && !m_mailbox->hasPosted.load(std::memory_order_relaxed) && (!m_replay || m_replay->mayRunOn(m_step));
    }
    /// Effects a task may go on with in one turn: bounds the time between two of the runner's
    /// checks (abort, the async runner's yield to the event loop).
    static constexpr int kTurnBudget = 256;
    /// Before a task's state changes: observers get the held-back Ready first, so that the
    /// machine they look at during that event is still the one it describes.
    void settleObservers()
    {
        if (DOEFF_OBSERVED && m_deferredReady) [[unlikely]]
            flushDeferredReady();
    }
    /// The task's top program activation: where it is suspended, or its definition.
    Where topSite(const TaskRec* t) const;
    SnapFrame snapFrame(const TaskRec* t, const Frame& f) const;
    void announceTask(TaskRec* t);
    void hookFramePushed(const TaskRec* t, const Frame& f, int index);
    void hookFramePopped(const TaskRec* t, FrameKind kind, int index);
    void hookTaskState(const TaskRec* t);
    void hookHandled(const DispatchState& ds, const Outcome& o, const QString& handler);
    void hookStoreWrite(const TaskRec* t, const QString& key, const QVariant& value, const QVariant* old);
    /// EnvEntered: `local`, the Local frame about to be pushed, describes the keys it binds.
    void hookEnvEntered(const TaskRec* t, const Frame& local);
    void hookEnvLeft(const TaskRec* t);
    void hookErrorCaught(const TaskRec* t, const ErrorPtr& e, int how);
    /// Safe's Err on its way to the program below (observed runs): watched until it pops.
    void watchErr(const TaskRec* t, AnyResult& r);
    /// `f`, a program frame about to pop: reports the Errs it received and never looked at.
    void judgeWatchedErrs(const TaskRec* t, const Frame& f);
    /// Put with observation: every store write of the built-in handlers goes through here.
    void writeStore(TaskRec* t, const QString& key, const QVariant& value);
    [[gnu::noinline]] void pushFrameObserved(TaskRec* t, Frame&& f);
    [[gnu::noinline]] Frame popFrameObserved(TaskRec* t);
    [[gnu::noinline]] void enqueueObserved(TaskRec* t);
    /// writeStore() while observed: the StoreWrite event, with the value it replaced.
    [[gnu::noinline]] void writeStoreObserved(TaskRec* t, const QString& key, const QVariant& value);

    // errors
    ErrorPtr newError(TaskRec* t, std::exception_ptr e, int node, bool thrownByProgram = false);
    ErrorPtr cross(TaskRec* receiver, const ErrorPtr& e, int node);
    void rememberError(const ErrorPtr& r);
    std::vector<SnapFrame> snapshot(TaskRec* t) const;
    template<class E, class... A> ErrorPtr raise(TaskRec* t, int node, A&&... args)
    {
        return newError(t, std::make_exception_ptr(E(std::forward<A>(args)...)), node);
    }

    // tasks
    TaskRec* newTask(TaskKind kind, NamePtr name, TaskRec* parent);
    /// The name a task running `program` takes: one shared name for all of a program's tasks.
    NamePtr programTaskName(const AnyProgram& program);
    /// Sets what `t` does when it next runs; the Outcome comes from the spares when `t` has none.
    Outcome& setPending(TaskRec* t, Outcome&& o);
    /// `t` waits or has finished: its Outcome goes back to the spares.
    void dropPending(TaskRec* t) noexcept;
    void enqueue(TaskRec* t);
    void wake(TaskRec* t, Outcome o);
    void blockOn(TaskRec* t, BlockPtr b, TaskState state);
    void finishTask(TaskRec* t, bool ok, QVariant value, ErrorPtr error);
    void notifyWaiters(std::vector<WaitReg> waiters);
    void onItemDone(const BlockPtr& b, int item);
    Outcome itemOutcome(TaskRec* receiver, const Waitable& w, int node);
    void registerOn(const Waitable& w, const BlockPtr& b, int item);
    void cancelBranches(const BlockPtr& b);
    bool cancelTask(TaskRec* t);
    /// std::bad_alloc thrown by the machine's own code while `t` ran: `t` fails with it.
    void failOutOfMemory(TaskRec* t, std::size_t tasksBefore, std::exception_ptr error);
    void releaseLazies(TaskRec* t);
    bool isAncestorOrSelf(int ancestor, TaskRec* t) const;
    Waitable handleOf(TaskRec* t) const;
    PromiseRec* promise(const Waitable& w) const;
    bool promiseIsExternal(const Waitable& w) const;
    void completePromise(PromiseRec* p, QVariant value, ErrorPtr error);
    ErrorPtr checkHandle(TaskRec* t, const Waitable& w, int node, const char* what);
    /// The frames a task spawned by `t` inherits, top first, into `out`. When `t`'s dispatch
    /// path starts at a root's link, every one of them is in that link's set: what holds
    /// the set is returned (that frame's `data`) and `out` left empty.
    const std::shared_ptr<void>* inheritedFrames(TaskRec* t, std::vector<const Frame*>& out) const;
    /// A set holding exactly `frames` (top first): one of the last few made, or a new one.
    std::shared_ptr<void> inheritedSet(const std::vector<const Frame*>& frames);

    quint64 m_runId;
    RunOptions m_options;
    QString m_programName; ///< what RunStarted and the result call the program
    HandlerList m_handlers;
    TaskTable m_tasks;
    std::vector<std::unique_ptr<PromiseRec>> m_promises;
    std::deque<TaskRec*> m_ready;
    int m_live = 0;
    int m_completionCounter = 0;
    quint64 m_blockCounter = 0;
    quint64 m_failCounter = 0;
    quint64 m_step = 0;
    TaskRec* m_current = nullptr;
    int m_turnBudget = 0;
    std::vector<const Frame*> m_scratchFrames; ///< Spawn: the frames to inherit, before they are shared
    /// A run nobody observes: a spawned task shares the handler frames it inherits (its root
    /// links to them) instead of holding copies. An observed run (a replay is, by its checker)
    /// copies them, so that each task's FramePushed events describe its whole K, as traces have
    /// always recorded.
    bool sharesInherited() const { return !DOEFF_OBSERVED && !m_replay; }
    /// The last inherited sets made, for the next spawns to share (a set lives while a root's
    /// link, a Handling's `afterSet` or this holds it).
    std::array<std::shared_ptr<void>, 4> m_recentSets;
    std::size_t m_nextRecentSet = 0;
    /// Outcomes given back by waiting and finished tasks, for the next ones (one allocation
    /// fewer per spawned task). Bounded: a burst of wake-ups does not keep memory for good.
    std::vector<std::unique_ptr<Outcome>> m_spareOutcomes;
    static constexpr std::size_t kMaxSpareOutcomes = 256;
    /// An Err a Safe gave a program while observed, judged when that program's frame pops: if
    /// no copy of it was looked at, ErrorCaught(3) says the program dropped it unread.
    struct WatchedErr {
        const PromiseBase* program = nullptr;
        std::shared_ptr<ResultWatch> watch;
        ErrorInfo error;
        quint64 caughtAt = 0;
        Where site; ///< the program's `co_await Safe(…)`
    };
    std::vector<WatchedErr> m_watchedErrs;

    // timers: (deadline µs, sequence) → blocked op
    std::map<std::pair<qint64, quint64>, BlockPtr> m_timers;
    quint64 m_timerSeq = 0;
    qint64 m_virtualNow = 0;
    /// A program-visible reading of the clock (GetTime, Delay, WaitUntil): on the real clock an
    /// input (InputReceived), replayed from the recording when replaying.
    qint64 readClock(TaskRec* t);
    void hookInput(InputKind kind, int task, qint64 id, const QVariant* value, const std::exception_ptr& error);
    /// An input comes in: observers of everything or of inputs want its InputReceived.
    bool watchesInputs() const { return DOEFF_OBSERVED || !m_inputObservers.empty(); }
    /// RunStarted, InputReceived or RunFinished: to the observers of inputs only, then (as
    /// emitEvent) to the observers of everything.
    template<class T> void emitToWatchers(const T& fields, int task)
    {
        if (!m_inputObservers.empty()) deliverTo(m_inputObservers, LiveEvent(fields, m_step, task));
        if (DOEFF_OBSERVED) emitEvent(fields, task);
    }
    void deliverTo(const std::vector<Observer*>& observers, const LiveEvent& e);
    void askInterrupt();
    /// Replay: the recorded deliveries due at this step, then (simulated clock) due timers.
    void replayCompletions();
    /// Replay: ends the run with the replay's report of how it parted from the recording.
    void replayDiverged(const QString& why);
    /// What if (whatif.cpp): makes m_handlerChange in every task, then leaves the replay.
    void changeHandlers();
    /// Pops the frames of `t` from `from` up (observers see them go), lets `edit` change them
    /// (bottom first), and pushes them back (observers see them restored; new ones pushed).
    template<class Edit> void restack(TaskRec* t, int from, Edit&& edit);
    /// Calls `fn(HandlingState&)` for every handling of the run: on every task's K and inside
    /// the continuations they hold.
    template<class Fn> void forEachHandling(Fn&& fn);
    InputSource* m_replay = nullptr;
    std::optional<HandlerChange> m_handlerChange; ///< replay: the what-if's change to the handlers
    std::vector<AwaitRequest> m_heldAwaits; ///< replay: Awaits not started (see leaveReplay())

    // awaits & external promises
    std::vector<AwaitRequest> m_awaitRequests;
    std::unordered_map<quint64, BlockPtr> m_awaits;
    quint64 m_awaitSeq = 0;
    int m_pendingAwaits = 0;
    std::shared_ptr<Mailbox> m_mailbox;
    std::unordered_map<quint64, int> m_externalPromise; // completion id → promise id
    bool m_cancelSelf = false;
    TaskRec* m_cancelTarget = nullptr;
    /// Tasks a debugger asked to cancel (requestCancel), cancelled when the current turn ends.
    mutable std::vector<int> m_cancelRequests;

    QHash<const void*, std::shared_ptr<LazyEntry>> m_lazy;
    EffectTree m_tree;
    AnyEffect m_labelled; ///< effectLabel()'s last owned effect (kept alive: its address stays its own)
    QString m_label; ///< its label
    // effectLabel()'s last borrowed effect with a default label: its type, fields and label
    const EffectType* m_fieldsType = nullptr;
    QVariantMap m_fields;
    QString m_fieldsLabel;
    /// effectLabel()'s labels of Get and Put by their key's text: the few keys of a run, found by
    /// the key's data pointer (HeldText).
    struct KeyLabel {
        int builtin = 0;
        HeldText key;
        QString label;
    };
    std::array<KeyLabel, 64> m_keyLabels {};
    /// Where Get and Put found their keys in a store, by the key's text pointer: Store::find's
    /// hint, which the store checks (a stale one costs one comparison). A slot another key
    /// took last gives no hint, so a run of many keys does not pay that comparison on each.
    /// 4,096 slots (64 KiB, on the heap: a Machine may live on a small stack): a program that
    /// turns over a thousand keys of a big store still finds most of them without hashing,
    /// where the hash lookup costs it two more cache misses a Get.
    struct KeyHint {
        const QChar* key = nullptr;
        qsizetype at = -1;
    };
    static constexpr unsigned kKeyHintBits = 12;
    std::vector<KeyHint> m_keyHints = std::vector<KeyHint>(std::size_t(1) << kKeyHintBits);
    qsizetype& keyHint(const QString& key)
    {
        KeyHint& h = m_keyHints[addressSlot<kKeyHintBits>(key.constData())];
        if (h.key != key.constData()) h = KeyHint { key.constData(), -1 };
        return h.at;
    }

    /// Lent to the program resumeTop() resumes: its answer in, its result or error out.
    Answer m_answer;
    std::vector<Observer*> m_observers; ///< of every event (EventInterest::Everything)
    /// Of RunStarted, InputReceived and RunFinished only (EventInterest::Inputs): they turn on
    /// no other hook.
    std::vector<Observer*> m_inputObservers;
    std::vector<Observer*> m_faultyObservers;
    std::deque<ErrorPtr> m_recentErrors; ///< to recognise a rethrow of a caught error
    bool m_abortRequested = false;
    QString m_abortReason;
    bool m_observed = false;
    /// The storage of continuations given back (install()), for the next cutAbove()s: up to
    /// kSpareFrameLists lists of room for up to kSpareFrameRoom frames each.
    std::vector<std::vector<Frame>> m_spareFrames;
    static constexpr std::size_t kSpareFrameLists = 32;
    static constexpr std::size_t kSpareFrameRoom = 16;
    bool m_restoringFrames = false; ///< install() is giving frames back (FramePushed.restored)
    /// The running task re-queued itself after an effect: its Ready is announced only if
    /// something else happens before it runs again (then its Running follows as usual).
    TaskRec* m_deferredReady = nullptr;
    quint64 m_deferredReadyStep = 0;
};

// Every effect, call and handling pushes and pops frames: these are defined here, to be inlined
// into the machine's paths in every file.

inline void Machine::pushFrameQuietly(TaskRec* t, Frame&& f)
{
    if (f.kind != FrameKind::Program) {
        t->dispatch().push_back(int(t->k.size()));
        if (f.kind == FrameKind::Handling) ++t->handlingDepth;
    }
    t->k.push_back(std::move(f));
}

inline void Machine::pushFrame(TaskRec* t, Frame&& f)
{
    if (DOEFF_OBSERVED) [[unlikely]]
        return pushFrameObserved(t, std::move(f));
    pushFrameQuietly(t, std::move(f));
}

inline Frame Machine::popFrameQuietly(TaskRec* t)
{
    Frame f = t->k.takeBack();
    if (f.kind != FrameKind::Program) {
        t->dispatch().pop_back();
        if (f.kind == FrameKind::Handling) --t->handlingDepth;
    }
    return f;
}

inline Frame Machine::popFrame(TaskRec* t)
{
    if (DOEFF_OBSERVED) [[unlikely]]
        return popFrameObserved(t);
    return popFrameQuietly(t);
}

} // namespace doeff::detail
