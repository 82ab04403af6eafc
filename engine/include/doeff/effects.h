#pragma once

#include <doeff/effect.h>
#include <doeff/export.h>
#include <doeff/handler.h>
#include <doeff/handles.h>
#include <doeff/program.h>
#include <doeff/result.h>

#include <QAnyStringView>
#include <QDateTime>
#include <QFuture>
#include <QList>
#include <QStringList>
#include <QVariantList>
#include <QVariantMap>

#include <qcoro/qcorofuture.h>
#include <qcoro/qcorotask.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

/// The built-in effects (RUNTIME.md §5). Effect classes are `<Name>Effect`; the functions of
/// the same name build them (`Ask<int>("k")` is an AskEffect whose result converts to int).
namespace doeff {

/// A program shared between copies of an effect; it still starts only once.
using SharedProgram = std::shared_ptr<AnyProgram>;

namespace detail {
DOEFF_EXPORT SharedProgram share(AnyProgram p);
DOEFF_EXPORT QString programLabel(const SharedProgram& p);
DOEFF_EXPORT QString keysLabel(const char* name, const QStringList& keys);
DOEFF_EXPORT QString reprCut(const QVariant& v, int max);
} // namespace detail

// ---- values produced by effects -------------------------------------------------------------

/// A value that an environment key computes on first Ask (§5.1). Copies share identity.
class DOEFF_EXPORT Lazy {
public:
    Lazy() = default;
    template<class F>
    requires std::is_invocable_v<F&>
    explicit Lazy(F factory)
        : m_factory(std::make_shared<std::function<AnyProgram()>>(
            [f = std::move(factory)]() mutable -> AnyProgram { return AnyProgram(f()); }))
    { }
    AnyProgram make() const { return m_factory ? (*m_factory)() : AnyProgram(); }
    const void* identity() const { return m_factory.get(); }
    bool operator==(const Lazy& o) const { return m_factory == o.m_factory; }

private:
    std::shared_ptr<std::function<AnyProgram()>> m_factory;
};

template<class T = QVariant> struct ListenResult {
    T value;
    QVariantList log;
};
template<class T = QVariant> struct GraphCapture {
    T value;
    QVariantList nodes;
};
template<class T = QVariant> struct RaceResult {
    Waitable first;
    T value;
    QList<Waitable> rest;
};
struct CallFrame {
    QString function;
    QString file;
    int line = 0;
    int depth = 0;
    int task = 0;
    bool operator==(const CallFrame&) const = default;
};
struct CachePolicy {
    std::optional<double> ttl;
    QString lifecycle;
    QString storage;
    QVariantMap metadata;
};
struct SpawnOptions {
    QString name;
};

// ---- Reader --------------------------------------------------------------------------------

namespace detail {
/// The key for UTF-8 text that is mostly a string literal (`Get<int>("counter")`): a small
/// per-thread cache by address, checked against the bytes (a reused buffer is never mistaken
/// for the text it held before), gives the same shared QString again without allocating.
DOEFF_EXPORT QString keyFromUtf8(const char* text, qsizetype size);
/// keyFromUtf8() for long texts (a source file's name): the same cache, compared with memcmp.
DOEFF_EXPORT QString textFromUtf8(const char* text, qsizetype size);

/// A store/env key argument. A QString is kept as it is (shared, no copy); a string literal is
/// looked up in keyFromUtf8()'s cache; any other string QAnyStringView accepts (QStringView,
/// QLatin1String, QUtf8StringView) is converted once.
struct KeyArg {
    QString text;
    KeyArg(const QString& s)
        : text(s)
    { }
    KeyArg(QString&& s) noexcept
        : text(std::move(s))
    { }
    template<std::size_t N>
    KeyArg(const char (&s)[N])
        : text(keyFromUtf8(s, qsizetype(qstrnlen(s, N))))
    { }
    template<class S>
    requires(!std::is_same_v<std::remove_cvref_t<S>, QString> && std::is_constructible_v<QAnyStringView, S&&>)
        KeyArg(S&& s)
        : text(QAnyStringView(std::forward<S>(s)).toString())
    { }
};
} // namespace detail

struct AskEffect : Effect<AskEffect> {
    static constexpr auto name = "Ask";
    static constexpr int builtinId = 1;
    QString key;
    QVariantMap fields() const { return { { QStringLiteral("key"), key } }; }
    QString label() const { return keyedLabel("Ask", key); }
};
template<class T = QVariant> Typed<AskEffect, T> Ask(detail::KeyArg key)
{
    return { { {}, std::move(key.text) } };
}

struct LocalEffect : Effect<LocalEffect> {
    static constexpr auto name = "Local";
    static constexpr int builtinId = 2;
    Env overrides;
    SharedProgram body;
    QVariantMap fields() const { return { { QStringLiteral("overrides"), overrides } }; }
    QString label() const { return detail::keysLabel("Local", overrides.keys()); }
};
template<class T> Typed<LocalEffect, T> Local(Env overrides, Program<T> body)
{
    return { { {}, std::move(overrides), detail::share(std::move(body)) } };
}
template<EffectLike E> Typed<LocalEffect, typename E::result_type> Local(Env overrides, E body)
{
    return { { {}, std::move(overrides), detail::share(AnyProgram(std::move(body))) } };
}

// ---- State ---------------------------------------------------------------------------------

struct GetEffect : Effect<GetEffect> {
    static constexpr auto name = "Get";
    static constexpr int builtinId = 3;
    QString key;
    QVariantMap fields() const { return { { QStringLiteral("key"), key } }; }
    QString label() const { return keyedLabel("Get", key); }
};
template<class T = QVariant> Typed<GetEffect, T> Get(detail::KeyArg key)
{
    return { { {}, std::move(key.text) } };
}

struct PutEffect : Effect<PutEffect> {
    static constexpr auto name = "Put";
    static constexpr int builtinId = 4;
    QString key;
    QVariant value;
    QVariantMap fields() const { return { { QStringLiteral("key"), key }, { QStringLiteral("value"), value } }; }
    QString label() const { return keyedLabel("Put", key); }
};
template<class V> PutEffect Put(detail::KeyArg key, V&& value)
{
    return { {}, std::move(key.text), toVariant(std::forward<V>(value)) };
}

struct ModifyEffect : Effect<ModifyEffect> {
    static constexpr auto name = "Modify";
    static constexpr int builtinId = 5;
    QString key;
    std::function<QVariant(const QVariant&)> fn;
    QVariantMap fields() const { return { { QStringLiteral("key"), key } }; }
    QString label() const { return keyedLabel("Modify", key); }
};
template<class F> auto Modify(detail::KeyArg key, F fn)
{
    if constexpr (std::is_invocable_v<F&, const QVariant&>) {
        return Typed<ModifyEffect, QVariant> { { {},
                                                 std::move(key.text),
                                                 [fn = std::move(fn)](const QVariant& old) mutable {
                                                     return toVariant(fn(old));
                                                 } } };
    } else {
        // typed: Modify<int>("k", [](std::optional<int> old) { … })
        using Arg = std::remove_cvref_t<typename detail::IsOptional<
            std::remove_cvref_t<decltype(std::declval<F&>()(std::declval<std::optional<int>>()))>>::value_type>;
        static_assert(sizeof(Arg) == 0, "use Modify<T>(key, fn) for typed updates");
    }
}
template<class T, class F> Typed<ModifyEffect, T> Modify(detail::KeyArg key, F fn)
{
    return { { {}, std::move(key.text), [fn = std::move(fn)](const QVariant& old) mutable {
                  std::optional<T> o;
                  if (!isNull(old)) o = fromVariant<T>(old, [] { return QStringLiteral("Modify"); });
                  return toVariant(T(fn(o)));
              } } };
}

// ---- Writer --------------------------------------------------------------------------------

struct TellEffect : Effect<TellEffect> {
    static constexpr auto name = "Tell";
    static constexpr int builtinId = 6;
    QVariant message;
    QVariantMap fields() const { return { { QStringLiteral("message"), message } }; }
    QString label() const { return QStringLiteral("Tell(") + detail::reprCut(message, 40) + QStringLiteral(")"); }
};
template<class V> TellEffect Tell(V&& message)
{
    return { {}, toVariant(std::forward<V>(message)) };
}
inline TellEffect Tell(const char* message)
{
    return { {}, QString::fromUtf8(message) };
}
template<class V> TellEffect Log(V&& message)
{
    return Tell(std::forward<V>(message));
}

struct StructuredLogEffect : Effect<StructuredLogEffect> {
    static constexpr auto name = "StructuredLog";
    static constexpr int builtinId = 7;
    QVariantMap entry;
    QVariantMap fields() const { return { { QStringLiteral("entry"), entry } }; }
    QString label() const { return detail::keysLabel("StructuredLog", entry.keys()); }
};
inline StructuredLogEffect StructuredLog(QVariantMap entry)
{
    return { {}, std::move(entry) };
}

struct ListenEffect : Effect<ListenEffect> {
    static constexpr auto name = "Listen";
    static constexpr int builtinId = 8;
    SharedProgram body;
    QString label() const { return QStringLiteral("Listen()"); }
};
template<class T> Typed<ListenEffect, ListenResult<T>> Listen(Program<T> body)
{
    return { { {}, detail::share(std::move(body)) } };
}
template<EffectLike E> Typed<ListenEffect, ListenResult<typename E::result_type>> Listen(E body)
{
    return { { {}, detail::share(AnyProgram(std::move(body))) } };
}

// ---- Control -------------------------------------------------------------------------------

struct SafeEffect : Effect<SafeEffect> {
    static constexpr auto name = "Safe";
    static constexpr int builtinId = 9;
    SharedProgram body;
    QString label() const { return QStringLiteral("Safe(") + detail::programLabel(body) + QStringLiteral(")"); }
};
template<class T> Typed<SafeEffect, Result<T>> Safe(Program<T> body)
{
    return { { {}, detail::share(std::move(body)) } };
}
template<EffectLike E> Typed<SafeEffect, Result<typename E::result_type>> Safe(E body)
{
    return { { {}, detail::share(AnyProgram(std::move(body))) } };
}

/// What an Intercept transform answers: nothing (pass), an effect (substitute) or a program
/// (replacement).
class DOEFF_EXPORT Transform {
public:
    Transform() = default;
    Transform(std::nullopt_t) { }
    template<EffectLike E>
    Transform(E effect)
        : m_effect(AnyEffect::own(std::move(effect)))
    { }
    template<class T>
    Transform(Program<T> program)
        : m_program(detail::share(std::move(program)))
    { }
    static Transform substitute(AnyEffect e)
    {
        Transform t;
        t.m_effect = e.owned();
        return t;
    }
    bool isEmpty() const { return !m_effect.isValid() && !m_program; }
    const AnyEffect& effect() const { return m_effect; }
    const SharedProgram& program() const { return m_program; }

private:
    AnyEffect m_effect;
    SharedProgram m_program;
};
using TransformFn = std::function<Transform(const AnyEffect&)>;

struct InterceptEffect : Effect<InterceptEffect> {
    static constexpr auto name = "Intercept";
    static constexpr int builtinId = 10;
    SharedProgram body;
    std::shared_ptr<const QList<TransformFn>> transforms;
    QString label() const
    {
        return QStringLiteral("Intercept(%1 transform(s))").arg(transforms ? transforms->size() : 0);
    }
};
template<class T> Typed<InterceptEffect, T> Intercept(Program<T> body, QList<TransformFn> transforms)
{
    return {
        { {}, detail::share(std::move(body)), std::make_shared<const QList<TransformFn>>(std::move(transforms)) }
    };
}
template<EffectLike E> Typed<InterceptEffect, typename E::result_type> Intercept(E body, QList<TransformFn> transforms)
{
    return { { {},
               detail::share(AnyProgram(std::move(body))),
               std::make_shared<const QList<TransformFn>>(std::move(transforms)) } };
}

// ---- IO, cache, atomic ---------------------------------------------------------------------

struct IOEffect : Effect<IOEffect> {
    static constexpr auto name = "IO";
    static constexpr int builtinId = 11;
    std::function<QVariant()> fn;
    QString label() const { return QStringLiteral("IO()"); }
};
template<class F> auto IO(F fn)
{
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>)
        return Typed<IOEffect, QVariant> { { {}, [fn = std::move(fn)]() mutable {
                                                fn();
                                                return QVariant();
                                            } } };
    else
        return Typed<IOEffect, R> { { {}, [fn = std::move(fn)]() mutable { return toVariant(fn()); } } };
}

