#include "history.h"

#include <QBuffer>

#include <algorithm>

namespace doeff::views {

namespace {
void addUnique(std::vector<quint64>& v, quint64 step)
{
    if (v.empty() || v.back() < step) v.push_back(step);
}
} // namespace

qint32 TimelineLane::sliceAt(quint64 step) const
{
    auto it = std::upper_bound(slices.cbegin(), slices.cend(), step,
                               [](quint64 s, const TimelineSlice& x) { return s < x.from; });
    if (it == slices.cbegin()) return -1;
    // the last activation started by `step`, or the nearest enclosing one still running then;
    // going up, activations end no earlier, so a jump to one that has ended skips only ended ones
    qint32 i = qint32(it - slices.cbegin()) - 1;
    while (i >= 0 && slices[size_t(i)].to <= step) {
        const qint32 j = slices[size_t(i)].jump;
        i = j >= 0 && slices[size_t(j)].to <= step ? j : slices[size_t(i)].parent;
    }
    return i;
}

qint32 TimelineLane::ancestorAtDepth(qint32 i, quint32 depth) const
{
    while (i >= 0 && slices[size_t(i)].depth > depth) {
        const qint32 j = slices[size_t(i)].jump;
        i = j >= 0 && slices[size_t(j)].depth >= depth ? j : slices[size_t(i)].parent;
    }
    return i;
}

void TimelineData::closeSlices(TimelineLane& lane, qint32 frame, quint64 step)
{
    if (lane.closedStep != step) lane.closedNow.clear();
    lane.closedStep = step;
    while (!lane.openSlices.empty()) {
        TimelineSlice& s = lane.slices[size_t(lane.openSlices.back())];
        if (s.frame < frame) break;
        s.to = std::max(step, s.from);
        lane.closedNow.push_back(lane.openSlices.back());
        lane.openSlices.pop_back();
    }
}

TimelineLane& TimelineData::lane(int task)
{
    const auto it = m_laneOf.constFind(task);
    if (it != m_laneOf.cend()) return m_lanes[*it];
    m_laneOf.insert(task, int(m_lanes.size()));
    TimelineLane& l = m_lanes.emplace_back();
    l.task = task;
    l.name = task == 0 ? QStringLiteral("main") : QStringLiteral("task %1").arg(task);
    return l;
}

void TimelineData::add(const Event& e)
{
    m_promises.apply(e);
    m_lastStep = std::max(m_lastStep, e.step);
    switch (e.kind) {
    case EventKind::Step:
        if (e.task >= 0) addUnique(lane(e.task).steps, e.step);
        m_stepTask = e.task;
        break;
    case EventKind::TaskStateChanged: {
        const auto state = TaskStateCode(e.code);
        const TaskStateCode before = m_state.value(e.task, TaskStateCode::Ready);
        m_state.insert(e.task, state);
        const bool waited = before == TaskStateCode::Blocked || before == TaskStateCode::Awaiting;
        if (waited && state == TaskStateCode::Ready && m_stepTask >= 0 && m_stepTask != e.task)
            m_flows.push_back({ TimelineFlow::Kind::Wake, m_stepTask, e.step, e.task, e.step });
        break;
    }
    case EventKind::EffectYielded:
        if (e.task >= 0) addUnique(lane(e.task).effects, e.step);
        {
            // (e.text is the effect type's name, e.name its label)
            auto it = m_effectNameIds.constFind(e.text);
            if (it == m_effectNameIds.cend()) {
                it = m_effectNameIds.insert(e.text, quint32(m_effectNames.size()));
                m_effectNames.append(e.text);
            }
            m_effects.push_back({ e.step, qint32(e.task), *it });
        }
        break;
    case EventKind::ErrorRaised:
        if (e.task >= 0) addUnique(lane(e.task).errors, e.step);
        break;
    case EventKind::FramePushed:
        if (e.task >= 0 && FrameKindCode(e.code) == FrameKindCode::Program) {
            TimelineLane& l = lane(e.task);
            // a push where an activation still is (a restored continuation) ends what was there
            closeSlices(l, e.index, e.step);
            // given back in the step that took it off (outermost first): the same activation
            const bool restored = e.value.toBool();
            if (restored && !l.closedNow.empty() && l.closedStep == e.step) {
                TimelineSlice& was = l.slices[size_t(l.closedNow.back())];
                // (its text may name another line: the activation's, not its definition's)
                if (was.frame == e.index && was.depth == quint32(l.openSlices.size())) {
                    was.to = TimelineSlice::open;
                    l.openSlices.push_back(l.closedNow.back());
                    l.closedNow.pop_back();
                    break;
                }
            }
            l.closedNow.clear();
            // (a reopened activation keeps its label: no label for a text no slice carries)
            auto it = m_sliceLabelIds.constFind(e.text);
            if (it == m_sliceLabelIds.cend()) {
                it = m_sliceLabelIds.insert(e.text, quint32(m_sliceLabels.size()));
                m_sliceLabels.append(e.text);
            }
            const qint32 parent = l.openSlices.empty() ? -1 : l.openSlices.back();
            // the jump goes as far as the parent's two jumps when those span equal depths
            qint32 jump = parent;
            if (parent >= 0) {
                const TimelineSlice& p = l.slices[size_t(parent)];
                if (p.jump >= 0) {
                    const TimelineSlice& pj = l.slices[size_t(p.jump)];
                    if (pj.jump >= 0 && p.depth - pj.depth == pj.depth - l.slices[size_t(pj.jump)].depth)
                        jump = pj.jump;
                }
            }
            l.slices.push_back({ .from = e.step,
                                 .to = TimelineSlice::open,
                                 .parent = parent,
                                 .jump = jump,
                                 .depth = quint32(l.openSlices.size()),
                                 .label = *it,
                                 .frame = e.index });
            l.openSlices.push_back(qint32(l.slices.size() - 1));
            m_maxSliceDepth = std::max(m_maxSliceDepth, l.slices.back().depth);
        }
        break;
    case EventKind::FramePopped:
        // any frame popped takes every activation above it along
        if (e.task >= 0) {
            if (const auto it = m_laneOf.constFind(e.task); it != m_laneOf.cend())
                closeSlices(m_lanes[*it], e.index, e.step);
        }
        break;
    case EventKind::TaskFinished:
        if (const auto it = m_laneOf.constFind(e.task); it != m_laneOf.cend())
            closeSlices(m_lanes[*it], std::numeric_limits<qint32>::min(), e.step);
        break;
    case EventKind::TaskSpawned:
        if (e.task >= 0 && !e.name.isEmpty()) lane(e.task).name = e.name;
        if (e.task >= 0 && e.index >= 0)
            m_flows.push_back({ TimelineFlow::Kind::Spawn, e.index, e.step, e.task, e.step });
        break;
    default:
        break;
    }
}

StateHistory::~StateHistory() = default;

std::optional<quint64> StateHistory::lastHitBefore(quint64 step, const std::function<bool(const Event&)>& hit)
{
    if (step == 0) return std::nullopt;
    qsizetype end = eventsThrough(step - 1);
    if (end < 0) return std::nullopt;
    qsizetype window = 4096;
    while (end > 0) {
        const qsizetype from = std::max<qsizetype>(0, end - window);
        std::optional<quint64> found;
        if (!forEachEvent(from, end, [&](const Event& e) {
                if (hit(e)) found = e.step;
            }))
            return std::nullopt;
        if (found) return found;
        end = from;
        window = std::min<qsizetype>(window * 2, 1 << 20);
    }
    return std::nullopt;
}

std::optional<qsizetype> StateHistory::lastHitIndexBefore(qsizetype before,
                                                          const std::function<bool(const Event&)>& hit)
{
    qsizetype end = std::min(before, eventTotal());
    qsizetype window = 4096;
    while (end > 0) {
        const qsizetype from = std::max<qsizetype>(0, end - window);
        std::optional<qsizetype> found;
        qsizetype index = from;
        if (!forEachEvent(from, end, [&](const Event& e) {
                if (hit(e)) found = index;
                ++index;
            }))
            return std::nullopt;
        if (found) return found;
        end = from;
        window = std::min<qsizetype>(window * 2, 1 << 20);
    }
    return std::nullopt;
}

std::optional<qsizetype> StateHistory::nextHitIndexFrom(qsizetype from, const std::function<bool(const Event&)>& hit)
{
    const qsizetype total = eventTotal();
    qsizetype window = 256;
    for (qsizetype begin = std::max<qsizetype>(0, from); begin < total;) {
        const qsizetype end = std::min(total, begin + window);
        std::optional<qsizetype> found;
        qsizetype index = begin;
        if (!forEachEvent(begin, end, [&](const Event& e) {
                if (!found && hit(e)) found = index;
                ++index;
            }))
            return std::nullopt;
        if (found) return found;
        begin = end;
        window = std::min<qsizetype>(window * 4, 1 << 20);
    }
    return std::nullopt;
}

std::optional<Event> StateHistory::eventAt(qsizetype index)
{
    if (index < 0 || index >= eventTotal()) return std::nullopt;
    std::optional<Event> found;
    if (!forEachEvent(index, index + 1, [&](const Event& e) { found = e; })) return std::nullopt;
    return found;
}

bool StateHistory::forEachEventInSteps(quint64 first, quint64 last, const std::function<void(const Event&)>& fn)
{
    if (last < first) return true;
    const qsizetype from = first == 0 ? 0 : eventsThrough(first - 1);
    const qsizetype to = eventsThrough(last);
    if (from < 0 || to < 0) return false;
    return from >= to || forEachEvent(from, to, fn);
}

// ---- EventLog --------------------------------------------------------------------------

EventLog::EventLog(int chunkEvents, int keepRecent)
    : m_chunkEvents(std::max(1, chunkEvents))
    , m_keepRecent(std::max(0, keepRecent))
{ }

void EventLog::append(const Event& e)
{
    m_tail.append(e);
    if (m_tail.size() >= qsizetype(m_keepRecent) + m_chunkEvents) encodeOldest();
}

void EventLog::encodeOldest()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    TraceRecorderOptions options;
    options.threaded = false;
    options.blockEvents = 1024; // a replay that starts mid-chunk decodes at most this many first
    options.checkpointEvents = 0; // events only: the history keeps its own state copies
    TraceRecorder recorder(options);
    bool ok = recorder.start(&buffer, QStringLiteral("live events"));
    const qsizetype n = m_chunkEvents;
    for (qsizetype i = 0; i < n; ++i)
        recorder.record(m_tail[i]);
    ok = recorder.finish() && ok;
    if (!ok) {
        // cannot happen for events the machine produced; keep them as they are rather than lose them
        qWarning("doeff-studio: could not encode live events (%s); keeping them uncompressed",
                 qPrintable(recorder.errorString()));
        m_keepRecent += m_chunkEvents;
        return;
    }
    Chunk c;
    c.bytes = buffer.data();
    c.first = m_encoded;
    c.count = n;
    c.lastStep = m_tail[n - 1].step;
    m_encoded += n;
    m_encodedBytes += c.bytes.size();
    m_chunks.push_back(std::move(c));
    m_tail.remove(0, n);
}

