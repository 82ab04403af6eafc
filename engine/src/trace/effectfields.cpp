// Encoder::effectFields, apart from the encoder's header: the effect types' names (Get, Put)
// would clash with the codec's Get/Put record visitors there.

#include "traceencoder.h"

#include <doeff/effects.h>

namespace doeff::trace {

const QVariant& Encoder::effectFields(const AnyEffect& effect, QVariant& other)
{
    const int builtin = effect.builtin();
    const bool get = builtin == GetEffect::builtinId;
    if (!get && builtin != PutEffect::builtinId) {
        other = effect.fields();
        return other;
    }
    const QString& key = get ? static_cast<const GetEffect*>(effect.object())->key
                             : static_cast<const PutEffect*>(effect.object())->key;
    FieldsEntry& e = m_fields[detail::addressSlot<5>(key.constData()) * 2 + (get ? 0 : 1)];
    if (e.type != effect.type() || !e.key.holds(key)) {
        static const QString keyField = QStringLiteral("key");
        static const QString valueField = QStringLiteral("value");
        e = FieldsEntry { effect.type(), detail::HeldText(key), QVariant(), nullptr };
        QVariantMap map { { keyField, e.key.text() } };
        if (!get) map.insert(valueField, QVariant());
        e.fields = QVariant(std::move(map));
        // the map is this QVariant's alone from here on: its `value` node stays where it is
        if (!get) e.value = &(*static_cast<QVariantMap*>(e.fields.data()))[valueField];
    }
    if (!get) *e.value = static_cast<const PutEffect*>(effect.object())->value;
    return e.fields;
}

} // namespace doeff::trace