struct CachePutEffect : Effect<CachePutEffect> {
    static constexpr auto name = "CachePut";
    static constexpr int builtinId = 12;
    QString key;
    QVariant value;
    CachePolicy policy;
    QVariantMap fields() const { return { { QStringLiteral("key"), key }, { QStringLiteral("value"), value } }; }
    QString label() const { return keyedLabel("CachePut", key); }
};
template<class V> CachePutEffect CachePut(detail::KeyArg key, V&& value, CachePolicy policy = {})
{
    return { {}, std::move(key.text), toVariant(std::forward<V>(value)), std::move(policy) };
}
struct CacheGetEffect : Effect<CacheGetEffect> {
    static constexpr auto name = "CacheGet";
    static constexpr int builtinId = 13;
    QString key;
    QVariantMap fields() const { return { { QStringLiteral("key"), key } }; }
    QString label() const { return keyedLabel("CacheGet", key); }
};
template<class T = QVariant> Typed<CacheGetEffect, T> CacheGet(detail::KeyArg key)
{
    return { { {}, std::move(key.text) } };
}
struct CacheExistsEffect : Effect<CacheExistsEffect, bool> {
    static constexpr auto name = "CacheExists";
    static constexpr int builtinId = 14;
    QString key;
    QVariantMap fields() const { return { { QStringLiteral("key"), key } }; }
    QString label() const { return keyedLabel("CacheExists", key); }
};
inline CacheExistsEffect CacheExists(detail::KeyArg key)
{
    return { {}, std::move(key.text) };
}
struct CacheDeleteEffect : Effect<CacheDeleteEffect, bool> {
    static constexpr auto name = "CacheDelete";
    static constexpr int builtinId = 15;
    QString key;
    QVariantMap fields() const { return { { QStringLiteral("key"), key } }; }
    QString label() const { return keyedLabel("CacheDelete", key); }
};
inline CacheDeleteEffect CacheDelete(detail::KeyArg key)
{
    return { {}, std::move(key.text) };
}

