// doeff-run driven as a process: listing, running (Ok → 0, Err → 1), usage errors (2, with a
// message naming what was wrong), saving and re-opening results, and program libraries.

#include "files.h"

#include <doeff/library.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <doeff/trace.h>

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace testcommon;

namespace {

struct Outcome {
    int exitCode = -1;
    QString out;
    QString err;
};

Outcome doeffRun(const QStringList& args,
                 const QProcessEnvironment& environment = QProcessEnvironment::systemEnvironment())
{
    QProcess p;
    p.setProcessEnvironment(environment);
    p.start(QStringLiteral(DOEFF_RUN_PATH), args);
    if (!p.waitForStarted(30000)) qFatal("doeff-run did not start: %s", qPrintable(p.errorString()));
    if (!p.waitForFinished(120000)) qFatal("doeff-run did not finish: %s", qPrintable(args.join(u' ')));
    if (p.exitStatus() != QProcess::NormalExit) qFatal("doeff-run crashed: %s", qPrintable(args.join(u' ')));
    return { p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError()) };
}

/// The documentation's examples (examples/documented.cpp), then the demos, as listed.
const QStringList documentedNames {
    u"fetch_data"_s,       u"counter"_s,         u"parallel_work"_s,        u"timed_operation"_s,  u"greet"_s,
    u"delayed_response"_s, u"risky_operation"_s, u"program_with_logging"_s, u"get_current_time"_s,
};
const QStringList demoNames {
    u"count_to_three"_s,  u"greet_and_log"_s,     u"busy_loop"_s, u"flaky_service"_s, u"audit_log"_s,
    u"get_env_var"_s,     u"increment_counter"_s, u"divide"_s,    u"fetch_user"_s,    u"word_count"_s,
    u"pipeline"_s,        u"deadlock"_s,          u"fanout"_s,    u"measure_delay"_s, u"timeout_race"_s,
    u"controlled_time"_s, u"fetch_pages"_s,
};
const QStringList exampleNames = documentedNames + demoNames;

} // namespace

