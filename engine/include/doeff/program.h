#pragma once

#include <doeff/convert.h>
#include <doeff/effect.h>
#include <doeff/export.h>

#include <QByteArray>
#include <QDateTime>
#include <QStringList>

#include <bit>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <optional>
#include <source_location>
#include <utility>

/// Programs: C++20 coroutines of type `doeff::Program<T>` that `co_await` effects and other
/// programs. A Program object is one activation; the machine drives it (RUNTIME.md §2).
namespace doeff {

class AnyProgram;
template<class T> class Program;

namespace detail {
struct ScopeSpec;

/// What a suspended program awaits: a typed effect (Perform), an AnyEffect (PerformAny) or a
/// sub-program (Call).
enum class Request : unsigned char { None, Perform, PerformAny, Call };

/// Where a program finds the answer it awaited, and leaves its result: the machine's, one for
/// all its programs, lent to each program while it runs (PromiseBase::m_answer).
struct Answer {
    /// machine → program: the answer of the awaited effect or call; on completion, the other
    /// way: the co_return value
    QVariant value;
    /// machine → program: the error to throw at the co_await; on completion: the uncaught error
    std::exception_ptr exception;
};

/// An await's site as the compiler hands it over: a pointer, which a coroutine frame need not keep
/// (a std::source_location default argument is an object, kept in the frame across the await).
using SiteToken = decltype(__builtin_source_location());

/// The part of a program's promise the machine reads and writes. Not for program code.
class DOEFF_EXPORT PromiseBase {
public:
    explicit PromiseBase(std::source_location definition) noexcept
        : m_definition(definition)
    { }
    PromiseBase(const PromiseBase&) = delete;
    PromiseBase& operator=(const PromiseBase&) = delete;

    static void* operator new(std::size_t size);
    static void operator delete(void* p, std::size_t size) noexcept;

    /// The coroutine. GCC and Clang find a frame from its promise by the promise's alignment
    /// alone, and every promise type here has PromiseBase's (static_assert in each), so the frame
    /// needs no copy of its own handle.
    std::coroutine_handle<> handle() const noexcept
    {
        return std::coroutine_handle<PromiseBase>::from_promise(const_cast<PromiseBase&>(*this));
    }
    /// GCC's location of the coroutine: its signature, and the line of its closing brace.
    std::source_location definition() const noexcept { return m_definition; }
    /// The current suspension point; valid once suspended() is true.
    std::source_location site() const noexcept { return m_site; }
    bool suspended() const noexcept { return std::bit_cast<SiteToken>(m_site) != nullptr; }

    // Four words, in every coroutine frame: the small members are bits of the word that
    // carries the awaited effect's type.
private:
    std::source_location m_definition;
    std::source_location m_site;

public:
    // Between the program's suspension and the machine taking its request: what the program
    // awaits, which request() says. All of it lives in the awaiter, in this frame, until the
    // program resumes. From the machine's resumption to the next suspension: the machine's
    // answer slot, which the awaiter reads the answer from, and the program's result and
    // uncaught error go to. One word for both keeps every coroutine frame smaller: a frame
    // suspended in a call holds no answer of its own.
    union {
        const void* m_effectObject; ///< Perform: the awaited effect, of type effectType()
        const AnyEffect* m_anyEffect; ///< PerformAny
        AnyProgram* m_call = nullptr; ///< Call
        Answer* m_answer; ///< while running: the machine's answer slot
    };

