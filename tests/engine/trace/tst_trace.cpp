// Trace files: every event round-trips through a .doefftrace file; the state reconstructed at
// any step equals the live SessionState at that step; the JSON and Perfetto exports are valid;
// truncated, corrupted and hostile files give clean errors (the suite also runs under ASan).
// Over 800 lines on purpose: the damage tests at the end corrupt traces made by the same recording
// and comparison helpers the round-trip tests use, and each test is short. The codec's own field
// lists are tested apart, in tst_tracecodec.cpp.

#include "workload.h"

#include <doeff/trace.h>
#include <doeff_examples.h>

#include <QBuffer>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTimeZone>

#include <cstring>
#include <deque>
#include <numeric>
#include <sys/stat.h>

using namespace doeff;
using namespace scenario;
using namespace Qt::StringLiterals;

namespace {

/// A value type the format cannot carry: recorded as its repr.
struct Opaque {
    int x = 0;
};

} // namespace

Q_DECLARE_METATYPE(Opaque)

namespace {

/// Values of every kind the format encodes, long and non-ASCII strings, repeated big envs.
Program<int> values()
{
    QVariantList vs;
    vs.append(QVariant());
    vs.append(QVariant::fromValue(nullptr));
    vs.append(true);
    vs.append(false);
    vs.append(-7);
    vs.append(uint(4000000000u));
    vs.append(qlonglong(-1) << 40);
    vs.append(qulonglong(1) << 63);
    vs.append(2.5);
    vs.append(float(0.1f));
    vs.append(u"grüße, 世界 \"quoted\"\n"_s);
    vs.append(QByteArray("\x00\x01binary", 8));
    vs.append(QStringList { u"a"_s, u"b"_s });
    vs.append(QVariantList { 1, u"two"_s, QVariantList { 3.0 } });
    vs.append(QVariantMap { { u"b"_s, 1 }, { u"a"_s, QVariantMap { { u"c"_s, u"d"_s } } } });
    vs.append(QVariantHash { { u"h"_s, 1 }, { u"g"_s, 2 } });
    vs.append(QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5, 6), QTimeZone::utc()));
    vs.append(QDateTime(QDate(2024, 1, 2), QTime(3, 4, 5, 6), QTimeZone(3600)));
    vs.append(QDateTime());
    vs.append(QString(3000, u'x'));
    vs.append(QVariant::fromValue(Opaque { 42 }));
    for (qsizetype i = 0; i < vs.size(); ++i)
        co_await Put(u"v%1"_s.arg(i), vs[i]);
    Env big;
    for (int i = 0; i < 20; ++i)
        big.insert(u"key%1"_s.arg(i), u"value %1"_s.arg(i));
    for (int i = 0; i < 5; ++i) {
        const Env scope = big;
        co_await Local(scope, askK());
    }
    for (int i = 0; i < 30; ++i) {
        int v = co_await Get<int>("v4");
        co_await Put("v4", v + 1);
    }
    co_return 0;
}

Program<int> loop(int n)
{
    for (int i = 0; i < n; ++i) {
        const int v = co_await Get<int>("k");
        co_await Put("k", v + 1);
    }
    co_return n;
}

Program<int> failsAtTheEnd()
{
    co_await Put("k", 1);
    co_await Tell("bye");
    throw RuntimeError("the end");
}

/// One recorded event with its own copies of the location strings.
struct Owned {
    Event e;
    QByteArray file;
    QByteArray function;
    bool hasFile = false;
    bool hasFunction = false;
};

/// Records the live stream and the reduced state after every event.
struct Live final : Observer {
    std::deque<Owned> events;
    std::vector<SessionState> states { SessionState() }; ///< states[n]: after n events
    void onRecord(const Event& e, const RunView&) override
    {
        Owned o;
        o.e = e;
        o.hasFile = e.file != nullptr;
        o.hasFunction = e.function != nullptr;
        if (e.file) o.file = e.file;
        if (e.function) o.function = e.function;
        o.e.file = nullptr;
        o.e.function = nullptr;
        events.push_back(std::move(o));
        SessionState s = states.back();
        s.apply(e);
        states.push_back(std::move(s));
    }
};

/// Keeps the reduced state after a spread of event counts: every event at first, then ever
/// sparser (at most ~64 snapshots), and always the last one, so big examples stay cheap.
struct Sampler final : Observer {
    SessionState state;
    std::map<quint64, SessionState> snapshots { { 0, SessionState() } };
    quint64 events = 0;
    quint64 stride = 1;
    void onRecord(const Event& e, const RunView&) override
    {
        state.apply(e);
        ++events;
        if (e.kind == EventKind::RunFinished || events % stride == 0) snapshots[events] = state;
        if (snapshots.size() > 64) {
            stride *= 2;
            std::erase_if(snapshots, [this](const auto& kv) { return kv.first % stride != 0; });
        }
    }
};

struct Program_ {
    QString name;
    std::function<void(RunOptions)> run;
};

QString valueText(const QVariant& v)
{
    return QString::fromLatin1(v.metaType().name() ? v.metaType().name() : "invalid") + u' ' + repr(v);
}

/// The types the format keeps exactly; others come back as their repr.
bool keepsType(const QVariant& v)
{
    switch (v.userType()) {
    case QMetaType::UnknownType:
    case QMetaType::Nullptr:
    case QMetaType::Bool:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
    case QMetaType::QString:
    case QMetaType::QByteArray:
    case QMetaType::QStringList:
    case QMetaType::QDateTime:
        return true;
    case QMetaType::QVariantList:
        for (const QVariant& x : v.toList())
            if (!keepsType(x)) return false;
        return true;
    case QMetaType::QVariantMap:
        for (const QVariant& x : v.toMap())
            if (!keepsType(x)) return false;
        return true;
    case QMetaType::QVariantHash:
        for (const QVariant& x : v.toHash())
            if (!keepsType(x)) return false;
        return true;
    default:
        return false;
    }
}

QString compareValue(const char* field, const QVariant& live, const QVariant& read)
{
    if (repr(live) != repr(read) || live.isValid() != read.isValid())
        return u"%1: %2 vs %3"_s.arg(QLatin1StringView(field), valueText(live), valueText(read));
    const bool floating = live.userType() == QMetaType::Double || live.userType() == QMetaType::Float;
    if (keepsType(live) && (live.userType() != read.userType() || (!(live == read) && !floating)))
        return u"%1 type/value: %2 vs %3"_s.arg(QLatin1StringView(field), valueText(live), valueText(read));
    return {};
}

/// Field-by-field comparison; empty when equal.
QString compareEvent(const Owned& live, const Event& r)
{
    const Event& l = live.e;
    QStringList diffs;
    if (l.kind != r.kind)
        diffs.append(
            u"kind %1 vs %2"_s.arg(QLatin1StringView(eventKindName(l.kind)), QLatin1StringView(eventKindName(r.kind))));
    if (l.step != r.step) diffs.append(u"step %1 vs %2"_s.arg(l.step).arg(r.step));
    if (l.task != r.task) diffs.append(u"task %1 vs %2"_s.arg(l.task).arg(r.task));
    if (live.hasFile != (r.file != nullptr) || (r.file && live.file != QByteArray(r.file))) diffs.append(u"file"_s);
    if (live.hasFunction != (r.function != nullptr) || (r.function && live.function != QByteArray(r.function)))
        diffs.append(u"function"_s);
    if (l.line != r.line) diffs.append(u"line %1 vs %2"_s.arg(l.line).arg(r.line));
    if (l.index != r.index) diffs.append(u"index %1 vs %2"_s.arg(l.index).arg(r.index));
    if (l.code != r.code) diffs.append(u"code %1 vs %2"_s.arg(l.code).arg(r.code));
    if (l.name != r.name) diffs.append(u"name '%1' vs '%2'"_s.arg(l.name, r.name));
    if (l.text != r.text) diffs.append(u"text '%1' vs '%2'"_s.arg(l.text, r.text));
    for (const QString& d : { compareValue("value", l.value, r.value), compareValue("old", l.old, r.old) })
        if (!d.isEmpty()) diffs.append(d);
    return diffs.join(u"; "_s);
}

QString storeText(const Store& s)
{
    QStringList parts;
    for (const auto& [k, v] : s.entries())
        parts.append(repr(k) + u": "_s + (keepsType(v) ? valueText(v) : repr(v)));
    return parts.join(u", "_s);
}

