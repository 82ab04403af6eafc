// The inspector protocol end to end: a scripted InspectorClient drives `doeff-run` debuggees in
// child processes; fake peers send garbage to both sides; `doeff-run --debug` is fed a script.

#include <doeff/agent.h>
#include <doeff/inspector.h>
#include <doeff/inspectorclient.h>
#include <doeff/library.h>
#include <doeff/session.h>
#include <doeff_examples.h>

#include <QLocalServer>
#include <QLocalSocket>
#include <QMutex>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWaitCondition>

#include "files.h"

#include <QDir>
#include <QFileInfo>

#include <thread>

#include <signal.h>
#include <sys/stat.h>

using namespace doeff;
using namespace Qt::StringLiterals;
using testcommon::readBytes;

namespace {

const QString doeffRun = QStringLiteral(DOEFF_RUN_PATH);
const QString testPrograms = QStringLiteral(DOEFF_INSPECTOR_PROGRAMS);
constexpr int timeoutMs = 60000; // only turns a hang into a failure
// The 70 MB value's run copies it through the event, the result, the socket and stdout: about
// 45 s in the plain build and 90 s under the sanitizers on two busy cores. Still only a hang guard.
constexpr int bigValueTimeoutMs = 4 * timeoutMs;

QStringList formatK(const QList<FrameInfo>& k)
{
    QStringList out;
    for (const FrameInfo& f : k)
        out.append(f.kind + u' ' + f.description);
    return out;
}

/// The `runner` column: doeff-run's --runner values.
void addRunnerNameColumn()
{
    QTest::addColumn<QString>("runner");
    QTest::addRow("sync") << u"sync"_s;
    QTest::addRow("async") << u"async"_s;
}

/// What the debugger shows after a step, as text (compared across runners and processes).
QString snapshot(const SessionState& s)
{
    QStringList lines { u"step %1 task %2"_s.arg(s.step()).arg(s.currentTask()) };
    for (const SessionTask& t : s.tasks()) {
        lines.append(u"task %1 %2"_s.arg(t.id).arg(QLatin1StringView(taskStateCodeName(t.state))));
        lines.append(formatK(s.k(t.id)));
        lines.append(repr(s.store(t.id).toMap()));
    }
    return lines.join(u'\n');
}

/// Sends one command and waits for the pause it leads to (false when the debuggee ended first).
template<class Fn> bool commandAndWait(InspectorClient& c, Fn fn)
{
    QSignalSpy paused(&c, &InspectorClient::paused);
    QSignalSpy finished(&c, &InspectorClient::finished);
    if (!fn()) return false;
    (void)QTest::qWaitFor([&] { return !paused.isEmpty() || !finished.isEmpty(); }, timeoutMs);
    return !paused.isEmpty();
}

bool waitAttachedAndPaused(InspectorClient& c)
{
    QSignalSpy paused(&c, &InspectorClient::paused);
    QSignalSpy finished(&c, &InspectorClient::finished);
    (void)QTest::qWaitFor([&] { return !paused.isEmpty() || !finished.isEmpty() || c.isPaused(); }, timeoutMs);
    return c.isPaused();
}

bool waitFinished(InspectorClient& c)
{
    return QTest::qWaitFor([&] { return c.state() == InspectorClient::State::Finished; }, timeoutMs);
}

/// Reduces the in-process run's events: the reference the out-of-process session must equal.
struct Replayer : Observer {
    SessionState state;
    void onRecord(const Event& e, const RunView&) override { state.apply(e); }
};

/// Steps `name` in this process with a DebugAgent (step into, `steps` times) and returns the
/// snapshot after each pause.
QStringList referenceSteps(const QString& name, int steps)
{
    const ProgramInfo* info = examples::library().find(name);
    if (!info) return {};
    DebugAgent agent(true);
    Replayer replay;
    QStringList seen;
    agent.pausedCallback = [&](const PausedState&) {
        seen.append(snapshot(replay.state));
        if (seen.size() > steps)
            agent.continueRun();
        else
            agent.stepInto();
    };
    RunOptions options = info->options;
    options.observers = { &replay, &agent };
    std::thread worker([&] { runProgram(*info, {}, {}, options); });
    worker.join();
    return seen;
}

QStringList remoteSteps(const QString& name, const QString& runner, int steps, QString* failure)
{
    InspectorClient c;
    if (!c.launch(doeffRun, { name, u"--runner"_s, runner })) {
        *failure = c.errorString();
        return {};
    }
    QStringList seen;
    if (!waitAttachedAndPaused(c)) {
        *failure = u"no first pause: "_s + c.finishSummary();
        return {};
    }
    seen.append(snapshot(c.session()));
    for (int i = 0; i < steps; ++i) {
        if (!commandAndWait(c, [&] { return c.stepInto(); })) break;
        seen.append(snapshot(c.session()));
    }
    c.continueRun();
    waitFinished(c);
    if (!c.result() || !c.result()->is_ok()) *failure = u"no Ok result: "_s + c.finishSummary();
    return seen;
}

/// A private socket the test listens on as a fake debugger.
struct FakeDebugger {
    QTemporaryDir dir;
    QLocalServer server;
    QString path() const { return dir.filePath(u"s"_s); }
    bool listen()
    {
        server.setSocketOptions(QLocalServer::UserAccessOption);
        return dir.isValid() && server.listen(path());
    }
};

QByteArray frame(inspector::MessageType type, const QByteArray& payload)
{
    QByteArray out(4, '\0');
    const quint32 n = quint32(payload.size() + 1);
    for (int i = 0; i < 4; ++i)
        out[i] = char(quint8(n >> (8 * i)));
    out.append(char(quint8(type)));
    out.append(payload);
    return out;
}

QByteArray randomBytes(quint32 seed, int n)
{
    QRandomGenerator rng(seed);
    QByteArray b(n, '\0');
    for (int i = 0; i < n; ++i)
        b[i] = char(rng.bounded(256));
    return b;
}

/// Reads messages of one socket: type and payload (the test's own minimal decoder).
bool readMessage(QLocalSocket& s, quint8& type, QByteArray& payload)
{
    QDeadlineTimer deadline(timeoutMs);
    while (s.bytesAvailable() < 5)
        if (!s.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) return false;
    char h[4];
    s.peek(h, 4);
    quint32 n = 0;
    for (int i = 0; i < 4; ++i)
        n |= quint32(quint8(h[i])) << (8 * i);
    while (s.bytesAvailable() < qint64(n) + 4)
        if (!s.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())))) return false;
    s.skip(4);
    char t = 0;
    s.getChar(&t);
    type = quint8(t);
    payload = s.read(n - 1);
    return true;
}

