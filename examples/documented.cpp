// The runtime documentation's own examples ("Runtime and Execution Model"), one per code block,
// under the documentation's function names and with its inputs as defaults, so that running one
// gives exactly what the page says (docs/documented-examples.md shows each beside its command and
// output). Where the page leaves a function undefined (`compute_a`, `http_client.get`), the port
// defines the smallest stand-in and says so.

#include <doeff_examples.h>

#include <doeff/doeff.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtConcurrent/QtConcurrentRun>

#include <cstdio>
#include <stdexcept>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace examples {

/// `program_with_logging`'s effect: a message for `custom_log_handler` to print.
struct CustomLog : Effect<CustomLog> {
    static constexpr auto name = "CustomLog";
    QString message;
    QVariantMap fields() const { return { { u"message"_s, message } }; }
};
CustomLog customLog(QString message)
{
    return { {}, std::move(message) };
}

} // namespace examples

/// Python's `ValueError`, as `risky_operation` raises it. Global, so that errors print as the
/// documentation shows (`ValueError: Something went wrong`); hidden, so that it stays this
/// library's own class whatever else in the process is called ValueError.
struct __attribute__((visibility("hidden"))) ValueError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace {

const QString documented = u"Documented examples"_s;

/// A float as Python's `str()` writes it: the shortest form that reads back, with a `.0` when
/// the value is whole (`1.0`, `0.25`, `1.000123`).
QString pythonFloat(double value)
{
    QString text = QString::number(value, 'g', QLocale::FloatingPointShortest);
    if (!text.contains(u'.') && !text.contains(u'e') && !text.contains(u"inf"_s) && !text.contains(u"nan"_s))
        text += u".0"_s;
    return text;
}

// ---- async_run: fetch_data -------------------------------------------------------------------
// `http_client.get("/api/data")` is a QtConcurrent computation here, answering a response whose
// `json()` is the body. Await suspends only the awaiting task, on either runner.
struct Response {
    QByteArray body;
    QVariant json() const { return QJsonDocument::fromJson(body).toVariant(); }
};
Response httpGet(const QString& path)
{
    return { QJsonDocument(QJsonObject { { u"path"_s, path }, { u"items"_s, QJsonArray { 1, 2, 3 } } }).toJson() };
}

// [example fetch_data]
Program<QVariant> fetch_data()
{
    co_await Delay(1); // a real wait on the real clock
    const Response response = co_await Await([] { return QtConcurrent::run(httpGet, u"/api/data"_s); });
    co_return response.json();
}
// [/example]

// ---- sync_run: counter -----------------------------------------------------------------------
// [example counter]
Program<qint64> counter()
{
    const qint64 count = co_await Get<qint64>("counter");
    co_await Put("counter", count + 1);
    co_return count + 1;
}
// [/example]

// ---- Cooperative concurrency: parallel_work --------------------------------------------------
// The page leaves compute_a/b/c undefined; each here performs one effect (a scheduling point)
// and returns its letter, so the three tasks visibly interleave.
Program<QString> compute(QString letter)
{
    co_await Tell(u"compute_%1"_s.arg(letter));
    co_return letter.toUpper();
}
Program<QString> compute_a()
{
    co_return co_await compute(u"a"_s);
}
Program<QString> compute_b()
{
    co_return co_await compute(u"b"_s);
}
Program<QString> compute_c()
{
    co_return co_await compute(u"c"_s);
}

// [example parallel_work]
Program<QVariantList> parallel_work()
{
    // Spawn tasks (enqueues them, returns immediately)
    const Task<QString> t1 = co_await Spawn(compute_a());
    const Task<QString> t2 = co_await Spawn(compute_b());
    const Task<QString> t3 = co_await Spawn(compute_c());

    // Wait for results (scheduler interleaves execution)
    const QString result1 = co_await Wait(t1);
    const QString result2 = co_await Wait(t2);
    const QString result3 = co_await Wait(t3);
    co_return QVariantList { result1, result2, result3 };
}
// [/example]

// ---- Time effects: timed_operation -----------------------------------------------------------
// [example timed_operation]
Program<QString> timed_operation()
{
    const QDateTime start = co_await GetTime();
    co_await Delay(1); // Real 1 second delay (instant under --clock simulated)
    const QDateTime end = co_await GetTime();
    co_return u"Elapsed: %1s"_s.arg(pythonFloat(start.msecsTo(end) / 1000.0));
}
// [/example]

// ---- Basic usage: greet ----------------------------------------------------------------------
// [example greet]
Program<QString> greet()
{
    const QString name = co_await Ask<QString>("name");
    co_return u"Hello, %1!"_s.arg(name);
}
// [/example]

// ---- Testing with sync_run: delayed_response -------------------------------------------------
// [example delayed_response]
Program<QString> delayed_response()
{
    co_await Delay(0.1); // Short delay for testing
    co_return u"Ready!"_s;
}
// [/example]

// ---- RuntimeResult and error handling: risky_operation ---------------------------------------
// [example risky_operation]
Program<int> risky_operation()
{
    throw ValueError("Something went wrong");
    co_return 42; // Never reached
}
// [/example]

// ---- Custom handlers: custom_log_handler, program_with_logging --------------------------------
// [example program_with_logging]
Handler custom_log_handler()
{
    return handler(u"custom_log_handler"_s, [](const AnyEffect& effect, HandlerContext&) -> Program<HandlerResult> {
        // Custom handler for CustomLog effect.
        if (const auto* log = effect.as<examples::CustomLog>()) {
            std::printf("[LOG] %s\n", qPrintable(log->message));
            std::fflush(stdout);
            co_return Resume(QVariant());
        }
        // Forward unhandled effects to outer handlers
        co_return Forward();
    });
}

Program<QString> program_with_logging()
{
    co_await examples::customLog(u"Starting..."_s);
    co_await examples::customLog(u"Processing..."_s);
    co_return u"Done"_s;
}
// [/example]

// ---- Testing with controlled time: get_current_time ------------------------------------------
// [example get_current_time]
Program<QDateTime> get_current_time()
{
    const QDateTime current = co_await GetTime();
    co_return current;
}
// [/example]

// fetch_data's Response is a value of the program's own type: it replays because it converts to
// and from a QVariantMap, which a trace holds (docs/replay.md).
const bool responseReplays = [] {
    QMetaType::registerConverter<Response, QVariantMap>([](const Response& r) {
        return QVariantMap { { u"body"_s, r.body } };
    });
    QMetaType::registerConverter<QVariantMap, Response>(
        [](const QVariantMap& m) { return Response { m.value(u"body"_s).toByteArray() }; });
    return true;
}();

} // namespace

