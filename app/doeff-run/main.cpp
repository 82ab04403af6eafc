// doeff-run: the Studio's headless sibling. Lists and runs programs of the built-in example
// library or of a program library given with --library, prints the RuntimeResult, saves it, and
// prints saved results. Exit status: 0 Ok, 1 Err, 2 usage or file error, 3 a replay that parted
// from its recording, 130/143 stopped by SIGINT/SIGTERM (the trace is still finished).

#include "assignment.h"
#include "debugger.h"
#include "explain.h"
#include "lint.h"
#include "why.h"

#include <doeff/inspector.h>
#include <doeff/library.h>
#include <doeff/replay.h>
#include <doeff/runtimeresult.h>
#include <doeff/trace.h>
#include <doeff_examples.h>

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTextStream>

#include <qcoro/qcorotask.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <optional>

using namespace Qt::StringLiterals;

namespace {

enum ExitStatus { ExitOk = 0, ExitErr = 1, ExitUsage = 2, ExitDiverged = 3 };

/// A usage or file error: printed as `doeff-run: <message>` on stderr, exit status 2.
struct UsageError {
    QString message;
};

QTextStream& out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream& err()
{
    static QTextStream s(stderr);
    return s;
}

/// The signal that asked the run to stop (SIGINT, SIGTERM), 0 while none did. Set by the
/// handler, read by interruptReason() on the machine's thread.
std::atomic<int> interruptSignal { 0 };
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

extern "C" void onInterrupt(int signal)
{
    // a second signal while the first is being handled ends the process the default way
    if (interruptSignal.exchange(signal) != 0) {
        std::signal(signal, SIG_DFL);
        std::raise(signal);
    }
}

/// RunOptions::interrupt: ends the run between two turns after SIGINT/SIGTERM, without
/// observing it: the runner returns Err(RunAbortedError: interrupted by SIGINT) and the trace
/// recorder finishes its file. A program looping in C++ without effects is not reached (a
/// second signal ends the process).
QString interruptReason()
{
    const int signal = interruptSignal.load(std::memory_order_relaxed);
    if (!signal) return {};
    return u"interrupted by %1"_s.arg(signal == SIGINT ? u"SIGINT"_s : u"SIGTERM"_s);
}

/// Where `path` leads (symlinks and `..` resolved), for files that may not exist yet.
QString canonicalTarget(const QString& path)
{
    const QFileInfo info(path);
    if (info.exists()) return info.canonicalFilePath();
    const QString dir = QFileInfo(info.absolutePath()).canonicalFilePath();
    return dir.isEmpty() ? info.absoluteFilePath() : dir + u'/' + info.fileName();
}

struct Request {
    QString name;
    QStringList libraries;
    bool list = false;
    bool verbose = false;
    bool async = false;
    std::optional<doeff::Clock> clock;
    doeff::Env env;
    doeff::Store store;
    QString saveTo;
    QString openResult;
    QString traceTo;
    QString inputsTo; ///< --record-inputs FILE: the input log
    QString exportJson;
    QString exportPerfetto;
    QString inspectTrace;
    std::optional<quint64> at;
    QString inspect; ///< --inspect NAME: the debugger's socket
    bool debug = false; ///< --debug: the terminal debugger
    std::shared_ptr<doeff::Replay> replay; ///< --replay FILE: the recording to run again
    /// --what-if-handler STEP=CHANGE, resolved against the libraries once they are loaded:
    /// the handler to swap or remove (empty: add) and the offered one to swap in or add
    /// (empty: remove)
    std::optional<quint64> handlerStep;
    QString handlerOld;
    QString handlerNew;
};

Request parseRequest(QCommandLineParser& parser, const QCommandLineOption& listOpt, const QCommandLineOption& libOpt,
                     const QCommandLineOption& formatOpt, const QCommandLineOption& envOpt,
                     const QCommandLineOption& storeOpt, const QCommandLineOption& runnerOpt,
                     const QCommandLineOption& clockOpt, const QCommandLineOption& saveOpt,
                     const QCommandLineOption& openOpt, const QList<QCommandLineOption>& traceOpts,
                     const QCommandLineOption& inspectOpt, const QCommandLineOption& debugOpt,
                     const QCommandLineOption& replayOpt, const QCommandLineOption& whatIfOpt,
                     const QCommandLineOption& whatIfRunOpt, const QCommandLineOption& whatIfHandlerOpt)
{
    Request r;
    r.inspect = parser.value(inspectOpt);
    r.debug = parser.isSet(debugOpt);
    r.traceTo = parser.value(traceOpts[0]);
    r.inputsTo = parser.value(traceOpts[5]);
    r.exportJson = parser.value(traceOpts[1]);
    r.exportPerfetto = parser.value(traceOpts[2]);
    r.inspectTrace = parser.value(traceOpts[3]);
    if (parser.isSet(traceOpts[4])) {
        bool ok = false;
        const quint64 step = parser.value(traceOpts[4]).toULongLong(&ok);
        if (!ok) throw UsageError { u"--at expects a step number, got '%1'"_s.arg(parser.value(traceOpts[4])) };
        r.at = step;
    }
    r.list = parser.isSet(listOpt);
    r.libraries = parser.values(libOpt);
    r.saveTo = parser.value(saveOpt);
    r.openResult = parser.value(openOpt);

    const QString format = parser.value(formatOpt);
    if (format == u"verbose"_s)
        r.verbose = true;
    else if (format != u"condensed"_s)
        throw UsageError { u"unknown format '%1' (use condensed or verbose)"_s.arg(format) };

    const QString runner = parser.value(runnerOpt);
    if (runner == u"async"_s)
        r.async = true;
    else if (runner != u"sync"_s)
        throw UsageError { u"unknown runner '%1' (use sync or async)"_s.arg(runner) };

    if (parser.isSet(clockOpt)) {
        const QString clock = parser.value(clockOpt);
        if (clock == u"real"_s)
            r.clock = doeff::Clock::Real;
        else if (clock == u"simulated"_s)
            r.clock = doeff::Clock::Simulated;
        else
            throw UsageError { u"unknown clock '%1' (use real or simulated)"_s.arg(clock) };
    }

    for (const QString& a : parser.values(envOpt)) {
        const doeff::run::Assignment env = doeff::run::parseAssignment(u"env"_s, a);
        if (!env.ok()) throw UsageError { env.error };
        r.env.insert(env.key, env.value);
    }
    for (const QString& a : parser.values(storeOpt)) {
        const doeff::run::Assignment store = doeff::run::parseAssignment(u"store"_s, a);
        if (!store.ok()) throw UsageError { store.error };
        r.store.insert(store.key, store.value);
    }

    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1)
        throw UsageError {
            u"expected one program name, got %1: %2"_s.arg(positional.size()).arg(positional.join(u" "_s))
        };
    r.name = positional.value(0);
    if (parser.isSet(replayOpt)) {
        // the recording names the program and what it started with
        if (!r.name.isEmpty())
            throw UsageError { u"--replay runs the recording's own program: give no program name (got '%1')"_s.arg(
                r.name) };
        if (!r.env.isEmpty() || !r.store.isEmpty())
            throw UsageError { u"--replay starts from the recording's env and store: --env and --store cannot be "
                               "given"_s };
        QString error;
        r.replay = doeff::Replay::open(parser.value(replayOpt), &error);
        if (!r.replay) throw UsageError { error };
        r.name = r.replay->program();
        r.env = r.replay->env();
        r.store = r.replay->store();
        if (!parser.isSet(runnerOpt)) r.async = r.replay->runner() == u"async"_s;
        if (!parser.isSet(clockOpt))
            r.clock = r.replay->simulatedClock() ? doeff::Clock::Simulated : doeff::Clock::Real;
        if (int(parser.isSet(whatIfOpt)) + int(parser.isSet(whatIfRunOpt)) + int(parser.isSet(whatIfHandlerOpt)) > 1)
            throw UsageError { u"one what-if at a time: --what-if, --what-if-run or --what-if-handler"_s };
        if (parser.isSet(whatIfHandlerOpt)) {
            // STEP=OLD=NEW (swap), STEP=-OLD (remove), STEP=+NEW (add)
            const QString spec = parser.value(whatIfHandlerOpt);
            const qsizetype eq = spec.indexOf(u'=');
            bool stepOk = false;
            const quint64 step = eq > 0 ? spec.left(eq).toULongLong(&stepOk) : 0;
            const QString change = eq > 0 ? spec.mid(eq + 1) : QString();
            const qsizetype swap = change.indexOf(u'=');
            if (change.startsWith(u'-')) {
                r.handlerOld = change.mid(1);
            } else if (change.startsWith(u'+')) {
                r.handlerNew = change.mid(1);
            } else if (swap > 0) {
                r.handlerOld = change.left(swap);
                r.handlerNew = change.mid(swap + 1);
            }
            if (!stepOk || (r.handlerOld.isEmpty() && r.handlerNew.isEmpty()) || r.handlerOld.contains(u'=')
                || r.handlerNew.contains(u'='))
                throw UsageError { u"--what-if-handler expects STEP=OLD=NEW (swap), STEP=-OLD (remove) or STEP=+NEW "
                                   "(add), got '%1'"_s.arg(spec) };
            r.handlerStep = step;
        }
        for (const QCommandLineOption* o : { &whatIfOpt, &whatIfRunOpt }) {
            if (!parser.isSet(*o)) continue;
            const bool result = o == &whatIfOpt;
            const QString name = result ? u"what-if"_s : u"what-if-run"_s;
            // STEP=JSON (the value the effect at STEP resumes with) or STEP=TASK
            const doeff::run::Assignment a = doeff::run::parseAssignment(name, parser.value(*o));
            if (!a.ok()) throw UsageError { a.error };
            bool stepOk = false;
            const quint64 step = a.key.toULongLong(&stepOk);
            if (!stepOk)
                throw UsageError { u"--%1 expects STEP=%2, and '%3' is not a step number"_s.arg(
                    name, result ? u"JSON"_s : u"TASK"_s, a.key) };
            doeff::WhatIf w;
            w.step = step;
            if (result) {
                w.kind = doeff::WhatIf::Kind::Result;
                w.value = a.value;
                w.task = -1; // whichever task yielded an effect at that step
            } else {
                bool taskOk = false;
                w.kind = doeff::WhatIf::Kind::Schedule;
                w.task = a.value.toInt(&taskOk);
                if (!taskOk || a.value.metaType().id() == QMetaType::QString)
                    throw UsageError { u"--what-if-run expects STEP=TASK, a task id"_s };
            }
            r.replay->setWhatIf(w);
        }
    } else if (parser.isSet(whatIfOpt) || parser.isSet(whatIfRunOpt) || parser.isSet(whatIfHandlerOpt)) {
        throw UsageError { u"--what-if, --what-if-run and --what-if-handler need --replay: a what-if changes a "
                           "recorded run"_s };
    }