using DefaultFactory = std::function<QVariant()>;

struct AtomicGetEffect : Effect<AtomicGetEffect> {
    static constexpr auto name = "AtomicGet";
    static constexpr int builtinId = 16;
    QString key;
    DefaultFactory defaultFactory;
    QVariantMap fields() const { return { { QStringLiteral("key"), key } }; }
    QString label() const { return keyedLabel("AtomicGet", key); }
};
template<class T = QVariant> Typed<AtomicGetEffect, T> AtomicGet(detail::KeyArg key, DefaultFactory defaultFactory = {})
{
    return { { {}, std::move(key.text), std::move(defaultFactory) } };
}
struct AtomicUpdateEffect : Effect<AtomicUpdateEffect> {
    static constexpr auto name = "AtomicUpdate";
    static constexpr int builtinId = 17;
    QString key;
    std::function<QVariant(const QVariant&)> updater;
    DefaultFactory defaultFactory;
    QVariantMap fields() const { return { { QStringLiteral("key"), key } }; }
    QString label() const { return keyedLabel("AtomicUpdate", key); }
};
template<class F>
Typed<AtomicUpdateEffect, QVariant> AtomicUpdate(detail::KeyArg key, F updater, DefaultFactory defaultFactory = {})
{
    return { { {},
               std::move(key.text),
               [u = std::move(updater)](const QVariant& old) mutable { return toVariant(u(old)); },
               std::move(defaultFactory) } };
}

