// Deterministic replay (docs/replay.md): the recording's inputs fed back to the run, and every
// event of the run checked against the recording, in step.

#include "tracecodec.h"
#include "traceencoder.h"

#include <doeff/replay.h>
#include <doeff/trace.h>
#include <doeff/value.h>

#include <cstring>
#include <optional>

namespace doeff {

namespace {

/// Recorded events read ahead of the run, a block's worth at a time.
constexpr quint64 readAhead = 4096;

bool sameText(const char* a, const char* b)
{
    if (!a || !b) return !a == !b;
    return a == b || std::strcmp(a, b) == 0;
}

/// Values as a trace holds them: a value read back may have another C++ type than the live one
/// (a `short` reads back as a `long long`, a type the format does not know as its repr text).
bool sameValue(const QVariant& a, const QVariant& b)
{
    if (a.isValid() != b.isValid()) return false;
    if (!a.isValid()) return true;
    if (a.metaType() == b.metaType() && a == b) return true;
    return repr(a) == repr(b);
}

QString shortValue(const QVariant& v)
{
    QString text = repr(v);
    if (text.size() > 120) text = text.left(117) + QStringLiteral("...");
    return text;
}

} // namespace

QString describeReplayEvent(const Event& e)
{
    QString s
        = QStringLiteral("%1 task %2 step %3").arg(QLatin1StringView(eventKindName(e.kind))).arg(e.task).arg(e.step);
    if (e.code) s += QStringLiteral(" code=%1").arg(e.code);
    if (e.index != -1) s += QStringLiteral(" index=%1").arg(e.index);
    if (!e.name.isEmpty()) s += QStringLiteral(" name=%1").arg(e.name);
    if (!e.text.isEmpty()) s += QStringLiteral(" text=%1").arg(e.text);
    if (e.value.isValid()) s += QStringLiteral(" value=%1").arg(shortValue(e.value));
    if (e.old.isValid()) s += QStringLiteral(" old=%1").arg(shortValue(e.old));
    if (e.file) s += QStringLiteral(" at %1:%2").arg(QString::fromUtf8(e.file)).arg(e.line);
    return s;
}

QString replayDifference(const Event& recorded, const Event& replayed)
{
    if (recorded.kind != replayed.kind) return QStringLiteral("kind");
    if (recorded.task != replayed.task) return QStringLiteral("task");
    if (recorded.step != replayed.step) return QStringLiteral("step");
    if (recorded.code != replayed.code) return QStringLiteral("code");
    if (recorded.index != replayed.index) return QStringLiteral("index");
    if (recorded.name != replayed.name) return QStringLiteral("name");
    if (recorded.text != replayed.text) return QStringLiteral("text");
    if (recorded.line != replayed.line || !sameText(recorded.file, replayed.file)
        || !sameText(recorded.function, replayed.function))
        return QStringLiteral("location");
    if (!sameValue(recorded.value, replayed.value)) return QStringLiteral("value");
    if (!sameValue(recorded.old, replayed.old)) return QStringLiteral("old");
    return {};
}

struct Replay::Private {
    TraceReader reader;
    QString program;
    Store store;
    Env env;
    /// Which clock the recording ran on, once asked (simulatedClock()): its metadata may be
    /// silent, and inferring it reads the whole trace, which opening must not (the Studio and
    /// the DAP adapter open a replay on their GUI / protocol thread only to name its program).
    std::optional<bool> simulated;
    quint64 total = 0;
    /// An input log: only RunStarted, the inputs and RunFinished to match.
    bool inputsOnly = false;

    QList<Event> ahead; ///< decoded recorded events [aheadFirst, aheadFirst + ahead.size())
    quint64 aheadFirst = 0;
    quint64 matched = 0;
    bool diverged = false;
    QString report;
    WhatIf whatIf;
    bool branched = false;
    quint64 branchStep = 0;

