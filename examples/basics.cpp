// State, reader and error demos: count_to_three, greet_and_log, flaky_service, busy_loop.

#include <doeff_examples.h>

#include <doeff/doeff.h>

#include <limits>
#include <stdexcept>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

// ---- counter: Get and Put ------------------------------------------------------------------
// The store is the run's mutable state. Each Get/Put pair reads and writes one key; the final
// value is in the result's store as well as being the program's value.
// The count is a qint64 (a store value from JSON can be any number), and a count at the top of
// its range is an error rather than a wrap-around.
Program<qint64> counter_main()
{
    for (int i = 0; i < 3; ++i) {
        const qint64 count = co_await Get<qint64>("counter");
        if (count == std::numeric_limits<qint64>::max()) throw std::overflow_error("counter is at its maximum");
        co_await Put("counter", count + 1);
    }
    co_return co_await Get<qint64>("counter");
}

// ---- greet: Ask and Tell -------------------------------------------------------------------
// The environment is read-only configuration: `doeff-run greet --env name='"Ada"'` changes it
// for one run. Tell appends to the log (`__log__` in the store).
Program<QString> greet_main()
{
    const QString name = co_await Ask<QString>("name");
    co_await Tell(u"Greeting %1"_s.arg(name));
    co_return u"Hello, %1!"_s.arg(name);
}

// ---- risky_operation: Safe around code that throws -----------------------------------------
// A flaky service fails its first `failures` calls. Safe turns each failure into an Err value,
// so the caller can log it and retry; after `attempts` failures the last error is rethrown and
// the run fails with it (try `--env failures=5`).
Program<int> call_flaky_service(int attempt, int failures)
{
    co_await Tell(u"attempt %1"_s.arg(attempt));
    if (attempt <= failures) throw std::runtime_error("service unavailable (attempt " + std::to_string(attempt) + ")");
    co_return 42;
}

Program<int> risky_operation_main()
{
    const int failures = co_await Ask<int>("failures");
    const int attempts = co_await Ask<int>("attempts");
    for (int attempt = 1;; ++attempt) {
        Result<int> r = co_await Safe(call_flaky_service(attempt, failures));
        if (r.is_ok()) co_return r.value();
        co_await Tell(u"attempt %1 failed: %2"_s.arg(attempt).arg(r.error().describe()));
        if (attempt == attempts) r.value(); // out of attempts: rethrows the last error
    }
}

// ---- busy_loop: a long run of effects -------------------------------------------------------
// `iterations` × (Get + Put) on one key: 10,000,000 effects by default. Something to pause in the
// middle of (the debugger's pause is honoured at the next machine step).
Program<qint64> busy_loop_main()
{
    const qint64 iterations = co_await Ask<qint64>("iterations");
    for (qint64 i = 0; i < iterations; ++i) {
        const qint64 n = co_await Get<qint64>("n");
        if (n == std::numeric_limits<qint64>::max()) throw std::overflow_error("n is at its maximum");
        co_await Put("n", n + 1);
    }
    co_return co_await Get<qint64>("n");
}

} // namespace

DOEFF_PROGRAM(count_to_three, "Counts to 3 with Get/Put on the store key 'counter'", counter_main,
              .store = { { u"counter"_s, 0 } }, .group = u"Demos"_s);

DOEFF_PROGRAM(greet_and_log, "Greets the env's 'name' (Ask) and logs it (Tell)", greet_main,
              .env = { { u"name"_s, u"World"_s } }, .group = u"Demos"_s);

DOEFF_PROGRAM(busy_loop, "Get + Put on one key, 'iterations' times (10,000,000 effects by default)", busy_loop_main,
              .env = { { u"iterations"_s, 5000000 } }, .store = { { u"n"_s, 0 } }, .group = u"Demos"_s);

DOEFF_PROGRAM(flaky_service, "Retries a flaky service, catching its exceptions with Safe", risky_operation_main,
              .env = { { u"attempts"_s, 3 }, { u"failures"_s, 2 } }, .group = u"Demos"_s);
