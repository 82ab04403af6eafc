#pragma once

#include <doeff/convert.h>
#include <doeff/errors.h>
#include <doeff/export.h>

#include <QString>
#include <QVariant>

#include <exception>
#include <memory>
#include <optional>
#include <source_location>

namespace doeff {

/// An error as a value: the exception object itself plus its printed type name and message.
class DOEFF_EXPORT ErrorInfo {
public:
    ErrorInfo() = default;
    explicit ErrorInfo(std::exception_ptr error);
    /// An error known only by its text (a loaded result): exception() is a LoadedError.
    static ErrorInfo fromText(const QString& typeName, const QString& message);

    QString type_name() const { return m_type; }
    QString message() const { return m_message; }
    /// `Type: message`.
    QString describe() const { return m_type + QStringLiteral(": ") + m_message; }
    std::exception_ptr exception() const { return m_error; }
    [[noreturn]] void rethrow() const;
    ErrorInfo root_cause() const;
    bool isValid() const { return m_error != nullptr; }

    template<class E> bool is() const { return as<E>() != nullptr; }
    /// A pointer to the exception object if it is an E, else nullptr. Valid while this lives.
    template<class E> const E* as() const
    {
        if (!m_error) return nullptr;
        try {
            std::rethrow_exception(m_error);
        } catch (const E& e) {
            return &e;
        } catch (...) {
            return nullptr;
        }
    }

    bool operator==(const ErrorInfo& other) const { return m_error == other.m_error; }

private:
    std::exception_ptr m_error;
    QString m_type;
    QString m_message;
};

/// `Ok(value)` or `Err(error)` — what Safe returns.
template<class T> class Result {
public:
    static Result ok(T value)
    {
        Result r;
        r.m_value.emplace(std::move(value));
        return r;
    }
    static Result err(ErrorInfo error)
    {
        Result r;
        r.m_error.emplace(std::move(error));
        return r;
    }

    bool is_ok() const { return m_value.has_value(); }
    bool is_err() const { return m_error.has_value(); }
    /// The value; rethrows the error when Err.
    const T& value() const
    {
        if (m_error) m_error->rethrow();
        return *m_value;
    }
    /// The error; throws ResultAccessError when Ok.
    const ErrorInfo& error() const
    {
        if (!m_error) throw ResultAccessError(QStringLiteral("Result is Ok, no error"));
        return *m_error;
    }
    std::optional<T> ok() const { return m_value; }
    std::optional<ErrorInfo> err() const { return m_error; }
    T value_or(T fallback) const { return m_value ? *m_value : std::move(fallback); }

private:
    std::optional<T> m_value;
    std::optional<ErrorInfo> m_error;
};

template<> class Result<void> : public Result<QVariant> {
public:
    Result() = default;
    Result(Result<QVariant> r)
        : Result<QVariant>(std::move(r))
    { }
};

/// The untyped form the machine produces.
using AnyResult = Result<QVariant>;

template<class T> struct FromVariant<Result<T>> {
    template<class What> static Result<T> convert(const QVariant& v, What&& what)
    {
        if (v.metaType() != QMetaType::fromType<AnyResult>()) detail::throwConversionError(v, "Result", what());
        const AnyResult& r = *static_cast<const AnyResult*>(v.constData());
        if constexpr (std::is_same_v<T, QVariant>) {
            return r;
        } else {
            if (r.is_err()) return Result<T>::err(r.error());
            if constexpr (std::is_void_v<T>)
                return Result<T>(r);
            else
                return Result<T>::ok(fromVariant<T>(*r.ok(), what));
        }
    }
};
template<class T> struct ToVariant<Result<T>> {
    static QVariant convert(Result<T>&& r)
    {
        if (r.is_err()) return QVariant::fromValue(AnyResult::err(r.error()));
        if constexpr (std::is_same_v<T, QVariant>)
            return QVariant::fromValue(std::move(r));
        else
            return QVariant::fromValue(AnyResult::ok(toVariant(T(*r.ok()))));
    }
};

} // namespace doeff

Q_DECLARE_METATYPE(doeff::AnyResult)
