// The event stream: order, completeness, identical streams on both runners, several observers,
// and — the property traces and the Studio rely on — reducing the events with SessionState
// reproduces the machine's state (tasks, K, store, env) after every event.

#include "workload.h"

#include <QtConcurrent>

#include <cstring>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

Program<QVariantList> twoBranches()
{
    co_return co_await Gather(leafWork(1), leafWork(2));
}

Program<int> putsUnder(QString key)
{
    co_await Put(key, 1);
    co_return co_await Get<int>(key);
}

RunOptions simulatedClock(QList<Observer*> observers)
{
    RunOptions o;
    o.clock = Clock::Simulated;
    o.observers = std::move(observers);
    return o;
}

QString line(const Event& e)
{
    QString s = QString::fromLatin1(eventKindName(e.kind)) + u" step="_s + QString::number(e.step) + u" task="_s
        + QString::number(e.task) + u" i="_s + QString::number(e.index) + u" c="_s + QString::number(e.code) + u' '
        + e.name + u'|' + e.text + u'|' + repr(e.value) + u'|' + repr(e.old);
    if (e.file) s += u" @"_s + QString::fromUtf8(e.file).section(u'/', -1) + u':' + QString::number(e.line);
    return s;
}

/// Checks, for every live event, that its typed fields are those of its kind and say what the
/// owned record says.
struct TypedChecker final : Observer {
    QStringList mismatches;
    int checked = 0;
    void onEvent(const LiveEvent& e, const RunView&) override
    {
        const Event r = e.record();
        const auto fail = [&](const QString& what) {
            if (mismatches.size() < 10) mismatches.append(line(r) + u": "_s + what);
        };
        if (r.kind != e.kind || r.step != e.step || r.task != e.task || r.file != e.file || r.line != e.line)
            fail(u"the record's head differs"_s);
        // exactly one kind's fields
        const int kinds = int(e.as<events::Step>() != nullptr) + int(e.as<events::StoreWrite>() != nullptr)
            + int(e.as<events::EffectYielded>() != nullptr) + int(e.as<events::TaskStateChanged>() != nullptr);
        if (kinds > 1) fail(u"more than one kind's fields"_s);
        if (const auto* f = e.as<events::Step>()) {
            ++checked;
            if (int(f->control) != r.code || f->depth != r.index) fail(u"Step fields"_s);
        } else if (const auto* f = e.as<events::EffectYielded>()) {
            ++checked;
            if (f->label != r.name || f->effect.name() != r.text || QVariant(f->effect.fields()) != r.value)
                fail(u"EffectYielded fields"_s);
        } else if (const auto* f = e.as<events::StoreWrite>()) {
            ++checked;
            if (f->key != r.name || f->value != r.value || (f->old ? *f->old : QVariant()) != r.old
                || (f->old == nullptr) == r.old.isValid())
                fail(u"StoreWrite fields"_s);
        } else if (const auto* f = e.as<events::TaskStateChanged>()) {
            ++checked;
            if (int(f->state) != r.code || f->waitsOn() != r.name) fail(u"TaskStateChanged fields"_s);
        } else if (const auto* f = e.as<events::EffectHandled>()) {
            ++checked;
            if (int(f->how) != r.code || f->label != r.name || f->handler != r.text) fail(u"EffectHandled fields"_s);
        }
    }
};

/// A value whose text the test counts: formatted only when someone asks.
struct Counted {
    int n = 0;
    bool operator==(const Counted& o) const { return n == o.n; }
};
int countedReprs = 0;

Program<Counted> makesCounted(int n)
{
    co_await Put("c", n);
    co_return Counted { n };
}
Program<int> finishesTasksWithCountedValues()
{
    auto a = co_await Spawn(makesCounted(1));
    auto b = co_await Spawn(makesCounted(2));
    Counted x = co_await Wait(a);
    Counted y = co_await Wait(b);
    co_return x.n + y.n;
}

/// Listen and CaptureGraph frames count what they captured "so far"; only the live view has it.
QString withoutCounts(QString d)
{
    static const QRegularExpression so(u"\\(\\d+ (nodes )?so far\\)"_s);
    return d.remove(so);
}

