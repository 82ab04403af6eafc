#pragma once

// The .doefftrace byte format shared by TraceRecorder and TraceReader: constants, the integer,
// string and value encodings, the event decoder and the checkpoints. The records themselves are
// field lists in tracerecords.h. docs/trace-format.md describes it byte by byte; keep the two in
// step.

#include <doeff/observer.h>
#include <doeff/session.h>

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QVariant>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

namespace doeff {
class TraceReader;
}

namespace doeff::trace {

inline constexpr char fileMagic[8] = { 'D', 'O', 'E', 'F', 'F', 'T', 'R', 'C' };
inline constexpr char footerMagic[8] = { 'D', 'O', 'E', 'F', 'F', 'I', 'D', 'X' };
inline constexpr char endMagic[8] = { 'D', 'O', 'E', 'F', 'F', 'E', 'N', 'D' };
/// The version this build writes. 2 added the `more` count of effect-tree nodes to
/// checkpoints; 3 added the InputReceived record (kind 19); 4 added compressed frames
/// (frameCompressed). This build reads 1 to 3 too.
inline constexpr quint16 formatVersion = 4;
inline constexpr quint16 oldestReadableVersion = 1;
inline bool readableVersion(quint64 v)
{
    return v >= oldestReadableVersion && v <= formatVersion;
}
inline constexpr int headerSize = 16;
inline constexpr int frameHeaderSize = 12;
/// Frame header flag (version 4): the payload is `var plain size` and one zstd frame that
/// decompresses to the payload the frame's type describes. Only blocks and checkpoints are
/// compressed (compressible()).
inline constexpr quint8 frameCompressed = 1;
/// A compressed frame's plain size is at most this many times its zstd bytes: a reader never
/// allocates more than that for a frame (the recorder writes a frame that compresses better
/// than this as it is).
inline constexpr quint64 maxCompressionRatio = 256;
/// Frames shorter than this are written as they are.
inline constexpr size_t minCompressedFrame = 256;
inline constexpr int footerSize = 80;
/// Strings longer than this are written inline instead of being interned.
inline constexpr int maxInternedString = 1024;
/// Top-level values whose encoding is at least this long are deduplicated within a block.
inline constexpr int minDedupValue = 24;
/// Nesting bound of values (deeper values are written as opaque reprs).
inline constexpr int maxValueDepth = 64;

enum class FrameType : quint8 { Strings = 1, Locations = 2, Block = 3, CheckpointDelta = 4, CheckpointState = 5 };
const char* frameTypeName(FrameType type);
/// Strings and locations frames are never compressed: a reader sizes its tables from their
/// counts, which the file's length bounds.
inline constexpr bool compressible(FrameType type)
{
    return type == FrameType::Block || type == FrameType::CheckpointDelta || type == FrameType::CheckpointState;
}

/// Record kinds 1…17 are EventKind values in the generic layout; 18 is the compact Step; 19 is
/// InputReceived (EventKind 18) in the generic layout (format version 3).
inline constexpr int compactStepKind = 18;
inline constexpr int inputRecordKind = 19;
inline constexpr int recordKindOf(EventKind kind)
{
    return kind == EventKind::InputReceived ? inputRecordKind : int(kind);
}
inline constexpr EventKind eventKindOfRecord(int kind)
{
    return kind == compactStepKind ? EventKind::Step
        : kind == inputRecordKind  ? EventKind::InputReceived
                                   : EventKind(kind);
}

enum RecordFlag : quint8 {
    KindMask = 0x1f,
    HasTask = 0x20,
    HasStepDelta = 0x40,
    HasLocation = 0x80,
};
enum FieldFlag : quint8 {
    HasIndex = 0x01,
    HasCode = 0x02,
    HasName = 0x04,
    HasText = 0x08,
    HasValue = 0x10,
    HasOld = 0x20,
};

enum ValueTag : quint8 {
    TagInvalid = 0,
    TagNull = 1,
    TagFalse = 2,
    TagTrue = 3,
    TagInt = 4,
    TagUInt = 5,
    TagLongLong = 6,
    TagULongLong = 7,
    TagDouble = 8,
    TagFloat = 9,
    TagString = 10,
    TagBytes = 11,
    TagList = 12,
    TagMap = 13,
    TagHash = 14,
    TagStringList = 15,
    TagDateTime = 16,
    TagOpaque = 17,
    TagTyped = 18,
    TagBackRef = 31,
};

/// A decoding failure; message() is complete except for the file name.
struct DecodeError {
    QString what;
    quint64 byte = 0; ///< file offset where it was noticed
    bool hasByte = true;
    qint64 event = -1; ///< the event being decoded, or -1
    QString message() const;
};

quint32 crc32(const void* data, size_t size);

inline quint64 zigzag(qint64 v)
{
    return (quint64(v) << 1) ^ quint64(v >> 63);
}
inline qint64 unzigzag(quint64 v)
{
    return qint64(v >> 1) ^ -qint64(v & 1);
}

// ---- writing ---------------------------------------------------------------------------

/// A growable byte buffer with unchecked writes after need().
class Writer {
public:
    Writer() = default;
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    ~Writer() { std::free(m_data); }

