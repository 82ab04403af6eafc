#pragma once

#include <doeff/convert.h>
#include <doeff/export.h>

#include <QString>
#include <QUuid>
#include <QVariant>

#include <exception>
#include <memory>
#include <new>

/// Handles to tasks and promises (RUNTIME.md §5.11): copyable, storable in QVariants, usable
/// from any task of the run that made them.
namespace doeff {

namespace detail {
struct ExternalState;
}

/// Anything Wait/Gather/Race accept: a task, or the read side of a promise.
class DOEFF_EXPORT Waitable {
public:
    enum class Kind : unsigned char { None, Task, Future };

    Waitable() noexcept { }
    Waitable(Kind kind, quint64 run, int id, QString name = {}, std::shared_ptr<detail::ExternalState> ext = {})
        : m_kind(kind)
        , m_id(id)
        , m_run(run)
    {
        if (m_kind == Kind::Task)
            new (&m_name) QString(std::move(name));
        else if (m_kind == Kind::Future)
            new (&m_external) std::shared_ptr<detail::ExternalState>(std::move(ext));
    }
    Waitable(const Waitable& o)
        : m_kind(o.m_kind)
        , m_id(o.m_id)
        , m_run(o.m_run)
    {
        copyPart(o);
    }
    Waitable(Waitable&& o) noexcept
        : m_kind(o.m_kind)
        , m_id(o.m_id)
        , m_run(o.m_run)
    {
        movePart(o);
    }
    Waitable& operator=(const Waitable& o)
    {
        if (this != &o) {
            if (m_kind == o.m_kind) {
                assignPart(o);
            } else {
                destroyPart();
                m_kind = o.m_kind;
                copyPart(o);
            }
            m_id = o.m_id;
            m_run = o.m_run;
        }
        return *this;
    }
    Waitable& operator=(Waitable&& o) noexcept
    {
        if (this != &o) {
            if (m_kind == o.m_kind) {
                moveAssignPart(o);
            } else {
                destroyPart();
                m_kind = o.m_kind;
                movePart(o);
            }
            m_id = o.m_id;
            m_run = o.m_run;
        }
        return *this;
    }
    ~Waitable() { destroyPart(); }

    Kind kind() const { return m_kind; }
    bool isNull() const { return m_kind == Kind::None; }
    quint64 run() const { return m_run; }
    int id() const { return m_id; }
    /// Task name; empty for futures.
    QString name() const { return m_kind == Kind::Task ? m_name : QString(); }
    bool isExternal() const { return m_kind == Kind::Future && m_external != nullptr; }
    const std::shared_ptr<detail::ExternalState>& external() const
    {
        static const std::shared_ptr<detail::ExternalState> none;
        return m_kind == Kind::Future ? m_external : none;
    }
    /// `task 1 'worker'`, `promise 2`, `external promise 4`.
    QString describe() const;

    bool operator==(const Waitable& o) const { return m_kind == o.m_kind && m_run == o.m_run && m_id == o.m_id; }

private:
    void copyPart(const Waitable& o)
    {
        if (m_kind == Kind::Task)
            new (&m_name) QString(o.m_name);
        else if (m_kind == Kind::Future)
            new (&m_external) std::shared_ptr<detail::ExternalState>(o.m_external);
    }
    void movePart(Waitable& o) noexcept
    {
        if (m_kind == Kind::Task)
            new (&m_name) QString(std::move(o.m_name));
        else if (m_kind == Kind::Future)
            new (&m_external) std::shared_ptr<detail::ExternalState>(std::move(o.m_external));
    }
    void assignPart(const Waitable& o)
    {
        if (m_kind == Kind::Task)
            m_name = o.m_name;
        else if (m_kind == Kind::Future)
            m_external = o.m_external;
    }
    void moveAssignPart(Waitable& o) noexcept
    {
        if (m_kind == Kind::Task)
            m_name = std::move(o.m_name);
        else if (m_kind == Kind::Future)
            m_external = std::move(o.m_external);
    }
    void destroyPart() noexcept
    {
        if (m_kind == Kind::Task)
            m_name.~QString();
        else if (m_kind == Kind::Future)
            m_external.~shared_ptr();
    }

    // Every Wait, every blocked task's record and every handle a program keeps holds a copy: kind
    // and id share a word, and a task's name and a promise's external state (no handle has both)
    // share their storage. 40 bytes.
    Kind m_kind = Kind::None;
    int m_id = 0;
    quint64 m_run = 0;
    union {
        QString m_name; ///< Task
        std::shared_ptr<detail::ExternalState> m_external; ///< Future: an external promise's state, or null
    };
};
static_assert(sizeof(void*) != 8 || sizeof(Waitable) <= 40, "every Wait and every blocked task holds copies");

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