/// Records the stream as text.
struct Recorder final : Observer {
    QStringList lines;
    QList<int> kinds;
    void onRecord(const Event& e, const RunView&) override
    {
        lines.append(line(e));
        kinds.append(int(e.kind));
    }
};

/// The stream of leafWork(5) on a store with counter = 10 (its result checked).
void recordLeafWork(Recorder& rec)
{
    RunOptions o;
    o.observers = { &rec };
    auto r = sync_run(leafWork(5), sync_handlers_preset(), {}, Store { { u"counter"_s, 10 } }, o);
    QCOMPARE(resultText(r), u"Ok(10)"_s);
}

/// Reduces every event and compares the reduction with the live machine.
struct Checker final : Observer {
    SessionState state;
    QStringList mismatches;
    int checked = 0;
    void onRecord(const Event& e, const RunView& view) override
    {
        state.apply(e);
        // before the first step the stream is still introducing the main task and its frames
        if (e.kind == EventKind::RunFinished || e.step == 0) return;
        ++checked;
        const auto fail = [&](const QString& what) {
            if (mismatches.size() < 10) mismatches.append(u"after "_s + line(e) + u": "_s + what);
        };
        for (const TaskSnapshot& t : view.tasks()) {
            const SessionTask* s = state.task(t.id);
            if (!s) {
                if (t.state != TaskStateCode::Ready || t.steps > 0) fail(u"task %1 unknown"_s.arg(t.id));
                continue;
            }
            if (s->state != t.state) fail(u"task %1 state %2 vs %3"_s.arg(t.id).arg(int(s->state)).arg(int(t.state)));
            if (s->name != t.name) fail(u"task %1 name"_s.arg(t.id));
            // what a task waits on is announced when it blocks; the live label then shrinks as
            // items finish
            if (e.kind == EventKind::TaskStateChanged && e.task == t.id && s->waitsOn != t.waitsOn)
                fail(u"task %1 waits on '%2' vs '%3'"_s.arg(t.id).arg(s->waitsOn, t.waitsOn));
            const QList<FrameInfo> live = view.liveK(t.id);
            const QList<FrameInfo> reduced = state.k(t.id);
            if (live.size() != reduced.size()) {
                {
                    QStringList a, b;
                    for (const auto& f : reduced)
                        a.append(f.kind + u' ' + f.description);
                    for (const auto& f : live)
                        b.append(f.kind + u' ' + f.description);
                    fail(u"task %1 K size %2 vs %3: [%4] vs [%5]"_s.arg(t.id)
                             .arg(reduced.size())
                             .arg(live.size())
                             .arg(a.join(u", "_s), b.join(u", "_s)));
                }
            } else {
                for (qsizetype i = 0; i < live.size(); ++i)
                    if (live[i].kind != reduced[i].kind
                        || withoutCounts(live[i].description) != withoutCounts(reduced[i].description))
                        fail(u"task %1 K[%2] '%3 %4' vs '%5 %6'"_s.arg(t.id).arg(i).arg(
                            reduced[i].kind, reduced[i].description, live[i].kind, live[i].description));
            }
            if (!(state.store(t.id) == view.store(t.id)))
                fail(u"task %1 store %2 vs %3"_s.arg(t.id).arg(repr(state.store(t.id).toMap()),
                                                               repr(view.store(t.id).toMap())));
            if (state.task(t.id)->env != view.env(t.id) && !t.name.isEmpty()) fail(u"task %1 env"_s.arg(t.id));
        }
    }
};

/// Compares the handling frames of the reduced K with the machine's: both located where the
/// handled effect was performed.
struct HandlingChecker final : Observer {
    SessionState state;
    QStringList mismatches;
    int handlings = 0;
    void onRecord(const Event& e, const RunView& view) override
    {
        state.apply(e);
        if (e.kind == EventKind::RunFinished) return;
        for (const TaskSnapshot& t : view.tasks()) {
            const QList<FrameInfo> live = view.liveK(t.id);
            const QList<FrameInfo> reduced = state.k(t.id);
            if (live.size() != reduced.size()) continue; // (the checker above compares sizes)
            for (qsizetype i = 0; i < live.size(); ++i) {
                if (live[i].kind != u"HandlingFrame"_s) continue;
                ++handlings;
                if (live[i].file != reduced[i].file || live[i].line != reduced[i].line
                    || live[i].function != reduced[i].function || live[i].file.isEmpty())
                    mismatches.append(u"after %1: K[%2] at %3:%4 %5 vs %6:%7 %8"_s.arg(line(e))
                                          .arg(i)
                                          .arg(reduced[i].file)
                                          .arg(reduced[i].line)
                                          .arg(reduced[i].function, live[i].file)
                                          .arg(live[i].line)
                                          .arg(live[i].function));
            }
        }
    }
};

