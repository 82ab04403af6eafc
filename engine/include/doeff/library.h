#pragma once

#include <doeff/errors.h>
#include <doeff/export.h>
#include <doeff/handler.h>
#include <doeff/program.h>
#include <doeff/run.h>
#include <doeff/runtimeresult.h>
#include <doeff/store.h>

#include <QList>
#include <QString>
#include <QStringList>

#include <qcoro/qcorotask.h>

#include <functional>

/// Program libraries: named, runnable programs that `doeff-run` and the Studio list and start.
///
/// A program library is a shared object. Each program is registered once, at namespace scope,
/// in any source file compiled into that shared object; one source file exports the library:
///
///     #include <doeff/library.h>
///     using namespace Qt::StringLiterals;
///
///     doeff::Program<int> counter_main() { … }
///
///     DOEFF_PROGRAM(counter, "Counts with Get/Put", counter_main,
///                   .store = {{u"counter"_s, 0}});
///     DOEFF_PROGRAM(greet, "Greets whoever the env names", greet_main,
///                   .env = {{u"name"_s, u"World"_s}},
///                   .handlers = [] { return doeff::HandlerList{my_handler()}; });
///
///     DOEFF_HANDLER(quiet, "Answers every Tell silently", quiet_handler);  // for what-ifs
///
///     DOEFF_PROGRAM_LIBRARY()   // once per shared object
///
/// `doeff-run --library libmine.so counter` (or `doeff::loadProgramLibrary(path)`) then finds it.
/// Compile the registering sources into the SHARED library target itself: objects pulled from a
/// static archive that nothing references are dropped by the linker, and so are their programs.

/// Bumped whenever ProgramInfo (its RunOptions included), ProgramLibrary or ProgramLibraryEntry
/// change layout, or the layout programs compile into (a program's promise, the effect structs,
/// a handler's HandlerResult, Safe's Result).
/// A library built against another ABI version is rejected by loadProgramLibrary().
#define DOEFF_PROGRAM_LIBRARY_ABI 6

namespace doeff {

/// One runnable program of a library: how to build it and what it needs by default.
struct ProgramInfo {
    // (every member has an initializer: g++ 12 warns about members a designated initializer omits)
    /// Unique within its library: `counter`, `parallel_work`.
    QString name {};
    /// One line for `doeff-run --list` and the Studio.
    QString description {};
    /// Builds a fresh activation (a program is one-shot: every run calls this again).
    std::function<AnyProgram()> make {};
    /// Default environment; a run's own entries win key by key.
    Env env {};
    /// Default initial store; a run's own entries win key by key.
    Store store {};
    /// Extra handlers, appended innermost after the preset (so they see every effect first).
    /// Called once per run, so handlers holding state start fresh. Empty: the preset alone.
    std::function<HandlerList()> handlers {};
    /// The run options the program is meant for (e.g. a simulated clock); callers may override.
    RunOptions options {};
    /// Extra handlers, prepended outermost before the preset (`[my_handler, *preset]`). Called once
    /// per run, like `handlers`. Empty: none.
    std::function<HandlerList()> outerHandlers {};
    /// The heading the program is listed under (`doeff-run --list`, the Studio's Examples menu);
    /// programs of one group are listed together, groups in order of first appearance. Empty: none.
    QString group {};