// ---- Introspection -------------------------------------------------------------------------

struct ProgramCallFrameEffect : Effect<ProgramCallFrameEffect, CallFrame> {
    static constexpr auto name = "ProgramCallFrame";
    static constexpr int builtinId = 18;
    int depth = 0;
    QVariantMap fields() const { return { { QStringLiteral("depth"), depth } }; }
    QString label() const { return QStringLiteral("ProgramCallFrame(%1)").arg(depth); }
};
inline ProgramCallFrameEffect ProgramCallFrame(int depth = 0)
{
    return { {}, depth };
}
struct ProgramCallStackEffect : Effect<ProgramCallStackEffect, QList<CallFrame>> {
    static constexpr auto name = "ProgramCallStack";
    static constexpr int builtinId = 19;
    QString label() const { return QStringLiteral("ProgramCallStack()"); }
};
inline ProgramCallStackEffect ProgramCallStack()
{
    return {};
}

// ---- Graph ---------------------------------------------------------------------------------

struct StepEffect : Effect<StepEffect> {
    static constexpr auto name = "Step";
    static constexpr int builtinId = 20;
    QVariant value;
    QVariantMap meta;
    QVariantMap fields() const { return { { QStringLiteral("value"), value }, { QStringLiteral("meta"), meta } }; }
    QString label() const { return QStringLiteral("Step(") + detail::reprCut(value, 40) + QStringLiteral(")"); }
};
template<class V> Typed<StepEffect, std::remove_cvref_t<V>> Step(V&& value, QVariantMap meta = {})
{
    return { { {}, toVariant(std::forward<V>(value)), std::move(meta) } };
}
inline Typed<StepEffect, QString> Step(const char* value, QVariantMap meta = {})
{
    return { { {}, QString::fromUtf8(value), std::move(meta) } };
}
struct AnnotateEffect : Effect<AnnotateEffect> {
    static constexpr auto name = "Annotate";
    static constexpr int builtinId = 21;
    QVariantMap meta;
    QVariantMap fields() const { return { { QStringLiteral("meta"), meta } }; }
    QString label() const { return detail::keysLabel("Annotate", meta.keys()); }
};
inline AnnotateEffect Annotate(QVariantMap meta)
{
    return { {}, std::move(meta) };
}
struct SnapshotEffect : Effect<SnapshotEffect, QVariantList> {
    static constexpr auto name = "Snapshot";
    static constexpr int builtinId = 22;
    QString label() const { return QStringLiteral("Snapshot()"); }
};
inline SnapshotEffect Snapshot()
{
    return {};
}
struct CaptureGraphEffect : Effect<CaptureGraphEffect> {
    static constexpr auto name = "CaptureGraph";
    static constexpr int builtinId = 23;
    SharedProgram body;
    QString label() const { return QStringLiteral("CaptureGraph()"); }
};
template<class T> Typed<CaptureGraphEffect, GraphCapture<T>> CaptureGraph(Program<T> body)
{
    return { { {}, detail::share(std::move(body)) } };
}
template<EffectLike E> Typed<CaptureGraphEffect, GraphCapture<typename E::result_type>> CaptureGraph(E body)
{
    return { { {}, detail::share(AnyProgram(std::move(body))) } };
}

