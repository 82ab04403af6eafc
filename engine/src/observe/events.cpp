// The event vocabulary: names of event kinds and codes, and the observer interfaces' anchors.

#include <doeff/observer.h>

namespace doeff {

RunView::~RunView() = default;
Observer::~Observer() = default;

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