Program<int> tellTwice()
{
    co_await Tell("first");
    co_await Tell("second");
    co_return 2;
}

struct Thrower final : Observer {
    int seen = 0;
    void onEvent(const LiveEvent&, const RunView&) override
    {
        ++seen;
        throw std::runtime_error("observer bug");
    }
};

/// What a reduction holds, as text: every task's fields, K and store, the tree and the logs.
QString stateText(const SessionState& s)
{
    QStringList out { u"step %1 events %2 current %3 status %4"_s.arg(s.step())
                          .arg(s.eventCount())
                          .arg(s.currentTask())
                          .arg(s.status()) };
    for (const SessionTask& t : s.tasks()) {
        out.append(u"task %1 %2 state %3 steps %4 waits '%5' store %6"_s.arg(t.id)
                       .arg(t.name)
                       .arg(int(t.state))
                       .arg(t.steps)
                       .arg(t.waitsOn, repr(s.store(t.id).toMap())));
        for (const SessionFrame& f : t.k)
            out.append(u"  %1 %2:%3 node %4"_s.arg(f.description, f.file).arg(f.line).arg(f.node));
    }
    out.append(u"tree %1 logs %2"_s.arg(s.tree().size()).arg(s.logs().size()));
    return out.join(u'\n');
}

} // namespace

