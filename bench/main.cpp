// doeff-bench: throughput and scaling of libdoeff's machine (see bench/README.md).
//
//   doeff-bench [--only a,e] [--n N] [--repeat R] [--json] [--check]
//
// Prints a table and the targets (PASS/MISS), or with --json one JSON array of measurements.
// Exits 1 only when a workload computed a wrong result or --check found invalid JSON; missed
// targets never fail the program (timings are not assertions).

#include "workloads.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QSysInfo>

#include <cstdio>

#ifndef DOEFF_BENCH_BUILD_TYPE
#define DOEFF_BENCH_BUILD_TYPE "unknown"
#endif

using namespace Qt::StringLiterals;

namespace {

QString buildType()
{
    return QString::fromLatin1(DOEFF_BENCH_BUILD_TYPE);
}

bool optimised()
{
#if defined(__OPTIMIZE__)
    return true;
#else
    return false;
#endif
}

bool sanitized()
{
#if defined(__SANITIZE_ADDRESS__)
    return true;
#else
    return false;
#endif
}

void err(const QString& s)
{
    std::fprintf(stderr, "%s\n", qPrintable(s));
    std::fflush(stderr);
}

void out(const QString& s)
{
    std::fprintf(stdout, "%s\n", qPrintable(s));
}

QString grouped(double v, int decimals = 0)
{
    static const QLocale english(QLocale::English, QLocale::UnitedStates);
    return english.toString(v, 'f', decimals);
}

QString pad(const QString& s, int width)
{
    return s.leftJustified(width, u' ');
}

QString rpad(const QString& s, int width)
{
    return s.rightJustified(width, u' ');
}

/// QHash<QString> lookups in the store cost ~20 ns unseeded but ~170-400 ns seeded with this Qt
/// 6.4 build on some x86 CPUs (see README), so the seed setting is part of the conditions.
QString hashSeedSetting()
{
    return qEnvironmentVariableIsSet("QT_HASH_SEED") ? u"QT_HASH_SEED="_s + qEnvironmentVariable("QT_HASH_SEED")
                                                     : u"QT_HASH_SEED unset"_s;
}

/// The CPU the numbers come from: the same binary's wall-clock rows differ by a third between
/// two VMs of this project's kind (bench/README.md, the eighteenth part).
QString cpuDescription()
{
    QString model;
    QString mhz;
    int cpus = 0;
    QFile f(u"/proc/cpuinfo"_s);
    if (f.open(QIODevice::ReadOnly)) {
        for (const QByteArray& line : f.readAll().split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon < 0) continue;
            const QByteArray key = line.left(colon).trimmed();
            const QString value = QString::fromUtf8(line.mid(colon + 1).trimmed());
            if (key == "processor")
                ++cpus;
            else if (key == "model name" && model.isEmpty())
                model = value;
            else if (key == "cpu MHz" && mhz.isEmpty())
                mhz = QString::number(qRound(value.toDouble()));
        }
    }
    if (model.isEmpty()) return QSysInfo::currentCpuArchitecture();
    QString text = u"%1 × %2"_s.arg(cpus).arg(model);
    if (!mhz.isEmpty()) text += u" at %1 MHz"_s.arg(mhz);
    return text;
}

/// The 1-minute load average when the table is printed: a busy VM moves every wall-clock row.
QString loadAverage()
{
    QFile f(u"/proc/loadavg"_s);
    if (!f.open(QIODevice::ReadOnly)) return u"unknown"_s;
    return QString::fromUtf8(f.readAll().split(' ').value(0));
}

QJsonArray toJson(const QList<bench::Measurement>& ms)
{
    QJsonArray array;
    for (const bench::Measurement& m : ms) {
        QJsonObject o;
        o.insert(u"workload"_s, m.workload);
        o.insert(u"param"_s, m.param);
        o.insert(u"n"_s, m.n);
        o.insert(u"seconds"_s, m.seconds);
        o.insert(u"effects_per_second"_s, m.perSecond());
        o.insert(u"ns_per_effect"_s, m.nsPerEffect());
        o.insert(u"effects"_s, m.effects);
        o.insert(u"unit"_s, m.unit);
        o.insert(u"ok"_s, m.ok);
        if (!m.ok) o.insert(u"error"_s, m.error);
        o.insert(u"build_type"_s, buildType());
        o.insert(u"hash_seed"_s, hashSeedSetting());
        o.insert(u"cpu"_s, cpuDescription());
        for (auto it = m.extra.cbegin(); it != m.extra.cend(); ++it)
            o.insert(it.key(), QJsonValue::fromVariant(it.value()));
        array.append(o);
    }
    return array;
}

