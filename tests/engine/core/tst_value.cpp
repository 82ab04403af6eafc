// The value notation (RUNTIME.md §1), type names of errors and display names of functions.

#include <doeff/doeff.h>

#include <QDateTime>
#include <QTimeZone>
#include <QtTest>

#include <optional>
#include <stdexcept>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace app {
struct BadInput : std::runtime_error {
    using std::runtime_error::runtime_error;
};
} // namespace app

struct Opaque {
    int x = 0;
    bool operator==(const Opaque&) const = default;
};
struct Pretty {
    int x = 0;
    bool operator==(const Pretty&) const = default;
};
Q_DECLARE_METATYPE(Opaque)
Q_DECLARE_METATYPE(Pretty)

namespace {
/// What `Get<T>('n')` of `v` gives: the value, or the ConversionError's message.
template<class T> QString typedRead(const QVariant& v)
{
    try {
        const T t = fromVariant<T>(v, [] { return QStringLiteral("Get('n')"); });
        if constexpr (std::is_same_v<T, bool>)
            return t ? QStringLiteral("true") : QStringLiteral("false");
        else if constexpr (std::is_floating_point_v<T>)
            return QString::number(t, 'g', 17);
        else
            return QString::number(t);
    } catch (const ConversionError& e) {
        return QString::fromUtf8(e.what());
    }
}

Program<int> greet(QString who)
{
    co_await Tell(QStringLiteral("hi ") + who);
    co_await Put("greeting", QStringLiteral("bye ") + who);
    co_return 0;
}
} // namespace

