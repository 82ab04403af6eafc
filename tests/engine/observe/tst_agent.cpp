// The debug agent: pausing at start, the step modes, breakpoints and watchpoints, asynchronous
// pause of a tight effect loop, stop, and the state reported at each pause. The program runs on
// a worker thread (a paused sync_run blocks its thread); the test thread plays the debugger.

#include "files.h"
#include "scenario.h"

#include <QMutex>
#include <QWaitCondition>

#include <optional>
#include <thread>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

Program<int> sub(int n)
{
    co_await Put("sub", n); // SUB_FIRST
    co_await Tell("in sub");
    int v = co_await Get<int>("sub");
    co_return v;
}
Program<int> mainFlow()
{
    co_await Put("a", 1);
    int s = co_await sub(5); // CALL_SUB
    co_await Put("b", s); // AFTER_SUB
    auto t = co_await Spawn(sub(7));
    int w = co_await Wait(t);
    co_return s + w;
}
Program<void> forever()
{
    for (int i = 0;; ++i)
        co_await Put("i", i);
}
Program<int> failsLater()
{
    co_await Put("x", 1);
    auto r = co_await Safe(Get("missing"));
    Q_UNUSED(r);
    co_return 1;
}

Program<int> waitsForever(Promise<int> p)
{
    co_return co_await Wait(p.future());
}

/// Spawns a task that waits on a promise nobody completes, then waits for it: a deadlock
/// unless the debugger cancels the waiter.
Program<QString> waitsOnAStuckTask()
{
    auto promise = co_await CreatePromise<int>();
    auto stuck = co_await Spawn(waitsForever(promise));
    co_await Put("spawned", 1); // CANCEL_HERE
    auto r = co_await Safe(Wait(stuck));
    co_return r.is_ok() ? u"done"_s : r.error().describe();
}

Program<int> throwsOnALine(int n)
{
    co_await Put("n", n);
    if (n > 0) throw std::runtime_error("too big"); // THROW_LINE
    co_return n;
}

Program<int> catchesTheThrow()
{
    auto r = co_await Safe(throwsOnALine(3));
    co_return r.is_ok() ? 0 : 1;
}

/// The same line three times: each time round the loop is an arrival at it.
Program<int> putsThrice()
{
    for (int i = 0; i < 3; ++i)
        co_await Put("i", i); // PUT_LINE
    co_return 3;
}

/// A coroutine handler that answers a Ping with effects of its own, as a logging or auditing
/// handler does, and forwards everything else.
Handler countingPings()
{
    return handler(u"counting"_s, [](const AnyEffect& e, HandlerContext&) -> Program<HandlerResult> {
        const auto* p = e.as<Ping>();
        if (!p) co_return Forward();
        co_await Tell("counting a ping"); // HANDLER_TELL
        co_await Put("counted", p->n);
        co_return Resume(p->n + 1);
    });
}
Program<int> pingsThroughAHandler()
{
    co_await Put("a", 1);
    const QVariant v = co_await ping(1); // PING_LINE
    co_await Put("b", v.toInt()); // AFTER_PING
    co_return v.toInt();
}

/// The line of this file marked `// marker`.
int lineOf(const QString& marker)
{
    return testcommon::lineOf(__FILE__, marker);
}

