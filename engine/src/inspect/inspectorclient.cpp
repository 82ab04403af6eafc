// InspectorClient: the debugger side of the inspector protocol (docs/inspector-protocol.md).

#include "inspectorwire.h"
#include "traceencoder.h"

#include <doeff/errors.h>
#include <doeff/inspectorclient.h>

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <climits>
#include <csignal>
#include <cstring>
#include <limits>
#include <utility>

#include <sys/prctl.h>
#include <unistd.h>

namespace doeff {

using namespace inspector;

namespace {

struct ClientError {
    ErrorCode code;
    QString message;
};

void end(const trace::Cursor& c)
{
    if (!c.atEnd())
        throw ClientError { ErrorCode::Malformed,
                            QStringLiteral("%1 unexpected bytes at the end of a message").arg(c.remaining()) };
}

/// A private directory for the socket: the runtime directory when it is usable, else the
/// temporary directory. QTemporaryDir creates it with mode 0700.
std::unique_ptr<QTemporaryDir> privateDir()
{
    // XDG_RUNTIME_DIR when it is set (asking QStandardPaths without it only prints a warning)
    QString base;
    if (qEnvironmentVariableIsSet("XDG_RUNTIME_DIR"))
        base = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (base.isEmpty() || !QFileInfo(base).isDir() || !QFileInfo(base).isWritable()) base = QDir::tempPath();
    auto dir = std::make_unique<QTemporaryDir>(base + QStringLiteral("/doeff-inspect-XXXXXX"));
    if (!dir->isValid())
        dir = std::make_unique<QTemporaryDir>(QDir::tempPath() + QStringLiteral("/doeff-inspect-XXXXXX"));
    return dir;
}

} // namespace

struct InspectorClient::Private {
    std::unique_ptr<QTemporaryDir> dir;
    QLocalServer* server = nullptr;
    QLocalSocket* peer = nullptr; ///< the debuggee (or a stranger before its hello)
    bool helloSeen = false;
    QProcess* process = nullptr;
    bool launched = false;
    bool finishedEmitted = false;
    bool stopOnDisconnect = false;
    int tailLines = 20;
    bool keepEvents = false;
    QList<Event> kept;
    QString workingDirectory;
    QString stderrPartial;
    wire::FrameReader reader;
    std::unique_ptr<trace::MirrorTables> tables;
    QByteArray fragments; ///< the Fragments of the message being reassembled
    quint64 events = 0;
    quint64 nextTag = 1;
};

InspectorClient::InspectorClient(QObject* parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{ }

InspectorClient::~InspectorClient()
{
    if (d->process && d->process->state() != QProcess::NotRunning) {
        d->process->disconnect(this);
        d->process->kill();
        d->process->waitForFinished(5000);
    }
    if (d->peer) d->peer->disconnect(this);
}

void InspectorClient::setStopOnDisconnect(bool stop)
{
    d->stopOnDisconnect = stop;
}

void InspectorClient::setStderrTailLines(int lines)
{
    d->tailLines = std::max(0, lines);
}

void InspectorClient::setKeepEvents(bool keep)
{
    d->keepEvents = keep;
    if (!keep) d->kept.clear();
}

QList<Event> InspectorClient::takeEvents()
{
    return std::exchange(d->kept, {});
}

void InspectorClient::setWorkingDirectory(const QString& directory)
{
    d->workingDirectory = directory;
}

void InspectorClient::setState(State s)
{
    m_state = s;
}

bool InspectorClient::listen()
{
    if (d->server && d->server->isListening()) return true;
    d->dir = privateDir();
    if (!d->dir->isValid()) {
        m_error
            = QStringLiteral("cannot create a private directory for the inspector socket: ") + d->dir->errorString();
        return false;
    }
    d->server = new QLocalServer(this);
    d->server->setSocketOptions(QLocalServer::UserAccessOption);
    d->server->setMaxPendingConnections(4);
    const QString path = d->dir->filePath(QStringLiteral("inspector.sock"));
    if (!d->server->listen(path)) {
        m_error = QStringLiteral("cannot listen on %1: %2").arg(path, d->server->errorString());
        delete d->server;
        d->server = nullptr;
        return false;
    }
    connect(d->server, &QLocalServer::newConnection, this, &InspectorClient::onNewConnection);
    setState(State::Listening);
    return true;
}

QString InspectorClient::socketName() const
{
    return d->server ? d->server->fullServerName() : QString();
}

bool InspectorClient::launch(const QString& executable, const QStringList& arguments,
                             const QProcessEnvironment& environment)
{
    if (d->launched && !d->finishedEmitted) {
        m_error = QStringLiteral("a debuggee is already running");
        return false;
    }
    if (!listen()) return false;
    // a fresh session
    m_session = SessionState();
    m_hello = {};
    m_pause = {};
    m_breakpoints.clear();
    m_result.reset();
    m_processDone = false;
    m_exitCode = 0;
    m_exitStatus = QProcess::NormalExit;
    m_stderrTail.clear();
    m_error.clear();
    d->stderrPartial.clear();
    d->finishedEmitted = false;
    d->events = 0;
    d->kept.clear();
    d->tables = std::make_unique<trace::MirrorTables>();
    if (d->process) d->process->deleteLater();
    d->process = new QProcess(this);
    if (!d->workingDirectory.isEmpty()) d->process->setWorkingDirectory(d->workingDirectory);
    QProcessEnvironment env = environment;
    env.insert(QString::fromLatin1(environmentVariable), socketName());
    d->process->setProcessEnvironment(env);
    // The debuggee dies with its debugger: a debugger killed without a chance to stop it must
    // not leave a program running on (paused forever, or looping at full speed) with no one to
    // stop it. The signal follows the thread that forked, which is this object's thread; if the
    // debugger died before prctl took effect, getppid() no longer names it.
    const pid_t debugger = ::getpid();
    d->process->setChildProcessModifier([debugger] {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != debugger) ::_exit(127);
    });
    connect(d->process, &QProcess::readyReadStandardOutput, this,
            [this] { Q_EMIT outputReceived(QString::fromLocal8Bit(d->process->readAllStandardOutput())); });
    connect(d->process, &QProcess::readyReadStandardError, this, &InspectorClient::readStderr);
    QProcess* proc = d->process;
    connect(proc, &QProcess::finished, this, [this, proc](int code, QProcess::ExitStatus status) {
        if (proc != d->process) return;
        readStderr();
        if (!d->stderrPartial.isEmpty()) {
            m_stderrTail.append(d->stderrPartial);
            d->stderrPartial.clear();
        }
        m_processDone = true;
        m_exitCode = code;
        m_exitStatus = status;
        // drain what the socket still holds before judging
        if (d->peer) onReadyRead();
        maybeFinish();
    });
    connect(proc, &QProcess::errorOccurred, this, [this, proc](QProcess::ProcessError e) {
        if (proc != d->process || e != QProcess::FailedToStart) return;
        m_error = QStringLiteral("cannot start %1: %2").arg(proc->program(), proc->errorString());
        m_processDone = true;
        m_exitCode = -1;
        Q_EMIT errorOccurred(m_error);
        maybeFinish();
    });
    d->launched = true;
    setState(State::Listening);
    d->process->start(executable, arguments);
    return true;
}

void InspectorClient::kill()
{
    if (d->process && d->process->state() != QProcess::NotRunning) d->process->kill();
}

void InspectorClient::readStderr()
{
    if (!d->process) return;
    const QString text = QString::fromLocal8Bit(d->process->readAllStandardError());
    if (text.isEmpty()) return;
    Q_EMIT errorOutputReceived(text);
    QStringList lines = QString(d->stderrPartial + text).split(u'\n');
    d->stderrPartial = lines.takeLast();
    m_stderrTail.append(lines);
    while (m_stderrTail.size() > d->tailLines)
        m_stderrTail.removeFirst();
}

void InspectorClient::onNewConnection()
{
    while (QLocalSocket* s = d->server->nextPendingConnection()) {
        if (d->peer) {
            // one debuggee at a time
            s->write(wire::errorMessage(ErrorCode::Busy, QStringLiteral("this debugger already has a debuggee")));
            s->disconnectFromServer();
            connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
            continue;
        }
        d->peer = s;
        d->helloSeen = false;
        d->reader = {};
        d->fragments.clear();
        if (!d->tables) d->tables = std::make_unique<trace::MirrorTables>();
        connect(s, &QLocalSocket::readyRead, this, &InspectorClient::onReadyRead);
        connect(s, &QLocalSocket::disconnected, this, &InspectorClient::onDisconnected);
        if (s->bytesAvailable() > 0) onReadyRead();
    }
}

void InspectorClient::onReadyRead()
{
    QLocalSocket* s = d->peer;
    while (s && s == d->peer) {
        wire::Message msg;
        quint32 length = 0;
        const quint32 limit = d->helloSeen ? maxMessageSize : maxHandshakeSize;
        const auto status = d->reader.next(*s, limit, msg, length);
        if (status == wire::FrameReader::Status::NeedMore) return;
        if (status == wire::FrameReader::Status::Oversized) {
            protocolError(int(ErrorCode::Oversized),
                          QStringLiteral("message of %1 bytes exceeds the limit of %2 bytes").arg(length).arg(limit));
            return;
        }
        if (status == wire::FrameReader::Status::Empty) {
            protocolError(int(ErrorCode::Malformed), QStringLiteral("empty message"));
            return;
        }
        try {
            // version 2: a message over the limit arrives as Fragments, then its last piece
            if (msg.type == MessageType::Fragment && d->helloSeen && m_hello.version >= 2) {
                d->fragments.append(msg.payload);
                continue;
            }
            if (!d->fragments.isEmpty()) msg.payload.prepend(std::exchange(d->fragments, {}));
            handleMessage(quint8(msg.type), msg.payload);
        } catch (const ClientError& e) {
            protocolError(int(e.code), e.message);
            return;
        } catch (const trace::DecodeError& e) {
            protocolError(int(ErrorCode::Malformed),
                          QStringLiteral("malformed %1 message: ").arg(QLatin1StringView(messageTypeName(msg.type)))
                              + e.message());
            return;
        }
    }
}

void InspectorClient::handleMessage(quint8 type, const QByteArray& payload)
{
    const auto t = MessageType(type);
    if (!d->helloSeen) {
        if (t != MessageType::Hello)
            throw ClientError { ErrorCode::Unexpected,
                                QStringLiteral("expected Hello, got message type %1").arg(type) };
        handleHello(payload);
        return;
    }
    trace::Cursor c = wire::cursorOver(payload);
    switch (t) {
    case MessageType::Events:
        handleEvents(payload);
        return;
    case MessageType::Paused: {
        InspectorPause p;
        p.eventCount = c.var();
        p.step = c.var();
        p.task = c.intVar("task");
        p.reason = wire::readStr(c);
        p.breakpoint = c.intVar("breakpoint");
        p.file = wire::readStr(c);
        p.line = c.intVar("line");
        p.function = wire::readStr(c);
        const quint64 n = c.count("breakpoint", 2);
        QHash<int, int> hits;
        for (quint64 i = 0; i < n; ++i) {
            const int id = int(std::min<quint64>(c.var(), quint64(INT_MAX)));
            hits.insert(id, int(std::min<quint64>(c.var(), quint64(INT_MAX))));
        }
        end(c);
        if (p.eventCount != d->events)
            throw ClientError {
                ErrorCode::Malformed,
                QStringLiteral("paused after event %1, but %2 events arrived").arg(p.eventCount).arg(d->events)
            };
        for (Breakpoint& b : m_breakpoints)
            b.hits = hits.value(b.id, b.hits);
        m_pause = p;
        setState(State::Paused);
        Q_EMIT paused();
        return;
    }
    case MessageType::Resumed:
        c.var();
        end(c);
        setState(State::Running);
        Q_EMIT resumed();
        return;
    case MessageType::Result: {
        QBuffer buffer;
        buffer.setData(payload);
        buffer.open(QIODevice::ReadOnly);
        try {
            m_result = load_result(buffer, QStringLiteral("the debuggee's result"));
        } catch (const ResultFileError& e) {
            throw ClientError { ErrorCode::Malformed, e.message() };
        }
        Q_EMIT resultReceived();
        return;
    }
    case MessageType::Breakpoints: {
        const quint64 tag = c.var();
        const int result = c.intVar("result");
        const quint64 n = c.count("breakpoint", 8);
        QList<Breakpoint> list;
        for (quint64 i = 0; i < n; ++i) {
            Breakpoint b;
            b.id = int(std::min<quint64>(c.var(), quint64(INT_MAX)));
            const quint8 kind = c.u8();
            if (kind > quint8(Breakpoint::Kind::SourceLine))
                throw ClientError { ErrorCode::Malformed, QStringLiteral("unknown breakpoint kind %1").arg(kind) };
            b.kind = Breakpoint::Kind(kind);
            b.enabled = c.u8() != 0;
            b.hits = int(std::min<quint64>(c.var(), quint64(INT_MAX)));
            b.pattern = wire::readStr(c);
            b.condition = wire::readStr(c);
            b.file = wire::readStr(c);
            b.line = c.intVar("line");
            list.append(b);
        }
        end(c);
        m_breakpoints = list;
        Q_EMIT breakpointsChanged(tag, result);
        return;
    }
    case MessageType::Error: {
        c.var();
        const QString text = wire::readStr(c);
        m_error = QStringLiteral("the debuggee reported an error: ") + text;
        Q_EMIT errorOccurred(m_error);
        return;
    }
    default:
        throw ClientError { ErrorCode::Unexpected, QStringLiteral("unexpected message type %1").arg(type) };
    }
}

void InspectorClient::handleHello(const QByteArray& payload)
{
    trace::Cursor c = wire::cursorOver(payload);
    if (std::memcmp(c.take(8), magic, 8) != 0)
        throw ClientError { ErrorCode::Malformed, QStringLiteral("not a doeff debuggee (bad magic)") };
    InspectorHello h;
    const quint64 lo = c.var();
    const quint64 hi = c.var();
    const quint64 traceVersion = c.var();
    c.var(); // the peer's message limit: ours is the same or we refuse its messages
    h.pid = qint64(std::min<quint64>(c.var(), quint64(std::numeric_limits<qint64>::max())));
    h.program = wire::readStr(c);
    h.runner = wire::readStr(c);
    end(c);
    if (lo > hi || hi < minProtocolVersion || lo > maxProtocolVersion)
        throw ClientError { ErrorCode::UnsupportedVersion,
                            QStringLiteral("the debuggee speaks protocol versions %1 to %2, this debugger %3 to %4")
                                .arg(lo)
                                .arg(hi)
                                .arg(minProtocolVersion)
                                .arg(maxProtocolVersion) };
    if (!trace::readableVersion(traceVersion))
        throw ClientError { ErrorCode::UnsupportedVersion,
                            QStringLiteral(
                                "the debuggee encodes events in trace format %1, this debugger reads %2 to %3")
                                .arg(traceVersion)
                                .arg(trace::oldestReadableVersion)
                                .arg(trace::formatVersion) };
    h.minVersion = quint32(lo);
    h.maxVersion = quint32(hi);
    h.version = quint32(std::min<quint64>(hi, maxProtocolVersion));
    m_hello = h;
    d->helloSeen = true;
    if (!d->launched) {
        // attached by someone else's launch: a fresh session all the same
        m_session = SessionState();
        d->events = 0;
        d->kept.clear();
        d->tables = std::make_unique<trace::MirrorTables>();
    }
    wire::MessageWriter m(MessageType::Attach);
    m.bytes(magic, 8);
    m.var(h.version);
    m.u8(quint8(d->stopOnDisconnect ? OnDisconnect::Stop : OnDisconnect::Continue));
    send(m.finish());
    setState(State::Running);
    Q_EMIT attached();
}

void InspectorClient::handleEvents(const QByteArray& payload)
{
    trace::Cursor c = wire::cursorOver(payload);
    trace::MirrorTables& t = *d->tables;
    const quint64 strings = c.count("string", 1);
    for (quint64 i = 0; i < strings; ++i) {
        const quint64 n = c.var();
        const quint8* p = c.take(n);
        t.addString(QByteArray(reinterpret_cast<const char*>(p), qsizetype(n)));
    }
    const quint64 locations = c.count("location", 3);
    for (quint64 i = 0; i < locations; ++i) {
        trace::Location l;
        const quint64 file = c.var();
        l.line = c.intVar("line");
        const quint64 function = c.var();
        if (file > t.stringCount() || function > t.stringCount())
            c.fail(QStringLiteral("bad string id in location %1").arg(t.locationCount()));
        l.file = qint64(file) - 1;
        l.function = qint64(function) - 1;
        t.addLocation(l);
    }
    const quint8* blockStart = c.ptr();
    const quint64 first = c.fixed64();
    const quint32 count = c.fixed32();
    const quint64 baseStep = c.fixed64();
    if (first != d->events) c.fail(QStringLiteral("events start at %1, expected %2").arg(first).arg(d->events));
    if (count == 0) c.fail(QStringLiteral("empty event batch"));
    trace::Cursor block(blockStart, c.end(), c.pos() - trace::blockHeaderSize);
    block.seek(trace::blockHeaderSize);
    trace::EventDecoder decoder(block, t, first, baseStep);
    // without keepEvents, values SessionState ignores are skipped (still validated)
    decoder.setReduceOnly(!d->keepEvents);
    Event e;
    quint32 n = 0;
    while (n < count) {
        if (decoder.atEnd()) c.fail(QStringLiteral("batch holds %1 events, not %2").arg(n).arg(count));
        decoder.next(e);
        m_session.apply(e);
        if (d->keepEvents) d->kept.append(e);
        ++n;
        ++d->events;
    }
    if (!decoder.atEnd()) c.fail(QStringLiteral("bytes after the %1 events of a batch").arg(count));
    Q_EMIT eventsReceived(first, int(count));
}

void InspectorClient::protocolError(int code, const QString& message)
{
    m_error = message;
    QLocalSocket* s = d->peer;
    const bool wasDebuggee = d->helloSeen;
    if (s) {
        s->write(wire::errorMessage(ErrorCode(code), message));
        s->flush();
        s->disconnect(this);
        connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
        s->disconnectFromServer();
        if (s->state() == QLocalSocket::UnconnectedState) s->deleteLater();
        d->peer = nullptr;
        d->helloSeen = false;
    }
    Q_EMIT errorOccurred(message);
    // a stranger that never said hello does not end the session: keep listening for the debuggee
    if (wasDebuggee) {
        setState(State::Detached);
        maybeFinish();
    }
}

void InspectorClient::onDisconnected()
{
    QLocalSocket* s = d->peer;
    if (!s) return;
    onReadyRead(); // whatever arrived before the close
    if (d->peer != s) return;
    s->disconnect(this);
    s->deleteLater();
    d->peer = nullptr;
    const bool wasDebuggee = d->helloSeen;
    d->helloSeen = false;
    if (wasDebuggee) {
        setState(State::Detached);
        maybeFinish();
    }
}

void InspectorClient::maybeFinish()
{
    if (d->finishedEmitted) return;
    if (d->launched && !m_processDone) return;
    if (d->peer && d->peer->state() == QLocalSocket::ConnectedState && d->helloSeen) return;
    d->finishedEmitted = true;
    setState(State::Finished);
    Q_EMIT finished();
}

QString InspectorClient::finishSummary() const
{
    QString s;
    if (!m_processDone)
        s = QStringLiteral("the debuggee disconnected");
    else if (m_exitStatus == QProcess::CrashExit)
        s = QStringLiteral("the debuggee crashed (signal %1%2)")
                .arg(m_exitCode)
                .arg(m_exitCode > 0 && m_exitCode < NSIG
                         ? QStringLiteral(": ") + QString::fromLocal8Bit(strsignal(m_exitCode))
                         : QString());
    else if (m_exitCode == -1)
        s = QStringLiteral("the debuggee did not start");
    else
        s = QStringLiteral("the debuggee exited with status %1").arg(m_exitCode);
    if (!m_result) {
        s += QStringLiteral(" at step %1 (%2 events)").arg(m_session.step()).arg(m_session.eventCount());
        if (m_session.currentTask() >= 0) s += QStringLiteral(", in task %1").arg(m_session.currentTask());
    } else {
        s += QStringLiteral(" after the run ended: ") + m_session.status();
    }
    if (!m_stderrTail.isEmpty())
        s += QStringLiteral("\nlast stderr lines:\n  ") + m_stderrTail.join(QStringLiteral("\n  "));
    return s;
}

bool InspectorClient::send(const QByteArray& message)
{
    if (!d->peer || !d->helloSeen || d->peer->state() != QLocalSocket::ConnectedState) return false;
    d->peer->write(message);
    return true;
}

bool InspectorClient::command(DebugAgent::Command c)
{
    wire::MessageWriter m(MessageType::Command);
    m.u8(quint8(c));
    return send(m.finish());
}

bool InspectorClient::continueRun()
{
    return command(DebugAgent::Command::Continue);
}
bool InspectorClient::pause()
{
    return command(DebugAgent::Command::Pause);
}
bool InspectorClient::stepInto()
{
    return command(DebugAgent::Command::StepInto);
}
bool InspectorClient::stepEffect()
{
    return command(DebugAgent::Command::StepEffect);
}
bool InspectorClient::stepOver()
{
    return command(DebugAgent::Command::StepOver);
}
bool InspectorClient::stepOut()
{
    return command(DebugAgent::Command::StepOut);
}
bool InspectorClient::stop()
{
    return command(DebugAgent::Command::Stop);
}

bool InspectorClient::runToLine(const QString& file, int line)
{
    wire::MessageWriter m(MessageType::RunToLine);
    m.str(file);
    m.svar(line);
    return send(m.finish());
}

bool InspectorClient::cancelTask(int task)
{
    if (m_hello.version < 3) {
        m_error = QStringLiteral("the debuggee speaks protocol version %1, and cancelling a task needs 3")
                      .arg(m_hello.version);
        return false;
    }
    wire::MessageWriter m(MessageType::CancelTask);
    m.svar(task);
    return send(m.finish());
}

bool InspectorClient::resumeMove()
{
    if (m_hello.version < 4) {
        m_error = QStringLiteral("the debuggee speaks protocol version %1, and going on with an interrupted move "
                                 "needs 4")
                      .arg(m_hello.version);
        return false;
    }
    return command(DebugAgent::Command::Resume);
}

bool InspectorClient::detach()
{
    wire::MessageWriter m(MessageType::Detach);
    if (!send(m.finish())) return false;
    d->peer->flush();
    return true;
}

quint64 InspectorClient::addBreakpoint(const Breakpoint& b)
{
    const quint64 tag = d->nextTag++;
    wire::MessageWriter m(MessageType::AddBreakpoint);
    m.var(tag);
    m.u8(quint8(b.kind));
    m.u8(b.enabled ? 1 : 0);
    m.str(b.pattern);
    m.str(b.condition);
    m.str(b.file);
    m.svar(b.line);
    if (b.hitCount > 0) m.svar(b.hitCount); // optional: older debuggees take none
    return send(m.finish()) ? tag : 0;
}

quint64 InspectorClient::removeBreakpoint(int id)
{
    const quint64 tag = d->nextTag++;
    wire::MessageWriter m(MessageType::RemoveBreakpoint);
    m.var(tag);
    m.svar(id);
    return send(m.finish()) ? tag : 0;
}

quint64 InspectorClient::setBreakpointEnabled(int id, bool enabled)
{
    const quint64 tag = d->nextTag++;
    wire::MessageWriter m(MessageType::EnableBreakpoint);
    m.var(tag);
    m.svar(id);
    m.u8(enabled ? 1 : 0);
    return send(m.finish()) ? tag : 0;
}

} // namespace doeff