class TestValue : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void scalars()
    {
        QCOMPARE(repr(QVariant()), QStringLiteral("null"));
        QCOMPARE(repr(QVariant::fromValue(nullptr)), QStringLiteral("null"));
        QCOMPARE(repr(true), QStringLiteral("true"));
        QCOMPARE(repr(false), QStringLiteral("false"));
        QCOMPARE(repr(42), QStringLiteral("42"));
        QCOMPARE(repr(qint64(-9000000000)), QStringLiteral("-9000000000"));
        QCOMPARE(repr(2.5), QStringLiteral("2.5"));
        QCOMPARE(repr(5.0), QStringLiteral("5.0"));
        QCOMPARE(repr(0.1), QStringLiteral("0.1"));
        QCOMPARE(repr(1e20), QStringLiteral("1e+20"));
        QCOMPARE(repr(QVariant(0.1f)), QStringLiteral("0.1"));
    }
    void strings()
    {
        QCOMPARE(repr(QStringLiteral("it's")), QStringLiteral("'it\\'s'"));
        QCOMPARE(repr(QStringLiteral("a\\b\nc\td\re")), QStringLiteral("'a\\\\b\\nc\\td\\re'"));
        QCOMPARE(repr(QString(QChar(1))), QStringLiteral("'\\x01'"));
        QCOMPARE(repr(QStringLiteral("é")), QStringLiteral("'é'"));
        QCOMPARE(repr(QByteArray("a'\x01\xff")), QStringLiteral("b'a\\'\\x01\\xff'"));
    }
    void keyedLabelsFollowTheirKeyAndName()
    {
        // labels come from a per-thread cache: it must never give one key's label for another
        QString key = QStringLiteral("counter");
        key.detach();
        QCOMPARE(keyedLabel("Get", key), QStringLiteral("Get('counter')"));
        QCOMPARE(keyedLabel("Put", key), QStringLiteral("Put('counter')"));
        QCOMPARE(keyedLabel("Get", key), QStringLiteral("Get('counter')"));
        key[0] = u'C'; // changed in place: the cache's copy of the old text is not
        QCOMPARE(keyedLabel("Get", key), QStringLiteral("Get('Counter')"));
        QCOMPARE(keyedLabel("Get", QStringLiteral("it's")), QStringLiteral("Get('it\\'s')"));
        char name[] = "Ask";
        QCOMPARE(keyedLabel(name, key), QStringLiteral("Ask('Counter')"));
        name[0] = 'T'; // the same address with other text
        QCOMPARE(keyedLabel(name, key), QStringLiteral("Tsk('Counter')"));
        for (int i = 0; i < 200; ++i) // more keys than the cache has entries
            QCOMPARE(keyedLabel("Get", QString::number(i)), QStringLiteral("Get('%1')").arg(i));
    }
    void stringBuildersBecomeText()
    {
        // With QT_USE_QSTRINGBUILDER, `a + b` is a QStringBuilder: values store what it builds.
        const QString who = QStringLiteral("world");
        const QVariant text = toVariant(QStringLiteral("hello ") + who);
        QCOMPARE(text.metaType(), QMetaType::fromType<QString>());
        QCOMPARE(repr(text), QStringLiteral("'hello world'"));
        const QVariant bytes = toVariant(QByteArray("ab") + QByteArray("cd"));
        QCOMPARE(bytes.metaType(), QMetaType::fromType<QByteArray>());
        QCOMPARE(repr(bytes), QStringLiteral("b'abcd'"));
        const auto r = sync_run(greet(who), sync_handlers_preset());
        QVERIFY(r.is_ok());
        QCOMPARE(repr(r.raw_store().value(QStringLiteral("__log__"))), QStringLiteral("['hi world']"));
        QCOMPARE(repr(r.raw_store().value(QStringLiteral("greeting"))), QStringLiteral("'bye world'"));
    }
    void containers()
    {
        QCOMPARE(repr(QVariantList { 1, QStringLiteral("x"), QVariant() }), QStringLiteral("[1, 'x', null]"));
        QCOMPARE(repr(QStringList { QStringLiteral("a"), QStringLiteral("b") }), QStringLiteral("['a', 'b']"));
        QCOMPARE(repr(QVariantMap { { QStringLiteral("b"), 2 }, { QStringLiteral("a"), 1 } }),
                 QStringLiteral("{'a': 1, 'b': 2}"));
        QCOMPARE(repr(QVariantHash { { QStringLiteral("z"), 1 }, { QStringLiteral("m"), QVariantList {} } }),
                 QStringLiteral("{'m': [], 'z': 1}"));
        QCOMPARE(repr(QDateTime(QDate(2024, 1, 1), QTime(12, 0), Qt::UTC)),
                 QStringLiteral("QDateTime(2024-01-01T12:00:00.000Z)"));
        // local time prints in UTC
        QCOMPARE(repr(QDateTime(QDate(2024, 1, 1), QTime(13, 0), QTimeZone(3600))),
                 QStringLiteral("QDateTime(2024-01-01T12:00:00.000Z)"));
    }
    void registeredAndUnknownTypes()
    {
        QCOMPARE(repr(QVariant::fromValue(Opaque {})), QStringLiteral("<Opaque>"));
        registerRepr<Pretty>([](const Pretty& p) { return QStringLiteral("Pretty(%1)").arg(p.x); });
        QCOMPARE(repr(QVariant::fromValue(Pretty { 7 })), QStringLiteral("Pretty(7)"));
        QCOMPARE(repr(QVariantList { QVariant::fromValue(Pretty { 1 }) }), QStringLiteral("[Pretty(1)]"));
    }
    void handlesKeepWhatTheyName()
    {
        // A handle is one owning pointer beside its run, id and kind: a task's name or an
        // external promise's state. Copies, moves and assignments between the kinds keep each
        // handle's own part, count its owners right and free it with the last.
        auto* ext = new detail::ExternalState();
        const Waitable task(Waitable::Kind::Task, 7, 3, u"worker"_s);
        std::optional<Waitable> external(std::in_place, 7, 4, ext); // adopts ext
        const Waitable plain(Waitable::Kind::Future, 7, 5);
        QCOMPARE(task.name(), u"worker"_s);
        QVERIFY(!task.isExternal());
        QVERIFY(!task.external());
        QCOMPARE(external->name(), QString());
        QVERIFY(external->isExternal());
        QCOMPARE(external->external(), ext);
        QCOMPARE(external->kind(), Waitable::Kind::Future);
        QVERIFY(!plain.isExternal());
        QCOMPARE(task.describe(), u"task 3 'worker'"_s);
        QCOMPARE(external->describe(), u"external promise 4"_s);
        QCOMPARE(plain.describe(), u"promise 5"_s);
        QCOMPARE(Waitable().describe(), u"null"_s);

        Waitable w = task; // Task over None
        QCOMPARE(w.name(), u"worker"_s);
        w = *external; // Future over Task
        QVERIFY(w.isExternal());
        QCOMPARE(w.name(), QString());
        QCOMPARE(ext->ref.loadRelaxed(), 2); // external, w
        w = task; // Task over Future: the state's reference goes
        QCOMPARE(ext->ref.loadRelaxed(), 1);
        QCOMPARE(w, task);
        Waitable moved = std::move(w);
        QCOMPARE(moved.name(), u"worker"_s);
        moved = Waitable(); // None over Task
        QVERIFY(moved.isNull());
        QCOMPARE(moved.name(), QString());

        // through a QVariant, as programs keep handles
        QVariant v = QVariant::fromValue(*external);
        QCOMPARE(ext->ref.loadRelaxed(), 2);
        QVERIFY(v.value<Waitable>().isExternal());
        QCOMPARE(v.value<Waitable>().id(), 4);
        // the last owner frees the state (ASan sees a leak or a double free otherwise)
        external.reset();
        QCOMPARE(ext->ref.loadRelaxed(), 1);
        QCOMPARE(v.value<Waitable>().external(), ext);
        v = QVariant();

        // a task's record and its handles share one name
        const detail::NamePtr name(u"shared"_s);
        const Waitable a(Waitable::Kind::Task, 7, 8, name);
        const Waitable b(Waitable::Kind::Task, 7, 9, name);
        QCOMPARE(name.get()->ref.loadRelaxed(), 3);
        QCOMPARE(a.name(), u"shared"_s);
        QCOMPARE(b.describe(), u"task 9 'shared'"_s);
        QCOMPARE(Waitable(Waitable::Kind::Task, 7, 10, detail::NamePtr()).name(), QString());
    }
    void exceptionNames()
    {
        QCOMPARE(describeException(std::make_exception_ptr(std::runtime_error("x"))),
                 QStringLiteral("std::runtime_error: x"));
        QCOMPARE(describeException(std::make_exception_ptr(app::BadInput("bad"))),
                 QStringLiteral("app::BadInput: bad"));
        QCOMPARE(describeException(std::make_exception_ptr(MissingStoreKeyError(QStringLiteral("k")))),
                 QStringLiteral("MissingStoreKeyError: Store key not found: 'k'"));
        QCOMPARE(describeException(std::make_exception_ptr(42)), QStringLiteral("int: (not a std::exception)"));
        std::exception_ptr nested;
        try {
            try {
                throw std::domain_error("inner");
            } catch (...) {
                std::throw_with_nested(app::BadInput("outer"));
            }
        } catch (...) {
            nested = std::current_exception();
        }
        QCOMPARE(exceptionTypeName(nested), QStringLiteral("app::BadInput"));
        QCOMPARE(describeException(rootCause(nested)), QStringLiteral("std::domain_error: inner"));
        const ErrorInfo info(nested);
        QCOMPARE(info.root_cause().describe(), QStringLiteral("std::domain_error: inner"));
        QVERIFY(info.is<app::BadInput>());
        QVERIFY(!info.is<std::domain_error>());
    }
    void functionNames_data()
    {
        QTest::addColumn<QString>("pretty");
        QTest::addColumn<QString>("display");
        QTest::addRow("plain") << "doeff::Program<int> level3()"
                               << "level3";
        QTest::addRow("namespaced") << "doeff::Program<QString> app::fetch(const QString&, int)"
                                    << "app::fetch";
        QTest::addRow("lambda") << "main()::<lambda(int)>"
                                << "lambda";
        QTest::addRow("template") << "doeff::Program<T> work(T) [with T = int]"
                                  << "work";
        QTest::addRow("member template")
            << "doeff::Program<std::pair<int, int> > ns::Box<int>::run(std::function<void(int)>) const"
            << "ns::Box::run";
        QTest::addRow("static") << "static doeff::Program<void> Cls::go()"
                                << "Cls::go";
    }
    void functionNames()
    {
        QFETCH(QString, pretty);
        QFETCH(QString, display);
        const QByteArray bytes = pretty.toUtf8();
        QCOMPARE(functionDisplayName(bytes.constData()), display);
    }
    // Issue 17 #6: a typed read of a number never wraps, rounds or reads a bool as a number.
    void numbersReadExactly_data()
    {
        QTest::addColumn<QVariant>("input");
        QTest::addColumn<QString>("asInt");
        QTest::addColumn<QString>("asInt64");
        QTest::addColumn<QString>("asUnsigned");
        QTest::addColumn<QString>("asDouble");
        QTest::addColumn<QString>("asBool");
        const auto no = [](const char* value, const char* type, const char* target) {
            return QStringLiteral("Cannot convert %1 (%2) to %3 for Get('n')")
                .arg(QLatin1String(value), QLatin1String(type), QLatin1String(target));
        };
        QTest::newRow("int 7") << QVariant(7) << u"7"_s << u"7"_s << u"7"_s << u"7"_s << u"true"_s;
        QTest::newRow("int -1") << QVariant(-1) << u"-1"_s << u"-1"_s << no("-1", "int", "uint") << u"-1"_s
                                << u"true"_s;
        QTest::newRow("int 0") << QVariant(0) << u"0"_s << u"0"_s << u"0"_s << u"0"_s << u"false"_s;
        QTest::newRow("qint64 3e9") << QVariant(qint64(3000000000)) << no("3000000000", "qlonglong", "int")
                                    << u"3000000000"_s << u"3000000000"_s << u"3000000000"_s << u"true"_s;
        QTest::newRow("double 3e9") << QVariant(3e9) << no("3e+09", "double", "int") << u"3000000000"_s
                                    << u"3000000000"_s << u"3000000000"_s << u"true"_s;
        QTest::newRow("double 1e20") << QVariant(1e20) << no("1e+20", "double", "int")
                                     << no("1e+20", "double", "qlonglong") << no("1e+20", "double", "uint")
                                     << u"1e+20"_s << u"true"_s;
        QTest::newRow("double 1e308") << QVariant(1e308) << no("1e+308", "double", "int")
                                      << no("1e+308", "double", "qlonglong") << no("1e+308", "double", "uint")
                                      << u"1e+308"_s << u"true"_s;
        QTest::newRow("double 1.5") << QVariant(1.5) << no("1.5", "double", "int") << no("1.5", "double", "qlonglong")
                                    << no("1.5", "double", "uint") << u"1.5"_s << u"true"_s;
        QTest::newRow("double -2.0") << QVariant(-2.0) << u"-2"_s << u"-2"_s << no("-2.0", "double", "uint") << u"-2"_s
                                     << u"true"_s;
        QTest::newRow("double inf") << QVariant(qInf()) << no("inf", "double", "int")
                                    << no("inf", "double", "qlonglong") << no("inf", "double", "uint") << u"inf"_s
                                    << u"true"_s;
        QTest::newRow("double int max") << QVariant(2147483647.0) << u"2147483647"_s << u"2147483647"_s
                                        << u"2147483647"_s << u"2147483647"_s << u"true"_s;
        QTest::newRow("double int max + 1") << QVariant(2147483648.0) << no("2147483648.0", "double", "int")
                                            << u"2147483648"_s << u"2147483648"_s << u"2147483648"_s << u"true"_s;
        QTest::newRow("double int min") << QVariant(-2147483648.0) << u"-2147483648"_s << u"-2147483648"_s
                                        << no("-2147483648.0", "double", "uint") << u"-2147483648"_s << u"true"_s;
        QTest::newRow("double 2^63") << QVariant(9223372036854775808.0) << no("9223372036854775808.0", "double", "int")
                                     << no("9223372036854775808.0", "double", "qlonglong")
                                     << no("9223372036854775808.0", "double", "uint") << u"9.2233720368547758e+18"_s
                                     << u"true"_s;
        QTest::newRow("uint max") << QVariant(4294967295U) << no("4294967295", "uint", "int") << u"4294967295"_s
                                  << u"4294967295"_s << u"4294967295"_s << u"true"_s;
        QTest::newRow("qulonglong max") << QVariant(std::numeric_limits<qulonglong>::max())
                                        << no("18446744073709551615", "qulonglong", "int")
                                        << no("18446744073709551615", "qulonglong", "qlonglong")
                                        << no("18446744073709551615", "qulonglong", "uint")
                                        << u"1.8446744073709552e+19"_s << u"true"_s;
        QTest::newRow("qint64 min") << QVariant(std::numeric_limits<qint64>::min())
                                    << no("-9223372036854775808", "qlonglong", "int") << u"-9223372036854775808"_s
                                    << no("-9223372036854775808", "qlonglong", "uint") << u"-9.2233720368547758e+18"_s
                                    << u"true"_s;
        QTest::newRow("true") << QVariant(true) << no("true", "bool", "int") << no("true", "bool", "qlonglong")
                              << no("true", "bool", "uint") << no("true", "bool", "double") << u"true"_s;
        QTest::newRow("false") << QVariant(false) << no("false", "bool", "int") << no("false", "bool", "qlonglong")
                               << no("false", "bool", "uint") << no("false", "bool", "double") << u"false"_s;
        // text keeps Qt's rules: a number that parses exactly, else an error
        QTest::newRow("text 42") << QVariant(u"42"_s) << u"42"_s << u"42"_s << u"42"_s << u"42"_s << u"true"_s;
        QTest::newRow("text 3e9") << QVariant(u"3000000000"_s) << no("'3000000000'", "QString", "int")
                                  << u"3000000000"_s << u"3000000000"_s << u"3000000000"_s << u"true"_s;
        QTest::newRow("text -1") << QVariant(u"-1"_s) << u"-1"_s << u"-1"_s << no("'-1'", "QString", "uint") << u"-1"_s
                                 << u"true"_s;
        QTest::newRow("text 1.5") << QVariant(u"1.5"_s) << no("'1.5'", "QString", "int")
                                  << no("'1.5'", "QString", "qlonglong") << no("'1.5'", "QString", "uint") << u"1.5"_s
                                  << u"true"_s;
    }
    void numbersReadExactly()
    {
        QFETCH(QVariant, input);
        QFETCH(QString, asInt);
        QFETCH(QString, asInt64);
        QFETCH(QString, asUnsigned);
        QFETCH(QString, asDouble);
        QFETCH(QString, asBool);
        QCOMPARE(typedRead<int>(input), asInt);
        QCOMPARE(typedRead<qint64>(input), asInt64);
        QCOMPARE(typedRead<unsigned>(input), asUnsigned);
        QCOMPARE(typedRead<double>(input), asDouble);
        QCOMPARE(typedRead<bool>(input), asBool);
    }
    void loadedErrorKeepsOriginalName()
    {
        const ErrorInfo e = ErrorInfo::fromText(QStringLiteral("RuntimeError"), QStringLiteral("worker crashed"));
        QCOMPARE(e.type_name(), QStringLiteral("RuntimeError"));
        QCOMPARE(e.message(), QStringLiteral("worker crashed"));
        QVERIFY(e.is<LoadedError>());
    }
};

QTEST_GUILESS_MAIN(TestValue)
#include "tst_value.moc"