/// Runs a program under an agent on a worker thread and hands the pauses to the test.
class Session {
public:
    explicit Session(bool startPaused = true)
        : agent(startPaused)
    {
        agent.pausedCallback = [this](const PausedState& s) {
            QMutexLocker lock(&m_mutex);
            m_pauses.append(s);
            m_changed.wakeAll();
        };
    }
    ~Session()
    {
        agent.stop();
        if (m_thread.joinable()) m_thread.join();
    }
    /// Runs `program` under the preset handlers and `handlers` (innermost last).
    template<class T> void start(Program<T> program, Store store = {}, HandlerList handlers = {})
    {
        auto shared = std::make_shared<Program<T>>(std::move(program));
        m_thread = std::thread([this, shared, store, handlers] {
            RunOptions o;
            o.clock = Clock::Simulated;
            o.observers = { &agent };
            auto r = sync_run(std::move(*shared), sync_handlers_preset() + handlers, {}, store, o);
            QMutexLocker lock(&m_mutex);
            m_result = r;
            m_changed.wakeAll();
        });
    }
    /// The next pause (or nullopt when the run ended first). Waits on the machine, not on time;
    /// the deadline only turns a hang into a failure.
    std::optional<PausedState> nextPause()
    {
        QMutexLocker lock(&m_mutex);
        QDeadlineTimer deadline(20000);
        while (m_pauses.isEmpty() && !m_result)
            if (!m_changed.wait(&m_mutex, deadline)) break;
        if (m_pauses.isEmpty()) return std::nullopt;
        return m_pauses.takeFirst();
    }
    std::optional<RuntimeResultBase> result()
    {
        QMutexLocker lock(&m_mutex);
        QDeadlineTimer deadline(20000);
        while (!m_result)
            if (!m_changed.wait(&m_mutex, deadline)) break;
        return m_result;
    }
    /// Runs on to the line of this file marked `marker` (a line breakpoint there, removed once
    /// hit): the pause at it, or nullopt when the run paused for another reason or ended first.
    std::optional<PausedState> runToMarker(const QString& marker)
    {
        Breakpoint b;
        b.kind = Breakpoint::Kind::SourceLine;
        b.file = u"tst_agent.cpp"_s;
        b.line = lineOf(marker);
        const int id = agent.addBreakpoint(b);
        agent.continueRun();
        std::optional<PausedState> p = nextPause();
        agent.removeBreakpoint(id);
        if (p && !p->reason.startsWith(u"breakpoint %1"_s.arg(id))) {
            qWarning("paused for '%s', not at %s", qPrintable(p->reason), qPrintable(marker));
            return std::nullopt;
        }
        return p;
    }
    /// Starts pingsThroughAHandler under countingPings and pauses at its start (at the Put
    /// before its Ping when `pastTheFirstPut`): whether it paused there.
    bool startPingsThroughAHandler(bool pastTheFirstPut)
    {
        start(pingsThroughAHandler(), {}, { countingPings() });
        if (!nextPause()) return false;
        if (!pastTheFirstPut) return true;
        agent.stepEffect(); // Put('a')
        return nextPause().has_value();
    }
    DebugAgent agent;

private:
    QMutex m_mutex;
    QWaitCondition m_changed;
    QList<PausedState> m_pauses;
    std::optional<RuntimeResultBase> m_result;
    std::thread m_thread;
};

} // namespace