    /// request → machine: what the program awaits
    Request request() const noexcept { return Request(m_word & kRequestBits); }
    /// Perform: the awaited effect's type
    const EffectType* effectType() const noexcept
    {
        return reinterpret_cast<const EffectType*>(m_word & ~(kRequestBits | kAnswerInPlaceBit));
    }
    void setRequest(Request r, const EffectType* type = nullptr) noexcept
    {
        m_word = reinterpret_cast<std::uintptr_t>(type) | std::uintptr_t(r);
    }
    /// On completion: the co_return value is in the promise's own slot, not in the answer slot
    /// (a coroutine handler's HandlerResult: Promise<HandlerResult> in handler.h).
    bool answerInPlace() const noexcept { return m_word & kAnswerInPlaceBit; }
    void setAnswerInPlace(bool inPlace) noexcept
    {
        m_word = inPlace ? m_word | kAnswerInPlaceBit : m_word & ~kAnswerInPlaceBit;
    }

protected:
    void setSite(SiteToken site) noexcept { m_site = std::bit_cast<std::source_location>(site); }

private:
    static constexpr std::uintptr_t kRequestBits = 3;
    static constexpr std::uintptr_t kAnswerInPlaceBit = 4;
    static_assert(alignof(EffectType) >= 8, "an EffectType's address leaves three bits free");
    /// The awaited effect's type, the request's kind in the low two bits, answerInPlace() in
    /// the third.
    std::uintptr_t m_word = 0;
};
static_assert(sizeof(void*) != 8 || sizeof(PromiseBase) <= 32, "every coroutine frame holds a PromiseBase");
static_assert(sizeof(std::source_location) == sizeof(SiteToken), "a site is the pointer the compiler hands over");

inline void rethrowAnswer(PromiseBase* p)
{
    if (p->m_answer->exception) {
        std::exception_ptr e = std::move(p->m_answer->exception);
        p->m_answer->exception = nullptr;
        std::rethrow_exception(e);
    }
}

/// Refers to the awaited effect (like CallAwaiter, and for the same reasons): `co_await Get(k)`'s
/// temporary lives to the end of the full expression, a named effect outlives the co_await.
template<class R, class E> struct EffectAwaiter {
    const E& effect;
    PromiseBase* promise;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) noexcept
    {
        promise->setRequest(Request::Perform, &E::effectType());
        promise->m_effectObject = static_cast<const typename E::effect_class*>(&effect);
    }
    R await_resume()
    {
        rethrowAnswer(promise);
        if constexpr (!std::is_void_v<R>)
            return fromVariant<R>(promise->m_answer->value, [this] { return AnyEffect::borrow(effect).label(); });
    }
};

struct AnyEffectAwaiter {
    const AnyEffect& effect;
    PromiseBase* promise;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) noexcept
    {
        promise->setRequest(Request::PerformAny);
        promise->m_anyEffect = &effect;
    }
    QVariant await_resume()
    {
        rethrowAnswer(promise);
        return std::move(promise->m_answer->value);
    }
};

template<class T> struct CallAwaiter;

template<class T> struct PromiseAwaits;

} // namespace detail

namespace detail {
/// Plain value types whose conversion from an effect's answer can fail (ints, strings, …);
/// handles and result wrappers travel unconverted.
template<class T>
struct ConvertsInBody
    : std::bool_constant<
          std::is_arithmetic_v<
              T> || std::is_same_v<T, QString> || std::is_same_v<T, QByteArray> || std::is_same_v<T, QDateTime> || std::is_same_v<T, QVariantList> || std::is_same_v<T, QVariantMap> || std::is_same_v<T, QStringList>> {
};
template<class T> struct ConvertsInBody<std::optional<T>> : ConvertsInBody<T> { };
} // namespace detail

/// A type-erased program: a coroutine activation, a pure value, or an effect to perform once.
/// Move-only and one-shot. Starting it marks it started; a started or moved-from program keeps
/// its name so reuse errors can say which program it was.
namespace detail {
/// What a pure, effect or scoped program holds (a coroutine program needs none of it).
struct ProgramPayload {
    QVariant pure;
    AnyEffect effect;
    std::shared_ptr<ScopeSpec> scope;
    /// Effect: converts the answer to the typed result (AnyProgram::converter()), or null.
    QVariant (*convert)(const QVariant&, const AnyEffect&) = nullptr;
};
} // namespace detail

/// A program of any result type. Small (24 bytes): every `co_await sub()` keeps one in the
/// calling coroutine's frame.
class DOEFF_EXPORT AnyProgram {
public:
    enum class Kind : unsigned char { Empty, Coroutine, Pure, Effect, Scoped };

    AnyProgram() = default;
    // Inline: every handler's answer and every call holds one, mostly empty, on the hot path.
    AnyProgram(AnyProgram&& other) noexcept
        : m_object(std::exchange(other.m_object, nullptr))
        , m_function(other.m_function) // the name stays: reuse errors say which
        , m_kind(std::exchange(other.m_kind, Kind::Empty))
    { }
    /// Takes the activation out of `other` (a program is one activation; see RUNTIME.md §2).
    AnyProgram(AnyProgram& other) noexcept
        : AnyProgram(std::move(other))
    { }
    AnyProgram& operator=(AnyProgram&& other) noexcept
    {
        if (this != &other) {
            reset();
            m_object = std::exchange(other.m_object, nullptr);
            m_function = other.m_function;
            m_kind = std::exchange(other.m_kind, Kind::Empty);
        }
        return *this;
    }
    ~AnyProgram() { reset(); }

