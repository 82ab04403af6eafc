#include "history.h"

#include <algorithm>

namespace doeff::views {

namespace {
void addUnique(std::vector<quint64>& v, quint64 step)
{
    if (v.empty() || v.back() < step) v.push_back(step);
}
} // namespace

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
    m_lastStep = std::max(m_lastStep, e.step);
    switch (e.kind) {
    case EventKind::Step:
        if (e.task >= 0) addUnique(lane(e.task).steps, e.step);
        break;
    case EventKind::EffectYielded:
        if (e.task >= 0) addUnique(lane(e.task).effects, e.step);
        break;
    case EventKind::ErrorRaised:
        if (e.task >= 0) addUnique(lane(e.task).errors, e.step);
        break;
    case EventKind::TaskSpawned:
        if (e.task >= 0 && !e.name.isEmpty()) lane(e.task).name = e.name;
        break;
    default:
        break;
    }
}

StateHistory::~StateHistory() = default;

LiveHistory::LiveHistory()
{
    m_checkpoints.push_back({ 0, std::make_shared<const SessionState>() });
}

void LiveHistory::append(const Event& e, const SessionState& after)
{
    m_events.append(e);
    m_timeline.add(e);
    if (m_events.size() < m_nextCheckpoint) return;
    m_checkpoints.push_back({ m_events.size(), std::make_shared<const SessionState>(after) });
    // stores, tasks and logs are implicitly shared: a copy costs about the effect tree, so the
    // next one comes no sooner than that many events later (and never sooner than 4096)
    m_nextCheckpoint = m_events.size() + std::max<qsizetype>(4096, qsizetype(after.tree().size()));
}

std::shared_ptr<const SessionState> LiveHistory::stateAt(quint64 step)
{
    // events are in step order: the state holds every event whose step is <= `step`
    const auto end = std::upper_bound(m_events.cbegin(), m_events.cend(), step,
                                      [](quint64 s, const Event& e) { return s < e.step; });
    const qsizetype count = end - m_events.cbegin();
    auto cp = std::upper_bound(m_checkpoints.cbegin(), m_checkpoints.cend(), count,
                               [](qsizetype n, const Checkpoint& c) { return n < c.events; });
    --cp; // the first checkpoint is at 0 events
    if (cp->events == count) return cp->state;
    // stepping forward from the previous answer, when nobody holds it any more, continues it in
    // place (its stores are already detached from the checkpoint's)
    if (m_last && m_last.use_count() == 1 && m_lastEvents <= count && m_lastEvents >= cp->events) {
        for (qsizetype i = m_lastEvents; i < count; ++i)
            m_last->apply(m_events[i]);
        m_lastEvents = count;
        return m_last;
    }
    m_last = std::make_shared<SessionState>(*cp->state);
    for (qsizetype i = cp->events; i < count; ++i)
        m_last->apply(m_events[i]);
    m_lastEvents = count;
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

std::shared_ptr<const SessionState> TraceHistory::stateAt(quint64 step)
{
    return m_reader->stateAt(step);
}

QString TraceHistory::errorString() const
{
    return m_reader->errorString();
}

} // namespace doeff::views
