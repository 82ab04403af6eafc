#pragma once

#include <doeff/session.h>
#include <doeff/trace.h>
#include <doeff/waitfor.h>

#include <QHash>
#include <QList>
#include <QString>

#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <vector>

/// Time travel for the Studio: the state at any past step of a run, and the per-task activity
/// the Timeline pane draws. A live run keeps its events in memory (LiveHistory); an opened trace
/// asks its TraceReader (TraceHistory). Both re-reduce events from a checkpoint, never re-run
/// the program.
namespace doeff::views {

/// A program activation on a task's continuation: from the step its frame was pushed to the step
/// it was popped (`to` is `open` while it is still on the continuation). A lane's activations
/// nest, in the order they started, and a caller never ends before its callee (one pushed and
/// popped at the same step is empty); a continuation a handler took and gave back shows as a gap.
struct TimelineSlice {
    static constexpr quint64 open = std::numeric_limits<quint64>::max();
    quint64 from = 0;
    quint64 to = open;
    qint32 parent = -1; ///< the enclosing activation's index in the lane, or -1
    /// An enclosing activation further up (skew-binary jump pointers), so that finding a running
    /// caller of a deep activation takes O(log depth) hops instead of one per level.
    qint32 jump = -1;
    quint32 depth = 0; ///< 0 for the task's outermost activation
    quint32 label = 0; ///< index into TimelineData::sliceLabels()
    qint32 frame = 0; ///< its position on the continuation
};

/// One Timeline lane: what one task did, as sorted step numbers without duplicates.
struct TimelineLane {
    int task = 0;
    QString name;
    std::vector<quint64> steps; ///< machine steps the task took
    std::vector<quint64> effects; ///< steps at which it yielded an effect
    std::vector<quint64> errors; ///< steps at which an error was raised in it
    std::vector<TimelineSlice> slices; ///< its program activations, by starting step
    std::vector<qint32> openSlices; ///< those still on its continuation, outermost first
    /// The activations pops closed at `closedStep`, innermost first: a frame given back at that
    /// same step (FramePushed.restored: a continuation reinstalled, a what-if's restack) goes on
    /// as the activation it was instead of starting another.
    std::vector<qint32> closedNow;
    quint64 closedStep = 0;

    /// The innermost activation running at `step`, or -1 (a walk up from the last one started by
    /// then, along jump pointers: activations nest).
    qint32 sliceAt(quint64 step) const;
    /// The activation `i` or its enclosing one at nesting depth `depth` (at most i's).
    qint32 ancestorAtDepth(qint32 i, quint32 depth) const;
};

/// One effect a task yielded, in the order of the run (the Effects list's rows): 16 bytes, so a
/// run of millions of effects keeps them all. The label is read back from the history on demand.
struct EffectMark {
    quint64 step = 0;
    qint32 task = 0;
    quint32 name = 0; ///< index into TimelineData::effectNames()
};

/// A flow between lanes: a Spawn to the child's first step, or what woke a waiting task (the
/// task that ran when it became ready: a promise completed, a task it waited on finished) to the
/// woken task's next step.
struct TimelineFlow {
    enum class Kind : quint8 { Spawn, Wake };
    Kind kind = Kind::Spawn;
    int fromTask = 0;
    quint64 fromStep = 0;
    int toTask = 0;
    quint64 after = 0; ///< the flow ends at `toTask`'s first step at or after this
};

/// Builds the lanes from the event stream, one event at a time (any thread; not shared).
class TimelineData {
public:
    void add(const Event& e);
    const QList<TimelineLane>& lanes() const { return m_lanes; }
    /// Every effect yielded, in step order.
    const std::vector<EffectMark>& effects() const { return m_effects; }
    /// The effect types' names (`Get`, `Put`, `Spawn`, a user effect's name), in order of first use.
    const QStringList& effectNames() const { return m_effectNames; }
    /// The program activations' descriptions (`name() at file:line`), in order of first use.
    const QStringList& sliceLabels() const { return m_sliceLabels; }
    /// The deepest activation's depth in any lane (0 when none nests).
    quint32 maxSliceDepth() const { return m_maxSliceDepth; }
    /// Spawn and wake flows, in step order.
    const std::vector<TimelineFlow>& flows() const { return m_flows; }
    /// Where each promise was created (task, file:line, step), by the machine's promise id.
    const PromiseOrigins& promiseOrigins() const { return m_promises; }
    /// The step of the last event added.
    quint64 lastStep() const { return m_lastStep; }
    /// Lane index of a task, or -1.
    int laneOf(int task) const { return m_laneOf.value(task, -1); }

private:
    TimelineLane& lane(int task);
    /// Ends, at `step`, the lane's activations at continuation position `frame` or above.
    static void closeSlices(TimelineLane& lane, qint32 frame, quint64 step);
    QList<TimelineLane> m_lanes;
    QHash<int, int> m_laneOf;
    quint64 m_lastStep = 0;
    std::vector<EffectMark> m_effects;
    QStringList m_effectNames;
    QHash<QString, quint32> m_effectNameIds;
    QStringList m_sliceLabels;
    QHash<QString, quint32> m_sliceLabelIds;
    quint32 m_maxSliceDepth = 0;
    std::vector<TimelineFlow> m_flows;
    PromiseOrigins m_promises;
    QHash<int, TaskStateCode> m_state; ///< each task's last state
    int m_stepTask = -1; ///< the task of the last Step
};

/// The events of a live run, kept compactly once there are many: the newest `keepRecent`
/// events stay Events (fast to replay, values shared with the session), and older ones are
/// encoded `chunkEvents` at a time in the trace format in memory (an events-only trace,
/// ~7 bytes per event where an Event takes ~170) and decoded on demand. A value type: copies
/// share the encoded chunks, so a copy is a cheap snapshot for a worker thread (each copy
/// decodes on its own). The events' `file`/`function` pointers must outlive the log
/// (decoded events point into process-wide pooled strings instead).
class EventLog {
public:
    static constexpr int DefaultChunkEvents = 32768;
    static constexpr int DefaultKeepRecent = 262144;
    explicit EventLog(int chunkEvents = DefaultChunkEvents, int keepRecent = DefaultKeepRecent);

