#pragma once

#include <doeff/convert.h>
#include <doeff/export.h>

#include <QAtomicInt>
#include <QString>
#include <QUuid>
#include <QVariant>

#include <exception>
#include <memory>
#include <new>
#include <utility>

/// Handles to tasks and promises (RUNTIME.md §5.11): copyable, storable in QVariants, usable
/// from any task of the run that made them.
namespace doeff {

namespace detail {
struct ExternalState;

/// A task's name, shared by its record and every handle to it: one pointer in each. Made once
/// per program function (the display-name cache keeps it), so a spawned task costs a count, not
/// a string.
struct SharedName {
    explicit SharedName(QString s)
        : text(std::move(s))
    { }
    QAtomicInt ref = 1; ///< made owned by its maker
    const QString text;
};
DOEFF_EXPORT void releaseExternal(ExternalState* s) noexcept;
DOEFF_EXPORT void retainExternal(ExternalState* s) noexcept;

/// An owning pointer to a SharedName.
class NamePtr {
public:
    NamePtr() noexcept = default;
    explicit NamePtr(QString text)
        : m_p(new SharedName(std::move(text)))
    { }
    NamePtr(const NamePtr& o) noexcept
        : m_p(o.m_p)
    {
        if (m_p) m_p->ref.ref();
    }
    NamePtr(NamePtr&& o) noexcept
        : m_p(std::exchange(o.m_p, nullptr))
    { }
    NamePtr& operator=(NamePtr o) noexcept
    {
        std::swap(m_p, o.m_p);
        return *this;
    }
    ~NamePtr()
    {
        if (m_p && !m_p->ref.deref()) delete m_p;
    }
    SharedName* get() const noexcept { return m_p; }
    /// Gives up ownership: the caller owns the count.
    SharedName* release() noexcept { return std::exchange(m_p, nullptr); }
    /// The name; empty when null.
    const QString& text() const noexcept
    {
        static const QString none;
        return m_p ? m_p->text : none;
    }

private:
    SharedName* m_p = nullptr;
};
} // namespace detail

/// Anything Wait/Gather/Race accept: a task, or the read side of a promise.
class DOEFF_EXPORT Waitable {
public:
    enum class Kind : unsigned char { None, Task, Future };

    Waitable() noexcept { }
    /// A task's handle, naming it `name`, or a promise's (`name` unused).
    Waitable(Kind kind, quint64 run, int id, const QString& name = {})
        : Waitable(kind, run, id, kind == Kind::Task ? detail::NamePtr(name) : detail::NamePtr())
    { }
    /// A task's handle sharing its record's name.
    Waitable(Kind kind, quint64 run, int id, detail::NamePtr name) noexcept
        : m_run(run)
        , m_id(id)
        , m_kind(kind)
    {
        if (m_kind == Kind::Task) m_name = name.release();
    }
    /// An external promise's read side, owning a count of `ext` (made with a count of one for
    /// its maker, which this takes over).
    Waitable(quint64 run, int id, detail::ExternalState* adoptedExternal) noexcept
        : m_run(run)
        , m_id(id)
        , m_kind(Kind::Future)
        , m_external(adoptedExternal)
    { }
    Waitable(const Waitable& o) noexcept
        : m_run(o.m_run)
        , m_id(o.m_id)
        , m_kind(o.m_kind)
        , m_part(o.m_part)
    {
        retain();
    }
    Waitable(Waitable&& o) noexcept
        : m_run(o.m_run)
        , m_id(o.m_id)
        , m_kind(o.m_kind)
        , m_part(std::exchange(o.m_part, nullptr))
    { }
    Waitable& operator=(Waitable o) noexcept
    {
        std::swap(m_run, o.m_run);
        std::swap(m_id, o.m_id);
        std::swap(m_kind, o.m_kind);
        std::swap(m_part, o.m_part);
        return *this;
    }
    ~Waitable() { release(); }

    Kind kind() const { return m_kind; }
    bool isNull() const { return m_kind == Kind::None; }
    quint64 run() const { return m_run; }
    int id() const { return m_id; }
    /// Task name; empty for futures.
    QString name() const { return m_kind == Kind::Task && m_name ? m_name->text : QString(); }
    bool isExternal() const { return m_kind == Kind::Future && m_external != nullptr; }
    /// An external promise's state; null for any other handle.
    detail::ExternalState* external() const { return m_kind == Kind::Future ? m_external : nullptr; }
    /// `task 1 'worker'`, `promise 2`, `external promise 4`.
    QString describe() const;

    bool operator==(const Waitable& o) const { return m_kind == o.m_kind && m_run == o.m_run && m_id == o.m_id; }

private:
    void retain() const noexcept
    {
        if (!m_part) return;
        if (m_kind == Kind::Task)
            m_name->ref.ref();
        else
            detail::retainExternal(m_external);
    }
    void release() noexcept
    {
        if (!m_part) return;
        if (m_kind == Kind::Task) {
            if (!m_name->ref.deref()) delete m_name;
        } else {
            detail::releaseExternal(m_external);
        }
    }

