// TraceReader: maps a .doefftrace file, validates its footer and index, and decodes blocks,
// strings, locations and checkpoints on demand. Every length is checked against the bytes
// that hold it; every failure is a DecodeError turned into `<file>: <what> at <where>`.

#include "tracerecords.h"

#include <doeff/runtimeresult.h>
#include <doeff/trace.h>

#include <QFile>

#include <zstd.h>

#include <algorithm>
#include <limits>

namespace doeff {

using namespace trace;

QString TraceMetadata::value(const QString& key) const
{
    for (const auto& [k, v] : entries)
        if (k == key) return v;
    return {};
}

namespace {

/// Replaying from the last result is preferred to rebuilding from a checkpoint up to this
/// many events ahead.
constexpr quint64 maxCachedReplay = 65536;

struct FrameRef : IndexFrame {
    bool loaded = false;
};
struct BlockRef : IndexBlock {
    bool verified = false;
};
struct CheckpointRef : IndexCheckpoint {
    bool deltaVerified = false;
    bool stateVerified = false;
};

QString unsupportedVersion(quint64 version)
{
    return QStringLiteral("unsupported version %1 (this build reads versions %2 to %3)")
        .arg(version)
        .arg(oldestReadableVersion)
        .arg(formatVersion);
}

[[noreturn]] void failAt(quint64 byte, const QString& what)
{
    throw DecodeError { what, byte };
}

/// A frame's payload: the file's bytes, or a compressed frame's bytes decompressed into
/// `plain` (the cursor then counts positions from the frame's payload offset as if the plain
/// bytes stood there).
struct Payload {
    std::unique_ptr<quint8[]> plain;
    Cursor cursor;
};

} // namespace

struct TraceReader::Private final : Tables {
    Options options;
    QString name;
    QString error;
    bool open = false;
    std::unique_ptr<QFile> file;
    QByteArray copy; ///< openData(), or a file that could not be mapped
    const quint8* data = nullptr;
    quint64 size = 0;

    quint16 fileVersion = 0;
    quint64 eventCount = 0;
    quint64 lastStep = 0;
    quint64 stringTotal = 0;
    quint64 locationTotal = 0;
    quint64 indexOffset = 0;
    TraceMetadata metadata;
    std::vector<FrameRef> stringFrames;
    std::vector<FrameRef> locationFrames;
    std::vector<BlockRef> blocks;
    std::vector<CheckpointRef> checkpoints;

    std::vector<QByteArray> bytesById;
    std::vector<char> bytesLoaded;
    std::vector<const char*> cstrings;
    std::vector<QString> stringsById;
    std::vector<char> stringsLoaded;
    std::vector<Location> locations;
    std::vector<char> locationsLoaded;

    std::shared_ptr<SessionState> cache; ///< the last result (also handed out, as const)
    bool recovered = false; ///< read without an index (see recover())
    QString recoveryNote;

    // ---- Tables ----
    quint64 stringCount() const override { return stringTotal; }
    quint64 locationCount() const override { return locationTotal; }
    const QByteArray& bytes(quint64 id) override
    {
        if (!bytesLoaded[id]) loadStringFrame(id);
        return bytesById[id];
    }
    const QString& string(quint64 id) override
    {
        if (!stringsLoaded[id]) {
            stringsById[id] = QString::fromUtf8(bytes(id));
            stringsLoaded[id] = 1;
        }
        return stringsById[id];
    }
    const char* cstring(quint64 id) override
    {
        if (!cstrings[id]) cstrings[id] = pooledCString(bytes(id));
        return cstrings[id];
    }
    Location location(quint64 id) override
    {
        if (!locationsLoaded[id]) loadLocationFrame(id);
        return locations[id];
    }

    /// The payload of the frame at `offset`, checked for type, bounds and (once) its CRC.
    Payload frame(quint64 offset, FrameType type, bool& verified, const QString& what)
    {
        if (offset < quint64(headerSize) || offset > indexOffset || indexOffset - offset < quint64(frameHeaderSize))
            failAt(offset, what + QStringLiteral(" is outside the file's frames"));
        Cursor hc(data + offset, data + offset + frameHeaderSize, offset);
        Get get(hc, *this);
        FrameHeader h;
        get.record(h, frameHeaderFields);
        if (h.type != quint8(type))
            failAt(offset,
                   what
                       + QStringLiteral(" is not a %1 frame (type %2)")
                             .arg(QLatin1StringView(frameTypeName(type)))
                             .arg(h.type));
        if (!flagsKnown(h)) failAt(offset, what + QStringLiteral(" has unknown flags"));
        const quint32 length = h.length;
        const quint32 crc = h.crc;
        const quint64 begin = offset + frameHeaderSize;
        if (length > indexOffset - begin)
            failAt(begin,
                   what + QStringLiteral(" of %1 bytes runs past the end of the frames (truncated)").arg(length));
        if (!verified && options.verifyChecksums && crc32(data + begin, length) != crc)
            failAt(offset, QStringLiteral("checksum mismatch in ") + what);
        verified = true;
        return payload(h, begin, what);
    }

