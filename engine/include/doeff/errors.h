#pragma once

#include <doeff/export.h>

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <exception>
#include <memory>
#include <source_location>

/// The engine's errors (RUNTIME.md §9). Every class derives from doeff::Error; messages are
/// single lines; each records where it was constructed.
namespace doeff {

class DOEFF_EXPORT Error : public std::exception {
public:
    explicit Error(const QString& message, std::source_location where = std::source_location::current());
    const char* what() const noexcept override { return m_what.constData(); }
    QString message() const { return QString::fromUtf8(m_what); }
    /// Where the error object was constructed.
    std::source_location where() const noexcept { return m_where; }

private:
    QByteArray m_what;
    std::source_location m_where;
};

#define DOEFF_DECLARE_ERROR(Name, Base)                                                                                \
    class DOEFF_EXPORT Name : public Base {                                                                            \
    public:                                                                                                            \
        using Base::Base;                                                                                              \
    };

/// Common base of the three key-lookup errors; key() names the key.
class DOEFF_EXPORT KeyError : public Error {
public:
    KeyError(const QString& message, const QString& key, std::source_location where = std::source_location::current());
    QString key() const { return m_key; }

private:
    QString m_key;
};

class DOEFF_EXPORT MissingEnvKeyError : public KeyError {
public:
    explicit MissingEnvKeyError(const QString& key, std::source_location where = std::source_location::current());
};
class DOEFF_EXPORT MissingStoreKeyError : public KeyError {
public:
    explicit MissingStoreKeyError(const QString& key, std::source_location where = std::source_location::current());
};
class DOEFF_EXPORT CacheMissError : public KeyError {
public:
    explicit CacheMissError(const QString& key, std::source_location where = std::source_location::current());
};

DOEFF_DECLARE_ERROR(ConversionError, Error)
DOEFF_DECLARE_ERROR(InvalidArgumentError, Error)
DOEFF_DECLARE_ERROR(OutOfRangeError, Error)
DOEFF_DECLARE_ERROR(UnhandledEffectError, Error)
DOEFF_DECLARE_ERROR(CircularAskError, Error)
DOEFF_DECLARE_ERROR(TaskCancelledError, Error)
DOEFF_DECLARE_ERROR(PromiseAlreadyCompletedError, Error)
DOEFF_DECLARE_ERROR(InvalidHandleError, Error)
DOEFF_DECLARE_ERROR(ProgramReusedError, Error)
DOEFF_DECLARE_ERROR(ContinuationError, Error)
DOEFF_DECLARE_ERROR(ResultAccessError, Error)
DOEFF_DECLARE_ERROR(ResultFileError, Error)
DOEFF_DECLARE_ERROR(InterpreterInvariantError, Error)
/// The run was ended from outside (the debugger's Stop).
DOEFF_DECLARE_ERROR(RunAbortedError, Error)

/// One deadlock (§7.8), built once: the DeadlockError of every task it blocked shares it, so
/// a deadlock of N tasks costs O(N), not N copies of an N-entry list. Each error keeps its own
/// copy of the message only, which is bounded.
struct DOEFF_EXPORT DeadlockReport {
    /// `task <id> '<name>' waits on <what>`, in blocking order: every entry.
    QStringList blocked;
    /// Tasks waiting on each other in a ring (ids; each waits on the next, the last on the first).
    QList<QList<int>> cycles;
    /// Up to this many entries the message is the spec's full list; beyond, a count, the cycles
    /// and the first entries.
    static constexpr qsizetype kListed = 10;
    /// `Deadlock: no task can make progress: …`, bounded whatever the number of tasks.
    /// `cycleTexts` describe `cycles` (the machine knows the names), already bounded.
    static QString message(const QStringList& blocked, const QStringList& cycleTexts);
    /// `task 1 'a' → task 2 'b' → task 1 'a'` for the tasks of one cycle (each waits on the
    /// next); a long cycle shows its first kCycleLineTasks tasks and a count.
    static QString cycleLine(const QStringList& tasks);
    static constexpr qsizetype kCycleLineTasks = 20;
    QString text;
    /// Every kept cycle as a cycleLine(), joined by `; ` (empty: no task waits on another in a
    /// ring — e.g. tasks waiting on promises nobody completes).
    QString cycleText;
};

/// Raised for every task left blocked with nothing able to make progress (§7.8).
class DOEFF_EXPORT DeadlockError : public Error {
public:
    explicit DeadlockError(const QStringList& blocked, std::source_location where = std::source_location::current());
    explicit DeadlockError(std::shared_ptr<const DeadlockReport> report,
                           std::source_location where = std::source_location::current());
    /// `task <id> '<name>' waits on <what>`, in blocking order.
    QStringList blocked() const { return m_report->blocked; }
    QList<QList<int>> cycles() const { return m_report->cycles; }
    /// The cycles named (DeadlockReport::cycleText); empty when there is none.
    QString cycleText() const { return m_report->cycleText; }
    /// The one report shared by every task of this deadlock.
    const std::shared_ptr<const DeadlockReport>& report() const { return m_report; }

private:
    std::shared_ptr<const DeadlockReport> m_report;
};

/// What `value()` of a loaded Err result throws: the original type name and message.
class DOEFF_EXPORT LoadedError : public Error {
public:
    LoadedError(const QString& typeName, const QString& message);
    QString type_name() const { return m_typeName; }
    QString original_message() const { return m_message; }

private:
    QString m_typeName;
    QString m_message;
};

#undef DOEFF_DECLARE_ERROR

} // namespace doeff
