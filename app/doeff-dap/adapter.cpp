#include "adapter.h"

#include "transport.h"
#include <doeff/expression.h>
#include <doeff/replay.h>

#include <doeff/value.h>
#include <doeff_examples.h>
#include <traceio.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace doeff::dap {

using views::RunStatus;

namespace {

const QString kRaised = u"raised"_s;
const QString kUncaught = u"uncaught"_s;
const QString kDeadlock = u"deadlock"_s;
const QString kUnobserved = u"unobserved"_s;

QJsonObject filterJson(const QString& id, const QString& label, const QString& description, bool on)
{
    return { { u"filter"_s, id },
             { u"label"_s, label },
             { u"description"_s, description },
             { u"default"_s, on },
             { u"supportsCondition"_s, true },
             { u"conditionDescription"_s, u"store.KEY == VALUE, env.KEY != VALUE, …"_s } };
}

QString stateName(TaskStateCode s)
{
    switch (s) {
    case TaskStateCode::Ready:
        return u"ready"_s;
    case TaskStateCode::Running:
        return u"running"_s;
    case TaskStateCode::Blocked:
        return u"blocked"_s;
    case TaskStateCode::Sleeping:
        return u"sleeping"_s;
    case TaskStateCode::Awaiting:
        return u"awaiting"_s;
    case TaskStateCode::Done:
        return u"done"_s;
    case TaskStateCode::Failed:
        return u"failed"_s;
    case TaskStateCode::Cancelled:
        return u"cancelled"_s;
    }
    return u"?"_s;
}

bool endsWithPath(const char* file, const QString& path)
{
    if (!file || path.isEmpty()) return false;
    const QString f = QString::fromUtf8(file);
    return f == path || path.endsWith(u'/' + f) || f.endsWith(u'/' + path);
}

/// A DAP function breakpoint's name: `Put` or `Put key=counter` (the effect and a field condition).
std::pair<QString, QString> splitEffectName(const QString& name)
{
    const QString n = name.trimmed();
    const qsizetype space = n.indexOf(u' ');
    if (space < 0) return { n, {} };
    return { n.left(space), n.mid(space + 1).trimmed() };
}

/// `field=value` is the agent's own condition; anything else is the adapter's.
bool isFieldCondition(const QString& condition)
{
    static const QRegularExpression form(u"^[A-Za-z_][A-Za-z0-9_]*=[^=].*$"_s);
    return form.match(condition.trimmed()).hasMatch();
}

} // namespace

Adapter::Adapter(Transport* transport, QObject* parent)
    : QObject(parent)
    , m_io(transport)
{
    connect(m_io, &Transport::messageReceived, this, &Adapter::onMessage);
    connect(m_io, &Transport::malformed, this, &Adapter::onMalformed);
    connect(m_io, &Transport::closed, this, [this] {
        m_run.shutdown();
        Q_EMIT finished();
    });
    m_session.setFollowRunningTask(true);
    connect(&m_session, &views::StudioSession::statusChanged, this, &Adapter::onStatusChanged);
    connect(&m_session, &views::StudioSession::refreshed, this, &Adapter::onRefreshed);
    connect(&m_run, &views::RemoteRun::runStarted, this, [this] {
        if (InspectorClient* client = m_run.client()) {
            connect(client, &InspectorClient::outputReceived, this,
                    [this](const QString& text) { output(u"stdout"_s, text); });
            connect(client, &InspectorClient::errorOutputReceived, this,
                    [this](const QString& text) { output(u"stderr"_s, text); });
        }
    });
    connect(&m_run, &views::RemoteRun::runFailed, this,
            [this](const QString& message) { output(u"stderr"_s, message + u'\n'); });
    connect(&m_run, &views::RemoteRun::runEnded, this, &Adapter::onRunEnded);
}

Adapter::~Adapter()
{
    m_run.shutdown();
}

// ---- base protocol -----------------------------------------------------------------------

void Adapter::onMessage(const QJsonObject& message)
{
    const QString type = message.value(u"type"_s).toString();
    if (type != u"request"_s) {
        // responses to reverse requests and stray events: nothing is waiting for them
        if (type.isEmpty()) onMalformed(u"a message without a \"type\""_s);
        return;
    }
    const QString command = message.value(u"command"_s).toString();
    const QJsonValue arguments = message.value(u"arguments"_s);
    if (!arguments.isUndefined() && !arguments.isNull() && !arguments.isObject())
        return fail(message, u"'%1': \"arguments\" must be an object"_s.arg(command));
    const Args a = arguments.toObject();
    using Handler = void (Adapter::*)(const Request&, const Args&);
    static const QHash<QString, Handler> handlers {
        { u"initialize"_s, &Adapter::initialize },
        { u"launch"_s, &Adapter::launch },
        { u"configurationDone"_s, &Adapter::configurationDone },
        { u"disconnect"_s, &Adapter::disconnect },
        { u"terminate"_s, &Adapter::terminate },
        { u"restart"_s, &Adapter::restart },
        { u"setBreakpoints"_s, &Adapter::setBreakpoints },
        { u"setFunctionBreakpoints"_s, &Adapter::setFunctionBreakpoints },
        { u"setExceptionBreakpoints"_s, &Adapter::setExceptionBreakpoints },
        { u"dataBreakpointInfo"_s, &Adapter::dataBreakpointInfo },
        { u"setDataBreakpoints"_s, &Adapter::setDataBreakpoints },
        { u"breakpointLocations"_s, &Adapter::breakpointLocations },
        { u"threads"_s, &Adapter::threads },
        { u"stackTrace"_s, &Adapter::stackTrace },
        { u"scopes"_s, &Adapter::scopes },
        { u"variables"_s, &Adapter::variables },
        { u"source"_s, &Adapter::source },
        { u"continue"_s, &Adapter::continueRequest },
        { u"pause"_s, &Adapter::pause },
        { u"next"_s, &Adapter::next },
        { u"stepIn"_s, &Adapter::stepIn },
        { u"stepOut"_s, &Adapter::stepOut },
        { u"stepBack"_s, &Adapter::stepBack },
        { u"reverseContinue"_s, &Adapter::reverseContinue },
        { u"goto"_s, &Adapter::gotoRequest },
        { u"gotoTargets"_s, &Adapter::gotoTargets },
        { u"evaluate"_s, &Adapter::evaluate },
        { u"exceptionInfo"_s, &Adapter::exceptionInfo },
        { u"terminateThreads"_s, &Adapter::terminateThreads },
    };
    const auto it = handlers.constFind(command);
    if (it == handlers.cend())
        return fail(message,
                    command.isEmpty() ? u"a request without a \"command\""_s
                                      : u"unknown command '%1'"_s.arg(command.left(100)));
    (this->*it.value())(message, a);
}

void Adapter::onMalformed(const QString& problem)
{
    output(u"stderr"_s, u"doeff-dap: ignored a malformed message: %1\n"_s.arg(problem));
}

void Adapter::respond(const Request& request, const QJsonObject& body)
{
    QJsonObject m { { u"seq"_s, m_seq++ },
                    { u"type"_s, u"response"_s },
                    { u"request_seq"_s, request.value(u"seq"_s).toInt() },
                    { u"command"_s, request.value(u"command"_s).toString() },
                    { u"success"_s, true } };
    if (!body.isEmpty()) m[u"body"_s] = body;
    m_io->send(m);
}

void Adapter::fail(const Request& request, const QString& message)
{
    m_io->send(
        { { u"seq"_s, m_seq++ },
          { u"type"_s, u"response"_s },
          { u"request_seq"_s, request.value(u"seq"_s).toInt() },
          { u"command"_s, request.value(u"command"_s).toString() },
          { u"success"_s, false },
          { u"message"_s, message },
          { u"body"_s,
            QJsonObject { { u"error"_s,
                            QJsonObject { { u"id"_s, 1 }, { u"format"_s, message }, { u"showUser"_s, true } } } } } });
}

void Adapter::event(const QString& name, const QJsonObject& body)
{
    QJsonObject m { { u"seq"_s, m_seq++ }, { u"type"_s, u"event"_s }, { u"event"_s, name } };
    if (!body.isEmpty()) m[u"body"_s] = body;
    m_io->send(m);
}

void Adapter::output(const QString& category, const QString& text)
{
    if (text.isEmpty()) return;
    event(u"output"_s, { { u"category"_s, category }, { u"output"_s, text } });
}

// ---- session setup -----------------------------------------------------------------------