    /// The most plain bytes `stored` bytes of frames can hold.
    quint64 plainBytes(quint64 stored) const { return fileVersion >= 4 ? stored * maxCompressionRatio : stored; }

    bool flagsKnown(const FrameHeader& h) const
    {
        return !h.reserved
            && (h.flags == 0 || (h.flags == frameCompressed && fileVersion >= 4 && compressible(FrameType(h.type))));
    }

    /// The payload of a frame whose header was read and whose bytes lie in the file.
    Payload payload(const FrameHeader& h, quint64 begin, const QString& what) const
    {
        Payload p;
        p.cursor = Cursor(data + begin, data + begin + h.length, begin);
        if (!(h.flags & frameCompressed)) return p;
        Cursor& c = p.cursor;
        const quint64 size = c.var();
        const quint64 packed = c.remaining();
        if (size > std::numeric_limits<quint32>::max() || size > maxCompressionRatio * packed)
            failAt(begin,
                   what
                       + QStringLiteral(" claims %1 bytes decompressed from %2, more than a trace frame holds")
                             .arg(size)
                             .arg(packed));
        p.plain = std::make_unique_for_overwrite<quint8[]>(std::max<quint64>(size, 1));
        const size_t n = ZSTD_decompress(p.plain.get(), size, c.ptr(), packed);
        if (ZSTD_isError(n))
            failAt(begin, what + QStringLiteral(" does not decompress: ") + QLatin1StringView(ZSTD_getErrorName(n)));
        if (n != size)
            failAt(begin, what + QStringLiteral(" decompresses to %1 bytes, its header says %2").arg(n).arg(size));
        p.cursor = Cursor(p.plain.get(), p.plain.get() + size, begin);
        return p;
    }

    size_t frameFor(const std::vector<FrameRef>& frames, quint64 id) const
    {
        auto it = std::upper_bound(frames.begin(), frames.end(), id,
                                   [](quint64 v, const FrameRef& f) { return v < f.first; });
        return size_t(it - frames.begin()) - 1; // ids are covered: validated at open
    }

    void loadStringFrame(quint64 id)
    {
        const size_t fi = frameFor(stringFrames, id);
        FrameRef& f = stringFrames[fi];
        bool verified = false;
        Payload p = frame(f.offset, FrameType::Strings, verified, QStringLiteral("string frame %1").arg(fi));
        Cursor& c = p.cursor;
        if (c.var() != f.count)
            c.fail(QStringLiteral("string frame %1 does not hold the %2 strings the index says").arg(fi).arg(f.count));
        Get get(c, *this);
        for (quint64 i = 0; i < f.count; ++i) {
            get.record(bytesById[f.first + i], stringEntryFields);
            bytesLoaded[f.first + i] = 1;
        }
        f.loaded = true;
    }

    void loadLocationFrame(quint64 id)
    {
        const size_t fi = frameFor(locationFrames, id);
        FrameRef& f = locationFrames[fi];
        bool verified = false;
        Payload p = frame(f.offset, FrameType::Locations, verified, QStringLiteral("location frame %1").arg(fi));
        Cursor& c = p.cursor;
        if (c.var() != f.count)
            c.fail(
                QStringLiteral("location frame %1 does not hold the %2 locations the index says").arg(fi).arg(f.count));
        Get get(c, *this);
        for (quint64 i = 0; i < f.count; ++i) {
            Location l;
            get.record(l, locationFields);
            if (!locationIdsValid(l, stringTotal))
                c.fail(QStringLiteral("bad string id in location %1").arg(f.first + i));
            locations[f.first + i] = l;
            locationsLoaded[f.first + i] = 1;
        }
        f.loaded = true;
    }

    // ---- opening ----

