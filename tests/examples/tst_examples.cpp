// The example program library (examples/) and the program registry (doeff/library.h): every
// example runs in-process on both runners with its exact outcome; the registry finds, merges and
// loads libraries, and rejects files that are not program libraries with a clear error.

#include "scenario.h"

#include <doeff/library.h>
#include <doeff_examples.h>

#include <QFile>
#include <QTemporaryDir>

#include <optional>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

const ProgramInfo& example(const QString& name)
{
    const ProgramInfo* p = examples::library().find(name);
    if (!p) qFatal("no example %s", qPrintable(name));
    return *p;
}

/// Runs an example with its defaults plus `env` / `store`, on the given runner.
RuntimeResult<QVariant> runExample(int runner, const QString& name, const Env& env = {}, const Store& store = {},
                                   std::optional<Clock> clock = {})
{
    const ProgramInfo& p = example(name);
    RunOptions options = p.options;
    if (clock) options.clock = *clock;
    if (Runner(runner) == Runner::Sync) return runProgram(p, env, store, std::move(options));
    return QCoro::waitFor(asyncRunProgram(p, env, store, std::move(options)));
}

QString deadlockMessage()
{
    return u"Deadlock: no task can make progress: task 1 'alice' waits on Wait(promise 2); task 0 'main' waits on "
           "Gather(task 1 'alice', task 2 'bob'); task 2 'bob' waits on Wait(promise 1)"_s;
}

/// A handler-less program for registry tests.
Program<int> seven()
{
    co_return 7;
}

} // namespace

