// HandlerResult: what a handler answers. HandlerContext and Continuation are views of the
// machine's state, so the machine defines their members (machine/dispatch.cpp).

#include <doeff/handler.h>

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
    m_store = std::make_shared<const Store>(std::move(store));
    return std::move(*this);
}

} // namespace doeff
