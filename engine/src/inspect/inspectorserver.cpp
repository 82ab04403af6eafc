// InspectorServer: the debuggee side of the inspector protocol (docs/inspector-protocol.md).
//
// Threads: the machine's thread encodes events (the trace encoder) and queues whole messages; a
// helper thread with its own event loop owns the QLocalSocket, writes the queue and executes the
// debugger's commands on the DebugAgent (its commands are thread-safe). A pause blocks the
// machine's thread inside DebugAgent (WaitMode::Block) or first spins a nested event loop on it
// until a resuming command has been delivered (WaitMode::EventLoop, async_run).

#include "ambient.h"
#include "inspectorwire.h"
#include "traceencoder.h"

#include <doeff/errors.h>
#include <doeff/inspector.h>

#include <QAbstractEventDispatcher>
#include <QBuffer>
#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QLocalSocket>
#include <QMutex>
#include <QThread>
#include <QTimer>
#include <QWaitCondition>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <optional>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace doeff {

using namespace inspector;

namespace inspector {

const char* messageTypeName(MessageType type)
{
    switch (type) {
    case MessageType::Hello:
        return "Hello";
    case MessageType::Events:
        return "Events";
    case MessageType::Paused:
        return "Paused";
    case MessageType::Resumed:
        return "Resumed";
    case MessageType::Result:
        return "Result";
    case MessageType::Breakpoints:
        return "Breakpoints";
    case MessageType::Error:
        return "Error";
    case MessageType::Fragment:
        return "Fragment";
    case MessageType::Attach:
        return "Attach";
    case MessageType::Command:
        return "Command";
    case MessageType::RunToLine:
        return "RunToLine";
    case MessageType::AddBreakpoint:
        return "AddBreakpoint";
    case MessageType::RemoveBreakpoint:
        return "RemoveBreakpoint";
    case MessageType::EnableBreakpoint:
        return "EnableBreakpoint";
    case MessageType::Detach:
        return "Detach";
    case MessageType::CancelTask:
        return "CancelTask";
    }
    return "?";
}

} // namespace inspector

namespace {

/// Queued bytes above which the machine's thread waits for the debugger to read (backpressure),
/// and below which it goes on again.
constexpr qint64 highWater = 8 * 1024 * 1024;
constexpr qint64 lowWater = 2 * 1024 * 1024;
/// Bytes handed to the socket at a time.
constexpr qint64 socketChunk = 1024 * 1024;
/// Events per batch at most (a batch also ends at 64 KiB, at a pause, when a task starts to
/// wait and every flushInterval).
constexpr int batchEvents = 4096;
constexpr int flushIntervalMs = 50;

struct ProtocolError {
    ErrorCode code;
    QString message;
};

class ServerIo;

/// The file QLocalSocket connects to for `name`: a bare name lives in the temporary directory.
QString socketPath(const QString& name)
{
    return QDir::isAbsolutePath(name) ? name : QDir::tempPath() + u'/' + name;
}

/// Whoever can write the socket's directory can put their own socket there first: only a
/// directory that is ours and that nobody else may write is trusted (the debuggers create a
/// private one, mode 0700). Empty when the directory is fine, else why not.
QString untrustedDirectory(const QString& path)
{
    const QString dir = QFileInfo(path).absolutePath();
    struct stat st { };
    if (::stat(QFile::encodeName(dir).constData(), &st) != 0)
        return QStringLiteral("cannot check the directory %1 of the debugger socket %2: %3")
            .arg(dir, path, QString::fromLocal8Bit(std::strerror(errno)));
    if (st.st_uid != ::getuid())
        return QStringLiteral("refusing the debugger socket %1: its directory %2 belongs to another user (uid %3), "
                              "who could have put any socket there")
            .arg(path, dir)
            .arg(st.st_uid);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return QStringLiteral("refusing the debugger socket %1: its directory %2 is writable by other users (mode "
                              "%3), who could have put their own socket there; use a private directory (mode 0700) "
                              "such as the one doeff-run --debug and the Studio create")
            .arg(path, dir)
            .arg(QString::number(st.st_mode & 07777, 8));
    return {};
}

/// The process at the other end must run as this user. Empty when it does, else why not.
QString untrustedPeer(const QString& path, qintptr descriptor)
{
    struct ucred cred { };
    socklen_t size = sizeof cred;
    if (::getsockopt(int(descriptor), SOL_SOCKET, SO_PEERCRED, &cred, &size) != 0)
        return QStringLiteral("cannot check who listens on the debugger socket %1: %2")
            .arg(path, QString::fromLocal8Bit(std::strerror(errno)));
    if (cred.uid != ::getuid())
        return QStringLiteral("refusing the debugger socket %1: it is served by another user (uid %2, pid %3)")
            .arg(path)
            .arg(cred.uid)
            .arg(cred.pid);
    return {};
}

} // namespace

