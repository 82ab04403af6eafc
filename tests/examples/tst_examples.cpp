// The example program library (examples/) and the program registry (doeff/library.h): every
// example runs in-process on both runners with its exact outcome; the registry finds, merges and
// loads libraries, and rejects files that are not program libraries with a clear error.

#include "files.h"
#include "scenario.h"

#include <doeff/library.h>
#include <doeff_examples.h>

#include <QTemporaryDir>

#include <functional>
#include <optional>
#include <utility>

using namespace doeff;
using namespace scenario;
using testcommon::writeBytes;
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

/// One run of an example (its defaults plus `env` / `store`) and what it must give; checks
/// left unset are not made.
struct ExampleRun {
    QString example {};
    Env env {};
    Store store {};
    std::optional<Clock> clock {};
    QString result {}; ///< resultText(), exactly or (resultIsPrefix) its start
    bool resultIsPrefix = false;
    std::optional<QString> log {}; ///< logOf()
    std::optional<QString> userStore {};
    std::optional<QStringList> unobserved {}; ///< unobserved(): {} for none
    bool (*errorIs)(const RuntimeResultBase&) = nullptr; ///< the error's type
    std::optional<QString> effectPath {};
    std::function<void(const RuntimeResult<QVariant>&)> more {}; ///< checks only this run makes
};

template<class E> bool errorIs(const RuntimeResultBase& r)
{
    return r.error().is<E>();
}