    const bool running = !r.name.isEmpty();
    if (!r.inspectTrace.isEmpty() && (running || r.list || !r.openResult.isEmpty()))
        throw UsageError { u"--inspect-trace cannot be combined with a program name, --list or --open-result"_s };
    const bool explain = parser.isSet(u"explain"_s) || parser.isSet(u"lint"_s);
    if (explain && (running || r.list || !r.openResult.isEmpty() || !r.inspectTrace.isEmpty()))
        throw UsageError {
            u"--explain and --lint cannot be combined with a program name, --list, --open-result or --inspect-trace"_s
        };
    if (r.at && r.inspectTrace.isEmpty() && !explain) throw UsageError { u"--at needs --inspect-trace or --explain"_s };
    if (!running && r.inspectTrace.isEmpty() && (!r.exportJson.isEmpty() || !r.exportPerfetto.isEmpty()))
        throw UsageError { u"--export-json and --export-perfetto need a program to run or --inspect-trace"_s };
    if (!running && !r.traceTo.isEmpty()) throw UsageError { u"--trace needs a program to run"_s };
    if (!running && !r.inputsTo.isEmpty()) throw UsageError { u"--record-inputs needs a program to run"_s };
    // two outputs naming one file would overwrite each other (or the trace being read)
    const std::pair<QString, QString> files[] = { { u"--trace"_s, r.traceTo },
                                                  { u"--record-inputs"_s, r.inputsTo },
                                                  { u"--save-result"_s, r.saveTo },
                                                  { u"--export-json"_s, r.exportJson },
                                                  { u"--export-perfetto"_s, r.exportPerfetto },
                                                  { u"--inspect-trace"_s, r.inspectTrace },
                                                  { u"--replay"_s, r.replay ? r.replay->fileName() : QString() } };
    for (size_t i = 0; i < std::size(files); ++i)
        for (size_t j = i + 1; j < std::size(files); ++j)
            if (!files[i].second.isEmpty() && !files[j].second.isEmpty()
                && canonicalTarget(files[i].second) == canonicalTarget(files[j].second))
                throw UsageError { u"%1 and %2 name the same file (%3)"_s.arg(files[i].first, files[j].first,
                                                                              files[j].second) };
    if (!r.inspectTrace.isEmpty()) return r;
    if (!r.openResult.isEmpty() && (running || r.list))
        throw UsageError { u"--open-result cannot be combined with a program name or --list"_s };
    if (r.list && running) throw UsageError { u"--list takes no program name"_s };
    if (!running && !r.list && r.openResult.isEmpty() && !explain)
        throw UsageError { u"no program given (doeff-run --list shows the programs, --help the options)"_s };
    if (!running && !r.saveTo.isEmpty()) throw UsageError { u"--save-result needs a program to run"_s };
    if (!running && (r.debug || !r.inspect.isEmpty()))
        throw UsageError { u"--debug and --inspect need a program to run"_s };
    if (r.debug && !r.inspect.isEmpty()) throw UsageError { u"--debug cannot be combined with --inspect"_s };
    return r;
}

