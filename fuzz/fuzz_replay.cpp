// Fuzzes deterministic replay (docs/replay.md): the input is a recording — a whole trace or an
// input log — that a fixed program is replayed on. The recorded inputs reach the machine's
// intake (clock readings, Await results, timers, external promises: their steps, tasks, ids and
// values), and the checker compares the run with what the recording says. Any input must end in
// a clean refusal to open, the same run, or a divergence with a report; never a crash or a hang.
//
// Seeds: with DOEFF_FUZZ_WRITE_SEEDS=<dir>, the target records the program on the real clock as
// an input log and as a whole trace, plain and compressed, to <dir> and exits.

#include <doeff/doeff.h>
#include <doeff/replay.h>
#include <doeff/trace.h>

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtConcurrent>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace doeff;

namespace {

QCoreApplication* app = nullptr;
std::unique_ptr<QTemporaryDir> dir;

Program<int> child(int n)
{
    co_await Delay(0.001); // a real-clock timer, and the clock read for its deadline
    const int v = co_await Await([n] { return QtConcurrent::run([n] { return n * 2; }); });
    co_await Put("child", v);
    co_return v;
}

/// Every kind of input: clock readings, timers, Awaits in two tasks, an external promise.
Program<int> program()
{
    const QDateTime start = co_await GetTime();
    const Task<int> worker = co_await Spawn(child(3));
    const ExternalPromise<int> outside = co_await CreateExternalPromise<int>();
    outside.complete(4);
    const int a = co_await Await([] { return QtConcurrent::run([] { return 5; }); });
    const int b = co_await Wait(outside.future());
    const int c = co_await Wait(worker);
    const QDateTime end = co_await GetTime();
    co_return a + b + c + (end >= start ? 1 : 0);
}

void record(const QString& path, bool inputsOnly, bool compress)
{
    TraceRecorderOptions options;
    options.inputsOnly = inputsOnly;
    options.compress = compress;
    TraceRecorder recorder(options);
    if (!recorder.open(path)) std::abort();
    recorder.setMetadata(QStringLiteral("clock"), QStringLiteral("real"));
    RunOptions run;
    run.observers = { &recorder };
    const auto r = sync_run(program(), sync_handlers_preset(), {}, {}, run);
    if (!r.is_ok() || !recorder.finish()) std::abort();
}

void writeSeeds(const QString& to)
{
    QDir().mkpath(to);
    const QDir d(to);
    record(d.filePath(QStringLiteral("inputs-plain.doefftrace")), true, false);
    record(d.filePath(QStringLiteral("inputs.doefftrace")), true, true);
    record(d.filePath(QStringLiteral("whole-plain.doefftrace")), false, false);
    record(d.filePath(QStringLiteral("whole.doefftrace")), false, true);
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
    if (!dir->isValid()) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QString path = dir->filePath(QStringLiteral("input.doefftrace"));
    {
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate)) std::abort();
        f.write(reinterpret_cast<const char*>(data), qint64(size));
    }
    QString error;
    const std::shared_ptr<Replay> replay = Replay::open(path, &error);
    if (!replay) {
        if (error.isEmpty()) std::abort(); // a refusal names what was wrong
        return 0;
    }
    RunOptions options;
    options.replay = replay;
    options.clock = replay->simulatedClock() ? Clock::Simulated : Clock::Real;
    options.external_wait_timeout = std::chrono::milliseconds(0);
    const auto r = sync_run(program(), sync_handlers_preset(), replay->env(), replay->store(), options);
    // the run follows the recording, or parts from it and says where
    if (replay->diverged() && replay->report().isEmpty()) std::abort();
    (void)r.format();
    return 0;
}