/// Every example's runs, labelled.
QList<std::pair<QString, ExampleRun>> allExampleRuns()
{
    const QVariantMap grace { { u"USER"_s, u"grace"_s },
                              { u"HOME"_s, u"/home/grace"_s },
                              { u"SHELL"_s, u"/bin/zsh"_s } };
    const QVariantMap noUser { { u"HOME"_s, u"/root"_s } };
    const QDateTime noon(QDate(2030, 5, 1), QTime(12, 0), Qt::UTC);
    return {
        // ---- the runtime documentation's examples, with its inputs and outcomes (issue 16) ----
        { u"documented fetch_data"_s,
          { .example = u"fetch_data"_s,
            .clock = Clock::Simulated,
            .result = u"Ok({'items': [1, 2, 3], 'path': '/api/data'})"_s } },
        { u"documented counter"_s,
          { .example = u"counter"_s, .result = u"Ok(1)"_s, .userStore = u"{'counter': 1}"_s } },
        { u"documented parallel_work"_s, { .example = u"parallel_work"_s, .result = u"Ok(['A', 'B', 'C'])"_s } },
        { u"documented timed_operation"_s,
          { .example = u"timed_operation"_s, .clock = Clock::Simulated, .result = u"Ok('Elapsed: 1.0s')"_s } },
        { u"documented timed_operation, real clock"_s,
          { .example = u"timed_operation"_s,
            .result = u"Ok('Elapsed: 1."_s,
            .resultIsPrefix = true,
            .more =
                [](const RuntimeResult<QVariant>& r) {
                    const QString text = r.value().toString();
                    const double seconds = text.mid(9, text.size() - 10).toDouble();
                    QVERIFY2(seconds >= 1.0 && seconds < 2.0, qPrintable(text));
                } } },
        { u"documented greet"_s, { .example = u"greet"_s, .result = u"Ok('Hello, World!')"_s } },
        { u"documented delayed_response"_s, { .example = u"delayed_response"_s, .result = u"Ok('Ready!')"_s } },
        { u"documented risky_operation"_s,
          { .example = u"risky_operation"_s,
            .result = u"Err(ValueError: Something went wrong)"_s,
            .more =
                [](const RuntimeResult<QVariant>& r) {
                    QVERIFY(r.format().contains(u"ValueError: Something went wrong"_s));
                    QVERIFY(r.format(true).contains(u"ValueError: Something went wrong"_s));
                } } },
        { u"documented program_with_logging"_s,
          { .example = u"program_with_logging"_s,
            .result = u"Ok('Done')"_s,
            .more =
                [](const RuntimeResult<QVariant>&) {
                    // [custom_log_handler, *sync_handlers_preset]: the user's handler is the outermost
                    const HandlerList stack = example(u"program_with_logging"_s).handlerStack();
                    QCOMPARE(stack.size(), sync_handlers_preset().size() + 1);
                    QCOMPARE(stack.first().name(), u"custom_log_handler"_s);
                } } },
        { u"documented get_current_time"_s,
          { .example = u"get_current_time"_s, .result = u"Ok(QDateTime(2024-01-01T12:00:00.000Z))"_s } },

        { u"count_to_three"_s,
          { .example = u"count_to_three"_s, .result = u"Ok(3)"_s, .userStore = u"{'counter': 3}"_s } },
        { u"count_to_three from 10"_s,
          { .example = u"count_to_three"_s, .store = { { u"counter"_s, 10 } }, .result = u"Ok(13)"_s } },
        // issue 17 #6: past a 32-bit int, and at the top of a 64-bit one, without overflowing
        { u"count_to_three past int"_s,
          { .example = u"count_to_three"_s,
            .store = { { u"counter"_s, 2147483647 } },
            .result = u"Ok(2147483650)"_s } },
        { u"count_to_three at its maximum"_s,
          { .example = u"count_to_three"_s,
            .store = { { u"counter"_s, std::numeric_limits<qint64>::max() } },
            .result = u"Err(std::overflow_error: counter is at its maximum)"_s } },

        { u"greet_and_log"_s,
          { .example = u"greet_and_log"_s, .result = u"Ok('Hello, World!')"_s, .log = u"['Greeting World']"_s } },
        { u"greet_and_log Ada"_s,
          { .example = u"greet_and_log"_s, .env = { { u"name"_s, u"Ada"_s } }, .result = u"Ok('Hello, Ada!')"_s } },

        { u"flaky_service"_s,
          { .example = u"flaky_service"_s,
            .result = u"Ok(42)"_s,
            .log = u"['attempt 1', 'attempt 1 failed: std::runtime_error: service unavailable (attempt 1)', "
                   "'attempt 2', 'attempt 2 failed: std::runtime_error: service unavailable (attempt 2)', "
                   "'attempt 3']"_s } },
        { u"flaky_service failing"_s,
          { .example = u"flaky_service"_s,
            .env = { { u"failures"_s, 5 } },
            .result = u"Err(std::runtime_error: service unavailable (attempt 3))"_s,
            .more =
                [](const RuntimeResult<QVariant>& r) {
                    QCOMPARE(r.raw_store().value(u"__log__"_s).toList().size(), 6);
                } } },

        { u"audit_log"_s,
          { .example = u"audit_log"_s,
            .result = u"Ok('done')"_s,
            .log = u"['[audit task 0] job started', '[audit task 0] processed 3 items']"_s,
            .userStore = u"{'audit_lines': 2, 'processed': 3}"_s } },

        { u"get_env_var"_s,
          { .example = u"get_env_var"_s,
            .result = u"Ok('ada at /home/ada using /bin/sh')"_s,
            .log = u"['resolved USER, HOME and SHELL']"_s } },
        { u"get_env_var grace"_s,
          { .example = u"get_env_var"_s,
            .env = { { u"environment"_s, grace } },
            .result = u"Ok('grace at /home/grace using /bin/zsh')"_s } },
        { u"get_env_var missing"_s,
          { .example = u"get_env_var"_s,
            .env = { { u"environment"_s, noUser } },
            .result = u"Err(examples::MissingVariableError: environment variable USER is not set)"_s,
            .errorIs = errorIs<examples::MissingVariableError>,
            .effectPath = u"get_env_var_main() -> GetEnvVar(variable='USER')"_s } },

        { u"increment_counter"_s,
          { .example = u"increment_counter"_s,
            .result = u"Ok({'downloads': 5, 'page_views': 3})"_s,
            .userStore = u"{'page_views': 3, 'downloads': 5}"_s } },
        { u"increment_counter more"_s,
          { .example = u"increment_counter"_s,
            .store = { { u"page_views"_s, 39 } },
            .result = u"Ok({'downloads': 5, 'page_views': 42})"_s } },

        { u"divide"_s,
          { .example = u"divide"_s,
            .result = u"Err(examples::ZeroDivisionError: cannot divide 10 by zero)"_s,
            .errorIs = errorIs<examples::ZeroDivisionError>,
            .effectPath = u"divide_main() -> Divide(dividend=10.0, divisor=0.0)"_s,
            .more =
                [](const RuntimeResult<QVariant>& r) {
                    QCOMPARE(r.source_stack().entries.size(), 1);
                    QCOMPARE(r.source_stack().entries.first().function, u"divide_main"_s);
                } } },
        { u"divide by 4"_s,
          { .example = u"divide"_s,
            .env = { { u"divisor"_s, 4 } },
            .result = u"Ok(2.5)"_s,
            .log = u"['10 / 4 = 2.5']"_s } },

        { u"fetch_user"_s,
          { .example = u"fetch_user"_s,
            .result = u"Ok({'id': 42, 'name': 'User 42', 'url': 'https://api.example.com/users/42'})"_s,
            .log = u"['fetching https://api.example.com/users/42', 'fetched User 42']"_s } },

        // the workers' Tells went to their own copies of the store
        { u"word_count"_s,
          { .example = u"word_count"_s,
            .result = u"Ok({'counts': [3, 4, 2], 'total': 9})"_s,
            .log = u"['counted 9 words in 3 documents']"_s } },
        { u"word_count documents"_s,
          { .example = u"word_count"_s,
            .env = { { u"documents"_s, QStringList { u"one"_s, u""_s, u"a b c d e"_s } } },
            .result = u"Ok({'counts': [1, 0, 5], 'total': 6})"_s } },

        // the parser's error travelled through the promise to the consumer, then to main
        { u"pipeline"_s,
          { .example = u"pipeline"_s,
            .result = u"Err(examples::ParseError: record 2 'bob,x': age 'x' is not a number)"_s,
            .unobserved = QStringList(),
            .errorIs = errorIs<examples::ParseError>,
            .more =
                [](const RuntimeResult<QVariant>& r) {
                    QStringList chain;
                    for (const auto& e : r.source_stack().entries)
                        chain.append(u"%1@%2"_s.arg(e.function).arg(e.task));
                    // parse_record's throw, passed on through FailPromise, heads the stack (issue 19)
                    QCOMPARE(chain,
                             (QStringList { u"pipeline_main@0"_s, u"consume@3"_s, u"parse_stage@2"_s,
                                            u"parse_record@2"_s }));
                    QCOMPARE(r.source_stack().entries.last().line, 80);
                } } },
        { u"pipeline good records"_s,
          { .example = u"pipeline"_s,
            .env = { { u"records"_s, QStringList { u"ada,36"_s, u"grace,45"_s } } },
            .result = u"Ok({'people': 2, 'total_age': 81})"_s,
            .unobserved = QStringList() } },

        { u"deadlock"_s,
          { .example = u"deadlock"_s,
            .result = u"Err(DeadlockError: "_s + deadlockMessage() + u')',
            .unobserved = QStringList { u"task 1 'alice': DeadlockError: "_s + deadlockMessage(),
                                        u"task 2 'bob': DeadlockError: "_s + deadlockMessage() },
            .more =
                [](const RuntimeResult<QVariant>& r) {
                    const auto* d = r.error().as<DeadlockError>();
                    QVERIFY(d);
                    QCOMPARE(d->blocked().size(), 3);
                } } },

        { u"fanout"_s,
          { .example = u"fanout"_s,
            .result = u"Ok({'sum': 99990000, 'tasks': 10000})"_s,
            .unobserved = QStringList() } },
        { u"fanout small"_s,
          { .example = u"fanout"_s,
            .env = { { u"tasks"_s, 4 }, { u"multiplier"_s, 10 } },
            .result = u"Ok({'sum': 60, 'tasks': 4})"_s } },

        { u"measure_delay"_s,
          { .example = u"measure_delay"_s,
            .clock = Clock::Simulated,
            .result = u"Ok({'elapsed_ms': 250, 'finished': '00:00:00.250', 'started': '00:00:00.000'})"_s,
            .log = u"['operation took 250 ms']"_s } },
        { u"measure_delay hour"_s,
          { .example = u"measure_delay"_s,
            .env = { { u"seconds"_s, 3600 } },
            .clock = Clock::Simulated,
            .result = u"Ok({'elapsed_ms': 3600000, 'finished': '01:00:00.000', 'started': '00:00:00.000'})"_s } },

        { u"timeout_race"_s,
          { .example = u"timeout_race"_s,
            .clock = Clock::Simulated,
            .result = u"Ok('response after 0.2 s')"_s,
            .log = u"['response after 0.2 s']"_s,
            .unobserved = QStringList() } },
        { u"timeout_race late"_s,
          { .example = u"timeout_race"_s,
            .env = { { u"latency"_s, 5 } },
            .clock = Clock::Simulated,
            .result = u"Err(examples::TimeoutError: no response within 1 s)"_s,
            .unobserved = QStringList() } },

        { u"controlled_time"_s,
          { .example = u"controlled_time"_s,
            .result = u"Ok(['2024-01-01T09:00:00Z open', '2024-01-01T18:30:00Z closed', "
                      "'2024-01-01T18:30:00Z closed', '2000-01-01T00:00:02Z closed'])"_s,
            .more =
                [](const RuntimeResult<QVariant>& r) {
                    QCOMPARE(example(u"controlled_time"_s).options.clock, Clock::Simulated);
                    QCOMPARE(r.raw_store().value(u"__current_time__"_s), QVariant());
                } } },
        // a caller controls "now" through the store as well
        { u"controlled_time at noon"_s,
          { .example = u"controlled_time"_s,
            .store = { { u"__current_time__"_s, noon } },
            .result = u"Ok(['2030-05-01T12:00:00Z open', "_s,
            .resultIsPrefix = true } },
        // nothing listens on port 1: the Await fails, and the Gather with it
        { u"fetch_pages without a server"_s,
          { .example = u"fetch_pages"_s,
            .env = { { u"base_url"_s, u"http://127.0.0.1:1"_s } },
            .result = u"Err("_s,
            .resultIsPrefix = true,
            .more =
                [](const RuntimeResult<QVariant>& r) {
                    QVERIFY2(r.error().message().contains(u"cannot fetch http://127.0.0.1:1/"_s),
                             qPrintable(r.error().message()));
                } } },
    };
}

} // namespace