struct Source {
    QString title;
    const doeff::ProgramLibrary* library; // not owned; loaded libraries are never unloaded
};

QList<Source> sources(const Request& r)
{
    QList<Source> list;
    for (const QString& path : r.libraries) {
        try {
            list.append({ u"Programs in %1:"_s.arg(path), &doeff::loadProgramLibrary(path) });
        } catch (const doeff::ProgramLibraryError& e) {
            throw UsageError { e.message() };
        }
    }
    // loading the built-in library's own file (--library …/libdoeff-examples.so) gives the same
    // object: list it once
    const doeff::ProgramLibrary* builtIn = &examples::library();
    if (std::none_of(list.cbegin(), list.cend(), [builtIn](const Source& s) { return s.library == builtIn; }))
        list.append({ u"Built-in programs:"_s, builtIn });
    return list;
}

int listPrograms(const QList<Source>& all)
{
    bool first = true;
    for (const Source& s : all) {
        if (!first) out() << '\n';
        first = false;
        out() << s.title << '\n';
        int width = 0;
        QStringList groups; // in order of first appearance; headings end with ':'
        for (const doeff::ProgramInfo& p : s.library->programs()) {
            width = std::max(width, int(p.name.size()));
            if (!groups.contains(p.group)) groups.append(p.group);
        }
        for (const QString& group : groups) {
            const bool heading = !group.isEmpty() && (groups.size() > 1 || s.library->programs().size() > 1);
            if (heading) out() << (group == groups.first() ? "" : "\n") << "  " << group << ":\n";
            for (const doeff::ProgramInfo& p : s.library->programs())
                if (p.group == group)
                    out() << (heading ? "    " : "  ") << p.name.leftJustified(width) << "  " << p.description << '\n';
        }
        if (s.library->programs().isEmpty()) out() << "  (none)\n";
        if (!s.library->handlers().isEmpty()) {
            out() << "\n  Handlers offered (for --what-if-handler):\n";
            int handlerWidth = 0;
            for (const doeff::HandlerOffer& h : s.library->handlers())
                handlerWidth = std::max(handlerWidth, int(h.name.size()));
            for (const doeff::HandlerOffer& h : s.library->handlers())
                out() << "    " << h.name.leftJustified(handlerWidth) << "  " << h.description << '\n';
        }
    }
    out().flush();
    return ExitOk;
}

