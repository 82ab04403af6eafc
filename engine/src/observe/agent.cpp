#include <doeff/agent.h>
#include <doeff/errors.h>
#include <doeff/value.h>

#include <QMutex>
#include <QWaitCondition>

#include <algorithm>
#include <atomic>
#include <cstring>

namespace doeff {

const char* breakpointKindName(Breakpoint::Kind kind)
{
    switch (kind) {
    case Breakpoint::Kind::Effect:
        return "effect";
    case Breakpoint::Kind::StoreKey:
        return "watch";
    case Breakpoint::Kind::EnvKey:
        return "env";
    case Breakpoint::Kind::Error:
        return "error";
    case Breakpoint::Kind::UncaughtError:
        return "uncaught";
    case Breakpoint::Kind::TaskSpawn:
        return "spawn";
    case Breakpoint::Kind::TaskFinish:
        return "finish";
    case Breakpoint::Kind::Deadlock:
        return "deadlock";
    case Breakpoint::Kind::SourceLine:
        return "line";
    }
    return "?";
}

QString Breakpoint::describe() const
{
    QString s = QString::fromLatin1(breakpointKindName(kind));
    if (kind == Kind::SourceLine) return s + u' ' + file + u':' + QString::number(line);
    if (!pattern.isEmpty()) s += u' ' + pattern;
    if (!condition.isEmpty()) s += QStringLiteral(" if ") + condition;
    return s;
}

struct DebugAgent::Private {
    mutable QMutex mutex;
    QWaitCondition wake;
    // what the machine should do next (guarded by mutex)
    Command mode = Command::Continue;
    bool commandPending = false;
    QString runToFile;
    int runToLine = 0;
    QList<Breakpoint> breakpoints;
    int nextBreakpoint = 1;
    // Lock-free copies for the machine thread, which looks at them on every event: the step
    // mode, and how many breakpoints are enabled (none: no breakpoint scan, no lock).
    std::atomic<Command> modeNow { Command::Continue };
    std::atomic<int> enabledBreakpoints { 0 };
    void setMode(Command c) // under mutex
    {
        mode = c;
        modeNow.store(c, std::memory_order_release);
    }
    void countBreakpoints() // under mutex
    {
        enabledBreakpoints.store(
            int(std::count_if(breakpoints.cbegin(), breakpoints.cend(), [](const Breakpoint& b) { return b.enabled; })),
            std::memory_order_release);
    }
    bool paused = false;
    // machine-thread state
    /// Each task's line at its latest perform step or effect (kept while breakpoints are
    /// enabled): a line breakpoint hits when a task arrives at its line, not again at the
    /// effect the line yields or the step that resumes it.
    struct Where {
        const char* file = nullptr;
        int line = 0;
    };
    QHash<int, Where> lineOfTask;
    int stepTask = -1;
    bool keepPlace = false; ///< Resume: the step over/out goes on from where it began (under mutex)
    int stepDepth = 0; ///< program frames of stepTask when stepping over/out
    quint64 stepFrom = 0; ///< the step a step over started at: it pauses at a later one
    bool startPaused = true;
    bool sawFirstStep = false;
    std::atomic<bool> pauseRequested { false };
    // sticky: a pause that starts after either was asked for does not wait for a command
    std::atomic<bool> stopRequested { false };
    std::atomic<bool> released { false };
    bool stopped = false;
    // tasks to cancel (guarded by mutex), handed to the machine on its thread
    QList<int> cancels;
    std::atomic<bool> cancelPending { false };
    void handOverCancels(const RunView& view)
    {
        QList<int> ids;
        {
            QMutexLocker lock(&mutex);
            ids.swap(cancels);
            cancelPending.store(false, std::memory_order_relaxed);
        }
        for (int id : std::as_const(ids))
            view.requestCancel(id);
    }
};

DebugAgent::DebugAgent(bool startPaused)
    : d(std::make_unique<Private>())
{
    d->startPaused = startPaused;
}

DebugAgent::~DebugAgent() = default;

void DebugAgent::command(Command c)
{
    if (c == Command::Stop) {
        stop();
        return;
    }
    if (c == Command::Pause) {
        d->pauseRequested = true;
        return;
    }
    QMutexLocker lock(&d->mutex);
    if (c == Command::Resume) {
        // modeNow still holds the move the pause interrupted: the machine does not read it
        // while paused
        d->setMode(d->modeNow.load(std::memory_order_acquire));
        d->keepPlace = true;
    } else {
        d->setMode(c);
        d->keepPlace = false;
    }
    d->commandPending = true;
    d->wake.wakeAll();
}

void DebugAgent::runToLine(const QString& file, int line)
{
    QMutexLocker lock(&d->mutex);
    d->runToFile = file;
    d->runToLine = line;
    d->setMode(Command::RunToLine);
    d->commandPending = true;
    d->wake.wakeAll();
}

void DebugAgent::stop()
{
    d->stopRequested = true;
    QMutexLocker lock(&d->mutex);
    d->commandPending = true;
    d->wake.wakeAll();
}

void DebugAgent::release()
{
    d->released = true;
    QMutexLocker lock(&d->mutex);
    d->setMode(Command::Continue);
    d->commandPending = true;
    d->wake.wakeAll();
}

int DebugAgent::addBreakpoint(Breakpoint b)
{
    QMutexLocker lock(&d->mutex);
    b.id = d->nextBreakpoint++;
    d->breakpoints.append(b);
    d->countBreakpoints();
    return b.id;
}

bool DebugAgent::removeBreakpoint(int id)
{
    QMutexLocker lock(&d->mutex);
    const bool removed = d->breakpoints.removeIf([id](const Breakpoint& b) { return b.id == id; }) > 0;
    d->countBreakpoints();
    return removed;
}

bool DebugAgent::setBreakpointEnabled(int id, bool enabled)
{
    QMutexLocker lock(&d->mutex);
    for (Breakpoint& b : d->breakpoints)
        if (b.id == id) {
            b.enabled = enabled;
            d->countBreakpoints();
            return true;
        }
    return false;
}

QList<Breakpoint> DebugAgent::breakpoints() const
{
    QMutexLocker lock(&d->mutex);
    return d->breakpoints;
}

bool DebugAgent::isPaused() const
{
    QMutexLocker lock(&d->mutex);
    return d->paused;
}

namespace {

bool endsWithPath(const char* file, const QString& wanted)
{
    if (!file || wanted.isEmpty()) return false;
    const QString f = QString::fromUtf8(file);
    return f == wanted || f.endsWith(u'/' + wanted);
}

/// Whether the task runs program code: a program frame on top of its K, not a handling
/// between its handler's program and the site it resumes.
bool inProgram(const RunView& view, int task)
{
    const QList<FrameInfo> k = view.liveK(task);
    return !k.isEmpty() && k.front().kind == QLatin1String("ProgramFrame");
}

/// `field=value` against an effect's fields (value compared by repr or plain text).
bool conditionHolds(const QString& condition, const QVariant& fields)
{
    if (condition.isEmpty()) return true;
    const qsizetype eq = condition.indexOf(u'=');
    if (eq <= 0) return false;
    const QString key = condition.left(eq).trimmed();
    const QString want = condition.mid(eq + 1).trimmed();
    const QVariantMap map = fields.toMap();
    auto it = map.constFind(key);
    if (it == map.cend()) return false;
    return repr(*it) == want || it->toString() == want;
}

/// What a breakpoint reads of a live event: its typed fields, nothing formatted that the
/// breakpoint does not need.
struct LiveFacts {
    const LiveEvent& e;
    EventKind kind() const { return e.kind; }
    int task() const { return e.task; }
    const char* file() const { return e.file; }
    int line() const { return e.line; }
    QString effectName() const { return e.get<events::EffectYielded>().effect.name(); }
    QVariant effectFields() const { return e.get<events::EffectYielded>().effect.fields(); }
    const QString& storeKey() const { return e.get<events::StoreWrite>().key; }
    ControlKind control() const { return e.get<events::Step>().control; }
    TaskStateCode finishedState() const { return e.get<events::TaskFinished>().state; }
    QString errorType() const { return e.get<events::ErrorRaised>().type(); }
};

/// The same, from an owned record (see EventKind for what its fields hold).
struct RecordFacts {
    const Event& e;
    EventKind kind() const { return e.kind; }
    int task() const { return e.task; }
    const char* file() const { return e.file; }
    int line() const { return e.line; }
    const QString& effectName() const { return e.text; }
    const QVariant& effectFields() const { return e.value; }
    const QString& storeKey() const { return e.name; }
    ControlKind control() const { return ControlKind(e.code); }
    TaskStateCode finishedState() const { return TaskStateCode(e.code); }
    const QString& errorType() const { return e.name; }
};

template<class Facts> bool isHit(const Breakpoint& b, const Facts& f)
{
    const EventKind k = f.kind();
    switch (b.kind) {
    case Breakpoint::Kind::Effect:
        return k == EventKind::EffectYielded && f.effectName() == b.pattern
            && conditionHolds(b.condition, f.effectFields());
    case Breakpoint::Kind::StoreKey:
        return k == EventKind::StoreWrite && f.storeKey() == b.pattern;
    case Breakpoint::Kind::EnvKey:
        return k == EventKind::EffectYielded && f.effectName() == QLatin1String("Ask")
            && f.effectFields().toMap().value(QStringLiteral("key")).toString() == b.pattern;
    case Breakpoint::Kind::Error:
        return k == EventKind::ErrorRaised;
    case Breakpoint::Kind::UncaughtError:
        return k == EventKind::TaskFinished && f.finishedState() == TaskStateCode::Failed;
    case Breakpoint::Kind::TaskSpawn:
        return k == EventKind::TaskSpawned && f.task() != 0;
    case Breakpoint::Kind::TaskFinish:
        return k == EventKind::TaskFinished;
    case Breakpoint::Kind::Deadlock:
        return k == EventKind::ErrorRaised && f.errorType() == QLatin1String("DeadlockError");
    case Breakpoint::Kind::SourceLine:
        // a line runs (a perform step: the code up to its co_await), yields an effect or raises an
        // error (a `throw` on it); a step that hands it a value or an error back does not run it
        return ((k == EventKind::Step && f.control() == ControlKind::Perform) || k == EventKind::EffectYielded
                || k == EventKind::ErrorRaised)
            && f.line() == b.line && endsWithPath(f.file(), b.file);
    }
    return false;
}

} // namespace

bool Breakpoint::matches(const LiveEvent& event) const
{
    return isHit(*this, LiveFacts { event });
}

bool Breakpoint::matches(const Event& record) const
{
    return isHit(*this, RecordFacts { record });
}

void DebugAgent::cancelTask(int task)
{
    QMutexLocker lock(&d->mutex);
    d->cancels.append(task);
    d->cancelPending.store(true, std::memory_order_release);
}

void DebugAgent::onEvent(const LiveEvent& e, const RunView& view)
{
    if (d->stopped) return;
    if (d->cancelPending.load(std::memory_order_acquire)) [[unlikely]]
        d->handOverCancels(view);
    if (eventCallback) eventCallback(e.record());
    if (d->stopRequested) {
        d->stopped = true;
        throw AbortRun { QStringLiteral("stopped by the debugger") };
    }
    if (d->released.load(std::memory_order_relaxed)) return;

    // ---- should we pause here? -------------------------------------------------------
    QString reason;
    int hitBreakpoint = -1;
    const Command mode = d->modeNow.load(std::memory_order_acquire);
    const bool isStep = e.kind == EventKind::Step;
    if (isStep && !d->sawFirstStep) {
        d->sawFirstStep = true;
        if (d->startPaused) reason = QStringLiteral("start");
    }
    if (reason.isEmpty() && isStep && d->pauseRequested.exchange(false)) reason = QStringLiteral("pause");
    if (reason.isEmpty()) {
        switch (mode) {
        case Command::StepInto:
            if (isStep) reason = QStringLiteral("step");
            break;
        case Command::StepEffect:
            if (e.kind == EventKind::EffectYielded) reason = QStringLiteral("effect");
            break;
        case Command::StepOver:
            if (e.kind == EventKind::EffectYielded && e.task == d->stepTask && e.step > d->stepFrom
                && view.programDepth(e.task) <= d->stepDepth)
                reason = QStringLiteral("step over");
            else if (e.kind == EventKind::TaskFinished && e.task == d->stepTask)
                reason = QStringLiteral("step over (task finished)");
            break;
        case Command::StepOut:
            // back in the caller's code: not at the steps between a handler's program and
            // the site it resumes, where no program is on top
            if (isStep && e.task == d->stepTask && view.programDepth(e.task) < d->stepDepth && inProgram(view, e.task))
                reason = QStringLiteral("step out");
            else if (e.kind == EventKind::TaskFinished && e.task == d->stepTask)
                reason = QStringLiteral("step out (task finished)");
            break;
        case Command::RunToLine: {
            QString file;
            int line = 0;
            {
                QMutexLocker lock(&d->mutex);
                file = d->runToFile;
                line = d->runToLine;
            }
            if ((isStep || e.kind == EventKind::EffectYielded) && e.line == line && endsWithPath(e.file, file))
                reason = QStringLiteral("reached ") + file + u':' + QString::number(line);
            break;
        }
        default:
            break;
        }
    }
    if (d->enabledBreakpoints.load(std::memory_order_acquire) > 0) {
        // A task arrives at a line when a step runs its code up to it (a perform step), or an
        // effect or error comes from it while the task was elsewhere; the effect the line yields
        // right after, and the steps that hand it a value or an error, are the same visit.
        bool sameVisit = false;
        if ((isStep || e.kind == EventKind::EffectYielded || e.kind == EventKind::ErrorRaised) && e.file) {
            Private::Where& w = d->lineOfTask[e.task];
            const bool here = w.line == e.line && w.file && (w.file == e.file || std::strcmp(w.file, e.file) == 0);
            if (isStep) {
                const bool perform = e.get<events::Step>().control == ControlKind::Perform;
                sameVisit = !perform;
                if (perform) w = { e.file, e.line };
            } else {
                sameVisit = here;
                if (e.kind == EventKind::EffectYielded) w = { e.file, e.line };
            }
        }
        if (!reason.isEmpty()) {
            // a step's pause: the breakpoints are not looked at
        } else {
            QMutexLocker lock(&d->mutex);
            for (Breakpoint& b : d->breakpoints) {
                if (!b.enabled || !b.matches(e)) continue;
                if (b.kind == Breakpoint::Kind::SourceLine && sameVisit) continue;
                ++b.hits;
                if (b.hitCount > 0 && b.hits != b.hitCount) continue; // counted, not paused at
                reason = QStringLiteral("breakpoint %1: %2").arg(QString::number(b.id), b.describe());
                hitBreakpoint = b.id;
                break;
            }
        }
    }
    if (reason.isEmpty()) return;

    // ---- pause -----------------------------------------------------------------------
    PausedState s;
    s.step = e.step;
    s.task = e.task;
    s.reason = reason;
    s.breakpoint = hitBreakpoint;
    s.event = e.record();
    s.eventFile = e.file ? QString::fromUtf8(e.file) : QString();
    s.eventFunction = e.function ? functionDisplayName(e.function) : QString();
    s.event.file = nullptr;
    s.event.function = nullptr;
    if (collectState) {
        s.tasks = view.tasks();
        for (const TaskSnapshot& t : std::as_const(s.tasks)) {
            if (t.state == TaskStateCode::Done || t.state == TaskStateCode::Failed
                || t.state == TaskStateCode::Cancelled)
                continue;
            s.k.insert(t.id, view.k(t.id));
            s.stores.insert(t.id, view.store(t.id));
            s.envs.insert(t.id, view.env(t.id));
        }
        s.tree = view.effectTree();
    }
    {
        QMutexLocker lock(&d->mutex);
        d->paused = true;
        d->commandPending = false;
        // modeNow keeps the old mode while paused: the machine does not read it until the
        // command that resumes it (which sets both) arrives
        d->mode = Command::Continue;
    }
    if (pausedCallback) pausedCallback(s);
    Command next;
    bool keepPlace = false;
    {
        QMutexLocker lock(&d->mutex);
        // a command sent before this pause began was for the run before it and is forgotten
        // (commandPending was cleared above); a stop or a release never is
        while (!d->commandPending && !d->stopRequested && !d->released)
            d->wake.wait(&d->mutex);
        d->paused = false;
        next = d->released ? Command::Continue : d->mode;
        keepPlace = std::exchange(d->keepPlace, false);
    }
    if (d->stopRequested) {
        d->stopped = true;
        throw AbortRun { QStringLiteral("stopped by the debugger") };
    }
    if (d->cancelPending.load(std::memory_order_acquire)) d->handOverCancels(view);
    if ((next == Command::StepOver || next == Command::StepOut) && !keepPlace) {
        d->stepTask = e.task;
        d->stepDepth = view.programDepth(e.task);
        // the effect the paused step is about to yield belongs to the line shown: step over it
        d->stepFrom = e.step;
    }
    if (resumedCallback) resumedCallback();
}

} // namespace doeff