/// Every public view of two states; empty when equal. `text`: also compare the printed tree.
QString compareStates(const SessionState& a, const SessionState& b, bool text = true)
{
    QStringList d;
    const auto check = [&](bool same, const QString& what) {
        if (!same) d.append(what);
    };
    check(a.step() == b.step(), u"step %1 vs %2"_s.arg(a.step()).arg(b.step()));
    check(a.eventCount() == b.eventCount(), u"eventCount %1 vs %2"_s.arg(a.eventCount()).arg(b.eventCount()));
    check(a.started() == b.started(), u"started"_s);
    check(a.finished() == b.finished(), u"finished"_s);
    check(a.status() == b.status(), u"status"_s);
    check(a.programName() == b.programName(), u"program"_s);
    check(a.currentTask() == b.currentTask(), u"current %1 vs %2"_s.arg(a.currentTask()).arg(b.currentTask()));
    check(a.lastEffect() == b.lastEffect(), u"lastEffect"_s);
    check(a.changedKeys() == b.changedKeys(), u"changedKeys"_s);
    check(a.tasks().keys() == b.tasks().keys(), u"task ids"_s);
    QList<int> ids = a.tasks().keys();
    for (int i = -1; i < 8; ++i)
        if (!ids.contains(i)) ids.append(i); // stores of unknown tasks
    for (int id : ids) {
        const SessionTask* x = a.task(id);
        const SessionTask* y = b.task(id);
        check(storeText(a.store(id)) == storeText(b.store(id)),
              u"store of %1: {%2} vs {%3}"_s.arg(id).arg(storeText(a.store(id)), storeText(b.store(id))));
        if (!x || !y) continue;
        check(x->name == y->name && x->kind == y->kind && x->parent == y->parent && x->state == y->state
                  && x->waitsOn == y->waitsOn && x->steps == y->steps && x->storeOwner == y->storeOwner
                  && x->currentEffect == y->currentEffect && x->outcome == y->outcome
                  && x->lastEffectNode == y->lastEffectNode,
              u"task %1 fields"_s.arg(id));
        check(repr(x->env) == repr(y->env), u"task %1 env"_s.arg(id));
        check(x->k.size() == y->k.size(), u"task %1 K size %2 vs %3"_s.arg(id).arg(x->k.size()).arg(y->k.size()));
        for (qsizetype i = 0; i < std::min(x->k.size(), y->k.size()); ++i) {
            const SessionFrame& f = x->k[i];
            const SessionFrame& g = y->k[i];
            check(f.kind == g.kind && f.description == g.description && f.file == g.file && f.line == g.line
                      && f.function == g.function && f.node == g.node,
                  u"task %1 K[%2] '%3' vs '%4'"_s.arg(id).arg(i).arg(f.description, g.description));
        }
    }
    check(a.logs().size() == b.logs().size(), u"logs %1 vs %2"_s.arg(a.logs().size()).arg(b.logs().size()));
    for (qsizetype i = 0; i < std::min(a.logs().size(), b.logs().size()); ++i)
        check(a.logs()[i].step == b.logs()[i].step && a.logs()[i].task == b.logs()[i].task
                  && repr(a.logs()[i].message) == repr(b.logs()[i].message),
              u"log %1"_s.arg(i));
    check(a.tree().size() == b.tree().size(), u"tree %1 vs %2"_s.arg(a.tree().size()).arg(b.tree().size()));
    for (size_t i = 0; i < std::min(a.tree().size(), b.tree().size()); ++i) {
        const SessionTreeNode& x = a.tree()[i];
        const SessionTreeNode& y = b.tree()[i];
        check(x.parent == y.parent && x.display == y.display && x.effect == y.effect && x.task == y.task
                  && x.count == y.count && x.error == y.error && x.more == y.more && x.children == y.children,
              u"tree node %1"_s.arg(i));
    }
    if (text) check(a.effectTree().format() == b.effectTree().format(), u"effect tree text"_s);
    return d.join(u"; "_s);
}

struct Recorded {
    Live live;
    QByteArray bytes;
};

TraceRecorderOptions options(int blockEvents, int checkpointEvents, bool threaded, bool compress = true)
{
    TraceRecorderOptions o;
    o.blockEvents = blockEvents;
    o.checkpointEvents = checkpointEvents;
    o.threaded = threaded;
    o.compress = compress;
    return o;
}

/// Runs `which` with a live recorder and a TraceRecorder writing to memory.
void record(const QString& which, const TraceRecorderOptions& o, Recorded& out, int runner = int(Runner::Sync))
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    {
        TraceRecorder rec(o);
        QVERIFY(rec.start(&buffer, u"mem.doefftrace"_s));
        rec.setMetadata(u"runner"_s, runner == int(Runner::Sync) ? u"sync"_s : u"async"_s);
        RunOptions ro;
        ro.clock = Clock::Simulated;
        ro.observers = { &out.live, &rec };
        if (which == u"workload") {
            auto r = runWith(runner, workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, ro);
            QVERIFY2(r.is_ok(), qPrintable(r.format()));
        } else if (which == u"sandboxed") {
            auto r = runWith(runner, sandboxed(), sandboxHandlers(), {}, {}, ro);
            QVERIFY(r.is_ok());
        } else if (which == u"values") {
            auto r = runWith(runner, values(), sync_handlers_preset(), Env { { u"k"_s, u"E"_s } }, {}, ro);
            QVERIFY2(r.is_ok(), qPrintable(r.format()));
        } else if (which == u"loop") {
            auto r = runWith(runner, loop(120), sync_handlers_preset(), {}, Store { { u"k"_s, 0 } }, ro);
            QVERIFY(r.is_ok());
        } else if (which == u"fails") {
            auto r = runWith(runner, failsAtTheEnd(), sync_handlers_preset(), {}, {}, ro);
            QVERIFY(r.is_err());
        } else {
            QFAIL("unknown program");
        }
        QVERIFY2(rec.isFinished(), "RunFinished finishes the file");
        QVERIFY2(rec.finish(), qPrintable(rec.errorString()));
        QCOMPARE(rec.eventCount(), quint64(out.live.events.size()));
        QCOMPARE(rec.bytesWritten(), quint64(buffer.size()));
    }
    out.bytes = buffer.data();
}

/// Reads everything a reader offers; returns the first error (empty when all reads worked).
QString readEverything(TraceReader& r, bool exports = true)
{
    QList<Event> events;
    if (!r.events(0, r.eventCount(), events)) return r.errorString();
    for (const Event& e : events) {
        // touch the strings the events point to
        if (e.file && std::strlen(e.file) > 100000) return u"absurd"_s;
        if (e.function && std::strlen(e.function) > 100000) return u"absurd"_s;
    }
    for (quint64 n : { quint64(0), r.eventCount() / 2, r.eventCount() }) {
        if (!r.stateAtEvent(n)) return r.errorString();
    }
    if (!r.stateAt(r.stepCount() / 3)) return r.errorString();
    if (!exports) return {};
    QBuffer json;
    json.open(QIODevice::WriteOnly);
    QString error;
    if (!exportPerfetto(r, json, &error)) return error;
    QBuffer json2;
    json2.open(QIODevice::WriteOnly);
    if (!exportTraceJson(r, json2, &error)) return error;
    return {};
}

