#include "heldtext.h"
#include "perthread.h"
#include "pool.h"

#include <doeff/effects.h>
#include <doeff/value.h>

#include <QStringList>

#include <array>
#include <cstring>

namespace doeff {

namespace detail {

SharedProgram share(AnyProgram p)
{
    // from the pool: every Spawn makes one, and its task's start frees it
    return makePooledShared<AnyProgram>(std::move(p));
}

QString programLabel(const SharedProgram& p)
{
    if (!p) return {};
    if (p->kind() == AnyProgram::Kind::Effect) return p->effect().label();
    return p->displayName() + QStringLiteral("()");
}

namespace {
struct KeyEntry {
    const char* address = nullptr;
    QByteArray bytes; ///< what the text was when cached: the address alone could be a reused buffer
    QString key;
};
constexpr std::size_t kKeyEntries = 64; // direct-mapped: a program's literal keys rarely collide
struct KeyCache : std::array<KeyEntry, kKeyEntries> { };
static_assert(kKeyEntries == 64, "the entry is the hash's top 6 bits");

/// Keys are short: a loop the compiler keeps inline beats a call to memcmp (and a call would
/// cost every key's hit its register saves).
bool sameShortBytes(const char* a, const char* b, qsizetype size)
{
    for (qsizetype i = 0; i < size; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

/// A file name is long: memcmp's vector compare beats the loop (about 200 instructions for a
/// 50-byte path).
bool sameLongBytes(const char* a, const char* b, qsizetype size)
{
    return std::memcmp(a, b, size_t(size)) == 0;
}

// Out of line, so that the hit, nearly every call, saves no registers for it.
[[gnu::noinline]] QString keyFromUtf8Miss(KeyEntry& e, const char* text, qsizetype size)
{
    e.address = text;
    e.bytes = QByteArray(text, size);
    e.key = QString::fromUtf8(text, size);
    return e.key;
}

/// The cache's lookup, with the comparison of the bytes that suits the text's length.
template<bool (*Same)(const char*, const char*, qsizetype)>
Q_ALWAYS_INLINE QString cachedUtf8(const char* text, qsizetype size)
{
    KeyEntry& e = PerThread<KeyCache>::get()[detail::addressSlot<6>(text)];
    if (e.address == text && e.bytes.size() == size && Same(e.bytes.constData(), text, size)) [[likely]]
        return e.key;
    return keyFromUtf8Miss(e, text, size);
}
} // namespace

QString keyFromUtf8(const char* text, qsizetype size)
{
    return cachedUtf8<sameShortBytes>(text, size);
}

QString textFromUtf8(const char* text, qsizetype size)
{
    return cachedUtf8<sameLongBytes>(text, size);
}

QString keysLabel(const char* name, const QStringList& keys)
{
    QStringList parts;
    for (const QString& k : keys)
        parts.append(repr(k));
    return QString::fromUtf8(name) + QStringLiteral("(") + parts.join(QStringLiteral(", ")) + QStringLiteral(")");
}

QString reprCut(const QVariant& v, int max)
{
    const QString r = repr(v);
    return r.size() > max ? r.left(max) + QStringLiteral("...") : r;
}

void retainExternal(ExternalState* s) noexcept
{
    s->ref.ref();
}

void releaseExternal(ExternalState* s) noexcept
{
    if (!s->ref.deref()) delete s;
}

void ExternalState::complete(QVariant value, std::exception_ptr error)
{
    bool expected = false;
    if (!completed.compare_exchange_strong(expected, true)) return; // the first call wins
    if (sink) sink(std::move(value), std::move(error));
}

namespace {
QString listRepr(const QList<Waitable>& items)
{
    QStringList parts;
    for (const Waitable& w : items)
        parts.append(repr(QVariant::fromValue(w)));
    return QStringLiteral("[") + parts.join(QStringLiteral(", ")) + QStringLiteral("]");
}

const bool s_registered = [] {
    registerRepr<AnyResult>([](const AnyResult& r) -> QString {
        // (peeks: a debugger printing the result is not the program looking at it)
        return r.peek_error() ? QStringLiteral("Err(") + r.peek_error()->describe() + QStringLiteral(")")
                              : QStringLiteral("Ok(") + repr(r.peek_value().value_or(QVariant())) + QStringLiteral(")");
    });
    registerRepr<Waitable>([](const Waitable& w) -> QString {
        switch (w.kind()) {
        case Waitable::Kind::Task:
            return QStringLiteral("<Task %1 '%2'>").arg(QString::number(w.id()), w.name());
        case Waitable::Kind::Future:
            return w.isExternal() ? QStringLiteral("<ExternalPromise %1>").arg(w.id())
                                  : QStringLiteral("<Future of promise %1>").arg(w.id());
        case Waitable::Kind::None:
            break;
        }
        return QStringLiteral("<Waitable>");
    });
    registerRepr<Lazy>([](const Lazy&) -> QString { return QStringLiteral("<Lazy>"); });
    registerRepr<ListenResult<QVariant>>([](const ListenResult<QVariant>& r) -> QString {
        return QStringLiteral("ListenResult(value=%1, log=%2)").arg(repr(r.value), repr(QVariant(r.log)));
    });
    registerRepr<GraphCapture<QVariant>>([](const GraphCapture<QVariant>& r) -> QString {
        return QStringLiteral("GraphCapture(value=%1, nodes=%2)").arg(repr(r.value), repr(QVariant(r.nodes)));
    });
    registerRepr<RaceResult<QVariant>>([](const RaceResult<QVariant>& r) -> QString {
        return QStringLiteral("RaceResult(first=%1, value=%2, rest=%3)")
            .arg(repr(QVariant::fromValue(r.first)), repr(r.value), listRepr(r.rest));
    });
    registerRepr<CallFrame>([](const CallFrame& f) -> QString {
        return QStringLiteral("CallFrame(function=%1, file=%2, line=%3, depth=%4, task=%5)")
            .arg(repr(f.function), repr(f.file), QString::number(f.line), QString::number(f.depth),
                 QString::number(f.task));
    });
    return true;
}();
} // namespace

} // namespace detail

QString Waitable::describe() const
{
    switch (m_kind) {
    case Kind::Task:
        return QStringLiteral("task %1 '%2'").arg(QString::number(m_id), name());
    case Kind::Future:
        return (isExternal() ? QStringLiteral("external promise %1") : QStringLiteral("promise %1")).arg(m_id);
    case Kind::None:
        break;
    }
    return QStringLiteral("null");
}

QString SpawnEffect::label() const
{
    return QStringLiteral("Spawn(") + detail::programLabel(program) + QStringLiteral(")");
}

QString GatherEffect::label() const
{
    QStringList parts;
    for (const GatherItem& item : items)
        parts.append(item.program ? detail::programLabel(item.program) : item.handle.describe());
    return QStringLiteral("Gather(") + parts.join(QStringLiteral(", ")) + QStringLiteral(")");
}

QString RaceEffect::label() const
{
    QStringList parts;
    for (const Waitable& w : items)
        parts.append(w.describe());
    return QStringLiteral("Race(") + parts.join(QStringLiteral(", ")) + QStringLiteral(")");
}

QString WaitUntilEffect::label() const
{
    return QStringLiteral("WaitUntil(") + target.toUTC().toString(Qt::ISODateWithMs) + QStringLiteral(")");
}

AnyProgram withHandlerAny(Handler h, AnyProgram body)
{
    auto spec = std::make_shared<detail::ScopeSpec>();
    spec->handler = std::move(h);
    spec->body = std::move(body);
    return AnyProgram::fromScope(std::move(spec));
}

} // namespace doeff