/// A debuggee under a fake debugger: the process, its connection, and the last payload read.
struct FakeLaunch {
    FakeDebugger fake;
    QProcess p;
    std::unique_ptr<QLocalSocket> s;
    QByteArray payload;
};

/// Starts `doeff-run program` with DOEFF_INSPECT naming a fake debugger, accepts its connection
/// and reads its Hello into `l.payload` (check QTest::currentTestFailed() after the call).
void launchUnder(FakeLaunch& l, const QString& program, const QString& extraVariable = {},
                 const QString& extraValue = {})
{
    auto& [fake, p, s, hello] = l;
    QVERIFY(fake.listen());
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"DOEFF_INSPECT"_s, fake.path());
    if (!extraVariable.isEmpty()) env.insert(extraVariable, extraValue);
    p.setProcessEnvironment(env);
    p.start(doeffRun, { program });
    QVERIFY(fake.server.waitForNewConnection(timeoutMs));
    s.reset(fake.server.nextPendingConnection());
    quint8 type = 0;
    QVERIFY(readMessage(*s, type, hello));
    QCOMPARE(type, quint8(inspector::MessageType::Hello));
}

/// The processes whose parent is `pid` (from /proc).
QList<qint64> childrenOf(qint64 pid)
{
    QList<qint64> out;
    const QDir tasks(u"/proc/%1/task"_s.arg(pid));
    for (const QString& task : tasks.entryList(QDir::Dirs | QDir::NoDotAndDotDot))
        for (const QByteArray& child : readBytes(tasks.filePath(task + u"/children"_s)).split(' '))
            if (const qint64 id = child.trimmed().toLongLong(); id > 0) out.append(id);
    return out;
}

/// Gone, or a zombie waiting for whoever adopted it to reap it.
bool processGone(qint64 pid)
{
    if (::kill(pid_t(pid), 0) == -1) return true;
    const QByteArray stat = readBytes(u"/proc/%1/stat"_s.arg(pid));
    const qsizetype close = stat.lastIndexOf(')');
    return close < 0 || stat.mid(close + 2, 1) == "Z";
}

/// `doeff-run … --debug` started, its debuggee paused at its start: the debuggee's pid, or 0.
qint64 startTerminalDebugger(QProcess& p, const QStringList& arguments)
{
    p.start(doeffRun, arguments);
    if (!QTest::qWaitFor(
            [&] {
                p.waitForReadyRead(10);
                return p.peek(1 << 20).contains("Paused (start)");
            },
            timeoutMs))
        return 0;
    const QList<qint64> children = childrenOf(p.processId());
    return children.size() == 1 ? children.first() : 0;
}

} // namespace