quint32 testCrc32(const char* p, qsizetype n)
{
    quint32 c = 0xffffffffu;
    for (qsizetype i = 0; i < n; ++i) {
        c ^= quint8(p[i]);
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
}

void putU64(QByteArray& b, qsizetype at, quint64 v)
{
    for (int i = 0; i < 8; ++i)
        b[at + i] = char(quint8(v >> (8 * i)));
}
void putU32(QByteArray& b, qsizetype at, quint32 v)
{
    for (int i = 0; i < 4; ++i)
        b[at + i] = char(quint8(v >> (8 * i)));
}
quint64 getU64(const QByteArray& b, qsizetype at)
{
    quint64 v = 0;
    for (int i = 0; i < 8; ++i)
        v |= quint64(quint8(b[at + i])) << (8 * i);
    return v;
}

struct FrameAt {
    qsizetype offset;
    int type;
    int flags;
    quint32 length;
};

/// The frames of a finished trace, in file order (from the header up to the index).
QList<FrameAt> framesOf(const QByteArray& b)
{
    const quint64 indexOffset = getU64(b, b.size() - 80 + 48);
    QList<FrameAt> frames;
    for (qsizetype at = 16; quint64(at) < indexOffset;) {
        const quint32 length = quint32(quint8(b[at + 4])) | quint32(quint8(b[at + 5])) << 8
            | quint32(quint8(b[at + 6])) << 16 | quint32(quint8(b[at + 7])) << 24;
        frames.append({ at, quint8(b[at]), quint8(b[at + 1]), length });
        at += 12 + qsizetype(length);
    }
    return frames;
}

/// Recomputes the footer's CRC after a test edited it.
void fixFooter(QByteArray& b)
{
    const qsizetype fo = b.size() - 80;
    putU32(b, fo + 68, testCrc32(b.constData() + fo, 68));
}

/// A failing device: accepts `budget` bytes, then refuses.
class FullDisk final : public QIODevice {
public:
    explicit FullDisk(qint64 budget)
        : m_budget(budget)
    { }

protected:
    qint64 readData(char*, qint64) override { return -1; }
    qint64 writeData(const char*, qint64 len) override
    {
        if (len > m_budget) {
            setErrorString(u"No space left on device"_s);
            return -1;
        }
        m_budget -= len;
        return len;
    }

private:
    qint64 m_budget;
};

} // namespace

void registerOpaque()
{
    QMetaType::fromType<Opaque>().id();
    registerRepr<Opaque>([](const Opaque& o) { return u"Opaque(%1)"_s.arg(o.x); });
}

class TestTrace : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { registerOpaque(); }

    void everyEventRoundTrips_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<int>("runner");
        QTest::addColumn<int>("blockEvents");
        QTest::addColumn<int>("checkpointEvents");
        QTest::addColumn<bool>("threaded");
        for (const QString& p : { u"workload"_s, u"sandboxed"_s, u"values"_s, u"loop"_s, u"fails"_s }) {
            QTest::addRow("%s default", qPrintable(p)) << p << int(Runner::Sync) << 4096 << 32768 << true;
            QTest::addRow("%s tiny blocks", qPrintable(p)) << p << int(Runner::Sync) << 3 << 7 << true;
            QTest::addRow("%s unthreaded", qPrintable(p)) << p << int(Runner::Sync) << 16 << 40 << false;
        }
        QTest::addRow("workload async") << u"workload"_s << int(Runner::Async) << 5 << 11 << true;
    }
    void everyEventRoundTrips()
    {
        QFETCH(QString, program);
        QFETCH(int, runner);
        QFETCH(int, blockEvents);
        QFETCH(int, checkpointEvents);
        QFETCH(bool, threaded);
        Recorded rec;
        record(program, options(blockEvents, checkpointEvents, threaded), rec, runner);
        if (QTest::currentTestFailed()) return;
        TraceReader r;
        QVERIFY2(r.openData(rec.bytes, u"mem.doefftrace"_s), qPrintable(r.errorString()));
        QCOMPARE(r.eventCount(), quint64(rec.live.events.size()));
        QCOMPARE(r.stepCount(), rec.live.events.back().e.step);
        QList<Event> events;
        QVERIFY2(r.events(0, r.eventCount(), events), qPrintable(r.errorString()));
        QCOMPARE(events.size(), qsizetype(rec.live.events.size()));
        for (qsizetype i = 0; i < events.size(); ++i) {
            const QString diff = compareEvent(rec.live.events[size_t(i)], events[i]);
            QVERIFY2(
                diff.isEmpty(),
                qPrintable(u"event %1 (%2): %3"_s.arg(i).arg(QLatin1StringView(eventKindName(events[i].kind)), diff)));
        }
        // sub-ranges decode the same
        for (quint64 from : { quint64(1), r.eventCount() / 3, r.eventCount() - 1 }) {
            QList<Event> part;
            QVERIFY(r.events(from, from + 5, part));
            QCOMPARE(part.size(), qsizetype(std::min<quint64>(5, r.eventCount() - from)));
            for (qsizetype i = 0; i < part.size(); ++i)
                QVERIFY(compareEvent(rec.live.events[size_t(from) + size_t(i)], part[i]).isEmpty());
        }
        const TraceMetadata& m = r.metadata();
        QCOMPARE(m.version, 4);
        QCOMPARE(m.program, rec.live.states.back().programName());
        QCOMPARE(m.status, rec.live.states.back().status());
        QCOMPARE(m.runner, runner == int(Runner::Sync) ? u"sync"_s : u"async"_s);
        QVERIFY(QDateTime::fromString(m.created, Qt::ISODateWithMs).isValid());
        if (blockEvents < 10) QVERIFY(r.checkpointCount() > 2);
    }

    void everyEventKindIsCovered()
    {
        QSet<int> kinds;
        for (const QString& p : { u"workload"_s, u"sandboxed"_s }) {
            Recorded rec;
            record(p, options(4096, 32768, true), rec);
            TraceReader r;
            QVERIFY(r.openData(rec.bytes, u"mem"_s));
            QVERIFY(r.forEachEvent(0, r.eventCount(), [&](const Event& e) {
                kinds.insert(int(e.kind));
                return true;
            }));
        }
        for (int k = 1; k <= EventKindCount; ++k) {
            // the workloads take nothing in; tst_replay records and reads back every input kind
            if (EventKind(k) == EventKind::InputReceived) continue;
            QVERIFY2(kinds.contains(k), eventKindName(EventKind(k)));
        }
    }

    void stateAtEveryStepEqualsTheLiveState_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<int>("blockEvents");
        QTest::addColumn<int>("checkpointEvents");
        for (const QString& p : { u"workload"_s, u"sandboxed"_s, u"values"_s, u"loop"_s, u"fails"_s }) {
            QTest::addRow("%s default", qPrintable(p)) << p << 4096 << 32768;
            QTest::addRow("%s block 1", qPrintable(p)) << p << 1 << 1;
            QTest::addRow("%s block 4 checkpoint 9", qPrintable(p)) << p << 4 << 9;
        }
    }
    void stateAtEveryStepEqualsTheLiveState()
    {
        QFETCH(QString, program);
        QFETCH(int, blockEvents);
        QFETCH(int, checkpointEvents);
        Recorded rec;
        record(program, options(blockEvents, checkpointEvents, true), rec);
        if (QTest::currentTestFailed()) return;
        const auto& states = rec.live.states;
        const quint64 n = quint64(states.size() - 1);
        // after every event, forwards (the reader continues from its last state) ...
        {
            TraceReader r;
            QVERIFY(r.openData(rec.bytes, u"mem"_s));
            for (quint64 i = 0; i <= n; ++i) {
                auto s = r.stateAtEvent(i);
                QVERIFY2(s, qPrintable(r.errorString()));
                const QString diff = compareStates(states[i], *s, i % 16 == 0 || i == n);
                QVERIFY2(diff.isEmpty(), qPrintable(u"after %1 events: %2"_s.arg(i).arg(diff)));
            }
        }
        // ... backwards (from checkpoints every time) ...
        {
            TraceReader r;
            QVERIFY(r.openData(rec.bytes, u"mem"_s));
            for (quint64 i = n + 1; i-- > 0;) {
                auto s = r.stateAtEvent(i);
                QVERIFY2(s, qPrintable(r.errorString()));
                const QString diff = compareStates(states[i], *s, false);
                QVERIFY2(diff.isEmpty(), qPrintable(u"after %1 events (backwards): %2"_s.arg(i).arg(diff)));
            }
        }
        // ... and at every step: the state once all of the step's events happened
        TraceReader r;
        QVERIFY(r.openData(rec.bytes, u"mem"_s));
        const quint64 lastStep = rec.live.events.back().e.step;
        for (quint64 step = 0; step <= lastStep + 1; ++step) {
            quint64 after = 0;
            while (after < n && rec.live.events[size_t(after)].e.step <= step)
                ++after;
            QCOMPARE(r.eventIndexAfterStep(step).value_or(~quint64(0)), after);
            auto s = r.stateAt(step);
            QVERIFY2(s, qPrintable(r.errorString()));
            const QString diff = compareStates(states[after], *s, false);
            QVERIFY2(diff.isEmpty(), qPrintable(u"at step %1: %2"_s.arg(step).arg(diff)));
        }
    }

    void everyExampleReconstructs_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("runner");
        // Under the sanitizers (minutes, not seconds) each example runs on one runner, the two
        // alternating; the plain build checks every example on both.
