// Fuzzes the debuggee side of the inspector protocol (docs/inspector-protocol.md): the input is
// what a debugger sends — Attach, Command, RunToLine, the breakpoint messages, Detach, Error —
// written to an InspectorServer over a real local socket, as a debuggee reads it. Any input must
// end in an Error reply and a hang-up, or be accepted; the debuggee must never crash, and its
// DebugAgent takes whatever commands decode.
//
// Seeds: with DOEFF_FUZZ_WRITE_SEEDS=<dir>, the target writes a few command sequences a
// debugger sends (an Attach of each version and policy, then steps, breakpoints of every kind,
// run to line, detach) to <dir> and exits.

#include <doeff/inspector.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLocalServer>
#include <QLocalSocket>
#include <QTemporaryDir>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace doeff;
using inspector::MessageType;

namespace {

QCoreApplication* app = nullptr;
std::unique_ptr<QTemporaryDir> dir; // private (0700): the debuggee refuses shared directories
QLocalServer* debugger = nullptr;

// ---- seeds: the encodings of docs/inspector-protocol.md, "Debugger → debuggee" --------------

void var(QByteArray& b, quint64 v)
{
    do {
        quint8 byte = v & 0x7f;
        v >>= 7;
        if (v) byte |= 0x80;
        b.append(char(byte));
    } while (v);
}
void svar(QByteArray& b, qint64 v)
{
    var(b, (quint64(v) << 1) ^ quint64(v >> 63));
}
void str(QByteArray& b, const QByteArray& s)
{
    var(b, quint64(s.size()));
    b.append(s);
}
QByteArray frame(MessageType type, const QByteArray& payload)
{
    QByteArray out;
    const quint32 n = quint32(payload.size() + 1);
    for (int i = 0; i < 4; ++i)
        out.append(char(quint8(n >> (8 * i))));
    out.append(char(quint8(type)));
    return out + payload;
}
QByteArray attach(quint64 version, inspector::OnDisconnect policy)
{
    QByteArray p(inspector::magic, 8);
    var(p, version);
    p.append(char(policy));
    return frame(MessageType::Attach, p);
}
QByteArray command(DebugAgent::Command c)
{
    return frame(MessageType::Command, QByteArray(1, char(c)));
}
QByteArray addBreakpoint(quint64 tag, Breakpoint::Kind kind, bool enabled, const QByteArray& pattern,
                         const QByteArray& condition, const QByteArray& file, int line)
{
    QByteArray p;
    var(p, tag);
    p.append(char(kind)).append(char(enabled ? 1 : 0));
    str(p, pattern);
    str(p, condition);
    str(p, file);
    svar(p, line);
    return frame(MessageType::AddBreakpoint, p);
}
QByteArray tagged(MessageType type, quint64 tag, int id, int enabled = -1)
{
    QByteArray p;
    var(p, tag);
    svar(p, id);
    if (enabled >= 0) p.append(char(enabled));
    return frame(type, p);
}

void writeSeeds(const QString& to)
{
    QDir().mkpath(to);
    const auto save = [&](const char* name, const QByteArray& bytes) {
        QFile f(QDir(to).filePath(QString::fromLatin1(name)));
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) std::abort();
    };
    using C = DebugAgent::Command;
    using K = Breakpoint::Kind;
    const QByteArray v2 = attach(2, inspector::OnDisconnect::Continue);
    save("steps",
         v2 + command(C::StepInto) + command(C::StepOver) + command(C::StepOut) + command(C::StepEffect)
             + command(C::Pause) + command(C::Continue));
    save("stop_v1", attach(1, inspector::OnDisconnect::Stop) + command(C::StepInto) + command(C::Stop));
    QByteArray runTo;
    str(runTo, "src/main.cpp");
    svar(runTo, 42);
    save("run_to_line", v2 + frame(MessageType::RunToLine, runTo) + frame(MessageType::Detach, {}));
    save("breakpoints",
         v2 + addBreakpoint(1, K::Effect, true, "Put", "key=k", {}, 0)
             + addBreakpoint(2, K::StoreKey, true, "counter", {}, {}, 0)
             + addBreakpoint(3, K::SourceLine, false, {}, {}, "prog.cpp", 17)
             + addBreakpoint(4, K::Error, true, {}, {}, {}, 0) + addBreakpoint(5, K::TaskSpawn, true, {}, {}, {}, 0)
             + tagged(MessageType::EnableBreakpoint, 6, 3, 1) + tagged(MessageType::RemoveBreakpoint, 7, 1)
             + command(C::Continue));
    QByteArray error;
    var(error, quint64(inspector::ErrorCode::Busy));
    str(error, "bye");
    save("error", v2 + frame(MessageType::Error, error));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    app = new QCoreApplication(*argc, *argv);
    if (const QByteArray seeds = qgetenv("DOEFF_FUZZ_WRITE_SEEDS"); !seeds.isEmpty()) {
        writeSeeds(QString::fromLocal8Bit(seeds));
        std::exit(0);
    }
    dir = std::make_unique<QTemporaryDir>();
    debugger = new QLocalServer;
    debugger->setSocketOptions(QLocalServer::UserAccessOption);
    if (!dir->isValid() || !debugger->listen(dir->filePath(QStringLiteral("debugger.sock")))) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    InspectorServer::Options options;
    options.socketName = debugger->fullServerName();
    options.runner = QStringLiteral("sync");
    options.connectTimeoutMs = 5000;
    options.handshakeTimeoutMs = 60000; // the input's own Attach (or its absence) decides
    InspectorServer server(options);
    if (!server.isConnected()) std::abort();
    if (!debugger->waitForNewConnection(5000)) std::abort();
    std::unique_ptr<QLocalSocket> peer(debugger->nextPendingConnection());
    peer->write(reinterpret_cast<const char*>(data), qint64(size));
    peer->disconnectFromServer(); // writes what is buffered, then closes
    if (peer->state() != QLocalSocket::UnconnectedState) peer->waitForDisconnected(5000);
    // the server's thread reads the bytes, then the close (or hangs up first on an error)
    QElapsedTimer t;
    t.start();
    while (server.isConnected() && t.elapsed() < 5000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
    if (server.isConnected()) std::abort(); // a hang: the close must end the session
    (void)server.agent().breakpoints().size();
    return 0;
}
