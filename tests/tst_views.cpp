// The panes' models under QAbstractItemModelTester, fed from real runs: a LiveRun streams the
// events of example programs into a StudioSession while the models follow it, attached before
// any data arrives.

#include <doeff_examples.h>

#include <breakpointmodel.h>
#include <effecttreemodel.h>
#include <liverun.h>
#include <logmodel.h>
#include <panes.h>
#include <stackmodel.h>
#include <studiosession.h>
#include <taskmodel.h>
#include <varianttreemodel.h>

#include <doeff/doeff.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using namespace doeff;
using namespace doeff::views;
using namespace Qt::StringLiterals;

namespace {

constexpr int Timeout = 20000;

QStringList dumpTree(const QAbstractItemModel& model, const QModelIndex& parent = {}, int depth = 0)
{
    QStringList out;
    for (int r = 0; r < model.rowCount(parent); ++r) {
        const QModelIndex i = model.index(r, 0, parent);
        QStringList cols;
        for (int c = 0; c < model.columnCount(parent); ++c)
            cols.append(model.index(r, c, parent).data().toString());
        out.append(QString(depth * 2, u' ') + cols.join(u" | "_s));
        out += dumpTree(model, i, depth + 1);
    }
    return out;
}

/// All the models, following a session the way the panes do.
struct Fixture {
    StudioSession session;
    LiveRun run { &session };
    TaskModel tasks;
    StackModel stack;
    VariantTreeModel store;
    VariantTreeModel env;
    EffectTreeModel tree;
    LogModel log;
    BreakpointModel breakpoints;
    QList<QAbstractItemModelTester*> testers;

    Fixture()
    {
        for (QAbstractItemModel* m :
             std::initializer_list<QAbstractItemModel*> { &tasks, &stack, &store, &env, &tree, &log, &breakpoints })
            testers.append(
                new QAbstractItemModelTester(m, QAbstractItemModelTester::FailureReportingMode::QtTest, &session));
        QObject::connect(&session, &StudioSession::refreshed, &session, [this] { update(); });
        QObject::connect(&run, &LiveRun::breakpointsChanged, &session,
                         [this] { breakpoints.setBreakpoints(run.breakpoints()); });
        QObject::connect(&breakpoints, &BreakpointModel::enabledToggled, &run, &LiveRun::setBreakpointEnabled);
    }
    void update()
    {
        const SessionState& s = session.state();
        const int task = session.selectedTask();
        tasks.setSession(s, s.currentTask());
        stack.setFrames(s.k(task));
        store.setEntries(s.store(task).entries(), session.changedKeys());
        VariantTreeModel::Entries e;
        if (const SessionTask* t = s.task(task))
            for (auto it = t->env.cbegin(); it != t->env.cend(); ++it)
                e.append({ it.key(), it.value() });
        env.setEntries(e, session.changedKeys());
        tree.setTree(s.tree());
        log.setSession(s);
    }
    bool waitPaused()
    {
        if (session.isPaused()) return true;
        QSignalSpy spy(&session, &StudioSession::statusChanged);
        QDeadlineTimer deadline(Timeout);
        while (!session.isPaused() && !session.hasResult() && !deadline.hasExpired())
            spy.wait(100);
        return session.isPaused();
    }
    bool waitResult()
    {
        QDeadlineTimer deadline(Timeout);
        QSignalSpy spy(&session, &StudioSession::resultChanged);
        while (!session.hasResult() && !deadline.hasExpired())
            spy.wait(100);
        return session.hasResult();
    }
    void step(DebugAgent::Command c) { run.command(c); }
};

Program<QVariantMap> nested()
{
    // (values built outside co_await: g++ 12 rejects braced lists inside it)
    const QVariant config = QVariantMap { { u"depth"_s, 2 }, { u"names"_s, QStringList { u"a"_s, u"b"_s } } };
    const QVariant list = QVariantList { 1, QVariantMap { { u"x"_s, 1 } }, QVariantList { 2, 3 } };
    const QVariant shorter = QVariantList { 4 };
    co_await Put(u"config"_s, config);
    co_await Put(u"list"_s, list);
    co_await Tell(u"configured"_s);
    co_await Put(u"list"_s, shorter);
    QVariantMap result;
    result.insert(u"ok"_s, true);
    co_return result;
}

} // namespace