    void need(size_t n)
    {
        if (m_size + n > m_capacity) [[unlikely]]
            grow(n);
    }
    void u8(quint8 b) { m_data[m_size++] = b; }
    /// Most numbers an event writes (ids, deltas, small ints) fit in one byte: that case is
    /// inline, the loop is not.
    [[gnu::always_inline]] void var(quint64 v)
    {
        if (v < 0x80) [[likely]] {
            m_data[m_size++] = quint8(v);
            return;
        }
        varLong(v);
    }
    [[gnu::noinline]] void varLong(quint64 v)
    {
        while (v >= 0x80) {
            m_data[m_size++] = quint8(v) | 0x80;
            v >>= 7;
        }
        m_data[m_size++] = quint8(v);
    }
    void svar(qint64 v) { var(zigzag(v)); }
    void fixed32(quint32 v)
    {
        for (int i = 0; i < 4; ++i)
            m_data[m_size++] = quint8(v >> (8 * i));
    }
    void fixed64(quint64 v)
    {
        for (int i = 0; i < 8; ++i)
            m_data[m_size++] = quint8(v >> (8 * i));
    }
    void raw(const void* p, size_t n)
    {
        if (n) std::memcpy(m_data + m_size, p, n);
        m_size += n;
    }
    /// Checked variants (they reserve).
    void putVar(quint64 v)
    {
        need(10);
        var(v);
    }
    void putSvar(qint64 v)
    {
        need(10);
        svar(v);
    }
    void putU8(quint8 v)
    {
        need(1);
        u8(v);
    }
    void putBytes(const void* p, size_t n)
    {
        need(n);
        raw(p, n);
    }

    size_t size() const { return m_size; }
    const quint8* data() const { return m_data; }
    quint8* data() { return m_data; }
    void truncate(size_t n) { m_size = n; }
    void clear() { m_size = 0; }
    QByteArray toByteArray() const { return QByteArray(reinterpret_cast<const char*>(m_data), qsizetype(m_size)); }

private:
    void grow(size_t n);