// ---- Concurrency ---------------------------------------------------------------------------

struct SpawnEffect : Effect<SpawnEffect> {
    static constexpr auto name = "Spawn";
    static constexpr int builtinId = 30;
    SharedProgram program;
    SpawnOptions options;
    QString label() const;
};
template<class T> Typed<SpawnEffect, Task<T>> Spawn(Program<T> program, SpawnOptions options = {})
{
    return { { {}, detail::share(std::move(program)), std::move(options) } };
}
template<EffectLike E> Typed<SpawnEffect, Task<typename E::result_type>> Spawn(E effect, SpawnOptions options = {})
{
    return { { {}, detail::share(AnyProgram(std::move(effect))), std::move(options) } };
}

struct WaitEffect : Effect<WaitEffect> {
    static constexpr auto name = "Wait";
    static constexpr int builtinId = 31;
    Waitable target;
    QString label() const { return QStringLiteral("Wait(") + target.describe() + QStringLiteral(")"); }
};
template<class T> Typed<WaitEffect, T> Wait(const Task<T>& t)
{
    return { { {}, t } };
}
template<class T> Typed<WaitEffect, T> Wait(const Future<T>& f)
{
    return { { {}, f } };
}
inline WaitEffect Wait(const Waitable& w)
{
    return { {}, w };
}