/// --check: the JSON parses back into an array of objects with the required fields.
bool validate(const QByteArray& json, QString* why)
{
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *why = u"invalid JSON: "_s + pe.errorString();
        return false;
    }
    if (!doc.isArray() || doc.array().isEmpty()) {
        *why = u"not a non-empty JSON array"_s;
        return false;
    }
    const QJsonArray a = doc.array();
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (!a.at(i).isObject()) {
            *why = u"element %1 is not an object"_s.arg(i);
            return false;
        }
        const QJsonObject o = a.at(i).toObject();
        const bool shaped = o.value(u"workload"_s).isString() && o.value(u"param"_s).isString()
            && o.value(u"n"_s).isDouble() && o.value(u"seconds"_s).isDouble()
            && o.value(u"effects_per_second"_s).isDouble();
        if (!shaped) {
            *why = u"element %1 lacks workload/param/n/seconds/effects_per_second"_s.arg(i);
            return false;
        }
        if (o.value(u"seconds"_s).toDouble() < 0 || o.value(u"effects_per_second"_s).toDouble() < 0) {
            *why = u"element %1 has a negative time or rate"_s.arg(i);
            return false;
        }
        if (!o.value(u"ok"_s).toBool(true)) {
            *why = u"workload %1 (%2) failed: %3"_s.arg(o.value(u"workload"_s).toString(),
                                                        o.value(u"param"_s).toString(), o.value(u"error"_s).toString());
            return false;
        }
    }
    return true;
}

QString notesOf(const bench::Measurement& m)
{
    QStringList notes;
    const QVariantMap& x = m.extra;
    auto num = [&x](const char* key) { return x.value(QString::fromLatin1(key)).toDouble(); };
    if (x.contains(u"ratio_vs_base"_s)) notes << u"ratio vs base %1x"_s.arg(num("ratio_vs_base"), 0, 'f', 2);
    if (x.contains(u"ratio_vs_smaller"_s)) notes << u"ratio vs smaller %1x"_s.arg(num("ratio_vs_smaller"), 0, 'f', 2);
    if (x.contains(u"ratio_vs_smallest"_s))
        notes << u"ratio vs smallest %1x"_s.arg(num("ratio_vs_smallest"), 0, 'f', 1);
    if (x.contains(u"ratio_vs_sync"_s)) notes << u"async/sync %1x"_s.arg(num("ratio_vs_sync"), 0, 'f', 2);
    if (x.contains(u"heap_bytes_per_frame"_s) && num("heap_bytes_per_frame") >= 0)
        notes << u"%1 B heap/frame"_s.arg(num("heap_bytes_per_frame"), 0, 'f', 0);
    if (x.contains(u"tasks_per_second"_s)) notes << u"%1 tasks/s"_s.arg(grouped(num("tasks_per_second")));
    if (x.contains(u"ns_per_round"_s)) notes << u"%1 ns/round"_s.arg(num("ns_per_round"), 0, 'f', 0);
    if (x.contains(u"ns_per_handler_marginal"_s))
        notes << u"%1 ns/extra handler"_s.arg(num("ns_per_handler_marginal"), 0, 'f', 1);
    if (x.contains(u"rss_kib_per_task"_s))
        notes << u"RSS %1 KiB/task, heap %2 KiB/task"_s.arg(num("rss_kib_per_task"), 0, 'f', 3)
                     .arg(num("heap_kib_per_task"), 0, 'f', 3);
    if (m.seconds > 0 && x.contains(u"worst_seconds"_s) && num("worst_seconds") > m.seconds)
        notes << u"spread %1%"_s.arg((num("worst_seconds") - m.seconds) * 100.0 / m.seconds, 0, 'f', 0);
    if (!m.ok) notes.prepend(u"FAILED: "_s + m.error);
    return notes.join(u"; "_s);
}

