#include <doeff/effect.h>
#include <doeff/value.h>

#include <QStringList>

namespace doeff {

namespace detail {
QString defaultEffectLabel(const char* name, const QVariantMap& fields)
{
    QStringList parts;
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        parts.append(it.key() + QStringLiteral("=") + repr(it.value()));
    return QString::fromUtf8(name) + QStringLiteral("(") + parts.join(QStringLiteral(", ")) + QStringLiteral(")");
}
} // namespace detail

AnyEffect AnyEffect::adopt(const EffectType* type, void* object)
{
    std::shared_ptr<const void> owner(object, [type](const void* p) { type->destroy(const_cast<void*>(p)); });
    return AnyEffect(type, object, std::move(owner));
}

QString AnyEffect::name() const
{
    return m_type ? QString::fromUtf8(m_type->name) : QString();
}

QVariantMap AnyEffect::fields() const
{
    return m_type ? m_type->fields(m_obj) : QVariantMap();
}

QString AnyEffect::label() const
{
    return m_type ? m_type->label(m_obj) : QString();
}

AnyEffect AnyEffect::owned() const
{
    if (!m_type || m_owner) return *this;
    return adopt(m_type, m_type->clone(m_obj));
}

} // namespace doeff