/// An item of Gather: a program (run as a branch) or a handle (waited on).
struct GatherItem {
    SharedProgram program;
    Waitable handle;
    GatherItem(const Waitable& w)
        : handle(w)
    { }
    template<class T>
    GatherItem(Program<T>&& p)
        : program(detail::share(std::move(p)))
    { }
    template<EffectLike E>
    GatherItem(E e)
        : program(detail::share(AnyProgram(std::move(e))))
    { }
};

struct GatherEffect : Effect<GatherEffect, QVariantList> {
    static constexpr auto name = "Gather";
    static constexpr int builtinId = 32;
    QList<GatherItem> items;
    QString label() const;
};
template<class... Items> GatherEffect Gather(Items&&... items)
{
    GatherEffect g;
    (g.items.append(GatherItem(std::forward<Items>(items))), ...);
    return g;
}
inline GatherEffect GatherAll(QList<GatherItem> items)
{
    GatherEffect g;
    g.items = std::move(items);
    return g;
}

struct RaceEffect : Effect<RaceEffect, RaceResult<QVariant>> {
    static constexpr auto name = "Race";
    static constexpr int builtinId = 33;
    QList<Waitable> items;
    QString label() const;
};
template<class... Items> RaceEffect Race(const Items&... items)
{
    return { {}, QList<Waitable> { static_cast<const Waitable&>(items)... } };
}

struct CancelEffect : Effect<CancelEffect, bool> {
    static constexpr auto name = "Cancel";
    static constexpr int builtinId = 34;
    Waitable target;
    QString label() const { return QStringLiteral("Cancel(") + target.describe() + QStringLiteral(")"); }
};
struct IsDoneEffect : Effect<IsDoneEffect, bool> {
    static constexpr auto name = "IsDone";
    static constexpr int builtinId = 35;
    Waitable target;
    QString label() const { return QStringLiteral("IsDone(") + target.describe() + QStringLiteral(")"); }
};
template<class T> CancelEffect Task<T>::cancel() const
{
    return { {}, *this };
}
template<class T> IsDoneEffect Task<T>::is_done() const
{
    return { {}, *this };
}

struct CreatePromiseEffect : Effect<CreatePromiseEffect> {
    static constexpr auto name = "CreatePromise";
    static constexpr int builtinId = 36;
    QString label() const { return QStringLiteral("CreatePromise()"); }
};
template<class T = QVariant> Typed<CreatePromiseEffect, Promise<T>> CreatePromise()
{
    return {};
}
struct CompletePromiseEffect : Effect<CompletePromiseEffect> {
    static constexpr auto name = "CompletePromise";
    static constexpr int builtinId = 37;
    Waitable target;
    QVariant value;
    QString label() const { return QStringLiteral("CompletePromise(") + target.describe() + QStringLiteral(")"); }
};
template<class T, class V> CompletePromiseEffect CompletePromise(const Promise<T>& p, V&& value)
{
    return { {}, p.waitable(), toVariant(std::forward<V>(value)) };
}
struct FailPromiseEffect : Effect<FailPromiseEffect> {
    static constexpr auto name = "FailPromise";
    static constexpr int builtinId = 38;
    Waitable target;
    std::exception_ptr error;
    QString label() const { return QStringLiteral("FailPromise(") + target.describe() + QStringLiteral(")"); }
};
template<class T, class E> FailPromiseEffect FailPromise(const Promise<T>& p, E&& error)
{
    if constexpr (std::is_same_v<std::remove_cvref_t<E>, std::exception_ptr>)
        return { {}, p.waitable(), std::forward<E>(error) };
    else
        return { {}, p.waitable(), std::make_exception_ptr(std::forward<E>(error)) };
}
struct CreateExternalPromiseEffect : Effect<CreateExternalPromiseEffect> {
    static constexpr auto name = "CreateExternalPromise";
    static constexpr int builtinId = 39;
    QString label() const { return QStringLiteral("CreateExternalPromise()"); }
};
template<class T = QVariant> Typed<CreateExternalPromiseEffect, ExternalPromise<T>> CreateExternalPromise()
{
    return {};
}