void Adapter::initialize(const Request& r, const Args& a)
{
    m_clientCaps = a;
    const QJsonArray filters {
        filterJson(kRaised, u"Errors raised"_s, u"Stop wherever an error is raised, caught or not"_s, false),
        filterJson(kUncaught, u"Uncaught errors"_s, u"Stop when a task ends with an error"_s, false),
        filterJson(kDeadlock, u"Deadlock"_s, u"Stop when every remaining task is blocked"_s, true),
        filterJson(kUnobserved, u"Unobserved task failures"_s,
                   u"Stop when a spawned task fails (its failure may never be looked at)"_s, false),
    };
    respond(r,
            { { u"supportsConfigurationDoneRequest"_s, true },
              { u"supportsFunctionBreakpoints"_s, true },
              { u"supportsConditionalBreakpoints"_s, true },
              { u"supportsHitConditionalBreakpoints"_s, true },
              { u"supportsLogPoints"_s, true },
              { u"supportsEvaluateForHovers"_s, true },
              { u"supportsStepBack"_s, true },
              { u"supportsGotoTargetsRequest"_s, true },
              { u"supportsTerminateRequest"_s, true },
              { u"supportsRestartRequest"_s, true },
              { u"supportsDataBreakpoints"_s, true },
              { u"supportsExceptionInfoRequest"_s, true },
              { u"supportsExceptionFilterOptions"_s, true },
              { u"supportsTerminateThreadsRequest"_s, true },
              { u"supportsSteppingGranularity"_s, true },
              { u"supportsBreakpointLocationsRequest"_s, true },
              { u"supportsDelayedStackTraceLoading"_s, true },
              { u"supportsValueFormattingOptions"_s, false },
              { u"exceptionBreakpointFilters"_s, filters } });
    event(u"initialized"_s);
}

void Adapter::launch(const Request& r, const Args& a)
{
    if (m_mode != Mode::None) return fail(r, u"this session has already launched a program"_s);
    if (a.contains(u"trace"_s)) return launchTrace(r, a);
    if (a.contains(u"replay"_s)) return launchReplay(r, a);
    const QString program = a.value(u"program"_s).toString();
    if (program.isEmpty())
        return fail(r,
                    u"launch needs \"program\": a built-in example's name, a program library (.so) or an executable"_s);
    views::RemoteLaunch l;
    l.program = program;
    l.workingDirectory = a.value(u"cwd"_s).toString();
    const QFileInfo file(l.workingDirectory.isEmpty() || QDir::isAbsolutePath(program)
                             ? program
                             : QDir(l.workingDirectory).filePath(program));
    QStringList doeffRunOptions;
    const QString runner = a.value(u"runner"_s).toString();
    if (!runner.isEmpty()) {
        if (runner != u"sync"_s && runner != u"async"_s)
            return fail(r, u"\"runner\" is '%1': use \"sync\" or \"async\""_s.arg(runner));
        doeffRunOptions << u"--runner"_s << runner;
    }
    const QString clock = a.value(u"clock"_s).toString();
    if (!clock.isEmpty()) {
        if (clock != u"real"_s && clock != u"simulated"_s)
            return fail(r, u"\"clock\" is '%1': use \"real\" or \"simulated\""_s.arg(clock));
        doeffRunOptions << u"--clock"_s << clock;
    }
    for (const QString& which : { u"env"_s, u"store"_s }) {
        const QJsonValue v = a.value(which);
        if (v.isUndefined() || v.isNull()) continue;
        if (!v.isObject()) return fail(r, u"\"%1\" must be an object of keys and JSON values"_s.arg(which));
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            const QJsonArray wrapped { it.value() };
            QByteArray json = QJsonDocument(wrapped).toJson(QJsonDocument::Compact);
            json = json.mid(1, json.size() - 2); // the value alone
            doeffRunOptions << u"--"_s + which << it.key() + u'=' + QString::fromUtf8(json);
        }
    }
    QStringList args;
    for (const QJsonValue& v : a.value(u"args"_s).toArray())
        args << v.toString();

    if (examples::library().find(program)) {
        l.executable = m_doeffRun;
        l.arguments << program << doeffRunOptions;
        l.inspectArgument = true;
    } else if (file.isFile() && file.fileName().contains(u".so"_s)) {
        const QString name = a.value(u"programName"_s).toString();
        // list the library's programs in a child process: a library that is not one cannot
        // take the adapter with it
        QProcess list;
        list.start(m_doeffRun, { u"--library"_s, file.absoluteFilePath(), u"--list"_s });
        const bool done = list.waitForFinished(15000);
        const QString listing = QString::fromUtf8(list.readAllStandardOutput());
        if (!done || list.exitStatus() != QProcess::NormalExit || list.exitCode() != 0) {
            list.kill();
            list.waitForFinished(1000);
            const QString why = QString::fromUtf8(list.readAllStandardError()).trimmed();
            return fail(r,
                        u"%1 is not a program library: %2"_s.arg(
                            file.filePath(), why.isEmpty() ? u"doeff-run could not load it"_s : why));
        }
        QStringList names;
        static const QRegularExpression entry(u"^  (\\S+)"_s, QRegularExpression::MultilineOption);
        for (auto it = entry.globalMatch(listing); it.hasNext();)
            names << it.next().captured(1);
        if (name.isEmpty() || !names.contains(name))
            return fail(r,
                        u"%1 \"programName\" in %2: it has %3"_s.arg(
                            name.isEmpty() ? u"launch needs a"_s : u"no program '%1' as"_s.arg(name), file.fileName(),
                            names.isEmpty() ? u"no programs"_s : names.join(u", "_s)));
        l.executable = m_doeffRun;
        l.arguments << u"--library"_s << file.absoluteFilePath() << name << doeffRunOptions;
        l.inspectArgument = true;
    } else if (file.isFile() && file.isExecutable()) {
        l.executable = file.absoluteFilePath();
        l.arguments = args;
        l.inspectArgument = false;
    } else if (file.exists()) {
        return fail(r,
                    u"%1 is not a program: not a built-in example, a program library (.so) or an executable"_s.arg(
                        file.filePath()));
    } else {
        QStringList names;
        for (const ProgramInfo& info : examples::library().programs())
            names << info.name;
        return fail(
            r, u"no program '%1': not a file, and the built-in examples are %2"_s.arg(program, names.join(u", "_s)));
    }
    startLive(r, a, l);
}

void Adapter::startLive(const Request& r, const Args& a, const views::RemoteLaunch& l)
{
    m_mode = Mode::Live;
    m_stopOnEntry = a.value(u"stopOnEntry"_s).toBool();
    m_ended = false;
    if (!m_run.start(l)) {
        m_mode = Mode::None; // nothing runs: another launch may try again
        return fail(r, m_run.failure());
    }
    respond(r);
}

/// `"replay": "run.doefftrace"`: the recorded program again on the recorded inputs, a live
/// session of `doeff-run --replay` (docs/replay.md); `"program"` names the library (.so) when
/// the program is not a built-in example, `"runner"` overrides the recorded runner.
void Adapter::launchReplay(const Request& r, const Args& a)
{
    const QString cwd = a.value(u"cwd"_s).toString();
    QString path = a.value(u"replay"_s).toString();
    if (path.isEmpty()) return fail(r, u"\"replay\" must name a .doefftrace file"_s);
    if (!cwd.isEmpty() && !QDir::isAbsolutePath(path)) path = QDir(cwd).filePath(path);
    QString error;
    const std::shared_ptr<Replay> replay = Replay::open(path, &error);
    if (!replay) return fail(r, error);
    views::RemoteLaunch l;
    l.program = replay->program();
    l.workingDirectory = cwd;
    l.executable = m_doeffRun;
    const QString library = a.value(u"program"_s).toString();
    if (!library.isEmpty() && !examples::library().find(library)) {
        const QFileInfo file(cwd.isEmpty() || QDir::isAbsolutePath(library) ? library : QDir(cwd).filePath(library));
        if (!file.isFile()) return fail(r, u"\"program\" %1 is not a program library"_s.arg(file.filePath()));
        l.arguments << u"--library"_s << file.absoluteFilePath();
    } else if (!examples::library().find(replay->program())) {
        return fail(r,
                    u"%1 recorded %2, which is not a built-in example: give its library as \"program\""_s.arg(
                        path, replay->program()));
    }
    l.arguments << u"--replay"_s << QFileInfo(path).absoluteFilePath();
    const QString runner = a.value(u"runner"_s).toString();
    if (!runner.isEmpty()) {
        if (runner != u"sync"_s && runner != u"async"_s)
            return fail(r, u"\"runner\" is '%1': use \"sync\" or \"async\""_s.arg(runner));
        l.arguments << u"--runner"_s << runner;
    }
    if (a.contains(u"whatIf"_s)) {
        QString problem;
        const QStringList whatIf = whatIfArguments(a.value(u"whatIf"_s), &problem);
        if (!problem.isEmpty()) return fail(r, u"\"whatIf\": %1"_s.arg(problem));
        l.arguments << whatIf;
    }
    l.inspectArgument = true;
    startLive(r, a, l);
}

