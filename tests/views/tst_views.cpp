// The panes' models under QAbstractItemModelTester, fed from real runs: a LiveRun streams the
// events of example programs into a StudioSession while the models follow it, attached before
// any data arrives.

#include "files.h"
#include "modeldump.h"
#include "sessionwait.h"

#include <doeff_examples.h>

#include <backgroundjob.h>
#include <breakpointdialog.h>
#include <breakpointmodel.h>
#include <effectlistmodel.h>
#include <effecttreemodel.h>
#include <history.h>
#include <liverun.h>
#include <logmodel.h>
#include <problemmodel.h>
#include <problemspane.h>
#include <provenancemodel.h>
#include <rundiffpane.h>
#include <searchmodel.h>
#include <stackmodel.h>
#include <studiosession.h>
#include <taskfiltermodel.h>
#include <taskgroupmodel.h>
#include <taskmodel.h>
#include <timelinepane.h>
#include <traceio.h>
#include <varianttreemodel.h>
#include <waitforpane.h>
#include <watchmodel.h>

#include <doeff/doeff.h>
#include <doeff/trace.h>

#include <QAbstractItemModelTester>
#include <QFont>
#include <QGraphicsView>
#include <QImage>
#include <QProgressBar>
#include <QSemaphore>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QToolButton>
#include <QTreeView>

using namespace doeff;
using namespace doeff::views;
using namespace Qt::StringLiterals;
using namespace testcommon;

namespace {

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
    TimelineModel timeline;
    QList<QAbstractItemModelTester*> testers;

    Fixture()
    {
        for (QAbstractItemModel* m : std::initializer_list<QAbstractItemModel*> { &tasks, &stack, &store, &env, &tree,
                                                                                  &log, &breakpoints, &timeline })
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
        log.setSession(s, session.logpointMessages());
        timeline.setTimeline(session.history() ? &session.history()->timeline() : nullptr);
    }
    bool waitPaused() { return testcommon::waitPaused(&session); }
    bool waitResult() { return testcommon::waitResult(&session); }
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

/// Two Puts in a sub-program between two Tells: a Step Over from the first Tell passes them.
Program<void> twoPuts()
{
    co_await Put("x", 1);
    co_await Put("x", 2);
}
Program<int> aroundTwoPuts()
{
    co_await Tell(u"before"_s);
    co_await twoPuts();
    co_await Tell(u"after"_s);
    co_return 0;
}

/// A finished run of `name` in a fixture (events recorded by the session's LiveHistory).
bool runToEnd(Fixture& f, const QString& name, const Env& env = {})
{
    const ProgramInfo* found = examples::library().find(name);
    if (!found) return false;
    ProgramInfo info = *found;
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        info.env.insert(it.key(), it.value());
    f.run.start(info, LiveRun::ClockChoice::Simulated, false);
    return f.waitResult();
}

} // namespace

