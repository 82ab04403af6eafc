// TraceRecorder: encodes the event stream on the machine's thread (compact records, interned
// strings and locations); a writer thread reduces each block with SessionState, compresses and
// writes the frames and the checkpoints and, at the end, the index and the footer.

#include "traceencoder.h"
#include "tracerecords.h"

#include <doeff/runtimeresult.h>
#include <doeff/trace.h>

#include <QDateTime>
#include <QFile>
#include <QHash>

#include <zstd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace doeff {

using namespace trace;

namespace {

constexpr size_t maxQueuedChunks = 4;

using FrameRef = IndexFrame;
using BlockRef = IndexBlock;
using CheckpointRef = IndexCheckpoint;

/// Why the last write failed: errno's text when set (QFileDevice's is often "Unknown error").
QString systemError(const QIODevice& device)
{
    const int code = errno;
    return code ? QString::fromLocal8Bit(std::strerror(code)) : device.errorString();
}

/// The writer-thread side: frames, reduction, checkpoints, index and footer.
class Sink {
public:
    Sink(QIODevice* device, int checkpointEvents, bool compress)
        : m_device(device)
        , m_withCheckpoints(checkpointEvents > 0)
        , m_checkpointEvents(quint64(std::max(1, checkpointEvents)))
        , m_compressor(compress ? ZSTD_createCCtx() : nullptr)
    { }

    /// Returns false with `error` set.
    bool writeHeader(QString& error)
    {
        Writer w;
        w.putBytes(fileMagic, 8);
        InlineStrings strings;
        Put<InlineStrings> put(w, strings);
        const FileHeader header;
        put.record(header, fileHeaderFields);
        return write(w.data(), w.size(), error);
    }

    bool process(Chunk& c, QString& error)
    {
        if (!c.strings.empty()) {
            Writer w;
            Put<MirrorTables> put(w, m_tables);
            put.list(c.strings, "string", 1, stringEntryFields);
            m_stringFrames.push_back({ m_offset, m_tables.stringCount(), c.strings.size() });
            for (const QByteArray& b : c.strings)
                m_tables.addString(b);
            if (!writeFrame(FrameType::Strings, w.data(), w.size(), error)) return false;
        }
        if (!c.locations.empty()) {
            Writer w;
            Put<MirrorTables> put(w, m_tables);
            put.list(c.locations, "location", 3, locationFields);
            m_locationFrames.push_back({ m_offset, m_tables.locationCount(), c.locations.size() });
            for (const Location& l : c.locations)
                m_tables.addLocation(l);
            if (!writeFrame(FrameType::Locations, w.data(), w.size(), error)) return false;
        }
        m_blocks.push_back({ m_offset, c.firstEvent, c.count, c.baseStep, c.lastStep });
        const auto* data = reinterpret_cast<const quint8*>(c.payload.constData());
        const quint64 payloadOffset = m_offset + frameHeaderSize;
        if (!writeFrame(FrameType::Block, data, size_t(c.payload.size()), error)) return false;

        // reduce the block as a reader will decode it (for the checkpoints)
        if (!m_withCheckpoints) return true;
        try {
            Cursor cur(data, data + c.payload.size(), payloadOffset);
            cur.seek(blockHeaderSize);
            EventDecoder dec(cur, m_tables, c.firstEvent, c.baseStep);
            dec.setReduceOnly(true);
            Event e;
            quint64 n = 0;
            while (!dec.atEnd()) {
                dec.next(e);
                m_state.apply(e);
                const int touched = m_state.lastTouchedNode();
                if (touched >= 0 && size_t(touched) < m_marks.nodes) m_patched.push_back(touched);
                ++n;
            }
            if (n != c.count) {
                error = QStringLiteral("internal error: block of %1 events decoded as %2").arg(c.count).arg(n);
                return false;
            }
        } catch (const DecodeError& err) {
            error = QStringLiteral("internal error: a recorded block does not decode: ") + err.message();
            return false;
        }
        m_eventsSince += c.count;
        m_bytesSince += quint64(c.payload.size());
        if (m_eventsSince >= m_checkpointEvents && m_bytesSince >= m_lastStateBytes) return checkpoint(error);
        return true;
    }