struct InspectorServer::Private {
    Options options;
    DebugAgent agent { true };

    QThread ioThread;
    ServerIo* io = nullptr; ///< lives on ioThread

    // ---- shared, guarded by mutex ----
    QMutex mutex;
    QWaitCondition changed;
    QEventLoop* loop = nullptr; ///< the machine thread's nested loop while it waits (EventLoop mode)
    std::deque<QByteArray> out;
    qint64 outBytes = 0;
    bool pumpPending = false;
    bool gone = false; ///< the connection is closed (or never opened)
    bool attached = false;
    bool closing = false; ///< finish(): disconnect once everything is written
    bool resumeDelivered = false;
    OnDisconnect policy = OnDisconnect::Continue;
    quint32 version = 0; ///< the protocol version the Attach chose (0 before it)
    QString error;

    std::atomic<bool> live { false }; ///< forwarding events to the debugger
    std::atomic<bool> abortRequested { false };
    std::atomic<bool> flushRequested { false };

    // ---- machine thread ----
    trace::Encoder encoder;
    bool helloSent = false;
    bool aborted = false;
    bool finished = false;

    /// Wakes whoever waits in waitUntil(). Call with `mutex` held.
    void wakeLocked()
    {
        changed.wakeAll();
        if (loop) QMetaObject::invokeMethod(loop, &QEventLoop::quit, Qt::QueuedConnection);
    }

    bool eventLoopWait() const
    {
        return options.wait == WaitMode::EventLoop && QAbstractEventDispatcher::instance() != nullptr;
    }

    /// Waits on the machine's thread until `done()` (evaluated with `mutex` held) holds.
    template<class Pred> void waitUntil(Pred done, int timeoutMs = -1)
    {
        QDeadlineTimer deadline(timeoutMs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(timeoutMs));
        if (!eventLoopWait()) {
            QMutexLocker lock(&mutex);
            while (!done())
                if (!changed.wait(&mutex, deadline)) return;
            return;
        }
        for (;;) {
            QEventLoop nested;
            QTimer timeout;
            {
                QMutexLocker lock(&mutex);
                if (done() || deadline.hasExpired()) return;
                loop = &nested;
            }
            if (!deadline.isForever()) {
                timeout.setSingleShot(true);
                QObject::connect(&timeout, &QTimer::timeout, &nested, &QEventLoop::quit);
                timeout.start(std::max<qint64>(1, deadline.remainingTime()));
            }
            nested.exec();
            QMutexLocker lock(&mutex);
            loop = nullptr;
        }
    }

    void postPump();
    /// Queues one message; one over the limit the hello advertised goes as Fragments (version
    /// 2), so that nothing the run holds is too large to send.
    void enqueue(QByteArray message, bool mayWait = true)
    {
        const qsizetype limit = qsizetype(maxMessageSize);
        if (message.size() - 4 <= limit) return enqueueFrame(std::move(message), mayWait);
        quint32 version;
        {
            QMutexLocker lock(&mutex);
            version = this->version;
        }
        const auto type = MessageType(quint8(message.at(4)));
        if (version < 2) {
            // a version 1 debugger cannot take it; what it misses would make its state wrong
            enqueueFrame(wire::errorMessage(ErrorCode::Internal,
                                            QStringLiteral("a %1 message of %2 bytes is over the limit of %3 bytes "
                                                           "(protocol version %4 has no fragments)")
                                                .arg(QLatin1StringView(messageTypeName(type)))
                                                .arg(message.size() - 4)
                                                .arg(limit)
                                                .arg(version)),
                         false);
            live = false;
            agent.release();
            return;
        }
        const qsizetype piece = limit - 1; // the type byte counts in the length
        const char* p = message.constData() + 5;
        qsizetype left = message.size() - 5;
        while (left > piece) {
            wire::MessageWriter f(MessageType::Fragment);
            f.bytes(p, piece);
            enqueueFrame(f.finish(), mayWait);
            p += piece;
            left -= piece;
        }
        wire::MessageWriter last(type);
        last.bytes(p, left);
        enqueueFrame(last.finish(), mayWait);
    }
    void enqueueFrame(QByteArray message, bool mayWait)
    {
        bool full = false;
        {
            QMutexLocker lock(&mutex);
            if (gone) return;
            outBytes += message.size();
            out.push_back(std::move(message));
            full = outBytes > highWater;
        }
        postPump();
        if (mayWait && full) waitUntil([this] { return gone || outBytes < lowWater; });
    }

