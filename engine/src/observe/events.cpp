// The event vocabulary: names of event kinds and codes, and the observer interfaces' anchors.

#include <doeff/observer.h>

namespace doeff {

RunView::~RunView() = default;

int RunView::programDepth(int task) const
{
    int n = 0;
    for (const FrameInfo& f : k(task))
        if (f.kind == QLatin1String("ProgramFrame")) ++n;
    return n;
}

bool RunView::requestCancel(int) const
{
    return false;
}
Observer::~Observer() = default;

EventInterest Observer::interest() const
{
    return EventInterest::Everything;
}
InputSource::~InputSource() = default;

bool InputSource::mayRunOn(quint64)
{
    return false;
}

std::optional<QVariant> InputSource::whatIfResult(quint64, int)
{
    return std::nullopt;
}

int InputSource::whatIfSchedule(quint64)
{
    return -1;
}

std::optional<HandlerChange> InputSource::whatIfHandlers()
{
    return std::nullopt;
}

void InputSource::branched(quint64) { }

void Observer::onEvent(const LiveEvent& event, const RunView& view)
{
    onRecord(event.record(), view);
}

void Observer::onRecord(const Event&, const RunView&) { }

namespace {
/// A store as [[key, value], …] (the records' form of a store).
QVariant storePairs(const Store& s)
{
    QVariantList pairs;
    pairs.reserve(s.size());
    for (const auto& [k, v] : s.entries())
        pairs.append(QVariant(QVariantList { k, v }));
    return pairs;
}
} // namespace

Event LiveEvent::record() const
{
    Event e;
    e.kind = kind;
    e.step = step;
    e.task = task;
    e.file = file;
    e.line = line;
    e.function = function;
    switch (kind) {
    case EventKind::RunStarted: {
        const auto& f = get<events::RunStarted>();
        e.name = f.program;
        e.value = storePairs(f.store);
        e.old = f.env;
        break;
    }
    case EventKind::RunFinished: {
        const auto& f = get<events::RunFinished>();
        e.code = f.ok ? 1 : 0;
        e.name = f.summary();
        e.value = f.value;
        break;
    }
    case EventKind::Step: {
        const auto& f = get<events::Step>();
        e.code = int(f.control);
        e.index = f.depth;
        break;
    }
    case EventKind::FramePushed: {
        const auto& f = get<events::FramePushed>();
        e.index = f.index;
        e.code = int(f.frame);
        e.name = f.kindName();
        e.text = f.description();
        if (f.restored) e.value = true;
        break;
    }
    case EventKind::FramePopped: {
        const auto& f = get<events::FramePopped>();
        e.index = f.index;
        e.code = int(f.frame);
        break;
    }
    case EventKind::EffectYielded: {
        const auto& f = get<events::EffectYielded>();
        e.name = f.label;
        e.text = f.effect.name();
        e.value = f.effect.fields();
        break;
    }
    case EventKind::EffectHandled: {
        const auto& f = get<events::EffectHandled>();
        e.code = int(f.how);
        e.name = f.label;
        e.text = f.handler;
        if (f.how == HandledHow::Resumed && f.value) e.value = *f.value;
        if (f.how == HandledHow::Failed) {
            const QString error = f.error();
            if (!error.isNull()) e.value = error;
        }
        break;
    }
    case EventKind::StoreWrite: {
        const auto& f = get<events::StoreWrite>();
        e.name = f.key;
        e.value = f.value;
        if (f.old) e.old = *f.old;
        break;
    }
    case EventKind::StoreReplaced:
        e.value = storePairs(get<events::StoreReplaced>().store);
        break;
    case EventKind::EnvEntered: {
        const auto& f = get<events::EnvEntered>();
        e.name = f.keys;
        e.value = f.env;
        break;
    }
    case EventKind::EnvLeft:
        e.value = get<events::EnvLeft>().env;
        break;
    case EventKind::LogAppended:
        e.value = get<events::LogAppended>().messages;
        break;
    case EventKind::TaskSpawned: {
        const auto& f = get<events::TaskSpawned>();
        e.index = f.parent;
        e.code = int(f.taskKind);
        e.name = f.name;
        e.value = f.env;
        if (f.store) e.old = storePairs(*f.store);
        break;
    }
    case EventKind::TaskStateChanged: {
        const auto& f = get<events::TaskStateChanged>();
        e.code = int(f.state);
        e.name = f.waitsOn();
        break;
    }
    case EventKind::TaskFinished: {
        const auto& f = get<events::TaskFinished>();
        e.code = int(f.state);
        e.name = f.summary();
        if (f.value) e.value = *f.value;
        break;
    }
    case EventKind::ErrorRaised: {
        const auto& f = get<events::ErrorRaised>();
        e.code = f.byProgram ? 1 : 0;
        e.name = f.type();
        e.text = f.message();
        break;
    }
    case EventKind::ErrorCaught: {
        const auto& f = get<events::ErrorCaught>();
        e.code = f.how;
        e.name = f.type();
        e.text = f.message();
        if (f.how == 3) e.value = QVariant::fromValue(qulonglong(f.caughtAt));
        break;
    }
    case EventKind::InputReceived: {
        const auto& f = get<events::InputReceived>();
        e.code = int(f.input);
        e.index = int(f.id);
        if (f.value) e.value = *f.value;
        if (f.errorType) e.name = *f.errorType;
        if (f.errorMessage) e.text = *f.errorMessage;
        if (f.simulatedNow >= 0) e.old = QVariant::fromValue(qlonglong(f.simulatedNow));
        break;
    }
    }
    return e;
}

const char* eventKindName(EventKind kind)
{
    switch (kind) {
    case EventKind::RunStarted:
        return "RunStarted";
    case EventKind::RunFinished:
        return "RunFinished";
    case EventKind::Step:
        return "Step";
    case EventKind::FramePushed:
        return "FramePushed";
    case EventKind::FramePopped:
        return "FramePopped";
    case EventKind::EffectYielded:
        return "EffectYielded";
    case EventKind::EffectHandled:
        return "EffectHandled";
    case EventKind::StoreWrite:
        return "StoreWrite";
    case EventKind::StoreReplaced:
        return "StoreReplaced";
    case EventKind::EnvEntered:
        return "EnvEntered";
    case EventKind::EnvLeft:
        return "EnvLeft";
    case EventKind::LogAppended:
        return "LogAppended";
    case EventKind::TaskSpawned:
        return "TaskSpawned";
    case EventKind::TaskStateChanged:
        return "TaskStateChanged";
    case EventKind::TaskFinished:
        return "TaskFinished";
    case EventKind::ErrorRaised:
        return "ErrorRaised";
    case EventKind::ErrorCaught:
        return "ErrorCaught";
    case EventKind::InputReceived:
        return "InputReceived";
    }
    return "?";
}

const char* inputKindName(InputKind kind)
{
    switch (kind) {
    case InputKind::Clock:
        return "clock";
    case InputKind::Await:
        return "await";
    case InputKind::ExternalPromise:
        return "external promise";
    case InputKind::Timer:
        return "timer";
    }
    return "?";
}

const char* handledHowName(HandledHow how)
{
    switch (how) {
    case HandledHow::Resumed:
        return "resumed";
    case HandledHow::Failed:
        return "failed";
    case HandledHow::Forwarded:
        return "forwarded";
    case HandledHow::RanProgram:
        return "ran a program";
    case HandledHow::SwitchedContinuation:
        return "switched continuation";
    case HandledHow::Blocked:
        return "blocked the task";
    case HandledHow::HandlerStarted:
        return "started its handler program";
    }
    return "?";
}

const char* frameKindCodeName(FrameKindCode k)
{
    switch (k) {
    case FrameKindCode::Program:
        return "ProgramFrame";
    case FrameKindCode::Handler:
        return "HandlerFrame";
    case FrameKindCode::Handling:
        return "HandlingFrame";
    case FrameKindCode::Safe:
        return "SafeFrame";
    case FrameKindCode::Local:
        return "LocalFrame";
    case FrameKindCode::Listen:
        return "ListenFrame";
    case FrameKindCode::Intercept:
        return "InterceptFrame";
    case FrameKindCode::GraphCapture:
        return "GraphCaptureFrame";
    case FrameKindCode::AskLazy:
        return "AskLazyFrame";
    case FrameKindCode::GatherBranch:
        return "GatherBranchFrame";
    case FrameKindCode::TaskRoot:
        return "TaskRootFrame";
    case FrameKindCode::Convert:
        return "ConvertFrame";
    }
    return "Frame";
}

const char* taskStateCodeName(TaskStateCode s)
{
    switch (s) {
    case TaskStateCode::Ready:
        return "ready";
    case TaskStateCode::Running:
        return "running";
    case TaskStateCode::Blocked:
        return "blocked";
    case TaskStateCode::Sleeping:
        return "sleeping";
    case TaskStateCode::Awaiting:
        return "awaiting";
    case TaskStateCode::Done:
        return "done";
    case TaskStateCode::Failed:
        return "failed";
    case TaskStateCode::Cancelled:
        return "cancelled";
    }
    return "?";
}

const char* taskKindCodeName(TaskKindCode kind)
{
    switch (kind) {
    case TaskKindCode::Main:
        return "main";
    case TaskKindCode::Spawned:
        return "spawned";
    case TaskKindCode::Branch:
        return "branch";
    }
    return "?";
}

} // namespace doeff
