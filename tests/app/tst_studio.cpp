// The main window under the offscreen platform: the default example opens paused, the step
// commands drive the panes, Continue shows the result, bad files give a message and leave the
// window usable, Stop aborts a run, and breakpoints added in the pane pause it. Examples and
// libraries run out of process (doeff-run) by default: the same panes as in-process runs, and a
// debuggee that crashes, loops or cannot start leaves the window usable.

#include "files.h"
#include "modeldump.h"
#include "sessionwait.h"

#include <mainwindow.h>
#include <startup.h>

#include <doeff_examples.h>

#include <breakpointdialog.h>
#include <breakpointspane.h>
#include <effectlistmodel.h>
#include <effectspane.h>
#include <effecttreepane.h>
#include <exceptionbar.h>
#include <history.h>
#include <liverun.h>
#include <logpane.h>
#include <provenancepane.h>
#include <remoterun.h>
#include <resultpane.h>
#include <rundiffpane.h>
#include <searchpane.h>
#include <sourcepane.h>
#include <stackmodel.h>
#include <stackpane.h>
#include <studiosession.h>
#include <taskgroupmodel.h>
#include <taskmodel.h>
#include <taskspane.h>
#include <timelinepane.h>
#include <traceio.h>
#include <variantpane.h>
#include <watchpane.h>
#include <welcomepage.h>

#include <doeff/doeff.h>
#include <doeff/inspectorclient.h>
#include <doeff/trace.h>

#include <sys/stat.h>

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QCborMap>
#include <QCborValue>
#include <QCheckBox>
#include <QComboBox>
#include <QCompleter>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDockWidget>
#include <QHeaderView>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QScopeGuard>
#include <QScreen>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QStringListModel>
#include <QTabBar>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextDocument>
#include <QTimer>
#include <QToolButton>
#include <QToolTip>
#include <QTreeView>
#include <QUrl>

#include <signal.h>

using namespace doeff;
using namespace doeff::views;
using namespace Qt::StringLiterals;
using namespace testcommon;

namespace {

constexpr int Timeout = SessionTimeoutMs;

Program<void> forever()
{
    for (int i = 0;; ++i)
        co_await Put("i", i);
}

/// Puts k=1 then k=2 in a Local scope, then fails: its failing point has k=2 and phase=parse.
Program<void> putsThenFails()
{
    co_await Put("k", 1);
    co_await Put("k", 2);
    throw std::runtime_error("boom at k=2");
}

Program<void> failingTaskBody()
{
    Env scope;
    scope.insert(u"phase"_s, u"parse"_s);
    co_await Local(scope, putsThenFails());
}

/// A task that fails after two Puts; main waits for it, then the run fails with it. Before the
/// task ran, main put k=0.
Program<void> mainWithFailingTask()
{
    co_await Put("k", 0);
    Task<void> t = co_await Spawn(failingTaskBody(), SpawnOptions { .name = u"putter"_s });
    co_await Wait(t);
}

Program<void> countsInScope()
{
    co_await Put("counter", 2);
}

/// Rewrites `counter`, adds `label` and a nested `config`, and runs a step under a Local env.
Program<void> rewritesKeys()
{
    const QVariant config = QVariantMap { { u"inner"_s, QVariantMap { { u"needle"_s, 7 } } } };
    co_await Put("counter", 1);
    co_await Put("label", u"first"_s);
    co_await Put("config", config);
    Env scope;
    scope.insert(u"mode"_s, u"fast"_s);
    co_await Local(scope, countsInScope());
}

/// The step of the first event of `kind` (with `name`, when given) a live run recorded.
quint64 stepOf(const studio::MainWindow& w, EventKind kind, const QString& name = {})
{
    for (const Event& e : w.session()->liveEvents().toList())
        if (e.kind == kind && (name.isEmpty() || e.name == name)) return e.step;
    return 0;
}

/// The step of the first effect a trace file records as yielded with `text` (Get, Divide…), or 0.
quint64 firstYieldIn(const QString& path, const QString& text)
{
    quint64 step = 0;
    TraceReader reader;
    if (!reader.open(path)) return 0;
    reader.forEachEvent(0, reader.eventCount(), [&](const Event& e) {
        if (e.kind == EventKind::EffectYielded && e.text == text) step = e.step;
        return step == 0;
    });
    return step;
}

/// The Value column of a pane's row `key` (model rows, unfiltered).
QString changeOf(views::VariantPane* pane, const QString& key)
{
    const QAbstractItemModel& m = *pane->model();
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.index(r, 0).data().toString() == key)
            return m.index(r, views::VariantTreeModel::ValueColumn).data().toString();
    return u"<no row>"_s;
}

/// The (key, value) rows of a Store or Environment pane.
QMap<QString, QString> paneValues(const QAbstractItemModel& m)
{
    QMap<QString, QString> out;
    for (int r = 0; r < m.rowCount(); ++r)
        out.insert(m.index(r, 0).data().toString(), m.index(r, 1).data().toString());
    return out;
}

QAction* action(studio::MainWindow& w, const char* name)
{
    return w.findChild<QAction*>(QString::fromLatin1(name));
}

/// Triggers `name` and waits for the next pause.
/// Runs doeff-run with `arguments` to its end (to record a trace or save a result): its exit
/// status, or -1 when it did not finish normally.
int doeffRunExit(const QStringList& arguments)
{
    QProcess run;
    run.start(QStringLiteral(DOEFF_RUN_PATH), arguments);
    return run.waitForFinished(Timeout) && run.exitStatus() == QProcess::NormalExit ? run.exitCode() : -1;
}

/// doeffRunExit(arguments) == 0.
bool doeffRunSucceeds(const QStringList& arguments)
{
    return doeffRunExit(arguments) == 0;
}

bool trigger(studio::MainWindow& w, const char* name)
{
    QAction* a = action(w, name);
    if (!a || !a->isEnabled()) return false;
    a->trigger();
    return waitPaused(w.session()) || w.session()->hasResult();
}

/// The rows of the panes a step changes, for comparing in- and out-of-process runs.
QStringList dumpStepPanes(studio::MainWindow& w)
{
    QStringList out;
    out << u"tasks:"_s << dumpModel(*w.tasksPane()->model());
    out << u"stack:"_s << dumpModel(*w.stackPane()->model());
    out << u"store:"_s << dumpModel(*w.storePane()->model());
    return out;
}

/// What the panes show, for comparing a live session with a trace of it.
QStringList dumpPanes(studio::MainWindow& w)
{
    QStringList out = dumpStepPanes(w);
    out << u"env:"_s << dumpModel(*w.envPane()->model());
    out << u"tree:"_s << dumpModel(*w.effectTreePane()->model());
    out << u"log:"_s << dumpModel(*w.logPane()->model());
    out << u"timeline:"_s << dumpModel(*w.timelinePane()->model());
    return out;
}

bool hasStoreKey(studio::MainWindow& w, const QString& key)
{
    const QAbstractItemModel& m = *w.storePane()->model();
    for (int r = 0; r < m.rowCount(); ++r)
        if (m.index(r, 0).data().toString() == key) return true;
    return false;
}

/// Opens `path` and waits until it is open (true) or refused (false).
bool openTraceAndWait(studio::MainWindow& w, const QString& path)
{
    QSignalSpy opened(&w, &studio::MainWindow::traceOpened);
    QSignalSpy failed(&w, &studio::MainWindow::fileFailed);
    if (!w.openFile(path)) return false;
    waitUntil(
        &w, &studio::MainWindow::traceOpened, [&] { return !opened.isEmpty() || !failed.isEmpty(); }, Timeout);
    return !opened.isEmpty();
}

bool exportAndWait(studio::MainWindow& w, views::TraceFormat format, const QString& path)
{
    QSignalSpy done(&w, &studio::MainWindow::exportFinished);
    if (!w.exportTrace(format, path)) return false;
    if (!done.wait(Timeout)) return false;
    return done.first().at(1).toString().isEmpty();
}

/// Runs `example` in the window to its end.
bool runToEnd(studio::MainWindow& w, const QString& example)
{
    if (!w.openExample(example) || !waitPaused(w.session())) return false;
    return trigger(w, "continue") && waitResult(w.session());
}

} // namespace