class TestAgent : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cancelTaskCancelsAnotherTaskWhenTheTurnEnds()
    {
        Session s;
        s.start(waitsOnAStuckTask());
        QVERIFY(s.nextPause()); // start
        Breakpoint b;
        b.kind = Breakpoint::Kind::StoreKey;
        b.pattern = u"spawned"_s;
        s.agent.addBreakpoint(b);
        s.agent.continueRun();
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->tasks.size(), 2);
        // the main task cannot be cancelled by the debugger; task 1 can
        s.agent.cancelTask(0);
        s.agent.cancelTask(1);
        s.agent.continueRun();
        const auto r = s.result();
        QVERIFY(r);
        // without the cancel the run deadlocks; with it the main task sees its waiter cancelled
        QVERIFY2(r->is_ok(), qPrintable(r->format()));
        QCOMPARE(r->anyValue().toString(), u"TaskCancelledError: Task 1 'waitsForever' was cancelled"_s);
    }

    void startsPausedWithTheWholeState()
    {
        Session s;
        s.start(mainFlow());
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->reason, u"start"_s);
        QCOMPARE(p->task, 0);
        QCOMPARE(p->tasks.size(), 1);
        QCOMPARE(p->tasks[0].name, u"main"_s);
        const QList<FrameInfo>& k = p->k.value(0);
        QVERIFY(k.size() >= 5);
        QCOMPARE(k.last().description, u"task 0 'main'"_s);
        s.agent.continueRun();
        auto r = s.result();
        QVERIFY(r);
        QCOMPARE(resultText(*r), u"Ok(12)"_s);
    }
    void stepEffectVisitsEveryEffectInOrder()
    {
        Session s;
        s.start(mainFlow());
        QVERIFY(s.nextPause());
        QStringList labels;
        for (;;) {
            s.agent.stepEffect();
            auto p = s.nextPause();
            if (!p) break;
            labels.append(u"%1:%2"_s.arg(p->task).arg(p->event.name));
        }
        QCOMPARE(labels.join(u' '),
                 u"0:Put('a') 0:Put('sub') 0:Tell('in sub') 0:Get('sub') 0:Put('b') "
                 u"0:Spawn(sub()) 1:Put('sub') 0:Wait(task 1 'sub') 1:Tell('in sub') 1:Get('sub')"_s);
        QCOMPARE(resultText(*s.result()), u"Ok(12)"_s);
    }
    void stepIntoIsOneMachineStep()
    {
        Session s;
        s.start(mainFlow());
        auto first = s.nextPause();
        QVERIFY(first);
        quint64 last = first->step;
        for (int i = 0; i < 20; ++i) {
            s.agent.stepInto();
            auto p = s.nextPause();
            QVERIFY(p);
            QCOMPARE(p->reason, u"step"_s);
            QCOMPARE(p->step, last + 1);
            last = p->step;
        }
    }
    void stepOverRunsSubProgramsStepOutReturns()
    {
        Session s;
        s.start(mainFlow());
        QVERIFY(s.nextPause());
        s.agent.stepEffect(); // Put('a') in main
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->event.name, u"Put('a')"_s);
        s.agent.stepOver(); // sub(5)'s three effects run; next effect of main at its depth
        p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->event.name, u"Put('b')"_s);
        QCOMPARE(p->event.line, lineOf(u"AFTER_SUB"_s));
        QCOMPARE(p->stores.value(0).value(u"sub"_s).toInt(), 5); // sub ran
    }
    void stepOutFinishesTheActivation()
    {
        Session s;
        s.start(mainFlow());
        QVERIFY(s.nextPause());
        auto p = s.runToMarker(u"SUB_FIRST"_s);
        QVERIFY(p);
        QCOMPARE(p->k.value(0).first().function, u"sub"_s);
        s.agent.stepOut();
        p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->reason, u"step out"_s);
        QCOMPARE(p->k.value(0).first().function, u"mainFlow"_s);
    }
    // A program whose effect a coroutine handler handles is off its task's K until the handler
    // resumes it: stepping measures it all the same, so step over runs the handler's own
    // effects, and step out waits for the program to return, not for the handling to start.
    void steppingOverAnEffectRunsTheCoroutineHandlerThatHandlesIt()
    {
        Session s;
        QVERIFY(s.startPingsThroughAHandler(true));
        s.agent.stepOver();
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->event.line, lineOf(u"PING_LINE"_s));
        s.agent.stepOver(); // the handler's Tell and Put run
        p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->event.name, u"Put('b')"_s);
        QCOMPARE(p->event.line, lineOf(u"AFTER_PING"_s));
        QCOMPARE(p->stores.value(0).value(u"counted"_s).toInt(), 1);
    }
    void steppingOutOfAProgramWaitsWhileAHandlerHandlesItsEffect()
    {
        Session s;
        QVERIFY(s.startPingsThroughAHandler(true));
        s.agent.stepOut(); // out of the main program: its task ends
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->reason, u"step out (task finished)"_s);
        s.agent.continueRun();
        QCOMPARE(resultText(*s.result()), u"Ok(2)"_s);
    }
    void steppingOutOfACoroutineHandlerReturnsToTheSite()
    {
        Session s;
        QVERIFY(s.startPingsThroughAHandler(false));
        auto p = s.runToMarker(u"HANDLER_TELL"_s);
        QVERIFY(p);
        s.agent.stepOut();
        p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->reason, u"step out"_s);
        // in the program, at the line whose effect the handler answered
        QCOMPARE(p->k.value(0).first().function, u"pingsThroughAHandler"_s);
        QCOMPARE(p->event.line, lineOf(u"PING_LINE"_s));
        QCOMPARE(p->stores.value(0).value(u"counted"_s).toInt(), 1);
    }

    // Issue 20: a line breakpoint on a `throw` stops there (at the error raised by that line),
    // which is also what Run Back to Cursor on such a line finds in a history.
    void aLineBreakpointStopsAtAThrow()
    {
        Session s;
        s.start(catchesTheThrow());
        QVERIFY(s.nextPause());
        Breakpoint b;
        b.kind = Breakpoint::Kind::SourceLine;
        b.file = u"tst_agent.cpp"_s;
        b.line = lineOf(u"THROW_LINE"_s);
        const int id = s.agent.addBreakpoint(b);
        s.agent.continueRun();
        auto p = s.nextPause();
        QVERIFY(p);
        QVERIFY2(p->reason.startsWith(u"breakpoint %1"_s.arg(id)), qPrintable(p->reason));
        QCOMPARE(p->event.kind, EventKind::ErrorRaised);
        QCOMPARE(p->event.line, b.line);
        s.agent.removeBreakpoint(id);
        s.agent.continueRun();
        QVERIFY(!s.nextPause());
        QCOMPARE(resultText(*s.result()), u"Ok(1)"_s);
    }

    // A line breakpoint hits when a task arrives at its line: the step that runs it, not again
    // at the effect the line yields or the step that resumes after it.
    void aLineBreakpointHitsOncePerArrival()
    {
        Session s;
        s.start(putsThrice());
        QVERIFY(s.nextPause());
        Breakpoint b;
        b.kind = Breakpoint::Kind::SourceLine;
        b.file = u"tst_agent.cpp"_s;
        b.line = lineOf(u"PUT_LINE"_s);
        const int id = s.agent.addBreakpoint(b);
        QList<quint64> steps;
        for (int i = 0; i < 3; ++i) {
            s.agent.continueRun();
            const auto p = s.nextPause();
            QVERIFY(p);
            QVERIFY2(p->reason.startsWith(u"breakpoint %1"_s.arg(id)), qPrintable(p->reason));
            QCOMPARE(p->event.line, b.line);
            // the store as it is on arriving: the previous time round's Put done
            const QVariant* value = p->stores.value(0).find(u"i"_s);
            QCOMPARE(value ? *value : QVariant(), i == 0 ? QVariant() : QVariant(i - 1));
            steps << p->step;
        }
        s.agent.continueRun();
        QVERIFY(!s.nextPause());
        QCOMPARE(resultText(*s.result()), u"Ok(3)"_s);
        QCOMPARE(s.agent.breakpoints().first().hits, 3);
    }

    void breakpointsAndWatchpoints()
    {
        Session s;
        s.start(mainFlow());
        QVERIFY(s.nextPause());
        Breakpoint watch;
        watch.kind = Breakpoint::Kind::StoreKey;
        watch.pattern = u"b"_s;
        const int w = s.agent.addBreakpoint(watch);
        Breakpoint get;
        get.kind = Breakpoint::Kind::Effect;
        get.pattern = u"Put"_s;
        get.condition = u"value=7"_s;
        const int g = s.agent.addBreakpoint(get);
        Breakpoint spawn;
        spawn.kind = Breakpoint::Kind::TaskSpawn;
        const int sp = s.agent.addBreakpoint(spawn);
        QStringList reasons;
        for (;;) {
            s.agent.continueRun();
            auto p = s.nextPause();
            if (!p) break;
            reasons.append(p->reason.section(u':', 0, 0));
        }
        QCOMPARE(reasons,
                 (QStringList { u"breakpoint %1"_s.arg(w), u"breakpoint %1"_s.arg(sp), u"breakpoint %1"_s.arg(g) }));
        for (const Breakpoint& b : s.agent.breakpoints())
            QCOMPARE(b.hits, 1);
        QCOMPARE(resultText(*s.result()), u"Ok(12)"_s);
    }
    // Issue 20: a hit count pauses only at the Nth hit; every hit is counted.
    void hitCountPausesOnlyAtTheNthHit()
    {
        Session s;
        s.start(mainFlow());
        QVERIFY(s.nextPause());
        Breakpoint put;
        put.kind = Breakpoint::Kind::Effect;
        put.pattern = u"Put"_s;
        put.hitCount = 3; // Put a, Put sub (5), then Put b
        const int id = s.agent.addBreakpoint(put);
        s.agent.continueRun();
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->reason.section(u':', 0, 0), u"breakpoint %1"_s.arg(id));
        QCOMPARE(p->event.value.toMap().value(u"key"_s).toString(), u"b"_s);
        QCOMPARE(s.agent.breakpoints().first().hits, 3);
        s.agent.continueRun();
        QVERIFY(!s.nextPause()); // the fourth Put is counted, not paused at
        QCOMPARE(s.agent.breakpoints().first().hits, 4);
        QCOMPARE(resultText(*s.result()), u"Ok(12)"_s);
    }
    void errorBreakpointAndDisabling()
    {
        Session s;
        s.start(failsLater());
        QVERIFY(s.nextPause());
        Breakpoint err;
        err.kind = Breakpoint::Kind::Error;
        const int id = s.agent.addBreakpoint(err);
        s.agent.continueRun();
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->event.name, u"MissingStoreKeyError"_s);
        QVERIFY(s.agent.setBreakpointEnabled(id, false));
        s.agent.continueRun();
        QVERIFY(!s.nextPause());
        QCOMPARE(resultText(*s.result()), u"Ok(1)"_s);
    }
    void pauseATightLoopThenStop()
    {
        Session s(false);
        s.start(forever());
        s.agent.pause(); // honoured at the next step, wherever the loop is
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->reason, u"pause"_s);
        s.agent.stop();
        auto r = s.result();
        QVERIFY(r);
        QCOMPARE(resultText(*r), u"Err(RunAbortedError: stopped by the debugger)"_s);
    }
    void recordedHitsAreTheLiveHits()
    {
        // Reverse Continue looks for the previous hit in the recorded history: a record must
        // hit exactly where its live event did
        QList<Breakpoint> bps;
        const auto add = [&](Breakpoint::Kind kind, const QString& pattern, const QString& condition = {}) {
            Breakpoint b;
            b.kind = kind;
            b.pattern = pattern;
            b.condition = condition;
            bps.append(b);
        };
        add(Breakpoint::Kind::Effect, u"Put"_s, u"key=b"_s);
        add(Breakpoint::Kind::Effect, u"Tell"_s);
        add(Breakpoint::Kind::StoreKey, u"sub"_s);
        add(Breakpoint::Kind::EnvKey, u"missing"_s);
        add(Breakpoint::Kind::Error, {});
        add(Breakpoint::Kind::UncaughtError, {});
        add(Breakpoint::Kind::TaskSpawn, {});
        add(Breakpoint::Kind::TaskFinish, {});
        add(Breakpoint::Kind::Deadlock, {});
        Breakpoint line;
        line.kind = Breakpoint::Kind::SourceLine;
        line.file = u"tst_agent.cpp"_s;
        line.line = lineOf(u"SUB_FIRST"_s);
        bps.append(line);
        line.line = lineOf(u"THROW_LINE"_s);
        bps.append(line);

        struct Both final : Observer {
            QList<Breakpoint> bps;
            QList<Event> records;
            QList<QList<bool>> live;
            void onEvent(const LiveEvent& e, const RunView&) override
            {
                QList<bool> verdicts;
                for (const Breakpoint& b : std::as_const(bps))
                    verdicts.append(b.matches(e));
                live.append(verdicts);
                records.append(e.record());
            }
        } both;
        both.bps = bps;
        RunOptions o;
        o.clock = Clock::Simulated;
        o.observers = { &both };
        QCOMPARE(resultText(sync_run(mainFlow(), sync_handlers_preset(), {}, {}, o)), u"Ok(12)"_s);
        QVERIFY(resultText(sync_run(failsLater(), sync_handlers_preset(), {}, {}, o)).startsWith(u"Ok("_s));
        QCOMPARE(resultText(sync_run(catchesTheThrow(), sync_handlers_preset(), {}, {}, o)), u"Ok(1)"_s);
        QList<int> liveHits(bps.size(), 0);
        for (qsizetype i = 0; i < both.records.size(); ++i)
            for (qsizetype b = 0; b < bps.size(); ++b) {
                QVERIFY2(bps[b].matches(both.records[i]) == both.live[i][b],
                         qPrintable(u"%1 on event %2 (%3)"_s.arg(bps[b].describe())
                                        .arg(i)
                                        .arg(QLatin1StringView(eventKindName(both.records[i].kind)))));
                liveHits[b] += both.live[i][b] ? 1 : 0;
            }
        // and the kinds that can hit in these runs do
        QCOMPARE(liveHits[0], 1); // Put('b', …)
        QCOMPARE(liveHits[1], 2); // a Tell in each sub
        QCOMPARE(liveHits[2], 2); // Put('sub', …) in each sub
        QCOMPARE(liveHits[3], 0);
        QVERIFY(liveHits[4] >= 1); // Get('missing') raises
        QCOMPARE(liveHits[6], 1);
        QVERIFY(liveHits[7] >= 3);
        QVERIFY(liveHits[9] >= 2);
        QCOMPARE(liveHits[10], 1); // the throw, on its line
    }
    void aReleaseIsNeverLostToAPause()
    {
        // the inspector releases the run when its debugger leaves; that may happen just as the
        // machine begins a pause, which forgets the commands sent before it (CI caught a run
        // waiting forever for a debugger that had gone): a release is never forgotten
        Session s;
        Breakpoint tell;
        tell.pattern = u"Tell"_s;
        s.agent.addBreakpoint(tell);
        s.agent.release();
        s.start(mainFlow());
        QVERIFY(!s.nextPause());
        QCOMPARE(resultText(*s.result()), u"Ok(12)"_s);
    }
    void aContinueSentBeforeAPauseIsForgotten()
    {
        Session s;
        s.agent.continueRun(); // meant for a pause that has not happened: not for the next one
        s.start(mainFlow());
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->reason, u"start"_s);
        s.agent.release(); // and a release ends a pause in progress
        QVERIFY(!s.nextPause());
        QCOMPARE(resultText(*s.result()), u"Ok(12)"_s);
    }
    void runToLine()
    {
        Session s;
        s.start(mainFlow());
        QVERIFY(s.nextPause());
        s.agent.runToLine(u"tst_agent.cpp"_s, lineOf(u"AFTER_SUB"_s));
        auto p = s.nextPause();
        QVERIFY(p);
        QCOMPARE(p->event.line, lineOf(u"AFTER_SUB"_s));
        QCOMPARE(p->stores.value(0).value(u"a"_s).toInt(), 1);
    }
};

QTEST_GUILESS_MAIN(TestAgent)
#include "tst_agent.moc"