class TestViews : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Issue 20: a breakpoint with a hit count says so in the Where column (under the model
    // tester), and an unknown effect name is refused with the nearest known one.
    void breakpointHitCountAndEffectNames()
    {
        BreakpointModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Breakpoint b;
        b.id = 1;
        b.kind = Breakpoint::Kind::Effect;
        b.pattern = u"Tell"_s;
        model.setBreakpoints({ b });
        QCOMPARE(model.index(0, BreakpointModel::WhereColumn).data().toString(), u"Tell"_s);
        b.hitCount = 3;
        model.setBreakpoints({ b });
        QCOMPARE(model.index(0, BreakpointModel::WhereColumn).data().toString(), u"Tell (hit 3)"_s);
        QCOMPARE(model.breakpoints().first().hitCount, 3);

        const QStringList known = builtinEffectNames();
        QVERIFY(known.contains(u"Tell"_s) && known.contains(u"Get"_s) && known.contains(u"Spawn"_s));
        QCOMPARE(effectNameProblem(u"Tell"_s, known), QString());
        QCOMPARE(effectNameProblem(u"Tel"_s, known), u"no effect named Tel; did you mean Tell?"_s);
        QCOMPARE(effectNameProblem(u"Zzzzzzzz"_s, known), u"no effect named Zzzzzzzz"_s);
        QCOMPARE(effectNameProblem(u"Ping"_s, known + QStringList { u"Ping"_s }), QString());
    }

    void steppedRunUnderModelTesters_data()
    {
        QTest::addColumn<QString>("example");
        QTest::addColumn<int>("steps");
        QTest::addRow("word_count") << u"word_count"_s << 60;
        QTest::addRow("pipeline") << u"pipeline"_s << 80;
        QTest::addRow("count_to_three") << u"count_to_three"_s << 20;
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
        QCOMPARE(dumpModel(f.tree), dumpModel(fresh));
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

    /// Issue 20: given the values before the step, changed keys show `old → new`, added keys
    /// `(new)`, removed keys a struck-out `(removed)` row; the filter keeps matches and their
    /// parents, by key or value, whatever the case, across new entries.
    void storeChangesAndFilter()
    {
        VariantTreeModel m;
        VariantFilterModel filter;
        filter.setSourceModel(&m);
        QAbstractItemModelTester t1(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QVariant nestedMap = QVariantMap { { u"inner"_s, QVariantMap { { u"Needle"_s, 1 } } }, { u"y"_s, 2 } };
        const VariantTreeModel::Entries before { { u"a"_s, 0 }, { u"c"_s, 3 }, { u"gone"_s, u"bye"_s } };
        const VariantTreeModel::Entries now { { u"a"_s, 1 }, { u"b"_s, nestedMap }, { u"c"_s, 3 } };
        m.setEntries(now, {}, false, &before);
        QCOMPARE(m.rowCount(), 4);
        const auto row = [&m](const QString& key) {
            for (int r = 0; r < m.rowCount(); ++r)
                if (m.index(r, 0).data().toString() == key) return r;
            return -1;
        };
        const auto change = [&m](int r) { return m.index(r, VariantTreeModel::ValueColumn).data().toString(); };
        QCOMPARE(change(row(u"a"_s)), u"0 → 1"_s);
        QCOMPARE(m.index(row(u"a"_s), 0).data(VariantTreeModel::OldValueRole), QVariant(0));
        QVERIFY(m.index(row(u"a"_s), 0).data(VariantTreeModel::ChangedRole).toBool());
        QVERIFY(m.index(row(u"a"_s), 1).data(Qt::ToolTipRole).toString().contains(u"Before this step: 0"_s));
        QCOMPARE(change(row(u"b"_s)), u"{2 entries}  (new)"_s);
        QCOMPARE(change(row(u"c"_s)), u"3"_s);
        QVERIFY(!m.index(row(u"c"_s), 0).data(VariantTreeModel::ChangedRole).toBool());
        QCOMPARE(row(u"gone"_s), 3); // listed after the keys there are
        QCOMPARE(change(3), u"'bye'  (removed)"_s);
        QCOMPARE(m.index(3, 1).data(VariantTreeModel::OldValueRole).toString(), u"bye"_s);
        QVERIFY(m.index(3, 0).data(Qt::FontRole).value<QFont>().strikeOut());
        QCOMPARE(m.index(3, 0).data(VariantTreeModel::ChangeRole).toInt(), int(VariantTreeModel::Removed));
        // without `before` only the given keys are highlighted, and nothing is compared
        m.setEntries(now, { u"c"_s });
        QCOMPARE(m.rowCount(), 3);
        QCOMPARE(change(row(u"a"_s)), u"1"_s);
        QVERIFY(m.index(row(u"c"_s), 0).data(VariantTreeModel::ChangedRole).toBool());

        // a nested key: its parents stay
        filter.setFilterText(u"needle"_s);
        QCOMPARE(filter.rowCount(), 1);
        const QModelIndex b = filter.index(0, 0);
        QCOMPARE(b.data().toString(), u"b"_s);
        QCOMPARE(filter.rowCount(b), 1);
        QCOMPARE(filter.index(0, 0, b).data().toString(), u"inner"_s);
        QCOMPARE(filter.index(0, 0, filter.index(0, 0, b)).data().toString(), u"Needle"_s);
        // a matching container shows what it holds
        filter.setFilterText(u"inner"_s);
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.rowCount(filter.index(0, 0)), 1);
        QCOMPARE(filter.rowCount(filter.index(0, 0, filter.index(0, 0))), 1);
        // a value's text
        filter.setFilterText(u"BYE"_s);
        QCOMPARE(filter.rowCount(), 0);
        m.setEntries(now, {}, false, &before); // the filter applies to new entries too
        QCOMPARE(filter.rowCount(), 1);
        QCOMPARE(filter.index(0, 0).data().toString(), u"gone"_s);
        filter.setFilterText(QString());
        QCOMPARE(filter.rowCount(), 4);
    }

    /// Issue 20: watches evaluate store keys, env keys and tasks; changes are highlighted with
    /// what they were; expressions are added, edited in place and removed.
    void provenanceModelShowsTheChainAndReaders()
    {
        // main starts with k = 1, reads it at step 1, writes k = 2 at step 2, reads that at step 3
        auto ev = [](EventKind kind, quint64 step, const QString& name, const QString& text = {},
                     const QVariant& value = {}, int code = 0) {
            Event e;
            e.kind = kind;
            e.step = step;
            e.task = 0;
            e.name = name;
            e.text = text;
            e.value = value;
            e.code = code;
            return e;
        };
        Event spawned = ev(EventKind::TaskSpawned, 0, QStringLiteral("main"), {}, QVariantMap());
        spawned.old = QVariantList { QVariantList { QStringLiteral("k"), 1 } };
        const QVariantMap key { { QStringLiteral("key"), QStringLiteral("k") } };
        const QList<Event> events {
            spawned,
            ev(EventKind::EffectYielded, 1, QStringLiteral("Get('k')"), QStringLiteral("Get"), key),
            ev(EventKind::EffectHandled, 1, QStringLiteral("Get('k')"), QStringLiteral("core"), 1),
            ev(EventKind::EffectYielded, 2, QStringLiteral("Put('k')"), QStringLiteral("Put"), key),
            ev(EventKind::StoreWrite, 2, QStringLiteral("k"), {}, 2),
            ev(EventKind::EffectYielded, 3, QStringLiteral("Get('k')"), QStringLiteral("Get"), key),
        };
        Provenance p;
        p.build(events);
        ProvenanceModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        m.setChain(p, p.storeValue(0, QStringLiteral("k"), 3));
        QCOMPARE(m.rowCount(), 2);
        const QModelIndex root = m.index(0, 0);
        QCOMPARE(root.data().toString(), QStringLiteral("k = 2  (Put('k'))"));
        QCOMPARE(m.index(0, 0, root).data().toString(), QStringLiteral("read Get('k') → 1"));
        QCOMPARE(m.index(0, 0, m.index(0, 0, root)).data(ProvenanceModel::StepRole).toULongLong(), 0u);
        QCOMPARE(m.readerCount(), 1);
        QCOMPARE(m.index(0, ProvenanceModel::StepColumn, m.index(1, 0)).data().toString(), QStringLiteral("3"));
        m.setChain(p, -1, QStringLiteral("none"));
        QCOMPARE(m.rowCount(), 1);
        QCOMPARE(m.readerCount(), 0);
    }
    void searchModelListsHitsAndFindsNeighbours()
    {
        SearchModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        SearchResult r;
        r.total = 5;
        for (quint64 step : { 3, 3, 8, 20 })
            r.hits.append({ step * 2, step, 0, SearchKind::Effect, QStringLiteral("Put('k')") });
        m.setResult(r);
        QCOMPARE(m.rowCount(), 4);
        QCOMPARE(m.summary(), QStringLiteral("4 of 5 hits shown"));
        QCOMPARE(m.index(2, SearchModel::StepColumn).data().toString(), QStringLiteral("8"));
        QCOMPARE(m.index(2, SearchModel::KindColumn).data().toString(), QStringLiteral("effect"));
        QCOMPARE(m.rowAfter(0), std::optional<int>(0));
        QCOMPARE(m.rowAfter(3), std::optional<int>(2));
        QCOMPARE(m.rowAfter(20), std::nullopt);
        QCOMPARE(m.rowBefore(8), std::optional<int>(1));
        QCOMPARE(m.rowBefore(3), std::nullopt);
        m.clear();
        QCOMPARE(m.rowCount(), 0);
        QCOMPARE(m.summary(), QStringLiteral("no hits"));
    }
    void watchModelEvaluatesAndEdits()
    {
        SessionState s;
        Event start;
        start.kind = EventKind::RunStarted;
        start.name = u"p"_s;
        start.value = QVariantList { QVariantList { u"counter"_s, 1 } };
        start.old = QVariantMap { { u"name"_s, u"ada"_s } };
        s.apply(start);
        WatchModel m;
        QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy edited(&m, &WatchModel::expressionsChanged);
        m.setExpressions({ u"counter"_s, u" env:name "_s, u"task 0"_s, u"task 5"_s, u"missing"_s, u""_s });
        QCOMPARE(m.rowCount(), 5);
        QCOMPARE(m.index(1, 0).data().toString(), u"env:name"_s);
        m.evaluate(s, 0, {}, nullptr, nullptr);
        const auto value = [&m](int r) { return m.index(r, WatchModel::ValueColumn).data().toString(); };
        QCOMPARE(value(0), u"1"_s);
        QCOMPARE(value(1), u"'ada'"_s);
        QVERIFY2(value(2).startsWith(QString::fromLatin1(taskStateCodeName(s.task(0)->state))), qPrintable(value(2)));
        QVERIFY(m.index(2, 1).data(WatchModel::FoundRole).toBool());
        QVERIFY(value(3).contains(u"no task 5"_s));
        QVERIFY(!m.index(3, 1).data(WatchModel::FoundRole).toBool());
        QCOMPARE(value(4), u"<not set>"_s);
        QVERIFY(!m.index(0, 1).data(WatchModel::ChangedRole).toBool());
        // compared with the values before the step
        const Store before { { u"counter"_s, 0 } };
        const Env envBefore { { u"name"_s, u"ada"_s } };
        m.evaluate(s, 0, { u"counter"_s }, &before, &envBefore);
        QVERIFY(m.index(0, 1).data(WatchModel::ChangedRole).toBool());
        QVERIFY(m.index(0, 1).data(Qt::ToolTipRole).toString().contains(u"Before this step: 0"_s));
        QVERIFY(!m.index(1, 1).data(WatchModel::ChangedRole).toBool());
        const Env envEmpty;
        m.evaluate(s, 0, {}, &before, &envEmpty);
        QVERIFY(m.index(1, 1).data(WatchModel::ChangedRole).toBool()); // env:name is new
        QVERIFY(m.index(1, 1).data(Qt::ToolTipRole).toString().contains(u"<not set>"_s));
        // edit in place, add, remove
        QCOMPARE(edited.count(), 0);
        QVERIFY(m.flags(m.index(4, 0)) & Qt::ItemIsEditable);
        QVERIFY(!(m.flags(m.index(4, 1)) & Qt::ItemIsEditable));
        QVERIFY(m.setData(m.index(4, 0), u"store:counter"_s));
        QCOMPARE(value(4), u"1"_s);
        QVERIFY(!m.setData(m.index(4, 0), u"  "_s));
        QVERIFY(m.addExpression(u"task 5"_s));
        QVERIFY(!m.addExpression(u" "_s));
        m.removeExpression(0);
        QCOMPARE(m.expressions(),
                 (QStringList { u"env:name"_s, u"task 0"_s, u"task 5"_s, u"store:counter"_s, u"task 5"_s }));
        QCOMPARE(edited.count(), 3);
        m.clearValues();
        QCOMPARE(value(0), QString());
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
        const QStringList dump = dumpModel(model);
        QVERIFY2(dump.join(u'\n').contains(u"✗"_s), qPrintable(dump.join(u'\n')));
        // the columns say what they hold (the count column was headed by a bare ×)
        QCOMPARE(model.headerData(EffectTreeModel::CountColumn, Qt::Horizontal).toString(), u"Count"_s);
        QCOMPARE(model.headerData(EffectTreeModel::TaskColumn, Qt::Horizontal).toString(), u"Task"_s);
    }

    void unrecordedChildrenShowAsMore()
    {
        EffectStackTrace trace;
        trace.captured = true;
        trace.root.display = u"main()"_s;
        trace.root.more = 1234;
        EffectStackTrace::Node leaf;
        leaf.display = u"Get('k')"_s;
        leaf.isEffect = true;
        trace.root.children.append(leaf);
        EffectTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setTree(flattenTree(trace));
        const QModelIndex root = model.index(0, 0);
        QCOMPARE(root.data().toString(), u"main()"_s);
        QCOMPARE(root.data(EffectTreeModel::MoreRole).toInt(), 1234);
        // the leaf, then a last row for what was not recorded
        QCOMPARE(model.rowCount(root), 2);
        QCOMPARE(model.index(0, 0, root).data().toString(), u"Get('k')"_s);
        const QModelIndex more = model.index(1, 0, root);
        QVERIFY2(more.data().toString().startsWith(u"… "_s), qPrintable(more.data().toString()));
        QVERIFY(more.data().toString().endsWith(u" more (not recorded)"_s));
        QCOMPARE(more.data(EffectTreeModel::MoreRole).toInt(), 1234);
        QVERIFY(more.data(Qt::ToolTipRole).toString().contains(u"were not recorded"_s));
        QCOMPARE(model.rowCount(more), 0);
        QCOMPARE(model.parent(more), root);

        // the same tree as SessionState grows it: `more` appears, grows, and new nodes go before it
        std::vector<SessionTreeNode> nodes(2);
        nodes[0].display = u"main()"_s;
        nodes[0].children = { 1 };
        nodes[1].parent = 0;
        nodes[1].display = u"Get('k')"_s;
        nodes[1].effect = true;
        EffectTreeModel live;
        QAbstractItemModelTester liveTester(&live, QAbstractItemModelTester::FailureReportingMode::QtTest);
        live.setTree(nodes);
        const QPersistentModelIndex liveRoot = live.index(0, 0);
        QCOMPARE(live.rowCount(liveRoot), 1);
        nodes[0].more = 3;
        live.setTree(nodes);
        QCOMPARE(live.rowCount(liveRoot), 2);
        QCOMPARE(live.index(1, 0, liveRoot).data(EffectTreeModel::MoreRole).toInt(), 3);
        SessionTreeNode put;
        put.parent = 0;
        put.display = u"Put('k')"_s;
        put.effect = true;
        nodes.push_back(put);
        nodes[0].children.append(2);
        nodes[0].more = 7;
        live.setTree(nodes);
        QCOMPARE(live.rowCount(liveRoot), 3);
        QCOMPARE(live.index(1, 0, liveRoot).data().toString(), u"Put('k')"_s);
        QCOMPARE(live.index(2, 0, liveRoot).data(EffectTreeModel::MoreRole).toInt(), 7);
    }

    // Time travel over a live run equals replaying its events, and equals the trace written from
    // them: the same SessionState dump at every step asked.
    void liveHistoryMatchesReplayAndTrace_data()
    {
        QTest::addColumn<QString>("example");
        QTest::addColumn<int>("tasks");
        QTest::addRow("word_count") << u"word_count"_s << 0;
        QTest::addRow("pipeline") << u"pipeline"_s << 0;
        QTest::addRow("fanout") << u"fanout"_s << 300; // past the first in-memory checkpoints
    }
    void liveHistoryMatchesReplayAndTrace()
    {
        QFETCH(QString, example);
        QFETCH(int, tasks);
        Fixture f;
        Env env;
        if (tasks > 0) env.insert(u"tasks"_s, tasks);
        QVERIFY(runToEnd(f, example, env));
        StateHistory* history = f.session.history();
        QVERIFY(history);
        const QList<Event> events = f.session.liveEvents().toList();
        QVERIFY(!events.isEmpty());
        if (tasks > 0) QVERIFY2(events.size() > 2 * 4096, qPrintable(QString::number(events.size())));
        QCOMPARE(history->lastStep(), f.session.presentStep());

        QTemporaryDir dir;
        const QString path = dir.filePath(u"run.doefftrace"_s);
        TraceSource source;
        source.events = f.session.liveEvents();
        QCOMPARE(exportTrace(source, TraceFormat::Native, path), QString());
        TraceReader reader;
        QVERIFY2(reader.open(path), qPrintable(reader.errorString()));
        QCOMPARE(reader.eventCount(), quint64(events.size()));
        QCOMPARE(reader.stepCount(), history->lastStep());

        const quint64 last = history->lastStep();
        for (quint64 step : { quint64(1), last / 3, last / 2, last - 1, last }) {
            SessionState replay;
            for (const Event& e : events)
                if (e.step <= step) replay.apply(e);
            const auto fromHistory = history->stateAt(step);
            QVERIFY(fromHistory);
            QCOMPARE(formatSessionState(*fromHistory), formatSessionState(replay));
            const auto fromTrace = reader.stateAt(step);
            QVERIFY2(fromTrace, qPrintable(reader.errorString()));
            QCOMPARE(formatSessionState(*fromTrace), formatSessionState(replay));
        }

        // the previous effect before a step: the same from the live history, the trace and
        // the plain list
        auto traceReader = std::make_unique<TraceReader>();
        QVERIFY(traceReader->open(path));
        TraceHistory fromFile(std::move(traceReader), TimelineData());
        const auto effect = [](const Event& e) { return e.kind == EventKind::EffectYielded; };
        for (quint64 step : { quint64(0), quint64(1), last / 3, last / 2, last }) {
            std::optional<quint64> expected;
            for (const Event& e : events)
                if (e.step < step && effect(e)) expected = e.step;
            QCOMPARE(history->lastHitBefore(step, effect), expected);
            QCOMPARE(fromFile.lastHitBefore(step, effect), expected);
        }

        // the session shows the past and returns to the present
        QSignalSpy viewed(&f.session, &StudioSession::viewChanged);
        QVERIFY(f.session.goToStep(last / 2));
        QVERIFY(!f.session.isAtPresent());
        QCOMPARE(f.session.viewStep(), last / 2);
        QVERIFY(f.session.state().step() <= last / 2);
        QVERIFY(viewed.size() >= 1);
        f.session.goToPresent();
        QVERIFY(f.session.isAtPresent());
        QCOMPARE(f.session.state().step(), last);
    }

    // A long live run's history is kept compactly: events encoded chunk by chunk, state copies
    // thinned out. States, event order and exports are those of the plain event list.
    void liveHistoryKeepsLongRunsCompact()
    {
        Fixture f;
        QVERIFY(runToEnd(f, u"fanout"_s, Env { { u"tasks"_s, 400 } }));
        const QList<Event> events = f.session.liveEvents().toList();
        QVERIFY2(events.size() > 12000, qPrintable(QString::number(events.size())));

        // the same events through a history with small chunks and checkpoints
        LiveHistory history(1000, 4096, 500);
        SessionState state;
        for (const Event& e : events) {
            state.apply(e);
            history.append(e, state);
        }
        const EventLog& log = history.events();
        QCOMPARE(log.size(), events.size());
        QVERIFY(log.encodedCount() >= events.size() - 1500);
        QVERIFY(log.encodedCount() <= events.size() - 500); // the newest stay Events
        QVERIFY2(log.byteSize() * 4 < qint64(events.size()) * qint64(sizeof(Event)),
                 qPrintable(u"%1 bytes for %2 events"_s.arg(log.byteSize()).arg(events.size())));

        // every event comes back, in order, from any range (chunk boundaries included)
        const QList<Event> back = log.toList();
        QCOMPARE(back.size(), events.size());
        for (qsizetype i = 0; i < events.size(); ++i) {
            QCOMPARE(back[i].kind, events[i].kind);
            QCOMPARE(back[i].step, events[i].step);
            QCOMPARE(back[i].task, events[i].task);
            QCOMPARE(back[i].name, events[i].name);
            QCOMPARE(repr(back[i].value), repr(events[i].value));
        }
        QList<quint64> steps;
        QVERIFY(log.forEach(999, 1002, [&steps](const Event& e) {
            steps.append(e.step);
            return true;
        }));
        QCOMPARE(steps, (QList<quint64> { events[999].step, events[1000].step, events[1001].step }));

        const quint64 last = events.last().step;
        for (quint64 step : { quint64(0), quint64(1), last / 7, last / 2, last / 2 + 1, last - 1, last }) {
            const qsizetype count = std::upper_bound(events.cbegin(), events.cend(), step,
                                                     [](quint64 s, const Event& e) { return s < e.step; })
                - events.cbegin();
            QCOMPARE(log.countThroughStep(step), count);
            SessionState replay;
            for (qsizetype i = 0; i < count; ++i)
                replay.apply(events[i]);
            const auto s = history.stateAt(step);
            QVERIFY2(s, qPrintable(history.errorString()));
            QCOMPARE(formatSessionState(*s), formatSessionState(replay));
        }

        // a run long enough for many state copies: they are thinned out, states stay right
        LiveHistory thin(500, 100, 0);
        std::vector<Event> stream;
        Event e;
        e.kind = EventKind::RunStarted;
        e.value = QVariantList();
        e.old = QVariantMap();
        stream.push_back(e);
        e = Event();
        e.kind = EventKind::TaskSpawned;
        e.task = 0;
        e.name = u"main"_s;
        stream.push_back(e);
        for (quint64 step = 1; step <= 20000; ++step) {
            Event s;
            s.kind = step % 5 ? EventKind::Step : EventKind::StoreWrite;
            s.step = step;
            s.task = 0;
            if (s.kind == EventKind::StoreWrite) {
                s.name = u"n"_s;
                s.value = step;
            }
            stream.push_back(s);
        }
        SessionState running;
        for (const Event& x : stream) {
            running.apply(x);
            thin.append(x, running);
        }
        // going back to the previous hit (Reverse Continue): the newest matching event before a
        // step, across encoded chunks and windows, or none
        const auto storeWrite = [](const Event& x) { return x.kind == EventKind::StoreWrite; };
        QCOMPARE(thin.lastHitBefore(20000, storeWrite), std::optional<quint64>(19995));
        QCOMPARE(thin.lastHitBefore(12345, storeWrite), std::optional<quint64>(12340));
        QCOMPARE(thin.lastHitBefore(12340, storeWrite), std::optional<quint64>(12335));
        QCOMPARE(thin.lastHitBefore(6, storeWrite), std::optional<quint64>(5));
        QCOMPARE(thin.lastHitBefore(5, storeWrite), std::nullopt);
        QCOMPARE(thin.lastHitBefore(0, storeWrite), std::nullopt);
        const auto early = [](const Event& x) { return x.kind == EventKind::StoreWrite && x.step == 10; };
        QCOMPARE(thin.lastHitBefore(20000, early), std::optional<quint64>(10)); // many windows back
        QVERIFY(thin.checkpointCount() <= LiveHistory::MaxCheckpoints);
        QVERIFY2(thin.checkpointSpacing() >= 400, qPrintable(QString::number(thin.checkpointSpacing())));
        for (quint64 step : { quint64(3), quint64(4999), quint64(5000), quint64(12345), quint64(20000) }) {
            const auto s = thin.stateAt(step);
            QVERIFY2(s, qPrintable(thin.errorString()));
            QCOMPARE(s->step(), step);
            QCOMPARE(s->store(0).value(u"n"_s).toULongLong(), step - step % 5);
            QCOMPARE(s->task(0)->steps, step - step / 5);
        }
    }

    void timelineLanesFollowTheRun()
    {
        Fixture f;
        QVERIFY(runToEnd(f, u"word_count"_s));
        f.update();
        const SessionState& s = f.session.state();
        QCOMPARE(f.timeline.rowCount(), int(s.tasks().size()));
        quint64 stepsInLanes = 0;
        for (int row = 0; row < f.timeline.rowCount(); ++row) {
            const TimelineLane* lane = f.timeline.lane(row);
            QVERIFY(lane);
            QVERIFY(std::is_sorted(lane->steps.cbegin(), lane->steps.cend()));
            QVERIFY(std::adjacent_find(lane->steps.cbegin(), lane->steps.cend()) == lane->steps.cend());
            const SessionTask* t = s.task(lane->task);
            QVERIFY(t);
            QCOMPARE(quint64(lane->steps.size()), t->steps);
            QCOMPARE(f.timeline.index(row).data(TimelineModel::TaskIdRole).toInt(), lane->task);
            stepsInLanes += lane->steps.size();
        }
        QCOMPARE(stepsInLanes, s.step());
        // a new run resets the lanes
        QVERIFY(runToEnd(f, u"count_to_three"_s));
        f.update();
        QCOMPARE(f.timeline.rowCount(), 1);
    }

    // Issue 21 #5: a lane's program activations nest. flaky_service's main calls
    // call_flaky_service through Safe once per attempt: three slices under main's, each holding
    // the one Tell its call yields, each closed when its frame is popped.
    void timelineSlicesNestActivations()
    {
        Fixture f;
        QVERIFY(runToEnd(f, u"flaky_service"_s));
        f.update();
        const TimelineData* data = f.timeline.timeline();
        QVERIFY(data);
        const TimelineLane* lane = f.timeline.lane(0);
        QVERIFY(lane);
        QCOMPARE(lane->slices.size(), size_t(4));
        QVERIFY(lane->openSlices.empty()); // the task finished
        const auto name = [&](const TimelineSlice& s) { return data->sliceLabels().value(int(s.label)); };
        const TimelineSlice& main = lane->slices[0];
        QVERIFY2(name(main).startsWith(u"risky_operation_main() at "_s), qPrintable(name(main)));
        QCOMPARE(main.depth, 0u);
        QCOMPARE(main.parent, -1);
        QVERIFY(main.to != TimelineSlice::open);
        // the three calls share one label
        QCOMPARE(data->sliceLabels().size(), 2);
        quint64 previousEnd = main.from;
        for (qint32 i = 1; i <= 3; ++i) {
            const TimelineSlice& call = lane->slices[size_t(i)];
            QVERIFY2(name(call).startsWith(u"call_flaky_service() at "_s), qPrintable(name(call)));
            QCOMPARE(call.depth, 1u);
            QCOMPARE(call.parent, 0);
            QVERIFY(call.from > previousEnd && call.to > call.from && call.to < main.to);
            previousEnd = call.to;
            const auto inCall = std::count_if(lane->effects.cbegin(), lane->effects.cend(),
                                              [&](quint64 e) { return e >= call.from && e < call.to; });
            QCOMPARE(inCall, 1);
            for (quint64 e : lane->effects)
                if (e >= call.from && e < call.to) QCOMPARE(lane->sliceAt(e), i);
        }
        // between the calls main runs; before its push and from its pop on nothing does
        QCOMPARE(lane->sliceAt(lane->slices[1].to), 0);
        QCOMPARE(lane->sliceAt(main.from - 1), -1);
        QCOMPARE(lane->sliceAt(main.to), -1);
        for (quint64 e : lane->effects)
            QVERIFY(e >= main.from && e < main.to);
    }

    // The slices' rules on a hand-built stream: a pop takes every activation above it, a push
    // where one still is (a restored continuation) ends it first, and a finished task ends all.
    void timelineSlicesFollowTheContinuation()
    {
        TimelineData data;
        const auto push = [&](quint64 step, int task, int index, const QString& text) {
            Event e;
            e.kind = EventKind::FramePushed;
            e.step = step;
            e.task = task;
            e.index = index;
            e.code = int(FrameKindCode::Program);
            e.text = text;
            data.add(e);
        };
        const auto pop = [&](quint64 step, int task, int index, FrameKindCode code) {
            Event e;
            e.kind = EventKind::FramePopped;
            e.step = step;
            e.task = task;
            e.index = index;
            e.code = int(code);
            data.add(e);
        };
        push(1, 0, 2, u"outer() at a.cpp:1"_s);
        push(2, 0, 3, u"middle() at a.cpp:5"_s);
        push(3, 0, 4, u"inner() at a.cpp:9"_s);
        pop(5, 0, 3, FrameKindCode::Safe); // below middle: middle and inner end
        push(6, 0, 3, u"middle() at a.cpp:5"_s);
        push(8, 0, 3, u"inner() at a.cpp:9"_s); // restored over the running middle
        const TimelineLane* lane = &data.lanes().at(0);
        QCOMPARE(lane->slices.size(), size_t(5));
        const auto span = [&](size_t i) {
            const TimelineSlice& s = lane->slices[i];
            return u"%1-%2 d%3 p%4"_s.arg(s.from)
                .arg(s.to == TimelineSlice::open ? u"open"_s : QString::number(s.to))
                .arg(s.depth)
                .arg(s.parent);
        };
        QCOMPARE(span(0), u"1-open d0 p-1"_s);
        QCOMPARE(span(1), u"2-5 d1 p0"_s);
        QCOMPARE(span(2), u"3-5 d2 p1"_s);
        QCOMPARE(span(3), u"6-8 d1 p0"_s);
        QCOMPARE(span(4), u"8-open d1 p0"_s);
        QCOMPARE(data.sliceLabels(),
                 QStringList({ u"outer() at a.cpp:1"_s, u"middle() at a.cpp:5"_s, u"inner() at a.cpp:9"_s }));
        QCOMPARE(lane->sliceAt(4), 2);
        QCOMPARE(lane->sliceAt(5), 0);
        QCOMPARE(lane->sliceAt(7), 3);
        QCOMPARE(lane->sliceAt(100), 4);
        QCOMPARE(data.maxSliceDepth(), 2u);
        Event done;
        done.kind = EventKind::TaskFinished;
        done.step = 12;
        done.task = 0;
        data.add(done);
        lane = &data.lanes().at(0);
        QVERIFY(lane->openSlices.empty());
        QCOMPARE(span(0), u"1-12 d0 p-1"_s);
        QCOMPARE(span(4), u"8-12 d1 p0"_s);
        QCOMPARE(lane->sliceAt(12), -1);
    }

    // Frames taken off and given back in one step (a continuation reinstalled at once, a
    // what-if changing the handlers below them) go on as the activations they were; given back
    // at a later step (a handler ran in between), they start new ones.
    void timelineSlicesSurviveFramesGivenBack()
    {
        TimelineData data;
        const auto push = [&](quint64 step, int index, const QString& text, bool restored) {
            Event e;
            e.kind = EventKind::FramePushed;
            e.step = step;
            e.task = 0;
            e.index = index;
            e.code = int(FrameKindCode::Program);
            e.text = text;
            if (restored) e.value = true;
            data.add(e);
        };
        const auto pop = [&](quint64 step, int index) {
            Event e;
            e.kind = EventKind::FramePopped;
            e.step = step;
            e.task = 0;
            e.index = index;
            e.code = int(FrameKindCode::Program);
            data.add(e);
        };
        push(1, 2, u"outer() at a.cpp:1"_s, false);
        push(2, 3, u"inner() at a.cpp:5"_s, false);
        pop(4, 3); // both off, innermost first …
        pop(4, 2);
        push(4, 2, u"outer() at a.cpp:1"_s, true); // … and back, outermost first
        push(4, 3, u"inner() at a.cpp:7"_s, true); // (where it is suspended now)
        const TimelineLane* lane = &data.lanes().at(0);
        QCOMPARE(lane->slices.size(), size_t(2));
        QCOMPARE(lane->openSlices, (std::vector<qint32> { 0, 1 }));
        QCOMPARE(lane->slices[1].parent, 0);
        QCOMPARE(lane->sliceAt(4), 1);
        // taken off at 6, given back at 9: a new activation
        pop(6, 3);
        push(9, 3, u"inner() at a.cpp:5"_s, true);
        lane = &data.lanes().at(0);
        QCOMPARE(lane->slices.size(), size_t(3));
        QCOMPARE(lane->slices[1].to, quint64(6));
        // given back at the same step but not restored (a new call): a new activation too
        pop(10, 3);
        push(10, 3, u"inner() at a.cpp:5"_s, false);
        lane = &data.lanes().at(0);
        QCOMPARE(lane->slices.size(), size_t(4));
        QCOMPARE(lane->slices[2].to, quint64(10));
    }

    // A recursion 100,000 calls deep: the running activation at any step and a caller at any depth
    // are found along jump pointers, and a view of the unwinding paints one box per row.
    void timelineSlicesOfADeepRecursion()
    {
        constexpr int Depth = 100'000;
        TimelineData data;
        Event e;
        e.task = 0;
        e.code = int(FrameKindCode::Program);
        e.text = u"down() at deep.cpp:3"_s;
        for (int i = 0; i < Depth; ++i) { // pushed at steps 1 … Depth
            e.kind = EventKind::FramePushed;
            e.step = quint64(i + 1);
            e.index = i;
            data.add(e);
        }
        for (int i = Depth - 1; i >= 0; --i) { // popped at steps Depth + 1 … 2 Depth
            e.kind = EventKind::FramePopped;
            e.step = quint64(2 * Depth - i);
            e.index = i;
            data.add(e);
        }
        const TimelineLane& lane = data.lanes().at(0);
        QCOMPARE(lane.slices.size(), size_t(Depth));
        QCOMPARE(data.maxSliceDepth(), quint32(Depth - 1));
        for (int pops : { 0, 1, 2, 3, 1000, 65'536, Depth - 1 }) {
            const quint64 step = quint64(Depth + pops);
            QCOMPARE(lane.sliceAt(step), qint32(Depth - 1 - pops));
        }
        QCOMPARE(lane.sliceAt(2 * Depth), -1);
        QCOMPARE(lane.sliceAt(12'345), 12'344);
        for (quint32 d : { 0u, 1u, 3u, 777u, 65'535u, quint32(Depth - 2) })
            QCOMPARE(lane.ancestorAtDepth(Depth - 1, d), qint32(d));
        // the slices nest: a caller never ends before its callee
        for (int i = 1; i < Depth; ++i)
            QVERIFY(lane.slices[size_t(i - 1)].to >= lane.slices[size_t(i)].to);

        TimelineModel model;
        model.setTimeline(&data);
        TimelineView view(&model);
        view.resize(900, 300);
        view.setSteps(2 * Depth, 2 * Depth);
        view.setRange(Depth + Depth / 2, Depth + Depth / 2 + 100);
        QImage image(view.size(), QImage::Format_ARGB32);
        view.render(&image);
        QVERIFY(view.showsSlices());
        QCOMPARE(view.sliceRows(), int(TimelineView::MaxSliceRows));
        // rows 0-2 hold depths 0-2; the last holds depth 3 and, over it, the innermost running
        QCOMPARE(view.lastPaintedSlices(), 5);
    }

    // Zoomed in, the lanes grow and paint the slices; their text is the tooltip's. Zoomed out over
    // many steps, the per-pixel marks come back.
    void timelineViewShowsSlicesWhenZoomedIn()
    {
        Fixture f;
        QVERIFY(runToEnd(f, u"flaky_service"_s));
        f.update();
        TimelineView view(&f.timeline);
        view.resize(1000, 300);
        const TimelineLane* lane = f.timeline.lane(0);
        const TimelineSlice& call = lane->slices[1];
        view.setSteps(call.from, f.session.presentStep());
        QImage image(view.size(), QImage::Format_ARGB32);
        view.render(&image);
        // fitted, a run of a few dozen steps already has room for a box per step
        QVERIFY(view.showsSlices());
        // rows for main, the calls under it, and the calls' effects
        QCOMPARE(view.sliceRows(), 3);
        QCOMPARE(view.laneHeight(), TimelineView::sliceLaneHeight(3));
        // main, three calls and every effect of the lane
        QCOMPARE(view.lastPaintedSlices(), int(4 + lane->effects.size()));
        const auto x = [&](quint64 step) { // the middle of the pixels showing `step`
            int first = -1, last = -1;
            for (int px = TimelineView::LabelWidth; px < view.width(); ++px)
                if (view.stepAt(px) == step) {
                    if (first < 0) first = px;
                    last = px;
                }
            return (first + last) / 2;
        };
        const int top = TimelineView::RulerHeight;
        const quint64 inCall = (call.from + call.to) / 2;
        // row 0 is main's, row 1 the call's, row 2 the effect the call yields
        QVERIFY2(view.describeAt({ x(inCall), top + 2 + TimelineView::SliceRowHeight / 2 })
                     .startsWith(u"risky_operation_main() at "_s),
                 qPrintable(view.describeAt({ x(inCall), top + 2 + TimelineView::SliceRowHeight / 2 })));
        const QString callText = view.describeAt({ x(inCall), top + 2 + 3 * TimelineView::SliceRowHeight / 2 });
        QVERIFY2(callText.startsWith(u"call_flaky_service() at "_s)
                     && callText.contains(u"pushed at step %1, popped at %2"_s.arg(call.from).arg(call.to)),
                 qPrintable(callText));
        const quint64 tell = *std::lower_bound(lane->effects.cbegin(), lane->effects.cend(), call.from);
        const QString tellText = view.describeAt({ x(tell), top + 2 + 5 * TimelineView::SliceRowHeight / 2 });
        QVERIFY2(tellText.startsWith(u"Tell effect, task 0 'main', step %1"_s.arg(tell)), qPrintable(tellText));
        QVERIFY(view.describeAt({ 10, top + 5 }).isEmpty()); // the label column
        // zoomed onto the call: only it, main around it, and its Tell
        view.setRange(call.from, call.to);
        view.render(&image);
        QCOMPARE(view.lastPaintedSlices(), 3);
        // a lane of ten thousand steps fitted into 850 pixels: no slices, lanes of the usual height
        view.setSteps(0, 10'000);
        view.fit();
        view.render(&image);
        QVERIFY(!view.showsSlices());
        QCOMPARE(view.laneHeight(), int(TimelineView::LaneHeight));
        QCOMPARE(view.lastPaintedSlices(), 0);
    }

    // 10,000,000 steps in two lanes: painting costs per pixel column, not per step.
    void timelinePaintsHugeLanesPerPixel()
    {
        TimelineData data;
        Event step;
        step.kind = EventKind::Step;
        constexpr quint64 Steps = 10'000'000;
        for (quint64 i = 1; i <= Steps; ++i) {
            step.step = i;
            step.task = int(i % 3 == 0);
            data.add(step);
        }
        TimelineModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setTimeline(&data);
        QCOMPARE(model.rowCount(), 2);
        TimelineView view(&model);
        view.resize(900, 200);
        view.setSteps(Steps / 2, Steps);
        QImage image(view.size(), QImage::Format_ARGB32);
        const QLocale locale;
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        const auto restore = qScopeGuard([&locale] { QLocale::setDefault(locale); });
        view.render(&image);
        const int lanePixels = view.width() - TimelineView::LabelWidth;
        // the ruler's step numbers are grouped like every step number, and whole
        const auto labels = view.lastRulerLabels();
        QVERIFY(labels.size() >= 3);
        QCOMPARE(labels.at(1).first, QLocale().toString(QLocale().toULongLong(labels.at(1).first)));
        QVERIFY2(labels.at(1).first.contains(u','), qPrintable(labels.at(1).first));
        for (const auto& [text, box] : labels)
            QVERIFY2(box.right() <= view.width() && box.left() >= TimelineView::LabelWidth, qPrintable(text));
        // both lanes are busy everywhere: one merged run per lane (not one mark per step)
        QVERIFY2(view.lastPaintedRuns() <= 2 * 3, qPrintable(QString::number(view.lastPaintedRuns())));
        QVERIFY(view.lastPaintedRuns() >= 2);
        // zoomed in on 100 steps: one box per step of each lane in the window
        view.setRange(5'000'000, 5'000'100);
        view.render(&image);
        QVERIFY(view.lastPaintedRuns() >= 100 && view.lastPaintedRuns() <= 102);
        QVERIFY(lanePixels > 0);
        // the cursor maps back to steps
        QCOMPARE(view.stepAt(TimelineView::LabelWidth), quint64(5'000'000));
    }

    // Issue 20: identical tasks (same name, kind, state and waits) fold into one row with a
    // count; a task that changes state leaves its group; the source says only which rows changed.
    void identicalTasksGroup()
    {
        auto worker = [](int id, TaskStateCode state, const QString& waits = {}) {
            return TaskModel::Row { .id = id,
                                    .name = u"worker"_s,
                                    .kind = TaskKindCode::Spawned,
                                    .state = state,
                                    .waitsOn = waits,
                                    .steps = quint64(id),
                                    .effect = u"Tell('w%1')"_s.arg(id),
                                    .outcome = {} };
        };
        QList<TaskModel::Row> rows { { .id = 0,
                                       .name = u"main"_s,
                                       .kind = TaskKindCode::Main,
                                       .state = TaskStateCode::Blocked,
                                       .waitsOn = u"Gather(task 1 'worker', …)"_s,
                                       .steps = 3,
                                       .effect = {},
                                       .outcome = {} } };
        for (int i = 1; i <= 5; ++i)
            rows.append(worker(i, TaskStateCode::Ready));
        rows.append(worker(6, TaskStateCode::Blocked, u"Wait(promise 1)"_s));
        TaskModel tasks;
        TaskGroupModel groups;
        TaskFilterModel sorted;
        QAbstractItemModelTester t1(&tasks, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t2(&groups, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester t3(&sorted, QAbstractItemModelTester::FailureReportingMode::QtTest);
        tasks.setRows(rows, 3);
        groups.setSourceModel(&tasks);
        sorted.setSourceModel(&groups);

        // main, the five ready workers, the blocked one
        QCOMPARE(groups.rowCount(), 3);
        const QModelIndex ready = groups.index(1, 0);
        QCOMPARE(ready.data(TaskGroupModel::GroupSizeRole).toInt(), 5);
        QCOMPARE(groups.index(1, TaskModel::NameColumn).data().toString(), u"worker ×5"_s);
        QCOMPARE(groups.rowCount(ready), 5);
        QCOMPARE(groups.index(1, TaskModel::StepsColumn).data().toULongLong(), 1u + 2 + 3 + 4 + 5);
        QVERIFY(groups.index(1, TaskModel::EffectColumn).data().toString().isEmpty()); // differs per task
        QCOMPARE(groups.index(2, TaskModel::IdColumn, ready).data(TaskModel::TaskIdRole).toInt(), 3);
        QCOMPARE(groups.index(2, TaskModel::EffectColumn, ready).data().toString(), u"Tell('w3')"_s);
        // the folded row shows it holds the current task (3)
        QVERIFY(groups.index(1, TaskModel::NameColumn).data(Qt::FontRole).value<QFont>().bold());
        QCOMPARE(groups.index(2, 0).data(TaskGroupModel::GroupSizeRole).toInt(), 1);
        QCOMPARE(groups.index(2, 0).data(TaskModel::TaskIdRole).toInt(), 6);
        QCOMPARE(groups.indexOfTask(4), groups.index(3, 0, ready));
        QCOMPARE(groups.indexOfTask(6), groups.index(2, 0));

        // task 2 blocks on the same promise as 6: it joins 6's group and leaves the ready one;
        // only its row is reported changed by the task model
        QSignalSpy changed(&tasks, &QAbstractItemModel::dataChanged);
        rows[2] = worker(2, TaskStateCode::Blocked, u"Wait(promise 1)"_s);
        tasks.setRows(rows, 3);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).toModelIndex().row(), 2);
        QCOMPARE(changed.first().at(1).toModelIndex().row(), 2);
        // a new state recolours the whole row (a failed task is red in every column)
        QCOMPARE(changed.first().at(0).toModelIndex().column(), 0);
        QCOMPARE(changed.first().at(1).toModelIndex().column(), TaskModel::NUM_COLUMNS - 1);
        // a change of steps alone says only that cell changed (a sort by id stays put)
        rows[3].steps += 1;
        tasks.setRows(rows, 3);
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.last().at(0).toModelIndex().column(), int(TaskModel::StepsColumn));
        QCOMPARE(changed.last().at(1).toModelIndex().column(), int(TaskModel::StepsColumn));
        rows[3].steps -= 1;
        tasks.setRows(rows, 3);
        changed.clear();
        QCOMPARE(groups.rowCount(), 3);
        QCOMPARE(groups.index(1, 0).data(TaskGroupModel::GroupSizeRole).toInt(), 4);
        QCOMPARE(groups.index(2, 0).data(TaskGroupModel::GroupSizeRole).toInt(), 2);
        QCOMPARE(groups.indexOfTask(2).parent(), groups.index(2, 0));
        // an unchanged refresh reports nothing
        tasks.setRows(rows, 3);
        QCOMPARE(changed.size(), 0);

        // sorted by steps, descending: the ready group (1+3+4+5 = 13 steps) comes first
        sorted.sort(TaskModel::StepsColumn, Qt::DescendingOrder);
        QCOMPARE(sorted.index(0, 0).data(TaskGroupModel::GroupSizeRole).toInt(), 4);
        QCOMPARE(sorted.index(1, 0).data(TaskModel::TaskIdRole).toInt(), 2); // 2 + 6 = 8 steps
        // a filter that only one task matches keeps its group, with just that task under it
        sorted.setFilterText(u"tell('W5')"_s); // (any case)
        QCOMPARE(sorted.rowCount(), 1);
        QCOMPARE(sorted.rowCount(sorted.index(0, 0)), 1);
        QCOMPARE(sorted.index(0, 0, sorted.index(0, 0)).data(TaskModel::TaskIdRole).toInt(), 5);
        // flat: by name (then id), and a state's name matches
        sorted.setSourceModel(&tasks);
        sorted.setFilterText(u"block"_s);
        QCOMPARE(sorted.rowCount(), 3); // main, 2 and 6
        sorted.sort(TaskModel::NameColumn, Qt::AscendingOrder);
        QCOMPARE(sorted.index(0, 0).data(TaskModel::TaskIdRole).toInt(), 0);
        QCOMPARE(sorted.index(1, 0).data(TaskModel::TaskIdRole).toInt(), 2);
        QCOMPARE(sorted.index(2, 0).data(TaskModel::TaskIdRole).toInt(), 6);
    }

    // Issue 20: the Effects list has every effect of the run, in order, with the label the
    // event had, from a live history (plain and encoded) and from a trace alike; its filters
    // count exactly.
    void effectsListReadsEveryLabel()
    {
        Fixture f;
        QVERIFY(runToEnd(f, u"fanout"_s, Env { { u"tasks"_s, 300 } }));
        const QList<Event> events = f.session.liveEvents().toList();
        struct Expected {
            quint64 step;
            int task;
            QString name;
            QString label;
        };
        QList<Expected> expected;
        for (const Event& e : events)
            if (e.kind == EventKind::EffectYielded) expected.append({ e.step, e.task, e.text, e.name });
        QVERIFY(expected.size() > 600);

        // the same events in a history that encodes all but the newest 500, and in a trace
        LiveHistory small(1000, 4096, 500);
        SessionState state;
        for (const Event& e : events) {
            state.apply(e);
            small.append(e, state);
        }
        QTemporaryDir dir;
        const QString path = dir.filePath(u"run.doefftrace"_s);
        TraceSource source;
        source.events = f.session.liveEvents();
        QCOMPARE(exportTrace(source, TraceFormat::Native, path), QString());
        auto reader = std::make_unique<TraceReader>();
        QVERIFY(reader->open(path));
        TimelineData timeline;
        for (const Event& e : events)
            timeline.add(e);
        TraceHistory fromFile(std::move(reader), std::move(timeline));

        const Expected& middle = expected[expected.size() / 2];
        auto count = [&](auto pred) { return int(std::count_if(expected.cbegin(), expected.cend(), pred)); };
        for (StateHistory* history : std::initializer_list<StateHistory*> { f.session.history(), &small, &fromFile }) {
            EffectListModel m;
            QAbstractItemModelTester tester(&m, QAbstractItemModelTester::FailureReportingMode::QtTest);
            m.setHistory(history);
            QCOMPARE(m.rowCount(), int(expected.size()));
            QCOMPARE(m.totalCount(), expected.size());
            // every label, read back in blocks from wherever the row falls
            for (int r = 0; r < m.rowCount(); ++r) {
                QCOMPARE(m.index(r, EffectListModel::EffectColumn).data().toString(), expected[r].label);
                QCOMPARE(m.index(r, 0).data(EffectListModel::StepRole).toULongLong(), expected[r].step);
                QCOMPARE(m.index(r, 0).data(EffectListModel::TaskIdRole).toInt(), expected[r].task);
            }
            // reading backwards (a scroll up) gives the same
            for (int r = m.rowCount() - 1; r >= 0; r -= 37)
                QCOMPARE(m.index(r, EffectListModel::EffectColumn).data().toString(), expected[r].label);
            QCOMPARE(m.rowAtOrBefore(middle.step), count([&](const Expected& x) { return x.step <= middle.step; }) - 1);
            QCOMPARE(m.rowAtOrBefore(0), expected.first().step == 0 ? 0 : -1);

            m.setFilter(middle.name, -1, {});
            QCOMPARE(m.rowCount(), count([&](const Expected& x) { return x.name == middle.name; }));
            m.setFilter({}, middle.task, {});
            QCOMPARE(m.rowCount(), count([&](const Expected& x) { return x.task == middle.task; }));
            const QString text = middle.label.toUpper();
            m.setFilter({}, -1, text);
            QCOMPARE(m.rowCount(),
                     count([&](const Expected& x) { return x.label.contains(text, Qt::CaseInsensitive); }));
            QVERIFY(m.rowCount() >= 1);
            for (int r = 0; r < m.rowCount(); ++r)
                QVERIFY(
                    m.index(r, EffectListModel::EffectColumn).data().toString().contains(text, Qt::CaseInsensitive));
            m.setFilter(u"NoSuchEffect"_s, -1, {});
            QCOMPARE(m.rowCount(), 0);
        }
    }

    void savedResultTasks()
    {
        const ProgramInfo* info = examples::library().find(u"pipeline"_s);
        QVERIFY(info);
        const auto failed = runProgram(*info);
        QVERIFY(failed.is_err());
        const QList<ResultTask> tasks = tasksOfResult(failed, u"pipeline"_s);
        QVERIFY(!tasks.isEmpty());
        QCOMPARE(tasks.first().id, 0);
        QCOMPARE(tasks.first().state, TaskStateCode::Failed);
        QVERIFY2(tasks.first().outcome.startsWith(u"Err("_s), qPrintable(tasks.first().outcome));
        TaskModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<TaskModel::Row> rows;
        for (const ResultTask& t : tasks)
            rows.append({ .id = t.id,
                          .name = t.name,
                          .kind = {},
                          .state = t.state,
                          .waitsOn = {},
                          .steps = 0,
                          .effect = {},
                          .outcome = t.outcome });
        model.setRows(rows, 0);
        QCOMPARE(model.rowCount(), int(tasks.size()));
        QCOMPARE(model.index(0, TaskModel::StateColumn).data().toString(), u"failed"_s);

        const auto ok = runProgram(*examples::library().find(u"count_to_three"_s));
        const QList<ResultTask> okTasks = tasksOfResult(ok, u"count_to_three"_s);
        QCOMPARE(okTasks.size(), 1);
        QCOMPARE(okTasks.first().state, TaskStateCode::Done);
        QCOMPARE(okTasks.first().outcome, u"Ok(3)"_s);
    }

    // A failed run's trace shows the failing point the live result shows: the same failing
    // task, the same K (no raise site repeated over the frame it is in), and the source stack
    // ending on the same line (the line at the raise, not at the step before it).
    void aTracesFailingPointIsTheLiveResults_data()
    {
        QTest::addColumn<QString>("program");
        QTest::newRow("deadlock: main's own error, not the last task told") << u"deadlock"_s;
        QTest::newRow("pipeline: passed on from the parser") << u"pipeline"_s;
    }
    void aTracesFailingPointIsTheLiveResults()
    {
        QFETCH(QString, program);
        Fixture f;
        QVERIFY(runToEnd(f, program));
        const RuntimeResultBase& live = f.session.result();
        QVERIFY(live.is_err());
        QTemporaryDir dir;
        const QString path = dir.filePath(u"failed.doefftrace"_s);
        TraceSource source;
        source.events = f.session.liveEvents();
        QCOMPARE(exportTrace(source, TraceFormat::Native, path), QString());
        const auto loaded = loadTrace(path);
        QVERIFY2(loaded->error.isEmpty(), qPrintable(loaded->error));
        QVERIFY(loaded->result && loaded->result->is_err());
        const RuntimeResultBase& traced = *loaded->result;
        QCOMPARE(traced.error_context().task, live.error_context().task);
        QStringList liveK, tracedK;
        for (const FrameInfo& fi : live.k_stack().frames)
            liveK << fi.kind + u' ' + fi.description;
        for (const FrameInfo& fi : traced.k_stack().frames)
            tracedK << fi.kind + u' ' + fi.description;
        QCOMPARE(tracedK, liveK);
        QVERIFY(!traced.source_stack().entries.isEmpty());
        const auto& last = traced.source_stack().entries.last();
        QCOMPARE(last.file, live.source_stack().entries.last().file);
        QCOMPARE(last.line, live.source_stack().entries.last().line);
    }

    // Not a trace, truncated, wrong version: an error naming the file, never a crash.
    void badTracesAreErrors()
    {
        Fixture f;
        QVERIFY(runToEnd(f, u"count_to_three"_s));
        QTemporaryDir dir;
        const QString good = dir.filePath(u"good.doefftrace"_s);
        TraceSource source;
        source.events = f.session.liveEvents();
        QCOMPARE(exportTrace(source, TraceFormat::Native, good), QString());
        const QByteArray bytes = readBytes(good);
        QVERIFY(bytes.size() > 100);

        const auto loaded = loadTrace(good);
        QVERIFY2(loaded->error.isEmpty(), qPrintable(loaded->error));
        QVERIFY(loaded->reader && loaded->finalState);
        QVERIFY(loaded->result.has_value());
        QCOMPARE(resultSummaryText(*loaded->result), u"Ok(3)"_s);
        QCOMPARE(formatSessionState(*loaded->finalState), formatSessionState(f.session.state()));

        QByteArray wrongVersion = bytes;
        wrongVersion[8] = char(99);
        const QList<std::pair<QString, QByteArray>> bad {
            { u"notatrace.doefftrace"_s, QByteArray("this is not a trace at all, just text\n").repeated(4) },
            { u"truncated.doefftrace"_s, bytes.left(bytes.size() - 30) },
            { u"version.doefftrace"_s, wrongVersion },
            { u"empty.doefftrace"_s, QByteArray() },
        };
        for (const auto& [name, content] : bad) {
            const QString path = dir.filePath(name);
            QVERIFY(writeBytes(path, content));
            const auto result = loadTrace(path);
            QVERIFY2(!result->error.isEmpty(), qPrintable(name));
            QVERIFY2(result->error.contains(name), qPrintable(result->error));
            QVERIFY(!result->reader);
        }
        QVERIFY(!loadTrace(dir.filePath(u"missing.doefftrace"_s))->error.isEmpty());
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
    // Issue 20: a logpoint logs its message, filled in from the run as it is there (before the
    // effect runs: a Put's old value), into the Log pane's list, and the run goes on without
    // ever showing a pause; travelling back hides the messages of later steps.
    void logpointsLogAndTheRunGoesOn()
    {
        Fixture f;
        const ProgramInfo* info = examples::library().find(u"count_to_three"_s);
        QVERIFY(info);
        f.run.start(*info, LiveRun::ClockChoice::Simulated, true);
        QVERIFY(f.waitPaused());
        Breakpoint b;
        b.kind = Breakpoint::Kind::Effect;
        b.pattern = u"Put"_s;
        b.logMessage = u"counter was {store.counter} in task {task}"_s;
        const int id = f.run.addBreakpoint(b);
        int pauses = 0;
        QObject::connect(&f.session, &StudioSession::statusChanged, &f.session, [&] {
            if (f.session.isPaused()) ++pauses;
        });
        f.step(DebugAgent::Command::Continue);
        QVERIFY(f.waitResult());
        QCOMPARE(pauses, 0);
        const QList<LogpointMessage> logged = f.session.logpointMessages();
        QCOMPARE(logged.size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(logged[i].text, u"counter was %1 in task 0"_s.arg(i));
            QCOMPARE(logged[i].breakpoint, id);
            QCOMPARE(logged[i].task, 0);
        }
        QCOMPARE(f.run.breakpoints().first().hits, 3);
        f.session.refreshNow();
        QCOMPARE(f.log.rowCount(), 3); // count_to_three tells nothing
        const QModelIndex first = f.log.index(0, LogModel::MessageColumn);
        QCOMPARE(first.data().toString(), u"counter was 0 in task 0"_s);
        QCOMPARE(first.data(LogModel::LogpointRole).toInt(), id);
        QCOMPARE(first.data(Qt::DecorationRole).userType(), QMetaType::QIcon);
        QCOMPARE(f.log.index(0, LogModel::StepColumn).data().toString(), QString::number(logged[0].step));
        // back before the second one
        QVERIFY(f.session.goToStep(logged[1].step - 1));
        QCOMPARE(f.log.rowCount(), 1);
        f.session.goToPresent();
        QCOMPARE(f.log.rowCount(), 3);
    }
    // A Step Over that meets a logpoint inside the sub-program it steps over stays that step
    // over: it logs and still stops at the next effect of the line's program, not in the
    // sub-program; a step that stops exactly at a logpoint's event shows the step and logs
    // nothing.
    void aStepOverAcrossALogpointStaysThatStep()
    {
        Fixture f;
        ProgramInfo info;
        info.name = u"around"_s;
        info.make = [] { return AnyProgram(aroundTwoPuts()); };
        f.run.start(info, LiveRun::ClockChoice::Simulated, true);
        QVERIFY(f.waitPaused());
        Breakpoint b;
        b.kind = Breakpoint::Kind::Effect;
        b.pattern = u"Put"_s;
        b.logMessage = u"x={store.x}"_s;
        QVERIFY(f.run.addBreakpoint(b) > 0);
        f.step(DebugAgent::Command::StepEffect); // at Tell('before')
        QVERIFY(f.waitPaused());
        QCOMPARE(f.session.lastPause()->event.name, u"Tell('before')"_s);
        f.step(DebugAgent::Command::StepOver);
        QVERIFY(f.waitPaused());
        QCOMPARE(f.session.lastPause()->event.name, u"Tell('after')"_s);
        QCOMPARE(f.session.logpointMessages().size(), 2);
        QCOMPARE(f.session.logpointMessages().at(0).text, u"x=<no store key 'x' in task 0>"_s);
        QCOMPARE(f.session.logpointMessages().at(1).text, u"x=1"_s);
        // again, stepping effect by effect: each Put is the step's own stop, and logs nothing
        f.run.restart();
        QVERIFY(f.waitPaused());
        QVERIFY(f.session.logpointMessages().isEmpty());
        for (const char* name : { "Tell('before')", "Put('x', 1)", "Put('x', 2)" }) {
            f.step(DebugAgent::Command::StepEffect);
            QVERIFY(f.waitPaused());
            QVERIFY2(f.session.lastPause()->event.name.startsWith(QString::fromLatin1(name).left(6)),
                     qPrintable(f.session.lastPause()->event.name));
        }
        QVERIFY(f.session.logpointMessages().isEmpty());
    }

    // The job the Problems, Search, Provenance and Compare panes run on a worker thread: only the
    // newest job's result arrives, a replaced or cancelled job is told to stop and its result is
    // dropped, progress shows on the bar, and going away waits for the worker.
    void backgroundJobKeepsOnlyTheNewestResult()
    {
        QProgressBar bar;
        QToolButton cancel;
        auto job = std::make_unique<BackgroundJob>(&bar, &cancel);
        QVERIFY(bar.isHidden() && cancel.isHidden());

        // a job that reports progress, then waits until it is told to stop
        QSemaphore started;
        std::atomic_bool sawCancel = false;
        std::atomic_bool wanted = false;
        QList<int> results;
        const auto stubborn = [&](int value) {
            return [&, value](const JobControl& control) {
                wanted = control.progress(1, 4); // a quarter
                started.release();
                while (control.progress(1, 4))
                    QThread::yieldCurrentThread();
                sawCancel = control.cancelled();
                return value;
            };
        };
        const auto keep = [&](int value) { results.append(value); };
        job->start(stubborn(1), keep);
        QVERIFY(job->isRunning());
        QVERIFY(!bar.isHidden() && !cancel.isHidden());
        started.acquire();
        QVERIFY(wanted);
        QTRY_COMPARE(bar.value(), 250);

        // a second job replaces the first: the first is cancelled and its result never arrives
        job->start([](const JobControl& control) { return control.progress(1, 1) ? 2 : -2; }, keep);
        QVERIFY(sawCancel);
        QTRY_VERIFY(!job->isRunning());
        QCOMPARE(results, QList<int>({ 2 }));
        QVERIFY(bar.isHidden() && cancel.isHidden());

        // Cancel stops the job, says so, and drops its result
        QSignalSpy cancelled(job.get(), &BackgroundJob::cancelledByUser);
        sawCancel = false;
        job->start(stubborn(3), keep);
        started.acquire();
        cancel.click();
        QCOMPARE(cancelled.count(), 1);
        QVERIFY(sawCancel && !job->isRunning() && bar.isHidden());
        QCoreApplication::processEvents(); // what the worker queued before it stopped
        QCOMPARE(results, QList<int>({ 2 }));

        // going away cancels the running job and waits for it
        sawCancel = false;
        job->start(stubborn(4), keep);
        started.acquire();
        job.reset();
        QVERIFY(sawCancel);
        QCoreApplication::processEvents();
        QCOMPARE(results, QList<int>({ 2 }));
    }

    // Issue 21: the Problems pane lints a live run as its events arrive, an opened trace on a
    // worker thread, and a click travels to the problem's step and task.
    void problemsPaneLiveAndOnATrace()
    {
        Fixture f;
        ProblemsPane pane(&f.session);
        QAbstractItemModelTester tester(pane.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy changed(&pane, &ProblemsPane::problemsChanged);
        QVERIFY(runToEnd(f, u"deadlock"_s));
        f.session.refreshNow();
        QTRY_VERIFY(pane.model()->count(Severity::Error) == 1);
        QVERIFY(changed.count() > 0);
        const QList<Problem> live = pane.model()->problems();
        const auto deadlock
            = std::find_if(live.begin(), live.end(), [](const Problem& p) { return p.kind == ProblemKind::Deadlock; });
        QVERIFY(deadlock != live.end());
        QVERIFY(deadlock->message.startsWith(u"deadlock: 3 tasks blocked"_s));
        QCOMPARE(pane.model()->index(0, ProblemModel::SeverityColumn).data(Qt::DecorationRole).userType(),
                 QMetaType::QIcon);
        QCOMPARE(pane.summary(), u"1 error, 2 warnings, 0 notes"_s);

        // the same run as a trace: linted off the GUI thread, the same problems
        QTemporaryDir dir;
        const QString path = dir.filePath(u"deadlock.doefftrace"_s);
        TraceSource source;
        source.events = f.session.liveEvents();
        QCOMPARE(exportTrace(source, TraceFormat::Native, path), QString());
        auto loaded = loadTrace(path);
        QVERIFY2(loaded->error.isEmpty(), qPrintable(loaded->error));
        f.session.openTrace(*loaded);
        QTRY_VERIFY(!pane.isComputing() && pane.model()->rowCount() == live.size());
        for (qsizetype i = 0; i < live.size(); ++i)
            QCOMPARE(formatProblem(pane.model()->problems().at(i)), formatProblem(live.at(i)));

        // a click selects the task and travels to the step
        const int row = int(std::find_if(pane.model()->problems().begin(), pane.model()->problems().end(),
                                         [](const Problem& p) { return p.kind == ProblemKind::Deadlock; })
                            - pane.model()->problems().begin());
        const Problem p = pane.model()->problems().at(row);
        QVERIFY(p.step < f.session.presentStep());
        pane.resize(800, 300);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        const QRect cell = pane.view()->visualRect(pane.model()->index(row, ProblemModel::MessageColumn));
        QTest::mouseClick(pane.view()->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(f.session.viewStep(), p.step);
        QCOMPARE(f.session.selectedTask(), p.task);
    }
    // Issue 22: the Compare pane lists the differences of the open run (live, then as a trace)
    // and a recorded run of other inputs, the first divergence selected; a click travels there.
    void runDiffPaneComparesWithATrace()
    {
        QTemporaryDir dir;
        const QString bob = dir.filePath(u"bob.doefftrace"_s);
        {
            Fixture other;
            QVERIFY(runToEnd(other, u"greet"_s, Env { { u"name"_s, u"Bob"_s } }));
            TraceSource source;
            source.events = other.session.liveEvents();
            QCOMPARE(exportTrace(source, TraceFormat::Native, bob), QString());
        }
        Fixture f;
        RunDiffPane pane(&f.session);
        QAbstractItemModelTester tester(pane.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(!pane.canCompare());
        QVERIFY(!pane.compareWith(bob));
        QVERIFY(!pane.isComputing());
        QVERIFY2(pane.summary().startsWith(u"Nothing to compare"_s), qPrintable(pane.summary()));
        QVERIFY(runToEnd(f, u"greet"_s));
        QVERIFY(pane.canCompare());

        // the live run against Bob's trace
        QSignalSpy compared(&pane, &RunDiffPane::compared);
        QVERIFY(pane.compareWith(bob)); // on a worker thread
        QVERIFY(compared.wait(10000));
        QVERIFY(!pane.isComputing());
        QCOMPARE(pane.model()->firstRow(), 0);
        QCOMPARE(pane.view()->currentIndex().row(), 0);
        const RunDiffModel::Row first = pane.model()->rows().at(0);
        QCOMPARE(first.what, u"first divergence: RunStarted"_s);
        QCOMPARE(first.differs, u"env"_s);
        QVERIFY2(first.b.contains(u"env={\"name\":\"Bob\"}"_s), qPrintable(first.b));
        QVERIFY2(pane.summary().contains(u"First divergence at step 0 here, step 0 there"_s),
                 qPrintable(pane.summary()));
        QStringList whats;
        for (const RunDiffModel::Row& r : pane.model()->rows())
            whats << r.what;
        QVERIFY2(whats.contains(u"outcome"_s) && whats.contains(u"env name"_s) && whats.contains(u"Ask (1 of 1)"_s),
                 qPrintable(whats.join(u", "_s)));
        const int ask = int(whats.indexOf(u"Ask (1 of 1)"_s));
        const RunDiffModel::Row askRow = pane.model()->rows().at(ask);
        QVERIFY(askRow.step > 0 && askRow.step < f.session.presentStep());
        QCOMPARE(pane.model()->index(ask, RunDiffModel::DiffersColumn).data().toString(), u"result"_s);

        // a click travels the open run to that step
        pane.resize(900, 300);
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        const QRect cell = pane.view()->visualRect(pane.model()->index(ask, RunDiffModel::WhatColumn));
        QTest::mouseClick(pane.view()->viewport(), Qt::LeftButton, {}, cell.center());
        QCOMPARE(f.session.viewStep(), askRow.step);
        QCOMPARE(f.session.selectedTask(), askRow.task);
        QVERIFY2(pane.details().startsWith(u"Ask (1 of 1): result differs\n"_s), qPrintable(pane.details()));

        // the same run recorded: equal
        const QString world = dir.filePath(u"world.doefftrace"_s);
        TraceSource source;
        source.events = f.session.liveEvents();
        QCOMPARE(exportTrace(source, TraceFormat::Native, world), QString());
        QVERIFY(pane.compareWith(world));
        QVERIFY(compared.wait(10000));
        QCOMPARE(pane.model()->rowCount(), 0);
        QVERIFY2(pane.summary().contains(u"are equal"_s), qPrintable(pane.summary()));

        // a file that is not a trace is named
        const QString junk = dir.filePath(u"junk.doefftrace"_s);
        QVERIFY(testcommon::writeBytes(junk, "junk"));
        QVERIFY(!pane.compareWith(junk));
        QVERIFY2(pane.summary().contains(junk + u": not a doeff trace"_s), qPrintable(pane.summary()));

        // an opened trace against Bob's: the same differences; a new document clears them
        QVERIFY(pane.compareWith(bob));
        QVERIFY(compared.wait(10000));
        const int rows = pane.model()->rowCount();
        auto loaded = loadTrace(world);
        QVERIFY2(loaded->error.isEmpty(), qPrintable(loaded->error));
        f.session.openTrace(*loaded);
        QCOMPARE(pane.model()->rowCount(), 0);
        QVERIFY(pane.compareWith(bob));
        // a comparison started again at once replaces the running one
        QVERIFY(pane.compareWith(bob));
        QVERIFY(compared.wait(10000));
        QVERIFY(!pane.isComputing());
        QCOMPARE(pane.model()->rowCount(), rows);
        QCOMPARE(pane.model()->rows().at(0).what, u"first divergence: RunStarted"_s);
    }
    // Issue 21: the Wait-for Graph pane at the step where the deadlock example's tasks all wait:
    // a node per waiting task and promise, laid out without overlaps; clicking a task selects it.
    void waitForPaneLaysOutTheGraph()
    {
        Fixture f;
        WaitForPane pane(&f.session);
        pane.resize(900, 400);
        QVERIFY(runToEnd(f, u"deadlock"_s));
        // the step that blocks the last task also fails them all (DeadlockError): the step
        // before it shows main and alice waiting, bob about to
        const auto raised = f.session.history()->lastHitBefore(f.session.presentStep() + 1, [](const Event& e) {
            return e.kind == EventKind::TaskStateChanged && TaskStateCode(e.code) == TaskStateCode::Blocked;
        });
        QVERIFY(raised);
        QVERIFY(f.session.goToStep(*raised - 1));
        QTRY_VERIFY(!pane.model()->isScanning());
        const WaitForGraph& g = pane.model()->graph();
        QCOMPARE(g.step, *raised - 1);
        QCOMPARE(g.task(1)->waitsOn, u"Wait(promise 2)"_s);
        const QStringList keys { u"task:0"_s, u"task:1"_s, u"task:2"_s, u"promise:2"_s };
        for (const QString& key : keys)
            QVERIFY2(!pane.nodeRect(key).isEmpty(), qPrintable(key));
        for (qsizetype i = 0; i < keys.size(); ++i)
            for (qsizetype j = i + 1; j < keys.size(); ++j)
                QVERIFY2(!pane.nodeRect(keys[i]).intersects(pane.nodeRect(keys[j])),
                         qPrintable(keys[i] + u" overlaps "_s + keys[j]));
        // bob still runs and could complete promise 2: no task is stuck, no ring yet
        QVERIFY(!g.task(1)->stuck);
        QVERIFY(pane.cycleNodes().isEmpty());
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        const QPoint at = pane.view()->mapFromScene(pane.nodeRect(u"task:1"_s).center());
        QTest::mouseClick(pane.view()->viewport(), Qt::LeftButton, {}, at);
        QCOMPARE(f.session.selectedTask(), 1);
    }
    // After the deadlock its tasks have failed and wait on nothing: at the end of the run the
    // pane shows the ring as it was when the deadlock was found, and says that it does.
    void waitForPaneShowsTheDeadlockAfterTheRunEnded()
    {
        Fixture f;
        WaitForPane pane(&f.session);
        pane.resize(900, 400);
        QVERIFY(runToEnd(f, u"deadlock"_s));
        QTRY_VERIFY(pane.model()->deadlockMoment().has_value());
        const quint64 moment = *pane.model()->deadlockMoment();
        QVERIFY(moment < f.session.viewStep());
        const WaitForGraph& g = pane.model()->graph();
        QCOMPARE(g.step, moment);
        QCOMPARE(g.cycles.front().tasks, (QList<int> { 1, 2 }));
        QVERIFY(!pane.cycleNodes().isEmpty());
        QVERIFY2(pane.caption().startsWith(
                     u"Deadlocked at step %1; shown as it was then (viewing step %2)."_s.arg(moment).arg(
                         f.session.viewStep())),
                 qPrintable(pane.caption()));
        // before the moment, the viewed step's own graph, without the note
        QVERIFY(f.session.goToStep(moment - 1));
        QTRY_VERIFY(!pane.model()->deadlockMoment());
        QCOMPARE(pane.model()->graph().step, moment - 1);
        QVERIFY(pane.model()->graph().cycles.isEmpty());
        QVERIFY(pane.caption().startsWith(u"Step %1:"_s.arg(moment - 1)));
    }
    // Issue 21: paused at the deadlock (a Deadlock breakpoint), every task of the deadlock
    // example waits: the ring through the promises main handed to alice and bob is red.
    void waitForPaneDrawsTheRingThroughPromises()
    {
        Fixture f;
        WaitForPane pane(&f.session);
        pane.resize(900, 400);
        const ProgramInfo* info = examples::library().find(u"deadlock"_s);
        QVERIFY(info);
        f.run.start(*info, LiveRun::ClockChoice::Simulated);
        QVERIFY(f.waitPaused());
        Breakpoint deadlock;
        deadlock.kind = Breakpoint::Kind::Deadlock;
        QVERIFY(f.run.addBreakpoint(deadlock) > 0);
        f.step(DebugAgent::Command::Continue);
        QVERIFY(f.waitPaused());
        QVERIFY(f.session.lastPause()->reason.startsWith(u"breakpoint"_s));
        QTRY_VERIFY(!pane.model()->graph().cycles.isEmpty());
        const WaitForGraph& g = pane.model()->graph();
        QCOMPARE(g.cycles.front().tasks, (QList<int> { 1, 2 }));
        QCOMPARE(g.cycles.front().promises, (QList<int> { 2, 1 }));
        const QStringList ring { u"promise:1"_s, u"promise:2"_s, u"task:0"_s, u"task:1"_s, u"task:2"_s };
        QStringList red = pane.cycleNodes();
        red.sort();
        QCOMPARE(red, ring);
    }
};

QTEST_MAIN(TestViews)
#include "tst_views.moc"