#if defined(__SANITIZE_ADDRESS__)
        constexpr bool bothRunners = false;
#else
        constexpr bool bothRunners = true;
#endif
        int i = 0;
        for (const ProgramInfo& info : examples::library().programs()) {
            for (int runner : { int(Runner::Sync), int(Runner::Async) })
                if (bothRunners || runner == i % 2)
                    QTest::addRow("%s %s", qPrintable(info.name), runner == int(Runner::Sync) ? "sync" : "async")
                        << info.name << runner;
            ++i;
        }
    }
    /// The state read back from the trace equals the live state, field by field, after a
    /// spread of events of every example program, on both runners.
    void everyExampleReconstructs()
    {
        QFETCH(QString, name);
        QFETCH(int, runner);
        const ProgramInfo* info = examples::library().find(name);
        QVERIFY(info);
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        Sampler live;
        {
            TraceRecorder rec;
            QVERIFY(rec.start(&buffer, name + u".doefftrace"_s));
            RunOptions options = info->options;
            options.observers = { &live, &rec };
            // long-running examples (busy_loop) are shortened through their `iterations`
            Env env = info->env;
            if (env.contains(u"iterations"_s)) env.insert(u"iterations"_s, 500);
            runWith(runner, info->program(), info->handlerStack(), env, info->store, options);
            QVERIFY2(rec.finish(), qPrintable(rec.errorString()));
            QCOMPARE(rec.eventCount(), live.events);
        }
        TraceReader r;
        QVERIFY2(r.openData(buffer.data(), name), qPrintable(r.errorString()));
        QCOMPARE(r.eventCount(), live.events);
        QVERIFY(live.snapshots.contains(live.events));
        for (const auto& [n, state] : live.snapshots) {
            auto s = r.stateAtEvent(n);
            QVERIFY2(s, qPrintable(r.errorString()));
            const QString diff = compareStates(state, *s, n == live.events);
            QVERIFY2(diff.isEmpty(),
                     qPrintable(u"%1 after %2 of %3 events: %4"_s.arg(name).arg(n).arg(live.events).arg(diff)));
        }
    }
    void effectTreeStopsAtItsLimit()
    {
        // A hand-built stream (no machine needed) that passes SessionState::treeNodeLimit:
        // the tree stops growing, unrecorded effects and activations count in their nearest
        // recorded ancestor's `more`, and a trace rebuilds exactly that at every checkpoint.
        const int limit = SessionState::treeNodeLimit;
        std::vector<Event> events;
        quint64 step = 0;
        auto push = [&](EventKind kind) -> Event& {
            Event e;
            e.kind = kind;
            e.step = step;
            e.task = 0;
            events.push_back(e);
            return events.back();
        };
        static const char file[] = "limit.cpp";
        static const char mainFn[] = "doeff::Program<int> limit_main()";
        static const char subFn[] = "doeff::Program<int> limit_sub()";
        auto frame = [&](int index, const char* fn) {
            Event& f = push(EventKind::FramePushed);
            f.index = index;
            f.code = int(FrameKindCode::Program);
            f.name = u"ProgramFrame"_s;
            f.text = QString::fromLatin1(fn) + u"() at limit.cpp:1"_s;
            f.file = file;
            f.line = 1;
            f.function = fn;
        };
        auto effect = [&](const QString& label) {
            ++step;
            Event& y = push(EventKind::EffectYielded);
            y.name = label;
            y.text = u"E"_s;
        };
        {
            Event& r = push(EventKind::RunStarted);
            r.name = u"limit_main"_s;
            r.value = QVariantList();
            r.old = QVariantMap();
            Event& t = push(EventKind::TaskSpawned);
            t.code = int(TaskKindCode::Main);
            t.name = u"main"_s;
            t.value = QVariantMap();
        }
        frame(0, mainFn);
        effect(u"Same"_s);
        effect(u"Same"_s); // merged: count 2
        for (int i = 2; i < limit; ++i) // the root and limit - 2 more effects fill the tree
            effect(u"E(%1)"_s.arg(i));
        const quint64 full = events.size();
        effect(u"E(%1)"_s.arg(limit - 1)); // a repeat of the last recorded leaf still merges
        frame(1, subFn); // an activation beyond the limit
        effect(u"inside sub"_s);
        push(EventKind::ErrorRaised).name = u"ValueError"_s;
        push(EventKind::FramePopped).index = 1;
        effect(u"E(%1)"_s.arg(limit - 1)); // not consecutive any more: not merged
        for (int i = 0; i < 500; ++i)
            effect(u"after(%1)"_s.arg(i % 7));
        push(EventKind::RunFinished).name = u"Ok(1)"_s;

        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        std::vector<SessionState> live;
        std::vector<quint64> at;
        {
            TraceRecorder rec(options(4096, 8192, true));
            QVERIFY(rec.start(&buffer, u"mem.doefftrace"_s));
            SessionState s;
            for (size_t i = 0; i < events.size(); ++i) {
                rec.record(events[i]);
                s.apply(events[i]);
                const quint64 n = i + 1;
                if (n == full || n == full + 1 || n == full + 3 || n % 25000 == 0 || n == events.size()) {
                    live.push_back(s);
                    at.push_back(n);
                }
            }
            QVERIFY2(rec.finish(), qPrintable(rec.errorString()));
        }
        const SessionState& last = live.back();
        QCOMPARE(last.tree().size(), size_t(limit));
        const SessionTreeNode& root = last.tree()[0];
        QCOMPARE(root.count, 1);
        QCOMPARE(last.tree()[1].count, 2);
        QCOMPARE(last.tree()[size_t(limit) - 1].count, 2);
        // limit_sub(), the effect inside it, E(limit-1) once more, 500 after(…)
        QCOMPARE(root.more, 503);
        QCOMPARE(root.children.size(), qsizetype(limit - 1));
        QVERIFY(!last.tree()[size_t(limit) - 1].error);
        const EffectStackTrace tree = last.effectTree();
        QCOMPARE(tree.root.more, 503);
        QVERIFY(tree.format().contains(u"... 503 more"_s));

        TraceReader r;
        QVERIFY2(r.openData(buffer.data(), u"mem"_s), qPrintable(r.errorString()));
        QVERIFY(r.checkpointCount() > 5);
        for (size_t i = at.size(); i-- > 0;) {
            auto s = r.stateAtEvent(at[i]);
            QVERIFY2(s, qPrintable(r.errorString()));
            const QString diff = compareStates(live[i], *s, i + 1 == at.size());
            QVERIFY2(diff.isEmpty(), qPrintable(u"after %1 events: %2"_s.arg(at[i]).arg(diff)));
        }
    }

    void eventsOnlyTracesHaveNoCheckpoints()
    {
        // checkpointEvents = 0: no checkpoint frames at all; states replay from the start
        Recorded rec;
        record(u"workload"_s, options(16, 0, true), rec);
        TraceReader r;
        QVERIFY2(r.openData(rec.bytes, u"mem"_s), qPrintable(r.errorString()));
        QCOMPARE(r.checkpointCount(), quint64(0));
        QVERIFY(r.blockCount() > 2);
        const auto& states = rec.live.states;
        for (quint64 i : { quint64(states.size() - 1), quint64(0), quint64(states.size() / 3) }) {
            auto s = r.stateAtEvent(i);
            QVERIFY2(s, qPrintable(r.errorString()));
            const QString diff = compareStates(states[i], *s, true);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
        }
        // and it is smaller than the same events with checkpoints
        Recorded withCheckpoints;
        record(u"workload"_s, options(16, 16, true), withCheckpoints);
        QVERIFY(rec.bytes.size() < withCheckpoints.bytes.size());
    }

    void readsVersionOneTraces()
    {
        // version 2 only added the `more` of tree nodes (absent in version 1 files), 3 and 4 a
        // record and compression, so a version 1 file of plain frames reads back the same
        Recorded rec;
        record(u"workload"_s, options(16, 64, true, false), rec);
        QByteArray v1 = rec.bytes;
        v1[8] = 1;
        v1[9] = 0;
        putU32(v1, v1.size() - 80 + 8, 1);
        fixFooter(v1);
        TraceReader r;
        QVERIFY2(r.openData(v1, u"v1.doefftrace"_s), qPrintable(r.errorString()));
        QCOMPARE(r.metadata().version, 1);
        const auto& states = rec.live.states;
        for (quint64 i : { quint64(0), quint64(states.size() / 2), quint64(states.size() - 1) }) {
            auto s = r.stateAtEvent(i);
            QVERIFY2(s, qPrintable(r.errorString()));
            const QString diff = compareStates(states[i], *s, true);
            QVERIFY2(diff.isEmpty(), qPrintable(diff));
        }
    }

    void writesToAFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"run.doefftrace"_s);
        TraceRecorder rec;
        QVERIFY2(rec.open(path), qPrintable(rec.errorString()));
        RunOptions o;
        o.observers = { &rec };
        auto result = sync_run(loop(1000), sync_handlers_preset(), {}, Store { { u"k"_s, 0 } }, o);
        QVERIFY(result.is_ok());
        QVERIFY(rec.finish());
        TraceReader r;
        QVERIFY2(r.open(path), qPrintable(r.errorString()));
        QCOMPARE(r.fileName(), path);
        QCOMPARE(r.metadata().status, u"Ok(1000)"_s);
        auto s = r.stateAt(r.stepCount());
        QVERIFY(s);
        QCOMPARE(s->store(0).value(u"k"_s).toInt(), 1000);
        QVERIFY(s->finished());
        QVERIFY(formatSessionState(*s).contains(u"'k': 1000"_s));
        const QString summary = formatTraceSummary(r);
        QVERIFY2(summary.startsWith(u"trace: "_s + path + u" (format version 4)\nprogram: "_s), qPrintable(summary));
        QVERIFY2(summary.contains(u"status: Ok(1000)\n"_s), qPrintable(summary));
        QVERIFY2(summary.contains(u"events: %1, steps: %2, "_s.arg(r.eventCount()).arg(r.stepCount())),
                 qPrintable(summary));
        QVERIFY(formatSessionState(*s).contains(u"Ok(1000)"_s));
    }

    void unfinishedRunsAreMarkedIncomplete()
    {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        {
            TraceRecorder rec;
            QVERIFY(rec.start(&buffer, u"mem"_s));
            Event e;
            e.kind = EventKind::RunStarted;
            e.task = 0;
            e.name = u"manual"_s;
            rec.record(e);
            e.kind = EventKind::Step;
            e.step = 1;
            rec.record(e);
            e.step = 0; // steps never go back: the recorder stops with an error
            rec.record(e);
            QVERIFY(rec.hasError());
            QVERIFY2(rec.errorString().startsWith(u"mem: step numbers went backwards at event 2"_s),
                     qPrintable(rec.errorString()));
        }
        QBuffer b2;
        b2.open(QIODevice::WriteOnly);
        {
            TraceRecorder rec;
            QVERIFY(rec.start(&b2, u"mem"_s));
            Event e;
            e.kind = EventKind::RunStarted;
            e.task = 0;
            e.name = u"manual"_s;
            rec.record(e);
        } // the destructor finishes the file
        TraceReader r;
        QVERIFY2(r.openData(b2.data(), u"mem"_s), qPrintable(r.errorString()));
        QCOMPARE(r.metadata().status, u"incomplete"_s);
        QCOMPARE(r.metadata().program, u"manual"_s);
        QCOMPARE(r.eventCount(), quint64(1));
    }

    void writeErrorsAreReported()
    {
        for (qint64 budget : { qint64(0), qint64(20), qint64(500), qint64(3000) }) {
            FullDisk disk(budget);
            disk.open(QIODevice::WriteOnly);
            TraceRecorder rec(options(8, 16, true));
            const bool started = rec.start(&disk, u"full.doefftrace"_s);
            RunOptions o;
            o.clock = Clock::Simulated;
            o.observers = { &rec };
            auto result = sync_run(workload(), handlers(), Env { { u"k"_s, u"E"_s } }, {}, o);
            QVERIFY(result.is_ok()); // the run itself is unaffected
            QVERIFY(!started || !rec.finish());
            QVERIFY2(rec.errorString().startsWith(u"full.doefftrace: write failed at byte "_s),
                     qPrintable(rec.errorString()));
            QVERIFY2(rec.errorString().contains(u"No space left on device"_s), qPrintable(rec.errorString()));
        }
        QBuffer readOnly;
        readOnly.open(QIODevice::ReadOnly);
        TraceRecorder rec;
        QVERIFY(!rec.start(&readOnly, u"ro"_s));
        QCOMPARE(rec.errorString(), u"ro: the device is not open for writing"_s);
        TraceRecorder rec2;
        QVERIFY(!rec2.open(u"/nonexistent-dir/x.doefftrace"_s));
        QVERIFY2(rec2.errorString().startsWith(u"/nonexistent-dir/x.doefftrace: cannot create the file"_s),
                 qPrintable(rec2.errorString()));
    }

    void unfinishedTracesAreRecovered()
    {
        Recorded rec;
        record(u"workload"_s, options(8, 24, true), rec);
        const QByteArray good = rec.bytes;
        TraceReader full;
        QVERIFY(full.openData(good, u"full.doefftrace"_s));
        QVERIFY(!full.recovered());
        QCOMPARE(full.recoveryNote(), QString());
        const quint64 indexOffset = getU64(good, good.size() - 80 + 48);

        // cut right after the last frame (the recorder stopped before its index): everything
        TraceReader all;
        QVERIFY2(all.openData(good.left(qsizetype(indexOffset)), u"cut.doefftrace"_s), qPrintable(all.errorString()));
        QVERIFY(all.recovered());
        QCOMPARE(all.eventCount(), full.eventCount());
        QCOMPARE(all.stepCount(), full.stepCount());
        QCOMPARE(all.blockCount(), full.blockCount());
        QCOMPARE(all.checkpointCount(), full.checkpointCount());
        QVERIFY(all.checkpointCount() > 2);
        QCOMPARE(all.metadata().status, u"incomplete"_s);
        QCOMPARE(all.metadata().program, full.metadata().program);
        QVERIFY2(all.recoveryNote().startsWith(u"cut.doefftrace: recovered an unfinished trace"_s),
                 qPrintable(all.recoveryNote()));
        QVERIFY2(all.recoveryNote().contains(u"%1 events, %2 checkpoints read; 0 bytes after the last complete frame "
                                             "dropped"_s.arg(full.eventCount())
                                                 .arg(full.checkpointCount())),
                 qPrintable(all.recoveryNote()));
        for (quint64 n : { quint64(0), quint64(1), full.eventCount() / 2, full.eventCount() }) {
            const auto a = all.stateAtEvent(n);
            const auto b = full.stateAtEvent(n);
            QVERIFY(a && b);
            QCOMPARE(formatSessionState(*a), formatSessionState(*b));
        }
        QCOMPARE(readEverything(all), QString());

        // cut inside a frame: the events of the complete blocks before it, states equal
        TraceReader mid;
        const qsizetype cut = qsizetype(indexOffset) / 2;
        QVERIFY2(mid.openData(good.left(cut), u"mid.doefftrace"_s), qPrintable(mid.errorString()));
        QVERIFY(mid.recovered());
        QVERIFY(mid.eventCount() > 0 && mid.eventCount() < full.eventCount());
        QVERIFY(mid.checkpointCount() < full.checkpointCount());
        QVERIFY2(!mid.recoveryNote().contains(u"; 0 bytes"_s), qPrintable(mid.recoveryNote()));
        for (quint64 n : { mid.eventCount() / 3, mid.eventCount() }) {
            const auto a = mid.stateAtEvent(n);
            const auto b = full.stateAtEvent(n);
            QVERIFY(a && b);
            QCOMPARE(formatSessionState(*a), formatSessionState(*b));
        }
        QList<Event> events;
        QVERIFY(mid.events(0, mid.eventCount(), events));
        QCOMPARE(quint64(events.size()), mid.eventCount());

        // right after the header: an empty trace; less than a header: not a trace
        TraceReader empty;
        QVERIFY(empty.openData(good.left(16), u"h.doefftrace"_s));
        QCOMPARE(empty.eventCount(), quint64(0));
        QCOMPARE(empty.recoveryNote(),
                 u"h.doefftrace: recovered an unfinished trace (no index at the end: the recording was stopped): 0 "
                 "frames, 0 events, 0 checkpoints read; 0 bytes after the last complete frame dropped"_s);
        QVERIFY(!empty.openData(good.left(15), u"h.doefftrace"_s));
        QCOMPARE(empty.errorString(), u"h.doefftrace: not a doeff trace at byte 0"_s);
    }

    void nonRegularFilesAreRefused()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString fifo = dir.filePath(u"fifo"_s);
        QCOMPARE(::mkfifo(QFile::encodeName(fifo).constData(), 0600), 0);
        TraceReader r;
        QVERIFY(!r.open(fifo)); // would block forever in open() without the check
        QCOMPARE(r.errorString(), fifo + u": not a regular file (a FIFO)"_s);
        QVERIFY(!r.open(u"/dev/zero"_s));
        QCOMPARE(r.errorString(), u"/dev/zero: not a regular file (a character device)"_s);
        QVERIFY(!r.open(dir.path()));
        QCOMPARE(r.errorString(), dir.path() + u": not a regular file (a directory)"_s);
        TraceRecorder rec;
        QVERIFY(!rec.open(fifo));
        QCOMPARE(rec.errorString(), fifo + u": not a regular file (a FIFO)"_s);
        TraceRecorder full;
        QVERIFY(!full.open(u"/dev/full"_s));
        QCOMPARE(full.errorString(), u"/dev/full: not a regular file (a character device)"_s);
    }

    void perfettoExportIsValid_data()
    {
        QTest::addColumn<QString>("program");
        for (const QString& p : { u"workload"_s, u"sandboxed"_s, u"values"_s, u"fails"_s })
            QTest::addRow("%s", qPrintable(p)) << p;
    }
    void perfettoExportIsValid()
    {
        QFETCH(QString, program);
        Recorded rec;
        record(program, options(7, 20, true), rec);
        TraceReader r;
        QVERIFY(r.openData(rec.bytes, u"mem"_s));
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        QString error;
        QVERIFY2(exportPerfetto(r, out, &error), qPrintable(error));
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(out.data(), &pe);
        QVERIFY2(pe.error == QJsonParseError::NoError,
                 qPrintable(pe.errorString() + u" at "_s + QString::number(pe.offset)));
        const QJsonArray events = doc.object().value(u"traceEvents"_s).toArray();
        QVERIFY(events.size() > 10);
        QHash<int, int> names;
        QHash<int, int> depth;
        QSet<int> used;
        double lastTs = 0;
        int slices = 0;
        int instants = 0;
        for (const QJsonValue& v : events) {
            const QJsonObject o = v.toObject();
            const QString ph = o.value(u"ph"_s).toString();
            const int tid = o.value(u"tid"_s).toInt(-100);
            QVERIFY(tid != -100);
            if (ph == u"M") {
                if (o.value(u"name"_s).toString() == u"thread_name") ++names[tid];
                continue;
            }
            used.insert(tid);
            const double ts = o.value(u"ts"_s).toDouble(-1);
            QVERIFY(ts >= lastTs); // in order
            lastTs = ts;
            if (ph == u"B") {
                ++depth[tid];
                ++slices;
            } else if (ph == u"E") {
                QVERIFY2(--depth[tid] >= 0, "E without B");
            } else if (ph == u"i") {
                ++instants;
            } else {
                QCOMPARE(ph, u"C"_s);
            }
        }
        for (auto it = depth.cbegin(); it != depth.cend(); ++it)
            QVERIFY2(it.value() == 0, qPrintable(u"tid %1 leaves %2 slices open"_s.arg(it.key()).arg(it.value())));
        for (int tid : used)
            QVERIFY2(names.value(tid) == 1, qPrintable(u"tid %1 has %2 thread names"_s.arg(tid).arg(names.value(tid))));
        QSet<int> tasks;
        for (const Owned& o : rec.live.events)
            tasks.insert(o.e.task);
        for (int task : tasks)
            QCOMPARE(names.value(task + 1), 1);
        QVERIFY(slices > 0);
        QVERIFY(instants > 0);
    }

    void jsonExportHasEveryEvent()
    {
        Recorded rec;
        record(u"workload"_s, options(7, 20, true), rec);
        TraceReader r;
        QVERIFY(r.openData(rec.bytes, u"mem"_s));
        QBuffer out;
        out.open(QIODevice::WriteOnly);
        QVERIFY(exportTraceJson(r, out));
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(out.data(), &pe);
        QVERIFY2(pe.error == QJsonParseError::NoError, qPrintable(pe.errorString()));
        const QJsonObject root = doc.object();
        QCOMPARE(root.value(u"format"_s).toString(), u"doeff-trace-json"_s);
        QCOMPARE(root.value(u"metadata"_s).toObject().value(u"runner"_s).toString(), u"sync"_s);
        const QJsonArray events = root.value(u"events"_s).toArray();
        QCOMPARE(quint64(events.size()), r.eventCount());
        for (qsizetype i = 0; i < events.size(); ++i) {
            const QJsonObject o = events[i].toObject();
            const Event& e = rec.live.events[size_t(i)].e;
            QCOMPARE(o.value(u"i"_s).toInteger(), i);
            QCOMPARE(o.value(u"kind"_s).toString(), QString::fromLatin1(eventKindName(e.kind)));
            QCOMPARE(quint64(o.value(u"step"_s).toInteger()), e.step);
            QCOMPARE(o.value(u"name"_s).toString(), e.name);
        }
        QCOMPARE(events[0].toObject().value(u"value"_s).toArray().size(), 0); // initial store
        QCOMPARE(events[0].toObject().value(u"old"_s).toObject().value(u"k"_s).toString(), u"E"_s);
    }

    void openingErrorsNameTheFileAndTheProblem()
    {
        Recorded rec;
        record(u"workload"_s, options(16, 64, true), rec);
        const QByteArray good = rec.bytes;
        TraceReader r;
        QVERIFY(!r.openData(QByteArray(), u"t.doefftrace"_s));
        QCOMPARE(r.errorString(), u"t.doefftrace: not a doeff trace at byte 0"_s);
        QVERIFY(!r.openData("hello world, this is not a trace at all", u"t.doefftrace"_s));
        QCOMPARE(r.errorString(), u"t.doefftrace: not a doeff trace at byte 0"_s);
        QByteArray v5 = good;
        v5[8] = 5;
        QVERIFY(!r.openData(v5, u"t.doefftrace"_s));
        QCOMPARE(r.errorString(), u"t.doefftrace: unsupported version 5 (this build reads versions 1 to 4)"_s);
        TraceReader::Options strict;
        strict.recoverUnfinished = false;
        QVERIFY(!r.openData(good.left(812), u"t.doefftrace"_s, strict));
        QVERIFY2(
            r.errorString().startsWith(
                u"t.doefftrace: truncated (no index at the end: the recording did not finish, or the file was cut) at byte 812"_s),
            qPrintable(r.errorString()));
        QVERIFY(!r.isOpen());
        QVERIFY(!r.stateAt(1));
        QVERIFY(!r.open(u"/nonexistent/t.doefftrace"_s));
        QVERIFY2(r.errorString().startsWith(u"/nonexistent/t.doefftrace: cannot open"_s), qPrintable(r.errorString()));
        QVERIFY(r.openData(good, u"t.doefftrace"_s));
    }

    void hugeCountsFailCleanly()
    {
        Recorded rec;
        record(u"workload"_s, options(16, 64, true), rec);
        const QByteArray good = rec.bytes;
        const qsizetype fo = good.size() - 80;
        // footer fields: events (16), strings (32), locations (40)
        for (qsizetype field : { 16, 32, 40 }) {
            QByteArray b = good;
            putU64(b, fo + field, quint64(1) << 60);
            fixFooter(b);
            TraceReader r;
            QVERIFY(!r.openData(b, u"huge.doefftrace"_s));
            QVERIFY2(r.errorString().contains(u"claims more items"_s), qPrintable(r.errorString()));
        }
        // an index claiming 2^60 string frames (checksums off to reach the parser)
        {
            QByteArray b = good;
            const quint64 indexOffset = getU64(b, fo + 48);
            QByteArray idx;
            idx.append(char(0x80 | 0x7f)); // varint 2^62-ish
            for (int i = 0; i < 7; ++i)
                idx.append(char(0xff));
            idx.append(char(0x3f));
            b.replace(qsizetype(indexOffset), idx.size(), idx);
            TraceReader::Options o;
            o.verifyChecksums = false;
            TraceReader r;
            QVERIFY(!r.openData(b, u"huge.doefftrace"_s, o));
            QVERIFY2(r.errorString().contains(u"string count"_s) && r.errorString().contains(u"exceeds"_s),
                     qPrintable(r.errorString()));
        }
        // the index position outside the file
        {
            QByteArray b = good;
            putU64(b, fo + 48, quint64(1) << 62);
            fixFooter(b);
            TraceReader r;
            QVERIFY(!r.openData(b, u"huge.doefftrace"_s));
            QVERIFY2(r.errorString().contains(u"outside the file"_s), qPrintable(r.errorString()));
        }
        // a corrupted index
        {
            QByteArray b = good;
            const quint64 indexOffset = getU64(b, fo + 48);
            b[qsizetype(indexOffset) + 2] = char(b[qsizetype(indexOffset) + 2] ^ 0x40);
            TraceReader r;
            QVERIFY(!r.openData(b, u"c.doefftrace"_s));
            QCOMPARE(r.errorString(), u"c.doefftrace: checksum mismatch in the index at byte %1"_s.arg(indexOffset));
        }
    }

    void compressedFramesReadAsPlainOnes()
    {
        Recorded packed, plain;
        record(u"loop"_s, options(256, 400, true), packed);
        record(u"loop"_s, options(256, 400, true, false), plain);
        // blocks and checkpoints are compressed, strings and locations never
        const QList<FrameAt> frames = framesOf(packed.bytes);
        int compressed = 0;
        for (const FrameAt& f : frames) {
            QVERIFY2(f.flags == 0 || f.flags == 1, qPrintable(u"frame at %1"_s.arg(f.offset)));
            if (f.type == 1 || f.type == 2) QCOMPARE(f.flags, 0);
            compressed += f.flags;
        }
        QVERIFY(compressed >= 3);
        for (const FrameAt& f : framesOf(plain.bytes))
            QCOMPARE(f.flags, 0);
        QVERIFY2(packed.bytes.size() * 3 < plain.bytes.size(),
                 qPrintable(u"%1 compressed, %2 plain"_s.arg(packed.bytes.size()).arg(plain.bytes.size())));

        // the same events and states, through the index and through recovery
        const auto readBack = [&](const QByteArray& bytes, const QString& name) {
            TraceReader r;
            QVERIFY2(r.openData(bytes, name), qPrintable(r.errorString()));
            QList<Event> events;
            QVERIFY2(r.events(0, r.eventCount(), events), qPrintable(r.errorString()));
            QCOMPARE(size_t(events.size()), packed.live.events.size());
            for (qsizetype i = 0; i < events.size(); ++i)
                QVERIFY2(compareEvent(packed.live.events[size_t(i)], events[i]).isEmpty(), qPrintable(name));
            for (size_t i : { size_t(0), packed.live.states.size() / 3, packed.live.states.size() - 1 }) {
                auto s = r.stateAtEvent(i);
                QVERIFY2(s, qPrintable(r.errorString()));
                QVERIFY2(compareStates(packed.live.states[i], *s, true).isEmpty(), qPrintable(name));
            }
        };
        readBack(packed.bytes, u"packed.doefftrace"_s);
        readBack(plain.bytes, u"plain.doefftrace"_s);
        const qsizetype indexOffset = qsizetype(getU64(packed.bytes, packed.bytes.size() - 80 + 48));
        readBack(packed.bytes.left(indexOffset), u"unfinished.doefftrace"_s);

        // a damaged compressed block, with checksums off so that the bytes reach zstd
        const FrameAt block = *std::find_if(frames.begin(), frames.end(), [](const FrameAt& f) { return f.type == 3; });
        QCOMPARE(block.flags, 1);
        const qsizetype payload = block.offset + 12;
        qsizetype sizeBytes = 0; // the plain size's varint
        while (quint8(packed.bytes[payload + sizeBytes]) & 0x80)
            ++sizeBytes;
        ++sizeBytes;
        QVERIFY(sizeBytes >= 2);
        TraceReader::Options unchecked;
        unchecked.verifyChecksums = false;
        const auto blockError = [&](const QByteArray& bytes) {
            TraceReader r;
            if (!r.openData(bytes, u"z.doefftrace"_s, unchecked)) return r.errorString();
            QList<Event> events;
            return r.events(0, r.eventCount(), events) ? QString() : r.errorString();
        };
        {
            QByteArray b = packed.bytes;
            b[payload + sizeBytes] = char(b[payload + sizeBytes] ^ 0xff); // zstd's magic number
            const QString error = blockError(b);
            QVERIFY2(error.startsWith(u"z.doefftrace: block 0 does not decompress: "_s), qPrintable(error));
        }
        {
            QByteArray b = packed.bytes;
            // the varint's last (highest) byte plus one: 128 bytes more than the zstd frame holds
            const quint8 high = quint8(b[payload + sizeBytes - 1]);
            QVERIFY(high < 0x7f);
            b[payload + sizeBytes - 1] = char(high + 1);
            const QString error = blockError(b);
            QVERIFY2(error.startsWith(u"z.doefftrace: block 0 decompresses to "_s)
                         && error.contains(u", its header says "_s),
                     qPrintable(error));
        }
        {
            QByteArray b = packed.bytes;
            // the plain size's varint goes on over zstd's first bytes: about 2^28, far beyond 256
            // times the frame (the size is checked before anything is decompressed)
            b[payload + sizeBytes - 1] = char(b[payload + sizeBytes - 1] | 0x80);
            b[payload + sizeBytes] = char(0xff);
            b[payload + sizeBytes + 1] = char(0x7f);
            const QString error = blockError(b);
            QVERIFY2(error.contains(u"block 0 claims "_s) && error.contains(u"more than a trace frame holds"_s),
                     qPrintable(error));
        }
        // a compressed frame in a file of a version before compression existed
        {
            QByteArray b = packed.bytes;
            b[8] = 3;
            putU32(b, b.size() - 80 + 8, 3);
            fixFooter(b);
            TraceReader r;
            QVERIFY2(r.openData(b, u"v3.doefftrace"_s), qPrintable(r.errorString()));
            QList<Event> events;
            QVERIFY(!r.events(0, r.eventCount(), events));
            QCOMPARE(r.errorString(), u"v3.doefftrace: block 0 has unknown flags at byte %1"_s.arg(block.offset));
        }
        // a compressed strings frame is refused
        {
            QByteArray b = packed.bytes;
            QCOMPARE(frames.first().type, 1);
            b[frames.first().offset + 1] = 1;
            TraceReader r;
            QList<Event> events;
            QVERIFY(!r.openData(b, u"s.doefftrace"_s) || !r.events(0, r.eventCount(), events));
            QVERIFY2(r.errorString().contains(u"string frame 0 has unknown flags"_s), qPrintable(r.errorString()));
        }
    }

    void decodingErrorsNameTheEvent()
    {
        Recorded rec;
        record(u"loop"_s, options(4096, 32768, true, false), rec);
        QByteArray b = rec.bytes;
        // the first block: after the header, a strings frame and a locations frame; find it
        // through the reader's own index by corrupting a string id in an event record
        TraceReader ref;
        QVERIFY(ref.openData(b, u"ok"_s));
        // the block frame starts with type 3; its payload with the 20-byte block header
        const QList<FrameAt> frames = framesOf(b);
        const auto block = std::find_if(frames.begin(), frames.end(), [](const FrameAt& f) { return f.type == 3; });
        QVERIFY(block != frames.end());
        const qsizetype at = block->offset;
        const qsizetype records = at + 12 + 20;
        // event 0 is RunStarted: kind byte 1 (task 0, no step delta), field flags, name id
        QCOMPARE(int(quint8(b[records])), int(EventKind::RunStarted));
        QCOMPARE(int(quint8(b[records + 1]) & 0x04), 0x04);
        b[records + 2] = char(0x7e); // string id 63: there are fewer strings
        TraceReader::Options o;
        o.verifyChecksums = false;
        TraceReader r;
        QVERIFY(r.openData(b, u"ids.doefftrace"_s, o));
        QList<Event> events;
        QVERIFY(!r.events(0, 10, events));
        QCOMPARE(r.errorString(), u"ids.doefftrace: bad string id 63 at event 0 (byte %1)"_s.arg(records + 3));
        // with checksums, the same file is rejected before decoding
        TraceReader r2;
        QVERIFY(r2.openData(b, u"ids.doefftrace"_s));
        QVERIFY(!r2.events(0, 10, events));
        QCOMPARE(r2.errorString(), u"ids.doefftrace: checksum mismatch in block 0 at byte %1"_s.arg(at));
    }
};