    quint8* m_data = nullptr;
    size_t m_size = 0;
    size_t m_capacity = 0;
};

/// QString → id, open addressing with a cheap hash. (qHash(QString) uses AES rounds that
/// cost far more than the rest of an event's encoding on some machines.)
class StringIndex {
public:
    static quint64 hash(const QString& s)
    {
        const auto* p = reinterpret_cast<const quint8*>(s.constData());
        size_t n = size_t(s.size()) * 2;
        quint64 h = 0x9E3779B97F4A7C15ull ^ (quint64(n) * 0xff51afd7ed558ccdull);
        while (n >= 8) {
            quint64 v;
            std::memcpy(&v, p, 8);
            h = (h ^ v) * 0xbf58476d1ce4e5b9ull;
            h ^= h >> 31;
            p += 8;
            n -= 8;
        }
        if (n) {
            quint64 v = 0;
            std::memcpy(&v, p, n);
            h = (h ^ v) * 0xbf58476d1ce4e5b9ull;
        }
        h ^= h >> 32;
        h *= 0x94d049bb133111ebull;
        h ^= h >> 29;
        return h;
    }
    /// The id of `s`, or -1.
    qint64 find(const QString& s, quint64 h) const
    {
        if (m_slots.empty()) return -1;
        for (size_t i = h & m_mask;; i = (i + 1) & m_mask) {
            const Slot& slot = m_slots[i];
            if (!slot.used) return -1;
            if (slot.hash == h && slot.key.size() == s.size()
                && std::memcmp(slot.key.constData(), s.constData(), size_t(s.size()) * 2) == 0)
                return slot.id;
        }
    }
    /// Adds `s` (not present) with `id`.
    void insert(const QString& s, quint64 h, quint32 id)
    {
        if ((m_count + 1) * 4 > m_slots.size() * 3) grow();
        place(Slot { h, s, id, true });
        ++m_count;
    }

private:
    struct Slot {
        quint64 hash = 0;
        QString key;
        quint32 id = 0;
        bool used = false;
    };
    void place(Slot slot)
    {
        size_t i = slot.hash & m_mask;
        while (m_slots[i].used)
            i = (i + 1) & m_mask;
        m_slots[i] = std::move(slot);
    }
    void grow()
    {
        std::vector<Slot> old;
        old.swap(m_slots);
        m_slots.resize(old.empty() ? 64 : old.size() * 2);
        m_mask = m_slots.size() - 1;
        for (Slot& slot : old)
            if (slot.used) place(std::move(slot));
    }

    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    size_t m_count = 0;
};

/// Writes a string field as an interned id (even) or inline UTF-8 (odd).
inline void writeInlineString(Writer& w, const QByteArray& utf8)
{
    w.need(10 + size_t(utf8.size()));
    w.var((quint64(utf8.size()) << 1) | 1);
    w.raw(utf8.constData(), size_t(utf8.size()));
}

void writeDateTime(Writer& w, const QVariant& v);

/// How string fields are written: interned id or inline.
class StringSink {
public:
    virtual ~StringSink();
    virtual void string(Writer& w, const QString& s) = 0;
};

/// The opaque form of values the format cannot carry: type name and repr (both inline).
void writeOpaque(Writer& w, const QVariant& v);
/// The type name of the first value in `v` (itself, or nested in a list or map) that a trace
/// read back only as its repr (an opaque value), or empty when there is none.
QString opaqueTypeIn(const QVariant& v, int depth = 0);

/// A type of the program's own that converts to and from a QVariantMap
/// (QMetaType::registerConverter both ways): written as its type, its repr and the map, and read
/// back as that type again wherever the converters are registered (a replay of the program).
inline bool isTypedValue(const QVariant& v)
{
    const QMetaType type = v.metaType();
    const QMetaType map = QMetaType::fromType<QVariantMap>();
    return type.isValid() && type.id() >= QMetaType::User && QMetaType::canConvert(type, map)
        && QMetaType::canConvert(map, type);
}
void writeTypedHead(Writer& w, const QVariant& v);

/// Encodes a value; `Strings` supplies `void string(Writer&, const QString&)`.
template<class Strings> void writeValue(Writer& w, const QVariant& v, Strings& strings, int depth = 0)
{
    w.need(16);
    const void* p = v.constData();
    switch (v.userType()) {
    case QMetaType::UnknownType:
        w.u8(TagInvalid);
        return;
    case QMetaType::Nullptr:
        w.u8(TagNull);
        return;
    case QMetaType::Bool:
        w.u8(*static_cast<const bool*>(p) ? TagTrue : TagFalse);
        return;
    case QMetaType::Int:
        w.u8(TagInt);
        w.svar(*static_cast<const int*>(p));
        return;
    case QMetaType::UInt:
        w.u8(TagUInt);
        w.var(*static_cast<const uint*>(p));
        return;
    case QMetaType::LongLong:
    case QMetaType::Long:
    case QMetaType::Short:
    case QMetaType::SChar:
    case QMetaType::Char:
        w.u8(TagLongLong);
        w.svar(v.toLongLong());
        return;
    case QMetaType::ULongLong:
    case QMetaType::ULong:
    case QMetaType::UShort:
    case QMetaType::UChar:
        w.u8(TagULongLong);
        w.var(v.toULongLong());
        return;
    case QMetaType::Double: {
        quint64 bits;
        std::memcpy(&bits, p, 8);
        w.u8(TagDouble);
        w.fixed64(bits);
        return;
    }
    case QMetaType::Float: {
        quint32 bits;
        std::memcpy(&bits, p, 4);
        w.u8(TagFloat);
        w.fixed32(bits);
        return;
    }
    case QMetaType::QString:
        w.u8(TagString);
        strings.string(w, *static_cast<const QString*>(p));
        return;
    case QMetaType::QChar:
        w.u8(TagString);
        strings.string(w, QString(*static_cast<const QChar*>(p)));
        return;
    case QMetaType::QByteArray: {
        const QByteArray& b = *static_cast<const QByteArray*>(p);
        w.u8(TagBytes);
        w.var(quint64(b.size()));
        w.putBytes(b.constData(), size_t(b.size()));
        return;
    }
    case QMetaType::QVariantList:
        if (depth < maxValueDepth) {
            const QVariantList& l = *static_cast<const QVariantList*>(p);
            w.u8(TagList);
            w.var(quint64(l.size()));
            for (const QVariant& x : l)
                writeValue(w, x, strings, depth + 1);
            return;
        }
        break;
    case QMetaType::QVariantMap:
        if (depth < maxValueDepth) {
            const QVariantMap& m = *static_cast<const QVariantMap*>(p);
            w.u8(TagMap);
            w.var(quint64(m.size()));
            for (auto it = m.cbegin(); it != m.cend(); ++it) {
                strings.string(w, it.key());
                writeValue(w, it.value(), strings, depth + 1);
            }
            return;
        }
        break;
    case QMetaType::QVariantHash:
        if (depth < maxValueDepth) {
            const QVariantHash& m = *static_cast<const QVariantHash*>(p);
            w.u8(TagHash);
            w.var(quint64(m.size()));
            for (auto it = m.cbegin(); it != m.cend(); ++it) {
                strings.string(w, it.key());
                writeValue(w, it.value(), strings, depth + 1);
            }
            return;
        }
        break;
    case QMetaType::QStringList: {
        const QStringList& l = *static_cast<const QStringList*>(p);
        w.u8(TagStringList);
        w.var(quint64(l.size()));
        for (const QString& x : l)
            strings.string(w, x);
        return;
    }
    case QMetaType::QDateTime:
        writeDateTime(w, v);
        return;
    default:
        if (depth < maxValueDepth && isTypedValue(v)) {
            writeTypedHead(w, v);
            QVariant map = v;
            map.convert(QMetaType::fromType<QVariantMap>());
            writeValue(w, map, strings, depth + 1);
            return;
        }
        break;
    }
    writeOpaque(w, v);
}

// ---- reading ---------------------------------------------------------------------------

/// A bounded cursor over bytes at a known file offset. Every read is checked.
class Cursor {
public:
    Cursor() = default;
    Cursor(const quint8* begin, const quint8* end, quint64 fileOffset)
        : m_begin(begin)
        , m_p(begin)
        , m_end(end)
        , m_base(fileOffset)
    { }
    quint64 remaining() const { return quint64(m_end - m_p); }
    bool atEnd() const { return m_p == m_end; }
    quint64 pos() const { return m_base + quint64(m_p - m_begin); }
    quint64 offset() const { return quint64(m_p - m_begin); }
    const quint8* ptr() const { return m_p; }
    const quint8* begin() const { return m_begin; }
    const quint8* end() const { return m_end; }
    quint64 base() const { return m_base; }