    bool finish(const QList<std::pair<QString, QString>>& metadata, quint64 stringCount, quint64 locationCount,
                quint64 eventCount, quint64 lastStep, QString& error)
    {
        if (m_withCheckpoints && m_eventsSince > 0 && !checkpoint(error)) return false;
        Writer w;
        InlineStrings strings;
        Put<InlineStrings> put(w, strings);
        put.list(m_stringFrames, "string", 3, indexFrameFields);
        put.list(m_locationFrames, "location", 3, indexFrameFields);
        put.list(m_blocks, "block", 5, indexBlockFields);
        put.list(m_checkpoints, "checkpoint", 6, indexCheckpointFields);
        put.list(metadata, "metadata entry", 2, metadataFields);
        const quint64 indexOffset = m_offset;
        const quint32 indexCrc = crc32(w.data(), w.size());
        if (!write(w.data(), w.size(), error)) return false;

        Footer footer;
        footer.eventCount = eventCount;
        footer.lastStep = lastStep;
        footer.stringCount = stringCount;
        footer.locationCount = locationCount;
        footer.indexOffset = indexOffset;
        footer.indexSize = w.size();
        footer.indexCrc = indexCrc;
        Writer f;
        f.putBytes(footerMagic, 8);
        Put<InlineStrings> putFooter(f, strings);
        putFooter.record(footer, footerFields);
        f.putBytes(endMagic, 8);
        return write(f.data(), f.size(), error);
    }

    quint64 offset() const { return m_offset; }

private:
    bool checkpoint(QString& error)
    {
        std::sort(m_patched.begin(), m_patched.end());
        m_patched.erase(std::unique(m_patched.begin(), m_patched.end()), m_patched.end());
        Writer delta;
        writeCheckpointDelta(delta, m_state, m_marks, m_patched, m_tables);
        Writer state;
        writeCheckpointState(state, m_state, m_tables);
        CheckpointRef ref;
        ref.eventIndex = m_state.eventCount();
        ref.step = m_state.step();
        ref.logs = quint64(m_state.logs().size());
        ref.nodes = quint64(m_state.tree().size());
        ref.deltaOffset = m_offset;
        if (!writeFrame(FrameType::CheckpointDelta, delta.data(), delta.size(), error)) return false;
        ref.stateOffset = m_offset;
        if (!writeFrame(FrameType::CheckpointState, state.data(), state.size(), error)) return false;
        m_checkpoints.push_back(ref);
        m_marks.logs = m_state.logs().size();
        m_marks.nodes = m_state.tree().size();
        m_patched.clear();
        m_eventsSince = 0;
        m_bytesSince = 0;
        m_lastStateBytes = state.size();
        return true;
    }

    /// Writes a block or checkpoint frame compressed when that makes it smaller (and a reader
    /// accepts its ratio), else as it is.
    bool writeFrame(FrameType type, const quint8* data, size_t size, QString& error)
    {
        if (!m_compressor || !compressible(type) || size < minCompressedFrame)
            return writeFrame(type, 0, data, size, error);
        Writer plainSize;
        plainSize.putVar(size);
        const size_t head = plainSize.size();
        const size_t bound = ZSTD_compressBound(size);
        m_packed.resize(head + bound);
        std::memcpy(m_packed.data(), plainSize.data(), head);
        const size_t packed = ZSTD_compressCCtx(m_compressor.get(), m_packed.data() + head, bound, data, size, 1);
        if (ZSTD_isError(packed) || head + packed >= size || size > maxCompressionRatio * packed)
            return writeFrame(type, 0, data, size, error);
        return writeFrame(type, frameCompressed, m_packed.data(), head + packed, error);
    }

    bool writeFrame(FrameType type, quint8 flags, const quint8* data, size_t size, QString& error)
    {
        if (size > std::numeric_limits<quint32>::max()) {
            error = QStringLiteral("a %1 frame of %2 bytes is too large")
                        .arg(QLatin1StringView(frameTypeName(type)))
                        .arg(size);
            return false;
        }
        FrameHeader header;
        header.type = quint8(type);
        header.flags = flags;
        header.length = quint32(size);
        header.crc = crc32(data, size);
        Writer h;
        InlineStrings strings;
        Put<InlineStrings> put(h, strings);
        put.record(header, frameHeaderFields);
        return write(h.data(), h.size(), error) && write(data, size, error);
    }