/// Every cut of a trace opens with a clean error or reads back what it holds.
class TestTraceCuts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { registerOpaque(); }

    void truncatedAtEveryOffset()
    {
        Recorded rec;
        record(u"workload"_s, options(8, 24, true), rec);
        const QByteArray good = rec.bytes;
        // Every cut is opened and every event and state read back. The two exports read the same
        // events again and take most of the time: under the sanitizers (where this was the
        // suite's longest function) they run on every eighth cut, the plain build on every cut.
#if defined(__SANITIZE_ADDRESS__)
        constexpr qsizetype exportEvery = 8;
#else
        constexpr qsizetype exportEvery = 1;
#endif
        for (qsizetype n = 0; n < good.size(); ++n) {
            TraceReader r;
            if (r.openData(good.left(n), u"cut.doefftrace"_s)) {
                const QString error = readEverything(r, n % exportEvery == 0);
                QVERIFY2(error.isEmpty() || error.startsWith(u"cut.doefftrace: "_s), qPrintable(error));
            } else {
                QVERIFY2(r.errorString().startsWith(u"cut.doefftrace: "_s), qPrintable(r.errorString()));
            }
        }
    }
};

/// A flipped byte gives a clean error or the same events, and never crashes a decoder.
class TestTraceFlips : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { registerOpaque(); }

    void corruptedBytesGiveErrorsOrTheSameEvents()
    {
        Recorded rec;
        record(u"workload"_s, options(16, 100, true), rec);
        const QByteArray good = rec.bytes;
        TraceReader ref;
        QVERIFY(ref.openData(good, u"ok"_s));
        QList<Event> expected;
        QVERIFY(ref.events(0, ref.eventCount(), expected));
        const SessionState final = rec.live.states.back();
        int errors = 0;

        for (qsizetype i = 0; i < good.size(); ++i) {
            for (int mask : { 0xff, 0x01 }) {
                if (mask == 0x01 && i % 5 != 0) continue;
                QByteArray b = good;
                b[i] = char(b[i] ^ mask);
                TraceReader r;
                if (!r.openData(b, u"bad.doefftrace"_s)) {
                    QVERIFY2(r.errorString().startsWith(u"bad.doefftrace: "_s), qPrintable(r.errorString()));
                    ++errors;
                    continue;
                }
                QList<Event> events;
                if (!r.events(0, r.eventCount(), events)) {
                    QVERIFY2(r.errorString().startsWith(u"bad.doefftrace: "_s), qPrintable(r.errorString()));
                    ++errors;
                    continue;
                }
                // with checksums on, a flip the reader did not notice changed nothing it showed
                QCOMPARE(events.size(), expected.size());
                for (qsizetype k = 0; k < events.size(); ++k) {
                    Owned o;
                    o.e = expected[k];
                    o.hasFile = expected[k].file;
                    o.hasFunction = expected[k].function;
                    o.file = expected[k].file;
                    o.function = expected[k].function;
                    QVERIFY2(compareEvent(o, events[k]).isEmpty(), qPrintable(u"flip at %1"_s.arg(i)));
                }
                if (auto s = r.stateAtEvent(r.eventCount()))
                    QVERIFY2(compareStates(final, *s, false).isEmpty(), qPrintable(u"flip at %1"_s.arg(i)));
                else
                    QVERIFY2(r.errorString().startsWith(u"bad.doefftrace: "_s), qPrintable(r.errorString()));
                if (i % 32 == 0) {
                    const QString error = readEverything(r);
                    QVERIFY2(error.isEmpty() || error.startsWith(u"bad.doefftrace: "_s), qPrintable(error));
                }
            }
        }
        QVERIFY(errors > good.size() / 2); // most flips are caught
    }

    void corruptedBytesWithoutChecksumsNeverCrash_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<int>("stride");
        QTest::addColumn<int>("readAllEvery"); // positions between two reads of everything
        // Under the sanitizers (minutes, near Qt's per-function limit on a busy machine) every third
        // position of the plain build's is flipped: each record kind is still hit many times, and
        // the plain build flips them all.
