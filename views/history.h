#pragma once

#include <doeff/session.h>
#include <doeff/trace.h>

#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

/// Time travel for the Studio: the state at any past step of a run, and the per-task activity
/// the Timeline pane draws. A live run keeps its events in memory (LiveHistory); an opened trace
/// asks its TraceReader (TraceHistory). Both re-reduce events from a checkpoint, never re-run
/// the program.
namespace doeff::views {

/// One Timeline lane: what one task did, as sorted step numbers without duplicates.
struct TimelineLane {
    int task = 0;
    QString name;
    std::vector<quint64> steps; ///< machine steps the task took
    std::vector<quint64> effects; ///< steps at which it yielded an effect
    std::vector<quint64> errors; ///< steps at which an error was raised in it
};

/// Builds the lanes from the event stream, one event at a time (any thread; not shared).
class TimelineData {
public:
    void add(const Event& e);
    const QList<TimelineLane>& lanes() const { return m_lanes; }
    /// The step of the last event added.
    quint64 lastStep() const { return m_lastStep; }
    /// Lane index of a task, or -1.
    int laneOf(int task) const { return m_laneOf.value(task, -1); }

private:
    TimelineLane& lane(int task);
    QList<TimelineLane> m_lanes;
    QHash<int, int> m_laneOf;
    quint64 m_lastStep = 0;
};

/// The states of one run at every step. GUI thread.
class StateHistory {
public:
    virtual ~StateHistory();
    /// The last step there is a state for.
    virtual quint64 lastStep() const = 0;
    /// The state after every event of steps <= `step`; null (with errorString()) on failure.
    /// Drop the previous result first: a trace then steps forward in place.
    virtual std::shared_ptr<const SessionState> stateAt(quint64 step) = 0;
    virtual QString errorString() const { return {}; }
    const TimelineData& timeline() const { return m_timeline; }

protected:
    TimelineData m_timeline;
};

/// A live run's history: every event the session applied, plus copies of the reduced state
/// taken every few thousand events (further apart as the state grows, so that the copies cost
/// about as much memory as the events they cover). The event `file`/`function` pointers must
/// outlive the history (LiveRun interns them for its own lifetime).
class LiveHistory final : public StateHistory {
public:
    LiveHistory();
    /// `e` has just been applied to `after`.
    void append(const Event& e, const SessionState& after);
    quint64 lastStep() const override { return m_timeline.lastStep(); }
    std::shared_ptr<const SessionState> stateAt(quint64 step) override;
    /// All events so far (implicitly shared: cheap to hand to a worker thread).
    const QList<Event>& events() const { return m_events; }

private:
    struct Checkpoint {
        qsizetype events = 0; ///< the state after this many events
        std::shared_ptr<const SessionState> state;
    };
    QList<Event> m_events;
    std::vector<Checkpoint> m_checkpoints;
    qsizetype m_nextCheckpoint = 4096;
    std::shared_ptr<SessionState> m_last; // the previous answer, reused when stepping forward
    qsizetype m_lastEvents = 0;
};

/// An opened trace file's history.
class TraceHistory final : public StateHistory {
public:
    TraceHistory(std::unique_ptr<TraceReader> reader, TimelineData timeline);
    quint64 lastStep() const override;
    std::shared_ptr<const SessionState> stateAt(quint64 step) override;
    QString errorString() const override;
    TraceReader& reader() { return *m_reader; }

private:
    std::unique_ptr<TraceReader> m_reader;
};

} // namespace doeff::views