    bool write(const void* data, size_t size, QString& error)
    {
        errno = 0;
        const qint64 n = m_device->write(static_cast<const char*>(data), qint64(size));
        if (n != qint64(size)) {
            error = QStringLiteral("write failed at byte %1: %2").arg(m_offset).arg(systemError(*m_device));
            return false;
        }
        m_offset += size;
        return true;
    }

    struct FreeCompressor {
        void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
    };

    QIODevice* m_device; // not owned
    quint64 m_offset = 0;
    bool m_withCheckpoints; ///< false: an events-only file (readers replay from its start)
    quint64 m_checkpointEvents;
    MirrorTables m_tables;
    SessionState m_state;
    CheckpointMarks m_marks;
    std::vector<int> m_patched;
    quint64 m_eventsSince = 0;
    quint64 m_bytesSince = 0;
    quint64 m_lastStateBytes = 0;
    std::vector<FrameRef> m_stringFrames;
    std::vector<FrameRef> m_locationFrames;
    std::vector<BlockRef> m_blocks;
    std::vector<CheckpointRef> m_checkpoints;
    std::unique_ptr<ZSTD_CCtx, FreeCompressor> m_compressor; ///< null: frames are written as they are
    std::vector<quint8> m_packed; ///< a compressed frame's payload
};

} // namespace

struct TraceRecorder::Private {
    TraceRecorderOptions options;
    std::unique_ptr<QFile> file;
    QIODevice* device = nullptr;
    QString name;
    QList<std::pair<QString, QString>> metadata;
    QString program;
    QString status;

    Encoder encoder;
    std::unique_ptr<Sink> sink;
    bool active = false; ///< accepting events (machine thread)
    bool finished = false;

    // shared with the writer thread
    std::thread thread;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::unique_ptr<Chunk>> queue;
    bool closing = false;
    std::atomic<bool> failed { false };
    QString error;
    quint64 bytes = 0;

    /// Encodes one event into the current block, handing full blocks to the writer. False when
    /// the recorder is not (or no longer) accepting events.
    template<class E> bool append(const E& event)
    {
        if (!active) return false;
        try {
            QString what;
            if (!encoder.encode(event, what)) {
                fail(what);
                active = false;
                return false;
            }
            if (encoder.blockFull(options.blockEvents)) {
                if (failed.load(std::memory_order_relaxed)) {
                    active = false;
                    return false;
                }
                submit(encoder.takeBlock());
            }
            return true;
        } catch (const std::bad_alloc&) {
            fail(QStringLiteral("out of memory"));
            active = false;
            return false;
        }
    }

    void fail(const QString& what)
    {
        std::lock_guard lock(mutex);
        if (error.isEmpty()) error = name + QStringLiteral(": ") + what;
        failed.store(true, std::memory_order_relaxed);
    }

    void run()
    {
        for (;;) {
            std::unique_ptr<Chunk> c;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [&] { return !queue.empty() || closing; });
                if (queue.empty()) return;
                c = std::move(queue.front());
                queue.pop_front();
            }
            wake.notify_all();
            process(*c);
        }
    }

    void process(Chunk& c)
    {
        if (failed.load(std::memory_order_relaxed)) return;
        QString what;
        try {
            if (!sink->process(c, what)) fail(what);
        } catch (const std::bad_alloc&) {
            fail(QStringLiteral("out of memory"));
        }
    }

    void submit(std::unique_ptr<Chunk> c)
    {
        if (!options.threaded) {
            process(*c);
            return;
        }
        std::unique_lock lock(mutex);
        wake.wait(lock, [&] { return queue.size() < maxQueuedChunks; });
        queue.push_back(std::move(c));
        lock.unlock();
        wake.notify_all();
    }

    bool begin()
    {
        metadata.append({ QStringLiteral("created"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) });
        if (options.inputsOnly) metadata.append({ QStringLiteral("events"), QStringLiteral("inputs") });
        sink = std::make_unique<Sink>(device, options.checkpointEvents, options.compress);
        QString what;
        if (!sink->writeHeader(what)) {
            fail(what);
            return false;
        }
        active = true;
        if (options.threaded) thread = std::thread([this] { run(); });
        return true;
    }
};

TraceRecorder::TraceRecorder(TraceRecorderOptions options)
    : d(std::make_unique<Private>())
{
    d->options = options;
    d->options.blockEvents = std::max(1, d->options.blockEvents);
}

