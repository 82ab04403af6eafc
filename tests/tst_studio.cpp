// The main window under the offscreen platform: the default example opens paused, the step
// commands drive the panes, Continue shows the result, bad files give a message and leave the
// window usable, Stop aborts a run, and breakpoints added in the pane pause it.

#include <mainwindow.h>

#include <doeff_examples.h>

#include <liverun.h>
#include <panes.h>
#include <studiosession.h>

#include <doeff/doeff.h>

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

using namespace doeff;
using namespace doeff::views;
using namespace Qt::StringLiterals;

namespace {

constexpr int Timeout = 20000;

Program<void> forever()
{
    for (int i = 0;; ++i)
        co_await Put("i", i);
}

bool waitPaused(StudioSession* s)
{
    QDeadlineTimer deadline(Timeout);
    while (!s->isPaused() && !s->hasResult() && !deadline.hasExpired()) {
        QSignalSpy spy(s, &StudioSession::statusChanged);
        spy.wait(100);
    }
    return s->isPaused();
}

bool waitResult(StudioSession* s)
{
    QDeadlineTimer deadline(Timeout);
    while (!s->hasResult() && !deadline.hasExpired()) {
        QSignalSpy spy(s, &StudioSession::resultChanged);
        spy.wait(100);
    }
    return s->hasResult();
}

QAction* action(studio::MainWindow& w, const char* name)
{
    return w.findChild<QAction*>(QString::fromLatin1(name));
}

/// Triggers `name` and waits for the next pause.
bool trigger(studio::MainWindow& w, const char* name)
{
    QAction* a = action(w, name);
    if (!a || !a->isEnabled()) return false;
    a->trigger();
    return waitPaused(w.session()) || w.session()->hasResult();
}

} // namespace

class TestStudio : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(u"doeff-tests"_s);
        QCoreApplication::setApplicationName(u"tst_studio"_s);
    }

    void defaultExampleStepsAndFinishes()
    {
        studio::MainWindow w;
        w.show();
        QVERIFY(w.openExample(u"parallel_work"_s));
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

    void garbageFilesGiveMessages()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString garbage = dir.filePath(u"garbage.doeffresult"_s);
        {
            QFile f(garbage);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("this is not a result\x01\x02\x03");
        }
        const QString fakeLib = dir.filePath(u"libfake.so"_s);
        {
            QFile f(fakeLib);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not an ELF file");
        }
        studio::MainWindow w;
        w.show();
        QVERIFY(w.openExample(u"counter"_s));
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
        const QString saved = dir.filePath(u"counter.doeffresult"_s);
        QVERIFY(w.saveResult(saved));
        QVERIFY(w.openFile(saved));
        QCOMPARE(w.session()->status(), RunStatus::Loaded);
        QCOMPARE(w.resultPane()->summary(), u"Ok(3)"_s);
        QVERIFY(w.storePane()->model()->rowCount() >= 1);

        // a real program library opens and starts its first program
        QVERIFY(w.openFile(QStringLiteral(DOEFF_EXAMPLES_LIBRARY)));
        QVERIFY(waitPaused(w.session()));
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
        QVERIFY(w.liveRun()->isRunning());
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
        QVERIFY(w.openExample(u"parallel_work"_s));
        QVERIFY(waitPaused(w.session()));
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
    }
};

QTEST_MAIN(TestStudio)
#include "tst_studio.moc"