    void sendHello(const QString& program)
    {
        wire::MessageWriter m(MessageType::Hello);
        m.bytes(magic, 8);
        m.var(minProtocolVersion);
        m.var(maxProtocolVersion);
        m.var(trace::formatVersion);
        m.var(maxMessageSize);
        m.var(quint64(QCoreApplication::applicationPid()));
        m.str(program);
        m.str(options.runner);
        enqueue(m.finish());
        helloSent = true;
    }

    void sendEvents()
    {
        if (encoder.blockEmpty()) return;
        const std::unique_ptr<trace::Chunk> c = encoder.takeBlock();
        wire::MessageWriter m(MessageType::Events);
        m.var(c->strings.size());
        for (const QByteArray& b : c->strings) {
            m.var(quint64(b.size()));
            m.bytes(b);
        }
        m.var(c->locations.size());
        for (const trace::Location& l : c->locations) {
            m.var(quint64(l.file + 1));
            m.svar(l.line);
            m.var(quint64(l.function + 1));
        }
        m.bytes(c->payload);
        enqueue(m.finish());
    }

    void sendPaused(const PausedState& s)
    {
        const QList<Breakpoint> bps = agent.breakpoints();
        wire::MessageWriter m(MessageType::Paused);
        m.var(encoder.totalEvents());
        m.var(s.step);
        m.svar(s.task);
        m.str(s.reason);
        m.svar(s.breakpoint);
        m.str(s.eventFile);
        m.svar(s.event.line);
        m.str(s.eventFunction);
        m.var(quint64(bps.size()));
        for (const Breakpoint& b : bps) {
            m.var(quint64(b.id));
            m.var(quint64(b.hits));
        }
        enqueue(m.finish(), false);
    }

    void onPaused(const PausedState& s)
    {
        sendEvents();
        {
            QMutexLocker lock(&mutex);
            resumeDelivered = false;
        }
        sendPaused(s);
        // Under async_run keep the thread's event loop turning until the debugger answers;
        // DebugAgent then finds the command already pending and does not block.
        if (eventLoopWait()) waitUntil([this] { return resumeDelivered || gone; });
    }

    void onResumed()
    {
        wire::MessageWriter m(MessageType::Resumed);
        m.var(encoder.totalEvents());
        enqueue(m.finish(), false);
    }
};

namespace {

/// The socket side, on the helper thread.
class ServerIo final : public QObject {
public:
    explicit ServerIo(InspectorServer::Private* d)
        : m_d(d)
    { }

    bool connectTo(const QString& name, int timeoutMs, int handshakeTimeoutMs, QString& error)
    {
        // a debugger drives this process: it must be this user's, in a place only this user controls
        const QString path = socketPath(name);
        error = untrustedDirectory(path);
        if (!error.isEmpty()) return false;
        m_socket = new QLocalSocket(this);
        m_socket->connectToServer(path);
        if (!m_socket->waitForConnected(timeoutMs)) {
            error = QStringLiteral("cannot connect to the debugger at %1: %2").arg(path, m_socket->errorString());
            return false;
        }
        error = untrustedPeer(path, m_socket->socketDescriptor());
        if (!error.isEmpty()) {
            m_socket->abort();
            return false;
        }
        // a peer that accepts and never attaches must not keep the run paused
        m_handshake = new QTimer(this);
        m_handshake->setSingleShot(true);
        connect(m_handshake, &QTimer::timeout, this, [this, handshakeTimeoutMs] {
            {
                QMutexLocker lock(&m_d->mutex);
                if (m_d->attached || m_d->gone) return;
            }
            reject(ErrorCode::Unexpected,
                   QStringLiteral("the debugger did not attach within %1 ms").arg(handshakeTimeoutMs));
        });
        m_handshake->start(handshakeTimeoutMs);
        connect(m_socket, &QLocalSocket::readyRead, this, &ServerIo::read);
        connect(m_socket, &QLocalSocket::bytesWritten, this, &ServerIo::pump);
        connect(m_socket, &QLocalSocket::disconnected, this, [this] { lost(QString()); });
        m_timer = new QTimer(this);
        connect(m_timer, &QTimer::timeout, this,
                [this] { m_d->flushRequested.store(true, std::memory_order_relaxed); });
        m_timer->start(flushIntervalMs);
        return true;
    }