QStringList Adapter::whatIfArguments(const QJsonValue& spec, QString* problem)
{
    // { "step": N, and one of "answer": <JSON>, "runTask": T, "swap": "old", "with": "new",
    //   "remove": "old", "add": "new" } (docs/editors.md)
    const QJsonObject o = spec.toObject();
    const QJsonValue stepValue = o.value(u"step"_s);
    if (!spec.isObject() || !stepValue.isDouble() || stepValue.toDouble() < 0
        || stepValue.toDouble() != std::floor(stepValue.toDouble())) {
        *problem = u"expected an object with a \"step\" (a step number)"_s;
        return {};
    }
    const QString at = QString::number(qint64(stepValue.toDouble())) + u'=';
    const QStringList kinds { u"answer"_s, u"runTask"_s, u"swap"_s, u"remove"_s, u"add"_s };
    QStringList given;
    for (const QString& k : kinds)
        if (o.contains(k)) given << k;
    if (given.size() != 1) {
        *problem = u"give one of \"answer\", \"runTask\", \"swap\" (with \"with\"), \"remove\" or \"add\""_s;
        return {};
    }
    const QString kind = given.first();
    const auto name = [&](const QString& key) {
        const QString n = o.value(key).toString();
        if (n.isEmpty() || n.contains(u'=')) *problem = u"\"%1\" must name a handler"_s.arg(key);
        return n;
    };
    if (kind == u"answer"_s) {
        const QJsonValue v = o.value(kind);
        const QByteArray json = v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
            : v.isArray()                    ? QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact)
                          : QJsonDocument(QJsonArray { v }).toJson(QJsonDocument::Compact).mid(1).chopped(1);
        return { u"--what-if"_s, at + QString::fromUtf8(json) };
    }
    if (kind == u"runTask"_s) {
        const QJsonValue t = o.value(kind);
        if (!t.isDouble() || t.toDouble() < 0 || t.toDouble() != std::floor(t.toDouble())) {
            *problem = u"\"runTask\" must be a task id"_s;
            return {};
        }
        return { u"--what-if-run"_s, at + QString::number(t.toInt()) };
    }
    if (kind == u"swap"_s) {
        const QString from = name(u"swap"_s);
        const QString to = name(u"with"_s);
        return { u"--what-if-handler"_s, at + from + u'=' + to };
    }
    if (kind == u"remove"_s) return { u"--what-if-handler"_s, at + u'-' + name(u"remove"_s) };
    return { u"--what-if-handler"_s, at + u'+' + name(u"add"_s) };
}

void Adapter::launchTrace(const Request& r, const Args& a)
{
    const QString path = a.value(u"trace"_s).toString();
    if (path.isEmpty()) return fail(r, u"\"trace\" must name a .doefftrace file"_s);
    const bool progress = m_clientCaps.value(u"supportsProgressReporting"_s).toBool();
    const QString progressId = u"trace-load"_s;
    if (progress)
        event(u"progressStart"_s,
              { { u"progressId"_s, progressId },
                { u"title"_s, u"Reading %1"_s.arg(QFileInfo(path).fileName()) },
                { u"percentage"_s, 0 } });
    int lastPercent = 0;
    auto loaded = views::loadTrace(
        path,
        [&](quint64 done, quint64 total) {
            const int percent = total > 0 ? int(done * 100 / total) : 0;
            if (progress && percent >= lastPercent + 5) {
                lastPercent = percent;
                event(u"progressUpdate"_s, { { u"progressId"_s, progressId }, { u"percentage"_s, percent } });
            }
            return true;
        },
        true);
    if (progress) event(u"progressEnd"_s, { { u"progressId"_s, progressId } });
    if (!loaded->error.isEmpty()) return fail(r, loaded->error);
    if (!loaded->notice.isEmpty()) output(u"console"_s, loaded->notice + u'\n');
    m_session.openTrace(*loaded);
    m_mode = Mode::Trace;
    m_stopOnEntry = a.value(u"stopOnEntry"_s).toBool(true);
    respond(r);
    if (m_configured)
        leaveStart();
    else
        m_atStart = true;
}

void Adapter::configurationDone(const Request& r, const Args&)
{
    m_configured = true;
    respond(r);
    if (m_atStart) leaveStart();
}

void Adapter::leaveStart()
{
    m_atStart = false;
    if (m_mode == Mode::Trace) {
        QString error;
        const qsizetype target = m_stopOnEntry ? startEvents() : m_session.history()->eventTotal();
        if (!travelTo(target, m_stopOnEntry ? u"entry"_s : u"step"_s,
                      m_stopOnEntry ? u"Start of the recorded run"_s : u"End of the recorded run"_s, &error))
            output(u"stderr"_s, error + u'\n');
        return;
    }
    const int task = m_session.lastPause() ? std::max(0, m_session.lastPause()->task) : 0;
    if (m_stopOnEntry)
        stopped(u"entry"_s, task);
    else if (std::exchange(m_pauseAtStart, false))
        stopped(u"pause"_s, task, u"Paused at the start"_s);
    else
        resume(DebugAgent::Command::Continue);
}

void Adapter::disconnect(const Request& r, const Args&)
{
    m_run.shutdown();
    respond(r);
    Q_EMIT finished();
}

void Adapter::terminate(const Request& r, const Args&)
{
    respond(r);
    if (m_mode == Mode::Live && m_run.isRunning() && !m_ended)
        m_run.stop(); // the run ends with RunAbortedError; exited/terminated follow
    else
        endSession(0);
}

void Adapter::restart(const Request& r, const Args&)
{
    if (m_mode == Mode::Trace) {
        respond(r);
        QString error;
        if (!travelTo(startEvents(), u"entry"_s, u"Start of the recorded run"_s, &error))
            output(u"stderr"_s, error + u'\n');
        return;
    }
    if (m_mode != Mode::Live || !m_run.hasProgram()) return fail(r, u"there is no program to restart"_s);
    m_restarting = true;
    delete m_grace; // the old run's end is not this one's
    for (int id : std::as_const(m_threadsStarted))
        if (!m_threadsExited.contains(id)) event(u"thread"_s, { { u"reason"_s, u"exited"_s }, { u"threadId"_s, id } });
    m_threadsStarted.clear();
    m_threadsExited.clear();
    m_logsSent = 0;
    m_ended = false;
    m_past.reset();
    m_pauses = 0;
    m_lastPauseEvents = 0; // the new run's first pause may come at the same count as the last one
    m_pauseAtStart = false;
    for (Meta& m : m_meta)
        m.hits = 0;
    m_run.restart();
    m_restarting = false;
    respond(r);
    m_atStart = !m_configured; // the new run waits at its start
}

// ---- breakpoints -------------------------------------------------------------------------

int Adapter::addBreakpoint(const Breakpoint& b, const Meta& meta)
{
    const int id = m_run.addBreakpoint(b);
    m_meta.insert(id, meta);
    return id;
}

void Adapter::removeBreakpoints(Meta::Origin origin, const QString& path)
{
    const QList<int> ids = m_meta.keys();
    for (int id : ids) {
        if (m_meta.value(id).origin != origin) continue;
        if (origin == Meta::Origin::Source && m_sourceOf.value(id) != path) continue;
        m_run.removeBreakpoint(id);
        m_meta.remove(id);
        m_sourceOf.remove(id);
    }
}

