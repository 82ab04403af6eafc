// Fuzzes the debugger side of the inspector protocol (docs/inspector-protocol.md): the input is
// what a debuggee sends — Hello, Events (trace frames), Paused, Result (CBOR), Breakpoints,
// Error — written to an InspectorClient over a real local socket. Any input must end in a clean
// protocol error and a hang-up, or be accepted; the client must never crash.
//
// Seeds: with DOEFF_FUZZ_WRITE_SEEDS=<dir>, the target instead runs a few programs under an
// InspectorServer, lets a real InspectorClient debug them (attach, step, continue) through a
// recording relay, writes what each debuggee sent to <dir>, and exits.

#include <doeff/doeff.h>
#include <doeff/inspector.h>
#include <doeff/inspectorclient.h>

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
#include <thread>

using namespace doeff;

namespace {

QCoreApplication* app = nullptr;

void pump(const std::function<bool()>& done, int maxMs)
{
    QElapsedTimer t;
    t.start();
    while (!done() && t.elapsed() < maxMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
}

// ---- seed programs ---------------------------------------------------------------------------

Program<int> counter()
{
    for (int i = 0; i < 3; ++i) {
        const int n = co_await Get<int>("n");
        co_await Put("n", n + 1);
        co_await Tell(QStringLiteral("n=%1").arg(n + 1));
    }
    co_return co_await Get<int>("n");
}
Program<int> worker(int i)
{
    co_await Put("w", i);
    co_return i* i;
}
Program<QVariantList> fanout()
{
    QList<GatherItem> items;
    for (int i = 0; i < 4; ++i) {
        Task<int> t = co_await Spawn(worker(i));
        items.append(t);
    }
    co_return co_await GatherAll(items);
}
Program<int> fails()
{
    co_await Put("before", 1);
    const Result<int> inner = co_await Safe(counter());
    if (inner.is_ok()) throw std::runtime_error("seed failure");
}

/// Runs `program` under an InspectorServer talking to a relay that records what it sends and
/// forwards both ways to a real InspectorClient, which steps a few times and continues.
template<class T> QByteArray recordSession(Program<T> program, int steps)
{
    InspectorClient client;
    if (!client.listen()) std::abort();
    QTemporaryDir dir;
    QLocalServer relay;
    if (!relay.listen(dir.filePath(QStringLiteral("relay.sock")))) std::abort();
    QByteArray recorded;
    QLocalSocket upstream;
    QLocalSocket* debuggee = nullptr;
    QObject::connect(&relay, &QLocalServer::newConnection, [&] {
        debuggee = relay.nextPendingConnection();
        upstream.connectToServer(client.socketName());
        upstream.waitForConnected(5000);
        QObject::connect(debuggee, &QLocalSocket::readyRead, [&] {
            const QByteArray b = debuggee->readAll();
            recorded += b;
            upstream.write(b);
        });
        QObject::connect(&upstream, &QLocalSocket::readyRead, [&] { debuggee->write(upstream.readAll()); });
        QObject::connect(debuggee, &QLocalSocket::disconnected, [&] { upstream.disconnectFromServer(); });
    });
    int stepped = 0;
    QObject::connect(&client, &InspectorClient::paused, [&] {
        if (stepped++ < steps)
            client.stepInto();
        else
            client.continueRun();
    });
    InspectorServer::Options options;
    options.socketName = relay.fullServerName();
    options.runner = QStringLiteral("sync");
    std::thread machine([&] {
        InspectorServer server(options);
        RunOptions ro;
        ro.observers = { &server };
        auto r = sync_run(std::move(program), sync_handlers_preset(), {}, Store { { QStringLiteral("n"), 0 } }, ro);
        server.finish(r);
    });
    bool done = false;
    QObject::connect(&client, &InspectorClient::finished, [&] { done = true; });
    pump([&] { return done; }, 30000);
    machine.join();
    return recorded;
}

void writeSeeds(const QString& dir)
{
    QDir().mkpath(dir);
    const auto save = [&](const char* name, const QByteArray& bytes) {
        QFile f(QDir(dir).filePath(QString::fromLatin1(name)));
        if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size()) std::abort();
    };
    save("counter", recordSession(counter(), 5));
    save("counter_stepped", recordSession(counter(), 40));
    save("fanout", recordSession(fanout(), 10));
    save("fails", recordSession(fails(), 3));
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    app = new QCoreApplication(*argc, *argv);
    if (const QByteArray dir = qgetenv("DOEFF_FUZZ_WRITE_SEEDS"); !dir.isEmpty()) {
        writeSeeds(QString::fromLocal8Bit(dir));
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    InspectorClient client;
    if (!client.listen()) std::abort();
    bool over = false; // the client hung up on a protocol error, or saw its debuggee go
    QObject::connect(&client, &InspectorClient::errorOccurred, [&] { over = true; });
    QObject::connect(&client, &InspectorClient::finished, [&] { over = true; });
    QLocalSocket peer;
    peer.connectToServer(client.socketName());
    if (!peer.waitForConnected(5000)) std::abort();
    peer.write(reinterpret_cast<const char*>(data), qint64(size));
    peer.disconnectFromServer(); // writes what is buffered, then closes
    if (peer.state() != QLocalSocket::UnconnectedState) peer.waitForDisconnected(5000);
    // the bytes and the close are in the client's socket now: a few rounds deliver them
    for (int round = 0; round < 8 && !over; ++round)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
    (void)client.session().tasks().size();
    return 0;
}