    Q_ALWAYS_INLINE quint8 u8()
    {
        if (m_p == m_end) [[unlikely]]
            truncated();
        return *m_p++;
    }
    Q_ALWAYS_INLINE quint64 var()
    {
        if (m_p != m_end && *m_p < 0x80) [[likely]]
            return *m_p++;
        return varSlow();
    }
    quint64 varSlow()
    {
        quint64 v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (m_p == m_end) [[unlikely]]
                truncated();
            const quint8 b = *m_p++;
            if (shift == 63 && b > 1) [[unlikely]]
                fail(QStringLiteral("integer too large"));
            v |= quint64(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        fail(QStringLiteral("integer too large"));
    }
    Q_ALWAYS_INLINE qint64 svar() { return unzigzag(var()); }
    Q_ALWAYS_INLINE int intVar(const char* what)
    {
        const qint64 v = svar();
        if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) [[unlikely]]
            outOfRange(what, v);
        return int(v);
    }
    /// A count of items that each take at least `minBytes` bytes: never more than the bytes left.
    quint64 count(const char* what, quint64 minBytes = 1)
    {
        const quint64 n = var();
        if (n > remaining() / minBytes) [[unlikely]]
            fail(QStringLiteral("%1 count %2 exceeds the %3 bytes left")
                     .arg(QLatin1StringView(what))
                     .arg(n)
                     .arg(remaining()));
        return n;
    }
    quint32 fixed32()
    {
        if (remaining() < 4) [[unlikely]]
            truncated();
        quint32 v = 0;
        for (int i = 0; i < 4; ++i)
            v |= quint32(m_p[i]) << (8 * i);
        m_p += 4;
        return v;
    }
    quint64 fixed64()
    {
        if (remaining() < 8) [[unlikely]]
            truncated();
        quint64 v = 0;
        for (int i = 0; i < 8; ++i)
            v |= quint64(m_p[i]) << (8 * i);
        m_p += 8;
        return v;
    }
    const quint8* take(quint64 n)
    {
        if (n > remaining()) [[unlikely]]
            truncated();
        const quint8* p = m_p;
        m_p += n;
        return p;
    }
    void seek(quint64 offset) { m_p = m_begin + offset; }