    void pump()
    {
        if (!m_socket) return;
        QMutexLocker lock(&m_d->mutex);
        m_d->pumpPending = false;
        if (m_d->gone) return;
        bool took = false;
        while (!m_d->out.empty() && m_socket->bytesToWrite() < socketChunk) {
            QByteArray msg = std::move(m_d->out.front());
            m_d->out.pop_front();
            m_d->outBytes -= msg.size();
            m_socket->write(msg);
            took = true;
        }
        if (took) m_d->wakeLocked();
        if (m_d->closing && m_d->out.empty() && m_socket->bytesToWrite() == 0) {
            m_d->gone = true;
            m_d->live = false;
            m_d->wakeLocked();
            lock.unlock();
            m_socket->disconnect(this);
            m_socket->disconnectFromServer();
        }
    }

    void shutdown()
    {
        if (m_handshake) m_handshake->stop();
        if (m_timer) m_timer->stop();
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->abort();
        }
    }

private:
    void read()
    {
        try {
            for (;;) {
                wire::Message msg;
                quint32 length = 0;
                bool attached;
                {
                    QMutexLocker lock(&m_d->mutex);
                    if (m_d->gone) return;
                    attached = m_d->attached;
                }
                const quint32 limit = attached ? maxMessageSize : maxHandshakeSize;
                switch (m_reader.next(*m_socket, limit, msg, length)) {
                case wire::FrameReader::Status::NeedMore:
                    return;
                case wire::FrameReader::Status::Oversized:
                    throw ProtocolError {
                        ErrorCode::Oversized,
                        QStringLiteral("message of %1 bytes exceeds the limit of %2 bytes").arg(length).arg(limit)
                    };
                case wire::FrameReader::Status::Empty:
                    throw ProtocolError { ErrorCode::Malformed, QStringLiteral("empty message") };
                case wire::FrameReader::Status::Ready:
                    break;
                }
                handle(msg, attached);
            }
        } catch (const ProtocolError& e) {
            reject(e.code, e.message);
        } catch (const trace::DecodeError& e) {
            reject(ErrorCode::Malformed, QStringLiteral("malformed message: ") + e.message());
        }
    }