class TestViews : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void steppedRunUnderModelTesters_data()
    {
        QTest::addColumn<QString>("example");
        QTest::addColumn<int>("steps");
        QTest::addRow("parallel_work") << u"parallel_work"_s << 60;
        QTest::addRow("pipeline") << u"pipeline"_s << 80;
        QTest::addRow("counter") << u"counter"_s << 20;
        QTest::addRow("deadlock") << u"deadlock"_s << 40;
    }
    void steppedRunUnderModelTesters()
    {
        QFETCH(QString, example);
        QFETCH(int, steps);
        const ProgramInfo* info = examples::library().find(example);
        QVERIFY(info);
        Fixture f;
        f.run.start(*info, LiveRun::ClockChoice::Simulated);
        QVERIFY(f.waitPaused());
        QCOMPARE(f.session.lastPause()->reason, u"start"_s);
        QCOMPARE(f.tasks.rowCount(), 1);
        QVERIFY(f.stack.rowCount() >= 1);
        for (int i = 0; i < steps && !f.session.hasResult(); ++i) {
            f.step(i % 3 == 0 ? DebugAgent::Command::StepEffect : DebugAgent::Command::StepInto);
            QVERIFY(f.waitPaused() || f.session.hasResult());
            // select another task now and then (drives stack/store/env)
            if (i % 7 == 0 && f.tasks.rowCount() > 1)
                f.session.setSelectedTask(f.tasks.index(f.tasks.rowCount() - 1, 0).data(TaskModel::TaskIdRole).toInt());
        }
        QVERIFY(f.session.hasResult() || f.session.state().step() > quint64(steps) / 2);
        f.step(DebugAgent::Command::Continue);
        QVERIFY(f.waitResult());
        f.update();
        QVERIFY(f.tree.rowCount() >= 1);
        // the incrementally grown tree equals one built in one go
        EffectTreeModel fresh;
        fresh.setTree(f.session.state().tree());
        QCOMPARE(dumpTree(f.tree), dumpTree(fresh));
        QCOMPARE(f.log.rowCount(), int(f.session.state().logs().size()));
    }

    void storeAndEnvTreesExpandAndHighlight()
    {
        Fixture f;
        ProgramInfo info { .name = u"nested"_s, .description = {}, .make = [] { return AnyProgram(nested()); } };
        info.env = { { u"user"_s, QVariantMap { { u"name"_s, u"ada"_s } } } };
        f.run.start(info, LiveRun::ClockChoice::Simulated);
        QVERIFY(f.waitPaused());
        Breakpoint watch;
        watch.kind = Breakpoint::Kind::StoreKey;
        watch.pattern = u"list"_s;
        QVERIFY(f.run.addBreakpoint(watch) > 0);
        QCOMPARE(f.breakpoints.rowCount(), 1);
        f.step(DebugAgent::Command::Continue);
        QVERIFY(f.waitPaused());
        QVERIFY(f.session.lastPause()->reason.startsWith(u"breakpoint"_s));
        // config {depth, names[a, b]} and list [1, {x}, [2, 3]]
        QStringList keys;
        for (int r = 0; r < f.store.rowCount(); ++r)
            keys.append(f.store.index(r, 0).data().toString());
        QVERIFY2(keys.contains(u"config"_s) && keys.contains(u"list"_s), qPrintable(keys.join(u',')));
        const QModelIndex list = f.store.index(int(keys.indexOf(u"list"_s)), 0);
        QCOMPARE(f.store.rowCount(list), 3);
        QCOMPARE(f.store.index(2, 1, list).data().toString(), u"[2 items]"_s);
        QCOMPARE(f.store.rowCount(f.store.index(2, 0, list)), 2);
        QVERIFY(list.data(VariantTreeModel::ChangedRole).toBool());
        const QModelIndex user = f.env.index(0, 0);
        QCOMPARE(user.data().toString(), u"user"_s);
        QCOMPARE(f.env.index(0, 1, user).data().toString(), u"'ada'"_s);
        f.step(DebugAgent::Command::Continue);
        QVERIFY(f.waitPaused()); // the second write of "list"
        QCOMPARE(f.breakpoints.index(0, BreakpointModel::HitsColumn).data().toInt(), 2);
        // disabling through the checkbox reaches the agent: the run ends without a third stop
        QVERIFY(f.breakpoints.setData(f.breakpoints.index(0, 0), Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(!f.run.breakpoints().first().enabled);
        f.step(DebugAgent::Command::Continue);
        QVERIFY(f.waitResult());
        QCOMPARE(resultSummaryText(f.session.result()), u"Ok({'ok': true})"_s);
    }

    void loadedResultTreeFlattens()
    {
        const ProgramInfo* info = examples::library().find(u"pipeline"_s);
        QVERIFY(info);
        const auto result = runProgram(*info);
        QVERIFY(result.is_err());
        EffectTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setTree(flattenTree(result.effect_stack()));
        QVERIFY(model.rowCount() == 1);
        const QStringList dump = dumpTree(model);
        QVERIFY2(dump.join(u'\n').contains(u"✗"_s), qPrintable(dump.join(u'\n')));
    }

    void stopEndsWithRunAborted()
    {
        Fixture f;
        f.run.start(*examples::library().find(u"fanout"_s), LiveRun::ClockChoice::Simulated);
        QVERIFY(f.waitPaused());
        for (int i = 0; i < 5; ++i) {
            f.step(DebugAgent::Command::StepEffect);
            QVERIFY(f.waitPaused());
        }
        f.run.stop();
        QVERIFY(f.waitResult());
        QVERIFY(f.session.result().is_err());
        QCOMPARE(f.session.result().error().type_name(), u"RunAbortedError"_s);
    }
};

QTEST_MAIN(TestViews)
#include "tst_views.moc"