// ---- Time ----------------------------------------------------------------------------------

struct DelayEffect : Effect<DelayEffect> {
    static constexpr auto name = "Delay";
    static constexpr int builtinId = 40;
    double seconds = 0;
    QVariantMap fields() const { return { { QStringLiteral("seconds"), seconds } }; }
    QString label() const { return QStringLiteral("Delay(") + repr(seconds) + QStringLiteral(")"); }
};
inline DelayEffect Delay(double seconds)
{
    return { {}, seconds };
}
template<class Rep, class Period> DelayEffect Delay(std::chrono::duration<Rep, Period> d)
{
    return { {}, std::chrono::duration<double>(d).count() };
}
struct WaitUntilEffect : Effect<WaitUntilEffect> {
    static constexpr auto name = "WaitUntil";
    static constexpr int builtinId = 41;
    QDateTime target;
    QVariantMap fields() const { return { { QStringLiteral("target"), target } }; }
    QString label() const;
};
inline WaitUntilEffect WaitUntil(QDateTime target)
{
    return { {}, std::move(target) };
}
struct GetTimeEffect : Effect<GetTimeEffect, QDateTime> {
    static constexpr auto name = "GetTime";
    static constexpr int builtinId = 42;
    QString label() const { return QStringLiteral("GetTime()"); }
};
inline GetTimeEffect GetTime()
{
    return {};
}

// ---- Await ---------------------------------------------------------------------------------

/// Starts the awaitable on the thread that drives it and returns a task for its result.
using AwaitStarter = std::function<QCoro::Task<QVariant>()>;

struct AwaitEffect : Effect<AwaitEffect> {
    static constexpr auto name = "Await";
    static constexpr int builtinId = 50;
    AwaitStarter start;
    QString label() const { return QStringLiteral("Await()"); }
};

namespace detail {
template<class T> QCoro::Task<QVariant> awaitFuture(QFuture<T> future)
{
    if constexpr (std::is_void_v<T>) {
        co_await future;
        co_return QVariant();
    } else {
        co_return toVariant(T(co_await future));
    }
}
template<class T> QCoro::Task<QVariant> awaitTask(QCoro::Task<T> task)
{
    if constexpr (std::is_void_v<T>) {
        co_await std::move(task);
        co_return QVariant();
    } else {
        co_return toVariant(T(co_await std::move(task)));
    }
}
template<class A> QCoro::Task<QVariant> awaitAwaitable(A awaitable)
{
    using R = decltype(co_await std::move(awaitable));
    if constexpr (std::is_void_v<R>) {
        co_await std::move(awaitable);
        co_return QVariant();
    } else {
        co_return toVariant(co_await std::move(awaitable));
    }
}
template<class T> struct IsQFuture : std::false_type { };
template<class T> struct IsQFuture<QFuture<T>> : std::true_type {
    using value_type = T;
};
template<class T> struct IsQCoroTask : std::false_type { };
template<class T> struct IsQCoroTask<QCoro::Task<T>> : std::true_type {
    using value_type = T;
};
} // namespace detail