DOEFF_PROGRAM(fetch_data, "Delay(1), then Await of a stand-in HTTP request; returns its JSON", fetch_data,
              .group = documented);

DOEFF_PROGRAM(counter, "Get 'counter', Put it + 1, return it (store counter=0: 1)", counter,
              .store = { { u"counter"_s, 0 } }, .group = documented);

DOEFF_PROGRAM(parallel_work, "Three Spawns, three Waits: the list of the three results", parallel_work,
              .group = documented);

DOEFF_PROGRAM(timed_operation, "GetTime, Delay(1), GetTime: 'Elapsed: 1.0s'", timed_operation, .group = documented);

DOEFF_PROGRAM(greet, "Ask 'name' (env name=World): 'Hello, World!'", greet, .env = { { u"name"_s, u"World"_s } },
              .group = documented);

DOEFF_PROGRAM(delayed_response, "Delay(0.1), then 'Ready!'", delayed_response, .group = documented);

DOEFF_PROGRAM(risky_operation, "Raises ValueError('Something went wrong'): an Err result", risky_operation,
              .group = documented);

DOEFF_PROGRAM(
    program_with_logging, "Two CustomLog effects printed by custom_log_handler; returns 'Done'", program_with_logging,
    .outerHandlers = [] { return HandlerList { custom_log_handler() }; }, .group = documented);

DOEFF_PROGRAM(get_current_time, "GetTime with the store's __current_time__ = 2024-01-01 12:00", get_current_time,
              .store = { { u"__current_time__"_s, QDateTime(QDate(2024, 1, 1), QTime(12, 0), Qt::UTC) } },
              .group = documented);
