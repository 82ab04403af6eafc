// Scenarios RR01–RR04 of spec/SCENARIOS.md: RuntimeResult contents, the four text layouts of
// RUNTIME §11 (golden files in rr/golden, extracted from the spec), saving and loading.

#include "files.h"
#include "scenario.h"

#include <doeff/library.h>

#include <QBuffer>
#include <QCborMap>
#include <QCborValue>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <sys/stat.h>

using namespace doeff;
using namespace scenario;
using namespace testcommon;
using namespace Qt::StringLiterals;

// The §11 programs, each in its own file under rr/ with the spec's line numbers.
Program<QString> rr_fetch_config_main();
Program<int> level1();
Program<int> rr_spawn_error_main();
Program<QVariantMap> answer_flow();

namespace {

Program<QVariant> rr02_main_flow()
{
    co_await Put("before", 1);
    co_await Tell("t");
    co_return co_await Get("missing"); // RR02_LINE
}

/// A task that writes its store, then fails: the result keeps that store at the failing point.
Program<int> storing_worker()
{
    co_await Put("k", 1);
    co_await Put("k", 2);
    throw std::runtime_error("failed at k=2");
}

Program<int> storing_main()
{
    co_await Put("k", 0);
    Task<int> task = co_await Spawn(storing_worker());
    co_return co_await Wait(task);
}

Program<QStringList> names_main()
{
    co_return QStringList { u"ada"_s, u"grace"_s };
}

QString golden(const QString& name)
{
    const QString path = QStringLiteral(DOEFF_RR_DIR) + u"/golden/"_s + name + u".txt"_s;
    if (!QFile::exists(path)) return u"<missing golden file "_s + path + u'>';
    return readText(path);
}

/// Printed paths → base names, as the spec's examples show them.
QString shortened(QString text)
{
    return text.replace(QStringLiteral(DOEFF_RR_DIR) + u'/', QString());
}

RuntimeResult<QString> runFetchConfig(int runner)
{
    return runWith(runner, rr_fetch_config_main(), sync_handlers_preset(), Env { { u"timeout"_s, 30 } });
}

} // namespace

