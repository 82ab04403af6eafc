// Fuzzes what a Debug Adapter Protocol client sends doeff-dap before any program runs: the
// base protocol's framing (Content-Length headers, JSON bodies) and the small expression
// language of conditions, hit conditions and logpoint messages (app/doeff-dap). Any input must
// end as messages, or as reports of what was malformed, with the transport ready for more;
// evaluating any text against a state must give a value, a verdict or an error, never a crash.
//
// Seeds: with DOEFF_FUZZ_WRITE_SEEDS=<dir>, the target writes framed requests an editor sends
// (initialize, launch, breakpoints with conditions, evaluate) and a few broken frames, and exits.

#include "transport.h"

#include <doeff/expression.h>
#include <doeff/observer.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QJsonObject>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace doeff;

namespace {

void check(bool ok)
{
    if (!ok) std::abort();
}

QByteArray frame(const QByteArray& body)
{
    return "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

void writeSeeds(const QString& dir)
{
    QDir().mkpath(dir);
    const QByteArray seeds[] = {
        frame(R"({"seq":1,"type":"request","command":"initialize","arguments":{"adapterID":"doeff"}})"),
        frame(R"({"seq":2,"type":"request","command":"launch","arguments":{"program":"counter","env":{"n":3}}})")
            + frame(R"({"seq":3,"type":"request","command":"configurationDone"})"),
        frame(
            R"({"seq":4,"type":"request","command":"setBreakpoints","arguments":{"source":{"path":"a.cpp"},)"
            R"("breakpoints":[{"line":3,"condition":"store.n >= 2","hitCondition":"%2","logMessage":"n={store.n}"}]}})"),
        frame(R"({"seq":5,"type":"request","command":"evaluate","arguments":{"expression":"env.name == 'Ada'"}})"),
        "Content-Length: 12\r\n\r\n{\"seq\": tru",
        "Content-Length: abc\r\n\r\n{}" + frame("[1,2]"),
        "X-Other: 1\r\nContent-Length: 2\r\n\r\n{}",
    };
    int i = 0;
    for (const QByteArray& seed : seeds) {
        QFile f(dir + QStringLiteral("/seed-%1").arg(i++));
        if (f.open(QIODevice::WriteOnly)) f.write(seed);
    }
}

/// A small state: task 0 with a store and an env, as a run's first events make it.
const SessionState& state()
{
    static const SessionState s = [] {
        SessionState st;
        Event started;
        started.kind = EventKind::RunStarted;
        started.name = QStringLiteral("fuzz");
        started.value = QVariantList { QVariantList { QStringLiteral("n"), 2 },
                                       QVariantList { QStringLiteral("name"), QStringLiteral("Ada") } };
        started.old = QVariantMap { { QStringLiteral("limit"), 10 } };
        st.apply(started);
        Event spawned;
        spawned.kind = EventKind::TaskSpawned;
        spawned.task = 0;
        spawned.name = QStringLiteral("main");
        spawned.value = QVariantMap { { QStringLiteral("limit"), 10 } };
        st.apply(spawned);
        return st;
    }();
    return s;
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv)
{
    static QCoreApplication app(*argc, *argv);
    if (const char* dir = std::getenv("DOEFF_FUZZ_WRITE_SEEDS")) {
        writeSeeds(QString::fromLocal8Bit(dir));
        std::exit(0);
    }
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray bytes(reinterpret_cast<const char*>(data), qsizetype(size));
    dap::Transport transport(-1, -1);
    int messages = 0;
    int malformed = 0;
    QObject::connect(&transport, &dap::Transport::messageReceived, [&](const QJsonObject& m) {
        ++messages;
        // whatever a message says, its texts go through the expression language unharmed
        const QJsonObject args = m.value(QStringLiteral("arguments")).toObject();
        for (const QString& key : args.keys()) {
            const QString text = args.value(key).toString();
            QString error;
            evaluateCondition(state(), 0, text, &error);
            interpolate(state(), 0, text);
            hitConditionHolds(text, messages);
            evaluateName(state(), 0, text);
        }
    });
    QObject::connect(&transport, &dap::Transport::malformed, [&](const QString& problem) {
        ++malformed;
        check(!problem.isEmpty() && problem.size() < 300);
    });
    // in one piece, then byte by byte split in two: the framing may not depend on how it arrives
    transport.feed(bytes);
    const int whole = messages, wholeMalformed = malformed;
    dap::Transport again(-1, -1);
    int messagesAgain = 0;
    QObject::connect(&again, &dap::Transport::messageReceived, [&](const QJsonObject&) { ++messagesAgain; });
    again.feed(bytes.left(bytes.size() / 2));
    again.feed(bytes.mid(bytes.size() / 2));
    check(messagesAgain == whole || wholeMalformed > 0);
    // the evaluator on the raw text too
    const QString text = QString::fromUtf8(bytes);
    QString error;
    evaluateCondition(state(), 0, text, &error);
    interpolate(state(), 0, text);
    return 0;
}