const doeff::ProgramInfo& findProgram(const QList<Source>& all, const QString& name)
{
    for (const Source& s : all)
        if (const doeff::ProgramInfo* p = s.library->find(name)) return *p;
    throw UsageError { u"unknown program '%1' (doeff-run --list shows the programs)"_s.arg(name) };
}

/// --what-if-handler: the replay's what-if, with the offered handler made.
void setHandlerWhatIf(const QList<Source>& all, const Request& r)
{
    doeff::WhatIf w;
    w.kind = doeff::WhatIf::Kind::Handler;
    w.step = *r.handlerStep;
    w.handler = r.handlerOld;
    if (!r.handlerNew.isEmpty()) {
        const doeff::HandlerOffer* offer = nullptr;
        for (const Source& s : all)
            if (!offer) offer = s.library->findHandler(r.handlerNew);
        if (!offer)
            throw UsageError { u"no library offers a handler '%1' (doeff-run --list shows the handlers offered)"_s.arg(
                r.handlerNew) };
        w.replacement = offer->make();
        if (!w.replacement.isValid())
            throw UsageError { u"the library's handler '%1' made no handler"_s.arg(r.handlerNew) };
    }
    r.replay->setWhatIf(w);
}

/// Prints the result and saves it if asked; the exit status.
int report(const doeff::RuntimeResultBase& result, const Request& r)
{
    out() << result.format(r.verbose) << '\n';
    out().flush();
    if (!r.saveTo.isEmpty()) {
        QString error;
        if (!result.save(r.saveTo, &error)) {
            err() << "doeff-run: cannot save the result to " << r.saveTo << ": " << error << '\n';
            return ExitUsage;
        }
    }
    return result.is_ok() ? ExitOk : ExitErr;
}

int openResult(const Request& r)
{
    try {
        return report(doeff::load_result(r.openResult), r);
    } catch (const doeff::ResultFileError& e) {
        throw UsageError { e.message() };
    }
}