    [[noreturn]] void truncated() const;
    [[noreturn]] void fail(const QString& what) const;
    [[noreturn]] void outOfRange(const char* what, qint64 v) const;

private:
    const quint8* m_begin = nullptr;
    const quint8* m_p = nullptr;
    const quint8* m_end = nullptr;
    quint64 m_base = 0;
};

struct Location {
    qint64 file = -1; ///< string id or -1
    int line = 0;
    qint64 function = -1;
};

/// id → strings and locations, for decoders (the recorder's mirror and the reader's lazy tables).
class Tables {
public:
    virtual ~Tables();
    virtual quint64 stringCount() const = 0;
    virtual quint64 locationCount() const = 0;
    /// Valid ids only (callers check against the counts).
    virtual const QString& string(quint64 id) = 0;
    virtual const QByteArray& bytes(quint64 id) = 0;
    /// The string as a NUL-terminated C string with a process-wide stable address (see
    /// pooledCString()); for Event::file and Event::function.
    virtual const char* cstring(quint64 id) = 0;
    virtual Location location(quint64 id) = 0;
};

/// A copy of `bytes` that lives until the process ends, one per distinct content. Decoded
/// events point their file/function here: functionDisplayName() caches by address, so an
/// address must never name two different texts.
const char* pooledCString(const QByteArray& bytes);

QString readString(Cursor& c, Tables& t);
/// Skips a string field (still checking the id).
void skipString(Cursor& c, Tables& t);
QVariant readValue(Cursor& c, Tables& t, int depth = 0);
void skipValue(Cursor& c, Tables& t, int depth = 0);

/// Decodes the records of one block.
class EventDecoder {
public:
    /// `c` spans the records; `firstEvent`/`firstStep` come from the block header.
    EventDecoder(Cursor c, Tables& tables, quint64 firstEvent, quint64 firstStep);
    /// Skip the fields SessionState::apply ignores (effect fields, handled values, …).
    void setReduceOnly(bool on) { m_reduceOnly = on; }
    bool atEnd() const { return m_c.atEnd(); }
    quint64 nextIndex() const { return m_index; }
    /// Decodes the next event into `e` (every field is overwritten).
    void next(Event& e);

private:
    Cursor m_c;
    Tables& m_t;
    quint64 m_index;
    quint64 m_step;
    int m_task = 0;
    int m_stepIndex = 0;
    bool m_reduceOnly = false;
};

/// Fails with `what` naming the event being decoded.
[[noreturn]] void failAtEvent(const Cursor& c, quint64 event, const QString& what);

// ---- checkpoints -----------------------------------------------------------------------

/// What one checkpoint's delta frame adds to the previous ones.
struct CheckpointMarks {
    qsizetype logs = 0; ///< logs already in earlier delta frames
    size_t nodes = 0; ///< tree nodes already in earlier delta frames
};

void writeCheckpointState(Writer& w, const SessionState& s, StringSink& strings);
void writeCheckpointDelta(Writer& w, const SessionState& s, const CheckpointMarks& marks,
                          const std::vector<int>& patchedNodes, StringSink& strings);

/// Empties `s` (as a new SessionState) but keeps the memory of its tree and logs.
void clearKeepingCapacity(SessionState& s);
/// Reserves room for a checkpoint's logs and tree nodes (from the index) before its deltas.
void reserveCheckpoint(SessionState& s, quint64 logs, quint64 nodes);

/// Fills the children lists for the last `parents.size()` tree nodes, whose parents these are
/// (readCheckpointDelta leaves the lists empty).
void linkTree(SessionState& s, const std::vector<int>& parents);
/// Applies a delta frame (logs and tree nodes, not linked: their parents are appended to
/// `parents`) to `s`; `marks` must match the frame's start.
void readCheckpointDelta(Cursor& c, Tables& t, SessionState& s, CheckpointMarks& marks, std::vector<int>& parents);
/// Reads the state frame into `s` (whose logs/tree come from the delta frames); checks the
/// totals against `marks`.
void readCheckpointState(Cursor& c, Tables& t, SessionState& s, const CheckpointMarks& marks);

} // namespace doeff::trace

namespace doeff::detail {

/// What a replay reads of a trace below its events (docs/replay.md, "Checking a replay"): a
/// block's records as they were written, and the string and location tables by id. Each returns
/// false, with the reader's errorString() set, on a malformed frame or an id the file lacks.
struct TraceReaderAccess {
    static quint16 version(const TraceReader& reader);
    /// The plain bytes of block `index` (its header included) and the events it holds.
    static bool block(TraceReader& reader, quint64 index, QByteArray& records, quint64& firstEvent, quint32& count);
    static bool string(TraceReader& reader, quint64 id, QByteArray& bytes);
    static bool location(TraceReader& reader, quint64 id, trace::Location& location);
};

} // namespace doeff::detail