class TestInspector : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(doeffRun), qPrintable(doeffRun));
        QVERIFY2(QFile::exists(testPrograms), qPrintable(testPrograms));
    }

    // ---- stepping ----------------------------------------------------------------------

    void stepIntoGivesTheInProcessStates_data() { addRunnerNameColumn(); }
    void stepIntoGivesTheInProcessStates()
    {
        QFETCH(QString, runner);
        // every step of the run, to its end
        const int steps = 1000;
        const QStringList reference = referenceSteps(u"count_to_three"_s, steps);
        QVERIFY(reference.size() > 15);
        QVERIFY(reference.size() < steps);
        QString failure;
        const QStringList remote = remoteSteps(u"count_to_three"_s, runner, steps, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QCOMPARE(remote.size(), reference.size());
        for (int i = 0; i < remote.size(); ++i)
            QCOMPARE(remote.at(i), reference.at(i));
        // paused at the start before the program's frame is pushed; then it is on top of the handlers
        QVERIFY2(!remote.first().contains(u"counter_main"_s), qPrintable(remote.first()));
        QVERIFY2(remote.at(2).contains(u"ProgramFrame counter_main()"_s), qPrintable(remote.at(2)));
    }

    void syncAndAsyncStepAlike()
    {
        QString failure;
        const QStringList sync = remoteSteps(u"flaky_service"_s, u"sync"_s, 1000, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        const QStringList async = remoteSteps(u"flaky_service"_s, u"async"_s, 1000, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QVERIFY(sync.size() > 10);
        QCOMPARE(async, sync);
    }

    void stepOverRunsTheSubProgram()
    {
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"--library"_s, testPrograms, u"nested"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QCOMPARE(c.lastPause().reason, u"start"_s);
        QVERIFY2(c.hello().program.endsWith(u"nested"_s), qPrintable(c.hello().program));
        QCOMPARE(c.hello().runner, u"sync"_s);
        QVERIFY(c.hello().pid > 0);
        QVERIFY(c.hello().version >= 2u); // version 2 on: fragments (issue 17 #10)
        QVERIFY(commandAndWait(c, [&] { return c.stepEffect(); }));
        QCOMPARE(c.session().task(0)->currentEffect, u"Put('before')"_s);
        QVERIFY(commandAndWait(c, [&] { return c.stepOver(); }));
        QCOMPARE(c.lastPause().reason, u"step over"_s);
        // inner() ran in between: its Put is in the store, the next effect is main's
        QCOMPARE(c.session().task(0)->currentEffect, u"Put('after')"_s);
        QCOMPARE(c.session().store(0).value(u"n"_s).toInt(), 5);
        QVERIFY(c.continueRun());
        QVERIFY(waitFinished(c));
        QVERIFY(c.result());
        QCOMPARE(c.result()->format(), u"Ok(5)"_s);
        QCOMPARE(c.exitCode(), 0);
    }

    void stepOutReturnsToTheCaller()
    {
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"--library"_s, testPrograms, u"nested"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QVERIFY(commandAndWait(c, [&] { return c.stepEffect(); })); // Put('before')
        QVERIFY(commandAndWait(c, [&] { return c.stepEffect(); })); // Get('n') in inner()
        QCOMPARE(c.session().task(0)->currentEffect, u"Get('n')"_s);
        QVERIFY(formatK(c.session().k(0)).join(u'\n').contains(u"inner"_s));
        QVERIFY(commandAndWait(c, [&] { return c.stepOut(); }));
        QCOMPARE(c.lastPause().reason, u"step out"_s);
        const QStringList k = formatK(c.session().k(0));
        QVERIFY2(!k.join(u'\n').contains(u"inner"_s), qPrintable(k.join(u'\n')));
        QVERIFY2(k.join(u'\n').contains(u"nested"_s), qPrintable(k.join(u'\n')));
        QCOMPARE(c.session().store(0).value(u"n"_s).toInt(), 5);
        QVERIFY(!c.session().store(0).contains(u"after"_s));
        QVERIFY(c.stop());
        QVERIFY(waitFinished(c));
        QVERIFY(c.result());
        QVERIFY2(c.result()->format().contains(u"RunAbortedError"_s), qPrintable(c.result()->format()));
    }

    // ---- breakpoints -------------------------------------------------------------------

    void effectBreakpoint()
    {
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"count_to_three"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QSignalSpy changed(&c, &InspectorClient::breakpointsChanged);
        Breakpoint b;
        b.kind = Breakpoint::Kind::Effect;
        b.pattern = u"Put"_s;
        const quint64 tag = c.addBreakpoint(b);
        QVERIFY(tag != 0);
        QVERIFY(changed.wait(timeoutMs));
        QCOMPARE(changed.first().at(0).toULongLong(), tag);
        const int id = changed.first().at(1).toInt();
        QVERIFY(id > 0);
        QCOMPARE(c.breakpoints().size(), 1);
        for (int hit = 1; hit <= 3; ++hit) {
            QVERIFY(commandAndWait(c, [&] { return c.continueRun(); }));
            QCOMPARE(c.lastPause().breakpoint, id);
            QVERIFY(c.lastPause().reason.startsWith(u"breakpoint"_s));
            QCOMPARE(c.session().task(0)->currentEffect, u"Put('counter')"_s);
            QCOMPARE(c.breakpoints().first().hits, hit);
            // paused before the handler ran: the store still holds the old count
            QCOMPARE(c.session().store(0).value(u"counter"_s).toInt(), hit - 1);
        }
        changed.clear();
        QVERIFY(c.setBreakpointEnabled(id, false) != 0);
        QVERIFY(changed.wait(timeoutMs));
        QVERIFY(!c.breakpoints().first().enabled);
        QVERIFY(c.continueRun());
        QVERIFY(waitFinished(c));
        QCOMPARE(c.result()->format(), u"Ok(3)"_s);
    }

    void cancelTaskOverTheProtocol()
    {
        // `deadlock`: alice and bob wait on each other's promise; cancelling alice at her Wait
        // ends the run with her cancellation instead of a DeadlockError
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"deadlock"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QVERIFY(c.hello().version >= 3u);
        QSignalSpy changed(&c, &InspectorClient::breakpointsChanged);
        Breakpoint b;
        b.kind = Breakpoint::Kind::Effect;
        b.pattern = u"Wait"_s;
        QVERIFY(c.addBreakpoint(b) != 0);
        QVERIFY(changed.wait(timeoutMs));
        QVERIFY(commandAndWait(c, [&] { return c.continueRun(); }));
        QCOMPARE(c.lastPause().task, 1);
        QVERIFY(c.cancelTask(1));
        QVERIFY(c.setBreakpointEnabled(changed.first().at(1).toInt(), false) != 0);
        QVERIFY(changed.wait(timeoutMs));
        QVERIFY(c.continueRun());
        QVERIFY(waitFinished(c));
        QVERIFY2(c.result()->format().startsWith(u"Err(TaskCancelledError: Task 1 'alice' was cancelled)"_s),
                 qPrintable(c.result()->format()));
        QCOMPARE(c.session().task(1)->state, TaskStateCode::Cancelled);
    }

    // Version 4's Resume: a step over that meets a breakpoint inside the call it steps over goes
    // on as that step over, to the effect after the call, not as a new one from the breakpoint.
    void resumeGoesOnWithTheInterruptedStepOver()
    {
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"--library"_s, testPrograms, u"nested"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QCOMPARE(c.hello().version, 4u);
        QVERIFY(commandAndWait(c, [&] { return c.stepEffect(); }));
        QCOMPARE(c.lastPause().line, 21); // Put("before", 1) (tests/common/libs/inspector_programs.cpp)
        QSignalSpy changed(&c, &InspectorClient::breakpointsChanged);
        Breakpoint b;
        b.kind = Breakpoint::Kind::Effect;
        b.pattern = u"Get"_s; // inside inner()
        QVERIFY(c.addBreakpoint(b) != 0);
        QVERIFY(changed.wait(timeoutMs));
        QVERIFY(commandAndWait(c, [&] { return c.stepOver(); }));
        QVERIFY2(c.lastPause().reason.startsWith(u"breakpoint"_s), qPrintable(c.lastPause().reason));
        QCOMPARE(c.lastPause().line, 13); // inner(): Get<int>("n")
        QVERIFY(commandAndWait(c, [&] { return c.resumeMove(); }));
        QCOMPARE(c.lastPause().reason, u"step over"_s);
        QCOMPARE(c.lastPause().line, 23); // Put("after", a), not inner()'s Put
        QVERIFY(c.continueRun());
        QVERIFY(waitFinished(c));
    }

    void watchpoint()
    {
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"--library"_s, testPrograms, u"nested"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QSignalSpy changed(&c, &InspectorClient::breakpointsChanged);
        Breakpoint b;
        b.kind = Breakpoint::Kind::StoreKey;
        b.pattern = u"after"_s;
        QVERIFY(c.addBreakpoint(b) != 0);
        QVERIFY(changed.wait(timeoutMs));
        QVERIFY(commandAndWait(c, [&] { return c.continueRun(); }));
        QVERIFY(c.lastPause().reason.contains(u"watch after"_s));
        QCOMPARE(c.session().store(0).value(u"after"_s).toInt(), 5);
        QCOMPARE(c.session().changedKeys(), QStringList { u"after"_s });
        QVERIFY(c.continueRun());
        QVERIFY(waitFinished(c));
        QCOMPARE(c.result()->format(), u"Ok(5)"_s);
    }

    // ---- pause while running -------------------------------------------------------------

    void pauseInALongLoop_data() { addRunnerNameColumn(); }
    void pauseInALongLoop()
    {
        QFETCH(QString, runner);
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"busy_loop"_s, u"--runner"_s, runner }));
        QVERIFY(waitAttachedAndPaused(c));
        QSignalSpy resumed(&c, &InspectorClient::resumed);
        QVERIFY(c.continueRun());
        QVERIFY(resumed.wait(timeoutMs));
        // let it run for a while: until the events show a few thousand iterations
        QTRY_VERIFY_WITH_TIMEOUT(c.session().store(0).value(u"n"_s).toInt() > 2000, timeoutMs);
        QVERIFY(commandAndWait(c, [&] { return c.pause(); }));
        QCOMPARE(c.lastPause().reason, u"pause"_s);
        const int n = c.session().store(0).value(u"n"_s).toInt();
        QVERIFY(n > 2000);
        QVERIFY2(n < 5000000, "paused only after the loop ended");
        QCOMPARE(c.lastPause().step, c.session().step());
        // the program goes on stepping from there
        QVERIFY(commandAndWait(c, [&] { return c.stepEffect(); }));
        QVERIFY(c.stop());
        QVERIFY(waitFinished(c));
        QVERIFY(c.result());
        QVERIFY(c.result()->format().contains(u"RunAbortedError"_s));
        QCOMPARE(c.exitCode(), 1);
    }

    // ---- debuggees that die --------------------------------------------------------------

    void segfaultingDebuggee()
    {
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"--library"_s, testPrograms, u"segfault"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QVERIFY(commandAndWait(c, [&] { return c.stepEffect(); }));
        QCOMPARE(c.session().task(0)->currentEffect, u"Put('k')"_s);
        const quint64 pausedAt = c.session().step();
        QVERIFY(c.continueRun());
        QVERIFY(waitFinished(c));
        // a crash (or, under ASan, its report and a failing exit)
        QVERIFY2(c.crashed() || c.exitCode() != 0, qPrintable(c.finishSummary()));
        QVERIFY(!c.result());
        // the last known state is kept (events still in the debuggee's buffer die with it)
        QVERIFY(c.session().step() >= pausedAt);
        QCOMPARE(c.session().task(0)->currentEffect, u"Put('k')"_s);
        const QString summary = c.finishSummary();
        QVERIFY2(summary.contains(u"crashed"_s) || summary.contains(u"exited with status"_s), qPrintable(summary));
        QVERIFY2(summary.contains(u"at step"_s), qPrintable(summary));
        if (c.crashed()) QVERIFY2(summary.contains(u"signal"_s), qPrintable(summary));
    }

    void killedWhilePaused()
    {
        InspectorClient c;
        c.setStderrTailLines(5);
        QVERIFY(c.launch(doeffRun, { u"count_to_three"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QVERIFY(commandAndWait(c, [&] { return c.stepEffect(); }));
        const QString before = snapshot(c.session());
        c.kill();
        QVERIFY(waitFinished(c));
        QVERIFY(c.crashed());
        QCOMPARE(c.state(), InspectorClient::State::Finished);
        QCOMPARE(snapshot(c.session()), before);
        QVERIFY2(c.finishSummary().contains(u"signal 9"_s), qPrintable(c.finishSummary()));
        QVERIFY(!c.stepInto());
    }

    void detachLetsTheProgramRunOn()
    {
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"count_to_three"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QSignalSpy output(&c, &InspectorClient::outputReceived);
        QVERIFY(c.detach());
        QVERIFY(waitFinished(c));
        QCOMPARE(c.exitCode(), 0);
        QVERIFY(!c.result());
    }

    void stopOnDisconnectWhenAsked()
    {
        // a debugger that attached with "stop", then misbehaves: the debuggee stops its run
        FakeLaunch launch;
        launchUnder(launch, u"count_to_three"_s);
        if (QTest::currentTestFailed()) return;
        auto& [fake, p, s, payload] = launch;
        QByteArray attach(inspector::magic, 8);
        attach.append(char(1)).append(char(quint8(inspector::OnDisconnect::Stop)));
        s->write(frame(inspector::MessageType::Attach, attach) + randomBytes(3, 1024));
        s->flush();
        QVERIFY(p.waitForFinished(timeoutMs));
        QCOMPARE(p.exitCode(), 1);
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.contains(u"RunAbortedError"_s), qPrintable(out));
        // and says so (issue 17 #14: it used to say it went on)
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(u"stopping the run"_s), qPrintable(err));
        QVERIFY2(!err.contains(u"going on without the debugger"_s), qPrintable(err));
    }

    // ---- peers sending garbage -----------------------------------------------------------

    void garbageToTheDebuggee_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("expected");
        // small enough to be written at once: a peer whose write fails on the hang-up loses what
        // it had not read yet (the Error reply)
        QTest::addRow("random bytes") << randomBytes(7, 4096) << QString();
        QTest::addRow("random bytes 2") << randomBytes(12345, 4096) << QString();
        QTest::addRow("random bytes 3") << randomBytes(2024, 4096) << QString();
        QTest::addRow("oversized") << QByteArray("\xf0\xff\xff\xff\x10", 5) << u"exceeds the limit"_s;
        QByteArray attach(inspector::magic, 8);
        attach.append(char(99)).append(char(0));
        QTest::addRow("unknown version") << frame(inspector::MessageType::Attach, attach) << u"version 99"_s;
        QTest::addRow("command before attach")
            << frame(inspector::MessageType::Command, QByteArray(1, '\2')) << u"expected Attach"_s;
        QByteArray good(inspector::magic, 8);
        good.append(char(1)).append(char(0));
        QTest::addRow("bad command") << frame(inspector::MessageType::Attach, good)
                + frame(inspector::MessageType::Command, QByteArray(1, '\x7f'))
                                     << u"unknown command"_s;
        QTest::addRow("empty message") << QByteArray(4, '\0') << u"empty message"_s;
    }
    void garbageToTheDebuggee()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, expected);
        FakeLaunch launch;
        launchUnder(launch, u"count_to_three"_s);
        if (QTest::currentTestFailed()) return;
        auto& [fake, p, s, payload] = launch;
        QVERIFY(payload.startsWith(QByteArray(inspector::magic, 8)));
        quint8 type = 0;
        s->write(bytes);
        s->flush();
        // the debuggee answers with an Error (after events it sent meanwhile) and hangs up
        bool sawError = false;
        QString text;
        while (readMessage(*s, type, payload)) {
            if (type == quint8(inspector::MessageType::Error)) {
                sawError = true;
                text = QString::fromUtf8(payload.mid(2));
            }
        }
        if (!sawError) {
            p.waitForFinished(timeoutMs);
            QFAIL(qPrintable(u"no Error reply; debuggee stderr: "_s + QString::fromUtf8(p.readAllStandardError())));
        }
        if (!expected.isEmpty()) QVERIFY2(text.contains(expected), qPrintable(text));
        // and the program runs on without a debugger
        QVERIFY(p.waitForFinished(timeoutMs));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), u"Ok(3)\n"_s);
        QVERIFY(QString::fromUtf8(p.readAllStandardError()).contains(u"going on without the debugger"_s));
    }

    void garbageToTheDebugger_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addRow("random bytes") << randomBytes(99, 256 * 1024);
        QTest::addRow("oversized") << QByteArray("\xff\xff\xff\x7f\x01", 5);
        QByteArray hello(inspector::magic, 8);
        hello.append(char(50)).append(char(60)).append(char(1)).append(char(1)).append(char(1));
        hello.append(char(0)).append(char(0));
        QTest::addRow("unknown versions") << frame(inspector::MessageType::Hello, hello);
        QTest::addRow("events before hello") << frame(inspector::MessageType::Events, QByteArray(30, '\1'));
    }
    void garbageToTheDebugger()
    {
        QFETCH(QByteArray, bytes);
        InspectorClient c;
        QVERIFY(c.listen());
        QSignalSpy errors(&c, &InspectorClient::errorOccurred);
        QLocalSocket stranger;
        stranger.connectToServer(c.socketName());
        QVERIFY(stranger.waitForConnected(timeoutMs));
        stranger.write(bytes);
        stranger.flush();
        QVERIFY(errors.wait(timeoutMs));
        QTRY_COMPARE_WITH_TIMEOUT(stranger.state(), QLocalSocket::UnconnectedState, timeoutMs);
        QCOMPARE(c.state(), InspectorClient::State::Listening);
        // still good for a real debuggee
        QVERIFY(c.launch(doeffRun, { u"count_to_three"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QVERIFY(c.continueRun());
        QVERIFY(waitFinished(c));
        QCOMPARE(c.result()->format(), u"Ok(3)"_s);
    }

    void garbageEventsFromAnAttachedDebuggee()
    {
        // a fake debuggee: a valid hello, then an Events message whose records do not decode
        InspectorClient c;
        QVERIFY(c.listen());
        QSignalSpy attached(&c, &InspectorClient::attached);
        QSignalSpy errors(&c, &InspectorClient::errorOccurred);
        QLocalSocket fake;
        fake.connectToServer(c.socketName());
        QVERIFY(fake.waitForConnected(timeoutMs));
        QByteArray hello(inspector::magic, 8);
        hello.append(char(1)).append(char(1)).append(char(1)).append(char(1)).append(char(42));
        hello.append(char(4)).append("fake").append(char(4)).append("sync");
        QByteArray events;
        events.append(char(0)).append(char(0)); // no strings, no locations
        events.append(QByteArray(8, '\0')); // first event 0
        events.append(char(1)).append(QByteArray(3, '\0')); // 1 event
        events.append(QByteArray(8, '\0')); // base step
        events.append(char(0x1f)); // record kind 31: unknown
        fake.write(frame(inspector::MessageType::Hello, hello) + frame(inspector::MessageType::Events, events));
        fake.flush();
        QVERIFY(attached.wait(timeoutMs));
        QCOMPARE(c.hello().program, u"fake"_s);
        QCOMPARE(c.hello().pid, qint64(42));
        QTRY_VERIFY_WITH_TIMEOUT(!errors.isEmpty(), timeoutMs);
        QVERIFY2(c.errorString().contains(u"unknown event kind"_s), qPrintable(c.errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(fake.state(), QLocalSocket::UnconnectedState, timeoutMs);
        QCOMPARE(c.state(), InspectorClient::State::Finished);
    }

    void socketIsPrivate()
    {
        InspectorClient c;
        QVERIFY(c.listen());
        const QFileInfo dir(QFileInfo(c.socketName()).absolutePath());
        QCOMPARE(dir.permissions()
                     & (QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther | QFile::WriteOther
                        | QFile::ExeOther),
                 QFile::Permissions());
    }

    // Issue 17 #5: a socket in a directory others can write (sticky /tmp included) may be
    // anyone's: the debuggee refuses it, says why, and runs on; the debugger's own private
    // socket still works.
    void socketInASharedDirectoryIsRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QCOMPARE(::chmod(QFile::encodeName(dir.path()).constData(), 01777), 0);
        QLocalServer server;
        const QString path = dir.filePath(u"debugger.sock"_s);
        QVERIFY(server.listen(path));
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"DOEFF_INSPECT"_s, path);
        p.setProcessEnvironment(env);
        p.start(doeffRun, { u"count_to_three"_s });
        QVERIFY(p.waitForFinished(timeoutMs));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), u"Ok(3)\n"_s);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(path) && err.contains(u"writable by other users"_s) && err.contains(u"1777"_s),
                 qPrintable(err));
        QVERIFY(!server.hasPendingConnections());

        // a bare name lives in the shared temporary directory
        if (QFileInfo(QDir::tempPath()).permissions() & QFile::WriteOther) {
            env.insert(u"DOEFF_INSPECT"_s, u"doeff-test-bare-name"_s);
            p.setProcessEnvironment(env);
            p.start(doeffRun, { u"count_to_three"_s });
            QVERIFY(p.waitForFinished(timeoutMs));
            QCOMPARE(p.exitCode(), 0);
            const QString bare = QString::fromUtf8(p.readAllStandardError());
            QVERIFY2(bare.contains(u"writable by other users"_s), qPrintable(bare));
        }

        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"count_to_three"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QVERIFY(c.continueRun());
        QVERIFY(waitFinished(c));
        QCOMPARE(c.result()->format(), u"Ok(3)"_s);
    }

    // Issue 17 #15: a peer that accepts the connection and never attaches does not keep the
    // debuggee paused: it gives up after the handshake deadline and runs on.
    void handshakeDeadline()
    {
        FakeLaunch launch;
        launchUnder(launch, u"count_to_three"_s, u"DOEFF_INSPECT_HANDSHAKE_MS"_s, u"300"_s);
        if (QTest::currentTestFailed()) return;
        auto& [fake, p, s, payload] = launch;
        QVERIFY(p.waitForFinished(timeoutMs));
        QCOMPARE(p.exitCode(), 0);
        QCOMPARE(QString::fromUtf8(p.readAllStandardOutput()), u"Ok(3)\n"_s);
        const QString err = QString::fromUtf8(p.readAllStandardError());
        QVERIFY2(err.contains(u"did not attach within 300 ms"_s) && err.contains(u"going on without the debugger"_s),
                 qPrintable(err));
    }

    // Issue 17 #10: a value over the message limit (64 MiB) reaches the debugger, in its Put
    // event and in the result, as fragments of messages within the limit.
    void bigValuesTravelInFragments()
    {
        InspectorClient c;
        QVERIFY(c.launch(doeffRun, { u"--library"_s, testPrograms, u"big_value"_s }));
        QVERIFY(waitAttachedAndPaused(c));
        QCOMPARE(c.hello().version, inspector::maxProtocolVersion);
        QSignalSpy errors(&c, &InspectorClient::errorOccurred);
        QSignalSpy finished(&c, &InspectorClient::finished);
        QVERIFY(c.continueRun());
        // a real event loop: qWaitFor's naps would throttle the 140 MB of socket and stdout
        QVERIFY(finished.wait(bigValueTimeoutMs));
        QVERIFY2(errors.isEmpty(), qPrintable(c.errorString()));
        QVERIFY2(c.result().has_value(), qPrintable(c.finishSummary()));
        QVERIFY(c.result()->is_ok());
        QCOMPARE(c.result()->value().toString().size(), 70 * 1024 * 1024);
        const QString stored = c.session().store(0).value(u"big"_s).toString();
        QCOMPARE(stored.size(), 70 * 1024 * 1024);
        QVERIFY(stored.startsWith(u'<') && stored.endsWith(u'>'));
        QCOMPARE(c.exitCode(), 0);
    }

    // Issue 17 #8: the debuggee dies with its debugger (parent-death signal), instead of running
    // on with no one to stop it.
    void debuggeeDiesWithItsDebugger()
    {
        // a debugger killed outright cannot remove its socket's directory: keep it in ours
        QTemporaryDir runtime;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"XDG_RUNTIME_DIR"_s, runtime.path());
        QProcess p;
        p.setProcessEnvironment(env);
        const qint64 debuggee = startTerminalDebugger(p, { u"busy_loop"_s, u"--debug"_s });
        QVERIFY2(debuggee > 0, p.readAllStandardOutput().constData());
        p.write("continue\n");
        QVERIFY(p.waitForBytesWritten(timeoutMs));
        p.kill();
        QVERIFY(p.waitForFinished(timeoutMs));
        QTRY_VERIFY_WITH_TIMEOUT(processGone(debuggee), timeoutMs);
    }

    void noVariableNoAgent()
    {
        QVERIFY(!qEnvironmentVariableIsSet("DOEFF_INSPECT"));
        QVERIFY(!InspectorServer::fromEnvironment(u"sync"_s, InspectorServer::WaitMode::Block));
    }

    // ---- the terminal debugger -------------------------------------------------------------

    void terminalDebugger()
    {
        QProcess p;
        p.start(doeffRun, { u"--library"_s, testPrograms, u"nested"_s, u"--debug"_s });
        p.write("break Put\n"
                "continue\n"
                "store\n"
                "watch after\n"
                "next\n"
                "stack\n"
                "tasks\n"
                "continue\n"
                "continue\n"
                "store\n"
                "bogus\n"
                "continue\n"
                "log\n"
                "quit\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(timeoutMs));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 0);
        QVERIFY2(out.contains(u"Paused (start) at step"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Breakpoint 1: effect Put"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Paused (breakpoint 1: effect Put)"_s), qPrintable(out));
        QVERIFY2(out.contains(u"last effect: Put('before')"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Breakpoint 2: watch after"_s), qPrintable(out));
        // `next` from main's Put stops at the breakpoint inside the sub-program
        QVERIFY2(out.contains(u"last effect: Put('n')"_s), qPrintable(out));
        QVERIFY2(out.contains(u"ProgramFrame       - inspected::inner() at"_s), qPrintable(out));
        QVERIFY2(out.contains(u"ProgramFrame       - inspected::nested() at"_s), qPrintable(out));
        QVERIFY2(out.contains(u"task 0 'main' running"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Paused (breakpoint 2: watch after)"_s), qPrintable(out));
        QVERIFY2(out.contains(u"after = 5"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Ok(5)"_s), qPrintable(out));
        QVERIFY2(out.contains(u"the debuggee exited with status 0"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Unknown command 'bogus'"_s), qPrintable(out));
    }

    void terminalDebuggerGoesBack()
    {
        QProcess p;
        p.start(doeffRun, { u"--library"_s, testPrograms, u"nested"_s, u"--debug"_s });
        p.write("rcontinue\n"
                "break Put\n"
                "continue\n"
                "continue\n"
                "rcontinue\n"
                "back\n"
                "rcontinue\n"
                "goto\n"
                "quit\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(timeoutMs));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QCOMPARE(p.exitCode(), 1); // quit stopped the run: RunAbortedError
        QVERIFY2(out.contains(u"No breakpoints are enabled"_s), qPrintable(out));
        // the steps of the two hits, as the pauses named them
        static const QRegularExpression paused(u"Paused \\(breakpoint 1: effect Put\\) at step (\\d+)"_s);
        QList<quint64> hits;
        for (auto it = paused.globalMatch(out); it.hasNext();)
            hits.append(it.next().captured(1).toULongLong());
        QCOMPARE(hits.size(), 2);
        // from the second hit, rcontinue goes back to the first, and shows it
        QVERIFY2(out.contains(u"Breakpoint 1 (effect Put) hit at step %1."_s.arg(hits[0])), qPrintable(out));
        QVERIFY2(out.contains(u"Viewing step %1 "_s.arg(hits[0])), qPrintable(out));
        // back: one step earlier; then no hit before it
        QVERIFY2(out.contains(u"Viewing step %1 "_s.arg(hits[0] - 1)), qPrintable(out));
        QVERIFY2(out.contains(u"No breakpoint hit before step %1."_s.arg(hits[0] - 1)), qPrintable(out));
        QVERIFY2(out.contains(u"At the present: step %1."_s.arg(hits[1])), qPrintable(out));
    }

    void terminalDebuggerQuitStopsTheProgram()
    {
        QProcess p;
        p.start(doeffRun, { u"busy_loop"_s, u"--debug"_s });
        p.write("step\nquit\n");
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(timeoutMs));
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(out.contains(u"Paused (step)"_s), qPrintable(out));
        QVERIFY2(out.contains(u"Stopped the program at step 2."_s), qPrintable(out));
        QCOMPARE(p.exitCode(), 1); // the program's status: its run ended with RunAbortedError
    }

    // Issue 17 #7: a debuggee that does not answer (stopped here, like C++ looping without
    // effects) does not hold the prompt: `quit` overtakes the wait and kills it after the grace.
    void terminalDebuggerQuitEndsAnUnresponsiveProgram()
    {
        QProcess p;
        const qint64 debuggee = startTerminalDebugger(p, { u"busy_loop"_s, u"--debug"_s });
        QVERIFY2(debuggee > 0, p.readAllStandardOutput().constData());
        QCOMPARE(::kill(pid_t(debuggee), SIGSTOP), 0);
        p.write("continue\nquit\n");
        const bool exited = p.waitForFinished(timeoutMs);
        if (!exited) {
            ::kill(pid_t(debuggee), SIGKILL);
            p.kill();
        }
        const QString out = QString::fromUtf8(p.readAllStandardOutput());
        QVERIFY2(exited, qPrintable(out));
        QVERIFY2(out.contains(u"no answer from the program"_s), qPrintable(out));
        QVERIFY2(out.contains(u"killing it"_s), qPrintable(out));
        QVERIFY2(out.contains(u"signal 9"_s), qPrintable(out));
        QCOMPARE(p.exitCode(), 2);
        QTRY_VERIFY_WITH_TIMEOUT(processGone(debuggee), timeoutMs);
    }
};

QTEST_GUILESS_MAIN(TestInspector)
#include "tst_inspector.moc"