void Adapter::setBreakpoints(const Request& r, const Args& a)
{
    const QJsonObject source = a.value(u"source"_s).toObject();
    const QString path = source.value(u"path"_s).toString();
    if (path.isEmpty()) return fail(r, u"setBreakpoints needs source.path"_s);
    removeBreakpoints(Meta::Origin::Source, path);
    QJsonArray result;
    const bool readable = m_sources.readable(path);
    for (const QJsonValue& v : a.value(u"breakpoints"_s).toArray()) {
        const QJsonObject sb = v.toObject();
        const int asked = sb.value(u"line"_s).toInt();
        Meta meta;
        meta.origin = Meta::Origin::Source;
        meta.condition = sb.value(u"condition"_s).toString();
        meta.hitCondition = sb.value(u"hitCondition"_s).toString();
        meta.logMessage = sb.value(u"logMessage"_s).toString();
        QJsonObject out { { u"source"_s, source } };
        if (!meta.hitCondition.isEmpty() && !isValidHitCondition(meta.hitCondition)) {
            out[u"verified"_s] = false;
            out[u"line"_s] = asked;
            out[u"message"_s] = u"hit condition '%1' is not N, ==N, >N, >=N, <N, <=N or %N"_s.arg(meta.hitCondition);
            result.append(out);
            continue;
        }
        const int line = readable ? m_sources.nearest(path, asked) : asked;
        Breakpoint b;
        b.kind = Breakpoint::Kind::SourceLine;
        b.file = path;
        b.line = line > 0 ? line : asked;
        const int id = addBreakpoint(b, meta);
        m_sourceOf.insert(id, path);
        out[u"id"_s] = id;
        out[u"line"_s] = b.line;
        out[u"verified"_s] = readable && line > 0;
        if (!readable)
            out[u"message"_s] = u"cannot read %1 to check where a program can stop there"_s.arg(path);
        else if (line != asked)
            out[u"message"_s]
                = u"moved from line %1: a program stops only where it yields an effect, returns or throws"_s.arg(asked);
        result.append(out);
    }
    respond(r, { { u"breakpoints"_s, result } });
}

void Adapter::setFunctionBreakpoints(const Request& r, const Args& a)
{
    removeBreakpoints(Meta::Origin::Function);
    QJsonArray result;
    for (const QJsonValue& v : a.value(u"breakpoints"_s).toArray()) {
        const QJsonObject fb = v.toObject();
        auto [effect, field] = splitEffectName(fb.value(u"name"_s).toString());
        Meta meta;
        meta.origin = Meta::Origin::Function;
        meta.hitCondition = fb.value(u"hitCondition"_s).toString();
        meta.logMessage = fb.value(u"logMessage"_s).toString();
        const QString condition = fb.value(u"condition"_s).toString();
        if (field.isEmpty() && isFieldCondition(condition))
            field = condition.trimmed();
        else
            meta.condition = condition;
        if (effect.isEmpty()) {
            result.append(QJsonObject { { u"verified"_s, false },
                                        { u"message"_s, u"an effect name is needed, e.g. Put or Put key=counter"_s } });
            continue;
        }
        if (!meta.hitCondition.isEmpty() && !isValidHitCondition(meta.hitCondition)) {
            result.append(QJsonObject {
                { u"verified"_s, false },
                { u"message"_s,
                  u"hit condition '%1' is not N, ==N, >N, >=N, <N, <=N or %N"_s.arg(meta.hitCondition) } });
            continue;
        }
        Breakpoint b;
        b.kind = Breakpoint::Kind::Effect;
        b.pattern = effect;
        b.condition = field;
        const int id = addBreakpoint(b, meta);
        result.append(QJsonObject { { u"id"_s, id }, { u"verified"_s, true } });
    }
    respond(r, { { u"breakpoints"_s, result } });
}

void Adapter::setExceptionBreakpoints(const Request& r, const Args& a)
{
    removeBreakpoints(Meta::Origin::Exception);
    QList<std::pair<QString, QString>> wanted; // filter, condition
    for (const QJsonValue& v : a.value(u"filters"_s).toArray())
        wanted.append({ v.toString(), {} });
    for (const QJsonValue& v : a.value(u"filterOptions"_s).toArray())
        wanted.append({ v.toObject().value(u"filterId"_s).toString(), v.toObject().value(u"condition"_s).toString() });
    QJsonArray result;
    for (const auto& [filter, condition] : wanted) {
        Breakpoint b;
        if (filter == kRaised)
            b.kind = Breakpoint::Kind::Error;
        else if (filter == kUncaught)
            b.kind = Breakpoint::Kind::UncaughtError;
        else if (filter == kDeadlock)
            b.kind = Breakpoint::Kind::Deadlock;
        else if (filter == kUnobserved)
            b.kind = Breakpoint::Kind::TaskFinish;
        else {
            result.append(QJsonObject { { u"verified"_s, false },
                                        { u"message"_s, u"unknown exception filter '%1'"_s.arg(filter) } });
            continue;
        }
        Meta meta;
        meta.origin = Meta::Origin::Exception;
        meta.filter = filter;
        meta.condition = condition;
        result.append(QJsonObject { { u"id"_s, addBreakpoint(b, meta) }, { u"verified"_s, true } });
    }
    respond(r, { { u"breakpoints"_s, result } });
}

void Adapter::dataBreakpointInfo(const Request& r, const Args& a)
{
    const QString name = a.value(u"name"_s).toString();
    const int container = a.value(u"variablesReference"_s).toInt();
    QString dataId;
    if (container != 0 && container == m_storeScope)
        dataId = u"store."_s + name;
    else if (container != 0 && container == m_envScope)
        dataId = u"env."_s + name;
    else if ((name.startsWith(u"store."_s) && name.size() > 6) || (name.startsWith(u"env."_s) && name.size() > 4))
        dataId = name;
    if (dataId.isEmpty())
        return respond(r,
                       { { u"dataId"_s, QJsonValue::Null },
                         { u"description"_s, u"Only store and environment keys can be watched"_s } });
    const bool store = dataId.startsWith(u"store."_s);
    respond(r,
            { { u"dataId"_s, dataId },
              { u"description"_s,
                store ? u"Stop when store key '%1' is written"_s.arg(dataId.mid(6))
                      : u"Stop when env key '%1' is asked for"_s.arg(dataId.mid(4)) },
              { u"accessTypes"_s, QJsonArray { store ? u"write"_s : u"read"_s } },
              { u"canPersist"_s, true } });
}

void Adapter::setDataBreakpoints(const Request& r, const Args& a)
{
    removeBreakpoints(Meta::Origin::Data);
    QJsonArray result;
    for (const QJsonValue& v : a.value(u"breakpoints"_s).toArray()) {
        const QJsonObject db = v.toObject();
        const QString dataId = db.value(u"dataId"_s).toString();
        Breakpoint b;
        if (dataId.startsWith(u"store."_s) && dataId.size() > 6) {
            b.kind = Breakpoint::Kind::StoreKey;
            b.pattern = dataId.mid(6);
        } else if (dataId.startsWith(u"env."_s) && dataId.size() > 4) {
            b.kind = Breakpoint::Kind::EnvKey;
            b.pattern = dataId.mid(4);
        } else {
            result.append(QJsonObject { { u"verified"_s, false },
                                        { u"message"_s, u"'%1' is not store.KEY or env.KEY"_s.arg(dataId) } });
            continue;
        }
        Meta meta;
        meta.origin = Meta::Origin::Data;
        meta.condition = db.value(u"condition"_s).toString();
        meta.hitCondition = db.value(u"hitCondition"_s).toString();
        result.append(QJsonObject { { u"id"_s, addBreakpoint(b, meta) }, { u"verified"_s, true } });
    }
    respond(r, { { u"breakpoints"_s, result } });
}

void Adapter::breakpointLocations(const Request& r, const Args& a)
{
    const QString path = a.value(u"source"_s).toObject().value(u"path"_s).toString();
    const int first = a.value(u"line"_s).toInt();
    const int last = a.value(u"endLine"_s).toInt(first);
    QJsonArray out;
    for (int line : m_sources.lines(path))
        if (line >= first && line <= last) out.append(QJsonObject { { u"line"_s, line } });
    respond(r, { { u"breakpoints"_s, out } });
}

int Adapter::breakpointHit(const Event& e) const
{
    for (const Breakpoint& b : m_run.breakpoints())
        if (b.enabled && b.matches(e)) return b.id;
    return 0;
}

QString Adapter::reasonFor(int id) const
{
    switch (m_meta.value(id).origin) {
    case Meta::Origin::Source:
        return u"breakpoint"_s;
    case Meta::Origin::Function:
        return u"function breakpoint"_s;
    case Meta::Origin::Data:
        return u"data breakpoint"_s;
    case Meta::Origin::Exception:
        return u"exception"_s;
    }
    return u"breakpoint"_s;
}

