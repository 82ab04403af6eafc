#pragma once

#include <doeff/export.h>
#include <doeff/observer.h>
#include <doeff/session.h>

#include <QIODevice>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>
#include <utility>

/// Trace files (`.doefftrace`, docs/trace-format.md): the recorded event stream of one run plus
/// an index and periodic checkpoints of the reduced SessionState, so that a reader can show the
/// state at any step without replaying the run from the start.
namespace doeff {

namespace detail {
struct TraceReaderAccess;
}

struct TraceRecorderOptions {
    /// Events per block (the unit of random access); a block also ends after ~64 KiB.
    int blockEvents = 4096;
    /// A checkpoint (the SessionState after the block) every this many events, at a block end.
    /// Postponed while the events since the last checkpoint take fewer bytes than that
    /// checkpoint did, so checkpoints never make up more than about half of the file.
    /// 0 (or less): no checkpoints at all, an events-only file; stateAt() then replays from
    /// the first event (the Studio keeps live events in memory this way).
    int checkpointEvents = 32768;
    /// Write, reduce and checkpoint on a writer thread; the machine's thread only encodes
    /// events. The device is then used from that thread until finish() returns. Use false for
    /// devices bound to a thread (sockets).
    bool threaded = true;
    /// Compress each frame with zstd (docs/trace-format.md). False writes every frame as it
    /// is: a larger file whose bytes are the records themselves (fuzzer seeds, format tests).
    bool compress = true;
    /// Record only what the run took in from outside (an input log; docs/replay.md, "Input
    /// logs"): RunStarted, every InputReceived and RunFinished. The recorder then observes
    /// inputs only (EventInterest::Inputs), so the run keeps its fast path; the file says so in
    /// its metadata (`events` = `inputs`), and replaying it rebuilds every other event.
    bool inputsOnly = false;
};

/// An observer writing the event stream to a trace file. Attach it through
/// RunOptions::observers; it finishes the file by itself when RunFinished arrives (finish()
/// is then a no-op that reports the outcome). Errors are sticky: after the first one the
/// recorder ignores events, and finish() returns false with errorString().
///
/// The `file`/`function` pointers of events are remembered by address (they are
/// std::source_location strings, static for the life of the program): a recorder assumes
/// the text at an address does not change while it records.
class DOEFF_EXPORT TraceRecorder final : public Observer {
public:
    explicit TraceRecorder(TraceRecorderOptions options = {});
    /// Finishes the file if that has not happened (status `incomplete` when the run did not end).
    ~TraceRecorder() override;
    TraceRecorder(const TraceRecorder&) = delete;
    TraceRecorder& operator=(const TraceRecorder&) = delete;

    /// Creates (truncates) `path`. Returns false and sets errorString() when it cannot.
    bool open(const QString& path);
    /// Writes to `device` (not owned; open for writing; must outlive finish()). `name` is the
    /// name used in error messages.
    bool start(QIODevice* device, const QString& name);
    /// A metadata entry stored in the index (`runner`, `command`, …). Before finish().
    void setMetadata(const QString& key, const QString& value);

    /// Writes the index and the footer, and waits for the writer thread. Idempotent.
    bool finish();
    bool isFinished() const;
    bool hasError() const;
    QString errorString() const;
    /// Events accepted so far.
    quint64 eventCount() const;
    /// Bytes written (complete once finish() returned).
    quint64 bytesWritten() const;

    /// Records one event. The recorder needs no machine view, so events kept in memory (a live
    /// session's history) or built by hand are written through this.
    void record(const Event& event);
    /// Writes the event straight from its fields (no owned record is made).
    void onEvent(const LiveEvent& event, const RunView& view) override;
    /// Inputs only when TraceRecorderOptions::inputsOnly, else every event.
    EventInterest interest() const override;

private:
    struct Private;
    std::unique_ptr<Private> d;
};

/// What the index says about the recorded run.
struct TraceMetadata {
    int version = 0; ///< format version of the file
    QString program; ///< the program's display name (RunStarted)
    QString status; ///< `Ok(…)` / `Err(Type: message)` (RunFinished), or `incomplete`
    QString runner; ///< as set by the host (`sync`, `async`), else empty
    QString created; ///< ISO 8601 UTC time the recording started
    /// Every entry in file order, including the ones above.
    QList<std::pair<QString, QString>> entries;
    QString value(const QString& key) const;
    /// An input log (TraceRecorderOptions::inputsOnly; `events` = `inputs`): the run's
    /// RunStarted, InputReceived and RunFinished events only. Replay it to see every step.
    bool inputsOnly() const { return value(QStringLiteral("events")) == QLatin1String("inputs"); }
};

/// Reads a trace file. Never reads the whole file when opening: the file is mapped, the
/// footer and index are validated, and blocks, strings and checkpoints are decoded on
/// demand. Every read is checked; a malformed file gives an error naming the file and what
/// is wrong and where (`trace.doefftrace: bad string id 99 at event 1234`), never a crash.
/// Not thread-safe. The `file`/`function` strings of decoded events live until the process
/// ends (one copy per distinct text, shared by all readers), because functionDisplayName()
/// and other caches key on their addresses.
class DOEFF_EXPORT TraceReader {
public:
    struct Options {
        /// Check the CRC-32 of every frame before decoding it (tests switch it off to reach
        /// the decoders with corrupted bytes).
        bool verifyChecksums = true;
        /// Read a file without its index up to its last complete frame (see recovered());
        /// false refuses it as truncated.
        bool recoverUnfinished = true;
    };