class TestObserver : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void reductionMatchesTheMachineAfterEveryEvent_data() { addRunnerColumn(); }
    void reductionMatchesTheMachineAfterEveryEvent()
    {
        QFETCH(int, runner);
        Checker checker;
        auto r = runWith(runner, workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, simulatedClock({ &checker }));
        QVERIFY2(r.is_ok(), qPrintable(r.format()));
        QVERIFY2(checker.mismatches.isEmpty(), qPrintable(checker.mismatches.join(u'\n')));
        QVERIFY(checker.checked > 100);
        QVERIFY(checker.state.finished());
        QCOMPARE(checker.state.status(), resultText(r));
        QCOMPARE(checker.state.store(0).toMap(), r.raw_store().toMap());
        QCOMPARE(checker.state.store(0).keys(), r.raw_store().keys());
    }
    void dumpStream()
    {
        Recorder rec;
        auto r = sync_run(workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, simulatedClock({ &rec }));
        if (qEnvironmentVariableIsSet("DOEFF_DUMP"))
            for (const QString& l : rec.lines.mid(0, 60))
                qInfo().noquote() << l;
        QVERIFY(r.is_ok());
    }
    void everyEventKindOccurs()
    {
        Recorder rec;
        auto r = sync_run(workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, simulatedClock({ &rec }));
        QVERIFY(r.is_ok());
        QSet<int> kinds(rec.kinds.cbegin(), rec.kinds.cend());
        for (int k = 1; k <= EventKindCount; ++k) {
            if (EventKind(k) == EventKind::StoreReplaced)
                continue; // only Resume(v).withStore(s) produces it; see below
            if (EventKind(k) == EventKind::InputReceived)
                continue; // the simulated clock takes nothing in: see inputsAreEvents
            QVERIFY2(kinds.contains(k), eventKindName(EventKind(k)));
        }
        QCOMPARE(rec.kinds.first(), int(EventKind::RunStarted));
        QCOMPARE(rec.kinds.last(), int(EventKind::RunFinished));
        // step numbers never go down
        quint64 last = 0;
        for (const QString& l : rec.lines) {
            const quint64 step = l.section(u"step="_s, 1).section(u' ', 0, 0).toULongLong();
            QVERIFY(step >= last);
            last = step;
        }
    }
    /// What a run takes in from outside is an event (docs/replay.md): a real-clock reading and
    /// an Await's result, with the task, the id and the value, typed and recorded alike.
    void inputsAreEvents()
    {
        struct Inputs final : Observer {
            QList<Event> records;
            QList<InputKind> typed;
            void onEvent(const LiveEvent& e, const RunView&) override
            {
                if (const auto* in = e.as<events::InputReceived>()) {
                    typed.append(in->input);
                    records.append(e.record());
                }
            }
        } inputs;
        auto program = []() -> Program<qint64> {
            const QDateTime now = co_await GetTime();
            const int n = co_await Await([] { return QtConcurrent::run([] { return 7; }); });
            co_return now.toMSecsSinceEpoch() + n;
        };
        RunOptions o;
        o.observers = { &inputs };
        const auto r = sync_run(program(), sync_handlers_preset(), {}, {}, o);
        QVERIFY(r.is_ok());
        QCOMPARE(inputs.typed, (QList<InputKind> { InputKind::Clock, InputKind::Await }));
        const Event& clock = inputs.records[0];
        QCOMPARE(clock.code, int(InputKind::Clock));
        QCOMPARE(clock.task, 0);
        QCOMPARE(clock.index, -1);
        QCOMPARE(clock.value.toLongLong() / 1000 + 7, r.value()); // µs; GetTime gives ms
        QVERIFY(!clock.old.isValid()); // the real clock
        const Event& await = inputs.records[1];
        QCOMPARE(await.code, int(InputKind::Await));
        QCOMPARE(await.index, 1); // the run's first Await
        QCOMPARE(await.value.toInt(), 7);
        QVERIFY(await.name.isEmpty() && await.text.isEmpty());
        QCOMPARE(QString::fromLatin1(eventKindName(EventKind::InputReceived)), u"InputReceived"_s);
        QCOMPARE(QString::fromLatin1(inputKindName(InputKind::ExternalPromise)), u"external promise"_s);
    }
    /// An observer of inputs only (docs/replay.md, "Input logs") is sent RunStarted, each input
    /// and RunFinished, in order, with the steps an observer of everything sees them at.
    void anObserverOfInputsSeesOnlyThem()
    {
        struct Kinds final : Observer {
            EventInterest wanted;
            explicit Kinds(EventInterest w)
                : wanted(w)
            { }
            EventInterest interest() const override { return wanted; }
            QList<std::pair<EventKind, quint64>> seen;
            void onEvent(const LiveEvent& e, const RunView&) override
            {
                if (wanted == EventInterest::Inputs || e.kind == EventKind::RunStarted
                    || e.kind == EventKind::InputReceived || e.kind == EventKind::RunFinished)
                    seen.append({ e.kind, e.step });
            }
        };
        auto program = []() -> Program<qint64> {
            const Task<int> child = co_await Spawn(putsUnder(u"child"_s));
            const QDateTime now = co_await GetTime();
            const int n = co_await Await([] { return QtConcurrent::run([] { return 7; }); });
            co_await Wait(child);
            co_return now.toMSecsSinceEpoch() + n;
        };
        Kinds inputsOnly(EventInterest::Inputs);
        RunOptions o;
        o.observers = { &inputsOnly };
        QVERIFY(sync_run(program(), sync_handlers_preset(), {}, {}, o).is_ok());
        const QList<EventKind> kinds { EventKind::RunStarted, EventKind::InputReceived, EventKind::InputReceived,
                                       EventKind::RunFinished };
        QCOMPARE(inputsOnly.seen.size(), kinds.size());
        for (qsizetype i = 0; i < kinds.size(); ++i)
            QCOMPARE(inputsOnly.seen[i].first, kinds[i]);
        // an observer of everything sees those four at the same steps: the spawned task shares
        // its parent's handlers unwatched and copies them watched, in as many steps
        Kinds inputsOnlyAgain(EventInterest::Inputs);
        Kinds everything(EventInterest::Everything);
        o.observers = { &inputsOnlyAgain, &everything };
        QVERIFY(sync_run(program(), sync_handlers_preset(), {}, {}, o).is_ok());
        QCOMPARE(everything.seen, inputsOnly.seen);
        QCOMPARE(inputsOnlyAgain.seen, inputsOnly.seen);
        QVERIFY(inputsOnly.seen.back().second > 20); // the whole run's steps, the child's too
    }
    /// RunOptions::interrupt ends a run between turns, with its reason, and no observer.
    void anInterruptEndsTheRunWithItsReason()
    {
        auto forever = []() -> Program<int> {
            for (int i = 0;; ++i)
                co_await Put("k", i);
        };
        int asked = 0;
        RunOptions o;
        o.interrupt = [&asked] { return ++asked < 50 ? QString() : u"stopped from outside"_s; };
        const auto r = sync_run(forever(), sync_handlers_preset(), {}, {}, o);
        QCOMPARE(asked, 50);
        QVERIFY(r.is_err());
        QVERIFY2(r.format().contains(u"RunAbortedError"_s), qPrintable(r.format()));
        QVERIFY2(r.format().contains(u"stopped from outside"_s), qPrintable(r.format()));
    }
    void typedFieldsSayWhatTheRecordSays()
    {
        TypedChecker typed;
        auto r = sync_run(workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, simulatedClock({ &typed }));
        QVERIFY(r.is_ok());
        QVERIFY(typed.checked > 50);
        QVERIFY2(typed.mismatches.isEmpty(), qPrintable(typed.mismatches.join(u'\n')));
    }
    void textIsFormattedOnlyWhenAskedFor()
    {
        // a task's `Ok(…)` summary formats its value: an observer that reads only typed fields
        // never pays for it, one that takes records does
        registerRepr<Counted>([](const Counted& c) {
            ++countedReprs;
            return u"Counted(%1)"_s.arg(c.n);
        });
        struct Typed final : Observer {
            int finished = 0;
            void onEvent(const LiveEvent& e, const RunView&) override
            {
                if (const auto* f = e.as<events::TaskFinished>()) finished += f->value ? 1 : 0;
            }
        } typed;
        countedReprs = 0;
        auto r = sync_run(finishesTasksWithCountedValues(), sync_handlers_preset(), {}, {}, simulatedClock({ &typed }));
        QCOMPARE(resultText(r), u"Ok(3)"_s);
        QCOMPARE(typed.finished, 3); // both spawned tasks and main
        QCOMPARE(countedReprs, 0);

        Recorder records;
        r = sync_run(finishesTasksWithCountedValues(), sync_handlers_preset(), {}, {}, simulatedClock({ &records }));
        QCOMPARE(resultText(r), u"Ok(3)"_s);
        QVERIFY(countedReprs >= 2);
        QVERIFY(records.lines.filter(u"TaskFinished"_s).filter(u"Ok(Counted(2))"_s).size() == 1);
    }
    void storeWritesCarryOldAndNewValues()
    {
        Recorder rec;
        recordLeafWork(rec);
        if (QTest::currentTestFailed()) return;
        const QStringList writes = rec.lines.filter(u"StoreWrite"_s);
        QCOMPARE(writes.size(), 1);
        QVERIFY2(writes[0].contains(u"counter||15|10"_s), qPrintable(writes[0]));
        QVERIFY2(writes[0].contains(u"workload.h:"_s), qPrintable(writes[0]));
        const QStringList yields = rec.lines.filter(u"EffectYielded"_s);
        QCOMPARE(yields.size(), 3);
        QVERIFY(yields[0].contains(u"Get('counter')|Get|"_s));
    }
    /// An effect's label names its key as it is in that run, however the key's text was made
    /// and whatever became of that text after an earlier run: raw text (fromRawData) at one
    /// address, changed between runs (Qt allows it once no copy of the string is left), and a
    /// string modified in place.
    void effectLabelsFollowTheirKeys()
    {
        QStringList labels;
        const auto run = [&](const QString& key) {
            Recorder rec;
            QCOMPARE(resultText(sync_run(putsUnder(key), sync_handlers_preset(), {}, {}, simulatedClock({ &rec }))),
                     u"Ok(1)"_s);
            for (const QString& l : rec.lines.filter(u"EffectYielded"_s))
                labels.append(l.section(u' ', 5).section(u'|', 0, 0));
        };
        QChar buffer[] = { u'a', u'1' };
        run(QString::fromRawData(buffer, 2));
        buffer[1] = u'2';
        run(QString::fromRawData(buffer, 2));
        QString owned = u"b1"_s;
        owned.detach();
        run(owned);
        owned[1] = u'2';
        run(owned);
        QCOMPARE(labels,
                 (QStringList { u"Put('a1')"_s, u"Get('a1')"_s, u"Put('a2')"_s, u"Get('a2')"_s, u"Put('b1')"_s,
                                u"Get('b1')"_s, u"Put('b2')"_s, u"Get('b2')"_s }));
    }
    void aTaskThatRunsOnAtOnceStaysRunning()
    {
        // Alone, a task goes on in its turn after each effect (or, replayed, goes back to the
        // queue with its Ready held back and is picked again at once): no Ready/Running pair
        // between its effects. With another task ready, the switch shows.
        Recorder alone;
        recordLeafWork(alone);
        if (QTest::currentTestFailed()) return;
        const QStringList states = alone.lines.filter(u"TaskStateChanged"_s);
        // ready and running once, as the run starts
        QCOMPARE(states.size(), 2);
        QVERIFY2(alone.lines.indexOf(states[1]) < alone.lines.indexOf(alone.lines.filter(u"EffectYielded"_s)[0]),
                 qPrintable(alone.lines.join(u'\n')));

        Recorder two;
        RunOptions o;
        o.observers = { &two };
        auto g = sync_run(twoBranches(), sync_handlers_preset(), {}, Store { { u"counter"_s, 0 } }, o);
        QVERIFY(g.is_ok());
        // the branches take turns: each effect of one lets the other run, so the switches are
        // announced, Ready before Running, every time
        int readies = 0;
        int lastReadyTask = -1;
        for (const QString& l : two.lines) {
            if (!l.startsWith(u"TaskStateChanged"_s)) continue;
            const int task = l.section(u"task="_s, 1).section(u' ', 0, 0).toInt();
            if (l.contains(u" c=0 "_s)) {
                ++readies;
                lastReadyTask = task;
            }
        }
        QVERIFY2(readies >= 6, qPrintable(two.lines.join(u'\n')));
        QVERIFY(lastReadyTask >= 0);
    }
    void streamsAreIdenticalOnBothRunners()
    {
        Recorder a, b;
        auto ra = runWith(int(Runner::Sync), workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {},
                          simulatedClock({ &a }));
        auto rb = runWith(int(Runner::Async), workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {},
                          simulatedClock({ &b }));
        QCOMPARE(resultText(ra), resultText(rb));
        QCOMPARE(a.lines.size(), b.lines.size());
        for (qsizetype i = 0; i < a.lines.size(); ++i)
            QCOMPARE(a.lines[i], b.lines[i]);
    }
    void severalObserversSeeTheSameStream()
    {
        Recorder a, b;
        auto r = sync_run(workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, simulatedClock({ &a, &b }));
        QVERIFY(r.is_ok());
        QCOMPARE(a.lines, b.lines);
    }
    void aThrowingObserverDoesNotBreakTheRun()
    {
        Thrower t;
        Recorder rec;
        auto r = sync_run(workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, simulatedClock({ &t, &rec }));
        QVERIFY(r.is_ok());
        QCOMPARE(t.seen, rec.lines.size()); // it kept being called, and the others too
    }
    /// A copy of a state, by construction or assignment, goes on reducing on its own: neither
    /// sees the other's events (the state keeps its last task at hand while its map of tasks
    /// is not shared).
    void copiesOfAStateReduceApart()
    {
        struct Events final : Observer {
            QList<Event> all;
            void onRecord(const Event& e, const RunView&) override { all.append(e); }
        } events;
        auto r = sync_run(workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, simulatedClock({ &events }));
        QVERIFY2(r.is_ok(), qPrintable(r.format()));
        const qsizetype half = events.all.size() / 2;
        QVERIFY(half > 50);
        SessionState whole;
        for (const Event& e : events.all)
            whole.apply(e);

        SessionState original;
        for (qsizetype i = 0; i < half; ++i)
            original.apply(events.all[i]);
        SessionState constructed(original);
        SessionState assigned;
        assigned.apply(events.all[0]);
        assigned = original;
        // the original writes first, while it shares its tasks with both copies
        const qsizetype ahead = half + 10;
        for (qsizetype i = half; i < ahead; ++i)
            original.apply(events.all[i]);
        for (qsizetype i = half; i < events.all.size(); ++i) {
            constructed.apply(events.all[i]);
            assigned.apply(events.all[i]);
        }
        QCOMPARE(stateText(constructed), stateText(whole));
        QCOMPARE(stateText(assigned), stateText(whole));
        for (qsizetype i = ahead; i < events.all.size(); ++i)
            original.apply(events.all[i]);
        QCOMPARE(stateText(original), stateText(whole));
    }
    void storeReplacedIsReduced()
    {
        Checker checker;
        RunOptions o;
        o.observers = { &checker };
        auto r = sync_run(sandboxed(), sandboxHandlers(), {}, {}, o);
        QVERIFY(r.is_ok());
        QVERIFY2(checker.mismatches.isEmpty(), qPrintable(checker.mismatches.join(u'\n')));
        QVERIFY(!checker.state.store(0).contains(u"scratch"_s));
    }
    // A step's file is compared by its text, not its address: an event's strings are valid only
    // during the callback, so the next event may bring other text at the same address.
    void aStepsFileIsReadByItsText()
    {
        char file[] = "/src/one.cpp";
        const char* function = "doeff::Program<int> work()";
        SessionState state;
        Event e;
        e.kind = EventKind::TaskSpawned;
        e.task = 0;
        e.name = u"main"_s;
        state.apply(e);
        e = Event {};
        e.kind = EventKind::FramePushed;
        e.task = 0;
        e.index = 0;
        e.code = int(FrameKindCode::Program);
        e.file = file;
        e.line = 3;
        e.function = function;
        state.apply(e);
        const auto top = [&] { return state.k(0).value(0); };
        for (int line : { 4, 5, 4 }) {
            e = Event {};
            e.kind = EventKind::Step;
            e.step = quint64(line);
            e.task = 0;
            e.file = file;
            e.line = line;
            e.function = function;
            state.apply(e);
            QCOMPARE(top().file, u"/src/one.cpp"_s);
            QCOMPARE(top().line, line);
            QCOMPARE(top().description, u"work() at /src/one.cpp:%1"_s.arg(line));
        }
        std::memcpy(file, "/src/two.cpp", sizeof file); // the same address, other text
        e.step = 9;
        state.apply(e);
        QCOMPARE(top().file, u"/src/two.cpp"_s);
        QCOMPARE(top().description, u"work() at /src/two.cpp:4"_s);
    }
    // Issue 20: a coroutine handler's handling frame is located where the handled effect was
    // performed, in the reduction as in the machine; the reduced tree names the handler's
    // activation after its handler and the performer's frames the handling gives back as the
    // activation they were: the reduced tree is the result's.
    void handlingFramesLocateThePerformer()
    {
        const Handler shout = handler(u"shout"_s, [](const AnyEffect& e, HandlerContext&) -> Program<HandlerResult> {
            if (!e.is<TellEffect>()) co_return Forward();
            co_await Put("shouted", 1);
            co_return Resume();
        });
        HandlerList handlers = sync_handlers_preset();
        handlers.append(shout);
        HandlingChecker checker;
        RunOptions o;
        o.observers = { &checker };
        auto r = sync_run(tellTwice(), handlers, {}, {}, o);
        QVERIFY2(r.is_ok(), qPrintable(r.format()));
        QVERIFY(checker.handlings >= 2);
        QVERIFY2(checker.mismatches.isEmpty(), qPrintable(checker.mismatches.join(u'\n')));
        QVERIFY2(r.effect_stack().format().contains(u"└─ shout (handler)"_s), qPrintable(r.effect_stack().format()));
        QCOMPARE(checker.state.effectTree().format(), r.effect_stack().format());
    }

    void reducedTreePrintsLikeTheResult()
    {
        Checker checker;
        RunOptions o;
        o.observers = { &checker };
        auto r = sync_run(leafWork(1), sync_handlers_preset(), {}, Store { { u"counter"_s, 1 } }, o);
        QCOMPARE(checker.state.effectTree().format(), r.effect_stack().format());
    }
};

QTEST_GUILESS_MAIN(TestObserver)
#include "tst_observer.moc"
