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

namespace detail {
/// Shared by the copies of an Err a Safe gave a program while a debugger listens: set when any
/// of them is looked at, so the machine can tell a program that dropped the error unread.
struct ResultWatch {
    bool looked = false;
};
} // namespace detail

/// `Ok(value)` or `Err(error)` — what Safe returns. Asking it anything (is_ok, is_err, value,
/// error, ok, err, value_or) or handing it on as a value counts as looking at it: a program
/// that finishes without looking at an Err its Safe caught is reported (`discarded-safe-error`).
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

    bool is_ok() const
    {
        look();
        return m_value.has_value();
    }
    bool is_err() const
    {
        look();
        return m_error.has_value();
    }
    /// The value; rethrows the error when Err.
    const T& value() const
    {
        look();
        if (m_error) m_error->rethrow();
        return *m_value;
    }
    /// The error; throws ResultAccessError when Ok.
    const ErrorInfo& error() const
    {
        look();
        if (!m_error) throw ResultAccessError(QStringLiteral("Result is Ok, no error"));
        return *m_error;
    }
    std::optional<T> ok() const
    {
        look();
        return m_value;
    }
    std::optional<ErrorInfo> err() const
    {
        look();
        return m_error;
    }
    T value_or(T fallback) const
    {
        look();
        return m_value ? *m_value : std::move(fallback);
    }

    /// For tools (printing, debuggers, conversions): the value and the error, read without
    /// counting as the program looking at them.
    const std::optional<T>& peek_value() const noexcept { return m_value; }
    const std::optional<ErrorInfo>& peek_error() const noexcept { return m_error; }
    /// The machine's watch over this Err (null unless a debugger listens); copies share it.
    const std::shared_ptr<detail::ResultWatch>& watch() const noexcept { return m_watch; }
    void set_watch(std::shared_ptr<detail::ResultWatch> w) noexcept { m_watch = std::move(w); }

private:
    void look() const noexcept
    {
        if (m_watch) [[unlikely]]
            m_watch->looked = true;
    }

    std::optional<T> m_value;
    std::optional<ErrorInfo> m_error;
    std::shared_ptr<detail::ResultWatch> m_watch;
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
        // (not a look: this gives the machine's Err to the program, with its watch)
        const AnyResult& r = *static_cast<const AnyResult*>(v.constData());
        if constexpr (std::is_same_v<T, QVariant>) {
            return r;
        } else {
            if (r.peek_error()) {
                Result<T> out = Result<T>::err(*r.peek_error());
                out.set_watch(r.watch());
                return out;
            }
            if constexpr (std::is_void_v<T>)
                return Result<T>(r);
            else
                return Result<T>::ok(fromVariant<T>(*r.peek_value(), what));
        }
    }
};
template<class T> struct ToVariant<Result<T>> {
    static QVariant convert(Result<T>&& r)
    {
        // handing a Result on (returning it, storing it) counts as looking at it
        if (r.is_err()) return QVariant::fromValue(AnyResult::err(r.error()));
        if constexpr (std::is_same_v<T, QVariant>)
            return QVariant::fromValue(std::move(r));
        else
            return QVariant::fromValue(AnyResult::ok(toVariant(T(*r.ok()))));
    }
};

} // namespace doeff

Q_DECLARE_METATYPE(doeff::AnyResult)
