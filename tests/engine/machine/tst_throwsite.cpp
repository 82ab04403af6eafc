// Errors at their throw line (issue 19): the throw hook records where program or handler code
// threw, and ErrorRaised, the source stack and format() name that line — for doeff::Error,
// std::runtime_error and a .at() out_of_range, in a program and in a handler, directly and
// passed on through FailPromise, a failed task's Wait and a Gather.

#include "scenario.h"

#include <doeff/session.h>

#include <vector>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

struct Boom : Effect<Boom, QVariant> {
    static constexpr auto name = "Boom";
    int how = 0;
    QString label() const { return u"Boom()"_s; }
};

constexpr int kRuntimeLine = __LINE__ + 5;
Program<QVariant> throws_runtime()
{
    co_await Tell("attempt 1");
    if (QVariant(1).toInt() == 1) // keep the co_return reachable
        throw std::runtime_error("runtime failure");
    co_return 1;
}

constexpr int kDoeffLine = __LINE__ + 4;
Program<QVariant> throws_doeff()
{
    co_await Tell("attempt 1");
    if (QVariant(1).toInt() == 1) throw InvalidArgumentError(u"bad record"_s);
    co_return 1;
}

constexpr int kAtLine = __LINE__ + 5;
Program<QVariant> throws_at()
{
    co_await Tell("attempt 1");
    const std::vector<int> v { 1, 2, 3 };
    int x = v.at(std::size_t(QVariant(7).toInt()));
    co_return x;
}

// a throw spanning lines: named by the line it starts on
constexpr int kMultiLine = __LINE__ + 5;
Program<QVariant> throws_multiline()
{
    co_await Tell("attempt 1");
    if (QVariant(1).toInt() == 1)
        throw std::runtime_error(std::string("a long message that does not fit ")
                                 + std::to_string(QVariant(3).toInt()));
    co_return 1;
}

Program<QVariant> performs_boom(int how)
{
    Boom b;
    b.how = how;
    co_return co_await b;
}

constexpr int kHandlerLine = __LINE__ + 9;
Handler boomHandler()
{
    return handler(u"boom"_s, [](const AnyEffect& e, HandlerContext&) -> HandlerResult {
        if (auto* b = e.as<Boom>()) {
            if (b->how == 1) {
                const std::vector<int> v;
                return Resume(v.at(0));
            }
            throw std::runtime_error("handler failure");
        }
        return Forward();
    });
}
constexpr int kHandlerAtLine = kHandlerLine - 2;

constexpr int kCoHandlerLine = __LINE__ + 6;
Handler boomCoHandler()
{
    return handler(u"coboom"_s, [](const AnyEffect& e, HandlerContext&) -> Program<HandlerResult> {
        if (e.as<Boom>()) {
            co_await Tell("in handler");
            throw OutOfRangeError(u"handler program failure"_s);
        }
        co_return Forward();
    });
}

HandlerList with(Handler h)
{
    HandlerList l = sync_handlers_preset();
    l.append(std::move(h));
    return l;
}

Program<QVariant> passed_through_promise()
{
    Promise<QVariant> p = co_await CreatePromise<QVariant>();
    Result<QVariant> r = co_await Safe(throws_runtime());
    co_await FailPromise(p, r.error().exception());
    co_return co_await Wait(p.future());
}

Program<QVariant> passed_through_task()
{
    Task<QVariant> t = co_await Spawn(throws_at());
    co_return co_await Wait(t);
}

Program<QVariant> passed_through_gather()
{
    QVariantList l = co_await Gather(throws_doeff(), throws_at());
    co_return QVariant(l);
}

struct Reducer : Observer {
    SessionState state;
    void onRecord(const Event& e, const RunView&) override { state.apply(e); }
    QStringList marked() const
    {
        QStringList out;
        for (const SessionTreeNode& n : state.tree())
            if (n.error) out.append(n.display);
        return out;
    }
};

struct ErrorSpy : Observer {
    QString file;
    int line = 0;
    QString type;
    void onRecord(const Event& e, const RunView&) override
    {
        if (e.kind != EventKind::ErrorRaised || !file.isEmpty()) return;
        file = QString::fromUtf8(e.file);
        line = e.line;
        type = e.name;
    }
};

} // namespace

namespace doeff::detail {
unsigned long long throwHookCaptures(); // libdoeff's, engine/src/machine/throwsite.h
}

class TestThrowSite : public QObject {
    Q_OBJECT