    void openBytes()
    {
        if (size < quint64(headerSize) || std::memcmp(data, fileMagic, 8) != 0)
            failAt(0, QStringLiteral("not a doeff trace"));
        Cursor hc(data + 8, data + headerSize, 8);
        Get getHeader(hc, *this);
        FileHeader header;
        getHeader.record(header, fileHeaderFields);
        if (!readableVersion(header.version)) throw DecodeError { unsupportedVersion(header.version), 0, false };
        fileVersion = header.version;
        if (header.size != headerSize) failAt(10, QStringLiteral("bad header size %1").arg(header.size));
        if (header.flags) failAt(12, QStringLiteral("unknown header flags"));
        if (size < quint64(headerSize + footerSize) || std::memcmp(data + size - 8, endMagic, 8) != 0
            || std::memcmp(data + size - footerSize, footerMagic, 8) != 0) {
            if (!options.recoverUnfinished)
                failAt(size,
                       QStringLiteral("truncated (no index at the end: the recording did not finish, or the file "
                                      "was cut)"));
            recover();
            return;
        }
        const quint64 fo = size - footerSize;
        Cursor f(data + fo, data + size, fo);
        f.take(8);
        Get getFooter(f, *this);
        Footer footer;
        getFooter.record(footer, footerFields);
        const quint32 fversion = footer.version;
        const quint32 fsize = footer.size;
        eventCount = footer.eventCount;
        lastStep = footer.lastStep;
        stringTotal = footer.stringCount;
        locationTotal = footer.locationCount;
        indexOffset = footer.indexOffset;
        const quint64 indexSize = footer.indexSize;
        const quint32 indexCrc = footer.indexCrc;
        const quint32 footerCrc = footer.crc;
        if (options.verifyChecksums && crc32(data + fo, 68) != footerCrc)
            failAt(fo, QStringLiteral("checksum mismatch in the footer"));
        if (fversion != fileVersion) throw DecodeError { unsupportedVersion(fversion), 0, false };
        if (fsize != quint32(footerSize)) failAt(fo + 12, QStringLiteral("bad footer size %1").arg(fsize));
        if (indexOffset < quint64(headerSize) || indexOffset > fo || indexSize != fo - indexOffset)
            failAt(fo + 48,
                   QStringLiteral("the footer's index position (%1, %2 bytes) is outside the file")
                       .arg(indexOffset)
                       .arg(indexSize));
        if (options.verifyChecksums && crc32(data + indexOffset, indexSize) != indexCrc)
            failAt(indexOffset, QStringLiteral("checksum mismatch in the index"));
        const quint64 frameBytes = indexOffset - quint64(headerSize);
        // an event takes at least a byte of its block's plain payload; strings and locations
        // take one each in their (never compressed) frames
        if (stringTotal > frameBytes || locationTotal > frameBytes || eventCount > plainBytes(frameBytes))
            failAt(fo + 16,
                   QStringLiteral("the footer claims more items (%1 events, %2 strings, %3 locations) than "
                                  "the file's %4 bytes can hold")
                       .arg(eventCount)
                       .arg(stringTotal)
                       .arg(locationTotal)
                       .arg(frameBytes));
        sizeTables();
        readIndex(Cursor(data + indexOffset, data + fo, indexOffset));
    }

    void sizeTables()
    {
        bytesById.resize(stringTotal);
        bytesLoaded.assign(stringTotal, 0);
        stringsById.resize(stringTotal);
        cstrings.assign(stringTotal, nullptr);
        stringsLoaded.assign(stringTotal, 0);
        locations.resize(locationTotal);
        locationsLoaded.assign(locationTotal, 0);
    }