bool Adapter::sameVisit(qsizetype index, int task, const char* file, int line)
{
    views::StateHistory* h = m_session.history();
    if (!h || index <= 0) return false;
    const std::optional<qsizetype> previous = h->lastHitIndexBefore(index, [task](const Event& e) {
        return e.task == task && e.file && (e.kind == EventKind::Step || e.kind == EventKind::EffectYielded);
    });
    if (!previous) return false;
    const std::optional<Event> p = h->eventAt(*previous);
    return p && p->line == line && file && qstrcmp(p->file, file) == 0;
}

bool Adapter::historyHit(qsizetype index, const Event& e)
{
    const int id = breakpointHit(e);
    if (id <= 0) return false;
    const Meta meta = m_meta.value(id);
    if (!meta.logMessage.isEmpty()) return false; // a logpoint logs; it never stops
    if (meta.origin == Meta::Origin::Source && sameVisit(index, e.task, e.file, e.line)) return false;
    if (!meta.condition.isEmpty()) {
        // the condition on the state the live run had at that hit
        views::StateHistory* h = m_session.history();
        const std::shared_ptr<const SessionState> state = h ? h->stateAfterEvents(index + 1) : nullptr;
        QString problem;
        if (state && !evaluateCondition(*state, std::max(0, e.task), meta.condition, &problem) && problem.isEmpty())
            return false;
    }
    return true;
}

QList<int> Adapter::hitsAt(qsizetype events)
{
    const std::optional<Event> e = m_session.history() ? m_session.history()->eventAt(events - 1) : std::nullopt;
    const int id = e ? breakpointHit(*e) : 0;
    return id > 0 ? QList<int> { id } : QList<int> {};
}

// ---- the run -----------------------------------------------------------------------------

void Adapter::onStatusChanged()
{
    if (m_mode != Mode::Live) return;
    if (m_session.isPaused() && m_session.presentState().eventCount() != m_lastPauseEvents) {
        m_lastPauseEvents = m_session.presentState().eventCount();
        onPaused();
    }
}

void Adapter::onPaused()
{
    ++m_pauses;
    m_past.reset(); // a pause shows the present
    const PausedState& p = *m_session.lastPause();
    const int task = std::max(0, p.task);
    sendNewOutput();
    sendThreadEvents();
    if (p.reason == u"start"_s && m_pauses == 1) {
        if (m_configured)
            leaveStart();
        else
            m_atStart = true;
        return;
    }
    const int id = m_run.pausedBreakpoint();
    if (id > 0 && m_meta.contains(id) && m_meta[id].origin == Meta::Origin::Source) {
        const qsizetype at = qsizetype(m_session.presentState().eventCount()) - 1;
        const QByteArray file = p.eventFile.toUtf8();
        if (sameVisit(at, task, file.constData(), p.event.line)) {
            // the line is still running (its effect, its next step): not a new arrival; the
            // move the client asked for goes on, as it was
            m_run.command(DebugAgent::Command::Resume);
            return;
        }
    }
    if (id > 0 && m_meta.contains(id)) {
        Meta& meta = m_meta[id];
        const SessionState& s = m_session.presentState();
        bool stop = true;
        QString problem;
        if (!meta.condition.isEmpty()) {
            stop = evaluateCondition(s, task, meta.condition, &problem);
            if (!problem.isEmpty()) stop = true; // a condition that cannot be evaluated stops, and says why
        }
        if (stop && meta.filter == kUnobserved) {
            const SessionTask* t = s.task(task);
            stop = t && t->state == TaskStateCode::Failed && t->kind != TaskKindCode::Main;
        }
        if (stop) {
            ++meta.hits;
            if (!meta.hitCondition.isEmpty()) stop = hitConditionHolds(meta.hitCondition, meta.hits).value_or(true);
        }
        if (stop && !meta.logMessage.isEmpty()) {
            output(u"console"_s, interpolate(s, task, meta.logMessage) + u'\n');
            stop = false;
        }
        if (!stop) {
            // not a stop for the client: the move it asked for goes on, as it was (a step over
            // stays the step over it was)
            m_run.command(DebugAgent::Command::Resume);
            return;
        }
        const QString reason = reasonFor(id);
        QString description = p.reason;
        if (!problem.isEmpty()) description += u" (condition not evaluated: %1)"_s.arg(problem);
        return stopped(reason, task, description, { id });
    }
    if (p.event.kind == EventKind::ErrorRaised || p.reason.contains(u"error"_s, Qt::CaseInsensitive)
        || p.reason.contains(u"deadlock"_s, Qt::CaseInsensitive))
        if (p.breakpoint >= 0) return stopped(u"exception"_s, task, p.reason);
    stopped(p.reason == u"pause"_s ? u"pause"_s : u"step"_s, task, p.reason);
}

void Adapter::stopped(const QString& reason, int task, const QString& description, const QList<int>& hits)
{
    m_vars.clear();
    m_frames.clear();
    m_storeScope = m_envScope = 0;
    QJsonObject body { { u"reason"_s, reason }, { u"threadId"_s, task + 1 }, { u"allThreadsStopped"_s, true } };
    if (!description.isEmpty()) body[u"description"_s] = description;
    if (!hits.isEmpty()) {
        QJsonArray ids;
        for (int id : hits)
            ids.append(id);
        body[u"hitBreakpointIds"_s] = ids;
    }
    if (reason == u"exception"_s) body[u"text"_s] = description;
    event(u"stopped"_s, body);
}

void Adapter::invalidate()
{
    if (m_clientCaps.value(u"supportsInvalidatedEvent"_s).toBool())
        event(u"invalidated"_s, { { u"areas"_s, QJsonArray { u"threads"_s, u"stacks"_s, u"variables"_s } } });
}

void Adapter::onRefreshed()
{
    if (m_mode != Mode::Live) return;
    sendNewOutput();
    sendThreadEvents();
}

void Adapter::sendNewOutput()
{
    const QList<SessionLogEntry>& logs = m_session.presentState().logs();
    if (m_logsSent > logs.size()) m_logsSent = 0; // a new run
    for (; m_logsSent < logs.size(); ++m_logsSent) {
        const QVariant& message = logs[m_logsSent].message;
        output(u"console"_s, (message.typeId() == QMetaType::QString ? message.toString() : repr(message)) + u'\n');
    }
}

void Adapter::sendThreadEvents()
{
    const auto& tasks = m_session.presentState().tasks();
    for (const SessionTask& t : tasks) {
        const int id = t.id + 1;
        if (!m_threadsStarted.contains(id)) {
            m_threadsStarted.insert(id);
            event(u"thread"_s, { { u"reason"_s, u"started"_s }, { u"threadId"_s, id } });
        }
        if (t.isFinished() && !m_threadsExited.contains(id)) {
            m_threadsExited.insert(id);
            event(u"thread"_s, { { u"reason"_s, u"exited"_s }, { u"threadId"_s, id } });
        }
    }
}

void Adapter::onRunEnded()
{
    if (m_restarting || m_mode != Mode::Live || m_ended) return;
    sendNewOutput();
    sendThreadEvents();
    InspectorClient* client = m_run.client();
    const int code = m_session.hasResult()                       ? (m_session.result().is_ok() ? 0 : 1)
        : client && !client->crashed() && client->exitCode() > 0 ? client->exitCode()
                                                                 : 2;
    // the result arrives before the debuggee exits: its last output (doeff-run prints the
    // result) comes first, as long as it exits soon
    if (client && !client->processExited() && client->state() != InspectorClient::State::Finished) {
        delete m_grace;
        auto* grace = new QTimer(this);
        m_grace = grace;
        grace->setSingleShot(true);
        const auto end = [this, code, grace] {
            grace->deleteLater();
            endSession(code);
        };
        connect(client, &InspectorClient::finished, grace, end);
        connect(grace, &QTimer::timeout, this, end);
        grace->start(2000);
        return;
    }
    endSession(code);
}

void Adapter::endSession(int exitCode)
{
    if (m_ended) return;
    m_ended = true;
    event(u"exited"_s, { { u"exitCode"_s, exitCode } });
    event(u"terminated"_s);
}

bool Adapter::canTravel(QString* why) const
{
    if (m_mode == Mode::Trace) return true;
    if (m_mode != Mode::Live || m_ended) {
        *why = u"there is no run to travel through"_s;
        return false;
    }
    if (!m_session.isPaused()) {
        *why = u"the program is running: pause it first"_s;
        return false;
    }
    if (!m_session.history()) {
        *why = u"this run keeps no history"_s;
        return false;
    }
    return true;
}