    TraceReader();
    ~TraceReader();
    TraceReader(const TraceReader&) = delete;
    TraceReader& operator=(const TraceReader&) = delete;

    bool open(const QString& path);
    bool open(const QString& path, Options options);
    /// Reads from memory (`name` appears in error messages). The bytes are copied.
    bool openData(const QByteArray& data, const QString& name);
    bool openData(const QByteArray& data, const QString& name, Options options);
    void close();
    bool isOpen() const;
    /// The last error, prefixed with the file name.
    QString errorString() const;
    QString fileName() const;

    quint64 eventCount() const;
    /// The step of the last event (the number of machine steps of the run).
    quint64 stepCount() const;
    quint64 blockCount() const;
    quint64 checkpointCount() const;
    const TraceMetadata& metadata() const;
    /// True when the file had no index (its recorder was stopped: Ctrl+C, a kill, a crash) and
    /// was read up to its last complete frame; its status is then `incomplete`.
    bool recovered() const;
    /// What recovery read and dropped (`<file>: recovered an unfinished trace …: N frames, E
    /// events, C checkpoints read; B bytes … dropped`); empty when not recovered.
    QString recoveryNote() const;

    /// Events [from, to) in order.
    /// Returns false (and leaves what was decoded so far in `out`) on a malformed block.
    bool events(quint64 from, quint64 to, QList<Event>& out);
    /// Streams events [from, to) to `fn`; `fn` returning false stops early (still success).
    bool forEachEvent(quint64 from, quint64 to, const std::function<bool(const Event&)>& fn);
    /// How many leading events this trace and `other` share byte for byte: the events of the
    /// blocks that end before the files' first differing byte (everything a block refers to —
    /// strings, locations — is written before it, so equal bytes are equal events). Reads no
    /// event; 0 when either reader is not open or the files differ from the start.
    quint64 sharedPrefixEvents(const TraceReader& other) const;
    /// Index of the first event whose step is greater than `step` (eventCount() when none).
    std::optional<quint64> eventIndexAfterStep(quint64 step);

    /// The SessionState after every event of steps <= `step` (the final state beyond the end),
    /// from the nearest checkpoint plus a replay of at most one checkpoint interval, or from
    /// the previous result when that is closer. An immutable snapshot; null on error. Drop
    /// the previous snapshot before asking for the next one and stepping forward reuses it
    /// in place instead of copying it.
    std::shared_ptr<const SessionState> stateAt(quint64 step);
    /// The SessionState after the first `events` events (0 … eventCount()).
    std::shared_ptr<const SessionState> stateAtEvent(quint64 events);

private:
    friend struct detail::TraceReaderAccess; // a replay compares the records themselves
    struct Private;
    std::unique_ptr<Private> d;
};

/// The whole trace as readable JSON: `{"format": "doeff-trace-json", "version": 1,
/// "metadata": {…}, "events": [{"i": 0, "kind": "RunStarted", "step": 0, …}, …]}`.
DOEFF_EXPORT bool exportTraceJson(TraceReader& reader, QIODevice& out, QString* errorString = nullptr);

/// Chrome Trace Event JSON for Perfetto / chrome://tracing: one thread per task, program
/// activations as B/E slices, effects, logs, errors and task state changes as instant events,
/// numeric store writes as counters. Timestamps are machine steps shown as microseconds
/// (event k of a step at step + k/1000 µs, so events keep their order).
DOEFF_EXPORT bool exportPerfetto(TraceReader& reader, QIODevice& out, QString* errorString = nullptr);

/// What `doeff-run --inspect-trace` prints first: file, format version, metadata, event, step,
/// block and checkpoint counts.
DOEFF_EXPORT QString formatTraceSummary(const TraceReader& reader);

/// A readable dump of a reduced state (tasks with K, stores, envs, logs, effect tree), as
/// `doeff-run --inspect-trace` prints it.
DOEFF_EXPORT QString formatSessionState(const SessionState& state);

} // namespace doeff
