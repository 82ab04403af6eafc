#pragma once

#include <doeff/export.h>
#include <doeff/handler.h>
#include <doeff/runtimeresult.h>
#include <doeff/store.h>

#include <QList>
#include <QString>
#include <QVariant>

#include <optional>

/// The event stream (DESIGN.md "everything watches the event stream"): observers attached to a
/// run through RunOptions::observers receive every event, in order, on the machine's thread.
/// With no observer attached a hook site costs one predictable branch.
namespace doeff {

enum class EventKind : quint8 {
    RunStarted = 1, ///< value: initial store as [[key, value], …]; old: env (map); name: program
    RunFinished, ///< code: 1 Ok / 0 Err; name: `Ok(…)` / `Err(Type: message)`; value: the value
    Step, ///< one machine transition; code: ControlKind; index: K depth; location: the task's top activation
    FramePushed, ///< index: K position; code: FrameKind; name: kind name; text: description
    FramePopped, ///< index: K position of the popped frame; code: FrameKind
    EffectYielded, ///< name: label; text: effect name; value: fields; location: the site
    EffectHandled, ///< code: HandledHow; text: handler name; name: effect label
    StoreWrite, ///< name: key; value: new value; old: previous value (invalid when the key was new)
    StoreReplaced, ///< value: the whole store as [[key, value], …] (Resume(v).withStore(s))
    EnvEntered, ///< value: the env now in force (map); name: override keys
    EnvLeft, ///< value: the env restored (map)
    LogAppended, ///< value: the message(s) appended to `__log__`
    TaskSpawned, ///< index: parent id; code: TaskKindCode; name: task name; value: initial env (map)
    TaskStateChanged, ///< code: TaskStateCode; name: what it waits on (blocked/sleeping/awaiting)
    TaskFinished, ///< code: TaskStateCode (done/failed/cancelled); name: `Ok(…)` / `Err(…)` / `cancelled`
    /// name: error type; text: message; location: where it was raised (the throw line when the
    /// throw hook saw it); code: 1 thrown by the code of the task's top program activation,
    /// 0 raised while handling its last effect (a handler, a built-in)
    ErrorRaised,
    /// name: error type; text: message; code: 1 by Safe, 2 by program code, 3 a Safe's Err the
    /// program that received it finished without looking at (value: the step it was caught at;
    /// location: the program's `co_await Safe(…)`)
    ErrorCaught,
    /// Something from outside the program the run took in (docs/replay.md): code: InputKind;
    /// index: the Await's or external promise's id (-1 otherwise); value: the clock reading
    /// (µs since the epoch), the value delivered (Await, external promise); name, text: the
    /// error type and message of a failed delivery; old: the simulated clock (µs) a delivery
    /// was taken in at (Simulated clock only). task: the task that read it or was woken.
    InputReceived,
};
DOEFF_EXPORT const char* eventKindName(EventKind kind);
constexpr int EventKindCount = int(EventKind::InputReceived);

/// What an InputReceived event took in: everything a run does not decide itself.
enum class InputKind : quint8 {
    Clock = 1, ///< a reading of the real clock (GetTime, Delay's and WaitUntil's deadlines)
    Await, ///< an Await's operation finished (value or error)
    ExternalPromise, ///< an external promise was completed from outside
    Timer, ///< a real-clock timer woke its task
};
DOEFF_EXPORT const char* inputKindName(InputKind kind);

enum class ControlKind : quint8 { Start, Value, Error, Perform };
enum class HandledHow : quint8 {
    Resumed,
    Failed,
    Forwarded,
    RanProgram,
    SwitchedContinuation,
    Blocked,
    HandlerStarted
};
enum class FrameKindCode : quint8 {
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
    TaskRoot,
    Convert,
};
enum class TaskKindCode : quint8 { Main, Spawned, Branch };
enum class TaskStateCode : quint8 { Ready, Running, Blocked, Sleeping, Awaiting, Done, Failed, Cancelled };
DOEFF_EXPORT const char* handledHowName(HandledHow how);
DOEFF_EXPORT const char* frameKindCodeName(FrameKindCode kind);
DOEFF_EXPORT const char* taskStateCodeName(TaskStateCode state);
DOEFF_EXPORT const char* taskKindCodeName(TaskKindCode kind);

/// One event. Fields not listed for a kind are empty.
struct Event {
    EventKind kind = EventKind::Step;
    quint64 step = 0; ///< machine steps taken so far in the run
    int task = -1;
    /// Source location where the event applies (null when none). The strings are those of
    /// std::source_location: valid during the callback; copy them to keep them.
    const char* file = nullptr;
    int line = 0;
    const char* function = nullptr;
    int index = -1;
    int code = 0;
    QString name;
    QString text;
    QVariant value;
    QVariant old;
};

/// Text an event can give but does not format until asked (a label, an `Ok(…)` summary, what a
/// task waits on): a function and what it reads, both valid during the callback only.
struct LazyText {
    QString (*fn)(const void* context) = nullptr;
    const void* context = nullptr;
    QString operator()() const { return fn ? fn(context) : QString(); }
};

/// The kinds' own fields, one struct per EventKind. They refer to the machine's data (valid
/// during the callback only) instead of copying it; text is formatted when asked for.
namespace events {
struct RunStarted {
    static constexpr EventKind kind = EventKind::RunStarted;
    const QString& program;
    const Store& store; ///< the initial store
    const Env& env; ///< the initial env
};
struct RunFinished {
    static constexpr EventKind kind = EventKind::RunFinished;
    bool ok;
    const QVariant& value;
    LazyText summary; ///< `Ok(…)` / `Err(Type: message)`
};
struct Step {
    static constexpr EventKind kind = EventKind::Step;
    ControlKind control;
    int depth; ///< the task's K depth
};
struct FramePushed {
    static constexpr EventKind kind = EventKind::FramePushed;
    int index; ///< K position
    FrameKindCode frame;
    LazyText kindName; ///< `program`, `handler`, …
    LazyText description;
    /// A frame a continuation gives back (a handling ended, a continuation resumed): it was on
    /// K before, and a program frame is the activation it was. The record's value is true.
    bool restored = false;
};
struct FramePopped {
    static constexpr EventKind kind = EventKind::FramePopped;
    int index; ///< K position of the popped frame
    FrameKindCode frame;
};
struct EffectYielded {
    static constexpr EventKind kind = EventKind::EffectYielded;
    const AnyEffect& effect; ///< name(), fields() on demand
    const QString& label; ///< `Get('k')`
};
struct EffectHandled {
    static constexpr EventKind kind = EventKind::EffectHandled;
    HandledHow how;
    const QString& label; ///< the effect's
    const QString& handler; ///< empty: no handler took it
    const QVariant* value; ///< the value resumed with (Resumed only)
    LazyText error; ///< `Type: message` (Failed only)
};
struct StoreWrite {
    static constexpr EventKind kind = EventKind::StoreWrite;
    const QString& key;
    const QVariant& value;
    const QVariant* old; ///< null: the key is new
};
struct StoreReplaced {
    static constexpr EventKind kind = EventKind::StoreReplaced;
    const Store& store;
};
struct EnvEntered {
    static constexpr EventKind kind = EventKind::EnvEntered;
    const QString& keys; ///< the override keys, as the frame describes them
    const Env& env; ///< the env now in force
};
struct EnvLeft {
    static constexpr EventKind kind = EventKind::EnvLeft;
    const Env& env; ///< the env restored
};
struct LogAppended {
    static constexpr EventKind kind = EventKind::LogAppended;
    const QVariant& messages;
};
struct TaskSpawned {
    static constexpr EventKind kind = EventKind::TaskSpawned;
    int parent;
    TaskKindCode taskKind;
    const QString& name;
    const Env& env;
    const Store* store; ///< null for a Gather branch (it shares its parent's)
};
struct TaskStateChanged {
    static constexpr EventKind kind = EventKind::TaskStateChanged;
    TaskStateCode state;
    LazyText waitsOn; ///< what a blocked, sleeping or awaiting task waits on
};
struct TaskFinished {
    static constexpr EventKind kind = EventKind::TaskFinished;
    TaskStateCode state; ///< done, failed or cancelled
    const QVariant* value; ///< done only
    LazyText summary; ///< `Ok(…)` / `Err(…)` / `cancelled`
};
struct ErrorRaised {
    static constexpr EventKind kind = EventKind::ErrorRaised;
    bool byProgram; ///< thrown by the code of the task's top program activation
    LazyText type;
    LazyText message;
};
struct ErrorCaught {
    static constexpr EventKind kind = EventKind::ErrorCaught;
    int how; ///< 1 by Safe, 2 by program code, 3 a Safe's Err dropped unread
    LazyText type;
    LazyText message;
    quint64 caughtAt = 0; ///< how 3: the step the Safe caught it at
};
struct InputReceived {
    static constexpr EventKind kind = EventKind::InputReceived;
    InputKind input;
    qint64 id; ///< the Await's / external promise's id; -1 for a clock reading or a timer
    const QVariant* value; ///< the reading or the value delivered; null for a timer or a failure
    const QString* errorType; ///< a failed delivery's error type, else null
    const QString* errorMessage; ///< a failed delivery's message, else null
    qint64 simulatedNow; ///< the simulated clock (µs) at a delivery; -1 on the real clock
};
} // namespace events

/// What an observer receives as the machine runs: the kind, the step, the task and the source
/// location, and the kind's own fields (`as<events::StoreWrite>()`). Valid during the callback
/// only; record() makes the owned, formatted Event a trace or a history keeps.
class DOEFF_EXPORT LiveEvent {
public:
    template<class T>
    LiveEvent(const T& payload, quint64 step, int task, const char* file = nullptr, int line = 0,
              const char* function = nullptr)
        : kind(T::kind)
        , step(step)
        , task(task)
        , file(file)
        , line(line)
        , function(function)
        , m_payload(&payload)
    { }