bool Adapter::travelTo(qsizetype events, const QString& reason, const QString& description, QString* error,
                       const QList<int>& hits)
{
    views::StateHistory* h = m_session.history();
    if (!h) {
        *error = u"this run keeps no history"_s;
        return false;
    }
    const qsizetype total = h->eventTotal();
    const qsizetype target = std::clamp<qsizetype>(events, 0, std::max<qsizetype>(0, total));
    if (m_mode == Mode::Live && target >= total) {
        m_past.reset();
    } else {
        std::shared_ptr<const SessionState> state = h->stateAfterEvents(target);
        if (!state) {
            *error = u"cannot rebuild the state after event %1: %2"_s.arg(target).arg(h->errorString());
            return false;
        }
        m_past = std::move(state);
        m_pastEvents = target;
    }
    invalidate();
    const int task = showsPause() ? std::max(0, m_session.lastPause()->task) : viewedTask();
    stopped(reason, task, description, hits);
    return true;
}

qsizetype Adapter::startEvents()
{
    views::StateHistory* h = m_session.history();
    if (!h) return 0;
    const std::optional<qsizetype> first
        = h->nextHitIndexFrom(0, [](const Event& e) { return e.kind == EventKind::Step; });
    return first ? *first + 1 : h->eventTotal();
}

int Adapter::viewedTask() const
{
    return std::max(0, viewed().currentTask());
}

std::optional<Event> Adapter::lastEvent(const std::function<bool(const Event&)>& hit)
{
    views::StateHistory* h = m_session.history();
    if (!h) return std::nullopt;
    const std::optional<qsizetype> index = h->lastHitIndexBefore(viewedEvents(), hit);
    return index ? h->eventAt(*index) : std::nullopt;
}

void Adapter::move(const Request& r, Move how, int task)
{
    if (m_mode == Mode::None || m_ended) return fail(r, u"there is no program being debugged"_s);
    const bool live = m_mode == Mode::Live && !m_past;
    if (live) {
        if (!m_session.isPaused()) return fail(r, u"the program is running: pause it first"_s);
        DebugAgent::Command c = DebugAgent::Command::Continue;
        switch (how) {
        case Move::Continue:
            c = DebugAgent::Command::Continue;
            break;
        case Move::Instruction:
            c = DebugAgent::Command::StepInto;
            break;
        case Move::Statement:
            c = DebugAgent::Command::StepEffect;
            break;
        case Move::Line:
            c = DebugAgent::Command::StepOver;
            break;
        case Move::In:
            c = DebugAgent::Command::StepInto;
            break;
        case Move::Out:
            c = DebugAgent::Command::StepOut;
            break;
        }
        // at the start no program frame runs yet: stepping over it would run the whole task
        if (how == Move::Line && m_session.lastPause() && m_session.lastPause()->reason == u"start"_s)
            c = DebugAgent::Command::StepEffect;
        respond(r, how == Move::Continue ? QJsonObject { { u"allThreadsContinued"_s, true } } : QJsonObject {});
        resume(c);
        return;
    }
    // through the recorded history: the same stops the run made, without running anything
    const SessionTask* t = viewed().task(task);
    const int depth = t ? int(t->k.size()) : 0;
    std::function<bool(const Event&)> hit;
    switch (how) {
    case Move::Continue:
        hit = [this](const Event& e) { return breakpointHit(e); };
        break;
    case Move::Instruction:
    case Move::In:
        hit = [](const Event& e) { return e.kind == EventKind::Step; };
        break;
    case Move::Statement:
    case Move::Line:
        hit = [task](const Event& e) { return e.kind == EventKind::EffectYielded && e.task == task; };
        break;
    case Move::Out:
        hit = [task, depth](const Event& e) {
            return e.kind == EventKind::FramePopped && e.task == task && e.index < depth - 1;
        };
        break;
    }
    respond(r, how == Move::Continue ? QJsonObject { { u"allThreadsContinued"_s, true } } : QJsonObject {});
    views::StateHistory* h = m_session.history();
    std::optional<qsizetype> index;
    for (qsizetype from = viewedEvents(); h;) {
        index = h->nextHitIndexFrom(from, hit);
        if (!index || how != Move::Continue) break;
        const std::optional<Event> e = h->eventAt(*index);
        if (!e || historyHit(*index, *e)) break; // a line's breakpoint: only on arrival
        from = *index + 1;
    }
    const qsizetype total = h ? h->eventTotal() : 0;
    QString error;
    if (index) {
        const QList<int> hits = how == Move::Continue ? hitsAt(*index + 1) : QList<int> {};
        const QString reason = how == Move::Continue ? reasonFor(hits.value(0)) : u"step"_s;
        if (!travelTo(*index + 1, reason, u"Replayed from the recorded history"_s, &error, hits))
            output(u"stderr"_s, error + u'\n');
        return;
    }
    if (m_mode == Mode::Trace) {
        if (!travelTo(total, u"step"_s, u"End of the recorded run"_s, &error)) output(u"stderr"_s, error + u'\n');
        return;
    }
    // back at the present of the live run: it goes on from its pause as asked
    m_past.reset();
    invalidate();
    switch (how) {
    case Move::Continue:
        resume(DebugAgent::Command::Continue);
        break;
    case Move::Instruction:
    case Move::In:
        resume(DebugAgent::Command::StepInto);
        break;
    case Move::Statement:
        resume(DebugAgent::Command::StepEffect);
        break;
    case Move::Line:
        resume(DebugAgent::Command::StepOver);
        break;
    case Move::Out:
        resume(DebugAgent::Command::StepOut);
        break;
    }
}

void Adapter::resume(DebugAgent::Command c)
{
    m_moving = c;
    m_run.command(c);
}

int Adapter::taskOf(const Args& a, const QString& field) const
{
    if (!a.contains(field)) return viewedTask();
    const int id = a.value(field).toInt() - 1;
    return viewed().task(id) ? id : -1;
}

void Adapter::continueRequest(const Request& r, const Args& a)
{
    move(r, Move::Continue, std::max(0, taskOf(a)));
}

void Adapter::pause(const Request& r, const Args&)
{
    if (m_mode != Mode::Live || m_ended) return fail(r, u"there is no running program to pause"_s);
    respond(r);
    if (m_atStart || m_pauses == 0) {
        m_pauseAtStart = true; // the run has not gone past its first pause yet: stop there
        return;
    }
    if (!m_session.isPaused()) m_run.command(DebugAgent::Command::Pause);
}

void Adapter::next(const Request& r, const Args& a)
{
    const QString g = a.value(u"granularity"_s).toString();
    move(r,
         g == u"instruction"_s ? Move::Instruction
             : g == u"line"_s  ? Move::Line
                               : Move::Statement,
         std::max(0, taskOf(a)));
}

void Adapter::stepIn(const Request& r, const Args& a)
{
    move(r, a.value(u"granularity"_s).toString() == u"instruction"_s ? Move::Instruction : Move::In,
         std::max(0, taskOf(a)));
}

void Adapter::stepOut(const Request& r, const Args& a)
{
    move(r, Move::Out, std::max(0, taskOf(a)));
}

void Adapter::stepBack(const Request& r, const Args& a)
{
    QString why;
    if (!canTravel(&why)) return fail(r, why);
    const int task = std::max(0, taskOf(a));
    const bool instruction = a.value(u"granularity"_s).toString() == u"instruction"_s;
    // the viewed state's last event is where it stopped: look before it
    const std::optional<qsizetype> index
        = m_session.history()->lastHitIndexBefore(viewedEvents() - 1, [task, instruction](const Event& e) {
              return instruction ? e.kind == EventKind::Step : e.kind == EventKind::EffectYielded && e.task == task;
          });
    respond(r);
    if (!travelTo(index ? *index + 1 : startEvents(), index ? u"step"_s : u"entry"_s,
                  index ? u"Stepped back"_s : u"Start of the recorded run"_s, &why))
        output(u"stderr"_s, why + u'\n');
}

