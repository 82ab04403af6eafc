#include <doeff/effect.h>
#include <doeff/value.h>

#include <algorithm>
#include <cstring>

namespace doeff {

namespace detail {
QString defaultEffectLabel(const char* name, const QVariantMap& fields)
{
    // One string grown in place: every effect without a label() of its own is labelled here, in
    // unobserved runs too (the effect call tree), so no list of parts and no temporaries.
    const std::size_t length = std::strlen(name);
    QString label;
    label.reserve(qsizetype(length) + 2 + 24 * fields.size());
    // effect names are identifiers: ASCII, appended without decoding (UTF-8 is decoded)
    if (std::all_of(name, name + length, [](char c) { return static_cast<unsigned char>(c) < 0x80; }))
        label += QLatin1StringView(name, qsizetype(length));
    else
        label += QString::fromUtf8(name, qsizetype(length));
    label += u'(';
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
        if (it != fields.cbegin()) label += QLatin1StringView(", ");
        label += it.key();
        label += u'=';
        label += repr(it.value());
    }
    label += u')';
    return label;
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