    template<class T> void checkTop(const RuntimeResult<T>& r, int line, const QString& code)
    {
        QVERIFY(!r.is_ok());
        const auto& entries = r.source_stack().entries;
        QVERIFY(!entries.isEmpty());
        // top first: the frame whose code threw names the throw line
        QCOMPARE(entries.last().file, QString::fromUtf8(__FILE__));
        QCOMPARE(entries.last().line, line);
        QVERIFY2(entries.last().code.contains(code), qPrintable(entries.last().code));
        QVERIFY2(r.format(true).contains(u":"_s + QString::number(line)), qPrintable(r.format(true)));
    }

private Q_SLOTS:
    void program_data()
    {
        QTest::addColumn<int>("runner");
        QTest::addColumn<int>("which");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("type");
        for (int runner : { int(Runner::Sync), int(Runner::Async) }) {
            const char* rn = runner == int(Runner::Sync) ? "sync" : "async";
            QTest::addRow("runtime_error/%s", rn)
                << runner << 0 << kRuntimeLine << u"throw std::runtime_error"_s << u"runtime_error"_s;
            QTest::addRow("doeff::Error/%s", rn)
                << runner << 1 << kDoeffLine << u"throw InvalidArgumentError"_s << u"InvalidArgumentError"_s;
            QTest::addRow("at/%s", rn) << runner << 2 << kAtLine << u"v.at("_s << u"out_of_range"_s;
            QTest::addRow("multi-line/%s", rn)
                << runner << 3 << kMultiLine << u"throw std::runtime_error("_s << u"runtime_error"_s;
        }
    }
    void program()
    {
        QFETCH(int, runner);
        QFETCH(int, which);
        QFETCH(int, line);
        QFETCH(QString, code);
        QFETCH(QString, type);
        ErrorSpy spy;
        RunOptions o;
        o.observers = { &spy };
        Program<QVariant> p = which == 0 ? throws_runtime()
            : which == 1                 ? throws_doeff()
            : which == 2                 ? throws_at()
                                         : throws_multiline();
        auto r = runWith(runner, std::move(p), sync_handlers_preset(), {}, {}, o);
        checkTop(r, line, code);
        // the ErrorRaised event (what the "Any error" breakpoint pauses at) is at the throw
        QCOMPARE(spy.file, QString::fromUtf8(__FILE__));
        QCOMPARE(spy.line, line);
        QVERIFY2(spy.type.contains(type), qPrintable(spy.type));
    }

    void handler_data()
    {
        QTest::addColumn<int>("how");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("code");
        QTest::addRow("runtime_error") << 0 << kHandlerLine << u"throw std::runtime_error"_s;
        QTest::addRow("at") << 1 << kHandlerAtLine << u"v.at(0)"_s;
    }
    void handler()
    {
        QFETCH(int, how);
        QFETCH(int, line);
        QFETCH(QString, code);
        ErrorSpy spy;
        RunOptions o;
        o.observers = { &spy };
        auto r = sync_run(performs_boom(how), with(boomHandler()), {}, {}, o);
        checkTop(r, line, code);
        QCOMPARE(spy.line, line);
    }

    /// The Effect Tree marks the activation whose code threw, not its last effect; a handler's
    /// throw marks the effect it was handling.
    void effectTreeMark()
    {
        Reducer program;
        RunOptions o;
        o.observers = { &program };
        (void)sync_run(throws_runtime(), sync_handlers_preset(), {}, {}, o);
        QCOMPARE(program.marked(), QStringList { u"throws_runtime()"_s });

        Reducer handled;
        o.observers = { &handled };
        (void)sync_run(performs_boom(0), with(boomHandler()), {}, {}, o);
        QCOMPARE(handled.marked(), QStringList { u"Boom()"_s });
    }

    void handlerProgram()
    {
        auto r = sync_run(performs_boom(0), with(boomCoHandler()));
        checkTop(r, kCoHandlerLine, u"throw OutOfRangeError"_s);
    }

    void passedOn_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("code");
        QTest::addRow("FailPromise") << 0 << kRuntimeLine << u"throw std::runtime_error"_s;
        QTest::addRow("failed task") << 1 << kAtLine << u"v.at("_s;
        QTest::addRow("Gather") << 2 << kDoeffLine << u"throw InvalidArgumentError"_s;
    }
    void passedOn()
    {
        QFETCH(int, which);
        QFETCH(int, line);
        QFETCH(QString, code);
        Program<QVariant> p = which == 0 ? passed_through_promise()
            : which == 1                 ? passed_through_task()
                                         : passed_through_gather();
        auto r = sync_run(std::move(p), sync_handlers_preset());
        QVERIFY(!r.is_ok());
        bool found = false;
        for (const auto& e : r.source_stack().entries)
            if (e.file == QString::fromUtf8(__FILE__) && e.line == line && e.code.contains(code)) found = true;
        QVERIFY2(found, qPrintable(r.format(true)));
    }

    /// Off the program steps the hook records nothing (a throw caught by the host's own code).
    void hostThrowsAreNotCaptured()
    {
        const auto before = detail::throwHookCaptures();
        try {
            throw std::runtime_error("host");
        } catch (const std::exception&) { }
        QCOMPARE(detail::throwHookCaptures(), before);
        (void)sync_run(throws_runtime(), sync_handlers_preset());
        QVERIFY(detail::throwHookCaptures() > before); // the hook is reached from here
    }
};

QTEST_GUILESS_MAIN(TestThrowSite)
#include "tst_throwsite.moc"