template<class T> Typed<AwaitEffect, T> Await(QFuture<T> future)
{
    return { { {}, [future]() { return detail::awaitFuture(future); } } };
}
template<class T> Typed<AwaitEffect, T> Await(QCoro::Task<T>&& task)
{
    auto shared = std::make_shared<QCoro::Task<T>>(std::move(task));
    return { { {}, [shared]() { return detail::awaitTask(std::move(*shared)); } } };
}
/// Await of a factory: invoked on the thread that drives the awaitable (create QObjects here).
template<class F>
requires std::is_invocable_v<F&>
auto Await(F factory)
{
    using A = std::invoke_result_t<F&>;
    if constexpr (detail::IsQFuture<A>::value) {
        using T = typename detail::IsQFuture<A>::value_type;
        return Typed<AwaitEffect, T> { { {}, [factory]() mutable { return detail::awaitFuture(factory()); } } };
    } else if constexpr (detail::IsQCoroTask<A>::value) {
        using T = typename detail::IsQCoroTask<A>::value_type;
        return Typed<AwaitEffect, T> { { {}, [factory]() mutable { return detail::awaitTask(factory()); } } };
    } else {
        return Typed<AwaitEffect, QVariant> { { {},
                                                [factory]() mutable { return detail::awaitAwaitable(factory()); } } };
    }
}

// ---- Programs that are not effects ---------------------------------------------------------

/// Installs `h` for the dynamic extent of `body` (a program, not an effect).
DOEFF_EXPORT AnyProgram withHandlerAny(Handler h, AnyProgram body);
template<class T> Program<T> WithHandler(Handler h, Program<T> body)
{
    return Program<T>::fromAny(withHandlerAny(std::move(h), std::move(body)));
}
template<EffectLike E> Program<typename E::result_type> WithHandler(Handler h, E body)
{
    return Program<typename E::result_type>::fromAny(withHandlerAny(std::move(h), AnyProgram(std::move(body))));
}

// ---- typed access to the values effects produce ---------------------------------------------

template<class T> struct FromVariant<ListenResult<T>> {
    template<class What> static ListenResult<T> convert(const QVariant& v, What&& what)
    {
        if (v.metaType() != QMetaType::fromType<ListenResult<QVariant>>())
            detail::throwConversionError(v, "ListenResult", what());
        const auto& r = *static_cast<const ListenResult<QVariant>*>(v.constData());
        if constexpr (std::is_same_v<T, QVariant>)
            return r;
        else
            return ListenResult<T> { fromVariant<T>(r.value, what), r.log };
    }
};
template<class T> struct FromVariant<GraphCapture<T>> {
    template<class What> static GraphCapture<T> convert(const QVariant& v, What&& what)
    {
        if (v.metaType() != QMetaType::fromType<GraphCapture<QVariant>>())
            detail::throwConversionError(v, "GraphCapture", what());
        const auto& r = *static_cast<const GraphCapture<QVariant>*>(v.constData());
        if constexpr (std::is_same_v<T, QVariant>)
            return r;
        else
            return GraphCapture<T> { fromVariant<T>(r.value, what), r.nodes };
    }
};
template<class T> struct FromVariant<RaceResult<T>> {
    template<class What> static RaceResult<T> convert(const QVariant& v, What&& what)
    {
        if (v.metaType() != QMetaType::fromType<RaceResult<QVariant>>())
            detail::throwConversionError(v, "RaceResult", what());
        const auto& r = *static_cast<const RaceResult<QVariant>*>(v.constData());
        if constexpr (std::is_same_v<T, QVariant>)
            return r;
        else
            return RaceResult<T> { r.first, fromVariant<T>(r.value, what), r.rest };
    }
};
template<class T> struct ToVariant<ListenResult<T>> {
    static QVariant convert(ListenResult<T>&& r)
    {
        return QVariant::fromValue(ListenResult<QVariant> { toVariant(std::move(r.value)), std::move(r.log) });
    }
};

} // namespace doeff

Q_DECLARE_METATYPE(doeff::Lazy)
Q_DECLARE_METATYPE(doeff::CallFrame)
Q_DECLARE_METATYPE(doeff::ListenResult<QVariant>)
Q_DECLARE_METATYPE(doeff::GraphCapture<QVariant>)
Q_DECLARE_METATYPE(doeff::RaceResult<QVariant>)