class TestExamples : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // ---- the registry ----------------------------------------------------------------------

    void libraryListsEveryExample()
    {
        QStringList names;
        for (const ProgramInfo& p : examples::library().programs()) {
            names.append(p.name);
            QVERIFY2(!p.description.isEmpty(), qPrintable(p.name));
            QVERIFY2(p.make, qPrintable(p.name));
        }
        names.sort();
        const QStringList expected {
            u"busy_loop"_s,     u"controlled_time"_s,  u"counter"_s,         u"custom_log_handler"_s,
            u"deadlock"_s,      u"delayed_response"_s, u"divide"_s,          u"fanout"_s,
            u"fetch_data"_s,    u"get_env_var"_s,      u"greet"_s,           u"increment_counter"_s,
            u"parallel_work"_s, u"pipeline"_s,         u"risky_operation"_s, u"timed_operation"_s,
        };
        QCOMPARE(names, expected);
        QVERIFY(examples::library().problems().isEmpty());
        QCOMPARE(examples::library().find(u"nope"_s), nullptr);
    }

    void addRejectsDuplicatesAndIncompletePrograms()
    {
        ProgramLibrary lib;
        QVERIFY(lib.add(
            ProgramInfo { .name = u"seven"_s, .description = u"d"_s, .make = [] { return AnyProgram(seven()); } }));
        QVERIFY(!lib.add(
            ProgramInfo { .name = u"seven"_s, .description = u"again"_s, .make = [] { return AnyProgram(seven()); } }));
        QVERIFY(!lib.add(ProgramInfo { .name = u"nothing"_s }));
        QVERIFY(!lib.add(ProgramInfo {}));
        QCOMPARE(lib.programs().size(), 1);
        QCOMPARE(lib.find(u"seven"_s)->description, u"d"_s);
        QCOMPARE(lib.problems(),
                 QStringList({ u"program 'seven' is registered twice"_s, u"program 'nothing' has no program function"_s,
                               u"a program has no name"_s }));
    }

    void mergesDefaultsWithOverrides()
    {
        ProgramInfo p { .name = u"p"_s,
                        .make = [] { return AnyProgram(seven()); },
                        .env = { { u"a"_s, 1 }, { u"b"_s, 2 } },
                        .store = { { u"x"_s, 1 }, { u"y"_s, 2 } } };
        QCOMPARE(p.mergedEnv({ { u"b"_s, 20 }, { u"c"_s, 30 } }),
                 (Env { { u"a"_s, 1 }, { u"b"_s, 20 }, { u"c"_s, 30 } }));
        const Store s = p.mergedStore({ { u"z"_s, 3 }, { u"x"_s, 10 } });
        QCOMPARE(s.keys(), (QStringList { u"x"_s, u"y"_s, u"z"_s }));
        QCOMPARE(s.value(u"x"_s).toInt(), 10);
        // the preset alone without extra handlers; extra handlers go innermost
        QCOMPARE(p.handlerStack().size(), sync_handlers_preset().size());
        const HandlerList divideStack = example(u"divide"_s).handlerStack();
        QCOMPARE(divideStack.size(), sync_handlers_preset().size() + 1);
        QCOMPARE(divideStack.last().name(), u"division"_s);
        QCOMPARE(divideStack.first().name(), u"scheduler"_s);
        // a fresh activation per call
        QCOMPARE(resultText(sync_run(p.program(), p.handlerStack())), u"Ok(7)"_s);
        QCOMPARE(resultText(sync_run(p.program(), p.handlerStack())), u"Ok(7)"_s);
    }

    void loadsTheExamplesSharedObject()
    {
        // the same file doeff-run and this test link: loading it yields the very same library
        const ProgramLibrary& loaded = loadProgramLibrary(QStringLiteral(DOEFF_EXAMPLES_LIBRARY));
        QCOMPARE(&loaded, &examples::library());
        QCOMPARE(&loadProgramLibrary(QStringLiteral(DOEFF_EXAMPLES_LIBRARY)), &loaded);
    }

    void loadRejectsWhatIsNotAProgramLibrary_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<QString>("message");
        QTest::addRow("missing file") << u"/nonexistent/libnothing.so"_s
                                      << u"/nonexistent/libnothing.so: no such file"_s;
        QTest::addRow("directory") << u"/tmp"_s << u"/tmp: is a directory, not a shared library"_s;
        QTest::addRow("shared object without the entry point")
            << QStringLiteral(DOEFF_ENGINE_LIBRARY)
            << QStringLiteral(DOEFF_ENGINE_LIBRARY
                              ": not a doeff program library (no doeff_program_library_v1 symbol)");
        QTest::addRow("another ABI version")
            << QStringLiteral(DOEFF_WRONG_ABI_LIBRARY)
            << QStringLiteral(DOEFF_WRONG_ABI_LIBRARY ": program library ABI version 2, but this engine supports "
                                                      "version 1 (rebuild the library against this libdoeff)");
        QTest::addRow("a name registered twice")
            << QStringLiteral(DOEFF_DUPLICATE_NAMES_LIBRARY)
            << QStringLiteral(DOEFF_DUPLICATE_NAMES_LIBRARY
                              ": broken program library: program 'twice' is registered twice");
    }
    void loadRejectsWhatIsNotAProgramLibrary()
    {
        QFETCH(QString, path);
        QFETCH(QString, message);
        try {
            loadProgramLibrary(path);
            QFAIL("no error");
        } catch (const ProgramLibraryError& e) {
            QCOMPARE(e.message(), message);
        }
    }

    void loadsAThirdPartyLibrary()
    {
        // a library of its own: only its programs, although this process also links the examples
        const ProgramLibrary& lib = loadProgramLibrary(QStringLiteral(DOEFF_USER_LIBRARY));
        QVERIFY(&lib != &examples::library());
        QStringList names;
        for (const ProgramInfo& p : lib.programs())
            names.append(p.name);
        QCOMPARE(names, (QStringList { u"hello"_s, u"counter"_s }));
        QCOMPARE(resultText(runProgram(*lib.find(u"counter"_s))), u"Ok(42)"_s);
        auto hello = QCoro::waitFor(asyncRunProgram(*lib.find(u"hello"_s), { { u"who"_s, u"tests"_s } }));
        QCOMPARE(resultText(hello), u"Ok('Hello from a plugin, tests')"_s);
        QCOMPARE(logOf(hello), u"['said hello']"_s);
        // the built-in counter is untouched
        QCOMPARE(resultText(runProgram(example(u"counter"_s))), u"Ok(3)"_s);
    }

    void loadRejectsATextFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"notes.so"_s);
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not an ELF file\n");
        f.close();
        try {
            loadProgramLibrary(path);
            QFAIL("no error");
        } catch (const ProgramLibraryError& e) {
            QVERIFY2(e.message().startsWith(path + u": cannot load: "_s), qPrintable(e.message()));
            QVERIFY2(e.message().size() > path.size() + 15, "the loader's reason is missing");
        }
    }

    // ---- the examples, each on both runners ------------------------------------------------

    void counter_data() { addRunnerColumn(); }
    void counter()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"counter"_s);
        QCOMPARE(resultText(r), u"Ok(3)"_s);
        QCOMPARE(userStore(r), u"{'counter': 3}"_s);
        auto from10 = runExample(runner, u"counter"_s, {}, { { u"counter"_s, 10 } });
        QCOMPARE(resultText(from10), u"Ok(13)"_s);
    }

    void greet_data() { addRunnerColumn(); }
    void greet()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"greet"_s);
        QCOMPARE(resultText(r), u"Ok('Hello, World!')"_s);
        QCOMPARE(logOf(r), u"['Greeting World']"_s);
        QCOMPARE(resultText(runExample(runner, u"greet"_s, { { u"name"_s, u"Ada"_s } })), u"Ok('Hello, Ada!')"_s);
    }

    void risky_operation_data() { addRunnerColumn(); }
    void risky_operation()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"risky_operation"_s);
        QCOMPARE(resultText(r), u"Ok(42)"_s);
        QCOMPARE(logOf(r),
                 u"['attempt 1', 'attempt 1 failed: std::runtime_error: service unavailable (attempt 1)', 'attempt 2', "
                 "'attempt 2 failed: std::runtime_error: service unavailable (attempt 2)', 'attempt 3']"_s);
        auto failing = runExample(runner, u"risky_operation"_s, { { u"failures"_s, 5 } });
        QCOMPARE(resultText(failing), u"Err(std::runtime_error: service unavailable (attempt 3))"_s);
        QCOMPARE(failing.raw_store().value(u"__log__"_s).toList().size(), 6);
    }

    void custom_log_handler_data() { addRunnerColumn(); }
    void custom_log_handler()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"custom_log_handler"_s);
        QCOMPARE(resultText(r), u"Ok('done')"_s);
        QCOMPARE(logOf(r), u"['[audit task 0] job started', '[audit task 0] processed 3 items']"_s);
        QCOMPARE(userStore(r), u"{'audit_lines': 2, 'processed': 3}"_s);
    }

    void get_env_var_data() { addRunnerColumn(); }
    void get_env_var()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"get_env_var"_s);
        QCOMPARE(resultText(r), u"Ok('ada at /home/ada using /bin/sh')"_s);
        QCOMPARE(logOf(r), u"['resolved USER, HOME and SHELL']"_s);
        const QVariantMap vars { { u"USER"_s, u"grace"_s },
                                 { u"HOME"_s, u"/home/grace"_s },
                                 { u"SHELL"_s, u"/bin/zsh"_s } };
        QCOMPARE(resultText(runExample(runner, u"get_env_var"_s, { { u"environment"_s, vars } })),
                 u"Ok('grace at /home/grace using /bin/zsh')"_s);
        const QVariantMap noUser { { u"HOME"_s, u"/root"_s } };
        auto missing = runExample(runner, u"get_env_var"_s, { { u"environment"_s, noUser } });
        QCOMPARE(resultText(missing), u"Err(examples::MissingVariableError: environment variable USER is not set)"_s);
        QVERIFY(missing.error().is<examples::MissingVariableError>());
        QCOMPARE(missing.effect_stack().effectPath(), u"get_env_var_main() -> GetEnvVar(variable='USER')"_s);
    }

    void increment_counter_data() { addRunnerColumn(); }
    void increment_counter()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"increment_counter"_s);
        QCOMPARE(resultText(r), u"Ok({'downloads': 5, 'page_views': 3})"_s);
        QCOMPARE(userStore(r), u"{'page_views': 3, 'downloads': 5}"_s);
        auto more = runExample(runner, u"increment_counter"_s, {}, { { u"page_views"_s, 39 } });
        QCOMPARE(resultText(more), u"Ok({'downloads': 5, 'page_views': 42})"_s);
    }

    void divide_data() { addRunnerColumn(); }
    void divide()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"divide"_s);
        QCOMPARE(resultText(r), u"Err(examples::ZeroDivisionError: cannot divide 10 by zero)"_s);
        QVERIFY(r.error().is<examples::ZeroDivisionError>());
        QCOMPARE(r.effect_stack().effectPath(), u"divide_main() -> Divide(dividend=10.0, divisor=0.0)"_s);
        QCOMPARE(r.source_stack().entries.size(), 1);
        QCOMPARE(r.source_stack().entries.first().function, u"divide_main"_s);
        auto ok = runExample(runner, u"divide"_s, { { u"divisor"_s, 4 } });
        QCOMPARE(resultText(ok), u"Ok(2.5)"_s);
        QCOMPARE(logOf(ok), u"['10 / 4 = 2.5']"_s);
    }

    // (a slot called fetch_data would be taken for the data function of a test "fetch")
    void fetchData_data() { addRunnerColumn(); }
    void fetchData()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"fetch_data"_s);
        QCOMPARE(resultText(r), u"Ok({'id': 42, 'name': 'User 42', 'url': 'https://api.example.com/users/42'})"_s);
        QCOMPARE(logOf(r), u"['fetching https://api.example.com/users/42', 'fetched User 42']"_s);
    }

    void parallel_work_data() { addRunnerColumn(); }
    void parallel_work()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"parallel_work"_s);
        QCOMPARE(resultText(r), u"Ok({'counts': [3, 4, 2], 'total': 9})"_s);
        // the workers' Tells went to their own copies of the store
        QCOMPARE(logOf(r), u"['counted 9 words in 3 documents']"_s);
        const QStringList docs { u"one"_s, u""_s, u"a b c d e"_s };
        QCOMPARE(resultText(runExample(runner, u"parallel_work"_s, { { u"documents"_s, docs } })),
                 u"Ok({'counts': [1, 0, 5], 'total': 6})"_s);
    }

    void pipeline_data() { addRunnerColumn(); }
    void pipeline()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"pipeline"_s);
        QCOMPARE(resultText(r), u"Err(examples::ParseError: record 2 'bob,x': age 'x' is not a number)"_s);
        QVERIFY(r.error().is<examples::ParseError>());
        QVERIFY(r.unobserved_failures().isEmpty());
        // the parser's error travelled through the promise to the consumer, then to main
        QStringList chain;
        for (const auto& e : r.source_stack().entries)
            chain.append(u"%1@%2"_s.arg(e.function).arg(e.task));
        QCOMPARE(chain, (QStringList { u"pipeline_main@0"_s, u"consume@3"_s, u"parse_stage@2"_s }));
        const QStringList good { u"ada,36"_s, u"grace,45"_s };
        auto ok = runExample(runner, u"pipeline"_s, { { u"records"_s, good } });
        QCOMPARE(resultText(ok), u"Ok({'people': 2, 'total_age': 81})"_s);
        QVERIFY(ok.unobserved_failures().isEmpty());
    }

    void deadlock_data() { addRunnerColumn(); }
    void deadlock()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"deadlock"_s);
        QCOMPARE(resultText(r), u"Err(DeadlockError: "_s + deadlockMessage() + u')');
        const auto* d = r.error().as<DeadlockError>();
        QVERIFY(d);
        QCOMPARE(d->blocked().size(), 3);
        QCOMPARE(unobserved(r),
                 (QStringList { u"task 1 'alice': DeadlockError: "_s + deadlockMessage(),
                                u"task 2 'bob': DeadlockError: "_s + deadlockMessage() }));
    }

    void fanout_data() { addRunnerColumn(); }
    void fanout()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"fanout"_s);
        QCOMPARE(resultText(r), u"Ok({'sum': 99990000, 'tasks': 10000})"_s);
        QVERIFY(r.unobserved_failures().isEmpty());
        auto small = runExample(runner, u"fanout"_s, { { u"tasks"_s, 4 }, { u"multiplier"_s, 10 } });
        QCOMPARE(resultText(small), u"Ok({'sum': 60, 'tasks': 4})"_s);
    }

    void timed_operation_data() { addRunnerColumn(); }
    void timed_operation()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"timed_operation"_s, {}, {}, Clock::Simulated);
        QCOMPARE(resultText(r), u"Ok({'elapsed_ms': 250, 'finished': '00:00:00.250', 'started': '00:00:00.000'})"_s);
        QCOMPARE(logOf(r), u"['operation took 250 ms']"_s);
        auto hour = runExample(runner, u"timed_operation"_s, { { u"seconds"_s, 3600 } }, {}, Clock::Simulated);
        QCOMPARE(resultText(hour),
                 u"Ok({'elapsed_ms': 3600000, 'finished': '01:00:00.000', 'started': '00:00:00.000'})"_s);
    }

    void delayed_response_data() { addRunnerColumn(); }
    void delayed_response()
    {
        QFETCH(int, runner);
        auto r = runExample(runner, u"delayed_response"_s, {}, {}, Clock::Simulated);
        QCOMPARE(resultText(r), u"Ok('response after 0.2 s')"_s);
        QVERIFY(r.unobserved_failures().isEmpty());
        QCOMPARE(logOf(r), u"['response after 0.2 s']"_s);
        auto late = runExample(runner, u"delayed_response"_s, { { u"latency"_s, 5 } }, {}, Clock::Simulated);
        QCOMPARE(resultText(late), u"Err(examples::TimeoutError: no response within 1 s)"_s);
        QVERIFY(late.unobserved_failures().isEmpty());
    }

    void controlled_time_data() { addRunnerColumn(); }
    void controlled_time()
    {
        QFETCH(int, runner);
        QCOMPARE(example(u"controlled_time"_s).options.clock, Clock::Simulated);
        auto r = runExample(runner, u"controlled_time"_s);
        QCOMPARE(resultText(r),
                 u"Ok(['2024-01-01T09:00:00Z open', '2024-01-01T18:30:00Z closed', '2024-01-01T18:30:00Z closed', "
                 "'2000-01-01T00:00:02Z closed'])"_s);
        QCOMPARE(r.raw_store().value(u"__current_time__"_s), QVariant());
        // a caller controls "now" through the store as well
        const QDateTime noon(QDate(2030, 5, 1), QTime(12, 0), Qt::UTC);
        auto atNoon = runExample(runner, u"controlled_time"_s, {}, { { u"__current_time__"_s, noon } });
        QVERIFY(resultText(atNoon).startsWith(u"Ok(['2030-05-01T12:00:00Z open', "_s));
    }
};

QTEST_GUILESS_MAIN(TestExamples)
#include "tst_examples.moc"