    void handle(const wire::Message& msg, bool attached)
    {
        trace::Cursor c = wire::cursorOver(msg.payload);
        DebugAgent& agent = m_d->agent;
        if (!attached) {
            if (msg.type == MessageType::Error) return peerError(c);
            if (msg.type != MessageType::Attach)
                throw ProtocolError { ErrorCode::Unexpected,
                                      QStringLiteral("expected Attach, got message type %1").arg(int(msg.type)) };
            const quint8* m = c.take(8);
            if (std::memcmp(m, magic, 8) != 0)
                throw ProtocolError { ErrorCode::Malformed, QStringLiteral("bad magic in Attach") };
            const quint64 version = c.var();
            const quint8 policy = c.u8();
            end(c);
            if (version < minProtocolVersion || version > maxProtocolVersion)
                throw ProtocolError { ErrorCode::UnsupportedVersion,
                                      QStringLiteral(
                                          "protocol version %1 is not supported (this debuggee speaks %2 to %3)")
                                          .arg(version)
                                          .arg(minProtocolVersion)
                                          .arg(maxProtocolVersion) };
            if (policy > quint8(OnDisconnect::Stop))
                throw ProtocolError { ErrorCode::Malformed,
                                      QStringLiteral("unknown disconnect policy %1").arg(policy) };
            if (m_handshake) m_handshake->stop();
            QMutexLocker lock(&m_d->mutex);
            m_d->attached = true;
            m_d->version = quint32(version);
            m_d->policy = OnDisconnect(policy);
            return;
        }
        switch (msg.type) {
        case MessageType::Command: {
            const quint8 cmd = c.u8();
            end(c);
            if (cmd > quint8(DebugAgent::Command::Resume) || cmd == quint8(DebugAgent::Command::RunToLine))
                throw ProtocolError { ErrorCode::Malformed, QStringLiteral("unknown command %1").arg(cmd) };
            if (cmd == quint8(DebugAgent::Command::Resume) && m_d->version < 4)
                throw ProtocolError { ErrorCode::Unexpected, QStringLiteral("Resume needs protocol version 4") };
            const auto command = DebugAgent::Command(cmd);
            agent.command(command);
            if (command != DebugAgent::Command::Pause) resumed();
            return;
        }
        case MessageType::RunToLine: {
            const QString file = wire::readStr(c);
            const int line = c.intVar("line");
            end(c);
            agent.runToLine(file, line);
            resumed();
            return;
        }
        case MessageType::AddBreakpoint: {
            const quint64 tag = c.var();
            const quint8 kind = c.u8();
            const quint8 enabled = c.u8();
            Breakpoint b;
            b.pattern = wire::readStr(c);
            b.condition = wire::readStr(c);
            b.file = wire::readStr(c);
            b.line = c.intVar("line");
            if (!c.atEnd()) b.hitCount = c.intVar("hit count");
            end(c);
            if (kind > quint8(Breakpoint::Kind::SourceLine))
                throw ProtocolError { ErrorCode::Malformed, QStringLiteral("unknown breakpoint kind %1").arg(kind) };
            b.kind = Breakpoint::Kind(kind);
            const int id = agent.addBreakpoint(b);
            if (!enabled) agent.setBreakpointEnabled(id, false);
            return replyBreakpoints(tag, id);
        }
        case MessageType::RemoveBreakpoint: {
            const quint64 tag = c.var();
            const int id = c.intVar("breakpoint id");
            end(c);
            return replyBreakpoints(tag, agent.removeBreakpoint(id) ? 1 : 0);
        }
        case MessageType::EnableBreakpoint: {
            const quint64 tag = c.var();
            const int id = c.intVar("breakpoint id");
            const quint8 enabled = c.u8();
            end(c);
            return replyBreakpoints(tag, agent.setBreakpointEnabled(id, enabled != 0) ? 1 : 0);
        }
        case MessageType::CancelTask: {
            const int task = c.intVar("task id");
            end(c);
            if (m_d->version < 3)
                throw ProtocolError { ErrorCode::Unexpected, QStringLiteral("CancelTask needs protocol version 3") };
            agent.cancelTask(task);
            return;
        }
        case MessageType::Detach:
            end(c);
            return drop(OnDisconnect::Continue, QString());
        case MessageType::Error:
            return peerError(c);
        default:
            throw ProtocolError { ErrorCode::Unexpected,
                                  QStringLiteral("unexpected message type %1").arg(int(msg.type)) };
        }
    }

    static void end(const trace::Cursor& c)
    {
        if (!c.atEnd())
            throw ProtocolError { ErrorCode::Malformed,
                                  QStringLiteral("%1 unexpected bytes at the end of a message").arg(c.remaining()) };
    }

    void peerError(trace::Cursor& c)
    {
        c.var();
        const QString text = wire::readStr(c);
        lost(QStringLiteral("the debugger reported an error: ") + text);
    }

    void resumed()
    {
        QMutexLocker lock(&m_d->mutex);
        m_d->resumeDelivered = true;
        m_d->wakeLocked();
    }

    void replyBreakpoints(quint64 tag, int result)
    {
        const QList<Breakpoint> bps = m_d->agent.breakpoints();
        wire::MessageWriter m(MessageType::Breakpoints);
        m.var(tag);
        m.svar(result);
        m.var(quint64(bps.size()));
        for (const Breakpoint& b : bps) {
            m.var(quint64(b.id));
            m.u8(quint8(b.kind));
            m.u8(b.enabled ? 1 : 0);
            m.var(quint64(b.hits));
            m.str(b.pattern);
            m.str(b.condition);
            m.str(b.file);
            m.svar(b.line);
        }
        // through the queue: after the events and pauses queued before it
        QByteArray bytes = m.finish();
        {
            QMutexLocker lock(&m_d->mutex);
            m_d->outBytes += bytes.size();
            m_d->out.push_back(std::move(bytes));
        }
        pump();
    }

