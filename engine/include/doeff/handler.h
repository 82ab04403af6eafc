#pragma once

#include <doeff/effect.h>
#include <doeff/export.h>
#include <doeff/program.h>
#include <doeff/result.h>
#include <doeff/store.h>
#include <doeff/value.h>

#include <QList>
#include <QString>
#include <QVariantMap>

#include <functional>
#include <memory>
#include <type_traits>

/// Handlers interpret effects (RUNTIME.md §4). A handler is either a plain function
/// (fast: must not perform effects) or a coroutine returning Program<HandlerResult>.
namespace doeff {

/// The environment: immutable `QString → QVariant` (Local makes a new one).
using Env = QVariantMap;

namespace detail {
struct ContinuationState;
class Machine;
struct DispatchState;
} // namespace detail

/// A one-shot delimited continuation (§4.5). Copies refer to the same continuation.
class DOEFF_EXPORT Continuation {
public:
    Continuation() = default;
    explicit Continuation(std::shared_ptr<detail::ContinuationState> state)
        : m_state(std::move(state))
    { }
    bool isValid() const { return m_state != nullptr; }
    /// True once resumed (or destroyed with its handling).
    bool isConsumed() const;
    const std::shared_ptr<detail::ContinuationState>& state() const { return m_state; }
    bool operator==(const Continuation& o) const { return m_state == o.m_state; }

private:
    std::shared_ptr<detail::ContinuationState> m_state;
};

/// What a handler decides (§4.3). Only the members its kind uses are alive (a Forward, the
/// common answer on a long handler stack, holds nothing), so answering costs a few stores.
class DOEFF_EXPORT HandlerResult {
public:
    enum class Kind : unsigned char { Resume, Fail, Run, Forward, ResumeK, ResumeKError, Abort };

    HandlerResult() noexcept { }
    HandlerResult(HandlerResult&& other) noexcept
        : m_kind(other.m_kind)
        , m_k(std::move(other.m_k))
        , m_store(std::move(other.m_store))
    {
        takeSlot(other);
    }
    HandlerResult& operator=(HandlerResult&& other) noexcept
    {
        if (this != &other) {
            destroySlot();
            m_kind = other.m_kind;
            m_k = std::move(other.m_k);
            m_store = std::move(other.m_store);
            takeSlot(other);
        }
        return *this;
    }
    ~HandlerResult() { destroySlot(); }

    static HandlerResult resume(QVariant&& value) noexcept
    {
        HandlerResult r;
        r.m_kind = Kind::Resume;
        new (&r.m_value) QVariant(std::move(value));
        return r;
    }
    static HandlerResult resume(const QVariant& value) { return resume(QVariant(value)); }
    static HandlerResult fail(std::exception_ptr error);
    static HandlerResult run(AnyProgram program);
    static HandlerResult forward() noexcept { return HandlerResult(); }
    static HandlerResult resumeK(Continuation k, QVariant value);
    static HandlerResult resumeKError(Continuation k, std::exception_ptr error);
    static HandlerResult abort(QVariant value);

    /// Resume only: replace the performing task's store after resuming.
    HandlerResult withStore(Store store) &&;

