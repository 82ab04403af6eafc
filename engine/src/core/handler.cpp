#include "machine.h"

#include <doeff/handler.h>
#include <doeff/run.h>

namespace doeff {

HandlerResult HandlerResult::resume(QVariant value)
{
    HandlerResult r;
    r.m_kind = Kind::Resume;
    r.m_value = std::move(value);
    return r;
}

HandlerResult HandlerResult::fail(std::exception_ptr error)
{
    HandlerResult r;
    r.m_kind = Kind::Fail;
    r.m_error = std::move(error);
    return r;
}

HandlerResult HandlerResult::run(AnyProgram program)
{
    HandlerResult r;
    r.m_kind = Kind::Run;
    r.m_program = std::move(program);
    return r;
}

HandlerResult HandlerResult::forward()
{
    return HandlerResult();
}

HandlerResult HandlerResult::resumeK(Continuation k, QVariant value)
{
    HandlerResult r;
    r.m_kind = Kind::ResumeK;
    r.m_k = std::move(k);
    r.m_value = std::move(value);
    return r;
}

HandlerResult HandlerResult::resumeKError(Continuation k, std::exception_ptr error)
{
    HandlerResult r;
    r.m_kind = Kind::ResumeKError;
    r.m_k = std::move(k);
    r.m_error = std::move(error);
    return r;
}

HandlerResult HandlerResult::abort(QVariant value)
{
    HandlerResult r;
    r.m_kind = Kind::Abort;
    r.m_value = std::move(value);
    return r;
}

HandlerResult HandlerResult::withStore(Store store) &&
{
    m_store = std::move(store);
    return std::move(*this);
}

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

namespace {
Handler builtin(const char* name, int id)
{
    auto impl = std::make_shared<detail::HandlerImpl>();
    impl->name = QString::fromLatin1(name);
    impl->builtin = id;
    return Handler(std::move(impl));
}
} // namespace

HandlerList sync_handlers_preset()
{
    // shared immutable handlers; the runner, not the handler, decides how waiting happens
    static const HandlerList preset {
        builtin("scheduler", detail::BuiltinScheduler),
        builtin("time", detail::BuiltinTime),
        builtin("await", detail::BuiltinAwait),
        builtin("core", detail::BuiltinCore),
    };
    return preset;
}

HandlerList async_handlers_preset()
{
    return sync_handlers_preset();
}

} // namespace doeff
