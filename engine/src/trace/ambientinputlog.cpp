// DOEFF_RECORD_INPUTS (docs/replay.md, "Every run replayable"): every run of the process records
// an input log into a directory, at next to no cost, so that any of them can be replayed later.
// Registered as an ambient observer: the runners attach it by themselves.

#include "ambient.h"

#include <doeff/runtimeresult.h>
#include <doeff/trace.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QRegularExpression>

#include <atomic>

namespace doeff {

namespace {

constexpr const char* directoryVariable = "DOEFF_RECORD_INPUTS";
constexpr const char* keepVariable = "DOEFF_RECORD_INPUTS_KEEP";

std::atomic<quint64> s_runs { 0 };
std::atomic<bool> s_warned { false };

/// Says once per process why no log is written (a run must not fail for want of its log).
void warnOnce(const QString& why)
{
    if (!s_warned.exchange(true)) qWarning("doeff: %s: %s; runs are not recorded", directoryVariable, qPrintable(why));
}

/// A file name made of a program's name: what is not a letter, digit, `-`, `_` or `.` becomes `_`.
QString safeName(const QString& program)
{
    static const QRegularExpression unsafe(QStringLiteral("[^A-Za-z0-9_.-]+"));
    QString name = program;
    name.replace(unsafe, QStringLiteral("_"));
    if (name.isEmpty() || name.startsWith(u'.')) name.prepend(QStringLiteral("run"));
    return name.left(80);
}

/// The input log of one run: written to a provisional name, then named after the program once
/// the run has told it (RunStarted), or removed when only failed runs are kept and it succeeded.
class AmbientInputLog final : public detail::AmbientObserver, public Observer {
public:
    AmbientInputLog(QString directory, bool keepFailedOnly, detail::AmbientRunner runner)
        : m_directory(std::move(directory))
        , m_keepFailedOnly(keepFailedOnly)
        , m_recorder(options())
    {
        const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-hhmmss"));
        m_stem = QStringLiteral("%1-%2-%3").arg(stamp).arg(QCoreApplication::applicationPid()).arg(++s_runs);
        m_path = QDir(m_directory).filePath(QStringLiteral(".%1.recording").arg(m_stem));
        m_open = m_recorder.open(m_path);
        if (!m_open) {
            warnOnce(m_recorder.errorString());
            return;
        }
        m_recorder.setMetadata(QStringLiteral("runner"),
                               runner == detail::AmbientRunner::Sync ? QStringLiteral("sync")
                                                                     : QStringLiteral("async"));
        m_recorder.setMetadata(QStringLiteral("recorded by"), QString::fromLatin1(directoryVariable));
        const QStringList args = QCoreApplication::arguments();
        if (!args.isEmpty()) m_recorder.setMetadata(QStringLiteral("command"), args.join(u' '));
    }

    ~AmbientInputLog() override
    {
        if (m_open && !m_finished) QFile::remove(m_path); // the run never finished
    }

    Observer* observer() override { return this; }

    EventInterest interest() const override { return EventInterest::Inputs; }

    void onEvent(const LiveEvent& event, const RunView& view) override
    {
        if (!m_open) return;
        if (const auto* started = event.as<events::RunStarted>()) m_program = started->program;
        m_recorder.onEvent(event, view);
    }

    void finish(const RuntimeResultBase& result) override
    {
        if (!m_open) return;
        m_finished = true;
        if (!m_recorder.finish()) {
            warnOnce(m_recorder.errorString());
            QFile::remove(m_path);
            return;
        }
        if (m_keepFailedOnly && result.is_ok()) {
            QFile::remove(m_path);
            return;
        }
        const QString named
            = QDir(m_directory).filePath(QStringLiteral("%1-%2.inputs.doefftrace").arg(safeName(m_program), m_stem));
        if (!QFile::rename(m_path, named)) warnOnce(QStringLiteral("cannot name %1 %2").arg(m_path, named));
    }

private:
    static TraceRecorderOptions options()
    {
        TraceRecorderOptions o;
        o.inputsOnly = true;
        o.threaded = false; // a handful of events: no thread per run
        return o;
    }

    QString m_directory;
    bool m_keepFailedOnly;
    TraceRecorder m_recorder;
    QString m_stem;
    QString m_path;
    QString m_program;
    bool m_open = false;
    bool m_finished = false;
};

std::unique_ptr<detail::AmbientObserver> inputLogFromEnvironment(detail::AmbientRunner runner)
{
    const QString directory = qEnvironmentVariable(directoryVariable);
    if (directory.isEmpty()) return nullptr;
    if (!QDir(directory).exists()) {
        warnOnce(QStringLiteral("no directory %1").arg(directory));
        return nullptr;
    }
    const QString keep = qEnvironmentVariable(keepVariable);
    if (!keep.isEmpty() && keep != QLatin1String("all") && keep != QLatin1String("failed")) {
        warnOnce(QStringLiteral("%1 is '%2'; use all or failed").arg(QString::fromLatin1(keepVariable), keep));
        return nullptr;
    }
    return std::make_unique<AmbientInputLog>(directory, keep == QLatin1String("failed"), runner);
}

} // namespace

[[maybe_unused]] const bool s_inputLogRegistered = (detail::addAmbientObserverFactory(&inputLogFromEnvironment), true);

} // namespace doeff