/// Writes the JSON / Perfetto exports of a trace that was asked for; an exit status.
int exportTrace(doeff::TraceReader& reader, const Request& r)
{
    const std::pair<QString, bool> targets[] = { { r.exportJson, true }, { r.exportPerfetto, false } };
    for (const auto& [path, json] : targets) {
        if (path.isEmpty()) continue;
        QString error;
        const bool ok = doeff::writeFileAtomically(
            path,
            [&, json = json](QIODevice& f, QString& reason) {
                return json ? doeff::exportTraceJson(reader, f, &reason) : doeff::exportPerfetto(reader, f, &reason);
            },
            &error);
        if (!ok) {
            err() << "doeff-run: cannot export: " << error << '\n';
            return ExitUsage;
        }
    }
    return ExitOk;
}

int openTrace(doeff::TraceReader& reader, const QString& path)
{
    if (!reader.open(path)) throw UsageError { reader.errorString() };
    if (reader.recovered()) err() << "doeff-run: notice: " << reader.recoveryNote() << '\n';
    err().flush();
    return ExitOk;
}

/// --inspect-trace FILE [--at STEP]: the post-mortem view for terminals.
int inspectTrace(const Request& r)
{
    doeff::TraceReader reader;
    openTrace(reader, r.inspectTrace);
    const quint64 step = r.at.value_or(reader.stepCount());
    const auto state = reader.stateAt(step);
    if (!state) throw UsageError { reader.errorString() };
    out() << doeff::formatTraceSummary(reader) << "\nstate at step " << step << ":\n"
          << doeff::formatSessionState(*state) << '\n';
    out().flush();
    if (const int e = exportTrace(reader, r); e != ExitOk) return e;
    const QString status = reader.metadata().status;
    if (status.startsWith(u"Ok("_s)) return ExitOk;
    if (status.startsWith(u"Err("_s)) return ExitErr;
    err() << "doeff-run: " << r.inspectTrace
          << ": the recorded run has no result (status: " << (status.isEmpty() ? u"none"_s : status) << ")\n";
    return ExitUsage;
}

/// The async runner's driver: runs on the application's event loop, then quits it. `info` belongs
/// to a program library, which lives as long as the process.
QCoro::Task<void> runAsync(const doeff::ProgramInfo& info, Request r, doeff::RunOptions options)
{
    int status = ExitUsage;
    try {
        const doeff::RuntimeResult<QVariant> result
            = co_await doeff::asyncRunProgram(info, r.env, r.store, std::move(options));
        status = report(result, r);
    } catch (const std::exception& e) {
        // the runners never throw for program errors; this is a bug in doeff-run or the engine
        err() << "doeff-run: internal error: " << e.what() << '\n';
    }
    // queued: exit() before exec() has started would be lost
    QMetaObject::invokeMethod(
        qApp, [status] { QCoreApplication::exit(status); }, Qt::QueuedConnection);
}

/// --debug: this program again, without --debug, as the debuggee of a terminal debugger.
int debugProgram(QCoreApplication& app)
{
    QStringList args = QCoreApplication::arguments().mid(1);
    args.removeAll(u"--debug"_s);
    TerminalDebugger debugger(out(), err());
    int status = ExitOk;
    debugger.done = [&status](int s) {
        status = s;
        QMetaObject::invokeMethod(
            qApp, [] { QCoreApplication::exit(0); }, Qt::QueuedConnection);
    };
    if (const int e = debugger.start(QCoreApplication::applicationFilePath(), args); e != 0) return e;
    app.exec();
    return status;
}

/// After a replay: whether it followed its recording to the end; the exit status.
int reportReplay(const doeff::Replay& replay, int status)
{
    if (replay.branched()) {
        err() << "doeff-run: what if: followed " << replay.fileName() << " for " << replay.matchedEvents()
              << " events, then ran live from step " << replay.branchStep() << '\n';
        return status;
    }
    if (replay.whatIf().kind != doeff::WhatIf::Kind::None && !replay.diverged()) {
        err() << "doeff-run: what if: the run never reached step " << replay.whatIf().step
              << " as the what-if describes it (no effect yielded there, no turn starting there, or the run "
                 "ended before it)\n";
        return ExitDiverged;
    }
    if (replay.diverged()) {
        err() << "doeff-run: " << replay.report() << '\n';
        return ExitDiverged;
    }
    if (!replay.complete()) {
        err() << "doeff-run: replay of " << replay.fileName() << " stopped after " << replay.matchedEvents() << " of "
              << replay.recordedEvents() << " recorded events\n";
        return ExitDiverged;
    }
    if (replay.inputsOnly())
        err() << "doeff-run: replay of " << replay.fileName() << ": the same run, " << replay.matchedEvents()
              << " recorded events (an input log: its inputs and its end checked)\n";
    else
        err() << "doeff-run: replay of " << replay.fileName() << ": the same run, " << replay.matchedEvents()
              << " events\n";
    return status;
}