    /// A fresh activation of the program.
    DOEFF_EXPORT Program<QVariant> program() const;
    /// The handler stack, outermost first: `outerHandlers()`, the preset, then `handlers()`.
    DOEFF_EXPORT HandlerList handlerStack() const;
    /// `env` with `overrides` merged over it (overrides win).
    DOEFF_EXPORT Env mergedEnv(const Env& overrides) const;
    /// `store` with `overrides` merged over it: default keys keep their order, new keys follow.
    DOEFF_EXPORT Store mergedStore(const Store& overrides) const;
};

/// A handler a library offers by name, beyond the ones its programs install: what a what-if
/// (docs/replay.md) may add to a run or swap in for one of its handlers.
struct HandlerOffer {
    /// Unique among the library's handlers: `safe_division`.
    QString name {};
    /// One line for `doeff-run --list` and the Studio's what-if dialog.
    QString description {};
    /// Makes a fresh handler (one with state starts anew).
    std::function<Handler()> make {};
};

/// The programs of one library, in registration order, and the handlers it offers.
class DOEFF_EXPORT ProgramLibrary {
public:
    /// Adds a program. A program without a name or a `make` function, or whose name is taken,
    /// is not added; the reason is kept in problems() and the call returns false.
    bool add(ProgramInfo info);
    /// The program called `name`, or nullptr.
    const ProgramInfo* find(const QString& name) const;
    const QList<ProgramInfo>& programs() const { return m_programs; }
    /// Offers a handler. One without a name or a `make` function, or whose name is taken, is not
    /// added; the reason is kept in problems() and the call returns false.
    bool addHandler(HandlerOffer offer);
    /// The handler offered as `name`, or nullptr.
    const HandlerOffer* findHandler(const QString& name) const;
    const QList<HandlerOffer>& handlers() const { return m_handlers; }
    /// Registration mistakes (duplicate or empty names). loadProgramLibrary() rejects a library
    /// that has any.
    const QStringList& problems() const { return m_problems; }

private:
    QList<ProgramInfo> m_programs;
    QList<HandlerOffer> m_handlers;
    QStringList m_problems;
};

/// What a library's entry point `doeff_program_library_v1()` returns. `abi` comes first so that
/// a library of any other layout can still be recognised and rejected.
struct ProgramLibraryEntry {
    int abi; ///< DOEFF_PROGRAM_LIBRARY_ABI the library was built with
    const ProgramLibrary* library; // not owned; lives as long as the loaded library
};

/// A program library could not be loaded: the message names the file and what is wrong
/// (`<path>: no such file`, `<path>: cannot load: <loader message>`,
/// `<path>: not a doeff program library (no doeff_program_library_v1 symbol)`, ABI mismatch,
/// registration problems).
class DOEFF_EXPORT ProgramLibraryError : public Error {
public:
    using Error::Error;
};

/// Opens the shared object at `path` (QLibrary), resolves `doeff_program_library_v1` and returns
/// its library. Libraries are never unloaded, so the reference stays valid for the process's
/// lifetime; loading the same file twice returns the same library. Throws ProgramLibraryError.
DOEFF_EXPORT const ProgramLibrary& loadProgramLibrary(const QString& path);

/// Runs `info` with sync_run: a fresh activation, `info.handlerStack()`, `info.env` and
/// `info.store` with `env` / `store` merged over them, and `options`.
DOEFF_EXPORT RuntimeResult<QVariant> runProgram(const ProgramInfo& info, const Env& env, const Store& store,
                                                RunOptions options);
/// The same with the program's own options (`info.options`).
inline RuntimeResult<QVariant> runProgram(const ProgramInfo& info, const Env& env = {}, const Store& store = {})
{
    return runProgram(info, env, store, info.options);
}

/// Runs `info` with async_run (on the calling thread's event loop); otherwise as runProgram().
DOEFF_EXPORT QCoro::Task<RuntimeResult<QVariant>> asyncRunProgram(const ProgramInfo& info, Env env, Store store,
                                                                  RunOptions options);
inline QCoro::Task<RuntimeResult<QVariant>> asyncRunProgram(const ProgramInfo& info, Env env = {}, Store store = {})
{
    return asyncRunProgram(info, std::move(env), std::move(store), info.options);
}

namespace detail {
/// The library of the shared object this code is linked into. Hidden: every shared object has
/// its own, defined by its DOEFF_PROGRAM_LIBRARY() (a library that registers programs but lacks
/// it fails to link with "hidden symbol … is not defined").
__attribute__((visibility("hidden"))) ProgramLibrary& thisProgramLibrary();

/// Hidden like thisProgramLibrary(): an inline constructor of default visibility would be
/// interposed across shared objects, and every library would register into the first one loaded.
struct __attribute__((visibility("hidden"))) ProgramRegistrar {
    explicit ProgramRegistrar(ProgramInfo info) { thisProgramLibrary().add(std::move(info)); }
};
struct __attribute__((visibility("hidden"))) HandlerRegistrar {
    explicit HandlerRegistrar(HandlerOffer offer) { thisProgramLibrary().addHandler(std::move(offer)); }
};
} // namespace detail

} // namespace doeff

/// Registers a program in this shared object's library:
/// `DOEFF_PROGRAM(id, "description", program_fn, .env = …, .store = …, .handlers = …, .options = …)`.
/// `id` is the program's name (an identifier), the description a string literal, `program_fn` a function (or a
/// parenthesised lambda) taking no arguments and returning a `Program<T>` or an effect. The optional rest are
/// designated initializers of ProgramInfo, in declaration order: `.env`, `.store`, `.handlers`,
/// `.options`. Use at namespace scope, once per program.
// clang-format off
#define DOEFF_PROGRAM(doeff_id, doeff_description, doeff_program_fn, ...)                                              \
    [[maybe_unused]] static const ::doeff::detail::ProgramRegistrar doeff_program_registrar_##doeff_id{                \
        ::doeff::ProgramInfo{                                                                                          \
            .name = QStringLiteral(#doeff_id),                                                                         \
            .description = QStringLiteral(doeff_description),                                                          \
            .make = []() -> ::doeff::AnyProgram { return ::doeff::AnyProgram((doeff_program_fn)()); }                  \
            __VA_OPT__(, ) __VA_ARGS__}}

/// Offers a handler in this shared object's library: `DOEFF_HANDLER(id, "description", make_fn)`,
/// `make_fn` a function taking no arguments and returning a Handler. `id` is the name a what-if
/// refers to it by (the handler's own name may differ). Use at namespace scope, once per handler.
#define DOEFF_HANDLER(doeff_id, doeff_description, doeff_make_fn)                                                      \
    [[maybe_unused]] static const ::doeff::detail::HandlerRegistrar doeff_handler_registrar_##doeff_id{                \
        ::doeff::HandlerOffer{.name = QStringLiteral(#doeff_id),                                                       \
                              .description = QStringLiteral(doeff_description),                                        \
                              .make = []() -> ::doeff::Handler { return (doeff_make_fn)(); }}}

/// Defines this shared object's library and exports its entry point
/// `extern "C" const doeff::ProgramLibraryEntry* doeff_program_library_v1()`. Once per library.
#define DOEFF_PROGRAM_LIBRARY()                                                                                        \
    __attribute__((visibility("hidden"))) ::doeff::ProgramLibrary& doeff::detail::thisProgramLibrary()                 \
    {                                                                                                                  \
        static ::doeff::ProgramLibrary library;                                                                        \
        return library;                                                                                                \
    }                                                                                                                  \
    extern "C" __attribute__((visibility("default"))) const ::doeff::ProgramLibraryEntry* doeff_program_library_v1();  \
    extern "C" __attribute__((visibility("default"))) const ::doeff::ProgramLibraryEntry* doeff_program_library_v1()   \
    {                                                                                                                  \
        static const ::doeff::ProgramLibraryEntry entry{DOEFF_PROGRAM_LIBRARY_ABI,                                     \
                                                        &::doeff::detail::thisProgramLibrary()};                       \
        return &entry;                                                                                                 \
    }
// clang-format on