    /// A file without its index and footer (the recorder was stopped): rebuilds the index from
    /// the complete, intact frames in file order and drops what follows the last of them.
    /// Frames are self-describing, so everything before the cut is readable as it was written.
    void recover()
    {
        quint64 at = quint64(headerSize);
        quint64 pendingDelta = 0; // a delta frame waiting for its state frame
        std::vector<std::pair<quint64, quint64>> pairs; // (delta, state) offsets
        quint64 framesEnd = at;
        quint64 frames = 0;
        while (size - at >= quint64(frameHeaderSize)) {
            Cursor hc(data + at, data + at + frameHeaderSize, at);
            Get get(hc, *this);
            FrameHeader h;
            get.record(h, frameHeaderFields);
            const quint64 begin = at + frameHeaderSize;
            if (h.type < quint8(FrameType::Strings) || h.type > quint8(FrameType::CheckpointState) || !flagsKnown(h)
                || h.length > size - begin)
                break;
            if (options.verifyChecksums && crc32(data + begin, h.length) != h.crc) break;
            const auto type = FrameType(h.type);
            Payload p;
            if (type == FrameType::Strings || type == FrameType::Locations || type == FrameType::Block) {
                try {
                    p = payload(h, begin, QStringLiteral("a frame"));
                } catch (const DecodeError&) {
                    break;
                }
            }
            Cursor& c = p.cursor;
            const quint64 length = c.remaining();
            if (type == FrameType::Strings || type == FrameType::Locations) {
                const quint64 count = length ? c.var() : 0;
                if (count == 0 || count > length) break;
                quint64& total = type == FrameType::Strings ? stringTotal : locationTotal;
                auto& list = type == FrameType::Strings ? stringFrames : locationFrames;
                FrameRef f;
                f.offset = at;
                f.first = total;
                f.count = count;
                list.push_back(f);
                total += count;
            } else if (type == FrameType::Block) {
                if (length < 20) break; // the block header's fixed fields
                Get getBlock(c, *this);
                BlockHeader bh;
                getBlock.record(bh, blockHeaderFields);
                if (bh.firstEvent != eventCount || bh.count == 0
                    || (!blocks.empty() && bh.baseStep < blocks.back().baseStep))
                    break;
                BlockRef b;
                b.offset = at;
                b.firstEvent = bh.firstEvent;
                b.count = bh.count;
                b.baseStep = bh.baseStep;
                b.lastStep = std::numeric_limits<quint64>::max(); // below
                blocks.push_back(b);
                eventCount += bh.count;
            } else if (type == FrameType::CheckpointDelta) {
                pendingDelta = at;
            } else if (pendingDelta) {
                pairs.emplace_back(pendingDelta, at);
                pendingDelta = 0;
            }
            at = begin + h.length;
            framesEnd = at;
            ++frames;
        }
        // frame() checks offsets against the end of the frames
        indexOffset = framesEnd;
        sizeTables();

        // a block's last step is the next one's base step; the last block is decoded for it
        for (size_t i = 0; i + 1 < blocks.size(); ++i)
            blocks[i].lastStep = blocks[i + 1].baseStep;
        if (!blocks.empty()) {
            BlockRef& last = blocks.back();
            quint64 step = last.baseStep;
            decode(last.firstEvent, last.firstEvent + last.count, true, [&](const Event& e, quint64) {
                step = std::max(step, e.step);
                return true;
            });
            last.lastStep = step;
            lastStep = step;
        }

        // checkpoints: each delta is decoded in turn (the index's log and node counts are the
        // totals after it), and its state frame must agree
        SessionState running;
        CheckpointMarks marks;
        std::vector<int> parents;
        for (const auto& [delta, state] : pairs) {
            try {
                CheckpointRef k;
                bool verified = false;
                Payload dp = frame(delta, FrameType::CheckpointDelta, verified, QStringLiteral("checkpoint delta"));
                Cursor& dc = dp.cursor;
                k.eventIndex = dc.var();
                dc.seek(0);
                if (k.eventIndex > eventCount || (!checkpoints.empty() && k.eventIndex < checkpoints.back().eventIndex))
                    break;
                readCheckpointDelta(dc, *this, running, marks, parents);
                verified = false;
                Payload sp = frame(state, FrameType::CheckpointState, verified, QStringLiteral("checkpoint"));
                Cursor& sc = sp.cursor;
                SessionState probe;
                readCheckpointState(sc, *this, probe, marks);
                if (probe.eventCount() != k.eventIndex) break;
                k.step = probe.step();
                k.logs = quint64(marks.logs);
                k.nodes = quint64(marks.nodes);
                k.deltaOffset = delta;
                k.stateOffset = state;
                checkpoints.push_back(k);
            } catch (const DecodeError&) {
                break;
            }
        }

        metadata = TraceMetadata();
        metadata.version = fileVersion;
        QList<Event> first;
        if (eventCount > 0)
            decode(0, 1, false, [&](const Event& e, quint64) {
                if (e.kind == EventKind::RunStarted) metadata.program = e.name;
                return false;
            });
        metadata.status = QStringLiteral("incomplete");
        metadata.entries
            = { { QStringLiteral("program"), metadata.program }, { QStringLiteral("status"), metadata.status } };
        recovered = true;
        recoveryNote = QStringLiteral("%1: recovered an unfinished trace (no index at the end: the recording was "
                                      "stopped): %2 frames, %3 events, %4 checkpoints read; %5 bytes after the last "
                                      "complete frame dropped")
                           .arg(name)
                           .arg(frames)
                           .arg(eventCount)
                           .arg(checkpoints.size())
                           .arg(size - framesEnd);
    }