int runProgram(QCoreApplication& app, const doeff::ProgramInfo& info, const Request& r)
{
    if (r.debug) return debugProgram(app);
    // the runners connect to the debugger named by DOEFF_INSPECT
    if (!r.inspect.isEmpty()) qputenv(doeff::inspector::environmentVariable, r.inspect.toLocal8Bit());
    doeff::RunOptions options = info.options;
    if (r.clock) options.clock = *r.clock;
    options.replay = r.replay;
    // a trace is recorded when asked for, or when an export needs one
    QTemporaryDir scratch;
    QString tracePath = r.traceTo;
    if (tracePath.isEmpty() && (!r.exportJson.isEmpty() || !r.exportPerfetto.isEmpty()))
        tracePath = scratch.filePath(u"run.doefftrace"_s);
    // DOEFF_TRACE_COMPRESS=0 writes plain frames, whose bytes are the records themselves (the
    // fuzzers' seeds; docs/trace-format.md)
    doeff::TraceRecorderOptions traceOptions;
    traceOptions.compress = qEnvironmentVariable("DOEFF_TRACE_COMPRESS") != u"0"_s;
    // opens `rec` on `path`, says how the run was made, and attaches it
    const auto attach = [&](doeff::TraceRecorder& rec, const QString& path) {
        if (!rec.open(path)) throw UsageError { rec.errorString() };
        rec.setMetadata(u"runner"_s, r.async ? u"async"_s : u"sync"_s);
        rec.setMetadata(u"clock"_s, options.clock == doeff::Clock::Simulated ? u"simulated"_s : u"real"_s);
        rec.setMetadata(u"command"_s, QCoreApplication::arguments().join(u' '));
        options.observers.append(&rec);
    };
    doeff::TraceRecorder recorder(traceOptions);
    if (!tracePath.isEmpty()) {
        attach(recorder, tracePath);
        if (r.replay) recorder.setMetadata(u"replay of"_s, r.replay->fileName());
    }
    // the input log observes inputs only: the run keeps its speed (docs/replay.md)
    doeff::TraceRecorderOptions inputsOptions = traceOptions;
    inputsOptions.inputsOnly = true;
    doeff::TraceRecorder inputs(inputsOptions);
    if (!r.inputsTo.isEmpty()) attach(inputs, r.inputsTo);
    options.interrupt = interruptReason;
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
    int status = ExitUsage;
    if (!r.async) {
        status = report(doeff::runProgram(info, r.env, r.store, std::move(options)), r);
    } else {
        QCoro::Task<void> task = runAsync(info, r, std::move(options));
        status = app.exec();
    }
    // stopped by a signal: the trace and the exports are still finished, then the shell's
    // convention for the signal
    const int signal = interruptSignal.load();
    if (signal) status = 128 + signal;
    if (r.replay && !signal) status = reportReplay(*r.replay, status);
    if (!r.inputsTo.isEmpty() && !inputs.finish()) {
        err() << "doeff-run: " << inputs.errorString() << '\n';
        return ExitUsage;
    }
    if (tracePath.isEmpty()) return status;
    if (!recorder.finish()) {
        err() << "doeff-run: " << recorder.errorString() << '\n';
        return ExitUsage;
    }
    if (!r.exportJson.isEmpty() || !r.exportPerfetto.isEmpty()) {
        doeff::TraceReader reader;
        openTrace(reader, tracePath);
        if (const int e = exportTrace(reader, r); e != ExitOk) return e;
    }
    return status;
}

} // namespace