TraceReader* EventLog::open(qsizetype chunk, QString* error) const
{
    if (m_cache.chunk != chunk || !m_cache.reader) {
        auto reader = std::make_shared<TraceReader>();
        if (!reader->openData(m_chunks[size_t(chunk)].bytes, QStringLiteral("live events"))) {
            if (error) *error = reader->errorString();
            m_cache = ReaderCache();
            return nullptr;
        }
        m_cache.reader = std::move(reader);
        m_cache.chunk = chunk;
    }
    return m_cache.reader.get();
}

bool EventLog::forEach(qsizetype from, qsizetype to, const std::function<bool(const Event&)>& fn, QString* error) const
{
    from = std::max<qsizetype>(from, 0);
    to = std::min(to, size());
    if (from >= to) return true;
    if (from < m_encoded) {
        // the chunk holding `from`, then the following ones
        auto it = std::upper_bound(m_chunks.cbegin(), m_chunks.cend(), from,
                                   [](qsizetype i, const Chunk& c) { return i < c.first; });
        --it; // chunks start at 0
        for (; it != m_chunks.cend() && from < to; ++it) {
            const qsizetype end = std::min(to, it->first + it->count);
            TraceReader* reader = open(it - m_chunks.cbegin(), error);
            if (!reader) return false;
            bool stopped = false;
            const bool ok
                = reader->forEachEvent(quint64(from - it->first), quint64(end - it->first), [&](const Event& e) {
                      if (fn(e)) return true;
                      stopped = true;
                      return false;
                  });
            if (!ok) {
                if (error) *error = reader->errorString();
                return false;
            }
            if (stopped) return true;
            from = end;
        }
    }
    for (qsizetype i = from - m_encoded; from < to; ++from, ++i)
        if (!fn(m_tail[i])) return true;
    return true;
}