    Kind kind() const { return m_kind; }
    /// Resume, ResumeK, Abort: the value; otherwise null.
    const QVariant& value() const { return slot() == Slot::Value ? m_value : nullValue(); }
    /// Resume, ResumeK, Abort: the value, moved out (this result keeps a null one); otherwise null.
    QVariant takeValue() noexcept { return slot() == Slot::Value ? std::move(m_value) : QVariant(); }
    /// Fail, ResumeKError: the error; otherwise null.
    const std::exception_ptr& error() const { return slot() == Slot::Error ? m_error : nullError(); }
    /// Run: the program to run; otherwise an empty program.
    AnyProgram& program();
    const Continuation& continuation() const { return m_k; }
    /// The store given with withStore(), or nullptr.
    const Store* store() const { return m_store.get(); }

private:
    enum class Slot : unsigned char { None, Value, Error, Program };
    Slot slot() const noexcept
    {
        switch (m_kind) {
        case Kind::Resume:
        case Kind::ResumeK:
        case Kind::Abort:
            return Slot::Value;
        case Kind::Fail:
        case Kind::ResumeKError:
            return Slot::Error;
        case Kind::Run:
            return Slot::Program;
        case Kind::Forward:
            break;
        }
        return Slot::None;
    }
    /// Move-constructs this result's member (of this kind) from `other`'s.
    void takeSlot(HandlerResult& other) noexcept
    {
        switch (slot()) {
        case Slot::Value:
            new (&m_value) QVariant(std::move(other.m_value));
            break;
        case Slot::Error:
            new (&m_error) std::exception_ptr(std::move(other.m_error));
            break;
        case Slot::Program:
            new (&m_program) AnyProgram(std::move(other.m_program));
            break;
        case Slot::None:
            break;
        }
    }
    void destroySlot() noexcept
    {
        switch (slot()) {
        case Slot::Value:
            if (!detail::holdsNothing(m_value)) m_value.~QVariant(); // taken (takeValue()) or null
            break;
        case Slot::Error:
            m_error.~exception_ptr();
            break;
        case Slot::Program:
            m_program.~AnyProgram();
            break;
        case Slot::None:
            break;
        }
        m_kind = Kind::Forward;
    }
    static const QVariant& nullValue();
    static const std::exception_ptr& nullError();

    Kind m_kind = Kind::Forward;
    union {
        QVariant m_value; ///< Resume, ResumeK, Abort
        std::exception_ptr m_error; ///< Fail, ResumeKError
        AnyProgram m_program; ///< Run
    };
    Continuation m_k;
    std::shared_ptr<const Store> m_store; ///< rare: a pointer keeps every handler's answer small
};

template<class V = QVariant> HandlerResult Resume(V&& value = {})
{
    if constexpr (std::is_same_v<std::remove_cvref_t<V>, QVariant>)
        return HandlerResult::resume(std::forward<V>(value)); // no conversion: no temporary to destroy
    else
        return HandlerResult::resume(toVariant(std::forward<V>(value)));
}
inline HandlerResult Fail(std::exception_ptr error)
{
    return HandlerResult::fail(std::move(error));
}
template<class E>
requires(!std::is_same_v<std::remove_cvref_t<E>, std::exception_ptr>) HandlerResult Fail(E&& error)
{
    return HandlerResult::fail(std::make_exception_ptr(std::forward<E>(error)));
}
inline HandlerResult Run(AnyProgram program)
{
    return HandlerResult::run(std::move(program));
}
inline HandlerResult Forward()
{
    return HandlerResult::forward();
}
template<class V> HandlerResult ResumeK(Continuation k, V&& value)
{
    return HandlerResult::resumeK(std::move(k), toVariant(std::forward<V>(value)));
}
inline HandlerResult ResumeKError(Continuation k, std::exception_ptr error)
{
    return HandlerResult::resumeKError(std::move(k), std::move(error));
}
template<class V> HandlerResult Abort(V&& value)
{
    return HandlerResult::abort(toVariant(std::forward<V>(value)));
}

namespace detail {
/// A coroutine handler's promise keeps its answer as it is: the machine takes it from here when
/// the handler program ends (Machine::resumeTop), so answering costs no QVariant made and
/// unpacked again at every handler a forwarded effect passes.
template<> class Promise<HandlerResult> : public PromiseAwaitsBase {
public:
    explicit Promise(std::source_location definition = std::source_location::current()) noexcept
        : PromiseAwaitsBase(definition)
    {
        static_assert(alignof(Promise) == alignof(PromiseBase), "PromiseBase::handle() finds the frame");
    }
    Program<HandlerResult> get_return_object() noexcept { return Program<HandlerResult>(this); }
    void return_value(HandlerResult result) noexcept
    {
        m_result = std::move(result);
        setAnswerInPlace(true);
    }
    /// The answer, once the program has returned (answerInPlace()).
    HandlerResult takeAnswer() noexcept
    {
        setAnswerInPlace(false);
        return std::move(m_result);
    }

private:
    HandlerResult m_result;
};
} // namespace detail

/// A task as handlers and the debugger see it.
struct TaskInfo {
    int id = 0;
    QString name;
};

/// One frame of K, described for display (§8.2).
struct FrameInfo {
    QString kind; ///< `ProgramFrame`, `HandlerFrame`, …
    QString description; ///< `level2() at deep.cpp:11`, `handler=core`, …
    QString file; ///< source file of a ProgramFrame, else empty
    int line = 0;
    QString function; ///< display name of a ProgramFrame's function
};

/// What a handler may ask about the effect it handles. Valid during the handling.
class DOEFF_EXPORT HandlerContext {
public:
    HandlerContext(detail::Machine* machine, detail::DispatchState* dispatch)
        : m_machine(machine)
        , m_dispatch(dispatch)
    { }
    HandlerContext(const HandlerContext&) = delete;
    HandlerContext& operator=(const HandlerContext&) = delete;

