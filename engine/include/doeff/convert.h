#pragma once

#include <doeff/errors.h>
#include <doeff/export.h>
#include <doeff/value.h>

#include <QMetaType>
#include <QStringBuilder>
#include <QVariant>

#include <memory>
#include <optional>
#include <type_traits>

/// How values travel: every effect result and program value is a QVariant; typed access
/// converts with Qt's rules, and a failed conversion is a ConversionError at the site.
namespace doeff {

namespace detail {
/// Throws ConversionError: `Cannot convert 'abc' (QString) to int for Get('n')`.
[[noreturn]] DOEFF_EXPORT void throwConversionError(const QVariant& value, QMetaType target, const QString& what);
[[noreturn]] DOEFF_EXPORT void throwConversionError(const QVariant& value, const char* targetName, const QString& what);

template<class T> struct IsOptional : std::false_type { };
template<class T> struct IsOptional<std::optional<T>> : std::true_type {
    using value_type = T;
};
} // namespace detail

/// Customisation point: how a QVariant becomes a T. `what` describes the conversion for the
/// error message (the effect label); it is only called on failure.
template<class T, class = void> struct FromVariant {
    template<class What> static T convert(const QVariant& v, What&& what)
    {
        if constexpr (std::is_same_v<T, QVariant>) {
            return v;
        } else if constexpr (detail::IsOptional<T>::value) {
            if (isNull(v)) return std::nullopt;
            return FromVariant<typename detail::IsOptional<T>::value_type>::convert(v, std::forward<What>(what));
        } else if constexpr (!std::is_copy_constructible_v<T>) {
            // move-only values travel as shared_ptr<T>
            auto sp = v.value<std::shared_ptr<T>>();
            if (!sp) detail::throwConversionError(v, QMetaType::fromType<std::shared_ptr<T>>(), what());
            return std::move(*sp);
        } else {
            const QMetaType target = QMetaType::fromType<T>();
            if (v.metaType() == target) return *static_cast<const T*>(v.constData());
            if (isNull(v)) detail::throwConversionError(v, target, what());
            QVariant c = v;
            if (!c.convert(target)) detail::throwConversionError(v, target, what());
            return *static_cast<const T*>(c.constData());
        }
    }
};

/// Customisation point: how a T becomes a QVariant (the inverse of FromVariant).
template<class T, class = void> struct ToVariant {
    static QVariant convert(T&& v)
    {
        if constexpr (std::is_same_v<std::remove_cvref_t<T>, QVariant>)
            return std::move(v);
        else if constexpr (!std::is_copy_constructible_v<T>)
            return QVariant::fromValue(std::make_shared<T>(std::move(v)));
        else
            return QVariant::fromValue(std::move(v));
    }
};

/// `u"a"_s + b` is a QStringBuilder when QT_USE_QSTRINGBUILDER is on: it is text, stored as the
/// QString (or QByteArray) it builds, never as an opaque builder object.
template<class A, class B> struct ToVariant<QStringBuilder<A, B>> {
    static QVariant convert(QStringBuilder<A, B>&& v)
    {
        return QVariant(typename QConcatenable<QStringBuilder<A, B>>::ConvertTo(std::move(v)));
    }
};

template<class T> QVariant toVariant(T&& v)
{
    using D = std::decay_t<T>;
    if constexpr (std::is_same_v<D, const char*> || std::is_same_v<D, char*>)
        return QVariant(QString::fromUtf8(v)); // string literals are UTF-8 text
    else
        return ToVariant<std::remove_cvref_t<T>>::convert(std::remove_cvref_t<T>(std::forward<T>(v)));
}

template<class T, class What> T fromVariant(const QVariant& v, What&& what)
{
    return FromVariant<T>::convert(v, std::forward<What>(what));
}

} // namespace doeff