QList<Event> EventLog::toList() const
{
    QList<Event> out;
    out.reserve(size());
    forEach(0, size(), [&out](const Event& e) {
        out.append(e);
        return true;
    });
    return out;
}

qsizetype EventLog::countThroughStep(quint64 step) const
{
    // the first chunk with an event past `step`
    const auto it = std::upper_bound(m_chunks.cbegin(), m_chunks.cend(), step,
                                     [](quint64 s, const Chunk& c) { return s < c.lastStep; });
    if (it != m_chunks.cend()) {
        if (TraceReader* reader = open(it - m_chunks.cbegin(), nullptr)) {
            if (const auto after = reader->eventIndexAfterStep(step)) return it->first + qsizetype(*after);
        }
        return it->first; // (cannot happen: the chunk was written by this log)
    }
    const auto end
        = std::upper_bound(m_tail.cbegin(), m_tail.cend(), step, [](quint64 s, const Event& e) { return s < e.step; });
    return m_encoded + (end - m_tail.cbegin());
}

qint64 EventLog::byteSize() const
{
    qint64 tail = 0;
    for (const Event& e : m_tail)
        tail += qint64(sizeof(Event)) + 2 * (e.name.size() + e.text.size());
    return m_encodedBytes + tail;
}

// ---- LiveHistory -----------------------------------------------------------------------

