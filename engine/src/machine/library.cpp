// Program libraries: registration, lookup, loading shared objects, and running their programs.

#include <doeff/library.h>

#include <QFileInfo>
#include <QLibrary>
#include <QMutex>
#include <QMutexLocker>

namespace doeff {

Program<QVariant> ProgramInfo::program() const
{
    return Program<QVariant>::fromAny(make ? make() : AnyProgram());
}

HandlerList ProgramInfo::handlerStack() const
{
    HandlerList stack = outerHandlers ? outerHandlers() : HandlerList {};
    stack.append(sync_handlers_preset());
    if (handlers) stack.append(handlers());
    return stack;
}

Env ProgramInfo::mergedEnv(const Env& overrides) const
{
    Env merged = env;
    for (auto it = overrides.cbegin(); it != overrides.cend(); ++it)
        merged.insert(it.key(), it.value());
    return merged;
}

Store ProgramInfo::mergedStore(const Store& overrides) const
{
    Store merged = store;
    for (const auto& [key, value] : overrides.entries())
        merged.insert(key, value);
    return merged;
}

bool ProgramLibrary::add(ProgramInfo info)
{
    QString problem;
    if (info.name.isEmpty())
        problem = QStringLiteral("a program has no name");
    else if (!info.make)
        problem = QStringLiteral("program '%1' has no program function").arg(info.name);
    else if (find(info.name))
        problem = QStringLiteral("program '%1' is registered twice").arg(info.name);
    if (!problem.isEmpty()) {
        m_problems.append(problem);
        return false;
    }
    m_programs.append(std::move(info));
    return true;
}

const ProgramInfo* ProgramLibrary::find(const QString& name) const
{
    for (const ProgramInfo& p : m_programs)
        if (p.name == name) return &p;
    return nullptr;
}

bool ProgramLibrary::addHandler(HandlerOffer offer)
{
    QString problem;
    if (offer.name.isEmpty())
        problem = QStringLiteral("a handler has no name");
    else if (!offer.make)
        problem = QStringLiteral("handler '%1' has no make function").arg(offer.name);
    else if (findHandler(offer.name))
        problem = QStringLiteral("handler '%1' is offered twice").arg(offer.name);
    if (!problem.isEmpty()) {
        m_problems.append(problem);
        return false;
    }
    m_handlers.append(std::move(offer));
    return true;
}

const HandlerOffer* ProgramLibrary::findHandler(const QString& name) const
{
    for (const HandlerOffer& h : m_handlers)
        if (h.name == name) return &h;
    return nullptr;
}

namespace {

/// QLibrary says `Cannot load library <file>: (<dlerror>)`; keep the loader's own words.
QString loaderMessage(const QString& errorString)
{
    QString s = errorString;
    const qsizetype colon = s.indexOf(QStringLiteral(": "));
    if (s.startsWith(QStringLiteral("Cannot load library ")) && colon >= 0) s = s.mid(colon + 2);
    if (s.startsWith(u'(') && s.endsWith(u')')) s = s.mid(1, s.size() - 2);
    return s;
}

} // namespace

const ProgramLibrary& loadProgramLibrary(const QString& path)
{
    const QFileInfo file(path);
    if (!file.exists()) throw ProgramLibraryError(path + QStringLiteral(": no such file"));
    if (file.isDir()) throw ProgramLibraryError(path + QStringLiteral(": is a directory, not a shared library"));

    // Serialised: QLibrary objects are cheap, but two threads loading the same file should see
    // one consistent outcome.
    static QMutex mutex;
    QMutexLocker lock(&mutex);
    QLibrary library(file.absoluteFilePath());
    if (!library.load())
        throw ProgramLibraryError(path + QStringLiteral(": cannot load: ") + loaderMessage(library.errorString()));
    // never unloaded: programs, handlers and effect types of the library may outlive any run

    using EntryPoint = const ProgramLibraryEntry* (*)();
    auto entryPoint = reinterpret_cast<EntryPoint>(library.resolve("doeff_program_library_v1"));
    if (!entryPoint)
        throw ProgramLibraryError(
            path + QStringLiteral(": not a doeff program library (no doeff_program_library_v1 symbol)"));
    const ProgramLibraryEntry* entry = entryPoint();
    if (!entry)
        throw ProgramLibraryError(path
                                  + QStringLiteral(": not a doeff program library (its entry point returned null)"));
    if (entry->abi != DOEFF_PROGRAM_LIBRARY_ABI)
        throw ProgramLibraryError(
            path
            + QStringLiteral(": program library ABI version %1, but this engine supports version %2 (rebuild the "
                             "library against this libdoeff)")
                  .arg(entry->abi)
                  .arg(DOEFF_PROGRAM_LIBRARY_ABI));
    if (!entry->library)
        throw ProgramLibraryError(path + QStringLiteral(": not a doeff program library (it has no library object)"));
    if (!entry->library->problems().isEmpty())
        throw ProgramLibraryError(path + QStringLiteral(": broken program library: ")
                                  + entry->library->problems().join(QStringLiteral("; ")));
    return *entry->library;
}

RuntimeResult<QVariant> runProgram(const ProgramInfo& info, const Env& env, const Store& store, RunOptions options)
{
    if (options.program_name.isEmpty()) options.program_name = info.name;
    return sync_run(info.program(), info.handlerStack(), info.mergedEnv(env), info.mergedStore(store),
                    std::move(options));
}

QCoro::Task<RuntimeResult<QVariant>> asyncRunProgram(const ProgramInfo& info, Env env, Store store, RunOptions options)
{
    // Everything taken from `info` before the first suspension: the caller's reference need not
    // outlive the run.
    if (options.program_name.isEmpty()) options.program_name = info.name;
    return async_run(info.program(), info.handlerStack(), info.mergedEnv(env), info.mergedStore(store),
                     std::move(options));
}

} // namespace doeff