    // ---- checking by bytes (docs/replay.md, "Checking a replay") ----
    /// While true, each event of the run is encoded as the recorder encoded it and compared
    /// with the recorded bytes; a recorded event is decoded only when they differ, or for an
    /// input to feed back. Off for good after the first event whose bytes differ (from there
    /// the two encoders may hold different tables even when the events are the same), and for
    /// files of another format version.
    bool byBytes = false;
    trace::Encoder encoder;
    QByteArray block; ///< the recorded block that holds event `matched`: header and records
    quint64 blockEnd = 0; ///< the index of the first event after it
    quint64 nextBlock = 0;
    quint64 matchedAsBytes = 0;

    /// The recorded event `i`, or null past the end (or on a read error: then diverged).
    const Event* recordedAt(quint64 i)
    {
        if (i >= aheadFirst && i - aheadFirst < quint64(ahead.size())) return &ahead[qsizetype(i - aheadFirst)];
        if (i >= total || diverged) return nullptr;
        aheadFirst = i;
        ahead.clear();
        if (!reader.events(i, std::min(total, i + readAhead), ahead) || ahead.isEmpty()) {
            fail(QStringLiteral("cannot read the recording: %1").arg(reader.errorString()), nullptr, nullptr, i);
            return nullptr;
        }
        return &ahead[0];
    }

    /// The next recorded event (the one the run's next event must match).
    const Event* peek() { return recordedAt(matched); }

    /// Makes `block` the recorded block holding event `matched`, the encoder starting a block
    /// where the recorder did. False when the bytes cannot be compared there.
    bool blockReady()
    {
        if (matched < blockEnd) return true;
        if (matched >= total) return false;
        // every byte of the block used up, as the recorder's encoder left it
        if (blockEnd > 0 && encoder.blockSize() != size_t(block.size())) return false;
        quint64 first = 0;
        quint32 count = 0;
        if (!detail::TraceReaderAccess::block(reader, nextBlock, block, first, count) || first != matched || count == 0)
            return false;
        ++nextBlock;
        blockEnd = first + count;
        encoder.dropBlock();
        return true;
    }

    /// The kind of the next recorded record, from its first byte (docs/trace-format.md); -1
    /// when the bytes cannot say.
    int nextRecordKind()
    {
        if (!blockReady()) return -1;
        const size_t at = encoder.blockSize();
        if (at >= size_t(block.size())) return -1;
        return quint8(block[qsizetype(at)]) & trace::KindMask;
    }

    /// True when `event` encodes to the recorded bytes, and the strings and locations it
    /// introduced are the ones the recording introduced under the same ids: then it is the
    /// recorded event, and both encoders hold the same tables for the next one.
    bool sameBytes(const LiveEvent& event)
    {
        if (!blockReady()) return false;
        const size_t at = encoder.blockSize();
        QString error;
        if (!encoder.encode(event, error)) return false;
        const size_t end = encoder.blockSize();
        if (end > size_t(block.size()) || std::memcmp(encoder.blockData() + at, block.constData() + at, end - at) != 0)
            return false;
        return sameNewTables();
    }

    bool sameNewTables()
    {
        const std::vector<QByteArray>& strings = encoder.newStrings();
        const std::vector<trace::Location>& locations = encoder.newLocations();
        if (strings.empty() && locations.empty()) return true;
        quint64 id = encoder.stringCount() - strings.size();
        QByteArray recorded;
        for (const QByteArray& s : strings)
            if (!detail::TraceReaderAccess::string(reader, id++, recorded) || recorded != s) return false;
        id = encoder.locationCount() - locations.size();
        for (const trace::Location& mine : locations) {
            trace::Location l;
            if (!detail::TraceReaderAccess::location(reader, id++, l) || l.file != mine.file || l.line != mine.line
                || l.function != mine.function)
                return false;
        }
        encoder.forgetNewTables();
        return true;
    }

