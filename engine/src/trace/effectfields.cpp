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
    const QChar* text = key.constData();
    FieldsEntry& e = m_fields[((quintptr(text) * 0x9E3779B97F4A7C15ull) >> 59) * 2 + (get ? 0 : 1)];
    // raw text (a literal, fromRawData) is not held by the entry: compare it too
    const bool raw = !const_cast<QString&>(key).data_ptr().d_ptr();
    const bool hit = e.type == effect.type() && e.text == text && e.key.size() == key.size()
        && (raw ? std::equal(text, text + key.size(), e.key.constData()) : e.key.constData() == text);
    if (!hit) {
        static const QString keyField = QStringLiteral("key");
        static const QString valueField = QStringLiteral("value");
        e = FieldsEntry { effect.type(), text, raw ? QString(text, key.size()) : key, QVariant(), nullptr };
        QVariantMap map { { keyField, e.key } };
        if (!get) map.insert(valueField, QVariant());
        e.fields = QVariant(std::move(map));
        // the map is this QVariant's alone from here on: its `value` node stays where it is
        if (!get) e.value = &(*static_cast<QVariantMap*>(e.fields.data()))[valueField];
    }
    if (!get) *e.value = static_cast<const PutEffect*>(effect.object())->value;
    return e.fields;
}

} // namespace doeff::trace
