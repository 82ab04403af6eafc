#pragma once

#include <doeff/export.h>
#include <doeff/handler.h>
#include <doeff/runtimeresult.h>
#include <doeff/store.h>

#include <QList>
#include <QString>
#include <QVariant>

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
    ErrorCaught, ///< name: error type; text: message; code: 1 by Safe, 2 by program code
};
DOEFF_EXPORT const char* eventKindName(EventKind kind);
constexpr int EventKindCount = int(EventKind::ErrorCaught);

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
    virtual Store store(int task) const = 0;
    virtual Env env(int task) const = 0;
    virtual EffectStackTrace effectTree() const = 0;
};

/// Thrown by an observer to end the run at once (the Stop command). The run returns an Err
/// result with RunAbortedError; tasks are cancelled, their coroutine frames destroyed.
struct AbortRun {
    QString reason;
};

class DOEFF_EXPORT Observer {
public:
    virtual ~Observer();
    /// Called on the machine's thread, in order. May block (the debug agent does).
    virtual void onEvent(const Event& event, const RunView& view) = 0;
};

} // namespace doeff