    void checkFrameOffset(const Cursor& c, quint64 offset, const char* what)
    {
        if (offset < quint64(headerSize) || offset >= indexOffset || indexOffset - offset < quint64(frameHeaderSize))
            c.fail(
                QStringLiteral("%1 offset %2 is outside the file's frames").arg(QLatin1StringView(what)).arg(offset));
    }

    void readFrames(Cursor& c, std::vector<FrameRef>& frames, quint64 total, const char* what)
    {
        quint64 next = 0;
        Get get(c, *this);
        get.list(frames, what, 3, [&](auto& io, FrameRef& f) {
            indexFrameFields(io, f);
            checkFrameOffset(c, f.offset, what);
            if (f.first != next || f.count == 0 || f.count > indexOffset - f.offset)
                c.fail(QStringLiteral("%1 frames do not cover the ids in order").arg(QLatin1StringView(what)));
            next += f.count;
        });
        if (next != total)
            c.fail(QStringLiteral("%1 frames hold %2 ids, the footer says %3")
                       .arg(QLatin1StringView(what))
                       .arg(next)
                       .arg(total));
    }

    void readIndex(Cursor c)
    {
        readFrames(c, stringFrames, stringTotal, "string");
        readFrames(c, locationFrames, locationTotal, "location");

        Get get(c, *this);
        quint64 nextEvent = 0;
        quint64 prevStep = 0;
        quint64 prevOffset = 0;
        get.list(blocks, "block", 5, [&](auto& io, BlockRef& b) {
            indexBlockFields(io, b);
            checkFrameOffset(c, b.offset, "block");
            if (b.offset <= prevOffset && prevOffset != 0) c.fail(QStringLiteral("blocks are not in file order"));
            if (b.firstEvent != nextEvent || b.count == 0 || b.count > plainBytes(indexOffset - b.offset))
                c.fail(QStringLiteral("blocks do not cover the events in order"));
            if (b.baseStep != prevStep || b.lastStep < b.baseStep) c.fail(QStringLiteral("block steps go backwards"));
            nextEvent += b.count;
            prevStep = b.lastStep;
            prevOffset = b.offset;
        });
        if (nextEvent != eventCount)
            c.fail(QStringLiteral("blocks hold %1 events, the footer says %2").arg(nextEvent).arg(eventCount));
        if (prevStep != lastStep)
            c.fail(QStringLiteral("the last block ends at step %1, the footer says %2").arg(prevStep).arg(lastStep));

        quint64 prevIndex = 0;
        quint64 prevLogs = 0;
        quint64 prevNodes = 0;
        prevStep = 0;
        get.list(checkpoints, "checkpoint", 6, [&](auto& io, CheckpointRef& k) {
            indexCheckpointFields(io, k);
            checkFrameOffset(c, k.deltaOffset, "checkpoint");
            checkFrameOffset(c, k.stateOffset, "checkpoint");
            if (k.eventIndex < prevIndex || k.eventIndex > eventCount || k.step < prevStep || k.step > lastStep
                || k.logs < prevLogs || k.nodes < prevNodes)
                c.fail(QStringLiteral("checkpoints are not in order"));
            // every log entry takes at least 3 bytes of a delta frame, every tree node 5
            if (k.logs > plainBytes(indexOffset) / 3 || k.nodes > plainBytes(indexOffset) / 5)
                c.fail(QStringLiteral("checkpoint %1 claims more logs or tree nodes than the file can hold")
                           .arg(checkpoints.size()));
            prevIndex = k.eventIndex;
            prevStep = k.step;
            prevLogs = k.logs;
            prevNodes = k.nodes;
        });

        metadata = TraceMetadata();
        metadata.version = fileVersion;
        get.list(metadata.entries, "metadata entry", 2, metadataFields);
        metadata.program = metadata.value(QStringLiteral("program"));
        metadata.status = metadata.value(QStringLiteral("status"));
        metadata.runner = metadata.value(QStringLiteral("runner"));
        metadata.created = metadata.value(QStringLiteral("created"));
        if (!c.atEnd()) c.fail(QStringLiteral("unexpected bytes after the index"));
    }

    // ---- events ----

