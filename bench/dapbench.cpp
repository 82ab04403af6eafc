// doeff-dap-bench: the Debug Adapter Protocol server's step round trip (see README.md).
//
//   doeff-dap-bench [STEPS] [DOEFF_DAP] [KEYS] [TASKS]
//
// Starts doeff-dap as an editor does (a child process speaking DAP on its stdin/stdout) and
// launches this same executable as the debuggee: a program with KEYS store keys (10,000) and
// TASKS tasks (1,000) blocked on a promise, paused where it Tells "ready". Then STEPS times (default 50), one
// step as an editor makes it: `next` → the `stopped` event → threads → stackTrace → scopes →
// the first page (100) of the Store's variables; the time of the whole exchange. Also one full
// fetch of the 10,000 store variables. Prints the figures with PASS/MISS; never fails on time.

#include <doeff/doeff.h>

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

Program<int> waiter(Future<QVariant> f)
{
    co_await Wait(f);
    co_return 1;
}

/// `keys` store keys, `tasks` blocked tasks, then a loop of effects to step through.
Program<int> bigState(int steps, int keys, int tasks)
{
    for (int i = 0; i < keys; ++i)
        co_await Put(u"key%1"_s.arg(i), i);
    auto promise = co_await CreatePromise<QVariant>();
    for (int i = 0; i < tasks; ++i)
        co_await Spawn(waiter(promise.future()));
    co_await Tell(u"ready"_s);
    for (int i = 0; i < steps; ++i) {
        const int v = co_await Get<int>(u"key%1"_s.arg(i % keys));
        co_await Put(u"key%1"_s.arg(i % keys), v + 1);
    }
    co_await CompletePromise(promise, QVariant(0));
    co_return steps;
}

/// A blocking DAP client over a child process (enough for a benchmark).
class Client {
public:
    explicit Client(const QString& adapter)
    {
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.setReadChannel(QProcess::StandardOutput);
        m_process.start(adapter, {});
    }
    ~Client()
    {
        m_process.kill();
        m_process.waitForFinished(2000);
    }
    bool started() { return m_process.waitForStarted(5000); }
    int send(const QString& command, const QJsonObject& arguments = {})
    {
        const QJsonObject m {
            { u"seq"_s, m_seq }, { u"type"_s, u"request"_s }, { u"command"_s, command }, { u"arguments"_s, arguments }
        };
        const QByteArray body = QJsonDocument(m).toJson(QJsonDocument::Compact);
        m_process.write("Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        return m_seq++;
    }
    /// The next message; an empty object when the adapter said nothing for 30 s.
    QJsonObject read()
    {
        for (;;) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end >= 0) {
                const qsizetype length = m_buffer.mid(16, end - 16).trimmed().toLongLong();
                if (m_buffer.size() >= end + 4 + length) {
                    const QByteArray body = m_buffer.mid(end + 4, length);
                    m_buffer.remove(0, end + 4 + length);
                    return QJsonDocument::fromJson(body).object();
                }
            }
            if (!m_process.waitForReadyRead(30000)) return {};
            m_buffer += m_process.readAllStandardOutput();
        }
    }
    QJsonObject request(const QString& command, const QJsonObject& arguments = {})
    {
        const int seq = send(command, arguments);
        for (QJsonObject m = read(); !m.isEmpty(); m = read())
            if (m.value(u"type"_s) == u"response"_s && m.value(u"request_seq"_s).toInt() == seq) return m;
        return {};
    }
    QJsonObject waitEvent(const QString& name)
    {
        for (QJsonObject m = read(); !m.isEmpty(); m = read())
            if (m.value(u"event"_s) == name) return m;
        return {};
    }

private:
    QProcess m_process;
    QByteArray m_buffer;
    int m_seq = 1;
};

double percentile(std::vector<double> v, double p)
{
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

} // namespace