QString formatValue(double v, const QString& unit)
{
    if (unit == u"x"_s) return u"%1x"_s.arg(v, 0, 'f', 2);
    if (unit == u"ns"_s || unit == u"bytes"_s) return u"%1 %2"_s.arg(v, 0, 'f', 1).arg(unit);
    if (unit == u"KiB/task"_s) return u"%1 %2"_s.arg(v, 0, 'f', 3).arg(unit);
    return grouped(v) + u' ' + unit;
}

void printTargets(const QList<bench::Target>& targets, void (*print)(const QString&))
{
    print(u"targets (verdict on wall-clock best-of; [cpu: ...] = the same from process CPU time)"_s);
    for (const bench::Target& t : targets) {
        const QString verdict = t.info ? u"INFO"_s : (t.pass ? u"PASS"_s : u"MISS"_s);
        const QString goal = t.info ? u"(no target)"_s : u"goal "_s + t.goal;
        QString line = u"  "_s + pad(verdict, 5) + pad(t.name, 60) + pad(goal, 22) + formatValue(t.measured, t.unit);
        if (t.measuredCpu >= 0) {
            line += u"  [cpu: "_s + formatValue(t.measuredCpu, t.unit);
            if (!t.info) line += t.passCpu ? u" PASS"_s : u" MISS"_s;
            line += u']';
        }
        print(line);
    }
}

