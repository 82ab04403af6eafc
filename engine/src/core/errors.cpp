#include <doeff/errors.h>
#include <doeff/result.h>
#include <doeff/value.h>

#include <algorithm>

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

QString DeadlockReport::message(const QStringList& blocked, const QStringList& cycleTexts)
{
    QString s = QStringLiteral("Deadlock: no task can make progress: ");
    if (blocked.size() <= kListed) return s + blocked.join(QStringLiteral("; "));
    s += QStringLiteral("%1 tasks blocked").arg(blocked.size());
    for (const QString& c : cycleTexts)
        s += QStringLiteral("; ") + c;
    // an entry can list every item of a Gather: cut it so the message stays bounded
    constexpr qsizetype kEntryChars = 200;
    for (qsizetype i = 0; i < kListed; ++i) {
        const QString& e = blocked.at(i);
        s += QStringLiteral("; ") + (e.size() > kEntryChars ? e.left(kEntryChars) + QStringLiteral("...") : e);
    }
    s += QStringLiteral("; ... and %1 more").arg(blocked.size() - kListed);
    return s;
}

QString DeadlockReport::cycleLine(const QStringList& tasks)
{
    if (tasks.isEmpty()) return {};
    const QString arrow = QStringLiteral(" \u2192 ");
    QString s;
    for (qsizetype i = 0; i < std::min(tasks.size(), kCycleLineTasks); ++i)
        s += tasks.at(i) + arrow;
    if (tasks.size() > kCycleLineTasks) s += QStringLiteral("\u2026 (%1 tasks in all)").arg(tasks.size()) + arrow;
    return s + tasks.first();
}

namespace {
std::shared_ptr<const DeadlockReport> reportOf(const QStringList& blocked)
{
    auto r = std::make_shared<DeadlockReport>();
    r->blocked = blocked;
    r->text = DeadlockReport::message(blocked, {});
    return r;
}
} // namespace

DeadlockError::DeadlockError(const QStringList& blocked, std::source_location where)
    : DeadlockError(reportOf(blocked), where)
{ }

DeadlockError::DeadlockError(std::shared_ptr<const DeadlockReport> report, std::source_location where)
    : Error(report->text, where)
    , m_report(std::move(report))
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
