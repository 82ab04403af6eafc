#pragma once

#include <doeff/errors.h>
#include <doeff/export.h>
#include <doeff/value.h>

#include <QMetaType>
#include <QStringBuilder>
#include <QVariant>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

/// How values travel: every effect result and program value is a QVariant; typed access
/// converts with Qt's rules, and a failed conversion is a ConversionError at the site. A number
/// read as a number must fit exactly (no wrapping, rounding or bool-as-number).
namespace doeff {

namespace detail {
/// Throws ConversionError: `Cannot convert 'abc' (QString) to int for Get('n')`.
[[noreturn]] DOEFF_EXPORT void throwConversionError(const QVariant& value, QMetaType target, const QString& what);
[[noreturn]] DOEFF_EXPORT void throwConversionError(const QVariant& value, const char* targetName, const QString& what);

/// A QVariant holding a built-in number or bool, read without conversion (kind None for
/// anything else: strings and user types keep Qt's conversion rules).
struct Number {
    /// Unparsed: text that is not a whole number.
    enum Kind { None, Bool, Signed, Unsigned, Floating, Unparsed } kind = None;
    qint64 s = 0;
    quint64 u = 0;
    double d = 0;
};
DOEFF_EXPORT Number numberOf(const QVariant& v);
/// Text (QString, QByteArray) read as a whole number the way Qt reads it, but 64 bits wide so
/// that the range check sees the real value; kind None for other types.
DOEFF_EXPORT Number integerFromText(const QVariant& v, bool isSigned);

/// The number as a T if T holds it exactly; nullopt for a bool, a fraction, a non-finite or
/// an out-of-range number (Qt's conversions wrap or round these silently).
template<class T> std::optional<T> exactNumber(const Number& n)
{
    if (n.kind == Number::Bool || n.kind == Number::Unparsed) return std::nullopt;
    if constexpr (std::is_floating_point_v<T>) {
        if (n.kind == Number::Signed) return static_cast<T>(n.s);
        if (n.kind == Number::Unsigned) return static_cast<T>(n.u);
        return static_cast<T>(n.d);
    } else {
        if (n.kind == Number::Signed)
            return std::in_range<T>(n.s) ? std::optional<T>(static_cast<T>(n.s)) : std::nullopt;
        if (n.kind == Number::Unsigned)
            return std::in_range<T>(n.u) ? std::optional<T>(static_cast<T>(n.u)) : std::nullopt;
        // every integer type's minimum is 0 or -2^digits and its maximum 2^digits - 1: both bounds exact in double
        const double upper = std::ldexp(1.0, std::numeric_limits<T>::digits);
        if (!std::isfinite(n.d) || std::trunc(n.d) != n.d) return std::nullopt;
        if (n.d < static_cast<double>(std::numeric_limits<T>::min()) || n.d >= upper) return std::nullopt;
        return static_cast<T>(n.d);
    }
}

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
            if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) {
                detail::Number n = detail::numberOf(v);
                if constexpr (std::is_integral_v<T>)
                    if (n.kind == detail::Number::None) n = detail::integerFromText(v, std::is_signed_v<T>);
                if (n.kind != detail::Number::None) {
                    const std::optional<T> exact = detail::exactNumber<T>(n);
                    if (!exact) detail::throwConversionError(v, target, what());
                    return *exact;
                }
            }
            QVariant c = v;
            if (!c.convert(target)) detail::throwConversionError(v, target, what());
            return *static_cast<const T*>(c.constData());
        }
    }
};

namespace detail {
template<class T, class... U> inline constexpr bool isOneOf = (std::is_same_v<T, U> || ...);
/// Values QVariant has a constructor of its own for: a few instructions (`Put("n", v + 1)`), where
/// fromValue() goes through the generic QMetaType path. The same QVariant either way.
template<class T>
inline constexpr bool hasOwnVariantConstructor = isOneOf<T, int, uint, qlonglong, qulonglong, bool, double, QString>;
} // namespace detail

/// Customisation point: how a T becomes a QVariant (the inverse of FromVariant).
template<class T, class = void> struct ToVariant {
    static QVariant convert(T&& v)
    {
        if constexpr (std::is_same_v<std::remove_cvref_t<T>, QVariant>)
            return std::move(v);
        else if constexpr (detail::hasOwnVariantConstructor<T>)
            return QVariant(std::move(v));
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