void printTable(const QList<bench::Measurement>& ms, int repeat)
{
    out(u"doeff-bench: build type %1%2, best of %3, Qt %4, %5, %6"_s.arg(
        buildType(), sanitized() ? u" (sanitized)"_s : QString(), QString::number(repeat),
        QString::fromLatin1(qVersion()), QSysInfo::prettyProductName(), hashSeedSetting()));
    out(u"doeff-bench: CPU %1; load average %2"_s.arg(cpuDescription(), loadAverage()));
    out(QString());
    out(pad(u"workload"_s, 20) + pad(u"param"_s, 36) + rpad(u"n"_s, 10) + rpad(u"seconds"_s, 11) + rpad(u"cpu s"_s, 9)
        + rpad(u"rate/s"_s, 14) + rpad(u"ns/unit"_s, 10) + u"  unit     notes"_s);
    for (const bench::Measurement& m : ms) {
        out(pad(m.workload, 20) + pad(m.param, 36) + rpad(grouped(double(m.n)), 10)
            + rpad(QString::number(m.seconds, 'f', 4), 11)
            + rpad(QString::number(m.extra.value(u"cpu_seconds"_s).toDouble(), 'f', 3), 9)
            + rpad(grouped(m.perSecond()), 14) + rpad(QString::number(m.nsPerEffect(), 'f', 1), 10) + u"  "_s
            + pad(m.unit, 9) + notesOf(m));
    }
    out(QString());
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"doeff-bench"_s);

    QCommandLineParser parser;
    parser.setApplicationDescription(u"Benchmarks of the libdoeff effects runtime."_s);
    parser.addHelpOption();
    const QCommandLineOption onlyOpt(u"only"_s, u"Run only these workloads (letters or names, comma separated)."_s,
                                     u"list"_s);
    const QCommandLineOption nOpt(u"n"_s, u"Size parameter N for every workload (default: per workload)."_s, u"N"_s);
    const QCommandLineOption repeatOpt(u"repeat"_s, u"Runs per measurement; the best is kept (default 3)."_s, u"R"_s,
                                       u"3"_s);
    const QCommandLineOption jsonOpt(u"json"_s, u"Print one JSON array of measurements instead of the table."_s);
    const QCommandLineOption checkOpt(u"check"_s,
                                      u"Validate the JSON output (parse it back); exit 1 if invalid or a "
                                      u"workload failed. Never checks times."_s);
    const QCommandLineOption jsonOutOpt(u"json-out"_s, u"Also write the JSON array to this file."_s, u"file"_s);
    const QCommandLineOption quietOpt(u"quiet"_s, u"No progress lines on stderr."_s);
    const QCommandLineOption listOpt(u"list"_s, u"List the workloads and exit."_s);
    parser.addOptions({ onlyOpt, nOpt, repeatOpt, jsonOpt, jsonOutOpt, checkOpt, quietOpt, listOpt });
    parser.process(app);

    const QList<bench::Workload>& all = bench::workloads();
    if (parser.isSet(listOpt)) {
        for (const bench::Workload& w : all)
            out(pad(w.letter, 6) + pad(w.name, 14) + pad(u"N=%1"_s.arg(w.defaultN), 11) + w.description);
        return 0;
    }

    bench::Options options;
    bool ok = true;
    options.repeat = parser.value(repeatOpt).toInt(&ok);
    if (!ok || options.repeat < 1) {
        err(u"doeff-bench: --repeat needs a positive integer"_s);
        return 2;
    }
    if (parser.isSet(nOpt)) {
        options.n = parser.value(nOpt).toLongLong(&ok);
        if (!ok || options.n < 1 || options.n > 100000000) {
            err(u"doeff-bench: --n needs an integer in 1..100000000"_s);
            return 2;
        }
    }
    options.progress = !parser.isSet(quietOpt);

    // selected workloads run in the canonical order (memory first: see workloads())
    QList<bench::Workload> selected = all;
    if (parser.isSet(onlyOpt)) {
        QStringList wanted;
        for (const QString& w : parser.value(onlyOpt).split(u',', Qt::SkipEmptyParts))
            wanted.append(w.trimmed());
        for (const QString& w : std::as_const(wanted)) {
            if (std::none_of(all.cbegin(), all.cend(),
                             [&w](const bench::Workload& x) { return x.letter == w || x.name == w; })) {
                err(u"doeff-bench: unknown workload '%1' (see --list)"_s.arg(w));
                return 2;
            }
        }
        selected.removeIf(
            [&wanted](const bench::Workload& x) { return !wanted.contains(x.letter) && !wanted.contains(x.name); });
    }

    const QString type = buildType();
    err(u"doeff-bench: compiled with build type %1 (%2%3)"_s.arg(
        type, optimised() ? u"optimised"_s : u"NOT optimised"_s, sanitized() ? u", sanitizers on"_s : QString()));
    if ((type != u"Release"_s && type != u"RelWithDebInfo"_s) || !optimised() || sanitized())
        err(u"doeff-bench: WARNING: not a Release/RelWithDebInfo build; numbers are not representative"_s);

    QList<bench::Measurement> measurements;
    QList<bench::Target> targets;
    for (const bench::Workload& w : selected) {
        const qint64 n = options.n > 0 ? options.n : w.defaultN;
        if (options.progress) err(u"%1 (%2), N=%3"_s.arg(w.name, w.letter).arg(n));
        measurements.append(w.run(options, n, targets));
    }

    const QByteArray json = QJsonDocument(toJson(measurements)).toJson(QJsonDocument::Indented);
    if (parser.isSet(jsonOutOpt)) {
        QFile f(parser.value(jsonOutOpt));
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(json) != json.size()) {
            err(u"doeff-bench: cannot write %1: %2"_s.arg(f.fileName(), f.errorString()));
            return 2;
        }
    }
    if (parser.isSet(jsonOpt)) {
        std::fwrite(json.constData(), 1, size_t(json.size()), stdout);
        std::fflush(stdout);
        printTargets(targets, err);
    } else {
        printTable(measurements, options.repeat);
        printTargets(targets, out);
    }

    bool failed = false;
    for (const bench::Measurement& m : measurements) {
        if (!m.ok) {
            err(u"doeff-bench: %1 (%2) FAILED: %3"_s.arg(m.workload, m.param, m.error));
            failed = true;
        }
    }
    if (parser.isSet(checkOpt)) {
        QString why;
        if (!validate(json, &why)) {
            err(u"doeff-bench: check failed: "_s + why);
            return 1;
        }
        err(u"doeff-bench: check OK (%1 measurements)"_s.arg(measurements.size()));
    }
    return failed ? 1 : 0;
}
