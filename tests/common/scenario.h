#pragma once

// Shared helpers for the scenario suites (spec/SCENARIOS.md): run a program on either
// runner, and print results the way the scenarios state them.

#include <doeff/doeff.h>

#include <QString>
#include <QStringList>
#include <QtTest>

#include <qcoro/qcorotask.h>

#include <stdexcept>

struct ValueError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct RuntimeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace scenario {

using namespace doeff;

/// The trace list of `record(s)`; cleared before each run by runWith().
inline QStringList& trace()
{
    static QStringList t;
    return t;
}

/// `record(s)`: an IO effect appending to the trace (a scheduling point like any effect).
inline auto record(const QString& s)
{
    return IO([s] { trace().append(s); });
}

enum class Runner { Sync, Async };

inline void addRunnerColumn()
{
    QTest::addColumn<int>("runner");
    QTest::addRow("sync") << int(Runner::Sync);
    QTest::addRow("async") << int(Runner::Async);
}

template<class T>
RuntimeResult<T> runWith(int runner, Program<T> program, HandlerList handlers = sync_handlers_preset(), Env env = {},
                         Store store = {}, RunOptions options = {})
{
    trace().clear();
    if (Runner(runner) == Runner::Sync)
        return sync_run(std::move(program), std::move(handlers), std::move(env), std::move(store), std::move(options));
    return QCoro::waitFor(
        async_run(std::move(program), std::move(handlers), std::move(env), std::move(store), std::move(options)));
}

/// `Ok(<repr>)` / `Err(<Type>: <message>)`.
inline QString resultText(const RuntimeResultBase& r)
{
    if (r.is_ok()) return QStringLiteral("Ok(") + repr(r.anyValue()) + u')';
    return QStringLiteral("Err(") + r.error().describe() + u')';
}

/// raw_store() without `__` keys, as a repr'd map in insertion order.
inline QString userStore(const RuntimeResultBase& r)
{
    QStringList parts;
    for (const auto& [k, v] : r.raw_store().entries())
        if (!k.startsWith(QStringLiteral("__"))) parts.append(repr(k) + QStringLiteral(": ") + repr(v));
    return u'{' + parts.join(QStringLiteral(", ")) + u'}';
}

inline QString logOf(const RuntimeResultBase& r)
{
    return repr(r.raw_store().value(QStringLiteral("__log__")));
}

inline QStringList reservedKeys(const RuntimeResultBase& r)
{
    QStringList keys;
    for (const QString& k : r.raw_store().keys())
        if (k.startsWith(QStringLiteral("__"))) keys.append(k);
    keys.sort();
    return keys;
}

inline QStringList unobserved(const RuntimeResultBase& r)
{
    QStringList out;
    for (const UnobservedFailure& f : r.unobserved_failures())
        out.append(QStringLiteral("task %1 '%2': ").arg(f.task).arg(f.name) + f.error.describe());
    return out;
}

inline QString kind(const AnyResult& r)
{
    return r.is_ok() ? QStringLiteral("Ok") : QStringLiteral("Err");
}

/// `effect Ping(n)` of the scenarios: a user effect with one field (result type QVariant).
struct Ping : Effect<Ping> {
    static constexpr auto name = "Ping";
    int n = 0;
    QVariantMap fields() const { return { { QStringLiteral("n"), n } }; }
};
inline Ping ping(int n)
{
    Ping p;
    p.n = n;
    return p;
}

inline QString str(const char* s)
{
    return QString::fromUtf8(s);
}

} // namespace scenario