int main(int argc, char* argv[])
{
    QCoreApplication app(argc, argv);
    if (argc > 1 && qstrcmp(argv[1], "--debuggee") == 0) {
        auto r = sync_run(bigState(argc > 2 ? atoi(argv[2]) : 100, argc > 3 ? std::max(1, atoi(argv[3])) : 10000,
                                   argc > 4 ? std::max(0, atoi(argv[4])) : 1000),
                          sync_handlers_preset());
        return r.is_ok() ? 0 : 1;
    }
    const int steps = argc > 1 ? std::max(1, atoi(argv[1])) : 50;
    const QString adapter
        = argc > 2 && argv[2][0] ? QString::fromLocal8Bit(argv[2]) : QStringLiteral(DOEFF_DAP_BUILD_PATH);
    const QString keyCount = argc > 3 ? QString::fromLocal8Bit(argv[3]) : u"10000"_s;
    const QString taskCount = argc > 4 ? QString::fromLocal8Bit(argv[4]) : u"1000"_s;
#if !defined(__OPTIMIZE__)
    std::fprintf(stderr, "warning: not an optimised build; the numbers mean little\n");
#endif
    Client c(adapter);
    if (!c.started()) {
        std::fprintf(stderr, "doeff-dap-bench: cannot start %s\n", qPrintable(adapter));
        return 2;
    }
    c.request(u"initialize"_s, { { u"adapterID"_s, u"doeff"_s } });
    QElapsedTimer total;
    total.start();
    const QJsonObject launched = c.request(
        u"launch"_s,
        { { u"program"_s, QFileInfo(QCoreApplication::applicationFilePath()).absoluteFilePath() },
          { u"args"_s, QJsonArray { u"--debuggee"_s, QString::number(steps + 10), keyCount, taskCount } } });
    if (!launched.value(u"success"_s).toBool()) {
        std::fprintf(stderr, "doeff-dap-bench: launch failed: %s\n",
                     qPrintable(launched.value(u"message"_s).toString()));
        return 2;
    }
    c.request(u"setFunctionBreakpoints"_s,
              { { u"breakpoints"_s, QJsonArray { QJsonObject { { u"name"_s, u"Tell"_s } } } } });
    c.request(u"configurationDone"_s);
    if (c.waitEvent(u"stopped"_s).isEmpty()) return 2;
    std::printf("set-up: launch to the pause with %s keys and %s tasks: %.0f ms\n", qPrintable(keyCount),
                qPrintable(taskCount), double(total.elapsed()));
    c.request(u"setFunctionBreakpoints"_s, { { u"breakpoints"_s, QJsonArray() } });

    std::vector<double> roundTrips;
    int threads = 0;
    int storeScope = 0;
    for (int i = 0; i < steps; ++i) {
        QElapsedTimer t;
        t.start();
        c.request(u"next"_s, { { u"threadId"_s, 1 } });
        const QJsonObject stopped = c.waitEvent(u"stopped"_s);
        if (stopped.isEmpty()) return 2;
        const int thread = stopped.value(u"body"_s).toObject().value(u"threadId"_s).toInt();
        threads = c.request(u"threads"_s).value(u"body"_s).toObject().value(u"threads"_s).toArray().size();
        const QJsonArray frames = c.request(u"stackTrace"_s, { { u"threadId"_s, thread }, { u"levels"_s, 20 } })
                                      .value(u"body"_s)
                                      .toObject()
                                      .value(u"stackFrames"_s)
                                      .toArray();
        const QJsonArray scopes
            = c.request(u"scopes"_s, { { u"frameId"_s, frames.first().toObject().value(u"id"_s).toInt() } })
                  .value(u"body"_s)
                  .toObject()
                  .value(u"scopes"_s)
                  .toArray();
        storeScope = scopes.first().toObject().value(u"variablesReference"_s).toInt();
        c.request(u"variables"_s, { { u"variablesReference"_s, storeScope }, { u"start"_s, 0 }, { u"count"_s, 100 } });
        roundTrips.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    QElapsedTimer full;
    full.start();
    const int keys = c.request(u"variables"_s, { { u"variablesReference"_s, storeScope } })
                         .value(u"body"_s)
                         .toObject()
                         .value(u"variables"_s)
                         .toArray()
                         .size();
    const double fullMs = double(full.nsecsElapsed()) / 1e6;
    c.request(u"disconnect"_s);

    const double median = percentile(roundTrips, 0.5), p95 = percentile(roundTrips, 0.95);
    std::printf("step round trip (next, stopped, threads, stackTrace, scopes, 100 store variables), "
                "%d threads, %d store keys, %d steps:\n",
                threads, keys, steps);
    std::printf("  median %.2f ms, p95 %.2f ms   target < 20 ms: %s\n", median, p95, median < 20 ? "PASS" : "MISS");
    std::printf("all %d store variables in one request: %.1f ms\n", keys, fullMs);
    return 0;
}