    void reject(ErrorCode code, const QString& message)
    {
        OnDisconnect policy;
        {
            QMutexLocker lock(&m_d->mutex);
            policy = m_d->policy;
        }
        std::fprintf(stderr, "doeff: inspector: %s; %s\n", qPrintable(message),
                     policy == OnDisconnect::Stop ? "stopping the run, as the debugger asked for when it attached"
                                                  : "going on without the debugger");
        if (m_socket && m_socket->state() == QLocalSocket::ConnectedState) {
            m_socket->write(wire::errorMessage(code, message));
            m_socket->flush();
        }
        drop(std::nullopt, message);
    }

    void lost(const QString& why) { drop(std::nullopt, why); }

    /// Ends the session: the machine goes on (or stops, as the Attach asked), never waits again.
    void drop(std::optional<OnDisconnect> forced, const QString& why)
    {
        OnDisconnect policy;
        {
            QMutexLocker lock(&m_d->mutex);
            if (m_d->gone && m_dropped) return;
            m_dropped = true;
            policy = forced.value_or(m_d->policy);
            if (!m_d->closing && !why.isEmpty() && m_d->error.isEmpty()) m_d->error = why;
            m_d->gone = true;
            m_d->live = false;
            m_d->out.clear();
            m_d->outBytes = 0;
            m_d->resumeDelivered = true;
            m_d->wakeLocked();
        }
        if (policy == OnDisconnect::Stop) {
            m_d->abortRequested = true;
            m_d->agent.stop();
        } else {
            m_d->agent.release();
        }
        if (m_timer) m_timer->stop();
        if (m_socket) {
            m_socket->disconnect(this);
            m_socket->disconnectFromServer();
        }
    }

    InspectorServer::Private* m_d;
    QLocalSocket* m_socket = nullptr;
    QTimer* m_timer = nullptr;
    QTimer* m_handshake = nullptr;
    wire::FrameReader m_reader;
    bool m_dropped = false;
};

} // namespace

void InspectorServer::Private::postPump()
{
    {
        QMutexLocker lock(&mutex);
        if (pumpPending || !io) return;
        pumpPending = true;
    }
    ServerIo* target = io;
    QMetaObject::invokeMethod(
        target, [target] { target->pump(); }, Qt::QueuedConnection);
}

InspectorServer::InspectorServer(Options options)
    : d(std::make_unique<Private>())
{
    d->options = std::move(options);
    d->agent.collectState = false; // the debugger has the state from the events
    d->agent.pausedCallback = [this](const PausedState& s) { d->onPaused(s); };
    d->agent.resumedCallback = [this] { d->onResumed(); };
    d->ioThread.setObjectName(QStringLiteral("doeff-inspector"));
    d->ioThread.start();
    d->io = new ServerIo(d.get());
    d->io->moveToThread(&d->ioThread);
    bool ok = false;
    QString error;
    ServerIo* io = d->io;
    const QString name = d->options.socketName;
    const int timeout = d->options.connectTimeoutMs;
    const int handshake = d->options.handshakeTimeoutMs;
    QMetaObject::invokeMethod(
        io, [&] { ok = io->connectTo(name, timeout, handshake, error); }, Qt::BlockingQueuedConnection);
    QMutexLocker lock(&d->mutex);
    if (!ok) {
        d->error = error;
        d->gone = true;
        return;
    }
    d->live = true;
}

InspectorServer::~InspectorServer()
{
    ServerIo* io = d->io;
    QMetaObject::invokeMethod(
        io,
        [io] {
            io->shutdown();
            delete io;
        },
        Qt::BlockingQueuedConnection);
    {
        QMutexLocker lock(&d->mutex);
        d->io = nullptr;
    }
    d->ioThread.quit();
    d->ioThread.wait();
}

