// The value notation (RUNTIME.md §1), type names of errors and display names of functions.

#include <doeff/doeff.h>

#include <QDateTime>
#include <QTimeZone>
#include <QtTest>

#include <stdexcept>

using namespace doeff;

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