LiveHistory::LiveHistory(int chunkEvents, qsizetype checkpointSpacing, int keepRecent)
    : m_events(chunkEvents, keepRecent)
    , m_spacing(std::max<qsizetype>(1, checkpointSpacing))
    , m_nextCheckpoint(m_spacing)
{
    m_checkpoints.push_back({ 0, std::make_shared<const SessionState>() });
}

void LiveHistory::append(const Event& e, const SessionState& after)
{
    m_events.append(e);
    m_timeline.add(e);
    if (m_events.size() < m_nextCheckpoint) return;
    m_checkpoints.push_back({ m_events.size(), std::make_shared<const SessionState>(after) });
    if (qsizetype(m_checkpoints.size()) > MaxCheckpoints) {
        // a long run: keep every other copy (the first, at 0 events, stays) and space the
        // next ones twice as far, so the copies never hold more than MaxCheckpoints states
        std::vector<Checkpoint> kept;
        for (size_t i = 0; i < m_checkpoints.size(); i += 2)
            kept.push_back(std::move(m_checkpoints[i]));
        m_checkpoints = std::move(kept);
        m_spacing *= 2;
    }
    // stores, tasks and logs are implicitly shared: a copy costs about the effect tree, so the
    // next one comes no sooner than that many events later
    m_nextCheckpoint = m_events.size() + std::max(m_spacing, qsizetype(after.tree().size()));
}

std::shared_ptr<const SessionState> LiveHistory::stateAt(quint64 step)
{
    // events are in step order: the state holds every event whose step is <= `step`
    return stateAfterEvents(m_events.countThroughStep(step));
}

std::shared_ptr<const SessionState> LiveHistory::stateAfterEvents(qsizetype events)
{
    const qsizetype count = std::clamp<qsizetype>(events, 0, m_events.size());
    auto cp = std::upper_bound(m_checkpoints.cbegin(), m_checkpoints.cend(), count,
                               [](qsizetype n, const Checkpoint& c) { return n < c.events; });
    --cp; // the first checkpoint is at 0 events
    if (cp->events == count) return cp->state;
    const auto replay = [this](qsizetype from, qsizetype to) {
        SessionState& s = *m_last;
        const bool ok = m_events.forEach(
            from, to,
            [&s](const Event& e) {
                s.apply(e);
                return true;
            },
            &m_error);
        if (!ok) m_last.reset();
        m_lastEvents = ok ? to : 0;
        return ok;
    };
    // stepping forward from the previous answer, when nobody holds it any more, continues it in
    // place (its stores are already detached from the checkpoint's)
    if (m_last && m_last.use_count() == 1 && m_lastEvents <= count && m_lastEvents >= cp->events) {
        if (!replay(m_lastEvents, count)) return nullptr;
        return m_last;
    }
    m_last = std::make_shared<SessionState>(*cp->state);
    if (!replay(cp->events, count)) return nullptr;
    return m_last;
}

TraceHistory::TraceHistory(std::unique_ptr<TraceReader> reader, TimelineData timeline)
    : m_reader(std::move(reader))
{
    m_timeline = std::move(timeline);
}

quint64 TraceHistory::lastStep() const
{
    return m_reader->stepCount();
}

bool LiveHistory::forEachEvent(qsizetype from, qsizetype to, const std::function<void(const Event&)>& fn)
{
    return m_events.forEach(
        from, to,
        [&](const Event& e) {
            fn(e);
            return true;
        },
        &m_error);
}

qsizetype TraceHistory::eventsThrough(quint64 step)
{
    const std::optional<quint64> n = m_reader->eventIndexAfterStep(step);
    return n ? qsizetype(*n) : -1;
}

bool TraceHistory::forEachEvent(qsizetype from, qsizetype to, const std::function<void(const Event&)>& fn)
{
    return m_reader->forEachEvent(quint64(from), quint64(to), [&](const Event& e) {
        fn(e);
        return true;
    });
}

std::shared_ptr<const SessionState> TraceHistory::stateAt(quint64 step)
{
    return m_reader->stateAt(step);
}

std::shared_ptr<const SessionState> TraceHistory::stateAfterEvents(qsizetype events)
{
    return m_reader->stateAtEvent(quint64(std::max<qsizetype>(0, events)));
}

QString TraceHistory::errorString() const
{
    return m_reader->errorString();
}

} // namespace doeff::views