    QString fail(const QString& why, const Event* recorded, const Event* replayed, quint64 at)
    {
        if (diverged) return report;
        diverged = true;
        report = QStringLiteral("replay of %1 diverged at event %2: %3").arg(reader.fileName()).arg(at).arg(why);
        if (recorded || replayed) {
            report += QStringLiteral("\n  recorded: %1")
                          .arg(recorded ? describeReplayEvent(*recorded) : QStringLiteral("(the recording ends here)"));
            report += QStringLiteral("\n  replayed: %1")
                          .arg(replayed ? describeReplayEvent(*replayed) : QStringLiteral("(nothing)"));
        }
        return report;
    }
};

Replay::Replay()
    : d(std::make_unique<Private>())
{ }

Replay::~Replay() = default;

std::shared_ptr<Replay> Replay::open(const QString& path, QString* error)
{
    std::shared_ptr<Replay> r(new Replay);
    Private& p = *r->d;
    auto refuse = [&](const QString& why) {
        if (error) *error = why;
        return std::shared_ptr<Replay>();
    };
    if (!p.reader.open(path)) return refuse(p.reader.errorString());
    p.total = p.reader.eventCount();
    QList<Event> first;
    if (p.total == 0 || !p.reader.events(0, 1, first) || first.isEmpty() || first.front().kind != EventKind::RunStarted)
        return refuse(QStringLiteral("%1: the recording does not start with its run (no RunStarted event)").arg(path));
    const Event& started = first.front();
    p.program = started.name;
    p.byBytes = detail::TraceReaderAccess::version(p.reader) == trace::formatVersion;
    p.inputsOnly = p.reader.metadata().inputsOnly();
    for (const QVariant& pair : started.value.toList()) {
        const QVariantList kv = pair.toList();
        if (kv.size() == 2) p.store.insert(kv[0].toString(), kv[1]);
    }
    const QVariantMap env = started.old.toMap();
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        p.env.insert(it.key(), it.value());
    return r;
}

QString Replay::fileName() const
{
    return d->reader.fileName();
}

const QString& Replay::program() const
{
    return d->program;
}

const Store& Replay::store() const
{
    return d->store;
}

const Env& Replay::env() const
{
    return d->env;
}

QString Replay::runner() const
{
    return d->reader.metadata().runner;
}

bool Replay::simulatedClock() const
{
    if (d->simulated) return *d->simulated;
    const QString clock = d->reader.metadata().value(QStringLiteral("clock"));
    if (clock == QLatin1String("simulated") || clock == QLatin1String("real")) {
        d->simulated = clock == QLatin1String("simulated");
        return *d->simulated;
    }
    // no word from the recorder (an ambient input log cannot tell): a real clock that was read
    // or slept on left inputs, and a delivery says which clock it came in on (the simulated
    // one's time, or none)
    bool realInputs = false;
    d->reader.forEachEvent(0, d->total, [&](const Event& e) {
        if (e.kind == EventKind::InputReceived)
            realInputs
                = InputKind(e.code) == InputKind::Clock || InputKind(e.code) == InputKind::Timer || !e.old.isValid();
        return !realInputs;
    });
    d->simulated = !realInputs;
    return *d->simulated;
}

quint64 Replay::recordedEvents() const
{
    return d->total;
}

bool Replay::inputsOnly() const
{
    return d->inputsOnly;
}

EventInterest Replay::interest() const
{
    // a what-if is taken where the machine announces the effect or the step: a watched run
    return d->inputsOnly && d->whatIf.kind == WhatIf::Kind::None ? EventInterest::Inputs : EventInterest::Everything;
}

quint64 Replay::matchedEvents() const
{
    return d->matched;
}

quint64 Replay::matchedAsBytes() const
{
    return d->matchedAsBytes;
}

bool Replay::diverged() const
{
    return d->diverged;
}

QString Replay::report() const
{
    return d->report;
}

bool Replay::complete() const
{
    return !d->diverged && !d->branched && d->matched == d->total;
}

void Replay::setWhatIf(const WhatIf& whatIf)
{
    d->whatIf = whatIf;
}

const WhatIf& Replay::whatIf() const
{
    return d->whatIf;
}

bool Replay::branched() const
{
    return d->branched;
}

quint64 Replay::branchStep() const
{
    return d->branchStep;
}

std::optional<QVariant> Replay::whatIfResult(quint64 step, int task)
{
    if (d->branched || d->diverged || d->whatIf.kind != WhatIf::Kind::Result) return std::nullopt;
    if (step != d->whatIf.step || (d->whatIf.task >= 0 && task != d->whatIf.task)) return std::nullopt;
    return d->whatIf.value;
}

int Replay::whatIfSchedule(quint64 step)
{
    if (d->branched || d->diverged || d->whatIf.kind != WhatIf::Kind::Schedule || step != d->whatIf.step) return -1;
    return d->whatIf.task;
}

std::optional<HandlerChange> Replay::whatIfHandlers()
{
    if (d->whatIf.kind != WhatIf::Kind::Handler) return std::nullopt;
    return HandlerChange { d->whatIf.step, d->whatIf.handler, d->whatIf.replacement };
}

void Replay::branched(quint64 step)
{
    d->branched = true;
    d->branchStep = step;
}

const Event* Replay::nextInput(int heldBack)
{
    if (d->branched || d->diverged) return nullptr;
    if (d->byBytes) {
        const int kind = d->nextRecordKind();
        if (kind >= 0 && kind != trace::inputRecordKind && kind != trace::recordKindOf(EventKind::TaskStateChanged))
            return nullptr;
        if (kind < 0) d->byBytes = false; // decoding tells what comes next
    }
    const Event* e = d->peek();
    // the held-back Ready, announced as the input came in: the input is the event after it
    if (e && heldBack >= 0 && e->kind == EventKind::TaskStateChanged && e->task == heldBack
        && TaskStateCode(e->code) == TaskStateCode::Ready)
        e = d->recordedAt(d->matched + 1);
    return e && e->kind == EventKind::InputReceived ? e : nullptr;
}

bool Replay::mayRunOn(quint64 step)
{
    if (d->branched || d->diverged || d->whatIf.kind == WhatIf::Kind::Schedule) return false;
    if (d->inputsOnly) {
        // The run took each input in between turns at the step it names, and a task going on
        // in its turn shows nothing: it may, up to the step of the next input.
        const Event* e = d->peek();
        return !(e && e->kind == EventKind::InputReceived && e->step <= step);
    }
    // an input comes next, or a Ready announced just before one (see nextInput())
    const int input = trace::recordKindOf(EventKind::InputReceived);
    const int state = trace::recordKindOf(EventKind::TaskStateChanged);
    if (d->byBytes) {
        const int kind = d->nextRecordKind();
        return kind >= 0 && kind != input && kind != state;
    }
    const Event* e = d->peek();
    return e && e->kind != EventKind::InputReceived && e->kind != EventKind::TaskStateChanged;
}

QString Replay::diverged(const QString& why, quint64 step)
{
    const Event* recorded = d->peek();
    return d->fail(QStringLiteral("%1 (step %2)").arg(why).arg(step), recorded, nullptr, d->matched);
}

QString Replay::unreplayable(const Event& input) const
{
    const QString type = trace::opaqueTypeIn(input.value);
    if (type.isEmpty()) return {};
    return QStringLiteral("its value (a %1) was recorded only as text, %2: it cannot be replayed")
        .arg(type, shortValue(input.value));
}

void Replay::onEvent(const LiveEvent& event, const RunView&)
{
    if (d->diverged || d->branched) return;
    // an input log holds these three kinds only (watched for a what-if, the run sends every event)
    if (d->inputsOnly && event.kind != EventKind::RunStarted && event.kind != EventKind::InputReceived
        && event.kind != EventKind::RunFinished)
        return;
    if (d->byBytes) {
        if (d->sameBytes(event)) {
            ++d->matched;
            ++d->matchedAsBytes;
            return;
        }
        d->byBytes = false; // decode and compare, this event and every one after it
    }
    const Event* recorded = d->peek();
    if (d->diverged) return; // the recording could not be read
    const Event replayed = event.record();
    QString why;
    if (!recorded) {
        why = d->reader.recovered()
            ? QStringLiteral("the recording was cut short here (%1)").arg(d->reader.recoveryNote())
            : QStringLiteral("the replay goes on past the end of the recording");
    } else if (const QString field = replayDifference(*recorded, replayed); !field.isEmpty()) {
        why = QStringLiteral("the %1 differs").arg(field);
    } else {
        ++d->matched;
        return;
    }
    throw AbortRun { d->fail(why, recorded, &replayed, d->matched) };
}

} // namespace doeff