#if defined(__SANITIZE_ADDRESS__)
        constexpr int sparse = 3;
#else
        constexpr int sparse = 1;
#endif
        QTest::addColumn<bool>("compress");
        QTest::addRow("workload") << u"workload"_s << 1 * sparse << 16 * sparse << false;
        QTest::addRow("values") << u"values"_s << 2 * sparse << 16 * sparse << false;
        // one block and a checkpoint, both compressed: the flips reach zstd and, through the
        // plain-size field, the reader's checks of what it decompresses
        QTest::addRow("loop, compressed") << u"loop"_s << 1 * sparse << 16 * sparse << true;
    }
    /// Checksums off, so the flipped bytes reach the decoders.
    void corruptedBytesWithoutChecksumsNeverCrash()
    {
        QFETCH(QString, program);
        QFETCH(int, stride);
        QFETCH(int, readAllEvery);
        QFETCH(bool, compress);
        Recorded rec;
        record(program, compress ? options(512, 1000, true) : options(16, 100, true, false), rec);
        const QByteArray good = rec.bytes;
        if (compress) {
            int compressed = 0;
            for (const FrameAt& f : framesOf(good))
                compressed += f.flags == 1;
            QVERIFY(compressed >= 2);
        }
        TraceReader::Options o;
        o.verifyChecksums = false;
        int errors = 0;
        const auto clean = [](const QString& error) { return error.startsWith(u"bad.doefftrace: "_s); };
        for (qsizetype i = 0; i < good.size(); i += stride) {
            for (int mask : { 0xff, 0x01 }) {
                if (mask == 0x01 && i % 3 != 0) continue;
                QByteArray b = good;
                b[i] = char(b[i] ^ mask);
                TraceReader r;
                if (!r.openData(b, u"bad.doefftrace"_s, o)) {
                    QVERIFY2(clean(r.errorString()), qPrintable(r.errorString()));
                    ++errors;
                    continue;
                }
                bool failed = false;
                QList<Event> events;
                if (!r.events(0, r.eventCount(), events)) {
                    QVERIFY2(clean(r.errorString()), qPrintable(r.errorString()));
                    failed = true;
                }
                for (quint64 n : { r.eventCount(), r.eventCount() / 2 }) {
                    if (!r.stateAtEvent(n)) {
                        QVERIFY2(clean(r.errorString()), qPrintable(r.errorString()));
                        failed = true;
                    }
                }
                if (i % readAllEvery == 0) {
                    const QString error = readEverything(r);
                    QVERIFY2(error.isEmpty() || clean(error), qPrintable(error));
                }
                errors += failed;
            }
        }
        QVERIFY(errors > 0);
    }
};

