// HandlerResult: what a handler answers. HandlerContext and Continuation are views of the
// machine's state, so the machine defines their members (machine/dispatch.cpp).

#include <doeff/handler.h>

namespace doeff {

HandlerResult HandlerResult::fail(std::exception_ptr error)
{
    HandlerResult r;
    r.m_kind = Kind::Fail;
    new (&r.m_error) std::exception_ptr(std::move(error));
    return r;
}

HandlerResult HandlerResult::run(AnyProgram program)
{
    HandlerResult r;
    r.m_kind = Kind::Run;
    new (&r.m_program) AnyProgram(std::move(program));
    return r;
}

HandlerResult HandlerResult::resumeK(Continuation k, QVariant value)
{
    HandlerResult r;
    r.m_kind = Kind::ResumeK;
    new (&r.m_value) QVariant(std::move(value));
    r.m_k = std::move(k);
    return r;
}

HandlerResult HandlerResult::resumeKError(Continuation k, std::exception_ptr error)
{
    HandlerResult r;
    r.m_kind = Kind::ResumeKError;
    new (&r.m_error) std::exception_ptr(std::move(error));
    r.m_k = std::move(k);
    return r;
}

HandlerResult HandlerResult::abort(QVariant value)
{
    HandlerResult r;
    r.m_kind = Kind::Abort;
    new (&r.m_value) QVariant(std::move(value));
    return r;
}

AnyProgram& HandlerResult::program()
{
    if (m_kind == Kind::Run) return m_program;
    thread_local AnyProgram none;
    none = AnyProgram();
    return none;
}

const QVariant& HandlerResult::nullValue()
{
    static const QVariant none;
    return none;
}

const std::exception_ptr& HandlerResult::nullError()
{
    static const std::exception_ptr none;
    return none;
}

HandlerResult HandlerResult::withStore(Store store) &&
{
    m_store = std::make_shared<const Store>(std::move(store));
    return std::move(*this);
}

} // namespace doeff