    /// An effect given where a program is expected: performs it once and returns its result.
    template<EffectLike E> AnyProgram(E effect)
    {
        auto* payload = new detail::ProgramPayload;
        m_object = payload;
        m_kind = Kind::Effect;
        payload->effect = AnyEffect::own(typename std::remove_cvref_t<E>::effect_class(std::move(effect)));
        using T = typename std::remove_cvref_t<E>::result_type;
        if constexpr (detail::ConvertsInBody<T>::value)
            payload->convert = [](const QVariant& v, const AnyEffect& e) {
                T x = fromVariant<T>(v, [&e] { return e.label(); });
                if constexpr (detail::IsOptional<T>::value)
                    return x ? QVariant::fromValue(*x) : QVariant();
                else
                    return QVariant::fromValue(std::move(x));
            };
    }

    /// For an effect given as a program with a typed result (`Safe(Get<int>("n"))`): converts
    /// the effect's answer inside the body, so a ConversionError is the body's error.
    using Converter = QVariant (*)(const QVariant&, const AnyEffect&);
    Converter converter() const noexcept
    {
        return m_kind == Kind::Effect ? static_cast<const detail::ProgramPayload*>(m_object)->convert : nullptr;
    }

    static AnyProgram fromPure(QVariant value);
    static AnyProgram fromEffect(AnyEffect effect);
    /// A program that installs a handler around `body` (WithHandler).
    static AnyProgram fromScope(std::shared_ptr<detail::ScopeSpec> scope);

    Kind kind() const noexcept { return m_kind; }
    bool isEmpty() const noexcept { return m_kind == Kind::Empty; }
    /// Display name: the coroutine's function (`level3`, `lambda`), the effect's name, `pure`.
    QString displayName() const;
    /// GCC's pretty signature of the coroutine, or nullptr.
    const char* functionName() const noexcept { return m_function; }

    // For the machine:
    detail::PromiseBase* promise() const noexcept
    {
        return m_kind == Kind::Coroutine ? static_cast<detail::PromiseBase*>(m_object) : nullptr;
    }
    const QVariant& pureValue() const noexcept { return payload().pure; }
    const AnyEffect& effect() const noexcept { return payload().effect; }
    const std::shared_ptr<detail::ScopeSpec>& scope() const noexcept { return payload().scope; }
    /// Takes ownership of the activation; the program becomes started (Empty, name kept).
    detail::PromiseBase* takePromise() noexcept;
    /// A program the machine took out of a call's awaiter to start it keeps the calling
    /// program's promise, where the awaiter finds the answer: the awaiter need not hold it too.
    void setCaller(detail::PromiseBase* caller) noexcept
    {
        if (m_kind == Kind::Empty) m_object = caller;
    }
    detail::PromiseBase* caller() const noexcept
    {
        return m_kind == Kind::Empty ? static_cast<detail::PromiseBase*>(m_object) : nullptr;
    }
    /// Marks a pure/effect program started and returns it.
    AnyProgram take() noexcept;

protected:
    explicit AnyProgram(detail::PromiseBase* p, const char* function) noexcept
        : m_object(p)
        , m_function(function)
        , m_kind(Kind::Coroutine)
    { }
    void reset() noexcept
    {
        if (m_kind == Kind::Coroutine)
            static_cast<detail::PromiseBase*>(m_object)->handle().destroy();
        else if (m_kind != Kind::Empty)
            deletePayload();
        m_object = nullptr;
        m_kind = Kind::Empty;
    }
    const detail::ProgramPayload& payload() const noexcept;
    void deletePayload() noexcept;

    /// Owned: Coroutine: the activation's PromiseBase; Pure, Effect, Scoped: a ProgramPayload.
    /// Not owned: Empty: null, or the promise of the program that called this one (setCaller).
    void* m_object = nullptr;
    const char* m_function = nullptr;
    Kind m_kind = Kind::Empty;
};
static_assert(sizeof(void*) != 8 || sizeof(AnyProgram) <= 24, "every call keeps one in the calling frame");

namespace detail {

template<class T> class Promise;

struct ForwardRequest;

/// The awaits every program promise accepts.
class PromiseAwaitsBase : public PromiseBase {
public:
    using PromiseBase::PromiseBase;

    std::suspend_always initial_suspend() const noexcept { return {}; }
    std::suspend_always final_suspend() const noexcept { return {}; }
    void unhandled_exception() noexcept { m_answer->exception = std::current_exception(); }

