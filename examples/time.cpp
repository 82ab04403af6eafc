// Time: measure_delay, timeout_race, controlled_time.
//
// Each runs on the real clock unless asked otherwise; `--clock simulated` makes waiting cost no
// real time and every outcome deterministic (the virtual clock starts at 2000-01-01T00:00Z).

#include <doeff_examples.h>

#include <doeff/doeff.h>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

QString hms(const QDateTime& t)
{
    return t.toUTC().toString(u"HH:mm:ss.zzz"_s);
}

// ---- timed_operation: Delay and GetTime ----------------------------------------------------
// Measures how long an operation (here: a Delay of `seconds`) takes on the runner's clock.
Program<QVariantMap> timed_operation_main()
{
    const double seconds = co_await Ask<double>("seconds");
    const QDateTime started = co_await GetTime();
    co_await Delay(seconds);
    const QDateTime finished = co_await GetTime();
    const qint64 elapsed = started.msecsTo(finished);
    co_await Tell(u"operation took %1 ms"_s.arg(elapsed));
    co_return QVariantMap { { u"started"_s, hms(started) },
                            { u"finished"_s, hms(finished) },
                            { u"elapsed_ms"_s, elapsed } };
}

// ---- delayed_response: a slow service raced against a timeout ------------------------------
// The response arrives after `latency` seconds, the deadline fires after `timeout` seconds; Race
// takes whichever finishes first and the loser is cancelled so it does not keep the run alive.
// Try `--env latency=5` for a TimeoutError.
Program<QString> slow_service(double latency)
{
    co_await Delay(latency);
    co_return u"response after %1 s"_s.arg(latency);
}

Program<QString> deadline(double timeout)
{
    co_await Delay(timeout);
    throw examples::TimeoutError(u"no response within %1 s"_s.arg(timeout).toStdString());
}

Program<QString> delayed_response_main()
{
    const double latency = co_await Ask<double>("latency");
    const double timeout = co_await Ask<double>("timeout");
    const SpawnOptions serviceOptions { .name = u"service"_s };
    const SpawnOptions timerOptions { .name = u"timeout"_s };
    const Task<QString> service = co_await Spawn(slow_service(latency), serviceOptions);
    const Task<QString> timer = co_await Spawn(deadline(timeout), timerOptions);
    QString response;
    std::exception_ptr failure;
    try {
        RaceResult<QVariant> first = co_await Race(service, timer);
        response = first.value.toString();
    } catch (...) {
        failure = std::current_exception();
    }
    co_await service.cancel();
    co_await timer.cancel();
    if (failure) std::rethrow_exception(failure);
    co_await Tell(response);
    co_return response;
}

// ---- controlled_time: `__current_time__` and the simulated clock ---------------------------
// GetTime answers the store's `__current_time__` while it is set, so a program (or a test) can
// control what "now" is; Delay never changes it. Setting it to null hands time back to the
// runner's clock: this program defaults to the simulated clock, so that is 2000-01-01T00:02Z
// after its 2 s Delay.
QString openingHours(const QDateTime& now)
{
    const int hour = now.toUTC().time().hour();
    const QString state = hour >= 9 && hour < 17 ? u"open"_s : u"closed"_s;
    return u"%1 %2"_s.arg(now.toUTC().toString(Qt::ISODate), state);
}

Program<QStringList> controlled_time_main()
{
    QStringList seen;
    seen.append(openingHours(co_await GetTime()));
    const QDateTime evening = QDateTime(QDate(2024, 1, 1), QTime(18, 30), Qt::UTC);
    co_await Put("__current_time__", evening);
    seen.append(openingHours(co_await GetTime()));
    co_await Delay(2);
    seen.append(openingHours(co_await GetTime()));
    co_await Put("__current_time__", QVariant());
    seen.append(openingHours(co_await GetTime()));
    co_return seen;
}

RunOptions simulatedClock()
{
    RunOptions options;
    options.clock = Clock::Simulated;
    return options;
}

} // namespace

DOEFF_PROGRAM(measure_delay, "Times a Delay with GetTime before and after", timed_operation_main,
              .env = { { u"seconds"_s, 0.25 } }, .group = u"Demos"_s);

DOEFF_PROGRAM(timeout_race, "Races a slow service against a timeout (Spawn, Delay, Race, cancel)",
              delayed_response_main, .env = { { u"latency"_s, 0.2 }, { u"timeout"_s, 1.0 } }, .group = u"Demos"_s);

DOEFF_PROGRAM(controlled_time, "Controls GetTime through the store's __current_time__ (simulated clock)",
              controlled_time_main,
              .store = { { u"__current_time__"_s, QDateTime(QDate(2024, 1, 1), QTime(9, 0), Qt::UTC) } },
              .options = simulatedClock(), .group = u"Demos"_s);