void Adapter::reverseContinue(const Request& r, const Args&)
{
    QString why;
    if (!canTravel(&why)) return fail(r, why);
    views::StateHistory* h = m_session.history();
    const quint64 step = viewed().step();
    // the newest stop before this step, as the live run made it: a line's on arrival, and the
    // first hit of its step
    std::optional<qsizetype> index;
    std::optional<Event> hit;
    for (qsizetype before = viewedEvents() - 1;;) {
        index = h->lastHitIndexBefore(before,
                                      [this, step](const Event& e) { return e.step < step && breakpointHit(e) > 0; });
        if (!index || !(hit = h->eventAt(*index))) break;
        if (historyHit(*index, *hit)) break;
        before = *index;
    }
    while (index && hit) {
        const quint64 hitStep = hit->step;
        const std::optional<qsizetype> earlier = h->lastHitIndexBefore(
            *index, [this, hitStep](const Event& ev) { return ev.step == hitStep && breakpointHit(ev) > 0; });
        const std::optional<Event> e = earlier ? h->eventAt(*earlier) : std::nullopt;
        if (!e || !historyHit(*earlier, *e)) break;
        index = earlier;
        hit = e;
    }
    const QList<int> hits = index ? hitsAt(*index + 1) : QList<int> {};
    respond(r);
    if (!travelTo(index ? *index + 1 : startEvents(), index ? reasonFor(hits.value(0)) : u"entry"_s,
                  index ? u"The previous breakpoint hit"_s : u"Start of the recorded run"_s, &why, hits))
        output(u"stderr"_s, why + u'\n');
}

void Adapter::gotoTargets(const Request& r, const Args& a)
{
    QString why;
    if (!canTravel(&why)) return fail(r, why);
    const QString path = a.value(u"source"_s).toObject().value(u"path"_s).toString();
    const int line = a.value(u"line"_s).toInt();
    QJsonArray targets;
    views::StateHistory* h = m_session.history();
    quint64 lastStep = ~quint64(0);
    qsizetype from = 0;
    // a target is an event at that line where the run could have paused: an effect or a throw
    while (targets.size() < 100) {
        const std::optional<qsizetype> index = h->nextHitIndexFrom(from, [&](const Event& e) {
            return e.line == line && (e.kind == EventKind::EffectYielded || e.kind == EventKind::ErrorRaised)
                && e.step != lastStep && endsWithPath(e.file, path);
        });
        if (!index) break;
        const std::optional<Event> e = h->eventAt(*index);
        if (!e) break;
        lastStep = e->step;
        targets.append(
            QJsonObject { { u"id"_s, qint64(*index + 1) },
                          { u"label"_s,
                            u"step %1 in task %2: %3"_s.arg(e->step).arg(e->task).arg(
                                e->kind == EventKind::EffectYielded ? e->name : u"raises %1"_s.arg(e->name)) },
                          { u"line"_s, line } });
        from = *index + 1;
    }
    respond(r, { { u"targets"_s, targets } });
}

void Adapter::gotoRequest(const Request& r, const Args& a)
{
    QString why;
    if (!canTravel(&why)) return fail(r, why);
    const qint64 target = a.value(u"targetId"_s).toInteger(-1);
    const qsizetype total = m_session.history()->eventTotal();
    if (target < 0 || target > total)
        return fail(r, u"no goto target %1 in the recorded run (ask gotoTargets for one)"_s.arg(target));
    respond(r);
    if (!travelTo(qsizetype(target), u"goto"_s, u"Step %1"_s.arg(target), &why)) output(u"stderr"_s, why + u'\n');
}

void Adapter::terminateThreads(const Request& r, const Args& a)
{
    if (m_mode != Mode::Live || m_ended)
        return fail(r, u"there is no running program whose tasks could be cancelled"_s);
    QStringList refused;
    QList<int> tasks;
    for (const QJsonValue& v : a.value(u"threadIds"_s).toArray()) {
        const int task = v.toInt() - 1;
        const SessionTask* t = m_session.presentState().task(task);
        if (task == 0)
            refused << u"the main task cannot be cancelled (terminate ends the run)"_s;
        else if (!t)
            refused << u"no thread %1"_s.arg(v.toInt());
        else if (t->isFinished())
            refused << u"task %1 has already finished"_s.arg(task);
        else
            tasks << task;
    }
    if (!refused.isEmpty()) return fail(r, refused.join(u"; "_s));
    for (int task : std::as_const(tasks)) {
        QString error;
        if (!m_run.cancelTask(task, &error)) return fail(r, error);
    }
    // the tasks end (cancelled) when the running task's turn ends: at once if the run goes on
    respond(r);
}

// ---- what the client shows ---------------------------------------------------------------

QJsonObject Adapter::threadJson(const SessionTask& t) const
{
    return { { u"id"_s, t.id + 1 },
             { u"name"_s, u"%1 %2 (%3)"_s.arg(t.id).arg(t.name.isEmpty() ? u"task"_s : t.name, stateName(t.state)) } };
}

void Adapter::threads(const Request& r, const Args&)
{
    QJsonArray out;
    for (const SessionTask& t : viewed().tasks())
        out.append(threadJson(t));
    if (out.isEmpty()) out.append(QJsonObject { { u"id"_s, 1 }, { u"name"_s, u"0 main (starting)"_s } });
    respond(r, { { u"threads"_s, out } });
}

void Adapter::stackTrace(const Request& r, const Args& a)
{
    const int task = taskOf(a);
    const SessionTask* t = task >= 0 ? viewed().task(task) : nullptr;
    if (!t) return respond(r, { { u"stackFrames"_s, QJsonArray() }, { u"totalFrames"_s, 0 } });
    const int start = std::max(0, a.value(u"startFrame"_s).toInt());
    const int levels = a.value(u"levels"_s).toInt();
    const int total = int(t->k.size());
    // the pausing event's own location heads the running task's stack at a pause
    const bool pausedHere
        = showsPause() && m_session.lastPause()->task == task && !m_session.lastPause()->eventFile.isEmpty();
    QJsonArray frames;
    bool topProgram = true;
    for (int i = 0; i < total; ++i) {
        const int position = total - 1 - i; // top first
        const SessionFrame& f = t->k[position];
        const bool program = f.kind == FrameKindCode::Program;
        // a coroutine handler's handling is located where the effect it handles was performed:
        // with it on top (no program frame), the editor still has a line to show
        const bool located = program || (f.kind == FrameKindCode::Handling && !f.file.isEmpty());
        QString file = f.file;
        int line = f.line;
        if (program && topProgram && pausedHere) {
            file = m_session.lastPause()->eventFile;
            line = m_session.lastPause()->event.line;
        }
        if (program) topProgram = false;
        if (i < start || (levels > 0 && i >= start + levels)) continue;
        m_frames.append({ task, position });
        QJsonObject frame { { u"id"_s, int(m_frames.size()) },
                            { u"name"_s, program && !f.function.isEmpty() ? f.function : f.description },
                            { u"line"_s, located ? line : 0 },
                            { u"column"_s, located && line > 0 ? 1 : 0 } };
        if (located && !file.isEmpty())
            frame[u"source"_s] = QJsonObject { { u"name"_s, QFileInfo(file).fileName() }, { u"path"_s, file } };
        if (!program)
            frame[u"presentationHint"_s]
                = f.kind == FrameKindCode::Handler || f.kind == FrameKindCode::Handling ? u"label"_s : u"subtle"_s;
        frames.append(frame);
    }
    respond(r, { { u"stackFrames"_s, frames }, { u"totalFrames"_s, total } });
}