// `tst_trace` runs the three classes in turn; `tst_trace --part rest|cuts|flips [QtTest options]`
// runs one. ctest runs the three parts side by side (tests/engine/trace/CMakeLists.txt): under
// the sanitizers the cuts and the flips take minutes each.
int main(int argc, char** argv)
{
    QCoreApplication app(argc, argv);
    QTEST_SET_MAIN_SOURCE_PATH
    QStringList args = app.arguments();
    QString part;
    if (const qsizetype at = args.indexOf(u"--part"_s); at > 0 && at + 1 < args.size()) {
        part = args[at + 1];
        args.remove(at, 2);
        if (part != u"rest"_s && part != u"cuts"_s && part != u"flips"_s) {
            qWarning("tst_trace: --part takes rest, cuts or flips, not %s", qPrintable(part));
            return 2;
        }
    }
    bool failed = false;
    if (part.isEmpty() || part == u"rest"_s) {
        TestTrace test;
        failed |= QTest::qExec(&test, args) != 0;
    }
    if (part.isEmpty() || part == u"cuts"_s) {
        TestTraceCuts test;
        failed |= QTest::qExec(&test, args) != 0;
    }
    if (part.isEmpty() || part == u"flips"_s) {
        TestTraceFlips test;
        failed |= QTest::qExec(&test, args) != 0;
    }
    return failed ? 1 : 0;
}

#include "tst_trace.moc"