class TestDoeffRun : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void help()
    {
        const Outcome o = doeffRun({ u"--help"_s });
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.err, QString());
        for (const QString& option : { u"--list"_s, u"--library"_s, u"--format"_s, u"--env"_s, u"--store"_s,
                                       u"--runner"_s, u"--clock"_s, u"--save-result"_s, u"--open-result"_s })
            QVERIFY2(o.out.contains(option), qPrintable(option));
        QVERIFY(o.out.contains(u"Exit status: 0 when the result is Ok, 1 when it is Err, 2 for a usage error"_s));
    }

    void list()
    {
        const Outcome o = doeffRun({ u"--list"_s });
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.err, QString());
        const QStringList lines = o.out.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), u"Built-in programs:"_s);
        // two groups: the documentation's examples first, then the demos
        QCOMPARE(lines.at(1), u"  Documented examples:"_s);
        QCOMPARE(lines.at(2 + documentedNames.size()), u"  Demos:"_s);
        // then the handlers the library offers for what-ifs, five of them
        QCOMPARE(lines.at(3 + exampleNames.size()), u"  Handlers offered (for --what-if-handler):"_s);
        QCOMPARE(lines.size(), exampleNames.size() + 4 + 5);
        QVERIFY(o.out.contains(u"    safe_division  Divide that answers 0 for a zero divisor instead of failing\n"_s));
        for (qsizetype i = 0; i < documentedNames.size(); ++i)
            QVERIFY2(lines.at(2 + i).startsWith(u"    "_s + documentedNames.at(i) + u' '), qPrintable(lines.at(2 + i)));
        for (const QString& name : exampleNames) {
            const auto line = std::find_if(lines.cbegin(), lines.cend(),
                                           [&](const QString& l) { return l.startsWith(u"    "_s + name + u' '); });
            QVERIFY2(line != lines.cend(), qPrintable(name));
            QVERIFY2(line->size() > name.size() + 8, "no description");
        }
        QVERIFY(o.out.contains(u"    count_to_three        Counts to 3 with Get/Put on the store key 'counter'\n"_s));
        QVERIFY(o.out.contains(u"\n\n  Demos:\n"_s));
    }

    void runs_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("output");
        QTest::addRow("count_to_three") << QStringList { u"count_to_three"_s } << u"Ok(3)\n"_s;
        QTest::addRow("count_to_three async")
            << QStringList { u"count_to_three"_s, u"--runner"_s, u"async"_s } << u"Ok(3)\n"_s;
        QTest::addRow("store override") << QStringList { u"counter"_s, u"--store"_s, u"counter=41"_s } << u"Ok(42)\n"_s;
        QTest::addRow("env string") << QStringList { u"greet"_s, u"-e"_s, u"name=\"Ada\""_s }
                                    << u"Ok('Hello, Ada!')\n"_s;
        QTest::addRow("env list") << QStringList { u"word_count"_s, u"--env"_s, u"documents=[\"a b\", \"c\"]"_s }
                                  << u"Ok({'counts': [2, 1], 'total': 3})\n"_s;
        QTest::addRow("simulated clock") << QStringList { u"measure_delay"_s, u"--clock"_s, u"simulated"_s }
                                         << u"Ok({'elapsed_ms': 250, 'finished': '00:00:00.250', "
                                            "'started': '00:00:00.000'})\n"_s;
        QTest::addRow("simulated clock async")
            << QStringList { u"timeout_race"_s, u"-c"_s, u"simulated"_s, u"-r"_s, u"async"_s }
            << u"Ok('response after 0.2 s')\n"_s;
        QTest::addRow("await async") << QStringList { u"fetch_user"_s, u"--runner"_s, u"async"_s }
                                     << u"Ok({'id': 42, 'name': 'User 42', 'url': "
                                        "'https://api.example.com/users/42'})\n"_s;
        QTest::addRow("ten thousand tasks")
            << QStringList { u"fanout"_s } << u"Ok({'sum': 99990000, 'tasks': 10000})\n"_s;
    }
    void runs()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, output);
        const Outcome o = doeffRun(args);
        QCOMPARE(o.out, output);
        QCOMPARE(o.err, QString());
        QCOMPARE(o.exitCode, 0);
    }

    // Issue 16: each example of the runtime's documentation gives exactly what the page says, on
    // both runners (the real clock where the page waits for real; one second each).
    void documentedExamples_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("output");
        for (const QString& runner : { u"sync"_s, u"async"_s }) {
            const QStringList r { u"--runner"_s, runner };
            QTest::addRow("counter %s", qPrintable(runner)) << QStringList { u"counter"_s } + r << u"Ok(1)\n"_s;
            QTest::addRow("greet %s", qPrintable(runner))
                << QStringList { u"greet"_s } + r << u"Ok('Hello, World!')\n"_s;
            QTest::addRow("delayed_response %s", qPrintable(runner))
                << QStringList { u"delayed_response"_s } + r << u"Ok('Ready!')\n"_s;
            QTest::addRow("timed_operation simulated %s", qPrintable(runner))
                << QStringList { u"timed_operation"_s, u"--clock"_s, u"simulated"_s } + r << u"Ok('Elapsed: 1.0s')\n"_s;
            QTest::addRow("parallel_work %s", qPrintable(runner))
                << QStringList { u"parallel_work"_s } + r << u"Ok(['A', 'B', 'C'])\n"_s;
            QTest::addRow("program_with_logging %s", qPrintable(runner)) << QStringList { u"program_with_logging"_s }
                    + r << u"[LOG] Starting...\n[LOG] Processing...\nOk('Done')\n"_s;
            QTest::addRow("get_current_time %s", qPrintable(runner))
                << QStringList { u"get_current_time"_s } + r << u"Ok(QDateTime(2024-01-01T12:00:00.000Z))\n"_s;
            QTest::addRow("fetch_data %s", qPrintable(runner))
                << QStringList { u"fetch_data"_s, u"--clock"_s, u"simulated"_s } + r
                << u"Ok({'items': [1, 2, 3], 'path': '/api/data'})\n"_s;
        }
    }
    void documentedExamples()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, output);
        const Outcome o = doeffRun(args);
        QCOMPARE(o.out, output);
        QCOMPARE(o.err, QString());
        QCOMPARE(o.exitCode, 0);
    }
    void documentedTimedOperationOnTheRealClock()
    {
        const Outcome o = doeffRun({ u"timed_operation"_s });
        QCOMPARE(o.exitCode, 0);
        static const QRegularExpression elapsed(u"^Ok\\('Elapsed: (1\\.\\d+)s'\\)\n$"_s);
        const auto m = elapsed.match(o.out);
        QVERIFY2(m.hasMatch(), qPrintable(o.out));
        QVERIFY2(m.captured(1).toDouble() < 2.0, qPrintable(o.out));
    }
    void documentedRiskyOperationFails()
    {
        for (const QString& runner : { u"sync"_s, u"async"_s }) {
            const Outcome o = doeffRun({ u"risky_operation"_s, u"--runner"_s, runner });
            QCOMPARE(o.exitCode, 1);
            QCOMPARE(o.err, QString());
            QVERIFY2(o.out.startsWith(u"Err(ValueError: Something went wrong)\n\n"
                                      "Root Cause: ValueError: Something went wrong\n"_s),
                     qPrintable(o.out));
            QVERIFY2(o.out.contains(u"in risky_operation\n"_s), qPrintable(o.out));
            const Outcome verbose
                = doeffRun({ u"risky_operation"_s, u"--runner"_s, runner, u"--format"_s, u"verbose"_s });
            QCOMPARE(verbose.exitCode, 1);
            QVERIFY2(verbose.out.contains(u"Status: Err(ValueError: Something went wrong)"_s), qPrintable(verbose.out));
        }
    }

    void verbose()
    {
        const Outcome o = doeffRun({ u"counter"_s, u"--format"_s, u"verbose"_s });
        QCOMPARE(o.exitCode, 0);
        const QStringList lines = o.out.split(u'\n');
        QCOMPARE(lines.at(0), QString(79, u'═'));
        QCOMPARE(lines.at(1), QString(30, u' ') + u"RUNTIME RESULT"_s);
        QCOMPARE(lines.at(4), u"Status: Ok(1)"_s);
        QVERIFY(o.out.contains(u"\nStore:\n  counter: 1\n"_s));
        QVERIFY(o.out.endsWith(QString(79, u'═') + u'\n'));
    }

    /// The source stack names the `throw` line with its code (issue 19), for the examples
    /// (linked into doeff-run) and for a program library loaded with dlopen.
    void verboseNamesTheThrowLine()
    {
        const Outcome pipeline = doeffRun({ u"pipeline"_s, u"--format"_s, u"verbose"_s });
        QCOMPARE(pipeline.exitCode, 1);
        QVERIFY2(pipeline.out.contains(u"concurrency.cpp\", line 80, in parse_record [task 2 'parser']\n"
                                       "    throw examples::ParseError(\n"_s),
                 qPrintable(pipeline.out));
        // the Effect Tree's error mark is on the activation that threw
        const Outcome risky
            = doeffRun({ u"flaky_service"_s, u"--env"_s, u"failures=5"_s, u"--format"_s, u"verbose"_s });
        QCOMPARE(risky.exitCode, 1);
        QVERIFY2(risky.out.contains(u"basics.cpp\", line 47, in call_flaky_service\n"
                                    "    if (attempt <= failures) throw std::runtime_error("_s),
                 qPrintable(risky.out));

        const QString lib = QStringLiteral(DOEFF_THROWING_LIBRARY);
        const QStringList source = readText(QStringLiteral(DOEFF_THROWING_SOURCE)).split(u'\n');
        for (const char* program : { "plain", "at" }) {
            const QString marker = program == std::string_view("plain") ? u"THROW_PLAIN"_s : u"THROW_AT"_s;
            int line = 0;
            for (qsizetype i = 0; i < source.size() && !line; ++i)
                if (source.at(i).contains(marker)) line = int(i + 1);
            QVERIFY(line > 0);
            for (const char* runner : { "sync", "async" }) {
                const Outcome o = doeffRun({ u"--library"_s, lib, QString::fromUtf8(program), u"--format"_s,
                                             u"verbose"_s, u"--runner"_s, QString::fromUtf8(runner) });
                QCOMPARE(o.exitCode, 1);
                QVERIFY2(o.out.contains(u"throwing_programs.cpp\", line "_s + QString::number(line)
                                        + u", in thrower::"_s + QString::fromUtf8(program) + u'\n'),
                         qPrintable(o.out));
            }
        }
    }

    void errRun()
    {
        const Outcome o = doeffRun({ u"divide"_s });
        QCOMPARE(o.exitCode, 1);
        QCOMPARE(o.err, QString());
        QVERIFY2(o.out.startsWith(u"Err(examples::ZeroDivisionError: cannot divide 10 by zero)\n\n"
                                  "Root Cause: examples::ZeroDivisionError: cannot divide 10 by zero\n"_s),
                 qPrintable(o.out));
        QVERIFY(o.out.contains(u"\nEffect path: divide_main() -> Divide(dividend=10.0, divisor=0.0)\n"_s));
        QVERIFY(o.out.contains(u"in divide_main\n    const double quotient = co_await divide(dividend, divisor);\n"_s));

        const Outcome deadlock = doeffRun({ u"deadlock"_s, u"--runner"_s, u"async"_s });
        QCOMPARE(deadlock.exitCode, 1);
        QVERIFY(deadlock.out.startsWith(u"Err(DeadlockError: Deadlock: no task can make progress: "_s));
        QVERIFY(deadlock.out.contains(u"\nUnobserved task failures (2):\n"_s));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown program") << QStringList {
            u"nope"_s
        } << u"doeff-run: unknown program 'nope' (doeff-run --list shows the programs)\n"_s;
        QTest::addRow("no program") << QStringList {}
                                    << u"doeff-run: no program given (doeff-run --list shows the programs, --help the "
                                       "options)\n"_s;
        QTest::addRow("two programs") << QStringList { u"counter"_s, u"greet"_s }
                                      << u"doeff-run: expected one program name, got 2: counter greet\n"_s;
        QTest::addRow("bad JSON") << QStringList { u"greet"_s, u"--env"_s, u"name=Ada"_s }
                                  << u"doeff-run: --env name: 'Ada' is not valid JSON (illegal number at offset 0); "
                                     "strings need double quotes, e.g. name='\"text\"'\n"_s;
        QTest::addRow("bad store JSON")
            << QStringList { u"counter"_s, u"--store"_s, u"counter=[1,"_s }
            << u"doeff-run: --store counter: '[1,' is not valid JSON (object is missing after "
               "a comma at offset 4); strings need double quotes, e.g. counter='\"text\"'\n"_s;
        QTest::addRow("huge bad JSON") << QStringList { u"counter"_s, u"--store"_s,
                                                        u"counter="_s + QString(120000, u'x') }
                                       << u"doeff-run: --store counter: '"_s + QString(79, u'x')
                + u"… (120000 characters)' is not valid JSON (illegal number at offset 0); strings need double quotes, "
                  "e.g. counter='\"text\"'\n"_s;
        QTest::addRow("no key") << QStringList { u"greet"_s, u"--env"_s, u"=1"_s }
                                << u"doeff-run: --env expects KEY=JSON, got '=1'\n"_s;
        QTest::addRow("unknown runner") << QStringList { u"counter"_s, u"--runner"_s, u"fast"_s }
                                        << u"doeff-run: unknown runner 'fast' (use sync or async)\n"_s;
        QTest::addRow("unknown clock") << QStringList { u"counter"_s, u"--clock"_s, u"wall"_s }
                                       << u"doeff-run: unknown clock 'wall' (use real or simulated)\n"_s;
        QTest::addRow("unknown format") << QStringList { u"counter"_s, u"--format"_s, u"json"_s }
                                        << u"doeff-run: unknown format 'json' (use condensed or verbose)\n"_s;
        QTest::addRow("unknown option") << QStringList { u"--frobnicate"_s }
                                        << u"doeff-run: Unknown option 'frobnicate'.\nTry 'doeff-run --help'.\n"_s;
        QTest::addRow("list with a name")
            << QStringList { u"--list"_s, u"counter"_s } << u"doeff-run: --list takes no program name\n"_s;
        QTest::addRow("missing library") << QStringList { u"--library"_s, u"/nonexistent/libx.so"_s, u"counter"_s }
                                         << u"doeff-run: /nonexistent/libx.so: no such file\n"_s;
        QTest::addRow("library without entry point")
            << QStringList { u"--library"_s, QStringLiteral(DOEFF_ENGINE_LIBRARY), u"--list"_s }
            << QStringLiteral("doeff-run: " DOEFF_ENGINE_LIBRARY
                              ": not a doeff program library (no doeff_program_library_v1 symbol)\n");
        QTest::addRow("missing result file") << QStringList { u"--open-result"_s, u"/nonexistent/r.doeffresult"_s }
                                             << u"doeff-run: /nonexistent/r.doeffresult: No such file or directory\n"_s;
    }
    void usageErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Outcome o = doeffRun(args);
        QCOMPARE(o.err, message);
        QCOMPARE(o.out, QString());
        QCOMPARE(o.exitCode, 2);
    }

    void saveThenOpen_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("exitCode");
        QTest::addRow("ok condensed") << u"increment_counter"_s << u"condensed"_s << 0;
        QTest::addRow("ok verbose") << u"word_count"_s << u"verbose"_s << 0;
        QTest::addRow("err condensed") << u"pipeline"_s << u"condensed"_s << 1;
        QTest::addRow("err verbose") << u"pipeline"_s << u"verbose"_s << 1;
        QTest::addRow("deadlock verbose") << u"deadlock"_s << u"verbose"_s << 1;
    }
    void saveThenOpen()
    {
        QFETCH(QString, program);
        QFETCH(QString, format);
        QFETCH(int, exitCode);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(u"run.doeffresult"_s);
        const Outcome ran = doeffRun({ program, u"--format"_s, format, u"--save-result"_s, file });
        QCOMPARE(ran.exitCode, exitCode);
        QCOMPARE(ran.err, QString());
        QVERIFY(QFile::exists(file));
        const Outcome opened = doeffRun({ u"--open-result"_s, file, u"--format"_s, format });
        QCOMPARE(opened.err, QString());
        QCOMPARE(opened.exitCode, exitCode);
        QCOMPARE(opened.out, ran.out);
    }

    void traceExportsAndInspection()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString trace = dir.filePath(u"run.doefftrace"_s);
        const QString perfetto = dir.filePath(u"run.perfetto.json"_s);
        const QString json = dir.filePath(u"run.json"_s);
        Outcome o = doeffRun({ u"word_count"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, trace,
                               u"--export-perfetto"_s, perfetto, u"--export-json"_s, json });
        QCOMPARE(o.exitCode, 0);
        for (const QString& path : { perfetto, json }) {
            const QByteArray bytes = readBytes(path);
            QVERIFY2(!bytes.isEmpty(), qPrintable(path));
            QJsonParseError error;
            QJsonDocument::fromJson(bytes, &error);
            QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(path + u": "_s + error.errorString()));
        }
        o = doeffRun({ u"--inspect-trace"_s, trace, u"--at"_s, u"30"_s });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.contains(u"state at step 30:"_s), qPrintable(o.out));
        QVERIFY(o.out.contains(u"status: Ok({'counts': [3, 4, 2], 'total': 9})"_s));
        QVERIFY(o.out.contains(u"task 0 'main' (main) blocked"_s));
        // a file that is not a trace, and a step that is not a number
        const QString bad = dir.filePath(u"bad.doefftrace"_s);
        QVERIFY(writeBytes(bad, "garbage\n"));
        o = doeffRun({ u"--inspect-trace"_s, bad });
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.err, u"doeff-run: "_s + bad + u": not a doeff trace at byte 0\n"_s);
        o = doeffRun({ u"--inspect-trace"_s, trace, u"--at"_s, u"soon"_s });
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.err, u"doeff-run: --at expects a step number, got 'soon'\n"_s);
    }

    void tracesAreCompressedUnlessAskedNotTo()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString packed = dir.filePath(u"packed.doefftrace"_s);
        const QString plain = dir.filePath(u"plain.doefftrace"_s);
        const QStringList args { u"busy_loop"_s, u"--env"_s, u"iterations=2000"_s };
        QCOMPARE(doeffRun(args + QStringList { u"--trace"_s, packed }).exitCode, 0);
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(u"DOEFF_TRACE_COMPRESS"_s, u"0"_s);
        QCOMPARE(doeffRun(args + QStringList { u"--trace"_s, plain }, environment).exitCode, 0);
        // the same run either way; plain frames take several times the bytes
        const qint64 packedSize = QFileInfo(packed).size();
        const qint64 plainSize = QFileInfo(plain).size();
        QVERIFY2(packedSize * 3 < plainSize, qPrintable(u"%1 compressed, %2 plain"_s.arg(packedSize).arg(plainSize)));
        const Outcome a = doeffRun({ u"--inspect-trace"_s, packed });
        const Outcome b = doeffRun({ u"--inspect-trace"_s, plain });
        QCOMPARE(a.exitCode, 0);
        QCOMPARE(b.exitCode, 0);
        QVERIFY2(a.out.contains(u"events: "_s), qPrintable(a.out));
        const auto fromEvents = [](const QString& out) { return out.mid(out.indexOf(u"events: "_s)); };
        QCOMPARE(fromEvents(a.out), fromEvents(b.out));
    }

    void whyPrintsTheChain()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(u"counter.doefftrace"_s);
        QCOMPARE(doeffRun({ u"counter"_s, u"--trace"_s, trace }).exitCode, 0);
        Outcome o = doeffRun({ u"--why"_s, u"counter"_s, trace });
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.out,
                 u"why store key 'counter' of task 0 at step 10:\n"
                 "counter = 1, written by Put('counter'), step 4, task 0 at documented.cpp:84\n"
                 "  <- read Get('counter') -> 0, step 2, task 0 at documented.cpp:83\n"
                 "    counter = 0, from the initial store, step 0, task 0\n"
                 "read by 0 reads\n"_s);
        // before the Put: the initial value, which the Get read
        o = doeffRun({ u"--why"_s, u"counter@0"_s, u"--at"_s, u"3"_s, trace });
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.out,
                 u"why store key 'counter' of task 0 at step 3:\n"
                 "counter = 0, from the initial store, step 0, task 0\n"
                 "read by 1 read:\n"
                 "  read Get('counter') -> 0, step 2, task 0 at documented.cpp:83\n"_s);
        o = doeffRun({ u"--why"_s, u"missing"_s, trace });
        QCOMPARE(o.exitCode, 1);
        QCOMPARE(o.err,
                 u"doeff-run: "_s + trace + u": store key 'missing' of task 0 at step 10 has no recorded value\n"_s);
        o = doeffRun({ u"--why"_s, u"task:x"_s, trace });
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.err, u"doeff-run: --why task:N expects a task number, got 'task:x'\n"_s);
        o = doeffRun({ u"--why"_s, u"counter"_s });
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.err, u"doeff-run: --why needs a trace file (doeff-run --why KEY [--at STEP] FILE)\n"_s);
        const QString bad = dir.filePath(u"bad.doefftrace"_s);
        QVERIFY(writeBytes(bad, "garbage\n"));
        o = doeffRun({ u"--why"_s, u"counter"_s, bad });
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.err, u"doeff-run: "_s + bad + u": not a doeff trace at byte 0\n"_s);
    }
    void openRejectsWhatIsNotAResult()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(u"notes.txt"_s);
        QVERIFY(writeBytes(file, "just some notes\n"));
        const Outcome o = doeffRun({ u"--open-result"_s, file });
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.out, QString());
        QCOMPARE(o.err, u"doeff-run: "_s + file + u": not a doeff result file\n"_s);
    }

    void saveToAnUnwritablePlace()
    {
        const Outcome o = doeffRun({ u"counter"_s, u"--save-result"_s, u"/nonexistent/dir/run.doeffresult"_s });
        QCOMPARE(o.out, u"Ok(1)\n"_s);
        QVERIFY2(o.err.startsWith(u"doeff-run: cannot save the result to /nonexistent/dir/run.doeffresult: "_s),
                 qPrintable(o.err));
        QCOMPARE(o.exitCode, 2);
    }

    void libraryThatIsNotAProgramLibrary()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(u"libfake.so"_s);
        QVERIFY(writeBytes(file, "not an ELF file\n"));
        const Outcome o = doeffRun({ u"--library"_s, file, u"counter"_s });
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.out, QString());
        QVERIFY2(o.err.startsWith(u"doeff-run: "_s + file + u": cannot load: "_s), qPrintable(o.err));
        QVERIFY(o.err.endsWith(u'\n'));
    }

    void thirdPartyLibrary()
    {
        const QString lib = QStringLiteral(DOEFF_USER_LIBRARY);
        const Outcome listed = doeffRun({ u"--list"_s, u"--library"_s, lib });
        QCOMPARE(listed.exitCode, 0);
        QVERIFY2(listed.out.startsWith(u"Programs in "_s + lib
                                       + u":\n"
                                         "  hello    Says hello to the env's 'who'\n"
                                         "  counter  Doubles the store's 'n' (shadows the built-in counter)\n"
                                         "\n"
                                         "Built-in programs:\n"_s),
                 qPrintable(listed.out));
        // the library's programs come first; the built-in ones stay reachable
        QCOMPARE(doeffRun({ u"--library"_s, lib, u"counter"_s }).out, u"Ok(42)\n"_s);
        QCOMPARE(doeffRun({ u"--library"_s, lib, u"counter"_s, u"--store"_s, u"n=5"_s }).out, u"Ok(10)\n"_s);
        QCOMPARE(doeffRun({ u"--library"_s, lib, u"hello"_s, u"--runner"_s, u"async"_s }).out,
                 u"Ok('Hello from a plugin, plugin user')\n"_s);
        QCOMPARE(doeffRun({ u"--library"_s, lib, u"greet"_s }).out, u"Ok('Hello, World!')\n"_s);
    }

    void brokenLibraries_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::addRow("another ABI version")
            << QStringLiteral(DOEFF_WRONG_ABI_LIBRARY)
            << QStringLiteral("doeff-run: " DOEFF_WRONG_ABI_LIBRARY ": program library ABI version %1, but this engine "
                              "supports version %2 (rebuild the library against this libdoeff)\n")
                   .arg(DOEFF_PROGRAM_LIBRARY_ABI + 1)
                   .arg(DOEFF_PROGRAM_LIBRARY_ABI);
        QTest::addRow("a name registered twice")
            << QStringLiteral(DOEFF_DUPLICATE_NAMES_LIBRARY)
            << QStringLiteral("doeff-run: " DOEFF_DUPLICATE_NAMES_LIBRARY
                              ": broken program library: program 'twice' is registered twice\n");
    }
    void brokenLibraries()
    {
        QFETCH(QString, path);
        QFETCH(QString, message);
        const Outcome o = doeffRun({ u"--library"_s, path, u"--list"_s });
        QCOMPARE(o.err, message);
        QCOMPARE(o.out, QString());
        QCOMPARE(o.exitCode, 2);
    }

    void libraryOfExamples()
    {
        const QString lib = QStringLiteral(DOEFF_EXAMPLES_LIBRARY);
        const Outcome listed = doeffRun({ u"--library"_s, lib, u"--list"_s });
        QCOMPARE(listed.exitCode, 0);
        QCOMPARE(listed.err, QString());
        // the built-in library is that same file: listed once, under its path
        QVERIFY(listed.out.startsWith(u"Programs in "_s + lib + u":\n"_s));
        QVERIFY(!listed.out.contains(u"Built-in programs:"_s));
        QCOMPARE(listed.out.count(u"\n    counter "_s), 1);

        const Outcome ran = doeffRun({ u"-L"_s, lib, u"greet"_s, u"--env"_s, u"name=\"library\""_s });
        QCOMPARE(ran.out, u"Ok('Hello, library!')\n"_s);
        QCOMPARE(ran.exitCode, 0);
    }

    void failedWritesAreErrors_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("save-result") << QStringList { u"counter"_s, u"--save-result"_s, u"/dev/full"_s }
                                     << u"doeff-run: cannot save the result to /dev/full: /dev/full: not a regular "
                                        "file (a character device)\n"_s;
        QTest::addRow("export-json") << QStringList { u"counter"_s, u"--export-json"_s, u"/dev/full"_s }
                                     << u"doeff-run: cannot export: /dev/full: not a regular file (a character "
                                        "device)\n"_s;
        QTest::addRow("export-perfetto") << QStringList { u"counter"_s, u"--export-perfetto"_s, u"/dev/full"_s }
                                         << u"doeff-run: cannot export: /dev/full: not a regular file (a character "
                                            "device)\n"_s;
        QTest::addRow("trace") << QStringList { u"counter"_s, u"--trace"_s, u"/dev/full"_s }
                               << u"doeff-run: /dev/full: not a regular file (a character device)\n"_s;
    }
    void failedWritesAreErrors()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const Outcome o = doeffRun(args);
        QCOMPARE(o.err, message);
        QCOMPARE(o.exitCode, 2);
        QVERIFY(QFileInfo(u"/dev/full"_s).isFile() == false); // still the device
    }

    void fullDiskKeepsTheOldFile_data()
    {
        QTest::addColumn<QString>("option");
        QTest::addRow("save-result") << u"--save-result"_s;
        QTest::addRow("export-json") << u"--export-json"_s;
        QTest::addRow("export-perfetto") << u"--export-perfetto"_s;
        QTest::addRow("trace") << u"--trace"_s;
    }
    void fullDiskKeepsTheOldFile()
    {
        QFETCH(QString, option);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString trace = dir.filePath(u"in.doefftrace"_s);
        QCOMPARE(doeffRun({ u"word_count"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, trace }).exitCode, 0);
        const QString target = dir.filePath(u"out"_s);
        QVERIFY(writeBytes(target, "precious"));
        // a file size limit makes every write past 200 bytes fail with EFBIG, as a full disk would
        QStringList args { option, target };
        if (option == u"--save-result"_s || option == u"--trace"_s)
            args.prepend(u"word_count"_s);
        else
            args = QStringList { u"--inspect-trace"_s, trace } + args;
        QProcess p;
        p.setChildProcessModifier([] {
            ::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit { 200, 200 };
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
        p.start(QStringLiteral(DOEFF_RUN_PATH), args);
        QVERIFY(p.waitForFinished(120000));
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 2);
        QVERIFY2(err.contains(target + u": "_s) && err.contains(u"File too large"_s), qPrintable(err));
        if (option == u"--trace"_s) return; // a trace streams to its file (docs/trace-format.md)
        QCOMPARE(readBytes(target), QByteArray("precious"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size(), 2);
    }

    void nonRegularFilesAreRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString fifo = dir.filePath(u"fifo"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        Outcome o = doeffRun({ u"--inspect-trace"_s, fifo });
        QCOMPARE(o.err, u"doeff-run: "_s + fifo + u": not a regular file (a FIFO)\n"_s);
        QCOMPARE(o.exitCode, 2);
        o = doeffRun({ u"--open-result"_s, fifo });
        QCOMPARE(o.err, u"doeff-run: "_s + fifo + u": not a regular file (a FIFO)\n"_s);
        QCOMPARE(o.exitCode, 2);
        o = doeffRun({ u"--open-result"_s, u"/dev/zero"_s });
        QCOMPARE(o.err, u"doeff-run: /dev/zero: not a regular file (a character device)\n"_s);
        QCOMPARE(o.exitCode, 2);
    }

    void outputsNamingOneFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(u"x"_s);
        QVERIFY(writeBytes(file, "precious"));
        Outcome o = doeffRun({ u"counter"_s, u"--trace"_s, file, u"--save-result"_s, dir.path() + u"/./x"_s });
        QCOMPARE(o.err, u"doeff-run: --trace and --save-result name the same file (%1/./x)\n"_s.arg(dir.path()));
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.out, QString());
        QCOMPARE(readBytes(file), QByteArray("precious"));
        const QString other = dir.filePath(u"new.json"_s);
        o = doeffRun({ u"counter"_s, u"--export-json"_s, other, u"--export-perfetto"_s, other });
        QCOMPARE(o.err, u"doeff-run: --export-json and --export-perfetto name the same file (%1)\n"_s.arg(other));
        QCOMPARE(o.exitCode, 2);
    }

    /// --explain FILE [--at STEP]: the wait-for graph of a trace (by default when it
    /// deadlocked) or of a saved result; bad files and steps are usage errors.
    void explainPrintsTheWaitForGraph()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString trace = dir.filePath(u"dl.doefftrace"_s);
        const QString result = dir.filePath(u"dl.doeffresult"_s);
        QCOMPARE(doeffRun({ u"deadlock"_s, u"--trace"_s, trace, u"--save-result"_s, result }).exitCode, 1);
        Outcome o = doeffRun({ u"--explain"_s, trace });
        QCOMPARE(o.err, QString());
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.contains(u"(when the run deadlocked):\nwait-for graph at step 18: 3 tasks, 3 waiting, 2 "
                                u"promises waited on, 3 cycles\n"_s),
                 qPrintable(o.out));
        QVERIFY(o.out.contains(
            u"task 1 'alice' [blocked, stuck] in partner at concurrency.cpp:133 waits on Wait(promise 2)\n"_s));
        QVERIFY(o.out.contains(u"promise 2: created by task 0 'main' at concurrency.cpp:141 (step 4); waited on by "
                               u"task 1 'alice'; could be completed by: task 2 'bob' (spawned by task 0 after it held "
                               u"it), task 0 'main' (created it)\n"_s));
        QVERIFY(
            o.out.contains(u"\ncycle: task 1 'alice' \u2192 promise 2 (created by task 0 'main' at "
                           u"concurrency.cpp:141) \u2192 task 2 'bob' \u2192 promise 1 (created by task 0 'main' at "
                           u"concurrency.cpp:140) \u2192 task 1 'alice'\n"_s));
        o = doeffRun({ u"--explain"_s, trace, u"--at"_s, u"5"_s });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.contains(u"wait-for graph at step 5: 1 tasks, 0 waiting"_s), qPrintable(o.out));
        o = doeffRun({ u"--explain"_s, result });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.contains(u"task 0 'main' [blocked] waits on Gather(task 1 'alice', task 2 'bob')\n"_s),
                 qPrintable(o.out));
        // wrong input
        o = doeffRun({ u"--explain"_s, trace, u"--at"_s, u"99999"_s });
        QCOMPARE(o.exitCode, 2);
        QCOMPARE(o.err, u"doeff-run: --at 99999 is past the trace's last step (36)\n"_s);
        const QString junk = dir.filePath(u"junk.bin"_s);
        QVERIFY(writeBytes(junk, "junk"));
        o = doeffRun({ u"--explain"_s, junk });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.startsWith(u"doeff-run: %1: neither a trace nor a saved result"_s.arg(junk)), qPrintable(o.err));
        o = doeffRun({ u"--explain"_s, trace, u"counter"_s });
        QCOMPARE(o.exitCode, 2);
        QVERIFY(o.err.contains(u"--explain and --lint cannot be combined"_s));
    }

    /// --lint FILE: one problem a line and a count; exit 1 when one is an error, else 0, 2 for
    /// a file that is neither a trace nor a result.
    void lintPrintsProblemsAndExitsOnErrors()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString deadlock = dir.filePath(u"dl.doefftrace"_s);
        const QString result = dir.filePath(u"dl.doeffresult"_s);
        const QString counter = dir.filePath(u"counter.doefftrace"_s);
        QCOMPARE(doeffRun({ u"deadlock"_s, u"--trace"_s, deadlock, u"--save-result"_s, result }).exitCode, 1);
        QCOMPARE(doeffRun({ u"counter"_s, u"--trace"_s, counter }).exitCode, 0);
        Outcome o = doeffRun({ u"--lint"_s, deadlock });
        QCOMPARE(o.exitCode, 1);
        QCOMPARE(o.err, QString());
        QVERIFY2(o.out.contains(u"error step 18 task 1 concurrency.cpp:133 [deadlock] deadlock: 3 tasks blocked; "
                                u"cycle: task 1 'alice' \u2192 promise 2 (created by task 0 'main' at "
                                u"concurrency.cpp:141) \u2192 task 2 'bob' \u2192 promise 1"_s),
                 qPrintable(o.out));
        QVERIFY(o.out.contains(u"[uncompleted-promise] promise 2 was waited on by task 1 'alice'"_s));
        QVERIFY(o.out.endsWith(u"dl.doefftrace: 3 problems, 1 error\n"_s));
        o = doeffRun({ u"--lint"_s, result });
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.out.startsWith(u"error [deadlock] Deadlock: no task can make progress: "_s), qPrintable(o.out));
        o = doeffRun({ u"--lint"_s, counter });
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.out, counter + u": 0 problems, 0 errors\n"_s);
        const QString junk = dir.filePath(u"junk.bin"_s);
        QVERIFY(writeBytes(junk, "junk"));
        o = doeffRun({ u"--lint"_s, junk });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.startsWith(u"doeff-run: %1: neither a trace nor a saved result"_s.arg(junk)), qPrintable(o.err));
    }

    void diffOfTwoTraces()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString a = dir.filePath(u"a.doefftrace"_s);
        const QString b = dir.filePath(u"b.doefftrace"_s);
        const QString c = dir.filePath(u"c.doefftrace"_s);
        QCOMPARE(doeffRun({ u"greet"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, a }).exitCode, 0);
        QCOMPARE(doeffRun({ u"greet"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, b }).exitCode, 0);
        QCOMPARE(doeffRun({ u"greet"_s, u"--env"_s, u"name=\"Bob\""_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, c })
                     .exitCode,
                 0);
        Outcome o = doeffRun({ u"--diff"_s, a, b });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.startsWith(u"runs are equal"_s), qPrintable(o.out));
        o = doeffRun({ u"--diff"_s, a, c });
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(
            o.out.startsWith(
                u"first divergence in task 0 at %1 step 0 (event 0), %2 step 0 (event 0): RunStarted env differs\n"_s
                    .arg(a, c)),
            qPrintable(o.out));
        QVERIFY2(o.out.contains(u"{\"name\":\"Bob\"}"_s), qPrintable(o.out));
        // not a trace: the file and the problem are named
        const QString bad = dir.filePath(u"bad.txt"_s);
        QVERIFY(writeBytes(bad, "junk\n"));
        o = doeffRun({ u"--diff"_s, a, bad });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(bad + u": not a doeff trace"_s), qPrintable(o.err));
        o = doeffRun({ u"--diff"_s, a });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"--diff needs two trace files"_s), qPrintable(o.err));
    }

    /// --replay: the recording's program on its inputs, checked event for event (docs/replay.md).
    /// --record-inputs writes an input log (docs/replay.md, "Input logs"): --inspect-trace says
    /// what it is, --replay rebuilds the run, with --trace every event of it.
    void recordInputsThenReplay()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString log = dir.filePath(u"run.inputs.doefftrace"_s);
        const QString whole = dir.filePath(u"run.doefftrace"_s);
        const Outcome rec = doeffRun({ u"fetch_user"_s, u"--record-inputs"_s, log });
        QCOMPARE(rec.exitCode, 0);
        Outcome o = doeffRun({ u"--inspect-trace"_s, log });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.contains(u"events: inputs\n"_s)
                     && o.out.contains(u"an input log: it holds only what the run "
                                       "took in"_s),
                 qPrintable(o.out));
        o = doeffRun({ u"--replay"_s, log, u"--trace"_s, whole });
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.out, rec.out);
        QVERIFY2(o.err.contains(u"the same run, 3 recorded events (an input log: its inputs and its end checked)"_s),
                 qPrintable(o.err));
        // the rebuilt trace has every step: the Await's effect, not only its result
        o = doeffRun({ u"--inspect-trace"_s, whole });
        QVERIFY2(!o.out.contains(u"an input log"_s) && o.out.contains(u"Await"_s), qPrintable(o.out));
        // an Err run's log replays to the same Err (exit 1)
        const QString failing = dir.filePath(u"risky.inputs.doefftrace"_s);
        QCOMPARE(doeffRun({ u"risky_operation"_s, u"--record-inputs"_s, failing }).exitCode, 1);
        QCOMPARE(doeffRun({ u"--replay"_s, failing }).exitCode, 1);
        // what cannot be: no program, the same file as the trace
        o = doeffRun({ u"--record-inputs"_s, log });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"--record-inputs needs a program to run"_s), qPrintable(o.err));
        o = doeffRun({ u"counter"_s, u"--record-inputs"_s, log, u"--trace"_s, log });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"--trace and --record-inputs name the same file"_s), qPrintable(o.err));
    }

    void replayOfATrace()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString a = dir.filePath(u"a.doefftrace"_s);
        const QString b = dir.filePath(u"b.doefftrace"_s);
        // fetch_user Awaits a computation and reads the real clock: both are replayed
        Outcome rec = doeffRun({ u"fetch_user"_s, u"--runner"_s, u"async"_s, u"--trace"_s, a });
        QCOMPARE(rec.exitCode, 0);
        Outcome o = doeffRun({ u"--replay"_s, a, u"--trace"_s, b });
        QCOMPARE(o.exitCode, 0);
        QCOMPARE(o.out, rec.out);
        QVERIFY2(o.err.contains(u"doeff-run: replay of %1: the same run, "_s.arg(a)), qPrintable(o.err));
        // the replay's own trace says what it replayed, and equals the recording
        o = doeffRun({ u"--inspect-trace"_s, b });
        QVERIFY2(o.out.contains(u"replay of: %1\n"_s.arg(a)) && o.out.contains(u"runner: async\n"_s),
                 qPrintable(o.out));
        QCOMPARE(doeffRun({ u"--diff"_s, a, b }).exitCode, 0);
        // an Err run replays to the same Err (exit 1)
        const QString c = dir.filePath(u"c.doefftrace"_s);
        QCOMPARE(doeffRun({ u"risky_operation"_s, u"--trace"_s, c }).exitCode, 1);
        QCOMPARE(doeffRun({ u"--replay"_s, c }).exitCode, 1);
        // a simulated recording replayed on the real clock parts at its first clock reading
        const QString d = dir.filePath(u"d.doefftrace"_s);
        QCOMPARE(doeffRun({ u"measure_delay"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, d }).exitCode, 0);
        o = doeffRun({ u"--replay"_s, d, u"--clock"_s, u"real"_s });
        QCOMPARE(o.exitCode, 3);
        QVERIFY2(o.err.startsWith(u"doeff-run: replay of %1 diverged at event "_s.arg(d)), qPrintable(o.err));
        QVERIFY2(o.err.contains(u"read the clock, which the recording did not do here"_s), qPrintable(o.err));
        // what cannot be: a program name, --env or --store, a file that is not a trace
        o = doeffRun({ u"--replay"_s, a, u"counter"_s });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"--replay runs the recording's own program"_s), qPrintable(o.err));
        o = doeffRun({ u"--replay"_s, a, u"--store"_s, u"k=1"_s });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"--env and --store cannot be given"_s), qPrintable(o.err));
        // what if counter's Get had answered 41: the recording up to it, then live to Ok(42)
        const QString e = dir.filePath(u"e.doefftrace"_s);
        const QString json = dir.filePath(u"e.json"_s);
        QCOMPARE(doeffRun({ u"counter"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, e }).exitCode, 0);
        QCOMPARE(doeffRun({ u"--inspect-trace"_s, e, u"--export-json"_s, json }).exitCode, 0);
        qint64 getStep = -1;
        for (const QJsonValue& v : QJsonDocument::fromJson(readBytes(json)).object().value(u"events"_s).toArray())
            if (v[u"kind"_s].toString() == u"EffectYielded"_s && v[u"name"_s].toString() == u"Get('counter')"_s) {
                getStep = v[u"step"_s].toInteger();
                break;
            }
        QVERIFY(getStep > 0);
        o = doeffRun({ u"--replay"_s, e, u"--what-if"_s, u"%1=41"_s.arg(getStep) });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.startsWith(u"Ok(42)"_s), qPrintable(o.out));
        QVERIFY2(o.err.contains(u"what if: followed %1 for "_s.arg(e))
                     && o.err.contains(u"then ran live from step %1"_s.arg(getStep)),
                 qPrintable(o.err));
        // a what-if at a step where no effect was yielded never takes effect, and says so
        o = doeffRun({ u"--replay"_s, e, u"--what-if"_s, u"0=41"_s });
        QCOMPARE(o.exitCode, 3);
        QVERIFY2(o.err.contains(u"the run never reached step 0 as the what-if describes it"_s), qPrintable(o.err));
        o = doeffRun({ u"counter"_s, u"--what-if"_s, u"3=1"_s });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"need --replay"_s), qPrintable(o.err));
        o = doeffRun({ u"--replay"_s, e, u"--what-if"_s, u"three=1"_s });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"'three' is not a step number"_s), qPrintable(o.err));
        const QString bad = dir.filePath(u"bad.txt"_s);
        QVERIFY(writeBytes(bad, "junk\n"));
        o = doeffRun({ u"--replay"_s, bad });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(bad + u": not a doeff trace"_s), qPrintable(o.err));
    }

    /// What if divide's handler were swapped, removed or joined by another the library offers.
    void whatIfAHandlerChanged()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString t = dir.filePath(u"divide.doefftrace"_s);
        const QString json = dir.filePath(u"divide.json"_s);
        Outcome o = doeffRun({ u"divide"_s, u"--trace"_s, t });
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.out.startsWith(u"Err(examples::ZeroDivisionError"_s), qPrintable(o.out));
        QCOMPARE(doeffRun({ u"--inspect-trace"_s, t, u"--export-json"_s, json }).exitCode, 1); // the run's Err
        qint64 divideStep = -1;
        for (const QJsonValue& v : QJsonDocument::fromJson(readBytes(json)).object().value(u"events"_s).toArray())
            if (v[u"kind"_s].toString() == u"EffectYielded"_s && v[u"text"_s].toString() == u"Divide"_s) {
                divideStep = v[u"step"_s].toInteger();
                break;
            }
        QVERIFY(divideStep > 0);
        const QString at = QString::number(divideStep) + u'=';
        // swapped: the Divide meets safe_division, which answers 0
        o = doeffRun({ u"--replay"_s, t, u"--what-if-handler"_s, at + u"division=safe_division"_s });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.startsWith(u"Ok(0"_s), qPrintable(o.out));
        QVERIFY2(o.err.contains(u"then ran live from step %1"_s.arg(divideStep)), qPrintable(o.err));
        // added innermost, above division: it answers first
        o = doeffRun({ u"--replay"_s, t, u"--what-if-handler"_s, at + u"+safe_division"_s });
        QCOMPARE(o.exitCode, 0);
        QVERIFY2(o.out.startsWith(u"Ok(0"_s), qPrintable(o.out));
        // removed: nobody handles Divide
        o = doeffRun({ u"--replay"_s, t, u"--what-if-handler"_s, at + u"-division"_s });
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.out.startsWith(u"Err(UnhandledEffectError: No handler for Divide)"_s), qPrintable(o.out));
        // what cannot be: a handler no library offers, one the run does not have, a bad spec
        o = doeffRun({ u"--replay"_s, t, u"--what-if-handler"_s, at + u"division=nope"_s });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"no library offers a handler 'nope'"_s), qPrintable(o.err));
        o = doeffRun({ u"--replay"_s, t, u"--what-if-handler"_s, at + u"-nope"_s });
        QCOMPARE(o.exitCode, 3);
        QVERIFY2(o.err.contains(u"no task has a handler called nope"_s), qPrintable(o.err));
        o = doeffRun({ u"--replay"_s, t, u"--what-if-handler"_s, at + u"division"_s });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"--what-if-handler expects STEP=OLD=NEW"_s), qPrintable(o.err));
        o = doeffRun({ u"--replay"_s, t, u"--what-if-handler"_s, at + u"-division"_s, u"--what-if"_s, at + u"1"_s });
        QCOMPARE(o.exitCode, 2);
        QVERIFY2(o.err.contains(u"one what-if at a time"_s), qPrintable(o.err));
        // --list names the handlers offered
        o = doeffRun({ u"--list"_s });
        QVERIFY2(o.out.contains(u"Handlers offered (for --what-if-handler):"_s) && o.out.contains(u"safe_division"_s),
                 qPrintable(o.out));
    }

    void diffPrintsTheSummary()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString a = dir.filePath(u"a.doefftrace"_s);
        const QString b = dir.filePath(u"b.doefftrace"_s);
        QCOMPARE(doeffRun({ u"counter"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, a }).exitCode, 0);
        QCOMPARE(doeffRun({ u"counter"_s, u"--store"_s, u"counter=5"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, b })
                     .exitCode,
                 0);
        const Outcome o = doeffRun({ u"--diff"_s, a, b });
        QCOMPARE(o.exitCode, 1);
        const QString summary = o.out.mid(o.out.indexOf(u"summary:\n"_s));
        QVERIFY2(summary.startsWith(u"summary:\n  outcome: %1: Ok(1), %2: Ok(6)\n"
                                    "  final store (1 differ):\n    counter: %1: 1, %2: 6\n"
                                    "  tasks (1 differ):\n    task 0 (main): %1: done Ok(1), %2: done Ok(6)\n"
                                    "  effects that differ, by name:\n    Get: 1\n"_s.arg(a, b)),
                 qPrintable(o.out));
        QVERIFY2(summary.contains(u"    Put: 1\n"_s), qPrintable(o.out));
        QVERIFY2(summary.contains(u"→ resumed by core: 5\n"_s), qPrintable(o.out));
        QVERIFY(!summary.contains(u"final env"_s));
    }

    void diffOfAnExtraEffectInOneTask()
    {
        // one more word in the second document: its worker (task 2) logs one more word, and the
        // rest of that worker's effects still align
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString a = dir.filePath(u"a.doefftrace"_s);
        const QString b = dir.filePath(u"b.doefftrace"_s);
        const QString docs
            = u"documents=[\"effects are data\", \"handlers give them %1meaning\", \"tasks interleave\"]"_s;
        QCOMPARE(doeffRun({ u"word_count"_s, u"--env"_s, docs.arg(QString()), u"--clock"_s, u"simulated"_s,
                            u"--trace"_s, a })
                     .exitCode,
                 0);
        QCOMPARE(doeffRun({ u"word_count"_s, u"--env"_s, docs.arg(u"some "_s), u"--clock"_s, u"simulated"_s,
                            u"--trace"_s, b })
                     .exitCode,
                 0);
        const Outcome o = doeffRun({ u"--diff"_s, a, b });
        QCOMPARE(o.exitCode, 1);
        QVERIFY2(o.out.contains(u"      task 2, %1 step 34 / %2 step 34: missing\n"
                                "        %1: (no such effect)\n"
                                "        %2: Tell('some') step 34 task 2"_s.arg(a, b)),
                 qPrintable(o.out));
        // task 2's Tells: only the extra one differs
        QVERIFY2(!o.out.contains(u"Tell('meaning')"_s), qPrintable(o.out));
        QVERIFY2(o.out.contains(u"    task 2 (count_words): %1: done Ok(4), %2: done Ok(5)\n"_s.arg(a, b)),
                 qPrintable(o.out));
    }

    void unfinishedTraces()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString trace = dir.filePath(u"run.doefftrace"_s);
        QCOMPARE(doeffRun({ u"word_count"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, trace }).exitCode, 0);
        // the recorder stopped before its index
        const QByteArray bytes = readBytes(trace);
        const QString cut = dir.filePath(u"cut.doefftrace"_s);
        QVERIFY(writeBytes(cut, bytes.left(bytes.size() / 2)));
        const Outcome o = doeffRun({ u"--inspect-trace"_s, cut });
        QVERIFY2(o.out.contains(u"status: incomplete"_s), qPrintable(o.out));
        const QStringList lines = o.err.split(u'\n', Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].startsWith(u"doeff-run: notice: "_s + cut + u": recovered an unfinished trace"_s),
                 qPrintable(o.err));
        QCOMPARE(lines[1], u"doeff-run: "_s + cut + u": the recorded run has no result (status: incomplete)"_s);
        QCOMPARE(o.exitCode, 2);
    }

    void signalsFinishTheTrace_data()
    {
        QTest::addColumn<int>("signal");
        QTest::addColumn<QString>("name");
        QTest::addRow("SIGINT") << int(SIGINT) << u"SIGINT"_s;
        QTest::addRow("SIGTERM") << int(SIGTERM) << u"SIGTERM"_s;
    }
    void signalsFinishTheTrace()
    {
        QFETCH(int, signal);
        QFETCH(QString, name);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString trace = dir.filePath(u"busy.doefftrace"_s);
        QProcess p;
        p.start(QStringLiteral(DOEFF_RUN_PATH), { u"busy_loop"_s, u"--trace"_s, trace });
        QVERIFY(p.waitForStarted(30000));
        // frames on disk: the run is well under way
        QTRY_VERIFY_WITH_TIMEOUT(QFileInfo(trace).size() > 256 * 1024, 60000);
        QCOMPARE(::kill(pid_t(p.processId()), signal), 0);
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 128 + signal);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.startsWith(u"Err(RunAbortedError: interrupted by "_s + name + u')'), qPrintable(out));
        doeff::TraceReader reader;
        QVERIFY2(reader.open(trace), qPrintable(reader.errorString()));
        QVERIFY(!reader.recovered()); // finished with its index
        QCOMPARE(reader.metadata().status, u"Err(RunAbortedError: interrupted by "_s + name + u')');
        QVERIFY(reader.checkpointCount() > 0);
    }
};

QTEST_GUILESS_MAIN(TestDoeffRun)
#include "tst_doeff_run.moc"