Q_DECLARE_METATYPE(ExampleRun)

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
        // the documentation's examples first, under their own heading, then the demos
        const QStringList documented {
            u"fetch_data"_s,       u"counter"_s,         u"parallel_work"_s,        u"timed_operation"_s,  u"greet"_s,
            u"delayed_response"_s, u"risky_operation"_s, u"program_with_logging"_s, u"get_current_time"_s,
        };
        const QStringList demos {
            u"count_to_three"_s,  u"greet_and_log"_s,     u"busy_loop"_s, u"flaky_service"_s, u"audit_log"_s,
            u"get_env_var"_s,     u"increment_counter"_s, u"divide"_s,    u"fetch_user"_s,    u"word_count"_s,
            u"pipeline"_s,        u"deadlock"_s,          u"fanout"_s,    u"measure_delay"_s, u"timeout_race"_s,
            u"controlled_time"_s, u"fetch_pages"_s,
        };
        QCOMPARE(names, documented + demos);
        for (const ProgramInfo& p : examples::library().programs())
            QCOMPARE(p.group, documented.contains(p.name) ? u"Documented examples"_s : u"Demos"_s);
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
            << QStringLiteral(DOEFF_WRONG_ABI_LIBRARY ": program library ABI version %1, but this engine supports "
                                                      "version %2 (rebuild the library against this libdoeff)")
                   .arg(DOEFF_PROGRAM_LIBRARY_ABI + 1)
                   .arg(DOEFF_PROGRAM_LIBRARY_ABI);
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
        QCOMPARE(resultText(runProgram(example(u"counter"_s))), u"Ok(1)"_s);
    }

    void loadRejectsATextFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"notes.so"_s);
        QVERIFY(writeBytes(path, "this is not an ELF file\n"));
        try {
            loadProgramLibrary(path);
            QFAIL("no error");
        } catch (const ProgramLibraryError& e) {
            QVERIFY2(e.message().startsWith(path + u": cannot load: "_s), qPrintable(e.message()));
            QVERIFY2(e.message().size() > path.size() + 15, "the loader's reason is missing");
        }
    }

    // ---- the examples, each on both runners ------------------------------------------------

    void exampleRuns_data()
    {
        QTest::addColumn<int>("runner");
        QTest::addColumn<ExampleRun>("run");
        for (const auto& [label, run] : allExampleRuns()) {
            QTest::addRow("%s sync", qPrintable(label)) << int(Runner::Sync) << run;
            QTest::addRow("%s async", qPrintable(label)) << int(Runner::Async) << run;
        }
    }
    void exampleRuns()
    {
        QFETCH(int, runner);
        QFETCH(ExampleRun, run);
        auto r = runExample(runner, run.example, run.env, run.store, run.clock);
        if (run.resultIsPrefix)
            QVERIFY2(resultText(r).startsWith(run.result), qPrintable(resultText(r)));
        else
            QCOMPARE(resultText(r), run.result);
        if (run.log) QCOMPARE(logOf(r), *run.log);
        if (run.userStore) QCOMPARE(userStore(r), *run.userStore);
        if (run.unobserved) QCOMPARE(unobserved(r), *run.unobserved);
        if (run.errorIs) QVERIFY(run.errorIs(r));
        if (run.effectPath) QCOMPARE(r.effect_stack().effectPath(), *run.effectPath);
        if (run.more) run.more(r);
    }
};

QTEST_GUILESS_MAIN(TestExamples)
#include "tst_examples.moc"