    // Every Wait, every blocked task's record and every handle a program keeps holds a copy
    // (a program's coroutine frame holds two for `co_await Wait(f)`: its parameter and the
    // effect's): the run, the id and the kind, and one owning pointer to what only one kind
    // has, a task's name or an external promise's state. 24 bytes.
    quint64 m_run = 0;
    int m_id = 0;
    Kind m_kind = Kind::None;
    union {
        void* m_part = nullptr; ///< either, for copying and moving
        detail::SharedName* m_name; ///< Task: shared with its record and other handles
        detail::ExternalState* m_external; ///< Future: an external promise's state, or null
    };
};
static_assert(sizeof(void*) != 8 || sizeof(Waitable) <= 24, "every Wait and every blocked task holds copies");

} // namespace doeff

// A handle holds no pointer into itself, so it moves by its bytes: a QVariant keeps one in
// place (a Spawn's answer allocates nothing), a list moves them with memmove.
Q_DECLARE_TYPEINFO(doeff::Waitable, Q_RELOCATABLE_TYPE);

namespace doeff {

struct CancelEffect;
struct IsDoneEffect;

/// A spawned task (or branch). `co_await t.cancel()`, `co_await t.is_done()`.
template<class T = QVariant> class Task : public Waitable {
public:
    using value_type = T;
    Task() = default;
    explicit Task(Waitable w)
        : Waitable(std::move(w))
    { }
    CancelEffect cancel() const;
    IsDoneEffect is_done() const;
};

/// The read side of a promise.
template<class T = QVariant> class Future : public Waitable {
public:
    using value_type = T;
    Future() = default;
    explicit Future(Waitable w)
        : Waitable(std::move(w))
    { }
};

/// A promise completed by CompletePromise / FailPromise from inside the run.
template<class T = QVariant> class Promise {
public:
    Promise() = default;
    explicit Promise(Waitable w)
        : m_future(std::move(w))
    { }
    Future<T> future() const { return m_future; }
    int id() const { return m_future.id(); }
    const Waitable& waitable() const { return m_future; }

private:
    Future<T> m_future;
};

namespace detail {
/// Shared between an external promise's handles and the machine; complete/fail are thread-safe.
struct DOEFF_EXPORT ExternalState {
    QAtomicInt ref = 1; ///< owned by the handles to it (retainExternal, releaseExternal)
    QUuid uuid = QUuid::createUuid();
    /// Set by the machine when the promise is created; called once on completion.
    std::function<void(QVariant, std::exception_ptr)> sink;
    std::atomic<bool> completed = false;
    void complete(QVariant value, std::exception_ptr error);
};
} // namespace detail

/// A promise completable from any thread: `complete(v)`, `fail(e)`; the first call wins.
template<class T = QVariant> class ExternalPromise {
public:
    ExternalPromise() = default;
    explicit ExternalPromise(Waitable w)
        : m_future(std::move(w))
    { }
    template<class V> void complete(V&& value) const
    {
        if (m_future.external()) m_future.external()->complete(toVariant(T(std::forward<V>(value))), nullptr);
    }
    void fail(std::exception_ptr error) const
    {
        if (m_future.external()) m_future.external()->complete({}, std::move(error));
    }
    template<class E>
    requires(!std::is_same_v<std::remove_cvref_t<E>, std::exception_ptr>) void fail(E&& error) const
    {
        fail(std::make_exception_ptr(std::forward<E>(error)));
    }
    Future<T> future() const { return m_future; }
    QUuid id() const { return m_future.external() ? m_future.external()->uuid : QUuid(); }

private:
    Future<T> m_future;
};

template<class T> struct FromVariant<Task<T>> {
    template<class What> static Task<T> convert(const QVariant& v, What&& what)
    {
        return Task<T>(FromVariant<Waitable>::convert(v, what));
    }
};
template<class T> struct FromVariant<Future<T>> {
    template<class What> static Future<T> convert(const QVariant& v, What&& what)
    {
        return Future<T>(FromVariant<Waitable>::convert(v, what));
    }
};
template<class T> struct FromVariant<Promise<T>> {
    template<class What> static Promise<T> convert(const QVariant& v, What&& what)
    {
        return Promise<T>(FromVariant<Waitable>::convert(v, what));
    }
};
template<class T> struct FromVariant<ExternalPromise<T>> {
    template<class What> static ExternalPromise<T> convert(const QVariant& v, What&& what)
    {
        return ExternalPromise<T>(FromVariant<Waitable>::convert(v, what));
    }
};
template<class T> struct ToVariant<Task<T>> {
    static QVariant convert(Task<T>&& t) { return QVariant::fromValue(static_cast<Waitable>(t)); }
};
template<class T> struct ToVariant<Future<T>> {
    static QVariant convert(Future<T>&& t) { return QVariant::fromValue(static_cast<Waitable>(t)); }
};

} // namespace doeff

Q_DECLARE_METATYPE(doeff::Waitable)