    void append(const Event& e);
    qsizetype size() const { return m_encoded + m_tail.size(); }
    bool isEmpty() const { return size() == 0; }
    /// Streams events [from, to) to `fn` in order; `fn` returning false stops early. False
    /// with `error` when an encoded chunk does not decode.
    bool forEach(qsizetype from, qsizetype to, const std::function<bool(const Event&)>& fn,
                 QString* error = nullptr) const;
    /// All events as a list (tests, small runs).
    QList<Event> toList() const;
    /// How many events have a step <= `step` (events are in step order).
    qsizetype countThroughStep(quint64 step) const;
    /// What the log holds in memory, roughly.
    qint64 byteSize() const;
    /// Events kept encoded (the rest are Events).
    qsizetype encodedCount() const { return m_encoded; }

private:
    struct Chunk {
        QByteArray bytes; ///< an events-only trace
        qsizetype first = 0; ///< index of its first event
        qsizetype count = 0;
        quint64 lastStep = 0;
    };
    /// The reader of the chunk decoded last, kept open for the next call; never shared by copies.
    struct ReaderCache {
        std::shared_ptr<TraceReader> reader;
        qsizetype chunk = -1;
        ReaderCache() = default;
        ReaderCache(const ReaderCache&) { }
        ReaderCache& operator=(const ReaderCache&)
        {
            reader.reset();
            chunk = -1;
            return *this;
        }
    };
    void encodeOldest();
    TraceReader* open(qsizetype chunk, QString* error) const;

    int m_chunkEvents;
    int m_keepRecent;
    std::vector<Chunk> m_chunks;
    QList<Event> m_tail; ///< events [m_encoded, size())
    qsizetype m_encoded = 0;
    qint64 m_encodedBytes = 0;
    mutable ReaderCache m_cache;
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
    /// The step of the newest event before `step` that `hit` accepts (Reverse Continue, Run
    /// Back to Cursor), or nullopt (errorString() says why when reading failed). Reads back
    /// from `step` a window of events at a time, so a near hit costs little in a long run.
    std::optional<quint64> lastHitBefore(quint64 step, const std::function<bool(const Event&)>& hit);
    /// Streams the events of steps [first, last] in order; false (with errorString()) on failure.
    bool forEachEventInSteps(quint64 first, quint64 last, const std::function<void(const Event&)>& fn);

