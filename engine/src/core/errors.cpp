#include <doeff/errors.h>
#include <doeff/result.h>
#include <doeff/value.h>

namespace doeff {

Error::Error(const QString& message, std::source_location where)
    : m_what(message.toUtf8())
    , m_where(where)
{ }

KeyError::KeyError(const QString& message, const QString& key, std::source_location where)
    : Error(message, where)
    , m_key(key)
{ }

MissingEnvKeyError::MissingEnvKeyError(const QString& key, std::source_location where)
    : KeyError(QStringLiteral("Environment key not found: %1 (hint: pass it in the run's env or bind it with Local)")
                   .arg(repr(key)),
               key, where)
{ }

MissingStoreKeyError::MissingStoreKeyError(const QString& key, std::source_location where)
    : KeyError(QStringLiteral("Store key not found: %1").arg(repr(key)), key, where)
{ }

CacheMissError::CacheMissError(const QString& key, std::source_location where)
    : KeyError(QStringLiteral("Cache key not found: %1").arg(repr(key)), key, where)
{ }

DeadlockError::DeadlockError(const QStringList& blocked, std::source_location where)
    : Error(QStringLiteral("Deadlock: no task can make progress: ") + blocked.join(QStringLiteral("; ")), where)
    , m_blocked(blocked)
{ }

LoadedError::LoadedError(const QString& typeName, const QString& message)
    : Error(typeName + QStringLiteral(": ") + message)
    , m_typeName(typeName)
    , m_message(message)
{ }

ErrorInfo::ErrorInfo(std::exception_ptr error)
    : m_error(std::move(error))
    , m_type(exceptionTypeName(m_error))
    , m_message(exceptionMessage(m_error))
{ }

ErrorInfo ErrorInfo::fromText(const QString& typeName, const QString& message)
{
    return ErrorInfo(std::make_exception_ptr(LoadedError(typeName, message)));
}

void ErrorInfo::rethrow() const
{
    if (!m_error) throw InterpreterInvariantError(QStringLiteral("rethrow() of an empty ErrorInfo"));
    std::rethrow_exception(m_error);
}

ErrorInfo ErrorInfo::root_cause() const
{
    if (!m_error) return {};
    std::exception_ptr root = rootCause(m_error);
    return root == m_error ? *this : ErrorInfo(root);
}

} // namespace doeff