    size_t blockOf(quint64 event) const
    {
        auto it = std::upper_bound(blocks.begin(), blocks.end(), event,
                                   [](quint64 v, const BlockRef& b) { return v < b.firstEvent; });
        return size_t(it - blocks.begin()) - 1;
    }

    /// Calls fn for events [from, to); fn returns false to stop.
    template<class Fn> void decode(quint64 from, quint64 to, bool reduceOnly, Fn&& fn)
    {
        if (from >= to) return;
        Event e;
        for (size_t bi = blockOf(from); bi < blocks.size() && blocks[bi].firstEvent < to; ++bi) {
            BlockRef& b = blocks[bi];
            Payload p = frame(b.offset, FrameType::Block, b.verified, QStringLiteral("block %1").arg(bi));
            Cursor& c = p.cursor;
            Get get(c, *this);
            BlockHeader header;
            get.record(header, blockHeaderFields);
            const quint64 firstEvent = header.firstEvent;
            const quint32 count = header.count;
            const quint64 baseStep = header.baseStep;
            if (firstEvent != b.firstEvent || count != b.count || baseStep != b.baseStep)
                c.fail(QStringLiteral("block %1 header does not match the index").arg(bi));
            EventDecoder dec(c, *this, firstEvent, baseStep);
            dec.setReduceOnly(reduceOnly);
            for (quint64 i = 0; i < b.count; ++i) {
                const quint64 index = firstEvent + i;
                if (dec.atEnd()) failAtEvent(c, index, QStringLiteral("block %1 ends early").arg(bi));
                dec.next(e);
                if (e.step > b.lastStep)
                    failAtEvent(c, index,
                                QStringLiteral("step %1 beyond its block's last step %2").arg(e.step).arg(b.lastStep));
                if (index < from) continue;
                if (index >= to || !fn(e, index)) return;
            }
            if (!dec.atEnd()) c.fail(QStringLiteral("unexpected bytes after the events of block %1").arg(bi));
        }
    }

    quint64 indexAfterStep(quint64 step)
    {
        auto it = std::upper_bound(blocks.begin(), blocks.end(), step,
                                   [](quint64 v, const BlockRef& b) { return v < b.lastStep; });
        if (it == blocks.end()) return eventCount;
        quint64 result = it->firstEvent + it->count;
        decode(it->firstEvent, result, true, [&](const Event& e, quint64 index) {
            if (e.step <= step) return true;
            result = index;
            return false;
        });
        return result;
    }

    std::shared_ptr<SessionState> build(quint64 events)
    {
        try {
            return buildOrThrow(events);
        } catch (...) {
            cache.reset(); // it may be half-updated
            throw;
        }
    }

    std::shared_ptr<SessionState> buildOrThrow(quint64 events)
    {
        const auto it = std::upper_bound(checkpoints.begin(), checkpoints.end(), events,
                                         [](quint64 v, const CheckpointRef& k) { return v < k.eventIndex; });
        const qsizetype ci = qsizetype(it - checkpoints.begin()) - 1;
        quint64 start = 0;
        std::shared_ptr<SessionState> s;
        if (cache && cache->eventCount() <= events
            && (ci < 0 || cache->eventCount() >= checkpoints[size_t(ci)].eventIndex
                || events - cache->eventCount() <= maxCachedReplay)) {
            if (cache->eventCount() == events) return cache;
            // continue from the last result: in place when nobody holds it any more
            s = cache.use_count() == 1 ? cache : std::make_shared<SessionState>(*cache);
            start = s->eventCount();
        } else {
            // rebuild, in the last result's memory when nobody holds it (no page faults)
            if (cache && cache.use_count() == 1) {
                s = std::move(cache);
                clearKeepingCapacity(*s);
            } else {
                cache.reset();
                s = std::make_shared<SessionState>();
            }
            if (ci >= 0) {
                // the replay adds at most one log entry and one node per event
                const CheckpointRef& last = checkpoints[size_t(ci)];
                const quint64 replay = std::min(events - last.eventIndex, maxCachedReplay);
                // (no more than a plain file of this size could hold: the counts of a compressed
                // one are checked only as its deltas are read)
                reserveCheckpoint(*s, std::min(last.logs, indexOffset / 3) + replay,
                                  std::min(last.nodes, indexOffset / 5) + replay);
                CheckpointMarks marks;
                std::vector<int> parents;
                parents.reserve(std::min(last.nodes, indexOffset / 5));
                for (qsizetype i = 0; i <= ci; ++i) {
                    CheckpointRef& k = checkpoints[size_t(i)];
                    Payload p = frame(k.deltaOffset, FrameType::CheckpointDelta, k.deltaVerified,
                                      QStringLiteral("checkpoint delta %1").arg(i));
                    Cursor& c = p.cursor;
                    if (c.var() != k.eventIndex)
                        c.fail(QStringLiteral("checkpoint delta %1 is not at event %2").arg(i).arg(k.eventIndex));
                    c.seek(0);
                    readCheckpointDelta(c, *this, *s, marks, parents);
                }
                linkTree(*s, parents);
                CheckpointRef& k = checkpoints[size_t(ci)];
                Payload p = frame(k.stateOffset, FrameType::CheckpointState, k.stateVerified,
                                  QStringLiteral("checkpoint %1").arg(ci));
                Cursor& c = p.cursor;
                readCheckpointState(c, *this, *s, marks);
                if (s->eventCount() != k.eventIndex || s->step() != k.step || quint64(marks.logs) != k.logs
                    || quint64(marks.nodes) != k.nodes)
                    c.fail(QStringLiteral("checkpoint %1 does not match the index").arg(ci));
                start = k.eventIndex;
            }
        }
        decode(start, events, true, [&](const Event& e, quint64) {
            s->apply(e);
            return true;
        });
        cache = s;
        return s;
    }

