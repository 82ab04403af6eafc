#pragma once

#include "history.h"

#include <doeff/runtimeresult.h>

#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

/// Loading and exporting traces for the Studio. Everything here may run on a worker thread:
/// it touches no QObject and no GUI state.
namespace doeff::views {

/// Reports progress (`done` of `total`); returning false cancels the job.
using Progress = std::function<bool(quint64 done, quint64 total)>;

/// An opened, indexed trace, ready for StudioSession::openTrace().
struct LoadedTrace {
    QString path;
    std::unique_ptr<TraceReader> reader;
    TimelineData timeline;
    std::shared_ptr<const SessionState> finalState;
    /// The run's result as far as the trace tells it (absent when the recording is incomplete).
    std::optional<RuntimeResultBase> result;
    QString error; ///< set when loading failed (names the file and the problem)
    /// Set when the trace had no index (its recorder was stopped) and was read up to its last
    /// complete frame: what was recovered and dropped, for the Studio to show as a warning.
    QString notice;
    bool cancelled = false;
};

/// Opens `path`, validates it, builds the timeline lanes from every event and reduces the final
/// state. Never throws. With `recoverUnfinished`, a trace without its index (a stopped
/// recorder) opens up to its last complete frame with `notice` set; without, it is an error
/// (the Studio's default until its File ▸ Open shows the notice).
std::shared_ptr<LoadedTrace> loadTrace(const QString& path, const Progress& progress = {},
                                       bool recoverUnfinished = false);

/// Whether `path` starts with a trace's magic, without blocking: anything that is not a regular
/// file (a FIFO would block the open) is not a trace. For choosing between trace and result.
bool hasTraceMagic(const QString& path);

/// Where an error passed on (FailPromise, a failed task) was first raised, as its ErrorRaised
/// event says; empty when the task's own code raised it.
struct RaiseSite {
    QString file;
    int line = 0;
    QString function;
    bool isEmpty() const { return file.isEmpty(); }
    /// The frame that heads a K with it (a traceback's last line): `parse_record() at f.cpp:80`.
    FrameInfo frame() const;
};

/// Where a recorded run failed: the ErrorRaised event of the error it ended with.
struct FailingPoint {
    int task = -1; ///< -1: no error was raised
    quint64 event = 0; ///< the event's index
    QString error; ///< `Type: message`
    RaiseSite raised; ///< where it was raised, when elsewhere than the task's own code
};

/// The result a trace describes: Ok/Err from its RunFinished event, the final store and env of
/// the main task, the effect tree, and on Err the failing task's K and source stack as they were
/// just before `failing`'s event (the K headed by the raise site when that is not its top frame,
/// as the live result's K is). Nothing when the run did not finish.
std::optional<RuntimeResultBase> resultFromTrace(TraceReader& reader, const SessionState& finalState,
                                                 const FailingPoint& failing);

enum class TraceFormat : quint8 { Native, Json, Perfetto };

/// Where the events to export come from: a trace file, or a live run's events in memory.
struct TraceSource {
    QString file;
    EventLog events;
    QString program; ///< metadata for events written from memory
};

/// Writes `source` to `path` in `format`. Returns an error text naming the file, or empty.
QString exportTrace(const TraceSource& source, TraceFormat format, const QString& path, const Progress& progress = {});

/// A task list for a saved result (which knows no scheduler): the main task, the failing task
/// of the error context, unobserved failures and the tasks of the source stack.
struct ResultTask {
    int id = 0;
    QString name;
    TaskStateCode state = TaskStateCode::Done;
    QString outcome;
};
QList<ResultTask> tasksOfResult(const RuntimeResultBase& result, const QString& mainName);

/// Flattens a RuntimeResult's effect tree into the SessionState form (for loaded results).
std::vector<SessionTreeNode> flattenTree(const EffectStackTrace& tree);

} // namespace doeff::views