    // Event-granular travel: a pause happens at an event, not after its whole step, so going back
    // to a pause's state means going back to an event. Events are numbered from 0 in run order.
    /// How many events there are; -1 on failure.
    qsizetype eventTotal() { return eventsThrough(lastStep()); }
    /// The state after the first `events` events; null (with errorString()) on failure.
    virtual std::shared_ptr<const SessionState> stateAfterEvents(qsizetype events) = 0;
    /// The index of the newest event before index `before` that `hit` accepts, or nullopt.
    std::optional<qsizetype> lastHitIndexBefore(qsizetype before, const std::function<bool(const Event&)>& hit);
    /// The index of the oldest event at or after index `from` that `hit` accepts, or nullopt.
    /// Reads ahead a window at a time, so a near hit costs little in a long run.
    std::optional<qsizetype> nextHitIndexFrom(qsizetype from, const std::function<bool(const Event&)>& hit);
    /// The event at `index`, or nullopt.
    std::optional<Event> eventAt(qsizetype index);

protected:
    /// How many events have a step <= `step`; -1 on failure.
    virtual qsizetype eventsThrough(quint64 step) = 0;
    /// Streams events [from, to) to `fn` in order; false on failure.
    virtual bool forEachEvent(qsizetype from, qsizetype to, const std::function<void(const Event&)>& fn) = 0;
    TimelineData m_timeline;
};

/// A live run's history: every event the session applied (compactly, in an EventLog), plus
/// copies of the reduced state taken every few thousand events (further apart as the state
/// grows, and thinned out to at most MaxCheckpoints, so that a long run's history stays a
/// few bytes per event). The event `file`/`function` pointers must outlive the history
/// (LiveRun interns them for its own lifetime).
class LiveHistory final : public StateHistory {
public:
    static constexpr qsizetype MaxCheckpoints = 48;
    explicit LiveHistory(int chunkEvents = EventLog::DefaultChunkEvents, qsizetype checkpointSpacing = 4096,
                         int keepRecent = EventLog::DefaultKeepRecent);
    /// `e` has just been applied to `after`.
    void append(const Event& e, const SessionState& after);
    quint64 lastStep() const override { return m_timeline.lastStep(); }
    std::shared_ptr<const SessionState> stateAt(quint64 step) override;
    std::shared_ptr<const SessionState> stateAfterEvents(qsizetype events) override;
    QString errorString() const override { return m_error; }
    /// All events so far (a copy is a cheap snapshot to hand to a worker thread).
    const EventLog& events() const { return m_events; }
    qsizetype checkpointCount() const { return qsizetype(m_checkpoints.size()); }
    /// Events between state copies, at least (doubles each time the copies are thinned out).
    qsizetype checkpointSpacing() const { return m_spacing; }

protected:
    qsizetype eventsThrough(quint64 step) override { return m_events.countThroughStep(step); }
    bool forEachEvent(qsizetype from, qsizetype to, const std::function<void(const Event&)>& fn) override;

private:
    struct Checkpoint {
        qsizetype events = 0; ///< the state after this many events
        std::shared_ptr<const SessionState> state;
    };
    EventLog m_events;
    std::vector<Checkpoint> m_checkpoints;
    qsizetype m_spacing = 4096; ///< events between checkpoints, at least
    qsizetype m_nextCheckpoint = 4096;
    std::shared_ptr<SessionState> m_last; // the previous answer, reused when stepping forward
    qsizetype m_lastEvents = 0;
    QString m_error;
};

/// An opened trace file's history.
class TraceHistory final : public StateHistory {
public:
    TraceHistory(std::unique_ptr<TraceReader> reader, TimelineData timeline);
    quint64 lastStep() const override;
    std::shared_ptr<const SessionState> stateAt(quint64 step) override;
    std::shared_ptr<const SessionState> stateAfterEvents(qsizetype events) override;
    QString errorString() const override;
    TraceReader& reader() { return *m_reader; }

protected:
    qsizetype eventsThrough(quint64 step) override;
    bool forEachEvent(qsizetype from, qsizetype to, const std::function<void(const Event&)>& fn) override;

private:
    std::unique_ptr<TraceReader> m_reader;
};

} // namespace doeff::views
