#include "pool.h"

#include <doeff/handler.h>
#include <doeff/program.h>
#include <doeff/value.h>

#include <cstdlib>
#include <new>

namespace doeff {

namespace detail {

void* PromiseBase::operator new(std::size_t size)
{
    return poolAllocate(size);
}

void PromiseBase::operator delete(void* p, std::size_t size) noexcept
{
    poolFree(p, size);
}

Number numberOf(const QVariant& v)
{
    Number n;
    switch (v.metaType().id()) {
    case QMetaType::Bool:
        n.kind = Number::Bool;
        break;
    case QMetaType::Char:
    case QMetaType::SChar:
    case QMetaType::Short:
    case QMetaType::Int:
    case QMetaType::Long:
    case QMetaType::LongLong:
        n.kind = Number::Signed;
        n.s = v.toLongLong();
        break;
    case QMetaType::UChar:
    case QMetaType::UShort:
    case QMetaType::UInt:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
        n.kind = Number::Unsigned;
        n.u = v.toULongLong();
        break;
    case QMetaType::Float:
    case QMetaType::Double:
        n.kind = Number::Floating;
        n.d = v.toDouble();
        break;
    default:
        break;
    }
    return n;
}

Number integerFromText(const QVariant& v, bool isSigned)
{
    Number n;
    const int id = v.metaType().id();
    if (id != QMetaType::QString && id != QMetaType::QByteArray) return n;
    bool ok = false;
    if (isSigned) {
        n.s = v.toLongLong(&ok);
        n.kind = Number::Signed;
    } else {
        n.u = v.toULongLong(&ok);
        n.kind = Number::Unsigned;
    }
    if (!ok) n.kind = Number::Unparsed;
    return n;
}

void throwConversionError(const QVariant& value, QMetaType target, const QString& what)
{
    throwConversionError(value, metaTypeDisplayName(target).toUtf8().constData(), what);
}

void throwConversionError(const QVariant& value, const char* targetName, const QString& what)
{
    const QString target = QString::fromUtf8(targetName);
    if (isNull(value)) throw ConversionError(QStringLiteral("Cannot convert null to %1 for %2").arg(target, what));
    throw ConversionError(QStringLiteral("Cannot convert %1 (%2) to %3 for %4")
                              .arg(repr(value), metaTypeDisplayName(value.metaType()), target, what));
}

} // namespace detail

const detail::ProgramPayload& AnyProgram::payload() const noexcept
{
    static const detail::ProgramPayload none;
    return m_kind != Kind::Empty && m_kind != Kind::Coroutine ? *static_cast<const detail::ProgramPayload*>(m_object)
                                                              : none;
}

void AnyProgram::deletePayload() noexcept
{
    delete static_cast<detail::ProgramPayload*>(m_object);
}

AnyProgram AnyProgram::fromPure(QVariant value)
{
    auto* payload = new detail::ProgramPayload;
    payload->pure = std::move(value);
    AnyProgram p;
    p.m_object = payload;
    p.m_kind = Kind::Pure;
    return p;
}

AnyProgram AnyProgram::fromEffect(AnyEffect effect)
{
    auto* payload = new detail::ProgramPayload;
    payload->effect = effect.owned();
    AnyProgram p;
    p.m_object = payload;
    p.m_kind = Kind::Effect;
    return p;
}

AnyProgram AnyProgram::fromScope(std::shared_ptr<detail::ScopeSpec> scope)
{
    auto* payload = new detail::ProgramPayload;
    payload->scope = std::move(scope);
    AnyProgram p;
    p.m_object = payload;
    p.m_kind = Kind::Scoped;
    return p;
}

QString AnyProgram::displayName() const
{
    if (m_function) return functionDisplayNameOfStatic(m_function);
    switch (m_kind) {
    case Kind::Effect:
        return effect().name();
    case Kind::Pure:
        return QStringLiteral("pure");
    case Kind::Scoped:
        return scope() ? scope()->body.displayName() : QString();
    default:
        return {};
    }
}

detail::PromiseBase* AnyProgram::takePromise() noexcept
{
    detail::PromiseBase* p = promise();
    if (p) m_object = nullptr;
    m_kind = Kind::Empty;
    return p;
}

AnyProgram AnyProgram::take() noexcept
{
    AnyProgram out(std::move(*this));
    return out;
}

} // namespace doeff