    template<class Body> bool guarded(Body&& body)
    {
        if (!open) {
            error = name.isEmpty() ? QStringLiteral("no trace is open") : name + QStringLiteral(": not open");
            return false;
        }
        try {
            body();
            return true;
        } catch (const DecodeError& e) {
            error = name + QStringLiteral(": ") + e.message();
        } catch (const std::bad_alloc&) {
            error = name + QStringLiteral(": out of memory");
        }
        return false;
    }
};

TraceReader::TraceReader()
    : d(std::make_unique<Private>())
{ }

TraceReader::~TraceReader() = default;

bool TraceReader::open(const QString& path)
{
    return open(path, Options());
}

bool TraceReader::open(const QString& path, Options options)
{
    close();
    d->name = path;
    d->options = options;
    // a FIFO would block the open, a device never ends
    if (const QString problem = notARegularFile(path); !problem.isEmpty()) {
        d->error = problem;
        return false;
    }
    d->file = std::make_unique<QFile>(path);
    if (!d->file->open(QIODevice::ReadOnly)) {
        d->error = path + QStringLiteral(": cannot open: ") + d->file->errorString();
        d->file.reset();
        return false;
    }
    d->size = quint64(d->file->size());
    if (d->size > 0) {
        d->data = d->file->map(0, qint64(d->size));
        if (!d->data) {
            // not mappable (a pipe, an exotic file system): read it instead
            d->copy = d->file->readAll();
            d->size = quint64(d->copy.size());
            d->data = reinterpret_cast<const quint8*>(d->copy.constData());
        }
    }
    try {
        d->openBytes();
    } catch (const DecodeError& e) {
        const QString what = path + QStringLiteral(": ") + e.message();
        close();
        d->error = what;
        return false;
    } catch (const std::bad_alloc&) {
        close();
        d->error = path + QStringLiteral(": out of memory");
        return false;
    }
    d->open = true;
    return true;
}

bool TraceReader::openData(const QByteArray& data, const QString& name)
{
    return openData(data, name, Options());
}

bool TraceReader::openData(const QByteArray& data, const QString& name, Options options)
{
    close();
    d->name = name;
    d->options = options;
    d->copy = data;
    d->copy.detach();
    d->size = quint64(d->copy.size());
    d->data = reinterpret_cast<const quint8*>(d->copy.constData());
    try {
        d->openBytes();
    } catch (const DecodeError& e) {
        const QString what = name + QStringLiteral(": ") + e.message();
        close();
        d->error = what;
        return false;
    } catch (const std::bad_alloc&) {
        close();
        d->error = name + QStringLiteral(": out of memory");
        return false;
    }
    d->open = true;
    return true;
}

void TraceReader::close()
{
    d = std::make_unique<Private>();
}

bool TraceReader::isOpen() const
{
    return d->open;
}

QString TraceReader::errorString() const
{
    return d->error;
}

QString TraceReader::fileName() const
{
    return d->name;
}

quint64 TraceReader::eventCount() const
{
    return d->eventCount;
}

quint64 TraceReader::stepCount() const
{
    return d->lastStep;
}

quint64 TraceReader::blockCount() const
{
    return d->blocks.size();
}

quint64 TraceReader::sharedPrefixEvents(const TraceReader& other) const
{
    const Private& x = *d;
    const Private& y = *other.d;
    if (!x.open || !y.open || !x.data || !y.data) return 0;
    // the first byte at which the frames differ (header included, index excluded)
    const quint64 n = std::min(x.indexOffset, y.indexOffset);
    constexpr quint64 chunk = 1 << 16;
    quint64 at = 0;
    while (at < n) {
        const quint64 len = std::min(chunk, n - at);
        if (std::memcmp(x.data + at, y.data + at, len) != 0) {
            while (x.data[at] == y.data[at])
                ++at;
            break;
        }
        at += len;
    }
    quint64 events = 0;
    for (size_t i = 0; i < x.blocks.size() && i < y.blocks.size(); ++i) {
        const BlockRef& b = x.blocks[i];
        const BlockRef& c = y.blocks[i];
        if (b.offset != c.offset || b.firstEvent != c.firstEvent || b.count != c.count) break;
        const quint8* h = x.data + b.offset + 4; // the frame header's payload length
        const quint64 length = quint64(h[0]) | quint64(h[1]) << 8 | quint64(h[2]) << 16 | quint64(h[3]) << 24;
        if (b.offset + quint64(frameHeaderSize) + length > at) break;
        events = b.firstEvent + b.count;
    }
    return events;
}

quint64 TraceReader::checkpointCount() const
{
    return d->checkpoints.size();
}

const TraceMetadata& TraceReader::metadata() const
{
    return d->metadata;
}

bool TraceReader::recovered() const
{
    return d->recovered;
}

QString TraceReader::recoveryNote() const
{
    return d->recoveryNote;
}

bool TraceReader::events(quint64 from, quint64 to, QList<Event>& out)
{
    return forEachEvent(from, to, [&](const Event& e) {
        out.append(e);
        return true;
    });
}

bool TraceReader::forEachEvent(quint64 from, quint64 to, const std::function<bool(const Event&)>& fn)
{
    return d->guarded(
        [&] { d->decode(from, std::min(to, d->eventCount), false, [&](const Event& e, quint64) { return fn(e); }); });
}

std::optional<quint64> TraceReader::eventIndexAfterStep(quint64 step)
{
    quint64 result = 0;
    if (!d->guarded([&] { result = d->indexAfterStep(step); })) return std::nullopt;
    return result;
}

std::shared_ptr<const SessionState> TraceReader::stateAt(quint64 step)
{
    std::shared_ptr<const SessionState> result;
    if (!d->guarded([&] { result = d->build(d->indexAfterStep(step)); })) return nullptr;
    return result;
}

std::shared_ptr<const SessionState> TraceReader::stateAtEvent(quint64 events)
{
    std::shared_ptr<const SessionState> result;
    if (!d->guarded([&] { result = d->build(std::min(events, d->eventCount)); })) return nullptr;
    return result;
}

namespace detail {

quint16 TraceReaderAccess::version(const TraceReader& reader)
{
    return reader.d->fileVersion;
}

bool TraceReaderAccess::block(TraceReader& reader, quint64 index, QByteArray& records, quint64& firstEvent,
                              quint32& count)
{
    TraceReader::Private& p = *reader.d;
    return p.guarded([&] {
        if (index >= p.blocks.size()) failAt(p.indexOffset, QStringLiteral("there is no block %1").arg(index));
        BlockRef& b = p.blocks[index];
        const Payload payload = p.frame(b.offset, FrameType::Block, b.verified, QStringLiteral("block %1").arg(index));
        const Cursor& c = payload.cursor;
        records = QByteArray(reinterpret_cast<const char*>(c.begin()), qsizetype(c.end() - c.begin()));
        firstEvent = b.firstEvent;
        count = b.count;
    });
}

bool TraceReaderAccess::string(TraceReader& reader, quint64 id, QByteArray& bytes)
{
    TraceReader::Private& p = *reader.d;
    return p.guarded([&] {
        if (id >= p.stringTotal) failAt(p.indexOffset, QStringLiteral("there is no string %1").arg(id));
        bytes = p.bytes(id);
    });
}

bool TraceReaderAccess::location(TraceReader& reader, quint64 id, trace::Location& location)
{
    TraceReader::Private& p = *reader.d;
    return p.guarded([&] {
        if (id >= p.locationTotal) failAt(p.indexOffset, QStringLiteral("there is no location %1").arg(id));
        location = p.location(id);
    });
}

} // namespace detail

} // namespace doeff