void Adapter::scopes(const Request& r, const Args& a)
{
    const int frameId = a.value(u"frameId"_s).toInt();
    if (frameId <= 0 || frameId > m_frames.size())
        return fail(r, u"no frame %1 (frames last as long as a stop)"_s.arg(frameId));
    const int task = m_frames[frameId - 1].task;
    const SessionTask* t = viewed().task(task);
    if (!t) return fail(r, u"task %1 is gone"_s.arg(task));
    const Store store = viewed().store(task);
    m_storeScope = m_vars.addStore(store, u"store."_s);
    Variables::Entries env;
    for (auto it = t->env.cbegin(); it != t->env.cend(); ++it)
        env.append({ it.key(), it.value() });
    m_envScope = m_vars.addEntries(env, u"env."_s);

    Variables::Entries effect;
    if (!t->currentEffect.isEmpty()) effect.append({ u"label"_s, t->currentEffect });
    if (std::optional<Event> e
        = lastEvent([task](const Event& ev) { return ev.kind == EventKind::EffectYielded && ev.task == task; })) {
        effect.append({ u"effect"_s, e->text });
        effect.append({ u"step"_s, e->step });
        if (e->file) effect.append({ u"site"_s, u"%1:%2"_s.arg(QString::fromUtf8(e->file)).arg(e->line) });
        const QVariant fields = e->value;
        if (fields.typeId() == QMetaType::QVariantMap) {
            const QVariantMap map = fields.toMap();
            for (auto it = map.cbegin(); it != map.cend(); ++it)
                effect.append({ it.key(), it.value() });
        } else if (fields.isValid()) {
            effect.append({ u"fields"_s, fields });
        }
    }
    const int effectScope = m_vars.addEntries(effect, {}, true);

    Variables::Entries handlers;
    for (qsizetype i = t->k.size() - 1; i >= 0; --i)
        if (t->k[i].kind == FrameKindCode::Handler)
            handlers.append({ u"#%1"_s.arg(handlers.size()), t->k[i].description });
    const int handlerScope = m_vars.addEntries(handlers, {}, true);

    const auto scope = [](const QString& name, int reference, qsizetype count, bool expensive, const QString& hint) {
        QJsonObject s { { u"name"_s, name },
                        { u"variablesReference"_s, reference },
                        { u"namedVariables"_s, int(count) },
                        { u"expensive"_s, expensive } };
        if (!hint.isEmpty()) s[u"presentationHint"_s] = hint;
        return s;
    };
    respond(r,
            { { u"scopes"_s,
                QJsonArray { scope(u"Store"_s, m_storeScope, store.size(), store.size() > 1000, {}),
                             scope(u"Environment"_s, m_envScope, env.size(), false, {}),
                             scope(u"Current effect"_s, effectScope, effect.size(), false, u"locals"_s),
                             scope(u"Handlers"_s, handlerScope, handlers.size(), false, {}) } } });
}

void Adapter::variables(const Request& r, const Args& a)
{
    QJsonArray out;
    if (!m_vars.children(a.value(u"variablesReference"_s).toInt(), a.value(u"filter"_s).toString(),
                         a.value(u"start"_s).toInt(), a.value(u"count"_s).toInt(), &out))
        return fail(r,
                    u"no variables %1 (they last as long as a stop)"_s.arg(a.value(u"variablesReference"_s).toInt()));
    respond(r, { { u"variables"_s, out } });
}

void Adapter::source(const Request& r, const Args& a)
{
    const QString path = a.value(u"source"_s).toObject().value(u"path"_s).toString();
    QFile file(path);
    if (path.isEmpty() || !file.open(QIODevice::ReadOnly)) return fail(r, u"cannot read source '%1'"_s.arg(path));
    respond(r, { { u"content"_s, QString::fromUtf8(file.read(16 * 1024 * 1024)) } });
}

void Adapter::evaluate(const Request& r, const Args& a)
{
    const QString expression = a.value(u"expression"_s).toString().trimmed();
    if (expression.isEmpty()) return fail(r, u"nothing to evaluate"_s);
    if (m_mode == Mode::None) return fail(r, u"no program is being debugged"_s);
    int task = viewedTask();
    if (a.contains(u"frameId"_s)) {
        const int frameId = a.value(u"frameId"_s).toInt();
        if (frameId > 0 && frameId <= m_frames.size()) task = m_frames[frameId - 1].task;
    }
    const SessionState& s = viewed();
    if (expression.startsWith(u'@')) {
        bool ok = false;
        const quint64 step = expression.mid(1).toULongLong(&ok);
        QString why;
        if (!ok) return fail(r, u"'@' takes a step number, e.g. @120"_s);
        if (!canTravel(&why)) return fail(r, why);
        const quint64 present = m_session.presentState().step();
        if (step > present) return fail(r, u"step %1 is ahead of the run (it is at step %2)"_s.arg(step).arg(present));
        // the state after the whole step, as the Studio's Timeline shows it
        const std::optional<qsizetype> after
            = m_session.history()->nextHitIndexFrom(0, [step](const Event& ev) { return ev.step > step; });
        respond(r, { { u"result"_s, u"step %1"_s.arg(step) }, { u"variablesReference"_s, 0 } });
        if (!travelTo(after ? *after : m_session.history()->eventTotal(), u"goto"_s, u"Step %1"_s.arg(step), &why))
            output(u"stderr"_s, why + u'\n');
        return;
    }
    static const QRegularExpression taskForm(u"^task\\s+(\\d+)$"_s);
    if (const QRegularExpressionMatch m = taskForm.match(expression); m.hasMatch()) {
        const int id = m.captured(1).toInt();
        const SessionTask* t = s.task(id);
        if (!t) return fail(r, u"no task %1"_s.arg(id));
        const Variables::Entries fields { { u"id"_s, t->id },
                                          { u"name"_s, t->name },
                                          { u"state"_s, stateName(t->state) },
                                          { u"parent"_s, t->parent },
                                          { u"waitsOn"_s, t->waitsOn },
                                          { u"steps"_s, t->steps },
                                          { u"currentEffect"_s, t->currentEffect },
                                          { u"outcome"_s, t->outcome },
                                          { u"frames"_s, int(t->k.size()) } };
        return respond(r,
                       { { u"result"_s, u"task %1 '%2' %3"_s.arg(t->id).arg(t->name, stateName(t->state)) },
                         { u"variablesReference"_s, m_vars.addEntries(fields, {}, true) } });
    }
    static const QRegularExpression comparison(u"(==|!=|<=|>=|<|>)"_s);
    if (comparison.match(expression).hasMatch()) {
        QString error;
        const bool holds = evaluateCondition(s, task, expression, &error);
        if (!error.isEmpty()) return fail(r, error);
        return respond(r,
                       { { u"result"_s, holds ? u"true"_s : u"false"_s },
                         { u"type"_s, u"bool"_s },
                         { u"variablesReference"_s, 0 } });
    }
    const Evaluation e = evaluateName(s, task, expression);
    if (!e.value) return fail(r, e.error);
    const QJsonObject v = m_vars.variable(expression, *e.value, expression);
    QJsonObject body { { u"result"_s, v.value(u"value"_s) },
                       { u"type"_s, v.value(u"type"_s) },
                       { u"variablesReference"_s, v.value(u"variablesReference"_s) } };
    if (v.contains(u"namedVariables"_s)) body[u"namedVariables"_s] = v.value(u"namedVariables"_s);
    if (v.contains(u"indexedVariables"_s)) body[u"indexedVariables"_s] = v.value(u"indexedVariables"_s);
    respond(r, body);
}

void Adapter::exceptionInfo(const Request& r, const Args& a)
{
    const int task = std::max(0, taskOf(a));
    std::optional<Event> e;
    if (showsPause() && m_session.lastPause()->event.kind == EventKind::ErrorRaised
        && m_session.lastPause()->task == task) {
        e = m_session.lastPause()->event;
        e->file = nullptr; // not valid after the pause callback; the pause keeps its own copy
    }
    if (!e && m_session.history())
        e = lastEvent([task](const Event& ev) { return ev.kind == EventKind::ErrorRaised && ev.task == task; });
    if (!e) return fail(r, u"task %1 has raised no error"_s.arg(task));
    QString where;
    if (e->file)
        where = u"%1:%2"_s.arg(QString::fromUtf8(e->file)).arg(e->line);
    else if (showsPause() && !m_session.lastPause()->eventFile.isEmpty())
        where = u"%1:%2"_s.arg(m_session.lastPause()->eventFile).arg(m_session.lastPause()->event.line);
    QStringList path;
    if (const SessionTask* t = viewed().task(task))
        for (qsizetype i = t->k.size() - 1; i >= 0; --i)
            path << (t->k[i].kind == FrameKindCode::Program && !t->k[i].function.isEmpty()
                         ? u"%1 at %2:%3"_s.arg(t->k[i].function, t->k[i].file).arg(t->k[i].line)
                         : t->k[i].description);
    const QString trace = (where.isEmpty() ? QString() : u"raised at %1\n"_s.arg(where)) + path.join(u'\n');
    const bool uncaught = showsPause() && m_session.lastPause()->reason.contains(u"uncaught"_s, Qt::CaseInsensitive);
    respond(r,
            { { u"exceptionId"_s, e->name },
              { u"description"_s, e->text },
              { u"breakMode"_s, uncaught ? u"unhandled"_s : u"always"_s },
              { u"details"_s,
                QJsonObject { { u"message"_s, e->text },
                              { u"typeName"_s, e->name },
                              { u"evaluateName"_s, u"task %1"_s.arg(task) },
                              { u"stackTrace"_s, trace } } } });
}

} // namespace doeff::dap