    template<EffectLike E> auto await_transform(E&& effect, SiteToken site = __builtin_source_location())
    {
        setSite(site);
        using Eff = std::remove_cvref_t<E>;
        return EffectAwaiter<typename Eff::result_type, Eff> { effect, this };
    }

    AnyEffectAwaiter await_transform(const AnyEffect& effect, SiteToken site = __builtin_source_location())
    {
        setSite(site);
        return AnyEffectAwaiter { effect, this };
    }

    template<class U> CallAwaiter<U> await_transform(Program<U>&& program, SiteToken site = __builtin_source_location())
    {
        setSite(site);
        return CallAwaiter<U> { program };
    }
    template<class U> CallAwaiter<U> await_transform(Program<U>& program, SiteToken site = __builtin_source_location())
    {
        setSite(site);
        return CallAwaiter<U> { program };
    }
};

template<class T> class Promise : public PromiseAwaitsBase {
public:
    explicit Promise(std::source_location definition = std::source_location::current()) noexcept
        : PromiseAwaitsBase(definition)
    {
        static_assert(alignof(Promise) == alignof(PromiseBase), "PromiseBase::handle() finds the frame");
    }
    Program<T> get_return_object() noexcept;
    template<class V>
    requires std::is_convertible_v<V&&, T>
    void return_value(V&& value) { m_answer->value = toVariant<T>(T(std::forward<V>(value))); }
};

template<> class Promise<void> : public PromiseAwaitsBase {
public:
    explicit Promise(std::source_location definition = std::source_location::current()) noexcept
        : PromiseAwaitsBase(definition)
    {
        static_assert(alignof(Promise) == alignof(PromiseBase), "PromiseBase::handle() finds the frame");
    }
    Program<void> get_return_object() noexcept;
    void return_void() noexcept { m_answer->value = QVariant(); } // the slot may hold the last answer
};

} // namespace detail

/// A program returning T. `co_await` it from another program to call it as a sub-program.
template<class T> class Program : public AnyProgram {
public:
    using promise_type = detail::Promise<T>;
    using value_type = T;

    Program() = default;
    Program(Program&&) noexcept = default;
    Program(Program& other) noexcept
        : AnyProgram(static_cast<AnyProgram&>(other))
    { }
    Program& operator=(Program&&) noexcept = default;

    /// Wraps an already type-erased program (the caller vouches for T).
    static Program fromAny(AnyProgram p)
    {
        Program r;
        static_cast<AnyProgram&>(r) = std::move(p);
        return r;
    }

private:
    friend class detail::Promise<T>;
    explicit Program(detail::PromiseBase* p) noexcept
        : AnyProgram(p, p->definition().function_name())
    { }
};

namespace detail {
template<class T> Program<T> Promise<T>::get_return_object() noexcept
{
    return Program<T>(this);
}
inline Program<void> Promise<void>::get_return_object() noexcept
{
    return Program<void>(this);
}

/// Refers to the awaited program instead of holding it: a temporary (`co_await sub()`) lives
/// to the end of the full expression, past the resumption, and a named program outlives the
/// co_await. The machine moves the program out of it when the call starts, so a named program
/// is spent by co_await either way. Not holding it keeps every calling coroutine frame smaller.
template<class T> struct CallAwaiter {
    Program<T>& program;
    bool await_ready() const noexcept { return program.kind() == AnyProgram::Kind::Pure; }
    template<class P> void await_suspend(std::coroutine_handle<P> caller) noexcept
    {
        PromiseBase& promise = caller.promise();
        promise.setRequest(Request::Call);
        promise.m_call = &program;
    }
    T await_resume()
    {
        if (program.kind() == AnyProgram::Kind::Pure) {
            if constexpr (!std::is_void_v<T>)
                return fromVariant<T>(program.pureValue(), [] { return QStringLiteral("pure()"); });
            else
                return;
        }
        PromiseBase* promise = program.caller();
        rethrowAnswer(promise);
        if constexpr (!std::is_void_v<T>) {
            const char* fn = program.functionName();
            return fromVariant<T>(promise->m_answer->value,
                                  [fn]() -> QString { return functionDisplayName(fn) + QStringLiteral("()"); });
        }
    }
};
} // namespace detail

/// A program that returns `value` at once (not an effect: no dispatch, no scheduling point).
template<class T> Program<std::remove_cvref_t<T>> pure(T&& value)
{
    return Program<std::remove_cvref_t<T>>::fromAny(AnyProgram::fromPure(toVariant(std::forward<T>(value))));
}

} // namespace doeff
