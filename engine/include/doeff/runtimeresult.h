#pragma once

#include <doeff/convert.h>
#include <doeff/export.h>
#include <doeff/handler.h>
#include <doeff/result.h>
#include <doeff/store.h>

#include <QIODevice>
#include <QList>
#include <QString>

#include <functional>
#include <memory>

/// What a run returns (RUNTIME.md §10): value or error, final store and env, K at the failing
/// point, the effect call tree, the source stack, unobserved task failures, and text formats.
namespace doeff {

/// K at the failing point, top first.
struct DOEFF_EXPORT KStackTrace {
    QList<FrameInfo> frames;
    bool isEmpty() const { return frames.isEmpty(); }
    /// `Continuation Stack (K):` with one `  [i] Kind - description` line per frame.
    QString format() const;
    /// `[ProgramFrame, HandlerFrame, …]`.
    QString kinds() const;
};

/// The propagation chain of the run's error: program activations, outermost first.
struct DOEFF_EXPORT SourceStackTrace {
    struct Entry {
        QString file;
        int line = 0;
        QString function;
        QString code; ///< the source line's text, trimmed, when readable
        int task = 0;
        QString taskName;
        QString handler; ///< for activations of handler programs
    };
    QList<Entry> entries;
    bool isEmpty() const { return entries.isEmpty(); }
    QString format() const;
    /// The last `n` entries formatted without the title (the condensed result's excerpt).
    QString formatTail(int n) const;
};

/// The effect call tree (§10.3).
struct DOEFF_EXPORT EffectStackTrace {
    struct Node {
        QString display; ///< `main_flow()`, `Get('k')`, `worker() [task 1]`, `tens (handler)`
        bool isEffect = false;
        int count = 1; ///< merged identical consecutive leaves
        bool error = false;
        bool rethrown = false;
        int more = 0; ///< finished children beyond the recording limit
        QList<Node> children;
    };
    bool captured = false;
    Node root;
    QString format() const;
    /// The chain of displays from the root towards the error site (or the last leaf).
    QString effectPath() const;
};

struct UnobservedFailure {
    int task = 0;
    QString name;
    ErrorInfo error;
};

/// The failing task at the failing point.
struct ErrorContext {
    int task = 0;
    QString taskName;
    Env env;
    QStringList storeKeys;
    /// The failing task's store at the failing point (its keys are storeKeys). Empty in result
    /// files written before it was saved.
    Store store;
};

namespace detail {
/// Everything a finished (or loaded) run knows. Shared by copies of the result.
struct DOEFF_EXPORT ResultData {
    /// The name the run was started under: a library program's registered name (`counter`),
    /// else the main program's function. Empty in result files written before it was saved.
    QString program;
    bool ok = false;
    QVariant value;
    ErrorInfo error;
    ErrorInfo rootCause;
    Store store;
    Env env;
    KStackTrace k;
    EffectStackTrace tree;
    SourceStackTrace source;
    QList<UnobservedFailure> unobserved;
    ErrorContext errorContext;
    /// A deadlock's wait-for cycles (DeadlockError::cycleText()); empty for any other result.
    QString waitCycle;
    QString format(bool verbose) const;
};
} // namespace detail

/// Untyped accessors shared by RuntimeResult<T> and SavedResult.
class DOEFF_EXPORT RuntimeResultBase {
public:
    /// An empty placeholder (what a coroutine's return slot holds before the run ends).
    RuntimeResultBase();
    explicit RuntimeResultBase(std::shared_ptr<const detail::ResultData> data);
    /// The program the run was started as (RunOptions::program_name, else the main program's
    /// function name); empty for a result file that does not record it.
    const QString& program() const { return m_data->program; }
    bool is_ok() const { return m_data->ok; }
    bool is_err() const { return !m_data->ok; }
    /// The error; throws ResultAccessError on Ok.
    const ErrorInfo& error() const;
    const Store& raw_store() const { return m_data->store; }
    const Env& env() const { return m_data->env; }
    const KStackTrace& k_stack() const { return m_data->k; }
    const EffectStackTrace& effect_stack() const { return m_data->tree; }
    const SourceStackTrace& source_stack() const { return m_data->source; }
    const QList<UnobservedFailure>& unobserved_failures() const { return m_data->unobserved; }
    const ErrorContext& error_context() const { return m_data->errorContext; }
    /// The tasks a deadlock left waiting on each other in a ring, named (empty otherwise).
    const QString& wait_cycle() const { return m_data->waitCycle; }
    /// The run's value as a QVariant; rethrows the error on Err.
    QVariant anyValue() const;
    QString format(bool verbose = false) const { return m_data->format(verbose); }

    /// Writes the CBOR result document (§10.5). Returns false and sets `errorString` on I/O failure.
    bool save(QIODevice& device, QString* errorString = nullptr) const;
    bool save(const QString& path, QString* errorString = nullptr) const;

    const std::shared_ptr<const detail::ResultData>& data() const { return m_data; }

protected:
    std::shared_ptr<const detail::ResultData> m_data;
};

template<class T> class RuntimeResult : public RuntimeResultBase {
public:
    using RuntimeResultBase::RuntimeResultBase;
    /// The value; on Err rethrows the stored exception object itself.
    T value() const
    {
        if (is_err()) m_data->error.rethrow();
        if constexpr (std::is_void_v<T>)
            return;
        else
            return fromVariant<T>(m_data->value, [] { return QStringLiteral("RuntimeResult::value()"); });
    }
    Result<T> result() const
    {
        if (is_err()) return Result<T>::err(m_data->error);
        if constexpr (std::is_void_v<T>)
            return Result<T>(AnyResult::ok(QVariant()));
        else
            return Result<T>::ok(value());
    }
};

/// A result read back from a file: the same accessors; value() on Err throws LoadedError.
class DOEFF_EXPORT SavedResult : public RuntimeResultBase {
public:
    using RuntimeResultBase::RuntimeResultBase;
    QVariant value() const;
};

/// Reads a result saved with save(). Throws ResultFileError (`<path>: <what is wrong>`).
DOEFF_EXPORT SavedResult load_result(const QString& path);
DOEFF_EXPORT SavedResult load_result(QIODevice& device, const QString& name);

/// Empty when `path` is a regular file (or a symlink to one) or does not exist; otherwise
/// `<path>: not a regular file (a FIFO)` (a directory, a character device, …). Loaders and
/// writers check this before opening: a FIFO would block the open, a device never ends.
DOEFF_EXPORT QString notARegularFile(const QString& path);

/// Writes `path` atomically: `write` fills a temporary file in the same directory, which
/// replaces `path` only once every byte was written, flushed and synced. On failure returns
/// false with `<path>: <reason>` in `errorString`; an existing file is left as it was. Targets
/// that are not regular files are refused (they cannot be replaced atomically). `write`
/// returns false with a reason to abandon the file.
DOEFF_EXPORT bool writeFileAtomically(const QString& path,
                                      const std::function<bool(QIODevice& out, QString& reason)>& write,
                                      QString* errorString);

} // namespace doeff