class TestStudio : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // saved breakpoints (issue 20) must not carry from one test to the next
    void init() { QSettings().remove(u"breakpoints"_s); }
    void cleanupTestCase() { QSettings().remove(u"breakpoints"_s); }

    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"doeff-tests"_s);
        QCoreApplication::setApplicationName(u"tst_studio"_s);
        // replacing a live run asks; these tests agree unless they say otherwise
        studio::MainWindow::setDefaultConfirmReplace([](const QString&, const QString&) { return true; });
    }

    // Issue 19 #3: opening a document or restarting while a run is paused asks first, and
    // Cancel leaves the run as it was.
    void replacingALiveRunAsksFirst()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(u"counter.doefftrace"_s);
        QVERIFY(doeffRunSucceeds({ u"counter"_s, u"--trace"_s, trace }));

        studio::MainWindow w;
        QList<std::pair<QString, QString>> asked;
        bool agree = false;
        w.setConfirmReplace([&asked, &agree](const QString& program, const QString& what) {
            asked.append({ program, what });
            return agree;
        });
        QVERIFY(w.openExample(u"counter"_s)); // nothing live yet: no question
        QVERIFY(asked.isEmpty());
        QVERIFY(waitPaused(w.session()));
        QVERIFY(trigger(w, "stepInto"));
        const QString step = w.stepText();

        QVERIFY(!openTraceAndWait(w, trace));
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked.last().first, u"counter"_s);
        QVERIFY2(asked.last().second.contains(u"counter.doefftrace"_s), qPrintable(asked.last().second));
        QVERIFY(!w.openExample(u"deadlock"_s));
        QCOMPARE(asked.size(), 2);
        action(w, "restart")->trigger();
        QCOMPARE(asked.size(), 3);
        QVERIFY(!w.debugExecutable(QStringLiteral(DOEFF_RUN_PATH), { u"counter"_s }));
        QCOMPARE(asked.size(), 4);
        // still the same paused run, at the same step
        QCOMPARE(w.session()->status(), RunStatus::Paused);
        QCOMPARE(w.session()->programName(), u"counter"_s);
        QCOMPARE(w.stepText(), step);
        QVERIFY(trigger(w, "stepInto"));

        agree = true;
        QVERIFY(openTraceAndWait(w, trace));
        QCOMPARE(asked.size(), 5);
        QCOMPARE(w.session()->status(), RunStatus::Trace);
        // a trace is not live: opening another document does not ask
        QVERIFY(w.openExample(u"counter"_s));
        QCOMPARE(asked.size(), 5);
        QVERIFY(waitPaused(w.session()));
    }

    // Issue 19 #3: a trace's Restart says what it does and runs the trace's program anew; so
    // does a result's, now that it records its program; a result that does not name a program
    // known here cannot be run again.
    void traceRestartRunsItsProgramAgain()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(u"counter.doefftrace"_s);
        QVERIFY(doeffRunSucceeds({ u"counter"_s, u"--trace"_s, trace }));

        studio::MainWindow w;
        QVERIFY(openTraceAndWait(w, trace));
        QAction* restart = action(w, "restart");
        QCOMPARE(restart->text(), u"Run This Program Again"_s);
        QVERIFY2(restart->isEnabled(), qPrintable(w.session()->programName()));
        restart->trigger();
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.session()->programName(), u"counter"_s);
        QCOMPARE(w.session()->lastPause()->reason, u"start"_s);
        QCOMPARE(restart->text(), u"Restart"_s);

        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        const QString result = dir.filePath(u"saved.doeffresult"_s);
        QVERIFY(w.saveResult(result));
        studio::MainWindow fresh;
        QVERIFY(fresh.openResult(result));
        QCOMPARE(action(fresh, "restart")->text(), u"Run This Program Again"_s);
        QVERIFY(action(fresh, "restart")->isEnabled());
        action(fresh, "restart")->trigger();
        QVERIFY(waitPaused(fresh.session()));
        QCOMPARE(fresh.session()->programName(), u"counter"_s);

        // written before results named their program: named after the file, not runnable
        QCborMap doc = QCborValue::fromCbor(readBytes(result)).toMap();
        doc.remove(u"program"_s);
        const QString old = dir.filePath(u"old.doeffresult"_s);
        QVERIFY(writeBytes(old, doc.toCborValue().toCbor()));
        studio::MainWindow older;
        QVERIFY(older.openResult(old));
        QCOMPARE(older.session()->programName(), u"old.doeffresult"_s);
        QVERIFY(!action(older, "restart")->isEnabled()); // its program is not known here
    }

    // Issue 19 #4: the window fits the available screen (offscreen: 800×600), the status bar
    // included, on first start and with a saved geometry from a bigger screen.
    void dockTabsShowWholeTitles()
    {
        // nine panes share the bottom-left group: elided to "E…", "W…", none could be told apart
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTabBar* bottom = nullptr;
        QTRY_VERIFY(bottom = [&]() -> QTabBar* {
            for (QTabBar* bar : w.findChildren<QTabBar*>(Qt::FindDirectChildrenOnly))
                for (int i = 0; i < bar->count(); ++i)
                    if (bar->tabText(i) == u"Wait-for Graph"_s) return bar;
            return nullptr;
        }());
        QVERIFY(bottom->count() >= 8);
        QCOMPARE(bottom->elideMode(), Qt::ElideNone);
        QVERIFY(bottom->usesScrollButtons());
        for (int i = 0; i < bottom->count(); ++i)
            QVERIFY2(bottom->tabRect(i).width() >= bottom->fontMetrics().horizontalAdvance(bottom->tabText(i)),
                     qPrintable(bottom->tabText(i)));
        // the window still fits its screen (whole titles scroll, they do not widen the dock)
        QVERIFY(w.screen()->availableGeometry().contains(w.frameGeometry()));
    }

    void windowFitsTheScreen()
    {
        {
            studio::MainWindow w;
            w.show();
            QVERIFY(QTest::qWaitForWindowExposed(&w));
            const QRect available = w.screen()->availableGeometry();
            QVERIFY2(available.contains(w.frameGeometry()),
                     qPrintable(u"%1x%2 on %3x%4"_s.arg(w.frameGeometry().width())
                                    .arg(w.frameGeometry().height())
                                    .arg(available.width())
                                    .arg(available.height())));
            QVERIFY(w.statusBar()->isVisible());
            QVERIFY(w.rect().contains(w.statusBar()->geometry()));
            // the default layout shrinks with the window: Source keeps a third of its height
            // (on this small screen fixed dock sizes squeezed it to a few lines)
            QVERIFY2(w.centralWidget()->height() * 3 >= w.height(),
                     qPrintable(u"source %1 of %2"_s.arg(w.centralWidget()->height()).arg(w.height())));
            // the saved geometry of a window on a bigger screen
            w.resize(2400, 1500);
            QSettings().setValue(u"geometry"_s, w.saveGeometry());
        }
        studio::MainWindow w;
        w.restoreSettings();
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.screen()->availableGeometry().contains(w.frameGeometry()));
        QSettings().remove(u"geometry"_s);
    }

    // Issue 19 #5: a bad file named on the command line keeps the window, with the file and
    // what is wrong with it in the message bar and the welcome page in the middle.
    void badCommandLineFilesKeepTheWindow()
    {
        QTemporaryDir dir;
        const QString random = dir.filePath(u"random.bin"_s);
        QVERIFY(writeBytes(random, QByteArray("\x93\x11\xfe\x00garbage\x7f\x01", 13)));
        const QString randomTrace = dir.filePath(u"random.doefftrace"_s);
        QVERIFY(writeBytes(randomTrace, QByteArray("\x93\x11\xfe\x00garbage\x7f\x01", 13)));
        const QString fifo = dir.filePath(u"pipe.doeffresult"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        const QList<std::pair<QString, QString>> cases {
            { dir.filePath(u"missing.doefftrace"_s), u"no such file"_s },
            { dir.path(), u"is a directory"_s },
            { random, u"not a doeff trace or result"_s },
            { randomTrace, u"random.doefftrace"_s },
            { fifo, u"not a regular file"_s },
        };
        for (const auto& [path, problem] : cases) {
            studio::MainWindow w;
            w.show();
            QVERIFY(w.isWelcomeShown());
            QList<std::pair<bool, QString>> reports;
            studio::openCommandLineFile(w, path, {}, [&reports](bool ok, const QString& message) {
                reports.append({ ok, message });
            });
            QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 1, Timeout);
            QVERIFY(!reports.first().first);
            QVERIFY2(reports.first().second.contains(problem), qPrintable(reports.first().second));
            QVERIFY2(w.messageText().contains(problem), qPrintable(w.messageText()));
            QVERIFY2(w.messageText().contains(QFileInfo(path).fileName()), qPrintable(w.messageText()));
            QVERIFY(w.isVisible());
            QVERIFY(w.isWelcomeShown());
        }
    }

    // Issue 19 #5: the welcome page's next steps work, and a document replaces it.
    void welcomePageOpensAnExample()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(w.isWelcomeShown());
        QCOMPARE(w.stepText(), QString()); // nothing open: no "Step 0"
        auto* example = w.welcomePage()->findChild<QToolButton*>(u"welcomeExample"_s);
        QVERIFY(example && example->menu());
        for (const char* name : { "welcomeOpenTrace", "welcomeOpenLibrary", "welcomeDebugExecutable" })
            QVERIFY(w.welcomePage()->findChild<QPushButton*>(QString::fromLatin1(name)));
        QVERIFY2(QFileInfo(w.welcomePage()->guidePath()).fileName() == u"guide.md"_s,
                 qPrintable(w.welcomePage()->guidePath()));
        QAction* counter = nullptr;
        for (QAction* a : example->menu()->actions())
            if (a->text() == u"counter"_s) counter = a;
        QVERIFY(counter);
        counter->trigger();
        QVERIFY(waitPaused(w.session()));
        QVERIFY(!w.isWelcomeShown());
    }

    // Issue 19 #5: without a display, a bad file still ends doeff-studio with status 1, and
    // says what is wrong; `--program nosuch` lists the examples that exist.
    void badCommandLineWithoutADisplayExits()
    {
        QTemporaryDir dir;
        const QList<std::pair<QStringList, QString>> cases {
            { { dir.path() }, u"is a directory"_s },
            { { u"--program"_s, u"nosuch"_s }, u"word_count"_s },
            { { QStringLiteral(DOEFF_EXAMPLES_LIBRARY), u"--program"_s, u"nosuch"_s }, u"word_count"_s },
        };
        for (const auto& [arguments, expected] : cases) {
            QProcess studio;
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
            env.insert(u"XDG_CONFIG_HOME"_s, dir.filePath(u"config"_s));
            studio.setProcessEnvironment(env);
            studio.start(QStringLiteral(DOEFF_STUDIO_PATH), QStringList { u"--default-layout"_s } + arguments);
            const bool exited = studio.waitForFinished(Timeout);
            if (!exited) studio.kill();
            const QString err = QString::fromLocal8Bit(studio.readAllStandardError());
            QVERIFY2(exited, qPrintable(arguments.join(u' ')));
            QCOMPARE(studio.exitCode(), 1);
            QVERIFY2(err.contains(expected) && err.contains(u"nosuch"_s) == arguments.contains(u"nosuch"_s),
                     qPrintable(err));
        }
    }

    // A run of 10,000 tasks has five-digit ids: the Id column is as wide as the largest, grouped
    // (one indent in) too, so no id is cut short.
    void tasksIdColumnFitsTheLargestId()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        views::TasksPane* pane = w.tasksPane();
        QTreeView* view = pane->view();
        // a new window's column holds three digits, and no more: Name and State need the room
        const int three = view->fontMetrics().horizontalAdvance(u"999"_s) + 8;
        QVERIFY(view->columnWidth(TaskModel::IdColumn) >= three);
        QVERIFY2(view->columnWidth(TaskModel::IdColumn) <= three + 16,
                 qPrintable(QString::number(view->columnWidth(TaskModel::IdColumn))));
        QList<TaskModel::Row> rows;
        for (int id : { 0, 1, 12345 }) {
            TaskModel::Row r;
            r.id = id;
            r.name = u"worker"_s;
            rows.append(r);
        }
        pane->setRows(rows, 0);
        // the text and the cell's margins (an id elided to "12…" had 36 pixels for 38)
        const int needed = view->fontMetrics().horizontalAdvance(u"12345"_s) + 8;
        QVERIFY2(view->columnWidth(TaskModel::IdColumn) > needed,
                 qPrintable(u"%1 <= %2"_s.arg(view->columnWidth(TaskModel::IdColumn)).arg(needed)));
        pane->setGrouped(true);
        QVERIFY2(view->columnWidth(TaskModel::IdColumn) > needed + view->indentation(),
                 qPrintable(u"%1 <= %2"_s.arg(view->columnWidth(TaskModel::IdColumn)).arg(needed)));
    }

    // Issue 20: Tasks sort by any column, filter by text and fold identical tasks into one row;
    // the selected task stays selected (its group expanded) through all of it.
    void tasksSortFilterAndGroup()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(runToEnd(w, u"word_count"_s));
        views::TasksPane* pane = w.tasksPane();
        QAbstractItemModel* shown = pane->viewModel();
        const int tasks = pane->model()->rowCount();
        QVERIFY2(tasks >= 4, "word_count spawns one worker per document");
        QCOMPARE(shown->rowCount(), tasks);

        // the header sorts: Id descending puts the last worker first
        pane->view()->header()->setSortIndicator(TaskModel::IdColumn, Qt::DescendingOrder);
        QCOMPARE(shown->index(0, 0).data(TaskModel::TaskIdRole).toInt(), tasks - 1);
        QCOMPARE(shown->index(tasks - 1, 0).data(TaskModel::TaskIdRole).toInt(), 0);

        // Group identical: the workers are all done, with the same name, so they fold into one
        auto* group = pane->findChild<QCheckBox*>(u"tasksGroup"_s);
        QVERIFY(group);
        group->click();
        QVERIFY(pane->isGrouped());
        QCOMPARE(shown->rowCount(), 2); // main, and the workers
        QModelIndex workers;
        for (int r = 0; r < shown->rowCount(); ++r)
            if (shown->index(r, 0).data(TaskGroupModel::GroupSizeRole).toInt() == tasks - 1)
                workers = shown->index(r, 0);
        QVERIFY(workers.isValid());
        QCOMPARE(shown->rowCount(workers), tasks - 1);
        QCOMPARE(workers.siblingAtColumn(TaskModel::NameColumn).data().toString(),
                 u"%1 ×%2"_s.arg(shown->index(workers.row(), TaskModel::NameColumn, workers).data().toString())
                     .arg(tasks - 1));
        // selecting a worker from elsewhere expands its group and selects it there
        w.session()->setSelectedTask(2);
        QCOMPARE(pane->view()->currentIndex().data(TaskModel::TaskIdRole).toInt(), 2);
        QCOMPARE(pane->view()->currentIndex().parent(), workers);
        QVERIFY(pane->view()->isExpanded(workers));

        // the filter keeps what any column contains (typed, as a user does); hiding the selected
        // task does not select another one
        QLineEdit* filter = pane->filterEdit();
        QTest::keyClicks(filter, u"main"_s);
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(shown->index(0, 0).data(TaskModel::TaskIdRole).toInt(), 0);
        QCOMPARE(w.session()->selectedTask(), 2);
        filter->clear();
        QCOMPARE(shown->rowCount(), 2);
        // and the expansion survives the regrouping a change of any task makes
        QList<TaskModel::Row> rows = pane->model()->rows();
        rows[1].steps += 1; // (stays in its group)
        QSignalSpy regrouped(shown, &QAbstractItemModel::modelReset);
        pane->model()->setRows(rows, pane->model()->current());
        QCOMPARE(regrouped.size(), 1);
        QVERIFY(pane->view()->isExpanded(pane->viewIndexOfTask(2).parent()));

        group->click();
        QVERIFY(!pane->isGrouped());
        QCOMPARE(shown->rowCount(), tasks);
        // flat, a filter that hides the selected task moves the view's current row to a
        // neighbour: that is not the user selecting it
        QCOMPARE(pane->view()->currentIndex().data(TaskModel::TaskIdRole).toInt(), 2);
        QTest::keyClicks(filter, u"main"_s);
        QCOMPARE(shown->rowCount(), 1);
        QCOMPARE(w.session()->selectedTask(), 2);
        filter->clear();
        QTRY_COMPARE(pane->view()->currentIndex().data(TaskModel::TaskIdRole).toInt(), 2);
    }

    // Issue 22: File ▸ Compare With… and the Compare dock: the live run against a trace of the
    // same program with another store, the first divergence selected, a row travels the run.
    void compareDockInTheWindow()
    {
        QTemporaryDir dir;
        const QString other = dir.filePath(u"five.doefftrace"_s);
        QVERIFY(doeffRunSucceeds(
            { u"counter"_s, u"--store"_s, u"counter=5"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, other }));
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QAction* compare = action(w, "compareWith");
        QVERIFY(compare);
        QVERIFY(!compare->isEnabled());
        auto* dock = w.findChild<QDockWidget*>(u"compareDock"_s);
        QVERIFY(dock);
        QVERIFY(dock->isHidden());
        QVERIFY(dock->widget() == w.runDiffPane());
        QVERIFY(runToEnd(w, u"counter"_s));
        QTRY_VERIFY(compare->isEnabled());
        QVERIFY(w.menuBar()->actions().first()->menu()->actions().contains(compare));

        views::RunDiffPane* pane = w.runDiffPane();
        QSignalSpy compared(pane, &views::RunDiffPane::compared);
        QVERIFY(pane->compareWith(other));
        QVERIFY(compared.wait(10000));
        const auto& rows = pane->model()->rows();
        QVERIFY(!rows.isEmpty());
        QCOMPARE(rows.first().what, u"first divergence: RunStarted"_s);
        QCOMPARE(rows.first().differs, u"store"_s);
        QCOMPARE(pane->view()->currentIndex().row(), 0);
        int put = -1;
        for (int i = 0; i < rows.size(); ++i)
            if (rows[i].what.startsWith(u"Put"_s)) put = i;
        QVERIFY(put > 0);
        dock->show();
        dock->raise();
        pane->view()->scrollTo(pane->model()->index(put, 0));
        QTest::mouseClick(pane->view()->viewport(), Qt::LeftButton, {},
                          pane->view()->visualRect(pane->model()->index(put, 0)).center());
        QCOMPARE(w.session()->viewStep(), rows[put].step);
        QVERIFY(w.stepText().contains(QString::number(rows[put].step)));
    }

    // Issue 20: the Effects list: every effect of the run, a click travels to its step (and
    // selects its task), the viewed step selects its row, filters by type, task and text.
    void effectsListTravels()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(runToEnd(w, u"word_count"_s));
        views::EffectsPane* pane = w.effectsPane();
        QVERIFY(pane);
        auto* dock = qobject_cast<QDockWidget*>(pane->parentWidget());
        QVERIFY(dock);
        dock->raise();
        EffectListModel* model = pane->model();
        int effects = 0;
        int tells = 0;
        for (const Event& e : w.session()->liveEvents().toList())
            if (e.kind == EventKind::EffectYielded) {
                ++effects;
                if (e.text == u"Tell"_s) ++tells;
            }
        QTRY_COMPARE(model->rowCount(), effects);

        // a click on a row in the middle travels there
        const int row = effects / 2;
        const QModelIndex index = model->index(row, EffectListModel::EffectColumn);
        pane->view()->scrollTo(index);
        QTest::mouseClick(pane->view()->viewport(), Qt::LeftButton, {}, pane->view()->visualRect(index).center());
        QCOMPARE(w.session()->viewStep(), model->stepOf(row));
        QCOMPARE(w.session()->selectedTask(), model->taskOf(row));
        QVERIFY(!w.session()->isAtPresent());
        // going elsewhere on the Timeline moves the row
        QVERIFY(w.session()->goToStep(model->stepOf(row + 3)));
        QCOMPARE(pane->view()->currentIndex().row(), model->rowAtOrBefore(model->stepOf(row + 3)));

        // filters: a type, the selected task, a text
        QComboBox* type = pane->typeBox();
        type->setCurrentIndex(type->findText(u"Tell"_s));
        QCOMPARE(model->rowCount(), tells);
        type->setCurrentIndex(0);
        QCOMPARE(model->rowCount(), effects);
        QTest::keyClicks(pane->filterEdit(), u"zzz-nothing"_s);
        QTRY_COMPARE(model->rowCount(), 0);
        pane->filterEdit()->clear();
        QTRY_COMPARE(model->rowCount(), effects);
        const int task = model->taskOf(row);
        pane->taskOnlyBox()->click();
        QVERIFY(model->rowCount() < effects);
        for (int r = 0; r < model->rowCount(); ++r)
            QCOMPARE(model->taskOf(r), task);
    }

    // Issue 20: inside a user handler the frame is named after the handler, the program that
    // performed the effect is shown beneath the handling frame, and double-clicking it opens
    // that program where it performed the effect.
    void handlerFramesNameTheirHandlerAndPerformer()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.openExample(u"audit_log"_s));
        QVERIFY(waitPaused(w.session()));
        StackModel* stack = w.stackPane()->model();
        int steps = 0;
        while (!stack->index(0, StackModel::DescriptionColumn).data().toString().startsWith(u"audit_log (handler)"_s)) {
            QVERIFY2(++steps < 30, "never stopped inside the audit_log handler");
            QVERIFY(trigger(w, "stepInto"));
        }
        QCOMPARE(w.session()->currentFunction(), u"audit_log (handler)"_s);
        QVERIFY(w.sourcePane()->file().endsWith(u"handlers.cpp"_s));
        // the handling frame, then the program that performed its effect
        int performer = -1;
        for (int r = 1; r < stack->rowCount(); ++r)
            if (stack->index(r, StackModel::KindColumn).data().toString().contains(u"by"_s)) performer = r;
        QVERIFY(performer > 1);
        QCOMPARE(stack->index(performer - 1, StackModel::DescriptionColumn).data().toString(),
                 u"Tell('job started') → audit_log"_s);
        const QModelIndex by = stack->index(performer, StackModel::DescriptionColumn);
        QVERIFY2(by.data().toString().startsWith(u"custom_log_handler_main() at handlers.cpp:"_s),
                 qPrintable(by.data().toString()));
        // where it performed the effect: the line of its first Tell
        const QString file = by.data(StackModel::FileRole).toString();
        QFile source(file);
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(source.readAll()).split(u'\n');
        const int tellLine = int(lines.indexOf(u"    co_await Tell(\"job started\");"_s)) + 1;
        QVERIFY(tellLine > 0);
        QCOMPARE(by.data(StackModel::LineRole).toInt(), tellLine);
        QTreeView* view = w.stackPane()->findChild<QTreeView*>();
        QVERIFY(view);
        view->scrollTo(by);
        QSignalSpy opened(w.stackPane(), &views::StackPane::sourceRequested);
        QTRY_VERIFY(view->visualRect(by).isValid());
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(by).center());
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(by).center());
        QCOMPARE(opened.size(), 1);
        QCOMPARE(opened.first().at(1).toInt(), tellLine);
        QCOMPARE(w.sourcePane()->line(), tellLine);
    }

    // Journey 2: between a coroutine handler's program and the site it resumes, the handling
    // is on top of K. The source pane said "No source location" there; it shows the line whose
    // effect is being handled, where the program beneath the handling is.
    void aHandlingOnTopShowsTheLineOfTheEffectItHandles()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(w.openExample(u"audit_log"_s));
        QVERIFY(waitPaused(w.session()));
        StackModel* stack = w.stackPane()->model();
        int steps = 0;
        while (stack->index(0, StackModel::KindColumn).data().toString() != u"Handling"_s) {
            QVERIFY2(++steps < 40, "never paused with a handling on top");
            QVERIFY(trigger(w, "stepInto"));
        }
        const QModelIndex by = stack->index(1, StackModel::DescriptionColumn);
        QVERIFY2(by.data().toString().startsWith(u"custom_log_handler_main() at handlers.cpp:"_s),
                 qPrintable(by.data().toString()));
        const int siteLine = by.data(StackModel::LineRole).toInt();
        QVERIFY(siteLine > 0);
        QVERIFY2(w.sourcePane()->file().endsWith(u"handlers.cpp"_s), qPrintable(w.sourcePane()->header()->text()));
        QCOMPARE(w.sourcePane()->line(), siteLine);
        QCOMPARE(w.session()->currentLine(), siteLine);
        QCOMPARE(w.session()->currentFunction(), u"custom_log_handler_main"_s);
    }

    // Issue 20: "Waits on" has its whole text in a tooltip, with each promise named by where it
    // was created.
    void waitsOnNamesPromisesByTheirCreation()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(runToEnd(w, u"deadlock"_s));
        // a step where alice (task 1) waits on bob's promise
        quint64 step = 0;
        for (quint64 s = 1; s < w.session()->presentStep() && step == 0; ++s) {
            QVERIFY(w.session()->goToStep(s));
            const SessionTask* alice = w.session()->state().task(1);
            if (alice && alice->waitsOn.contains(u"promise"_s)) step = s;
        }
        QVERIFY2(step > 0, "alice never waited on a promise");
        TaskModel* tasks = w.tasksPane()->model();
        const QString tip = tasks->index(tasks->rowOf(1), TaskModel::WaitsOnColumn).data(Qt::ToolTipRole).toString();
        // where bob's promise was made: the line of deadlock_main that creates fromBob
        QFile source(QStringLiteral(DOEFF_EXAMPLES_SOURCE_DIR "/concurrency.cpp"));
        QVERIFY(source.open(QIODevice::ReadOnly));
        const QStringList lines = QString::fromUtf8(source.readAll()).split(u'\n');
        int created = 0;
        for (int i = 0; i < lines.size() && created == 0; ++i)
            if (lines[i].contains(u"fromBob = co_await CreatePromise"_s)) created = i + 1;
        QVERIFY(created > 0);
        QVERIFY2(tip.startsWith(u"Task 1 'alice' waits on Wait(promise "_s), qPrintable(tip));
        QVERIFY2(tip.contains(u": created by task 0 'main' at concurrency.cpp:%1 (step "_s.arg(created)),
                 qPrintable(tip));
    }

    // Issue 19 #4: a cell whose column is too narrow shows its whole text in a tooltip.
    void elidedCellsShowTheirText()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(runToEnd(w, u"counter"_s));
        QAbstractItemView* view = nullptr;
        for (QAbstractItemView* v : w.tasksPane()->findChildren<QAbstractItemView*>())
            if (v->model() && v->model()->rowCount() > 0 && !qobject_cast<QHeaderView*>(v)) view = v;
        QVERIFY(view);
        // the longest text of the first row without a tooltip of its own, in a column made too
        // narrow for it
        QModelIndex cell;
        for (int c = 0; c < view->model()->columnCount(); ++c) {
            const QModelIndex i = view->model()->index(0, c);
            if (i.data(Qt::ToolTipRole).isValid()) continue;
            if (!cell.isValid() || i.data().toString().size() > cell.data().toString().size()) cell = i;
        }
        const QString text = cell.data().toString();
        QVERIFY(text.size() > 3);
        auto* tree = qobject_cast<QTreeView*>(view);
        auto* table = qobject_cast<QTableView*>(view);
        QVERIFY(tree || table);
        if (tree) tree->setColumnWidth(cell.column(), 12);
        if (table) table->setColumnWidth(cell.column(), 12);
        const QPoint at = view->visualRect(cell).center();
        QHelpEvent help(QEvent::ToolTip, at, view->viewport()->mapToGlobal(at));
        QCoreApplication::sendEvent(view->viewport(), &help);
        QTRY_COMPARE_WITH_TIMEOUT(QToolTip::text(), text, Timeout);
        QToolTip::hideText();
    }

    // Issue 19 #5: a message about a file (the export confirmation) goes when another document opens.
    void fileMessagesGoWithTheirFile()
    {
        QTemporaryDir dir;
        studio::MainWindow w;
        QVERIFY(runToEnd(w, u"counter"_s));
        const QString result = dir.filePath(u"counter.doeffresult"_s);
        QVERIFY(w.saveResult(result));
        QVERIFY(exportAndWait(w, views::TraceFormat::Native, dir.filePath(u"counter.doefftrace"_s)));
        QVERIFY2(w.messageText().contains(u"Exported"_s), qPrintable(w.messageText()));
        QVERIFY(w.openResult(result));
        QVERIFY2(w.messageText().isEmpty(), qPrintable(w.messageText()));
    }

    void defaultExampleStepsAndFinishes()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(w.openExample(u"word_count"_s));
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.stepText(), u"Step 1"_s);
        QVERIFY(w.reasonText().contains(u"start"_s));
        QVERIFY(action(w, "stepInto")->isEnabled());
        QVERIFY(!action(w, "pause")->isEnabled());
        QVERIFY(w.stackPane()->model()->rowCount() >= 1);
        QCOMPARE(w.tasksPane()->model()->rowCount(), 1);

        for (int i = 0; i < 12; ++i)
            QVERIFY(trigger(w, "stepInto"));
        QCOMPARE(w.stepText(), u"Step 13"_s);
        // the workers have been spawned by now; the tasks pane shows them
        QTRY_VERIFY_WITH_TIMEOUT(w.tasksPane()->model()->rowCount() > 1, Timeout);
        QVERIFY(w.stackPane()->model()->rowCount() >= 1);
        QVERIFY(!w.sourcePane()->file().isEmpty());
        QVERIFY(w.sourcePane()->editor()->toPlainText().contains(u"parallel_work_main"_s));

        QVERIFY(trigger(w, "stepEffect"));
        QCOMPARE(w.session()->lastPause()->reason, u"effect"_s);
        QVERIFY2(w.reasonText().contains(u"effect"_s), qPrintable(w.reasonText()));
        const QString effect = w.session()->lastPause()->event.name;
        QVERIFY(!effect.isEmpty());
        QVERIFY2(w.reasonText().contains(effect), qPrintable(w.reasonText()));
        const int row = w.tasksPane()->model()->rowOf(w.session()->lastPause()->task);
        QCOMPARE(w.tasksPane()->model()->index(row, TaskModel::EffectColumn).data().toString(), effect);

        // the filter narrows the effect tree
        w.effectTreePane()->filter()->setText(u"Spawn"_s);
        QVERIFY(w.effectTreePane()->proxy()->rowCount() >= 1);
        w.effectTreePane()->filter()->clear();

        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QVERIFY2(w.resultPane()->summary().startsWith(u"Ok("_s), qPrintable(w.resultPane()->summary()));
        QVERIFY2(w.resultPane()->summary().contains(u"'total': 9"_s), qPrintable(w.resultPane()->summary()));
        QVERIFY(!w.resultPane()->text().isEmpty());
        QVERIFY(w.runStatusText().contains(u"finished"_s));
        QVERIFY(!action(w, "stepInto")->isEnabled());
        QVERIFY(w.logPane()->model()->rowCount() >= 10);

        // restart: paused at the start again
        action(w, "restart")->trigger();
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.session()->lastPause()->reason, u"start"_s);
        QVERIFY(!w.session()->hasResult());
    }

    // Issue 16: the documentation's examples under a heading of their own, before the demos
    void examplesMenuGroupsTheDocumentedExamples()
    {
        studio::MainWindow w;
        auto* menu = w.findChild<QMenu*>(u"examplesMenu"_s);
        QVERIFY(menu);
        QStringList entries;
        for (const QAction* a : menu->actions())
            entries.append(a->isSeparator() ? u"# "_s + a->text() : a->text());
        QCOMPARE(entries.first(), u"# Documented examples"_s);
        const qsizetype demos = entries.indexOf(u"# Demos"_s);
        QCOMPARE(demos, 10);
        QCOMPARE(entries.mid(1, 9),
                 QStringList({ u"fetch_data"_s, u"counter"_s, u"parallel_work"_s, u"timed_operation"_s, u"greet"_s,
                               u"delayed_response"_s, u"risky_operation"_s, u"program_with_logging"_s,
                               u"get_current_time"_s }));
        QVERIFY(entries.mid(demos).contains(u"word_count"_s));
        // a documented example opens and runs to its documented value
        QVERIFY(w.openExample(u"counter"_s));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QCOMPARE(w.resultPane()->summary(), u"Ok(1)"_s);
    }

    void garbageFilesGiveMessages()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString garbage = dir.filePath(u"garbage.doeffresult"_s);
        QVERIFY(writeBytes(garbage, "this is not a result\x01\x02\x03"));
        const QString fakeLib = dir.filePath(u"libfake.so"_s);
        QVERIFY(writeBytes(fakeLib, "not an ELF file"));
        studio::MainWindow w;
        w.show();
        QVERIFY(w.openExample(u"count_to_three"_s));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(!w.openFile(garbage));
        QVERIFY2(w.messageText().contains(u"garbage.doeffresult"_s), qPrintable(w.messageText()));
        QVERIFY(!w.openFile(fakeLib));
        QVERIFY2(w.messageText().contains(u"libfake.so"_s), qPrintable(w.messageText()));
        QVERIFY(!w.openFile(dir.filePath(u"missing.doeffresult"_s)));
        QVERIFY(!w.messageText().isEmpty());
        // still usable: the paused run goes on
        QVERIFY(w.session()->isPaused());
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QCOMPARE(w.resultPane()->summary(), u"Ok(3)"_s);

        // save and re-open the result
        const QString saved = dir.filePath(u"count_to_three.doeffresult"_s);
        QVERIFY(w.saveResult(saved));
        QVERIFY(w.openFile(saved));
        QCOMPARE(w.session()->status(), RunStatus::Loaded);
        QCOMPARE(w.resultPane()->summary(), u"Ok(3)"_s);
        QCOMPARE(w.stepText(), QString()); // a result file has no steps: no "Step 0"
        QVERIFY(w.storePane()->model()->rowCount() >= 1);

        // a real program library opens and starts its first program
        QVERIFY(w.openFile(QStringLiteral(DOEFF_EXAMPLES_LIBRARY)));
        QVERIFY(waitPaused(w.session()));
    }

    // A live run exported and re-opened as a trace shows the same panes, at the end and at a
    // past step the timeline goes to.
    void exportReopenRoundTrip_data()
    {
        QTest::addColumn<QString>("example");
        QTest::addRow("word_count") << u"word_count"_s;
        QTest::addRow("pipeline") << u"pipeline"_s;
    }
    void exportReopenRoundTrip()
    {
        QFETCH(QString, example);
        QTemporaryDir dir;
        studio::MainWindow w;
        w.show();
        QVERIFY(runToEnd(w, example));
        QVERIFY(action(w, "exportNative")->isEnabled());
        const QStringList liveEnd = dumpPanes(w);
        const QString liveSummary = w.resultPane()->summary();
        const quint64 last = w.session()->presentStep();
        const quint64 past = last / 2;
        QVERIFY(w.session()->goToStep(past));
        const QStringList livePast = dumpPanes(w);
        w.session()->goToPresent();

        const QString path = dir.filePath(example + u".doefftrace"_s);
        QVERIFY(exportAndWait(w, views::TraceFormat::Native, path));
        QVERIFY(openTraceAndWait(w, path));
        QCOMPARE(w.session()->status(), RunStatus::Trace);
        QVERIFY(!w.run()->isRunning());
        QCOMPARE(w.session()->presentStep(), last);
        QCOMPARE(dumpPanes(w), liveEnd);
        QCOMPARE(w.resultPane()->summary(), liveSummary);
        QVERIFY(action(w, "saveResult")->isEnabled());
        QVERIFY(!action(w, "stepInto")->isEnabled());

        // scrub with the keyboard: Home, Right ×3, then End
        views::TimelinePane* timeline = w.timelinePane();
        timeline->setFocus();
        QTest::keyClick(timeline, Qt::Key_Home);
        QCOMPARE(w.session()->viewStep(), quint64(0));
        for (int i = 0; i < 3; ++i)
            QTest::keyClick(timeline, Qt::Key_Right);
        QCOMPARE(w.session()->viewStep(), quint64(3));
        QVERIFY(timeline->stepText().contains(u"past"_s));
        QVERIFY(timeline->liveButton()->isEnabled());
        QTest::keyClick(timeline, Qt::Key_Left);
        QCOMPARE(w.session()->viewStep(), quint64(2));
        QTest::keyClick(timeline, Qt::Key_End);
        QVERIFY(w.session()->isAtPresent());
        // the slider goes to the same past step as the live session did
        timeline->slider()->setValue(int(past));
        QCOMPARE(w.session()->viewStep(), past);
        QCOMPARE(dumpPanes(w), livePast);
        QVERIFY(w.stepText().contains(u"of"_s));
        timeline->liveButton()->click();
        QVERIFY(w.session()->isAtPresent());

        // a trace exports too (native is a copy), and the copy opens
        const QString copy = dir.filePath(u"copy.doefftrace"_s);
        QVERIFY(exportAndWait(w, views::TraceFormat::Native, copy));
        QVERIFY(openTraceAndWait(w, copy));
        QCOMPARE(dumpPanes(w), liveEnd);
        // recent files remember traces
        QVERIFY(QSettings().value(u"recentFiles"_s).toStringList().contains(QFileInfo(copy).absoluteFilePath()));

        // the result a trace describes can be saved and opened
        const QString saved = dir.filePath(u"fromtrace.doeffresult"_s);
        QVERIFY(w.saveResult(saved));
        QVERIFY(w.openFile(saved));
        QCOMPARE(w.resultPane()->summary(), liveSummary);
        QCOMPARE(w.session()->programName(), example); // named by the trace, not the file
    }

    void searchFindsHitsMarksTheTimelineAndTravels()
    {
        QTemporaryDir dir;
        studio::MainWindow w;
        w.show();
        QVERIFY(runToEnd(w, u"counter"_s));
        views::SearchPane* search = w.searchPane();
        w.find();
        QTRY_VERIFY(search->field()->hasFocus());
        // Get('counter') at step 2; Put('counter') and its write of key counter at step 4
        QTest::keyClicks(search->field(), u"counter"_s);
        QTest::keyClick(search->field(), Qt::Key_Return);
        QVERIFY(search->isSearching()); // on the worker thread
        QTRY_VERIFY(!search->isSearching());
        QCOMPARE(search->model()->rowCount(), 3);
        QCOMPARE(search->summaryLabel()->text(), u"3 hits"_s);
        QCOMPARE(search->model()->index(0, views::SearchModel::TextColumn).data().toString(), u"Get('counter')"_s);
        QCOMPARE(search->model()->index(2, views::SearchModel::KindColumn).data().toString(), u"key"_s);
        QCOMPARE(w.timelinePane()->view()->searchMarks(), (std::vector<quint64> { 2, 4 }));
        // F3 / Shift+F3 travel from the viewed step
        QVERIFY(w.session()->goToStep(0));
        w.findNext();
        QCOMPARE(w.session()->viewStep(), quint64(2));
        w.findNext();
        QCOMPARE(w.session()->viewStep(), quint64(4));
        QVERIFY(!search->findNext());
        w.findPrevious();
        QCOMPARE(w.session()->viewStep(), quint64(2));
        // activating a hit travels to it
        Q_EMIT search->view()->activated(search->model()->index(1, 0));
        QCOMPARE(w.session()->viewStep(), quint64(4));
        // the same search over the run's trace
        const QString path = dir.filePath(u"counter.doefftrace"_s);
        QVERIFY(exportAndWait(w, views::TraceFormat::Native, path));
        QVERIFY(openTraceAndWait(w, path));
        QCOMPARE(search->model()->rowCount(), 0); // a new document clears the hits
        QVERIFY(w.timelinePane()->view()->searchMarks().empty());
        QSignalSpy finished(search, &views::SearchPane::searchFinished);
        search->search(u"COUNTER"_s);
        QVERIFY(finished.wait());
        QCOMPARE(finished.takeFirst().at(0).toBool(), true);
        QCOMPARE(search->model()->rowCount(), 3);
        search->search(u"nothing like it"_s);
        QVERIFY(finished.wait());
        QCOMPARE(search->summaryLabel()->text(), u"no hits"_s);
        // a cancelled search leaves the hits as they were
        finished.clear();
        search->search(u"counter"_s);
        QVERIFY(search->isSearching());
        search->cancel();
        QVERIFY(!search->isSearching());
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.takeFirst().at(0).toBool(), false);
        QCOMPARE(search->summaryLabel()->text(), u"Search cancelled"_s);
        QCOMPARE(search->model()->rowCount(), 0);
        // Find Next with no hits yet searches first, then travels
        QVERIFY(w.session()->goToStep(0));
        search->field()->setText(u"Put('counter')"_s);
        QVERIFY(search->findNext());
        QTRY_COMPARE(w.session()->viewStep(), quint64(4));
    }

    void provenanceFromTheStorePaneTravels()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(runToEnd(w, u"counter"_s));
        views::ProvenancePane* pane = w.provenancePane();
        views::ProvenanceModel* m = pane->model();
        Q_EMIT w.storePane()->provenanceRequested(u"counter"_s, false);
        QVERIFY(pane->isIndexing()); // the index is built on the worker thread
        QTRY_VERIFY(!pane->isIndexing());
        QCOMPARE(pane->titleLabel()->text(),
                 u"Store key 'counter' of task 0 at step %1"_s.arg(w.session()->viewStep()));
        // counter = 1 from Put('counter') at step 4, which had read Get('counter') -> 0 (the initial store)
        QCOMPARE(m->rowCount(), 2);
        const QModelIndex root = m->index(0, 0);
        QCOMPARE(root.data().toString(), u"counter = 1  (Put('counter'))"_s);
        QCOMPARE(m->index(0, views::ProvenanceModel::StepColumn).data().toString(), u"4"_s);
        QCOMPARE(m->rowCount(root), 1);
        const QModelIndex read = m->index(0, 0, root);
        QCOMPARE(read.data().toString(), u"read Get('counter') → 0"_s);
        QCOMPARE(m->index(0, 0, read).data().toString(), u"counter = 0  (initial store)"_s);
        QCOMPARE(m->index(1, 0).data().toString(), u"Read by: nobody"_s);
        // a row travels to its step; there, the value is the initial one, which the Get read
        Q_EMIT pane->view()->activated(read);
        QCOMPARE(w.session()->viewStep(), quint64(2));
        Q_EMIT w.storePane()->provenanceRequested(u"counter"_s, true);
        QCOMPARE(m->index(0, 0).data().toString(), u"counter = 0  (initial store)"_s);
        QCOMPARE(m->readerCount(), 1);
        QCOMPARE(pane->view()->currentIndex().data().toString(), u"Read by 1"_s);
        QCOMPARE(m->index(0, 0, m->index(1, 0)).data().toString(), u"Get('counter') → 0"_s);
        // a key with no recorded source says so
        QVERIFY(pane->explain(views::ProvenancePane::What::Store, u"nothing"_s));
        QCOMPARE(m->index(0, 0).data().toString(), u"No recorded source for this value."_s);
        // from Watches: a store key at the viewed step, and a task's result
        w.session()->goToPresent();
        Q_EMIT w.watchPane()->provenanceRequested(u"store:counter"_s, false);
        QCOMPARE(m->index(0, 0).data().toString(), u"counter = 1  (Put('counter'))"_s);
        Q_EMIT w.watchPane()->provenanceRequested(u"task 0"_s, false);
        QCOMPARE(pane->titleLabel()->text(), u"The result of task 0"_s);
        QCOMPARE(m->index(0, 0).data().toString(), u"result of task 0 'main' = 1"_s);
        QCOMPARE(m->rowCount(m->index(0, 0)), 1); // its Get('counter')

        // the run's trace: a new index, which Cancel stops; asked again, it is built
        QTemporaryDir dir;
        const QString path = dir.filePath(u"counter.doefftrace"_s);
        QVERIFY(exportAndWait(w, views::TraceFormat::Native, path));
        QVERIFY(openTraceAndWait(w, path));
        w.session()->goToPresent();
        QSignalSpy shown(pane, &views::ProvenancePane::chainShown);
        QVERIFY(pane->explain(views::ProvenancePane::What::Store, u"counter"_s));
        QVERIFY(pane->isIndexing());
        pane->cancel();
        QVERIFY(!pane->isIndexing());
        QCOMPARE(pane->titleLabel()->text(), u"Building the index was cancelled."_s);
        QCOMPARE(shown.size(), 1);
        QVERIFY(pane->explain(views::ProvenancePane::What::Store, u"counter"_s));
        QVERIFY(shown.wait());
        QCOMPARE(m->index(0, 0).data().toString(), u"counter = 1  (Put('counter'))"_s);
    }

    /// Quitting while a run is live asks first; Cancel keeps the window and the run as they
    /// were. With nothing live, quitting asks nothing.
    void quittingWithALiveRunAsksFirst()
    {
        studio::MainWindow w;
        QList<std::pair<QString, QString>> asked;
        bool agree = false;
        const auto ask = [&asked, &agree](const QString& program, const QString& what) {
            asked.append({ program, what });
            return agree;
        };
        w.setConfirmReplace(ask);
        w.show();
        QVERIFY(w.openExample(u"counter"_s));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(trigger(w, "stepInto"));
        const QString step = w.stepText();
        QVERIFY(!w.close());
        QCOMPARE(asked.size(), 1);
        QCOMPARE(asked.last(), (std::pair<QString, QString> { u"counter"_s, u"quit"_s }));
        QVERIFY(w.isVisible());
        QCOMPARE(w.session()->status(), RunStatus::Paused);
        QCOMPARE(w.stepText(), step);
        agree = true;
        QVERIFY(w.close());
        QCOMPARE(asked.size(), 2);

        studio::MainWindow idle;
        idle.setConfirmReplace(ask);
        idle.show();
        QVERIFY(idle.close());
        QCOMPARE(asked.size(), 2);
    }

    /// File ▸ Replay Trace (docs/replay.md): the recorded run again, as a live session of a
    /// doeff-run child on the recorded inputs, to the recorded result.
    void replayATrace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"fetch_user.doefftrace"_s);
        QVERIFY(doeffRunSucceeds({ u"fetch_user"_s, u"--runner"_s, u"async"_s, u"--trace"_s, path }));
        studio::MainWindow w;
        QVERIFY(w.replayTrace(path));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(w.isLive());
        QCOMPARE(w.session()->programName(), u"fetch_user (replay of fetch_user.doefftrace)"_s);
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QVERIFY2(w.session()->resultSummary().startsWith(u"Ok("_s), qPrintable(w.session()->resultSummary()));
        // the same trace opened: Run ▸ Replay This Trace offers it again
        QVERIFY(openTraceAndWait(w, path));
        QVERIFY(action(w, "replayThisTrace")->isEnabled());
        QVERIFY(trigger(w, "replayThisTrace"));
        QVERIFY(w.isLive());
        // not a trace: refused with the file named, nothing else changes
        const QString junk = dir.filePath(u"junk.doefftrace"_s);
        QVERIFY(writeBytes(junk, "junk"));
        QVERIFY(!w.replayTrace(junk));
        QVERIFY2(w.messageText().contains(u"Cannot replay junk.doefftrace"_s), qPrintable(w.messageText()));
        QVERIFY(w.isLive());
    }

    /// An input log (doeff-run --record-inputs) holds only what its run took in: opening it
    /// replays it, every step there to step through, to the recorded result.
    void anInputLogOpensAsItsReplay()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"fetch_user.inputs.doefftrace"_s);
        QVERIFY(doeffRunSucceeds({ u"fetch_user"_s, u"--runner"_s, u"async"_s, u"--record-inputs"_s, path }));
        studio::MainWindow w;
        QVERIFY(openTraceAndWait(w, path));
        QVERIFY2(w.messageText().contains(u"fetch_user.inputs.doefftrace is an input log"_s),
                 qPrintable(w.messageText()));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(w.isLive());
        QCOMPARE(w.session()->programName(), u"fetch_user (replay of fetch_user.inputs.doefftrace)"_s);
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QVERIFY2(w.session()->resultSummary().startsWith(u"Ok("_s), qPrintable(w.session()->resultSummary()));
        // every step of the run is there, not only the log's three events
        QVERIFY(w.session()->state().step() > 10);
    }

    /// What if: a branch of an opened trace, and of a finished live run, opens in a window of
    /// its own; the original stays as it was.
    void whatIfOpensABranchBesideTheOriginal()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"counter.doefftrace"_s);
        QVERIFY(doeffRunSucceeds({ u"counter"_s, u"--clock"_s, u"simulated"_s, u"--trace"_s, path }));
        const quint64 getStep = firstYieldIn(path, u"Get"_s);
        QVERIFY(getStep > 0);
        studio::MainWindow w;
        QVERIFY(openTraceAndWait(w, path));
        QVERIFY(action(w, "whatIf")->isEnabled());
        QSignalSpy opened(&w, &studio::MainWindow::branchOpened);
        studio::WhatIfRequest r;
        r.kind = studio::WhatIfRequest::Kind::Result;
        r.step = getStep;
        r.value = u"41"_s;
        QVERIFY(w.whatIf(r));
        QCOMPARE(opened.size(), 1);
        std::unique_ptr<studio::MainWindow> branch(opened.first().first().value<studio::MainWindow*>());
        QCOMPARE(w.branches(), QList<studio::MainWindow*> { branch.get() });
        QVERIFY(waitPaused(branch->session()));
        QCOMPARE(branch->session()->programName(), u"counter (what if step %1 answers 41)"_s.arg(getStep));
        QVERIFY(trigger(*branch, "continue"));
        QVERIFY(waitResult(branch->session()));
        QCOMPARE(branch->session()->resultSummary(), u"Ok(42)"_s);
        // the original: the same trace, untouched
        QCOMPARE(w.session()->status(), views::RunStatus::Trace);
        QCOMPARE(w.session()->traceFile(), path);
        QCOMPARE(w.session()->resultSummary(), u"Ok(1)"_s);
        branch.reset();
        QVERIFY(w.branches().isEmpty());

        // a live run: its events so far are recorded, and the branch follows them
        QVERIFY(runToEnd(w, u"divide"_s));
        QVERIFY(w.session()->resultSummary().startsWith(u"Err(examples::ZeroDivisionError"_s));
        const quint64 divideStep = stepOf(w, EventKind::EffectYielded, u"Divide(dividend=10.0, divisor=0.0)"_s);
        QVERIFY(divideStep > 0);
        studio::WhatIfRequest swap;
        swap.kind = studio::WhatIfRequest::Kind::Swap;
        swap.step = divideStep;
        swap.handler = u"division"_s;
        swap.offered = u"safe_division"_s;
        QVERIFY(w.whatIf(swap));
        QVERIFY(opened.wait(Timeout)); // once the run's events are written
        branch.reset(opened.last().first().value<studio::MainWindow*>());
        QVERIFY(waitPaused(branch->session()));
        QVERIFY(trigger(*branch, "continue"));
        QVERIFY(waitResult(branch->session()));
        QVERIFY2(branch->session()->resultSummary().startsWith(u"Ok(0"_s),
                 qPrintable(branch->session()->resultSummary()));
        QVERIFY(w.session()->resultSummary().startsWith(u"Err(examples::ZeroDivisionError"_s));

        // an incomplete request is refused with what is missing; nothing opens
        studio::WhatIfRequest incomplete;
        incomplete.kind = studio::WhatIfRequest::Kind::Remove;
        QVERIFY(!w.whatIf(incomplete));
        QVERIFY2(w.messageText().contains(u"no handler of the run chosen"_s), qPrintable(w.messageText()));
        QCOMPARE(opened.size(), 2);
    }

    /// Run ▸ What If…: the dialog offers the run's handlers and the library's, shows the rows of
    /// the chosen kind, and keeps an incomplete request open with what is missing.
    void whatIfDialog()
    {
        studio::MainWindow w;
        QVERIFY(w.openExample(u"divide"_s));
        QVERIFY(waitPaused(w.session()));
        for (int i = 0; i < 4; ++i)
            QVERIFY(trigger(w, "stepInto"));
        QVERIFY(w.handlersOfTheRun().contains(u"division"_s));
        QVERIFY(w.offeredHandlers(w.branchableProgram(nullptr)).contains(u"safe_division"_s));
        QSignalSpy opened(&w, &studio::MainWindow::branchOpened);
        QVERIFY(action(w, "whatIf")->isEnabled());
        action(w, "whatIf")->trigger();
        auto* dialog = w.findChild<QDialog*>(u"whatIfDialog"_s);
        QVERIFY(dialog);
        auto* kind = dialog->findChild<QComboBox*>(u"whatIfKind"_s);
        auto* value = dialog->findChild<QLineEdit*>(u"whatIfValue"_s);
        auto* handler = dialog->findChild<QComboBox*>(u"whatIfHandler"_s);
        auto* offered = dialog->findChild<QComboBox*>(u"whatIfOffered"_s);
        auto* problem = dialog->findChild<QLabel*>(u"whatIfProblem"_s);
        QVERIFY(kind && value && handler && offered && problem);
        QVERIFY(value->isVisibleTo(dialog));
        QVERIFY(!handler->isVisibleTo(dialog));
        // the step of the last effect so far, and what it yields
        Event last;
        for (const Event& e : w.session()->liveEvents().toList())
            if (e.kind == EventKind::EffectYielded) last = e;
        QVERIFY(last.step > 0);
        QCOMPARE(dialog->findChild<QLineEdit*>(u"whatIfStep"_s)->text(), QString::number(last.step));
        QCOMPARE(dialog->findChild<QLabel*>(u"whatIfAtStep"_s)->text(),
                 u"the step yields %1 in task 0"_s.arg(last.name));
        // the value is missing: said, and the dialog stays
        dialog->findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->click();
        QCOMPARE(problem->text(), u"no value given"_s);
        QVERIFY(dialog->isVisible());
        QCOMPARE(opened.size(), 0);
        // swap: the run's handlers and the offered ones
        kind->setCurrentIndex(kind->findData(int(studio::WhatIfRequest::Kind::Swap)));
        QVERIFY(handler->isVisibleTo(dialog) && offered->isVisibleTo(dialog) && !value->isVisibleTo(dialog));
        QVERIFY(handler->findText(u"division"_s) >= 0);
        QVERIFY(offered->findText(u"safe_division"_s) >= 0);
        dialog->reject();
    }

    /// A handler a what-if removed stays on K, but is not offered for another swap or removal.
    void aRemovedHandlerIsNotOfferedAgain()
    {
        QTemporaryDir dir;
        const QString original = dir.filePath(u"divide.doefftrace"_s);
        const QString branch = dir.filePath(u"branch.doefftrace"_s);
        QCOMPARE(doeffRunExit({ u"divide"_s, u"--trace"_s, original }), 1);
        const quint64 divideStep = firstYieldIn(original, u"Divide"_s);
        QVERIFY(divideStep > 0);
        QCOMPARE(doeffRunExit({ u"--replay"_s, original, u"--what-if-handler"_s, u"%1=-division"_s.arg(divideStep),
                                u"--trace"_s, branch }),
                 1);
        studio::MainWindow w;
        QVERIFY(openTraceAndWait(w, branch));
        QVERIFY(w.session()->goToStep(divideStep));
        QStringList frames;
        for (const FrameInfo& f : w.session()->state().k(0))
            frames << f.description;
        QVERIFY2(frames.contains(u"handler=division (removed by what-if)"_s), qPrintable(frames.join(u", "_s)));
        const QStringList handlers = w.handlersOfTheRun();
        QVERIFY2(!handlers.isEmpty() && !handlers.join(u' ').contains(u"division"_s),
                 qPrintable(handlers.join(u", "_s)));

        // the Stack pane's context menu: nothing for the removed frame, a swap and a removal for
        // a handler that is still there
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QTreeView* view = w.stackPane()->view();
        const auto menuAt = [&](const QString& description) {
            auto offered = std::make_shared<QStringList>();
            const QAbstractItemModel* model = view->model();
            for (int row = 0; row < model->rowCount(); ++row) {
                const QModelIndex index = model->index(row, 1);
                if (index.data().toString() != description) continue;
                view->scrollTo(index);
                QTimer::singleShot(0, view, [offered] {
                    if (auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget())) {
                        for (QAction* a : menu->actions())
                            *offered << a->objectName();
                        menu->close();
                    }
                });
                Q_EMIT view->customContextMenuRequested(view->visualRect(index).center());
                QCoreApplication::processEvents(); // the timer, when no menu opened
                return *offered;
            }
            return QStringList { u"no row "_s + description };
        };
        QCOMPARE(menuAt(u"handler=division (removed by what-if)"_s), QStringList());
        QCOMPARE(menuAt(u"handler=core"_s), (QStringList { u"whatIfSwap"_s, u"whatIfRemove"_s }));
    }

    void exportJsonAndPerfetto()
    {
        QTemporaryDir dir;
        studio::MainWindow w;
        QVERIFY(w.openExample(u"word_count"_s));
        QVERIFY(waitPaused(w.session()));
        for (int i = 0; i < 20; ++i)
            QVERIFY(trigger(w, "stepInto"));
        // mid-run: the events so far, the run marked incomplete
        const QString json = dir.filePath(u"run.json"_s);
        QVERIFY(exportAndWait(w, views::TraceFormat::Json, json));
        const QByteArray jsonBytes = readBytes(json);
        QVERIFY(!jsonBytes.isEmpty());
        const QJsonObject doc = QJsonDocument::fromJson(jsonBytes).object();
        QCOMPARE(doc.value(u"format"_s).toString(), u"doeff-trace-json"_s);
        QCOMPARE(qsizetype(doc.value(u"events"_s).toArray().size()), w.session()->liveEvents().size());
        QCOMPARE(doc.value(u"metadata"_s).toObject().value(u"status"_s).toString(), u"incomplete"_s);

        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        const QString perfetto = dir.filePath(u"run.perfetto.json"_s);
        QVERIFY(exportAndWait(w, views::TraceFormat::Perfetto, perfetto));
        const QByteArray perfettoBytes = readBytes(perfetto);
        QVERIFY(!perfettoBytes.isEmpty());
        const QJsonDocument p = QJsonDocument::fromJson(perfettoBytes);
        const QJsonArray events = p.isArray() ? p.array() : p.object().value(u"traceEvents"_s).toArray();
        QVERIFY(events.size() > 10);

        // an unwritable target is an error naming it; the session is untouched
        const QString bad = dir.filePath(u"no/such/dir/run.json"_s);
        QSignalSpy done(&w, &studio::MainWindow::exportFinished);
        QVERIFY(w.exportTrace(views::TraceFormat::Json, bad));
        QVERIFY(done.wait(Timeout));
        QVERIFY(done.first().at(1).toString().contains(u"run.json"_s));
        QVERIFY(w.session()->hasResult());
        QTRY_VERIFY(w.findChild<QMessageBox*>(u"fileErrorBox"_s));
    }

    /// Issue 19, journey 3: switching program while paused leaves nothing of the first program in
    /// Source (file, marked line) before the new run's first event; at the end of a run the line
    /// is marked as where it ended, not as the line about to run.
    void newDocumentClearsSourceAndEndIsMarked()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(w.openExample(u"word_count"_s));
        QVERIFY(waitPaused(w.session()));
        for (int i = 0; i < 3; ++i)
            QVERIFY(trigger(w, "stepInto"));
        QVERIFY(!w.sourcePane()->file().isEmpty());
        const QString first = w.sourcePane()->file();
        QVERIFY(w.openExample(u"deadlock"_s));
        // before any event of the new run: an empty pane
        QCOMPARE(w.sourcePane()->file(), QString());
        QCOMPARE(w.sourcePane()->editor()->toPlainText(), QString());
        QVERIFY(w.sourcePane()->editor()->extraSelections().isEmpty());
        QVERIFY(waitPaused(w.session()));
        QVERIFY(!w.sourcePane()->showsEnd());

        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        // ended: either where it ended (marked so) or nothing, never a "current line"
        QVERIFY(w.sourcePane()->file().isEmpty() || w.sourcePane()->showsEnd());
        QVERIFY2(w.sourcePane()->file().isEmpty() || w.sourcePane()->header()->text().contains(u"Ended"_s),
                 qPrintable(w.sourcePane()->header()->text()));
        Q_UNUSED(first);
    }

    /// Journey 7: stepping back in a run that has ended shows the lines it ran, not its end. The
    /// source pane said "Ended here" (and greyed the line) at every step of a finished run's past.
    void thePastOfAFinishedRunIsNotItsEnd()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(runToEnd(w, u"divide"_s));
        QVERIFY(w.session()->isAtPresent());
        QVERIFY(w.sourcePane()->showsEnd());
        const int endLine = w.sourcePane()->line();
        QVERIFY(endLine > 0);

        // back to a step where divide_main is suspended on an earlier line than the one it failed on
        QAction* back = action(w, "stepBack");
        QVERIFY(back);
        int guard = 0;
        while ((w.session()->currentFile().isEmpty() || w.session()->currentLine() >= endLine) && ++guard < 100) {
            QVERIFY(back->isEnabled());
            back->trigger();
        }
        QVERIFY(!w.session()->isAtPresent());
        QVERIFY(!w.session()->locationIsEnd());
        QVERIFY(!w.sourcePane()->showsEnd());
        QCOMPARE(w.sourcePane()->file(), w.session()->currentFile());
        QCOMPARE(w.sourcePane()->line(), w.session()->currentLine());
        QVERIFY2(!w.sourcePane()->header()->text().contains(u"Ended"_s), qPrintable(w.sourcePane()->header()->text()));

        // where no program frame is left (the error unwinding through the handlers), the past
        // shows no location, as the live run did at that step, not the end's
        while (!w.session()->currentFile().isEmpty() && ++guard < 200)
            QVERIFY(trigger(w, "stepInto"));
        QVERIFY(!w.session()->isAtPresent());
        QVERIFY(w.sourcePane()->file().isEmpty());
        QVERIFY2(!w.sourcePane()->header()->text().contains(u"Ended"_s), qPrintable(w.sourcePane()->header()->text()));

        // the present: its end again
        w.session()->goToPresent();
        QVERIFY(w.session()->isAtPresent());
        QVERIFY(w.sourcePane()->showsEnd());
        QCOMPARE(w.sourcePane()->line(), endLine);
        QVERIFY(w.sourcePane()->header()->text().contains(u"Ended"_s));
    }

    /// A long result summary in the status bar gives way: the reason before it ("Viewing the past
    /// …") stays whole, the summary ends in "…" with the whole text in its tooltip. The summary
    /// used to widen the bar and cut the reason in the middle of a word.
    void theStatusBarKeepsTheReasonWhole()
    {
        studio::MainWindow w;
        w.resize(1200, 800);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(runToEnd(w, u"deadlock"_s));
        QVERIFY(trigger(w, "stepBack"));
        QVERIFY(!w.session()->isAtPresent());
        QVERIFY(w.reasonText().startsWith(u"Viewing the past"_s));
        const QString summary = w.runStatusText();
        QVERIFY2(summary.contains(u"DeadlockError"_s), qPrintable(summary));

        QLabel* reason = nullptr;
        QLabel* status = nullptr;
        for (QLabel* label : w.statusBar()->findChildren<QLabel*>()) {
            if (label->text() == w.reasonText()) reason = label;
            if (label->toolTip() == summary) status = label;
        }
        QVERIFY(reason);
        QVERIFY2(status, "the summary does not fit in 1200 pixels: its label shows it elided, whole in the tooltip");
        QTRY_VERIFY2(reason->width() >= reason->sizeHint().width(),
                     qPrintable(u"%1 < %2"_s.arg(reason->width()).arg(reason->sizeHint().width())));
        QVERIFY(status->text().endsWith(u"…"_s));
        QVERIFY(status->geometry().right() <= w.statusBar()->width());
    }

    /// Issue 19, journey 5: at the end of a failed run the failing task is selected and the Stack
    /// shows its continuation stack at the failing point, Source where it was raised.
    void stepBackTravelsTheHistoryAndStepIntoComesForward()
    {
        studio::MainWindow w;
        QVERIFY(w.openExample(u"count_to_three"_s));
        QVERIFY(waitPaused(w.session()));
        QAction* back = action(w, "stepBack");
        QVERIFY(back);
        for (int i = 0; i < 4; ++i)
            QVERIFY(trigger(w, "stepInto"));
        const quint64 present = w.session()->viewStep();
        QVERIFY(present >= 4);
        QVERIFY(back->isEnabled());
        back->trigger();
        back->trigger();
        QCOMPARE(w.session()->viewStep(), present - 2);
        QVERIFY(!w.session()->isAtPresent());
        // the live run did not move: stepping forward walks the history back to the present
        QCOMPARE(w.session()->presentStep(), present);
        QAction* into = action(w, "stepInto");
        QVERIFY(into->isEnabled());
        into->trigger();
        QCOMPARE(w.session()->viewStep(), present - 1);
        into->trigger();
        QVERIFY(w.session()->isAtPresent());
        QCOMPARE(w.session()->presentStep(), present);
        // at the present Step Into runs the program again
        QVERIFY(trigger(w, "stepInto"));
        QVERIFY(w.session()->presentStep() > present);
        // at step 0 there is nothing before
        QVERIFY(w.session()->goToStep(0));
        QVERIFY(!back->isEnabled());
    }
    void reverseContinueGoesBackToThePreviousHit()
    {
        studio::MainWindow w;
        QVERIFY(w.openExample(u"count_to_three"_s));
        QVERIFY(waitPaused(w.session()));
        QAction* reverse = action(w, "reverseContinue");
        QVERIFY(reverse);
        QVERIFY(w.shortcutList().contains(std::pair(u"Run ▸ Reverse Continue"_s, u"Shift+F9"_s)));
        // with no breakpoint it says so and stays
        QVERIFY(trigger(w, "stepInto"));
        const quint64 first = w.session()->viewStep();
        reverse->trigger();
        QCOMPARE(w.session()->viewStep(), first);
        QVERIFY2(w.messageText().contains(u"No breakpoint is enabled"_s), qPrintable(w.messageText()));
        // three hits of Put going forward
        Breakpoint put;
        put.pattern = u"Put"_s;
        w.run()->addBreakpoint(put);
        QList<quint64> hits;
        for (int i = 0; i < 3; ++i) {
            QVERIFY(trigger(w, "continue"));
            QCOMPARE(w.session()->lastPause()->event.text, u"Put"_s);
            hits.append(w.session()->viewStep());
        }
        QVERIFY(hits[0] < hits[1] && hits[1] < hits[2]);
        // and back through them, the live run staying where it is
        reverse->trigger();
        QCOMPARE(w.session()->viewStep(), hits[1]);
        QVERIFY2(w.messageText().contains(u"hit at step"_s), qPrintable(w.messageText()));
        reverse->trigger();
        QCOMPARE(w.session()->viewStep(), hits[0]);
        QCOMPARE(w.session()->presentStep(), hits[2]);
        reverse->trigger(); // nothing before the first
        QCOMPARE(w.session()->viewStep(), hits[0]);
        QVERIFY2(w.messageText().contains(u"No breakpoint hit before step"_s), qPrintable(w.messageText()));
    }
    void stepNumbersHaveThousandsSeparators()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(u"busy.doefftrace"_s);
        QVERIFY(doeffRunSucceeds({ u"busy_loop"_s, u"--env"_s, u"iterations=600"_s, u"--trace"_s, trace }));
        const QLocale before;
        QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
        const auto restore = qScopeGuard([&before] { QLocale::setDefault(before); });
        studio::MainWindow w;
        QVERIFY(openTraceAndWait(w, trace));
        const quint64 last = w.session()->presentStep();
        QVERIFY(last > 1000);
        const QString grouped = QLocale().toString(last);
        QVERIFY(grouped.contains(u','));
        QVERIFY2(w.stepText().contains(grouped), qPrintable(w.stepText()));
        // the Compare pane's steps too: against a run that goes one iteration further
        const QString longer = dir.filePath(u"longer.doefftrace"_s);
        QVERIFY(doeffRunSucceeds({ u"busy_loop"_s, u"--env"_s, u"iterations=601"_s, u"--trace"_s, longer }));
        auto* compare = w.findChild<views::RunDiffPane*>();
        QVERIFY(compare);
        QSignalSpy compared(compare, &views::RunDiffPane::compared);
        QVERIFY(compare->compareWith(longer));
        QVERIFY(compared.wait(10000));
        const auto& rows = compare->model()->rows();
        const auto late = std::find_if(rows.begin(), rows.end(),
                                       [](const views::RunDiffModel::Row& r) { return r.hasStep && r.step > 1000; });
        QVERIFY(late != rows.end()); // the run's end
        const int row = int(late - rows.begin());
        QCOMPARE(compare->model()->index(row, views::RunDiffModel::StepColumn).data().toString(),
                 QLocale().toString(late->step));
        QVERIFY(QLocale().toString(late->step).contains(u','));
    }
    void helpMenuListsShortcutsOpensTheGuideAndResetsTheLayout()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        // Keyboard Shortcuts: every menu command with a key, the stepping keys among them
        const auto rows = w.shortcutList();
        QVERIFY(rows.contains(std::pair(u"Run ▸ Step Over"_s, u"F10"_s)));
        QVERIFY(rows.contains(std::pair(u"Run ▸ Step Into"_s, u"F11"_s)));
        action(w, "keyboardShortcuts")->trigger();
        auto* dialog = w.findChild<QDialog*>(u"shortcutsDialog"_s);
        QVERIFY(dialog);
        auto* table = dialog->findChild<QTableWidget*>();
        QVERIFY(table);
        QCOMPARE(table->rowCount(), int(rows.size()));
        dialog->close();
        // the user guide of this build's sources
        QVERIFY(action(w, "userGuide")->isEnabled());
        QVERIFY(action(w, "userGuide")->statusTip().endsWith(u"guide.md"_s));
        // Reset Layout brings back a closed pane and docks a floating one where it started
        auto* store = w.findChild<QDockWidget*>(u"storeDock"_s);
        auto* timeline = w.findChild<QDockWidget*>(u"timelineDock"_s);
        QVERIFY(store && timeline);
        store->close();
        timeline->setFloating(true);
        w.addDockWidget(Qt::LeftDockWidgetArea, w.findChild<QDockWidget*>(u"breakpointsDock"_s));
        QVERIFY(!store->isVisible());
        action(w, "resetLayout")->trigger();
        QVERIFY(store->isVisible());
        QVERIFY(!timeline->isFloating());
        QCOMPARE(w.dockWidgetArea(timeline), Qt::BottomDockWidgetArea);
        QCOMPARE(w.dockWidgetArea(w.findChild<QDockWidget*>(u"breakpointsDock"_s)), Qt::RightDockWidgetArea);
    }
    void failedRunSelectsFailingTaskWithItsStack()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(runToEnd(w, u"pipeline"_s));
        QVERIFY(w.session()->result().is_err());
        const int failing = w.session()->result().error_context().task;
        QVERIFY(failing != 0);
        QCOMPARE(w.session()->selectedTask(), failing);
        const auto& k = w.session()->result().k_stack().frames;
        QVERIFY(!k.isEmpty());
        QCOMPARE(w.stackPane()->model()->rowCount(), int(k.size()));
        QVERIFY2(w.reasonText().contains(u"error raised in task %1"_s.arg(failing)), qPrintable(w.reasonText()));
        QLabel* title = w.stackPane()->findChild<QLabel*>();
        QVERIFY2(title->text().contains(u"raised the error"_s), qPrintable(title->text()));
        // the whole title is shown, wrapped when the column is narrower than it
        w.stackPane()->parentWidget()->resize(200, w.stackPane()->parentWidget()->height());
        QTRY_VERIFY(title->width() < title->fontMetrics().horizontalAdvance(title->text()));
        QVERIFY(title->wordWrap());
        QTRY_VERIFY2(title->height() >= title->heightForWidth(title->width()),
                     qPrintable(u"%1 < %2"_s.arg(title->height()).arg(title->heightForWidth(title->width()))));
        QVERIFY(w.sourcePane()->showsEnd());
        const auto& site = w.session()->result().source_stack().entries.last();
        QCOMPARE(w.sourcePane()->line(), site.line);

        // every file:line of the result text is a link that opens Source there
        const QString target = site.file + u':' + QString::number(site.line);
        QVERIFY2(w.resultPane()->links().contains(target), qPrintable(w.resultPane()->links().join(u", "_s)));
        QUrl href;
        const QTextDocument* doc = w.resultPane()->textView()->document();
        for (QTextBlock b = doc->begin(); b.isValid() && href.isEmpty(); b = b.next())
            for (auto it = b.begin(); !it.atEnd(); ++it) {
                const QTextCharFormat f = it.fragment().charFormat();
                if (!f.isAnchor()) continue;
                const auto [file, line] = views::ResultPane::linkTarget(QUrl(f.anchorHref()));
                if (file == site.file && line == site.line) href = QUrl(f.anchorHref());
            }
        QVERIFY(!href.isEmpty());
        w.sourcePane()->clear();
        Q_EMIT w.resultPane()->textView()->anchorClicked(href);
        QCOMPARE(w.sourcePane()->file(), site.file);
        QCOMPARE(w.sourcePane()->line(), site.line);
    }

    /// Issue 19: at the end of a failed run Store and Environment show the failing task's values
    /// at the failing point (where Source and Stack are), and the status bar says so.
    void failedRunShowsStoreAndEnvAtTheFailingPoint()
    {
        studio::MainWindow w;
        w.show();
        ProgramInfo info { .name = u"failing_task"_s, .description = {}, .make = [] {
                              return AnyProgram(mainWithFailingTask());
                          } };
        QVERIFY(w.openProgram(info));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QVERIFY(w.session()->result().is_err());
        const int failing = w.session()->result().error_context().task;
        QVERIFY(failing != 0);
        QCOMPARE(w.session()->selectedTask(), failing);
        QVERIFY(w.session()->showsFailingPoint());
        // the Local scope was left on the way out: the task's own env at the end has no phase
        QVERIFY(w.session()->state().task(failing));
        QVERIFY(!w.session()->state().task(failing)->env.contains(u"phase"_s));
        const QMap<QString, QString> store = paneValues(*w.storePane()->model());
        QVERIFY2(store.value(u"k"_s) == u"2"_s,
                 qPrintable(QStringList(store.keys()).join(u',') + u" k=" + store.value(u"k"_s)));
        const QMap<QString, QString> env = paneValues(*w.envPane()->model());
        QVERIFY2(env.value(u"phase"_s).contains(u"parse"_s), qPrintable(QStringList(env.keys()).join(u',')));
        QVERIFY2(w.reasonText().contains(u"failing point"_s), qPrintable(w.reasonText()));
        // another task is shown where it ended, and the status bar names it
        w.session()->setSelectedTask(0);
        QVERIFY(!w.session()->showsFailingPoint());
        QCOMPARE(paneValues(*w.storePane()->model()).value(u"k"_s), u"0"_s);
        QVERIFY2(w.reasonText().contains(u"showing task 0 'main'"_s), qPrintable(w.reasonText()));
    }

    /// Issue 20: at a viewed step Store and Environment show what it changed (old → new, new
    /// and removed keys), and their filter boxes keep matching rows as the user steps.
    void storeAndEnvShowOldToNewAndFilter()
    {
        studio::MainWindow w;
        w.show();
        ProgramInfo info { .name = u"rewrites_keys"_s, .description = {}, .make = [] {
                              return AnyProgram(rewritesKeys());
                          } };
        QVERIFY(w.openProgram(info));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        views::VariantPane* store = w.storePane();
        views::VariantPane* env = w.envPane();

        const quint64 added = stepOf(w, EventKind::StoreWrite, u"label"_s);
        QVERIFY(added > 0);
        QVERIFY(w.session()->goToStep(added));
        QCOMPARE(changeOf(store, u"label"_s), u"'first'  (new)"_s);
        QCOMPARE(changeOf(store, u"counter"_s), u"1"_s); // written at an earlier step

        quint64 rewrite = 0; // counter 1 → 2 (inside the Local scope)
        for (const Event& e : w.session()->liveEvents().toList())
            if (e.kind == EventKind::StoreWrite && e.name == u"counter"_s && e.old.isValid()) rewrite = e.step;
        QVERIFY(rewrite > added);
        QVERIFY(w.session()->goToStep(rewrite));
        QCOMPARE(changeOf(store, u"counter"_s), u"1 → 2"_s);
        QCOMPARE(changeOf(store, u"label"_s), u"'first'"_s);

        const quint64 entered = stepOf(w, EventKind::EnvEntered);
        QVERIFY(entered > 0);
        QVERIFY(w.session()->goToStep(entered));
        QCOMPARE(changeOf(env, u"mode"_s), u"'fast'  (new)"_s);
        const quint64 left = stepOf(w, EventKind::EnvLeft);
        QVERIFY(left > entered);
        QVERIFY(w.session()->goToStep(left));
        QCOMPARE(changeOf(env, u"mode"_s), u"'fast'  (removed)"_s);

        // the filter box: a nested key keeps its parents, and the filter survives stepping
        store->filterEdit()->setText(u"NEEDLE"_s);
        const QAbstractItemModel& shown = *store->view()->model();
        QCOMPARE(shown.rowCount(), 1);
        QCOMPARE(shown.index(0, 0).data().toString(), u"config"_s);
        QVERIFY(store->view()->isExpanded(shown.index(0, 0)));
        QVERIFY(w.session()->goToStep(rewrite));
        QCOMPARE(store->filterEdit()->text(), u"NEEDLE"_s);
        QCOMPARE(shown.rowCount(), 1);
        QVERIFY(w.session()->goToStep(added)); // config is not there yet
        QCOMPARE(shown.rowCount(), 0);
        store->filterEdit()->setText(u"first"_s); // by value
        QCOMPARE(shown.rowCount(), 1);
        QCOMPARE(shown.index(0, 0).data().toString(), u"label"_s);
        store->filterEdit()->clear();
        QCOMPARE(shown.rowCount(), store->model()->rowCount());
    }

    /// Issue 20: the Watches dock evaluates store keys, env keys and tasks at the viewed step,
    /// highlights what the step changed, and keeps the list per program across restarts.
    void watchesFollowTheViewedStepAndPersist()
    {
        const QString key = views::WatchPane::settingsKey(u"rewrites_keys"_s);
        QSettings().remove(key);
        const auto cleanup = qScopeGuard([key] { QSettings().remove(key); });
        ProgramInfo info { .name = u"rewrites_keys"_s, .description = {}, .make = [] {
                              return AnyProgram(rewritesKeys());
                          } };
        {
            studio::MainWindow w;
            w.show();
            auto* dock = w.findChild<QDockWidget*>(u"watchesDock"_s);
            QVERIFY(dock);
            const QList<QObject*> shownIn = dock->toggleViewAction()->associatedObjects();
            QVERIFY(std::any_of(shownIn.cbegin(), shownIn.cend(), [](QObject* o) { return qobject_cast<QMenu*>(o); }));
            QVERIFY(w.openProgram(info));
            QVERIFY(waitPaused(w.session()));
            QVERIFY(trigger(w, "continue"));
            QVERIFY(waitResult(w.session()));
            views::WatchPane* pane = w.watchPane();
            pane->addEdit()->setText(u"counter"_s);
            QTest::keyClick(pane->addEdit(), Qt::Key_Return);
            QVERIFY(pane->addEdit()->text().isEmpty());
            QVERIFY(pane->addWatch(u"env:mode"_s));
            QVERIFY(pane->addWatch(u"task 0"_s));
            const QAbstractItemModel& m = *pane->model();
            const auto value = [&m](int r) { return m.index(r, views::WatchModel::ValueColumn).data().toString(); };
            const auto changed = [&m](int r) { return m.index(r, 1).data(views::WatchModel::ChangedRole).toBool(); };
            QCOMPARE(value(0), u"2"_s);
            QVERIFY2(value(2).startsWith(u"done"_s), qPrintable(value(2)));

            quint64 rewrite = 0;
            for (const Event& e : w.session()->liveEvents().toList())
                if (e.kind == EventKind::StoreWrite && e.name == u"counter"_s && e.old.isValid()) rewrite = e.step;
            QVERIFY(w.session()->goToStep(rewrite));
            QCOMPARE(value(0), u"2"_s);
            QVERIFY(changed(0));
            QVERIFY(m.index(0, 1).data(Qt::ToolTipRole).toString().contains(u"Before this step: 1"_s));
            QCOMPARE(value(1), u"'fast'"_s); // inside the Local scope
            QVERIFY(!changed(1));
            QVERIFY2(!value(2).startsWith(u"done"_s), qPrintable(value(2)));
            QVERIFY(w.session()->goToStep(stepOf(w, EventKind::StoreWrite, u"label"_s)));
            QCOMPARE(value(0), u"1"_s);
            QVERIFY(!changed(0));
            QCOMPARE(value(1), u"<not set>"_s);
            QVERIFY(w.session()->goToStep(stepOf(w, EventKind::EnvEntered)));
            QVERIFY(changed(1));
            // removing by the selection; the list is saved as it changes
            pane->view()->selectionModel()->select(m.index(2, 0),
                                                   QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
            pane->removeSelected();
            QCOMPARE(pane->model()->expressions(), (QStringList { u"counter"_s, u"env:mode"_s }));
            QCOMPARE(QSettings().value(key).toStringList(), (QStringList { u"counter"_s, u"env:mode"_s }));
            // edited in place
            QVERIFY(pane->model()->setData(m.index(1, 0), u"label"_s));
            // the dock is in the View menu and back after Reset Layout
            dock->close();
            QVERIFY(dock->isHidden());
            action(w, "resetLayout")->trigger();
            QVERIFY(!dock->isHidden());
        }
        // another window (a restart) opening the program has the list back
        studio::MainWindow w;
        QVERIFY(w.watchPane()->model()->expressions().isEmpty());
        QVERIFY(w.openProgram(info));
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.watchPane()->model()->expressions(), (QStringList { u"counter"_s, u"label"_s }));
    }

    /// Issue 19, journey 1: travelling back to a step where task 2 runs and selecting task 3 in
    /// Tasks, Source, Stack, Store, Environment and the status bar all describe task 3 there.
    void timeTravelKeepsEveryPaneOnTheSelectedTask()
    {
        studio::MainWindow w;
        w.show();
        // pipeline: producer (1), parser (2) and consumer (3) run different code
        QVERIFY(runToEnd(w, u"pipeline"_s));
        QVERIFY(w.session()->presentState().tasks().size() >= 4);
        const auto programFrame = [](const QList<FrameInfo>& k) -> std::optional<FrameInfo> {
            for (const FrameInfo& f : k)
                if (f.kind == u"ProgramFrame"_s && !f.file.isEmpty()) return f;
            return std::nullopt;
        };
        // a past step where task 2 runs and task 3 is alive somewhere else in its code
        QSlider* slider = w.timelinePane()->slider();
        QVERIFY(slider->isEnabled());
        quint64 step = 0;
        for (quint64 s = 1; s < w.session()->presentStep() && step == 0; ++s) {
            slider->setValue(int(s));
            const SessionState& st = w.session()->state();
            const std::optional<FrameInfo> other = programFrame(st.k(3));
            const std::optional<FrameInfo> running = programFrame(st.k(2));
            if (st.currentTask() == 2 && st.task(3) && !st.task(3)->isFinished() && other && running
                && (other->line != running->line || other->file != running->file))
                step = s;
        }
        QVERIFY2(step > 0, "no step where task 2 runs while task 3 waits elsewhere");
        QVERIFY(!w.session()->isAtPresent());
        QCOMPARE(w.session()->viewStep(), step);

        // select task 3 in Tasks, as a click does
        QTreeView* tasks = w.tasksPane()->view();
        QModelIndex row;
        for (int r = 0; r < tasks->model()->rowCount(); ++r)
            if (tasks->model()->index(r, 0).data(TaskModel::TaskIdRole).toInt() == 3) row = tasks->model()->index(r, 0);
        QVERIFY(row.isValid());
        tasks->setCurrentIndex(row);
        QCOMPARE(w.session()->selectedTask(), 3);
        QCOMPARE(w.session()->viewStep(), step);

        const SessionState& st = w.session()->state();
        const std::optional<FrameInfo> top = programFrame(st.k(3));
        QVERIFY(top);
        QCOMPARE(w.sourcePane()->file(), top->file);
        QCOMPARE(w.sourcePane()->line(), top->line);
        QCOMPARE(w.stackPane()->model()->rowCount(), int(st.k(3).size()));
        const QString stackTitle = w.stackPane()->findChild<QLabel*>()->text();
        QVERIFY2(stackTitle.startsWith(u"Task 3 "_s), qPrintable(stackTitle));
        QMap<QString, QString> store;
        for (const auto& [k, v] : st.store(3).entries())
            if (!k.startsWith(u"__"_s)) store.insert(k, repr(v));
        QMap<QString, QString> shownStore = paneValues(*w.storePane()->model());
        shownStore.removeIf([](const auto& kv) { return kv.key().startsWith(u"__"_s); });
        QCOMPARE(shownStore.keys(), store.keys());
        QCOMPARE(paneValues(*w.envPane()->model()).keys(), st.task(3)->env.keys());
        QVERIFY2(w.reasonText().contains(u"task 3 "_s), qPrintable(w.reasonText()));
        QVERIFY2(w.stepText().contains(QString::number(step)), qPrintable(w.stepText()));
    }

    /// Issue 19, journey 2: with Run ▸ Follow Running Task off, stepping keeps the task the user
    /// selected; on (the default), the selection follows the task that paused.
    void steppingKeepsSelectionUnlessFollowing()
    {
        QSettings().remove(u"followRunningTask"_s); // the default, whatever an earlier run left
        const auto restore = qScopeGuard([] { QSettings().remove(u"followRunningTask"_s); });
        studio::MainWindow w;
        QAction* follow = action(w, "followRunningTask");
        QVERIFY(follow);
        QVERIFY(follow->isChecked());
        QVERIFY(w.openExample(u"word_count"_s));
        QVERIFY(waitPaused(w.session()));
        for (int i = 0; i < 12; ++i)
            QVERIFY(trigger(w, "stepInto"));
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->presentState().tasks().size() > 1, Timeout);
        int other = -1;
        for (auto it = w.session()->presentState().tasks().cbegin(); it != w.session()->presentState().tasks().cend();
             ++it)
            if (it.key() != w.session()->lastPause()->task && !it->isFinished()) other = it.key();
        QVERIFY(other >= 0);
        follow->setChecked(false);
        w.session()->setSelectedTask(other);
        bool pausedElsewhere = false;
        for (int i = 0; i < 6; ++i) {
            QVERIFY(trigger(w, "stepInto"));
            if (w.session()->presentState().task(other) == nullptr
                || w.session()->presentState().task(other)->isFinished())
                break;
            pausedElsewhere = pausedElsewhere || w.session()->lastPause()->task != other;
            QCOMPARE(w.session()->selectedTask(), other);
        }
        QVERIFY(pausedElsewhere);
        follow->setChecked(true);
        QVERIFY(QSettings().value(u"followRunningTask"_s).toBool());
        QVERIFY(trigger(w, "stepInto"));
        QCOMPARE(w.session()->selectedTask(), w.session()->lastPause()->task);
    }

    /// Issue 19, journeys 4 and 7: a Timeline zoomed in one document is fitted again for the next;
    /// clicking a lane's marks selects its task and goes to the step.
    void timelineDrawsSpawnAndWakeFlows()
    {
        studio::MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(runToEnd(w, u"word_count"_s));
        views::TimelineView* view = w.timelinePane()->view();
        QTRY_VERIFY_WITH_TIMEOUT(w.timelinePane()->model()->rowCount() == 4, Timeout);
        // main spawns three counters, then its Gather is woken by the last one to finish
        QStringList flows;
        for (const views::TimelineFlow& f : w.timelinePane()->model()->timeline()->flows())
            flows.append(u"%1 %2->%3"_s.arg(f.kind == views::TimelineFlow::Kind::Spawn ? u"spawn"_s : u"wake"_s)
                             .arg(f.fromTask)
                             .arg(f.toTask));
        QCOMPARE(flows, QStringList({ u"spawn 0->1"_s, u"spawn 0->2"_s, u"spawn 0->3"_s, u"wake 2->0"_s }));
        view->fit();
        view->repaint();
        QCOMPARE(view->lastPaintedFlows(), 4);
        // zoomed onto the end of the run only the wake starts there
        view->setRange(w.session()->presentStep() - 8, w.session()->presentStep() + 1);
        view->repaint();
        QCOMPARE(view->lastPaintedFlows(), 1);
    }

    void timelineResetsPerDocumentAndClickSelectsTask()
    {
        studio::MainWindow w;
        w.resize(1400, 900);
        w.show();
        QVERIFY(runToEnd(w, u"word_count"_s));
        views::TimelineView* view = w.timelinePane()->view();
        QTRY_VERIFY_WITH_TIMEOUT(w.timelinePane()->model()->rowCount() > 1, Timeout);
        QVERIFY(view->width() > views::TimelineView::LabelWidth + 50);
        QVERIFY(view->height() > views::TimelineView::RulerHeight + 2 * view->laneHeight());

        // click the second lane: its task is selected
        const views::TimelineLane* lane = w.timelinePane()->model()->lane(view->firstLane() + 1);
        QVERIFY(lane);
        QVERIFY(lane->task != w.session()->selectedTask());
        const QPoint at(views::TimelineView::LabelWidth + (view->width() - views::TimelineView::LabelWidth) / 2,
                        views::TimelineView::RulerHeight + view->laneHeight() + view->laneHeight() / 2);
        QTest::mouseClick(view, Qt::LeftButton, {}, at);
        QCOMPARE(w.session()->selectedTask(), lane->task);
        QVERIFY(!w.session()->isAtPresent());

        view->setRange(2, 6);
        QVERIFY(!view->isFitted());
        QVERIFY(w.openExample(u"counter"_s));
        QVERIFY(view->isFitted());
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(view->rangeFrom(), quint64(0));
    }

    // Not a trace, truncated, wrong version: a message box naming the file and the problem; the
    // paused run stays as it was.
    /// A FIFO given as a document is refused at once: sniffing its type must not block the GUI
    /// thread on an open that waits for a writer.
    void fifoIsRefusedWithoutBlocking()
    {
        QTemporaryDir dir;
        const QString fifo = dir.filePath(u"pipe.doefftrace"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        studio::MainWindow w;
        QSignalSpy failed(&w, &studio::MainWindow::fileFailed);
        w.openFile(fifo);
        QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, Timeout);
        QVERIFY2(failed.first().at(1).toString().contains(u"not a regular file"_s),
                 qPrintable(failed.first().at(1).toString()));
    }

    /// A trace whose recorder was stopped (no index at the end) opens up to its last complete
    /// frame, and the message bar says what was recovered.
    void stoppedTraceOpensWithANotice()
    {
        QTemporaryDir dir;
        studio::MainWindow w;
        QVERIFY(runToEnd(w, u"word_count"_s));
        const QString good = dir.filePath(u"good.doefftrace"_s);
        QVERIFY(exportAndWait(w, views::TraceFormat::Native, good));
        const QByteArray bytes = readBytes(good);
        const QString cut = dir.filePath(u"stopped.doefftrace"_s);
        QVERIFY(writeBytes(cut, bytes.left(bytes.size() - 100))); // the footer and index are gone
        QVERIFY(openTraceAndWait(w, cut));
        QCOMPARE(w.session()->status(), RunStatus::Trace);
        QVERIFY2(w.messageText().contains(u"recovered an unfinished trace"_s), qPrintable(w.messageText()));
        QVERIFY(w.session()->history()->lastStep() > 0);
    }

    void badTracesKeepTheSession()
    {
        QTemporaryDir dir;
        studio::MainWindow w;
        QVERIFY(runToEnd(w, u"count_to_three"_s));
        const QString good = dir.filePath(u"good.doefftrace"_s);
        QVERIFY(exportAndWait(w, views::TraceFormat::Native, good));
        const QByteArray bytes = readBytes(good);
        QVERIFY(!bytes.isEmpty());
        QByteArray wrongVersion = bytes;
        wrongVersion[8] = char(7);

        QVERIFY(w.openExample(u"word_count"_s));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(trigger(w, "stepInto"));
        const quint64 step = w.session()->state().step();
        const QList<std::pair<QString, QByteArray>> bad {
            { u"garbage.doefftrace"_s, QByteArray("DOEFFTRC but then nothing useful") },
            { u"truncated.doefftrace"_s, bytes.left(12) }, // inside the header: nothing to recover
            { u"version.doefftrace"_s, wrongVersion },
        };
        for (const auto& [name, content] : bad) {
            const QString path = dir.filePath(name);
            QVERIFY(writeBytes(path, content));
            QSignalSpy failed(&w, &studio::MainWindow::fileFailed);
            QVERIFY(!openTraceAndWait(w, path));
            QCOMPARE(failed.size(), 1);
            const QString message = failed.first().at(1).toString();
            QVERIFY2(message.contains(name), qPrintable(message));
            QVERIFY2(w.messageText().contains(name), qPrintable(w.messageText()));
            bool boxed = false;
            for (QMessageBox* box : w.findChildren<QMessageBox*>(u"fileErrorBox"_s))
                boxed = boxed || box->text().contains(name);
            QVERIFY(boxed);
            // nothing lost: the same paused run
            QCOMPARE(w.session()->programName(), u"word_count"_s);
            QVERIFY(w.session()->isPaused());
            QCOMPARE(w.session()->state().step(), step);
        }
        for (QMessageBox* box : w.findChildren<QMessageBox*>())
            box->close();
        QVERIFY(trigger(w, "stepInto"));
        QCOMPARE(w.session()->state().step(), step + 1);
    }

    // Scrubbing a live run shows recorded states; Live (or any step command) returns.
    void liveScrubbing()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(w.openExample(u"word_count"_s));
        QVERIFY(waitPaused(w.session()));
        for (int i = 0; i < 15; ++i)
            QVERIFY(trigger(w, "stepInto"));
        views::TimelinePane* timeline = w.timelinePane();
        const quint64 present = w.session()->presentStep();
        QCOMPARE(w.session()->viewStep(), present);
        QVERIFY(!timeline->liveButton()->isEnabled());
        const QStringList now = dumpPanes(w);
        QVERIFY(w.tasksPane()->model()->rowCount() > 1);
        QTest::keyClick(timeline, Qt::Key_Home);
        QCOMPARE(w.session()->viewStep(), quint64(0));
        QVERIFY(timeline->liveButton()->isEnabled());
        QCOMPARE(w.tasksPane()->model()->rowCount(), 1); // only main at step 0
        QVERIFY(w.session()->isPaused());
        QVERIFY(!w.session()->showsPause());
        QVERIFY(w.reasonText().contains(u"past"_s));
        QVERIFY(dumpPanes(w) != now);
        timeline->liveButton()->click();
        QVERIFY(w.session()->isAtPresent());
        QCOMPARE(dumpPanes(w), now);
        // from the past Step Into goes forward through the history; the other step commands act
        // on the present
        QTest::keyClick(timeline, Qt::Key_Left);
        QVERIFY(!w.session()->isAtPresent());
        QVERIFY(trigger(w, "stepInto"));
        QVERIFY(w.session()->isAtPresent());
        QCOMPARE(w.session()->presentStep(), present);
        QTest::keyClick(timeline, Qt::Key_Left);
        QVERIFY(!w.session()->isAtPresent());
        QVERIFY(trigger(w, "stepEffect"));
        QVERIFY(w.session()->isAtPresent());
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->lastPause() && w.session()->lastPause()->reason == u"effect"_s, 20000);
    }

    void resultFileShowsTasks()
    {
        QTemporaryDir dir;
        studio::MainWindow w;
        QVERIFY(runToEnd(w, u"pipeline"_s));
        const QString saved = dir.filePath(u"pipeline.doeffresult"_s);
        QVERIFY(w.saveResult(saved));
        QVERIFY(w.openFile(saved));
        QCOMPARE(w.session()->status(), RunStatus::Loaded);
        TaskModel* tasks = w.tasksPane()->model();
        QVERIFY(tasks->rowCount() >= 1);
        QCOMPARE(tasks->index(0, TaskModel::IdColumn).data().toInt(), 0);
        QCOMPARE(tasks->index(0, TaskModel::StateColumn).data().toString(), u"failed"_s);
        QVERIFY(tasks->index(0, TaskModel::EffectColumn).data().toString().startsWith(u"Err("_s));
        QVERIFY(w.stackPane()->model()->rowCount() >= 1);
        // nothing to export or scrub in a result file
        QVERIFY(!action(w, "exportNative")->isEnabled());
        QVERIFY(!w.timelinePane()->slider()->isEnabled());
    }

    void failingProgramShowsErr()
    {
        studio::MainWindow w;
        QVERIFY(w.openExample(u"pipeline"_s));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QVERIFY2(w.resultPane()->summary().startsWith(u"Err("_s), qPrintable(w.resultPane()->summary()));
        QVERIFY(w.resultPane()->text().contains(u"ParseError"_s));
    }

    void stopAbortsALongRun()
    {
        studio::MainWindow w;
        ProgramInfo info { .name = u"forever"_s, .description = {}, .make = [] { return AnyProgram(forever()); } };
        w.openProgram(info);
        QVERIFY(waitPaused(w.session()));
        action(w, "continue")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->state().step() > 2000, Timeout);
        QVERIFY(w.run()->isRunning());
        QCOMPARE(w.run(), w.liveRun()); // not an example or library program: run in process
        QVERIFY(action(w, "stop")->isEnabled());
        action(w, "stop")->trigger();
        QVERIFY(waitResult(w.session()));
        QCOMPARE(w.session()->result().error().type_name(), u"RunAbortedError"_s);
        QVERIFY(w.resultPane()->summary().contains(u"RunAbortedError"_s));
        // pause works on a free-running loop too
        w.openProgram(info);
        QVERIFY(waitPaused(w.session()));
        action(w, "continue")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->state().step() > 500, Timeout);
        action(w, "pause")->trigger();
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.session()->lastPause()->reason, u"pause"_s);
    }

    void breakpointsFromThePanePause()
    {
        studio::MainWindow w;
        QVERIFY(w.openExample(u"word_count"_s));
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.run(), w.remoteRun()); // out of process: the breakpoints live in doeff-run
        BreakpointsPane* pane = w.breakpointsPane();
        pane->kindBox()->setCurrentIndex(0); // Effect
        pane->patternEdit()->setText(u"Gather"_s);
        QCOMPARE(pane->addFromInput(), QString());
        pane->kindBox()->setCurrentIndex(6); // Task spawn
        QCOMPARE(pane->addFromInput(), QString());
        QCOMPARE(pane->model()->rowCount(), 2);
        pane->kindBox()->setCurrentIndex(3); // File:line
        pane->patternEdit()->setText(u"nonsense"_s);
        QVERIFY(!pane->addFromInput().isEmpty());

        QVERIFY(trigger(w, "continue"));
        QVERIFY2(w.session()->lastPause()->reason.contains(u"TaskSpawn"_s)
                     || w.session()->lastPause()->reason.contains(u"spawn"_s),
                 qPrintable(w.session()->lastPause()->reason));
        // disable the spawn breakpoint through its checkbox; the next stop is the Gather
        QVERIFY(pane->model()->setData(pane->model()->index(1, 0), Qt::Unchecked, Qt::CheckStateRole));
        QVERIFY(trigger(w, "continue"));
        QVERIFY2(w.session()->lastPause()->reason.contains(u"Gather"_s), qPrintable(w.session()->lastPause()->reason));
        QCOMPARE(pane->model()->index(0, BreakpointModel::HitsColumn).data().toInt(), 1);
        QCOMPARE(pane->model()->index(1, BreakpointModel::HitsColumn).data().toInt(), 1);
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QVERIFY(w.resultPane()->summary().startsWith(u"Ok("_s));

        // the breakpoints stay for the next run, in process too
        w.setRunInProcess(true);
        QVERIFY(w.openExample(u"word_count"_s));
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.run(), w.liveRun());
        QCOMPARE(pane->model()->rowCount(), 2);
        QVERIFY(trigger(w, "continue"));
        QVERIFY2(w.session()->lastPause()->reason.contains(u"Gather"_s), qPrintable(w.session()->lastPause()->reason));
    }

    // Issue 20: the Source pane's margin shows line numbers and the source-line breakpoints of the
    // Breakpoints pane's list (one model): a click adds one, the dot turns hollow when it is
    // disabled in the pane, a second click removes it; the pause it makes counts a hit, and the
    // Hits column is in view at the default width.
    void sourceMarginTogglesBreakpoints()
    {
        studio::MainWindow w;
        w.show();
        w.setRunInProcess(true);
        QVERIFY(w.openExample(u"pipeline"_s));
        QVERIFY(waitPaused(w.session()));
        SourcePane* source = w.sourcePane();
        BreakpointsPane* pane = w.breakpointsPane();
        for (int i = 0; i < 5 && !source->showsSource(); ++i)
            QVERIFY(trigger(w, "stepInto"));
        QVERIFY(source->showsSource());
        const QString file = source->file();
        QVERIFY(file.endsWith(u"examples/concurrency.cpp"_s));
        // the text is the file's own: the numbers are in the margin
        QVERIFY(!source->editor()->document()->findBlockByNumber(0).text().startsWith(u"1 "_s));
        source->showLocation(file, 82);
        QTRY_VERIFY(source->gutterY(82) >= 0);
        QCOMPARE(source->markerAt(82), SourcePane::Marker::None);
        QTest::mouseClick(source->gutter(), Qt::LeftButton, {}, QPoint(8, source->gutterY(82)));
        QCOMPARE(pane->model()->rowCount(), 1);
        QCOMPARE(pane->model()->index(0, BreakpointModel::WhereColumn).data().toString(), u"concurrency.cpp:82"_s);
        QCOMPARE(source->markerAt(82), SourcePane::Marker::Enabled);
        QCOMPARE(source->markerAt(81), SourcePane::Marker::None);
        // disabled in the pane: hollow in the margin
        QVERIFY(pane->model()->setData(pane->model()->index(0, 0), Qt::Unchecked, Qt::CheckStateRole));
        QCOMPARE(source->markerAt(82), SourcePane::Marker::Disabled);
        QVERIFY(!w.run()->breakpoints().first().enabled);
        // a second click removes it, from both views
        QTest::mouseClick(source->gutter(), Qt::LeftButton, {}, QPoint(8, source->gutterY(82)));
        QCOMPARE(pane->model()->rowCount(), 0);
        QCOMPARE(source->markerAt(82), SourcePane::Marker::None);
        // added again, it pauses the run there and counts the hit
        QTest::mouseClick(source->gutter(), Qt::LeftButton, {}, QPoint(8, source->gutterY(82)));
        QCOMPARE(pane->model()->rowCount(), 1);
        QVERIFY(trigger(w, "continue"));
        QCOMPARE(w.session()->lastPause()->event.line, 82);
        QVERIFY2(w.session()->lastPause()->reason.contains(u"breakpoint"_s),
                 qPrintable(w.session()->lastPause()->reason));
        QCOMPARE(pane->model()->index(0, BreakpointModel::HitsColumn).data().toInt(), 1);
        // the Hits column is in view at the pane's default width
        QTreeView* view = pane->view();
        const QHeaderView* header = view->header();
        QTRY_VERIFY(view->isVisible());
        QVERIFY2(header->sectionViewportPosition(BreakpointModel::HitsColumn)
                         + header->sectionSize(BreakpointModel::HitsColumn)
                     <= view->viewport()->width(),
                 qPrintable(u"%1 + %2 > %3"_s.arg(header->sectionViewportPosition(BreakpointModel::HitsColumn))
                                .arg(header->sectionSize(BreakpointModel::HitsColumn))
                                .arg(view->viewport()->width())));
        QVERIFY(header->sectionSize(BreakpointModel::HitsColumn) >= view->fontMetrics().horizontalAdvance(u"Hits"_s));
        action(w, "stop")->trigger();
    }

    // Issue 20: Run to Cursor (Ctrl+F10, Run menu, the Source pane's context menu) runs on to the
    // line of the text cursor in the shown file; disabled with no paused live run or no source.
    // In process and out.
    void runToCursor_data()
    {
        QTest::addColumn<bool>("inProcess");
        QTest::addRow("out of process") << false;
        QTest::addRow("in process") << true;
    }
    void runToCursor()
    {
        QFETCH(bool, inProcess);
        studio::MainWindow w;
        w.show();
        QAction* toCursor = action(w, "runToCursor");
        QVERIFY(toCursor);
        QCOMPARE(toCursor->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_F10));
        QVERIFY(!toCursor->isEnabled()); // nothing runs
        const auto rows = w.shortcutList();
        QVERIFY(std::any_of(rows.begin(), rows.end(), [](const auto& r) {
            return r.first == u"Run ▸ Run to Cursor"_s && r.second.contains(u"F10"_s);
        }));
        w.setRunInProcess(inProcess);
        QVERIFY(w.openExample(u"pipeline"_s));
        QVERIFY(waitPaused(w.session()));
        SourcePane* source = w.sourcePane();
        for (int i = 0; i < 5 && !source->showsSource(); ++i)
            QVERIFY(trigger(w, "stepInto"));
        QVERIFY(source->showsSource());
        QTRY_VERIFY(toCursor->isEnabled());
        // the text cursor on line 82 (parse_record's Step)
        source->showLocation(source->file(), 82);
        QCOMPARE(source->cursorLine(), 82);
        QVERIFY(trigger(w, "runToCursor"));
        QCOMPARE(w.session()->lastPause()->event.line, 82);
        QVERIFY(w.session()->lastPause()->eventFile.endsWith(u"examples/concurrency.cpp"_s));
        // no source shown: disabled
        source->clear();
        QVERIFY(!toCursor->isEnabled());
        // running (not paused): disabled
        source->showLocation(w.session()->lastPause()->eventFile, 82);
        QVERIFY(toCursor->isEnabled());
        action(w, "stop")->trigger();
        QVERIFY(waitResult(w.session()) || !w.run()->isRunning());
        QTRY_VERIFY(!toCursor->isEnabled());
    }

    void runBackToCursor()
    {
        studio::MainWindow w;
        w.show();
        QAction* back = action(w, "runBackToCursor");
        QVERIFY(back);
        QCOMPARE(back->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F10));
        w.setRunInProcess(true);
        QVERIFY(w.openExample(u"pipeline"_s));
        QVERIFY(waitPaused(w.session()));
        SourcePane* source = w.sourcePane();
        for (int i = 0; i < 5 && !source->showsSource(); ++i)
            QVERIFY(trigger(w, "stepInto"));
        // twice to parse_record's line 82 (one record each)
        source->showLocation(source->file(), 82);
        QVERIFY(trigger(w, "runToCursor"));
        const quint64 first = w.session()->viewStep();
        // (the next events of the same activation are at that line too: run on until the next record)
        const QString file = source->file();
        for (int i = 0; i < 20 && w.session()->viewStep() <= first + 8; ++i) {
            source->showLocation(file, 82);
            QVERIFY(trigger(w, "runToCursor"));
        }
        const quint64 second = w.session()->viewStep();
        QCOMPARE(w.session()->lastPause()->event.line, 82);
        QVERIFY2(second > first + 8, qPrintable(u"%1 after %2"_s.arg(second).arg(first)));
        // back: the last earlier step at that line, in the previous record's activation
        source->showLocation(source->file(), 82);
        QTRY_VERIFY(back->isEnabled());
        back->trigger();
        const quint64 previous = w.session()->viewStep();
        QVERIFY2(previous >= first && previous < second,
                 qPrintable(u"%1 not in [%2, %3)"_s.arg(previous).arg(first).arg(second)));
        QCOMPARE(w.session()->presentStep(), second); // the run stayed where it was
        // and on back to before the first time the line ran
        for (int i = 0; i < 200 && !w.messageText().contains(u"No step before"_s); ++i) {
            source->showLocation(source->file(), 82);
            back->trigger();
        }
        QVERIFY2(w.messageText().contains(u"No step before step"_s), qPrintable(w.messageText()));
        QVERIFY(w.session()->viewStep() <= first);
    }

    // Issue 20: double-clicking a breakpoint opens its dialog: the effect name is completed from
    // the built-in effects and those the run performed, an unknown one is refused with a
    // suggestion, and a hit count makes the run pause only at that hit.
    void breakpointDialogEditsAndValidates()
    {
        studio::MainWindow w;
        w.show();
        w.setRunInProcess(true);
        QVERIFY(w.openExample(u"pipeline"_s));
        QVERIFY(waitPaused(w.session()));
        BreakpointsPane* pane = w.breakpointsPane();
        pane->kindBox()->setCurrentIndex(4); // Any error: to be turned into an effect breakpoint
        QCOMPARE(pane->addFromInput(), QString());
        QTreeView* view = pane->view();
        const QModelIndex row = pane->model()->index(0, BreakpointModel::WhereColumn);
        QTRY_VERIFY(view->visualRect(row).isValid());
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(row).center());
        QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, view->visualRect(row).center());
        BreakpointDialog* dialog = nullptr;
        QTRY_VERIFY((dialog = w.findChild<BreakpointDialog*>()));
        QTRY_VERIFY(dialog->isVisible());
        dialog->kindBox()->setCurrentIndex(dialog->kindBox()->findData(int(Breakpoint::Kind::Effect)));
        // the completer offers the effects, built in and seen
        QVERIFY(dialog->patternEdit()->completer());
        const QStringList names = qobject_cast<QStringListModel*>(dialog->completer()->model())->stringList();
        for (const QString& n : { u"Tell"_s, u"Step"_s, u"Spawn"_s, u"CreatePromise"_s })
            QVERIFY2(names.contains(n), qPrintable(n));
        // wide enough to type in
        QVERIFY(dialog->patternEdit()->width()
                >= dialog->fontMetrics().horizontalAdvance(u"CompletePromise key=value"_s));
        QVERIFY(dialog->conditionEdit()->width() >= dialog->fontMetrics().horizontalAdvance(u"key=counter value=42"_s));
        // an unknown effect is refused
        dialog->patternEdit()->setText(u"Tel"_s);
        dialog->accept();
        QVERIFY(dialog->isVisible());
        QCOMPARE(dialog->problemLabel()->text(), u"no effect named Tel; did you mean Tell?"_s);
        QVERIFY(dialog->problemLabel()->isVisible());
        QCOMPARE(pane->model()->index(0, BreakpointModel::KindColumn).data().toString(), u"error"_s);
        // CreatePromise, paused only at its second hit (pipeline_main makes two promises)
        dialog->patternEdit()->setText(u"CreatePromise"_s);
        dialog->hitCountBox()->setValue(2);
        dialog->accept();
        QTRY_VERIFY(!w.findChild<BreakpointDialog*>());
        const Breakpoint b = w.run()->breakpoints().first();
        QCOMPARE(b.kind, Breakpoint::Kind::Effect);
        QCOMPARE(b.pattern, u"CreatePromise"_s);
        QCOMPARE(b.hitCount, 2);
        QCOMPARE(pane->model()->index(0, BreakpointModel::WhereColumn).data().toString(), u"CreatePromise (hit 2)"_s);
        QVERIFY(trigger(w, "continue"));
        QVERIFY2(w.session()->lastPause()->reason.startsWith(u"breakpoint"_s),
                 qPrintable(w.session()->lastPause()->reason));
        QCOMPARE(w.session()->lastPause()->event.text, u"CreatePromise"_s);
        QCOMPARE(w.session()->lastPause()->event.line, 116);
        QCOMPARE(pane->model()->index(0, BreakpointModel::HitsColumn).data().toInt(), 2);
        action(w, "stop")->trigger();
    }

    // Issue 20: logpoints in the Studio. The margin's Add Logpoint… opens the dialog for one (a
    // message is required); it shows as a diamond in the margin and the list; a run out of
    // process logs three messages into the Log pane and never pauses; the dialog turns it back
    // into a breakpoint; logpoints are saved with the program's breakpoints.
    void logpointsFromTheMarginLogIntoTheLogPane()
    {
        {
            studio::MainWindow w;
            w.show();
            w.setRunInProcess(true);
            QVERIFY(w.openExample(u"count_to_three"_s)); // out of process: protocol 4's Resume
            QVERIFY(waitPaused(w.session()));
            SourcePane* source = w.sourcePane();
            source->showLocation(QStringLiteral(DOEFF_EXAMPLES_SOURCE_DIR "/basics.cpp"), 25);
            QVERIFY(source->showsSource());
            const QString file = u"examples/basics.cpp"_s; // as the build names it: a suffix
            // line 25: co_await Put("counter", count + 1)
            QVERIFY(source->editor()->document()->findBlockByNumber(24).text().contains(u"Put(\"counter\""_s));
            w.addLogpoint(file, 25);
            BreakpointDialog* dialog = nullptr;
            QTRY_VERIFY((dialog = w.findChild<BreakpointDialog*>()));
            QCOMPARE(dialog->windowTitle(), u"New Logpoint"_s);
            dialog->accept(); // no message: refused
            QVERIFY(dialog->isVisible());
            QCOMPARE(dialog->problemLabel()->text(), u"A logpoint needs a message to log."_s);
            dialog->logMessageEdit()->setText(u"counter {store.counter"_s);
            dialog->accept(); // an unclosed brace
            QVERIFY(dialog->isVisible());
            QVERIFY2(dialog->problemLabel()->text().contains(u"without its '}'"_s),
                     qPrintable(dialog->problemLabel()->text()));
            dialog->logMessageEdit()->setText(u"counter {store.counter} at step {step}"_s);
            dialog->accept();
            QTRY_VERIFY(!w.findChild<BreakpointDialog*>());
            QCOMPARE(w.run()->breakpoints().size(), 1);
            const Breakpoint lp = w.run()->breakpoints().first();
            QVERIFY(lp.isLogpoint());
            QCOMPARE(lp.kind, Breakpoint::Kind::SourceLine);
            QCOMPARE(source->markerAt(25), SourcePane::Marker::Logpoint);
            const QModelIndex where = w.breakpointsPane()->model()->index(0, BreakpointModel::WhereColumn);
            QCOMPARE(where.data().toString(), u"basics.cpp:25  log: counter {store.counter} at step {step}"_s);
            QCOMPARE(where.data(Qt::DecorationRole).userType(), QMetaType::QIcon);

            int pauses = 0;
            connect(w.session(), &StudioSession::statusChanged, &w, [&] {
                if (w.session()->isPaused()) ++pauses;
            });
            action(w, "continue")->trigger();
            QVERIFY(waitResult(w.session()));
            QCOMPARE(pauses, 0);
            const QList<LogpointMessage> logged = w.session()->logpointMessages();
            QCOMPARE(logged.size(), 3);
            for (int i = 0; i < 3; ++i)
                QCOMPARE(logged[i].text, u"counter %1 at step %2"_s.arg(i).arg(logged[i].step));
            QCOMPARE(w.run()->breakpoints().first().hits, 3);
            w.session()->refreshNow();
            const QAbstractItemModel* log = w.logPane()->model();
            QCOMPARE(log->rowCount(), 3);
            QCOMPARE(log->index(2, LogModel::MessageColumn).data().toString(), logged[2].text);
            QCOMPARE(log->index(2, LogModel::MessageColumn).data(LogModel::LogpointRole).toInt(), lp.id);

            // the dialog makes it a breakpoint again: a hollow dot once disabled
            source->showLocation(QStringLiteral(DOEFF_EXAMPLES_SOURCE_DIR "/basics.cpp"), 25);
            Breakpoint plain = lp;
            plain.logMessage.clear();
            w.run()->updateBreakpoint(plain);
            QCOMPARE(source->markerAt(25), SourcePane::Marker::Enabled);
            w.run()->updateBreakpoint(lp);
            QVERIFY(w.breakpointsPane()->model()->setData(w.breakpointsPane()->model()->index(0, 0), Qt::Unchecked,
                                                          Qt::CheckStateRole));
            QCOMPARE(source->markerAt(25), SourcePane::Marker::DisabledLogpoint);
        }
        QSettings().sync();
        studio::MainWindow w; // the Studio started again: the logpoint is back
        w.setRunInProcess(true);
        QVERIFY(w.openExample(u"count_to_three"_s));
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.run()->breakpoints().size(), 1);
        QCOMPARE(w.run()->breakpoints().first().logMessage, u"counter {store.counter} at step {step}"_s);
        QVERIFY(!w.run()->breakpoints().first().enabled);
        action(w, "stop")->trigger();
    }

    // Issue 20: breakpoints are saved per program and come back when it is opened again, in a
    // new window too (a Studio restart); another program has its own list.
    void breakpointsAreSavedPerProgram()
    {
        {
            studio::MainWindow w;
            w.setRunInProcess(true);
            BreakpointsPane* pane = w.breakpointsPane();
            // one set before any program is open belongs to the first one opened
            pane->kindBox()->setCurrentIndex(6); // Task spawn
            QCOMPARE(pane->addFromInput(), QString());
            QVERIFY(w.openExample(u"word_count"_s));
            QVERIFY(waitPaused(w.session()));
            QCOMPARE(pane->model()->rowCount(), 1);
            pane->kindBox()->setCurrentIndex(0); // Effect
            pane->patternEdit()->setText(u"Gather"_s);
            QCOMPARE(pane->addFromInput(), QString());
            pane->kindBox()->setCurrentIndex(3); // File:line
            pane->patternEdit()->setText(u"concurrency.cpp:42"_s);
            QCOMPARE(pane->addFromInput(), QString());
            Breakpoint edited = w.run()->breakpoints().at(1);
            edited.hitCount = 2;
            w.run()->updateBreakpoint(edited);
            QVERIFY(pane->model()->setData(pane->model()->index(2, 0), Qt::Unchecked, Qt::CheckStateRole));
            // another program: its own (empty) list
            QVERIFY(w.openExample(u"count_to_three"_s));
            QVERIFY(waitPaused(w.session()));
            QCOMPARE(pane->model()->rowCount(), 0);
            action(w, "stop")->trigger();
            QVERIFY(waitResult(w.session()) || !w.run()->isRunning());
        }
        QSettings().sync();
        studio::MainWindow w; // the Studio started again
        QCOMPARE(w.breakpointsPane()->model()->rowCount(), 0);
        QVERIFY(w.openExample(u"word_count"_s)); // out of process this time
        QVERIFY(waitPaused(w.session()));
        const QList<Breakpoint> restored = w.run()->breakpoints();
        QCOMPARE(restored.size(), 3);
        QCOMPARE(restored[0].kind, Breakpoint::Kind::TaskSpawn);
        QCOMPARE(restored[1].kind, Breakpoint::Kind::Effect);
        QCOMPARE(restored[1].pattern, u"Gather"_s);
        QCOMPARE(restored[1].hitCount, 2);
        QVERIFY(restored[1].enabled);
        QCOMPARE(restored[2].kind, Breakpoint::Kind::SourceLine);
        QCOMPARE(restored[2].file, u"concurrency.cpp"_s);
        QCOMPARE(restored[2].line, 42);
        QVERIFY(!restored[2].enabled);
        QCOMPARE(w.breakpointsPane()->model()->rowCount(), 3);
        action(w, "stop")->trigger();
    }

    // "Any error" on pipeline pauses at parse_record's throw (line 80), and the exception bar
    // above the Source shows the type, the message, the throw line as a link to Source and that
    // no Safe will catch it (the parser task fails); it goes away on resume. In process and out.
    void exceptionBarAtAnError_data()
    {
        QTest::addColumn<bool>("inProcess");
        QTest::addRow("out of process") << false;
        QTest::addRow("in process") << true;
    }
    void exceptionBarAtAnError()
    {
        QFETCH(bool, inProcess);
        studio::MainWindow w;
        w.show();
        w.setRunInProcess(inProcess);
        QVERIFY(w.openExample(u"pipeline"_s));
        QVERIFY(waitPaused(w.session()));
        views::ExceptionBar* bar = w.exceptionBar();
        QVERIFY(bar->isHidden());
        BreakpointsPane* pane = w.breakpointsPane();
        pane->kindBox()->setCurrentIndex(4); // Any error
        QCOMPARE(pane->addFromInput(), QString());
        QVERIFY(trigger(w, "continue"));
        QCOMPARE(w.session()->lastPause()->event.kind, EventKind::ErrorRaised);
        QVERIFY(w.session()->lastPause()->eventFile.endsWith(u"examples/concurrency.cpp"_s));
        QCOMPARE(w.session()->lastPause()->event.line, 80);
        QTRY_VERIFY(bar->isVisible());
        const QString text = bar->label()->text();
        QVERIFY2(text.contains(u"examples::ParseError"_s), qPrintable(text));
        QVERIFY2(text.contains(u"age &#x27;x&#x27; is not a number"_s) || text.contains(u"age 'x' is not a number"_s),
                 qPrintable(text));
        QVERIFY2(text.contains(u"concurrency.cpp:80</a>"_s), qPrintable(text));
        QCOMPARE(bar->verdict(), u"task"_s);
        // the tooltip says what the verdict cannot see rather than guessing
        QVERIFY2(bar->label()->toolTip().contains(u"try/catch"_s), qPrintable(bar->label()->toolTip()));
        QVERIFY2(bar->label()->toolTip().contains(u"concurrency.cpp:80"_s), qPrintable(bar->label()->toolTip()));
        // the link shows the throw line in Source
        w.sourcePane()->showLocation(QStringLiteral(__FILE__), 1);
        const QRegularExpression href(u"href=\"([^\"]+)\""_s);
        const QString link = href.match(text).captured(1).replace(u"&amp;"_s, u"&"_s);
        QVERIFY(!link.isEmpty());
        Q_EMIT bar->label()->linkActivated(link);
        QVERIFY(w.sourcePane()->file().endsWith(u"examples/concurrency.cpp"_s));
        QCOMPARE(w.sourcePane()->line(), 80);
        // resuming takes it away
        w.breakpointsPane()->model()->setData(w.breakpointsPane()->model()->index(0, 0), Qt::Unchecked,
                                              Qt::CheckStateRole);
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QTRY_VERIFY(bar->isHidden());
    }

    void passedOnErrorPauseShowsItsRaiseSiteOnTheStack()
    {
        // Paused at an error passed on with FailPromise, Source showed the throw line (80, in
        // parse_record) while the Stack's top frame was parse_stage: the raise site now heads it
        studio::MainWindow w;
        QVERIFY(w.openExample(u"pipeline"_s));
        QVERIFY(waitPaused(w.session()));
        BreakpointsPane* pane = w.breakpointsPane();
        pane->kindBox()->setCurrentIndex(4); // Any error
        QCOMPARE(pane->addFromInput(), QString());
        QVERIFY(trigger(w, "continue")); // the throw, in parse_record's own code
        QCOMPARE(w.session()->lastPause()->event.code, 1);
        QVERIFY(trigger(w, "continue")); // passed on
        const PausedState& p = *w.session()->lastPause();
        QCOMPARE(p.event.kind, EventKind::ErrorRaised);
        QCOMPARE(p.event.code, 0);
        QCOMPARE(p.event.line, 80);
        QCOMPARE(w.session()->selectedTask(), p.task);
        const QAbstractItemModel& stack = *w.stackPane()->model();
        const auto top = [&stack] { return stack.index(0, 1).data().toString(); };
        QTRY_VERIFY2(top().startsWith(u"parse_record()"_s) && top().endsWith(u"concurrency.cpp:80"_s),
                     qPrintable(top()));
        QVERIFY2(stack.index(1, 1).data().toString().startsWith(u"parse_stage()"_s),
                 qPrintable(stack.index(1, 1).data().toString()));
        QCOMPARE(w.sourcePane()->line(), 80);
    }

    // The same example stepped in process and out of process shows the same Tasks, Stack and
    // Store rows at every step.
    void outOfProcessMatchesInProcess_data()
    {
        QTest::addColumn<QString>("example");
        QTest::addColumn<int>("steps");
        QTest::addRow("word_count") << u"word_count"_s << 60;
        QTest::addRow("count_to_three") << u"count_to_three"_s << 12;
        QTest::addRow("pipeline") << u"pipeline"_s << 40;
    }
    void outOfProcessMatchesInProcess()
    {
        QFETCH(QString, example);
        QFETCH(int, steps);
        studio::MainWindow local;
        local.setRunInProcess(true);
        studio::MainWindow remote;
        QVERIFY(!remote.runsInProcess());
        QVERIFY(local.openExample(example));
        QVERIFY(remote.openExample(example));
        QVERIFY(waitPaused(local.session()));
        QVERIFY(waitPaused(remote.session()));
        QCOMPARE(local.run(), local.liveRun());
        QCOMPARE(remote.run(), remote.remoteRun());
        QVERIFY(remote.remoteRun()->debuggeePid() != QCoreApplication::applicationPid());
        QVERIFY2(remote.runStatusText().contains(u"process %1"_s.arg(remote.remoteRun()->debuggeePid())),
                 qPrintable(remote.runStatusText()));
        QVERIFY2(local.runStatusText().contains(u"in the Studio's process"_s), qPrintable(local.runStatusText()));
        QCOMPARE(dumpStepPanes(remote), dumpStepPanes(local));
        for (int i = 0; i < steps && local.session()->isPaused(); ++i) {
            QVERIFY(trigger(local, i % 3 == 2 ? "stepEffect" : "stepInto"));
            QVERIFY(trigger(remote, i % 3 == 2 ? "stepEffect" : "stepInto"));
            QCOMPARE(remote.session()->isPaused(), local.session()->isPaused());
            QCOMPARE(remote.stepText(), local.stepText());
            QCOMPARE(remote.reasonText(), local.reasonText());
            const QStringList l = dumpStepPanes(local), r = dumpStepPanes(remote);
            if (r != l)
                qWarning().noquote() << "step" << i << "\nlocal:\n" << l.join(u'\n') << "\nremote:\n" << r.join(u'\n');
            QCOMPARE(r, l);
        }
        if (local.session()->isPaused()) {
            QVERIFY(trigger(local, "continue"));
            QVERIFY(trigger(remote, "continue"));
        }
        QVERIFY(waitResult(local.session()));
        QVERIFY(waitResult(remote.session()));
        QCOMPARE(remote.resultPane()->summary(), local.resultPane()->summary());
    }

    // A debuggee that dies of SIGSEGV: the message bar and the Result pane name the crash, the
    // panes keep the last state, and the window goes on to the next program.
    void segfaultingDebuggeeLeavesTheStudioUsable()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(w.openProgramLibrary(QStringLiteral(DOEFF_INSPECTOR_PROGRAMS), u"segfault"_s));
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.run(), w.remoteRun());
        // step until the store write has arrived (a pause flushes the debuggee's events)
        for (int i = 0; i < 50 && !hasStoreKey(w, u"k"_s); ++i)
            QVERIFY(trigger(w, "stepInto"));
        QVERIFY(hasStoreKey(w, u"k"_s));
        const int taskRows = w.tasksPane()->model()->rowCount();
        const quint64 step = w.session()->state().step();
        QVERIFY(action(w, "continue")->isEnabled());
        action(w, "continue")->trigger();
        QVERIFY(waitLost(w.session()));
        // a crash names its signal; under ASan the debuggee reports the SEGV itself and then
        // exits with a status or aborts (signal 6), depending on ASAN_OPTIONS
        const QString message = w.messageText();
        const bool crashed = message.contains(u"crashed"_s) && message.contains(u"signal 11"_s);
        const bool asanReport = message.contains(u"SEGV"_s)
            && (message.contains(u"exited with status"_s) || message.contains(u"crashed (signal 6"_s));
        QVERIFY2(crashed || asanReport, qPrintable(message));
        QVERIFY2(message.contains(u"at step"_s), qPrintable(message));
        const QString how = message.contains(u"crashed"_s) ? u"crashed"_s : u"exited with status"_s;
        QVERIFY2(w.resultPane()->summary().contains(how), qPrintable(w.resultPane()->summary()));
        QVERIFY2(w.resultPane()->text().contains(crashed ? u"signal 11"_s : u"SEGV"_s),
                 qPrintable(w.resultPane()->text()));
        QVERIFY2(w.runStatusText().contains(u"without a result"_s), qPrintable(w.runStatusText()));
        QVERIFY(w.remoteRun()->failure().contains(how));
        // the last state stays, and the task that was running is shown as lost, not running
        QVERIFY(hasStoreKey(w, u"k"_s));
        QCOMPARE(w.tasksPane()->model()->rowCount(), taskRows);
        const QModelIndex mainState = w.tasksPane()->model()->index(0, TaskModel::StateColumn);
        QCOMPARE(mainState.data().toString(), u"lost"_s);
        QVERIFY2(
            mainState.data(Qt::ToolTipRole).toString().contains(u"ended before this task finished; it was running"_s),
            qPrintable(mainState.data(Qt::ToolTipRole).toString()));
        QVERIFY(w.session()->state().step() >= step);
        QVERIFY(!action(w, "stepInto")->isEnabled());
        QVERIFY(!action(w, "stop")->isEnabled());
        QVERIFY(action(w, "restart")->isEnabled());
        QVERIFY(action(w, "exportNative")->isEnabled()); // what arrived can be kept

        // the window goes on: a new example opens and steps
        QVERIFY(w.openExample(u"count_to_three"_s));
        QVERIFY(waitPaused(w.session()));
        QVERIFY(w.messageText().isEmpty());
        QVERIFY(trigger(w, "stepInto"));
        QCOMPARE(w.stepText(), u"Step 2"_s);
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QCOMPARE(w.resultPane()->summary(), u"Ok(3)"_s);
    }

    // A 10,000,000-effect loop: Pause pauses it, Stop ends it, Restart relaunches it.
    void busyLoopPausesAndStops()
    {
        studio::MainWindow w;
        QVERIFY(w.openExample(u"busy_loop"_s));
        QVERIFY(waitPaused(w.session()));
        action(w, "continue")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->presentState().step() > 5000, Timeout);
        QVERIFY(action(w, "pause")->isEnabled());
        action(w, "pause")->trigger();
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.session()->lastPause()->reason, u"pause"_s);
        QVERIFY(hasStoreKey(w, u"n"_s));
        action(w, "continue")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->status() == RunStatus::Running, Timeout);
        QVERIFY(action(w, "stop")->isEnabled());
        action(w, "stop")->trigger();
        QVERIFY(waitResult(w.session()));
        QCOMPARE(w.session()->result().error().type_name(), u"RunAbortedError"_s);
        QVERIFY(!w.run()->isRunning());

        action(w, "restart")->trigger();
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.session()->lastPause()->reason, u"start"_s);
    }

    // A debuggee that does not answer Stop (frozen with SIGSTOP here, like C++ code looping
    // without effects) is killed after the grace period; Restart relaunches.
    void stopKillsAnUnresponsiveDebuggee()
    {
        studio::MainWindow w;
        QVERIFY(w.openExample(u"busy_loop"_s));
        QVERIFY(waitPaused(w.session()));
        action(w, "continue")->trigger();
        QTRY_VERIFY_WITH_TIMEOUT(w.session()->presentState().step() > 1000, Timeout);
        const qint64 pid = w.remoteRun()->debuggeePid();
        QVERIFY(pid > 0);
        QCOMPARE(::kill(pid_t(pid), SIGSTOP), 0);
        w.remoteRun()->setStopGracePeriod(100);
        action(w, "stop")->trigger();
        QVERIFY(waitLost(w.session()));
        QVERIFY2(w.messageText().contains(u"killed"_s), qPrintable(w.messageText()));
        QVERIFY2(w.messageText().contains(u"signal 9"_s), qPrintable(w.messageText()));
        QVERIFY(w.storePane()->model()->rowCount() >= 1);

        QVERIFY(action(w, "restart")->isEnabled());
        action(w, "restart")->trigger();
        QVERIFY(waitPaused(w.session()));
        QVERIFY(trigger(w, "stepInto"));
        action(w, "stop")->trigger(); // paused: the debuggee answers
        QVERIFY(waitResult(w.session()));
        QCOMPARE(w.session()->result().error().type_name(), u"RunAbortedError"_s);
    }

    // Debug Executable…: bad paths give a clear message and launch nothing; a program that never
    // connects is reported; doeff-run itself, launched as any executable, is debugged.
    void debugExecutable()
    {
        QTemporaryDir dir;
        studio::MainWindow w;
        QVERIFY(w.openExample(u"count_to_three"_s));
        QVERIFY(waitPaused(w.session()));
        const QString missing = dir.filePath(u"no-such-program"_s);
        QVERIFY(!w.debugExecutable(missing, {}));
        QVERIFY2(w.messageText().contains(missing) && w.messageText().contains(u"no such file"_s),
                 qPrintable(w.messageText()));
        QVERIFY(w.session()->isPaused()); // nothing else was touched
        QVERIFY(!w.debugExecutable(dir.path(), {}));
        QVERIFY2(w.messageText().contains(u"not an executable"_s), qPrintable(w.messageText()));
        QVERIFY(!w.debugExecutable(QStringLiteral(DOEFF_RUN_PATH), {}, dir.filePath(u"nowhere"_s)));
        QVERIFY2(w.messageText().contains(u"working directory"_s), qPrintable(w.messageText()));

        // an executable that is not a doeff program
        QVERIFY(w.debugExecutable(u"/bin/sh"_s, { u"-c"_s, u"echo not doeff >&2; exit 3"_s }));
        QVERIFY(waitLost(w.session()));
        QVERIFY2(w.messageText().contains(u"status 3"_s), qPrintable(w.messageText()));
        QVERIFY2(w.messageText().contains(u"never connected"_s), qPrintable(w.messageText()));
        QVERIFY2(w.messageText().contains(u"not doeff"_s), qPrintable(w.messageText()));

        // a doeff program: attached through DOEFF_INSPECT, paused at its start, in its directory
        QVERIFY(w.debugExecutable(QStringLiteral(DOEFF_RUN_PATH),
                                  { u"count_to_three"_s, u"--save-result"_s, u"count_to_three.doeffresult"_s },
                                  dir.path()));
        QVERIFY(waitPaused(w.session()));
        QCOMPARE(w.session()->lastPause()->reason, u"start"_s);
        // named as the debuggee reports it (issue 19): its registered name, not the executable's
        QCOMPARE(w.session()->programName(), u"count_to_three"_s);
        QVERIFY2(w.windowTitle().startsWith(u"count_to_three"_s), qPrintable(w.windowTitle()));
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QCOMPARE(w.resultPane()->summary(), u"Ok(3)"_s);
        QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(dir.filePath(u"count_to_three.doeffresult"_s)), Timeout);

        // the same through File ▸ Debug Executable…: path, arguments quoted as in a shell, directory
        QTimer::singleShot(0, &w, [&w, &dir] {
            auto* dialog = w.findChild<QDialog*>(u"debugExecutableDialog"_s);
            if (!dialog) return;
            dialog->findChild<QLineEdit*>(u"executablePath"_s)->setText(QStringLiteral(DOEFF_RUN_PATH));
            dialog->findChild<QLineEdit*>(u"executableArguments"_s)->setText(u"greet --env 'name=\"Ada Lovelace\"'"_s);
            dialog->findChild<QLineEdit*>(u"executableDirectory"_s)->setText(dir.path());
            dialog->accept();
        });
        action(w, "debugExecutable")->trigger();
        QVERIFY2(waitPaused(w.session()), qPrintable(w.messageText()));
        QVERIFY(trigger(w, "continue"));
        QVERIFY(waitResult(w.session()));
        QVERIFY2(w.resultPane()->summary().contains(u"Ada Lovelace"_s), qPrintable(w.resultPane()->summary()));
    }

    // Issue 17 #1: the start-up's handler for the command line's file is one-shot, so a later
    // File ▸ Open that fails gives a message and keeps the window (and its session).
    void failedOpenAfterStartKeepsTheSession()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(u"count_to_three.doefftrace"_s);
        QVERIFY(doeffRunSucceeds({ u"count_to_three"_s, u"--trace"_s, trace }));
        const QString empty = dir.filePath(u"empty.doefftrace"_s);
        QVERIFY(writeBytes(empty, {}));

        studio::MainWindow w;
        QList<std::pair<bool, QString>> reports;
        studio::openCommandLineFile(w, trace, {}, [&reports](bool ok, const QString& message) {
            reports.append({ ok, message });
        });
        QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 1, Timeout);
        QVERIFY2(reports.first().first, qPrintable(reports.first().second));
        QCOMPARE(w.session()->status(), RunStatus::Trace);

        QVERIFY(!openTraceAndWait(w, empty));
        QCOMPARE(reports.size(), 1); // the start-up saw only its own file
        QCOMPARE(w.session()->status(), RunStatus::Trace);
        QVERIFY2(w.messageText().contains(u"empty.doefftrace"_s), qPrintable(w.messageText()));
    }

    /// Issue 19: a result saved by doeff-run names its program; the Studio shows that name (title,
    /// status, main task), not the file's.
    void openedResultNamesItsProgram()
    {
        QTemporaryDir dir;
        const QString result = dir.filePath(u"saved-run.doeffresult"_s);
        QVERIFY(doeffRunSucceeds({ u"count_to_three"_s, u"--save-result"_s, result }));
        studio::MainWindow w;
        QVERIFY(w.openResult(result));
        QCOMPARE(w.session()->programName(), u"count_to_three"_s);
        QVERIFY2(w.windowTitle().startsWith(u"count_to_three"_s), qPrintable(w.windowTitle()));
        QVERIFY2(!w.windowTitle().contains(u"saved-run"_s), qPrintable(w.windowTitle()));
        QVERIFY2(w.runStatusText().contains(u"count_to_three"_s), qPrintable(w.runStatusText()));
        const QAbstractItemModel& tasks = *w.tasksPane()->model();
        QVERIFY(tasks.rowCount() >= 1);
        QString row;
        for (int c = 0; c < tasks.columnCount(); ++c)
            row += tasks.index(0, c).data().toString() + u' ';
        QVERIFY2(row.contains(u"count_to_three"_s) && !row.contains(u"saved-run"_s), qPrintable(row));
    }

    /// Issue 19: an opened failed result shows the failing task at its failing point in Store and
    /// Environment as in Stack; a file without that store says so and shows the main task's.
    void openedFailedResultShowsTheFailingPoint()
    {
        QTemporaryDir dir;
        const QString result = dir.filePath(u"pipeline.doeffresult"_s);
        QProcess run;
        run.start(QStringLiteral(DOEFF_RUN_PATH), { u"pipeline"_s, u"--save-result"_s, result });
        QVERIFY(run.waitForFinished(Timeout));
        QCOMPARE(run.exitCode(), 1); // Err
        studio::MainWindow w;
        QVERIFY(w.openResult(result));
        const ErrorContext& c = w.session()->result().error_context();
        QCOMPARE(w.session()->selectedTask(), c.task);
        QVERIFY(w.session()->showsFailingPoint());
        QVERIFY(!c.store.isEmpty());
        const auto sorted = [](QStringList keys) {
            keys.sort();
            return keys;
        };
        QCOMPARE(paneValues(*w.storePane()->model()).keys(), sorted(c.store.keys())); // not main's
        QVERIFY(c.store.keys() != w.session()->result().raw_store().keys());
        QVERIFY2(w.reasonText().contains(u"shown at its failing point"_s), qPrintable(w.reasonText()));

        // written before results kept that store: the main task's, and the status bar says why
        QCborMap doc = QCborValue::fromCbor(readBytes(result)).toMap();
        QCborMap ctx = doc.value(u"error_context"_s).toMap();
        ctx.remove(u"store"_s);
        doc.insert(u"error_context"_s, ctx);
        const QString old = dir.filePath(u"old.doeffresult"_s);
        QVERIFY(writeBytes(old, doc.toCborValue().toCbor()));
        QVERIFY(w.openResult(old));
        QCOMPARE(paneValues(*w.storePane()->model()).keys(), sorted(w.session()->result().raw_store().keys()));
        QVERIFY2(w.reasonText().contains(u"no store"_s), qPrintable(w.reasonText()));
    }

    /// Issue 19: a trace recorded by doeff-run and the same example run in the Studio's process
    /// name the program alike (its registered name), while frames keep their function's name.
    void traceAndInProcessRunNameTheProgramAlike()
    {
        QTemporaryDir dir;
        const QString trace = dir.filePath(u"recorded.doefftrace"_s);
        // word_count's main program is the function parallel_work_main
        QVERIFY(doeffRunSucceeds({ u"word_count"_s, u"--trace"_s, trace }));
        studio::MainWindow recorded;
        QVERIFY(openTraceAndWait(recorded, trace));
        studio::MainWindow live;
        live.setRunInProcess(true);
        QVERIFY(runToEnd(live, u"word_count"_s));
        QCOMPARE(live.session()->programName(), u"word_count"_s);
        QCOMPARE(recorded.session()->programName(), live.session()->programName());
        QCOMPARE(recorded.session()->state().programName(), live.session()->state().programName());
        QCOMPARE(recorded.windowTitle(), live.windowTitle());
        const auto mainTaskName = [](studio::MainWindow& w) {
            const SessionTask* t = w.session()->state().task(0);
            return t ? t->name : QString();
        };
        QCOMPARE(mainTaskName(recorded), mainTaskName(live));
        // the frame of the main program is still its function
        bool function = false;
        for (quint64 s = 1; s < recorded.session()->presentStep() && !function; ++s) {
            QVERIFY(recorded.session()->goToStep(s));
            for (const FrameInfo& f : recorded.session()->state().k(0))
                function = function || f.function.contains(u"parallel_work_main"_s);
        }
        QVERIFY(function);
    }

    // Issue 17 #12: `doeff-studio RESULT --screenshot PATH` saves the window and exits.
    void screenshotOfAResultExits()
    {
        QTemporaryDir dir;
        const QString result = dir.filePath(u"count_to_three.doeffresult"_s);
        QVERIFY(doeffRunSucceeds({ u"count_to_three"_s, u"--save-result"_s, result }));
        const QString shot = dir.filePath(u"shot.png"_s);
        QProcess studio;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
        env.insert(u"XDG_CONFIG_HOME"_s, dir.filePath(u"config"_s));
        studio.setProcessEnvironment(env);
        studio.start(QStringLiteral(DOEFF_STUDIO_PATH), { u"--default-layout"_s, result, u"--screenshot"_s, shot });
        const bool exited = studio.waitForFinished(Timeout);
        if (!exited) studio.kill();
        QVERIFY2(exited, qPrintable(QString::fromLocal8Bit(studio.readAllStandardError())));
        QCOMPARE(studio.exitStatus(), QProcess::NormalExit);
        QCOMPARE(studio.exitCode(), 0);
        QVERIFY(QImage(shot).width() > 0);
    }
};

QTEST_MAIN(TestStudio)
#include "tst_studio.moc"