TraceRecorder::~TraceRecorder()
{
    finish();
}

bool TraceRecorder::open(const QString& path)
{
    if (d->sink || d->finished) {
        d->fail(QStringLiteral("the recorder is already in use"));
        return false;
    }
    d->name = path;
    // a FIFO would block the open; a device cannot hold a trace that is read back
    if (const QString problem = notARegularFile(path); !problem.isEmpty()) {
        std::lock_guard lock(d->mutex);
        d->error = problem;
        d->failed.store(true);
        return false;
    }
    d->file = std::make_unique<QFile>(path);
    if (!d->file->open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        d->fail(QStringLiteral("cannot create the file: ") + d->file->errorString());
        return false;
    }
    d->device = d->file.get();
    return d->begin();
}

bool TraceRecorder::start(QIODevice* device, const QString& name)
{
    d->name = name;
    if (d->sink || d->finished) {
        d->fail(QStringLiteral("the recorder is already in use"));
        return false;
    }
    if (!device || !device->isWritable()) {
        d->fail(QStringLiteral("the device is not open for writing"));
        return false;
    }
    d->device = device;
    return d->begin();
}

void TraceRecorder::setMetadata(const QString& key, const QString& value)
{
    for (auto& entry : d->metadata)
        if (entry.first == key) {
            entry.second = value;
            return;
        }
    d->metadata.append({ key, value });
}

EventInterest TraceRecorder::interest() const
{
    return d->options.inputsOnly ? EventInterest::Inputs : EventInterest::Everything;
}

void TraceRecorder::onEvent(const LiveEvent& event, const RunView&)
{
    // the two events the recorder reads text from are one each per run
    if (event.kind == EventKind::RunStarted || event.kind == EventKind::RunFinished) {
        record(event.record());
        return;
    }
    d->append(event);
}

void TraceRecorder::record(const Event& event)
{
    Private& p = *d;
    if (!p.append(event)) return;
    if (event.kind == EventKind::RunStarted) p.program = event.name;
    if (event.kind == EventKind::RunFinished) {
        p.status = event.name;
        finish();
    }
}

bool TraceRecorder::finish()
{
    Private& p = *d;
    if (p.finished) return !p.failed.load();
    p.finished = true;
    if (!p.sink) {
        if (!p.failed.load()) p.fail(QStringLiteral("nothing was recorded (the recorder was never started)"));
        return false;
    }
    p.active = false;
    if (!p.failed.load() && !p.encoder.blockEmpty()) p.submit(p.encoder.takeBlock());
    if (p.thread.joinable()) {
        {
            std::lock_guard lock(p.mutex);
            p.closing = true;
        }
        p.wake.notify_all();
        p.thread.join();
    }
    if (!p.failed.load()) {
        QList<std::pair<QString, QString>> meta;
        meta.append({ QStringLiteral("program"), p.program });
        meta.append({ QStringLiteral("status"), p.status.isEmpty() ? QStringLiteral("incomplete") : p.status });
        for (const auto& entry : std::as_const(p.metadata))
            if (entry.first != QStringLiteral("program") && entry.first != QStringLiteral("status")) meta.append(entry);
        QString what;
        try {
            if (!p.sink->finish(meta, p.encoder.stringCount(), p.encoder.locationCount(), p.encoder.totalEvents(),
                                p.encoder.lastStep(), what))
                p.fail(what);
        } catch (const std::bad_alloc&) {
            p.fail(QStringLiteral("out of memory"));
        }
    }
    p.bytes = p.sink->offset();
    if (p.file) {
        errno = 0;
        if (!p.file->flush() && !p.failed.load())
            p.fail(QStringLiteral("cannot write the file: ") + systemError(*p.file));
        p.file->close();
    }
    return !p.failed.load();
}

bool TraceRecorder::isFinished() const
{
    return d->finished;
}

bool TraceRecorder::hasError() const
{
    return d->failed.load();
}

QString TraceRecorder::errorString() const
{
    std::lock_guard lock(d->mutex);
    return d->error;
}

quint64 TraceRecorder::eventCount() const
{
    return d->encoder.totalEvents();
}

quint64 TraceRecorder::bytesWritten() const
{
    return d->finished ? d->bytes : 0;
}

} // namespace doeff