    EventKind kind;
    quint64 step; ///< machine steps taken so far in the run
    int task;
    /// The strings of std::source_location (null when none): valid during the callback.
    const char* file;
    int line;
    const char* function;

    /// The kind's fields, or null when the event is of another kind.
    template<class T> const T* as() const { return kind == T::kind ? static_cast<const T*>(m_payload) : nullptr; }
    /// The kind's fields; the event must be of that kind.
    template<class T> const T& get() const
    {
        Q_ASSERT(kind == T::kind);
        return *static_cast<const T*>(m_payload);
    }
    /// The owned record: every field copied, every text formatted (see EventKind).
    Event record() const;

private:
    const void* m_payload;
};

/// One task as the debugger shows it.
struct TaskSnapshot {
    int id = 0;
    QString name;
    TaskKindCode kind = TaskKindCode::Main;
    int parent = -1;
    TaskStateCode state = TaskStateCode::Ready;
    QString waitsOn; ///< label of the blocking effect, when blocked/sleeping/awaiting
    quint64 steps = 0;
};

/// Read access to the running machine, valid during an observer callback.
class DOEFF_EXPORT RunView {
public:
    virtual ~RunView();
    virtual quint64 stepCount() const = 0;
    virtual int currentTask() const = 0;
    virtual QList<TaskSnapshot> tasks() const = 0;
    /// The task's K, top first, including frames of continuations held by handlings.
    virtual QList<FrameInfo> k(int task) const = 0;
    /// Only the frames on the task's own K, top first (what FramePushed/Popped describe).
    virtual QList<FrameInfo> liveK(int task) const = 0;
    /// The task's program activations that have not returned: those on its K and those in the
    /// continuations its handlings hold (a program whose effect a coroutine handler is handling
    /// is off K until the handler resumes it). What the debugger's step over and step out
    /// measure by. The default counts the program frames of k().
    virtual int programDepth(int task) const;
    virtual Store store(int task) const = 0;
    virtual Env env(int task) const = 0;
    virtual EffectStackTrace effectTree() const = 0;
    /// Asks for `task` to be cancelled, as Cancel would, once the running task's turn ends (a
    /// debugger's request, from an observer's callback on the machine's thread). False when
    /// there is no such unfinished task, or it is the main task (end the run instead).
    virtual bool requestCancel(int task) const;
};

/// Thrown by an observer to end the run at once (the Stop command). The run returns an Err
/// result with RunAbortedError; tasks are cancelled, their coroutine frames destroyed.
struct AbortRun {
    QString reason;
};

/// Which events an observer is sent (Observer::interest()).
enum class EventInterest : quint8 {
    Everything, ///< every event, in order
    /// RunStarted, InputReceived and RunFinished only: what the run took in from outside, all a
    /// replay needs (docs/replay.md, "Input logs"). No other hook runs for such an observer, so
    /// the machine keeps its fast path and watching costs next to nothing.
    Inputs,
};

class DOEFF_EXPORT Observer {
public:
    virtual ~Observer();
    /// Which events to send this observer; asked once, as the run starts. The default: all.
    virtual EventInterest interest() const;
    /// Called on the machine's thread, in order. May block (the debug agent does). An observer
    /// reads the fields it needs, at no cost for the rest; the default hands the owned record
    /// to onRecord().
    virtual void onEvent(const LiveEvent& event, const RunView& view);
    /// The owned, formatted record of each event (what a trace or a history keeps), for
    /// observers that keep events or want every field as text.
    virtual void onRecord(const Event& record, const RunView& view);
};

/// What if (docs/replay.md): a change to a run's handlers, made before step `step` runs, in
/// every task. Swap: `handler` (a handler's name) and `replacement`; remove: `handler` alone;
/// add: `replacement` alone, innermost of the handlers the run was started with.
struct HandlerChange {
    quint64 step = 0;
    QString handler;
    Handler replacement;
};

/// Gives a run the inputs a recording took in (RunOptions::replay; doeff::Replay reads them from
/// a trace). Called on the machine's thread.
class DOEFF_EXPORT InputSource {
public:
    virtual ~InputSource();
    /// The next recorded event when it is an InputReceived the run has reached (every event
    /// before it was matched), else null. `heldBack`: a task whose Ready the machine holds back
    /// (it yielded alone and may be picked again at once; the next event emitted announces it
    /// first), or -1. The recording announced it before the input, so a recorded Ready of that
    /// task is looked past.
    virtual const Event* nextInput(int heldBack) = 0;
    /// True when the machine, at `step`, may let a task that yielded alone go on in its turn: no
    /// recorded input can be due before the next event, and no what-if waits for a turn to
    /// start. The default, false, makes every effect end a turn, so that inputs are looked for
    /// after each.
    virtual bool mayRunOn(quint64 step);
    /// The machine found the run parting from the recording (`why`, at `step`): returns the
    /// report the run ends with (RunAbortedError's message).
    virtual QString diverged(const QString& why, quint64 step) = 0;
    /// Why a recorded input cannot be fed back (its value was recorded only as text), or empty.
    virtual QString unreplayable(const Event& input) const = 0;
    /// Checks each event of the run against the recording; the runners attach it first.
    virtual Observer* checker() = 0;
    /// What if (docs/replay.md): the value the effect `task` yielded at `step` resumes with,
    /// instead of being handled; the run then goes on live. Nothing: handle it as recorded.
    virtual std::optional<QVariant> whatIfResult(quint64 step, int task);
    /// What if: the ready task the turn that starts at `step` runs instead of the queue's head,
    /// the run then going on live; -1: the queue's head, as recorded.
    virtual int whatIfSchedule(quint64 step);
    /// What if: the change to make to the run's handlers, and at which step; asked once, as the
    /// run starts. Nothing: the handlers as recorded.
    virtual std::optional<HandlerChange> whatIfHandlers();
    /// A what-if took effect at `step`: from here the run is live (no inputs, no checks).
    virtual void branched(quint64 step);
};

} // namespace doeff
