// Encoder::effectFields, apart from the encoder's header: the effect types' names (Get, Put)
// would clash with the codec's Get/Put record visitors there.

#include "traceencoder.h"

#include <doeff/effects.h>

namespace doeff::trace {

QVariant Encoder::effectFields(const AnyEffect& effect)
{
    static const QString keyField = QStringLiteral("key");
    static const QString valueField = QStringLiteral("value");
    const auto setKey = [](QVariantMap& fields, const QString& text) {
        QVariant& key = fields[keyField];
        if (key.userType() != QMetaType::QString || *static_cast<const QString*>(key.constData()) != text) key = text;
    };
    if (const GetEffect* get = effect.builtin() == GetEffect::builtinId ? effect.as<GetEffect>() : nullptr) {
        setKey(m_getFields, get->key);
        return m_getFields;
    }
    if (const PutEffect* put = effect.builtin() == PutEffect::builtinId ? effect.as<PutEffect>() : nullptr) {
        setKey(m_putFields, put->key);
        m_putFields[valueField] = put->value;
        return m_putFields;
    }
    return effect.fields();
}

} // namespace doeff::trace