    const AnyEffect& effect() const;
    /// The environment at the effect's site.
    const Env& env() const;
    /// The performing task's store as it was at dispatch.
    Store store() const;
    TaskInfo task() const;
    /// The delimited continuation from the site to this handler (§4.5).
    Continuation continuation();
    /// Read-only descriptions of the site's K, top first.
    QList<FrameInfo> k() const;
    /// `co_await ctx.forward()`: performs the same effect from outside this handler (the effect
    /// lives as long as the handling: awaiting it copies nothing).
    const AnyEffect& forward() const { return effect(); }

private:
    detail::Machine* m_machine; // not owned
    detail::DispatchState* m_dispatch; // not owned
};

using FastHandlerFn = std::function<HandlerResult(const AnyEffect&, HandlerContext&)>;
using CoroutineHandlerFn = std::function<Program<HandlerResult>(const AnyEffect&, HandlerContext&)>;

namespace detail {
struct HandlerImpl {
    QString name;
    FastHandlerFn fast;
    CoroutineHandlerFn coroutine;
    int builtin = 0; ///< engine-internal id of a preset handler
};
} // namespace detail

/// An entry of the handler stack. Cheap to copy (shared).
class DOEFF_EXPORT Handler {
public:
    Handler() = default;
    explicit Handler(std::shared_ptr<const detail::HandlerImpl> impl)
        : m_impl(std::move(impl))
    { }
    QString name() const { return m_impl ? m_impl->name : QString(); }
    const std::shared_ptr<const detail::HandlerImpl>& impl() const { return m_impl; }
    bool isValid() const { return m_impl != nullptr; }

private:
    std::shared_ptr<const detail::HandlerImpl> m_impl;
};

/// Handlers in order, outermost first.
using HandlerList = QList<Handler>;

namespace detail {
/// A program that installs a handler for the dynamic extent of its body (WithHandler). Data, like
/// the effects: the machine gives it meaning.
struct ScopeSpec {
    Handler handler;
    AnyProgram body;
};
} // namespace detail

/// Makes a handler from a function: returning HandlerResult makes a fast handler, returning
/// Program<HandlerResult> a coroutine handler.
template<class F> Handler handler(const QString& name, F&& fn)
{
    auto impl = std::make_shared<detail::HandlerImpl>();
    impl->name = name;
    using R = std::invoke_result_t<F&, const AnyEffect&, HandlerContext&>;
    if constexpr (std::is_same_v<R, HandlerResult>)
        impl->fast = std::forward<F>(fn);
    else {
        static_assert(std::is_same_v<R, Program<HandlerResult>>,
                      "a handler returns HandlerResult or Program<HandlerResult>");
        impl->coroutine = std::forward<F>(fn);
    }
    return Handler(std::move(impl));
}

} // namespace doeff