namespace {
class AmbientInspector final : public detail::AmbientObserver {
public:
    explicit AmbientInspector(std::unique_ptr<InspectorServer> server)
        : m_server(std::move(server))
    { }
    Observer* observer() override { return m_server.get(); }
    void finish(const RuntimeResultBase& result) override { m_server->finish(result); }

private:
    std::unique_ptr<InspectorServer> m_server;
};

std::unique_ptr<detail::AmbientObserver> inspectorFromEnvironment(detail::AmbientRunner runner)
{
    // sync: a pause blocks the machine's thread; async: a pause turns a nested event loop, so the
    // runner's timers and I/O go on
    auto server = runner == detail::AmbientRunner::Sync
        ? InspectorServer::fromEnvironment(QStringLiteral("sync"), InspectorServer::WaitMode::Block)
        : InspectorServer::fromEnvironment(QStringLiteral("async"), InspectorServer::WaitMode::EventLoop);
    if (!server) return nullptr;
    return std::make_unique<AmbientInspector>(std::move(server));
}

// Every run consults the factory; registering from here keeps the machine below the inspector.
// The engine is one shared library, so this runs whenever the engine is loaded.
[[maybe_unused]] const bool s_registered = (detail::addAmbientObserverFactory(&inspectorFromEnvironment), true);
} // namespace

std::unique_ptr<InspectorServer> InspectorServer::fromEnvironment(const QString& runner, WaitMode wait)
{
    if (!qEnvironmentVariableIsSet(environmentVariable)) return nullptr;
    static std::atomic<bool> claimed { false };
    if (claimed.exchange(true)) return nullptr;
    Options options;
    options.socketName = qEnvironmentVariable(environmentVariable);
    options.runner = runner;
    options.wait = wait;
    bool ok = false;
    const int handshake = qEnvironmentVariableIntValue(handshakeVariable, &ok);
    if (ok && handshake > 0) options.handshakeTimeoutMs = handshake;
    qunsetenv(environmentVariable);
    if (options.socketName.isEmpty()) return nullptr;
    auto server = std::make_unique<InspectorServer>(options);
    if (!server->isConnected()) {
        std::fprintf(stderr, "doeff: %s; running without the debugger\n", qPrintable(server->errorString()));
        return nullptr;
    }
    return server;
}

bool InspectorServer::isConnected() const
{
    QMutexLocker lock(&d->mutex);
    return !d->gone;
}

QString InspectorServer::errorString() const
{
    QMutexLocker lock(&d->mutex);
    return d->error;
}

DebugAgent& InspectorServer::agent()
{
    return d->agent;
}

void InspectorServer::onEvent(const LiveEvent& e, const RunView& view)
{
    if (d->abortRequested.load(std::memory_order_relaxed) && !d->aborted) {
        d->aborted = true;
        throw AbortRun { QStringLiteral("stopped: the debugger disconnected") };
    }
    if (!d->live.load(std::memory_order_relaxed)) return;
    if (!d->helloSent) d->sendHello(e.kind == EventKind::RunStarted ? e.get<events::RunStarted>().program : QString());
    QString error;
    if (!d->encoder.encode(e, error)) {
        // the machine broke an invariant of the event stream: tell the debugger and leave
        d->enqueue(wire::errorMessage(ErrorCode::Internal, error), false);
        d->live = false;
        d->agent.release();
        return;
    }
    bool flush = d->encoder.blockFull(batchEvents) || e.kind == EventKind::RunFinished;
    if (!flush && e.kind == EventKind::TaskStateChanged) {
        const TaskStateCode state = e.get<events::TaskStateChanged>().state;
        flush = state == TaskStateCode::Blocked || state == TaskStateCode::Sleeping || state == TaskStateCode::Awaiting;
    }
    if (!flush && d->flushRequested.load(std::memory_order_relaxed)) {
        d->flushRequested.store(false, std::memory_order_relaxed);
        flush = true;
    }
    if (flush) d->sendEvents();
    d->agent.onEvent(e, view);
}

void InspectorServer::finish(const RuntimeResultBase& result)
{
    if (d->finished) return;
    d->finished = true;
    if (!d->live.load()) return;
    d->sendEvents();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    if (result.data() && result.save(buffer)) {
        wire::MessageWriter m(MessageType::Result);
        m.bytes(buffer.data());
        d->enqueue(m.finish(), false);
    }
    {
        QMutexLocker lock(&d->mutex);
        d->closing = true;
    }
    d->postPump();
    // the debugger reads what is left; a debugger that stopped reading is not waited for forever
    d->waitUntil([this] { return d->gone; }, 30000);
}

} // namespace doeff