int diffTraceFiles(const QString& a, const QString& b); // diff.cpp

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"doeff-run"_s);
    QCoreApplication::setApplicationVersion(QStringLiteral(DOEFF_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Runs a doeff program headless and prints its RuntimeResult.\n"
        "\n"
        "Programs come from the built-in example library and from program libraries given with\n"
        "--library (shared objects built with DOEFF_PROGRAM / DOEFF_PROGRAM_LIBRARY()).\n"
        "\n"
        "Exit status: 0 when the result is Ok, 1 when it is Err, 2 for a usage error or a file\n"
        "that cannot be read (the message on stderr says what was wrong), 3 when a --replay parted\n"
        "from its recording, 130 / 143 when stopped by SIGINT / SIGTERM (the run ends with\n"
        "RunAbortedError and its trace is still finished).\n"
        "\n"
        "Examples:\n"
        "  doeff-run --list\n"
        "  doeff-run greet --env name='\"Ada\"'\n"
        "  doeff-run word_count --format verbose --runner async\n"
        "  doeff-run measure_delay --clock simulated --save-result run.doeffresult\n"
        "  doeff-run --open-result run.doeffresult --format verbose\n"
        "  doeff-run --library ./libmyprograms.so my_program\n"
        "  doeff-run counter --debug                  (a gdb-like prompt: step, next, break Put, …)\n"
        "  doeff-run fetch_weather --trace run.doefftrace; doeff-run --replay run.doefftrace\n"
        "\n"
        "Debugging from another process: with --inspect NAME (or the environment variable\n"
        "DOEFF_INSPECT=NAME) the run connects to the debugger listening on local socket NAME,\n"
        "starts paused and is driven over the inspector protocol (docs/inspector-protocol.md)."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(u"program"_s, u"Name of the program to run (see --list)."_s, u"[program]"_s);

    const QCommandLineOption listOpt(QStringList { u"l"_s, u"list"_s },
                                     u"List the programs (name and description) and exit."_s);
    const QCommandLineOption libOpt(
        QStringList { u"L"_s, u"library"_s },
        u"Also load the program library at <path> (repeatable). Its programs come before the built-in ones."_s,
        u"path"_s);
    const QCommandLineOption formatOpt(QStringList { u"f"_s, u"format"_s },
                                       u"How to print the result: condensed (default) or verbose."_s, u"format"_s,
                                       u"condensed"_s);
    const QCommandLineOption envOpt(
        QStringList { u"e"_s, u"env"_s },
        u"Set environment key <key> to a JSON value, over the program's default (repeatable): "
        "n=5, name='\"Ada\"', tags='[\"a\",\"b\"]'."_s,
        u"key=json"_s);
    const QCommandLineOption storeOpt(QStringList { u"s"_s, u"store"_s },
                                      u"Set initial store key <key> to a JSON value, over the program's default "
                                      "(repeatable)."_s,
                                      u"key=json"_s);
    const QCommandLineOption runnerOpt(
        QStringList { u"r"_s, u"runner"_s },
        u"sync (default: sync_run on this thread) or async (async_run on the Qt event loop)."_s, u"runner"_s,
        u"sync"_s);
    const QCommandLineOption clockOpt(QStringList { u"c"_s, u"clock"_s },
                                      u"real or simulated (waiting on time costs no real time). Default: the "
                                      "program's own choice, usually real."_s,
                                      u"clock"_s);
    const QCommandLineOption saveOpt(u"save-result"_s, u"Also save the result to <file> (a CBOR result document)."_s,
                                     u"file"_s);
    const QCommandLineOption openOpt(u"open-result"_s,
                                     u"Print a result saved with --save-result instead of running a program. "
                                     "The exit status is the saved result's."_s,
                                     u"file"_s);
    const QList<QCommandLineOption> traceOpts {
        QCommandLineOption(
            u"trace"_s, u"Record the run's event stream to <file> (.doefftrace, docs/trace-format.md)."_s, u"file"_s),
        QCommandLineOption(u"export-json"_s,
                           u"Write the run's (or --inspect-trace's) event stream as readable JSON to <file>."_s,
                           u"file"_s),
        QCommandLineOption(u"export-perfetto"_s,
                           u"Write Chrome Trace Event JSON to <file> (opens in Perfetto and chrome://tracing)."_s,
                           u"file"_s),
        QCommandLineOption(u"inspect-trace"_s,
                           u"Print a recorded trace's summary and the state at the last step (or --at): tasks, "
                           "each K, stores, envs, the effect tree and the logs."_s,
                           u"file"_s),
        QCommandLineOption(u"at"_s, u"With --inspect-trace or --explain: the step to reconstruct."_s, u"step"_s),
        QCommandLineOption(u"record-inputs"_s,
                           u"Record only what the run takes in from outside (Await results, clock readings, timers, "
                           "external promises) to <file>, an input log: the run keeps its full speed, and --replay "
                           "<file> rebuilds every step (docs/replay.md)."_s,
                           u"file"_s),
    };
    const QCommandLineOption inspectOpt(
        u"inspect"_s,
        u"Connect to the debugger listening on local socket <name> and start paused (the same as "
        "DOEFF_INSPECT=<name>)."_s,
        u"name"_s);
    const QCommandLineOption debugOpt(
        u"debug"_s,
        u"Debug the program at a gdb-like prompt on stdin/stdout (step, next, finish, continue, effect, "
        "break, watch, tasks, stack, store, env, tree, log, quit; 'help' lists them)."_s);
    const QCommandLineOption explainOpt(u"explain"_s,
                                        u"Print the wait-for graph of a trace (at --at, default the "
                                        "deadlock or the last step) or of a saved result."_s,
                                        u"file"_s);
    const QCommandLineOption lintOpt(u"lint"_s,
                                     u"Print the problems of a trace or a saved result; exit 1 when one "
                                     "is an error."_s,
                                     u"file"_s);
    for (const QCommandLineOption* o : { &listOpt, &libOpt, &formatOpt, &envOpt, &storeOpt, &runnerOpt, &clockOpt,
                                         &saveOpt, &openOpt, &inspectOpt, &debugOpt, &explainOpt, &lintOpt })
        parser.addOption(*o);
    for (const QCommandLineOption& o : traceOpts)
        parser.addOption(o);
    const QCommandLineOption whyOpt(
        u"why"_s,
        u"With a trace FILE: where <what> came from (KEY, KEY@TASK, env:KEY, task:N) at the last step (or --at), and who read it."_s,
        u"what"_s);
    parser.addOption(whyOpt);

    const QCommandLineOption diffOpt(
        u"diff"_s,
        u"--diff A B: print where traces A and B first differ, aligned by effect per task, and a summary of every difference (exit 1), or that they are equal (exit 0)."_s,
        u"A"_s);
    parser.addOption(diffOpt);
    const QCommandLineOption whatIfOpt(
        u"what-if"_s,
        u"With --replay: STEP=JSON. Follow the recording up to the effect yielded at STEP, resume it with JSON's value instead of handling it, and run on live from there."_s,
        u"step=json"_s);
    const QCommandLineOption whatIfRunOpt(
        u"what-if-run"_s,
        u"With --replay: STEP=TASK. Follow the recording up to the turn that starts at STEP, run ready task TASK in it instead, and run on live from there."_s,
        u"step=task"_s);
    const QCommandLineOption whatIfHandlerOpt(
        u"what-if-handler"_s,
        u"With --replay: STEP=OLD=NEW swaps every frame of handler OLD for NEW, a handler a library offers (--list); STEP=-OLD removes OLD; STEP=+NEW adds NEW innermost of the run's handlers. Follow the recording up to STEP, change the handlers there, and run on live."_s,
        u"step=change"_s);
    parser.addOption(whatIfOpt);
    parser.addOption(whatIfRunOpt);
    parser.addOption(whatIfHandlerOpt);
    const QCommandLineOption replayOpt(
        u"replay"_s,
        u"Run the program a trace recorded again, on the inputs it recorded (Await results, clock readings, timers, external promises: no operation is performed), checking every event against the recording. Combines with --trace, --debug, --inspect, --runner. Exit 3 at the first divergence, with a report."_s,
        u"trace"_s);
    parser.addOption(replayOpt);
    if (!parser.parse(QCoreApplication::arguments())) {
        err() << "doeff-run: " << parser.errorText() << '\n' << "Try 'doeff-run --help'.\n";
        return ExitUsage;
    }
    if (parser.isSet(u"help"_s)) {
        out() << parser.helpText();
        return ExitOk;
    }
    if (parser.isSet(u"version"_s)) {
        out() << QCoreApplication::applicationName() << ' ' << QCoreApplication::applicationVersion() << '\n';
        return ExitOk;
    }

    if (parser.isSet(whyOpt))
        return doeff::run::why(parser.value(whyOpt), parser.value(traceOpts[4]), parser.positionalArguments(), out(),
                               err());
    if (parser.isSet(diffOpt)) {
        if (parser.positionalArguments().size() != 1) {
            err() << "doeff-run: --diff needs two trace files: --diff A B\n";
            return ExitUsage;
        }
        out().flush();
        return diffTraceFiles(parser.value(diffOpt), parser.positionalArguments().first());
    }
    try {
        const Request r
            = parseRequest(parser, listOpt, libOpt, formatOpt, envOpt, storeOpt, runnerOpt, clockOpt, saveOpt, openOpt,
                           traceOpts, inspectOpt, debugOpt, replayOpt, whatIfOpt, whatIfRunOpt, whatIfHandlerOpt);
        if (!r.inspectTrace.isEmpty()) return inspectTrace(r);
        if (parser.isSet(explainOpt)) return explainFile(parser.value(explainOpt), r.at, out(), err());
        if (parser.isSet(lintOpt)) return lintFile(parser.value(lintOpt), out(), err());
        if (!r.openResult.isEmpty()) return openResult(r);
        const QList<Source> all = sources(r);
        if (r.list) return listPrograms(all);
        const doeff::ProgramInfo& info = findProgram(all, r.name);
        if (r.handlerStep) setHandlerWhatIf(all, r);
        return runProgram(app, info, r);
    } catch (const UsageError& e) {
        out().flush();
        err() << "doeff-run: " << e.message << '\n';
        return ExitUsage;
    }
}