class TestScenariosResult : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rr01_data() { addRunnerColumn(); }
    void rr01()
    {
        QFETCH(int, runner);
        auto r = runWith(runner, answer_flow(), sync_handlers_preset(), Env { { u"mode"_s, u"test"_s } });
        QCOMPARE(resultText(r), u"Ok({'answer': 42})"_s);
        QCOMPARE(userStore(r), u"{'count': 3}"_s);
        QCOMPARE(logOf(r), u"['hello']"_s);
        QCOMPARE(reservedKeys(r), QStringList { u"__log__"_s });
        QVERIFY(r.unobserved_failures().isEmpty());
        QCOMPARE(r.format(), u"Ok({'answer': 42})"_s);
        QCOMPARE(r.env(), (Env { { u"mode"_s, u"test"_s } }));
        QCOMPARE(r.k_stack().format(), u"Continuation Stack (K): <empty>"_s);
        QCOMPARE(r.source_stack().format(), u"Source Stack: <not captured>"_s);
        QCOMPARE(r.effect_stack().format(),
                 u"Effect Call Tree:\n  └─ answer_flow()\n     ├─ Put('count')\n     └─ Tell('hello')"_s);
        QCOMPARE(r.effect_stack().effectPath(), u"answer_flow() -> Tell('hello')"_s);
        try {
            (void)r.error();
            QFAIL("error() on Ok did not throw");
        } catch (const ResultAccessError& e) {
            QCOMPARE(str(e.what()), u"Result is Ok, no error"_s);
        }
        QString expected = golden(u"answer.verbose"_s);
        expected.replace(u"Environment:\n  <empty>"_s, u"Environment:\n  mode: 'test'"_s);
        QCOMPARE(shortened(r.format(true)), expected);
    }
    void rr02_data() { addRunnerColumn(); }
    void rr02()
    {
        QFETCH(int, runner);
        const int line = lineOf(__FILE__, u"RR02_LINE"_s);
        const QString file = QString::fromUtf8(__FILE__);
        auto r = runWith(runner, rr02_main_flow());
        QCOMPARE(resultText(r), u"Err(MissingStoreKeyError: Store key not found: 'missing')"_s);
        QCOMPARE(userStore(r), u"{'before': 1}"_s);
        QCOMPARE(logOf(r), u"['t']"_s);
        const QStringList expected {
            u"Err(MissingStoreKeyError: Store key not found: 'missing')"_s,
            QString(),
            u"Root Cause: MissingStoreKeyError: Store key not found: 'missing'"_s,
            QString(),
            u"  File \"%1\", line %2, in rr02_main_flow"_s.arg(file).arg(line),
            u"    co_return co_await Get(\"missing\"); // RR02_LINE"_s,
            QString(),
            u"Effect path: rr02_main_flow() -> Get('missing')"_s,
            QString(),
            u"K: [ProgramFrame, HandlerFrame, HandlerFrame, HandlerFrame, HandlerFrame, TaskRootFrame]"_s,
        };
        QCOMPARE(r.format().split(u'\n'), expected);
        const auto& k = r.k_stack().frames;
        QCOMPARE(k.first().kind, u"ProgramFrame"_s);
        QCOMPARE(k.first().description, u"rr02_main_flow() at %1:%2"_s.arg(file).arg(line));
        QCOMPARE(k.last().kind + u" - "_s + k.last().description, u"TaskRootFrame - task 0 'main'"_s);
        QCOMPARE(r.effect_stack().format(),
                 u"Effect Call Tree:\n  └─ rr02_main_flow()\n     ├─ Put('before')\n     ├─ "
                 u"Tell('t')\n     └─ Get('missing')  <-- ERROR"_s);
        try {
            r.value();
            QFAIL("value() on Err did not throw");
        } catch (const MissingStoreKeyError&) {
            QVERIFY(std::current_exception() == r.error().exception());
        }
    }
    void rr03_data()
    {
        QTest::addColumn<int>("runner");
        QTest::addColumn<QString>("program");
        for (int runner : { int(Runner::Sync), int(Runner::Async) })
            for (const char* p : { "fetch_config", "deep", "spawn_error", "answer" })
                QTest::addRow("%s/%s", runner == int(Runner::Sync) ? "sync" : "async", p)
                    << runner << QString::fromUtf8(p);
    }
    void rr03()
    {
        QFETCH(int, runner);
        QFETCH(QString, program);
        std::optional<RuntimeResultBase> r;
        if (program == u"fetch_config"_s)
            r = runFetchConfig(runner);
        else if (program == u"deep"_s)
            r = runWith(runner, level1());
        else if (program == u"spawn_error"_s)
            r = runWith(runner, rr_spawn_error_main());
        else
            r = runWith(runner, answer_flow());
        QCOMPARE(shortened(r->format()), golden(program));
        QCOMPARE(shortened(r->format(true)), golden(program + u".verbose"_s));
    }
    void rr04()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const std::pair<QString, RuntimeResultBase> runs[] = {
            { u"r1"_s, runFetchConfig(int(Runner::Sync)) },
            { u"r2"_s, sync_run(rr_spawn_error_main(), sync_handlers_preset()) },
            { u"r3"_s, sync_run(answer_flow(), sync_handlers_preset()) },
        };
        for (const auto& [name, original] : runs) {
            const QString path = dir.filePath(name + u".doeffresult"_s);
            QString error;
            QVERIFY2(original.save(path, &error), qPrintable(error));
            SavedResult loaded = load_result(path);
            QCOMPARE(loaded.format(), original.format());
            QCOMPARE(loaded.format(true), original.format(true));
            QCOMPARE(loaded.is_ok(), original.is_ok());
        }
        const SavedResult r3 = load_result(dir.filePath(u"r3.doeffresult"_s));
        QCOMPARE(r3.value().metaType(), QMetaType::fromType<QVariantMap>());
        QCOMPARE(repr(r3.value()), u"{'answer': 42}"_s);
        const SavedResult r2 = load_result(dir.filePath(u"r2.doeffresult"_s));
        try {
            r2.value();
            QFAIL("value() of a loaded Err did not throw");
        } catch (const LoadedError& e) {
            QCOMPARE(e.type_name(), u"RuntimeError"_s);
            QCOMPARE(e.original_message(), u"worker crashed"_s);
        }
        // half of r2's file
        const QByteArray bytes = readBytes(dir.filePath(u"r2.doeffresult"_s));
        QVERIFY(!bytes.isEmpty());
        const QString half = dir.filePath(u"half.doeffresult"_s);
        QVERIFY(writeBytes(half, bytes.left(bytes.size() / 2)));
        try {
            load_result(half);
            QFAIL("a truncated file loaded");
        } catch (const ResultFileError& e) {
            QVERIFY2(str(e.what()).startsWith(half), e.what());
        }
        const QString hello = dir.filePath(u"hello.txt"_s);
        QVERIFY(writeBytes(hello, "hello"));
        try {
            load_result(hello);
            QFAIL("a text file loaded");
        } catch (const ResultFileError& e) {
            QVERIFY2(str(e.what()).endsWith(u"not a doeff result file"_s), e.what());
        }
    }
    /// Issue 19: a result names the program it was started as (a library program by its
    /// registered name) and keeps the failing task's store at the failing point; both survive a
    /// round trip, and a file written before they were recorded still loads without them.
    void savedResultNamesItsProgram()
    {
        const ProgramInfo info { .name = u"storing"_s, .description = {}, .make = [] {
                                    return AnyProgram(storing_main());
                                } };
        const RuntimeResult<QVariant> r = runProgram(info);
        QVERIFY(r.is_err());
        QCOMPARE(r.program(), u"storing"_s);
        QCOMPARE(r.error_context().task, 1);
        QCOMPARE(r.error_context().store.value(u"k"_s), QVariant(2));
        QCOMPARE(r.error_context().store.keys(), r.error_context().storeKeys);
        QCOMPARE(r.raw_store().value(u"k"_s), QVariant(0)); // main's own store
        // a plain run is named after its main program
        const auto plain = sync_run(answer_flow(), sync_handlers_preset());
        QCOMPARE(plain.program(), u"answer_flow"_s);

        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(r.save(buffer));
        buffer.close();
        buffer.open(QIODevice::ReadOnly);
        const SavedResult loaded = load_result(buffer, u"saved"_s);
        QCOMPARE(loaded.program(), u"storing"_s);
        QCOMPARE(loaded.error_context().store.value(u"k"_s), QVariant(2));
        QCOMPARE(loaded.format(true), r.format(true));

        // as an older writer wrote it: no 'program', no error_context.store
        QCborMap doc = QCborValue::fromCbor(buffer.data()).toMap();
        QVERIFY(doc.contains(u"program"_s));
        doc.remove(u"program"_s);
        QCborMap ctx = doc.value(u"error_context"_s).toMap();
        QVERIFY(ctx.contains(u"store"_s));
        ctx.remove(u"store"_s);
        doc.insert(u"error_context"_s, ctx);
        QBuffer old;
        old.setData(doc.toCborValue().toCbor());
        old.open(QIODevice::ReadOnly);
        const SavedResult older = load_result(old, u"old"_s);
        QCOMPARE(older.program(), QString());
        QVERIFY(older.error_context().store.isEmpty());
        QCOMPARE(older.error_context().storeKeys, QStringList { u"k"_s });
        QCOMPARE(older.format(true), r.format(true));

        // a 'program' that is not a string is named as the wrong field
        doc.insert(u"program"_s, 3);
        QBuffer wrong;
        wrong.setData(doc.toCborValue().toCbor());
        wrong.open(QIODevice::ReadOnly);
        try {
            (void)load_result(wrong, u"wrong"_s);
            QFAIL("a numeric program name loaded");
        } catch (const ResultFileError& e) {
            QVERIFY2(str(e.what()).contains(u"'program'"_s), e.what());
        }
    }

    /// A QStringList (a value, an env entry) reads back as a QStringList, not a QVariantList.
    void stringListsKeepTheirType()
    {
        const auto r = sync_run(names_main(), sync_handlers_preset(),
                                Env { { u"records"_s, QStringList { u"a,1"_s, u"b,2"_s } } });
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        QVERIFY(r.save(buffer));
        buffer.close();
        buffer.open(QIODevice::ReadOnly);
        const SavedResult loaded = load_result(buffer, u"names"_s);
        QCOMPARE(loaded.value().metaType(), QMetaType::fromType<QStringList>());
        QCOMPARE(loaded.value().toStringList(), (QStringList { u"ada"_s, u"grace"_s }));
        QCOMPARE(loaded.env().value(u"records"_s).metaType(), QMetaType::fromType<QStringList>());
        QCOMPARE(loaded.format(true), r.format(true));
    }

    void loadingNeverCrashesOnDamagedFiles()
    {
        // every truncation and a byte flip at every offset of a saved failed result
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        const auto original = sync_run(rr_spawn_error_main(), sync_handlers_preset());
        QVERIFY(original.save(buffer));
        const QByteArray bytes = buffer.data();
        int rejected = 0;
        for (qsizetype n = 0; n < bytes.size(); ++n) {
            QBuffer cut;
            cut.setData(bytes.left(n));
            cut.open(QIODevice::ReadOnly);
            try {
                load_result(cut, u"cut"_s);
            } catch (const ResultFileError& e) {
                QVERIFY(str(e.what()).startsWith(u"cut: "_s));
                ++rejected;
            }
        }
        QCOMPARE(rejected, int(bytes.size())); // every proper prefix is rejected
        for (qsizetype i = 0; i < bytes.size(); ++i) {
            QByteArray damaged = bytes;
            damaged[i] = char(damaged[i] ^ 0x5a);
            QBuffer b;
            b.setData(damaged);
            b.open(QIODevice::ReadOnly);
            try {
                SavedResult r = load_result(b, u"flip"_s);
                (void)r.format(true); // whatever loaded must also print
            } catch (const ResultFileError&) { }
        }
    }

    void nonRegularFilesAreRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString fifo = dir.filePath(u"fifo"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const auto loadError = [](const QString& path) {
            try {
                (void)load_result(path);
            } catch (const ResultFileError& e) {
                return e.message();
            }
            return QString();
        };
        QCOMPARE(loadError(fifo), fifo + u": not a regular file (a FIFO)"_s); // used to block in open()
        QCOMPARE(loadError(u"/dev/zero"_s), u"/dev/zero: not a regular file (a character device)"_s);
        // a device read as a stream: refused from its first byte, not after 512 MiB
        QFile zero(u"/dev/zero"_s);
        QVERIFY(zero.open(QIODevice::ReadOnly));
        try {
            (void)load_result(zero, u"zero"_s);
            QFAIL("loaded /dev/zero");
        } catch (const ResultFileError& e) {
            QCOMPARE(e.message(), u"zero: not a doeff result file"_s);
        }
        QVERIFY(zero.pos() <= 64 * 1024);
    }

    void writesAreAtomic()
    {
        const auto result = sync_run(answer_flow(), sync_handlers_preset());
        QString error;
        QVERIFY(!result.save(u"/dev/full"_s, &error));
        QCOMPARE(error, u"/dev/full: not a regular file (a character device)"_s);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"kept.doeffresult"_s);
        QVERIFY(writeBytes(path, "precious"));
        // a write that fails half way leaves the old file, and no temporary file behind
        QVERIFY(!writeFileAtomically(
            path,
            [](QIODevice& out, QString& reason) {
                out.write("half");
                reason = u"disk full"_s;
                return false;
            },
            &error));
        QCOMPARE(error, path + u": disk full"_s);
        QCOMPARE(readBytes(path), QByteArray("precious"));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList { u"kept.doeffresult"_s });
        QVERIFY(result.save(path, &error));
        QCOMPARE(load_result(path).format(), result.format());
    }
};

QTEST_GUILESS_MAIN(TestScenariosResult)
#include "tst_scenarios_result.moc"
