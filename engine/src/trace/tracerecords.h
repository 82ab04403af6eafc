#pragma once

// The field list of every record of the .doefftrace format (docs/trace-format.md), each written
// once, as a function of an `Io`, and run in both directions: by Put, which writes (the record
// may be const), and by Get, which reads, checking each field where it is read with the message
// the reader reports. A field added, moved or re-typed in a list changes both sides at once.
//
// Presence flags: io.flags() places a record's flags byte, io.bit() and io.opt() declare its
// bits. Put runs a record's list twice (Presence computes the byte, then it writes); Get reads
// the byte and gives every absent field the absent value the list names. Everything is inline,
// the event records' lists forcibly: they are on the recording hot path (out of line, the body's
// list cost the encoder 6% more instructions).

#include "emptyvalues.h"
#include "tracecodec.h"

#include <doeff/store.h>

#include <utility>

namespace doeff::trace {

/// Whether a field differs from its absent value (strings and values: by emptiness).
template<class T> bool present(const T& v, const T& absent)
{
    return v != absent;
}
inline bool present(const QString& v, const QString&)
{
    return !v.isEmpty();
}
inline bool present(const QVariant& v, const QVariant&)
{
    return v.isValid();
}

// ---- sequences -------------------------------------------------------------------------
// How io.list() walks a container (Put) and fills it (Get): `var count; count × item`.

template<class C> struct Seq {
    using Item = typename C::value_type;
    static quint64 size(const C& c) { return quint64(c.size()); }
    template<class Fn> static void each(const C& c, Fn&& fn)
    {
        for (const auto& x : c)
            fn(x);
    }
    static void start(C& c, quint64 n)
    {
        c.clear();
        c.reserve(decltype(c.size())(n));
    }
    static void add(C& c, Item&& x) { c.push_back(std::move(x)); }
};

// ---- the three passes ------------------------------------------------------------------

/// Computes a record's flags byte from the fields present (the first pass of Put).
class Presence {
public:
    static constexpr bool reading = false;
    quint8 bits = 0;

    template<class... A> void u8(A&&...) { }
    template<class... A> void var(A&&...) { }
    template<class... A> void i32(A&&...) { }
    template<class... A> void fixed(A&&...) { }
    template<class... A> void code(A&&...) { }
    template<class... A> void str(A&&...) { }
    template<class... A> void bytes(A&&...) { }
    template<class... A> void value(A&&...) { }
    template<class... A> void mapValue(A&&...) { }
    template<class... A> void topValue(A&&...) { }
    template<class... A> void locationId(A&&...) { }
    template<class... A> void idPlusOne(A&&...) { }
    template<class... A> void stepPacked(A&&...) { }
    template<class... A> void list(A&&...) { }
    template<class... A> void check(A&&...) { }
    template<class... A> void crcSoFar(A&&...) { }
    template<class... A> void flags(A&&...) { }
    template<class T> void flagsWith(const T& low, quint8) { bits |= quint8(low); }
    void bit(quint8 mask, bool on)
    {
        if (on) bits |= mask;
    }
    template<class T, class Fn> void opt(quint8 mask, const T& v, const T& absent, Fn&&)
    {
        if (present(v, absent)) bits |= mask;
    }
};

/// Writes fields to `w`. `Strings` supplies `void string(Writer&, const QString&)` (and, for
/// event records, `void topValue(Writer&, const QVariant&)`). With `Checked` false the caller
/// has reserved room for the fixed-size fields (strings and values always reserve).
template<class Strings, bool Checked = true> class Put {
public:
    static constexpr bool reading = false;
    Put(Writer& w, Strings& strings)
        : m_w(w)
        , m_s(strings)
    { }

    /// Writes the record `fields(io, r)` describes.
    template<class R, class Fields> Q_ALWAYS_INLINE void record(R& r, Fields&& fields)
    {
        Presence p;
        fields(p, r);
        const quint8 outer = m_flags;
        m_flags = p.bits;
        fields(*this, r);
        m_flags = outer;
    }

    void u8(quint8 v)
    {
        reserve(1);
        m_w.u8(v);
    }
    void var(quint64 v)
    {
        reserve(10);
        m_w.var(v);
    }
    void i32(int v, const char*)
    {
        reserve(5);
        m_w.svar(v);
    }
    template<class T> void fixed(T v)
    {
        static_assert(sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
        reserve(sizeof(T));
        for (size_t i = 0; i < sizeof(T); ++i)
            m_w.u8(quint8(quint64(v) >> (8 * i)));
    }
    template<class E> void code(E v, E, const char*) { var(quint64(v)); }
    /// The crc32 of everything written to the writer so far.
    void crcSoFar(quint32) { fixed(crc32(m_w.data(), m_w.size())); }
    void str(const QString& s) { m_s.string(m_w, s); }
    void bytes(const QByteArray& b)
    {
        m_w.putVar(quint64(b.size()));
        m_w.putBytes(b.constData(), size_t(b.size()));
    }
    void value(const QVariant& v) { writeValue(m_w, v, m_s); }
    void mapValue(const QVariantMap& m) { writeValue(m_w, QVariant(m), m_s); }
    void topValue(const QVariant& v, bool = true) { m_s.topValue(m_w, v); }
    void locationId(quint64 id) { var(id); }
    /// A string id or -1, written plus one.
    void idPlusOne(qint64 id) { var(quint64(id + 1)); }
    /// The compact Step's `code | K-depth delta` word.
    void stepPacked(int code, int index, int prevIndex)
    {
        var((zigzag(qint64(index) - prevIndex) << 2) | quint64(code));
    }

    template<class C, class Fields> void list(const C& c, const char*, quint64, Fields&& fields)
    {
        var(Seq<C>::size(c));
        Seq<C>::each(c, [&](const auto& x) { record(x, fields); });
    }
    template<class Fn> void check(Fn&&) { }

    template<class Fail> void flags(quint8, Fail&&) { u8(m_flags); }
    /// A flags byte whose low bits (`lowMask`) hold `low` (the event record's kind).
    template<class T> void flagsWith(const T&, quint8) { u8(m_flags); }
    void bit(quint8, bool) { }
    template<class T, class Fn> void opt(quint8 mask, const T&, const T&, Fn&& field)
    {
        if (m_flags & mask) field();
    }

    Writer& writer() { return m_w; }

private:
    void reserve(size_t n)
    {
        if constexpr (Checked) m_w.need(n);
    }

    Writer& m_w;
    Strings& m_s;
    quint8 m_flags = 0;
};

/// Reads fields from `c`, with string and location ids checked against `t`.
class Get {
public:
    static constexpr bool reading = true;
    Get(Cursor& c, Tables& t)
        : m_c(c)
        , m_t(t)
    { }

    template<class R, class Fields> void record(R& r, Fields&& fields)
    {
        const quint8 outer = m_flags;
        fields(*this, r);
        m_flags = outer;
    }

    void u8(quint8& v) { v = m_c.u8(); }
    void var(quint64& v) { v = m_c.var(); }
    void i32(int& v, const char* what) { v = m_c.intVar(what); }
    template<class T> void fixed(T& v)
    {
        static_assert(sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8);
        if constexpr (sizeof(T) == 8) {
            v = T(m_c.fixed64());
        } else if constexpr (sizeof(T) == 4) {
            v = T(m_c.fixed32());
        } else {
            const quint8* p = m_c.take(2);
            v = T(p[0] | p[1] << 8);
        }
    }
    /// An enum written as var, at most `max`; else "bad <what> N".
    template<class E> void code(E& v, E max, const char* what)
    {
        const quint64 n = m_c.var();
        if (n > quint64(max)) m_c.fail(QStringLiteral("bad %1 %2").arg(QLatin1StringView(what)).arg(n));
        v = E(n);
    }
    void crcSoFar(quint32& v) { fixed(v); }
    void str(QString& s) { s = readString(m_c, m_t); }
    void bytes(QByteArray& b)
    {
        const quint64 n = m_c.var();
        const quint8* p = m_c.take(n);
        b = QByteArray(reinterpret_cast<const char*>(p), qsizetype(n));
    }
    void value(QVariant& v) { v = readValue(m_c, m_t); }
    void mapValue(QVariantMap& m)
    {
        const QVariant v = readValue(m_c, m_t);
        if (v.userType() != QMetaType::QVariantMap) m_c.fail(QStringLiteral("task environment is not a map"));
        m = v.toMap();
    }
    /// A value or a back-reference to an earlier one of the cursor's block; skipped (still
    /// checked) unless `keep`.
    void topValue(QVariant& v, bool keep = true)
    {
        if (!m_c.atEnd() && *m_c.ptr() == TagBackRef) {
            const quint64 at = m_c.offset();
            m_c.u8();
            const quint64 target = m_c.var();
            if (target >= at) m_c.fail(QStringLiteral("back-reference to offset %1 is not before it").arg(target));
            Cursor sub(m_c.begin(), m_c.end(), m_c.base());
            sub.seek(target);
            if (*sub.ptr() == TagBackRef) m_c.fail(QStringLiteral("back-reference to a back-reference"));
            if (keep)
                v = readValue(sub, m_t);
            else
                detail::clearValue(v);
            return;
        }
        if (keep) {
            v = readValue(m_c, m_t);
        } else {
            skipValue(m_c, m_t);
            detail::clearValue(v);
        }
    }
    void locationId(quint64& id)
    {
        id = m_c.var();
        if (id >= m_t.locationCount()) m_c.fail(QStringLiteral("bad location id %1").arg(id));
    }
    void idPlusOne(qint64& id) { id = qint64(m_c.var() - 1); }
    void stepPacked(int& code, int& index, int prevIndex)
    {
        const quint64 p = m_c.var();
        code = int(p & 3);
        const qint64 i = qint64(prevIndex) + unzigzag(p >> 2);
        if (i < std::numeric_limits<int>::min() || i > std::numeric_limits<int>::max())
            m_c.fail(QStringLiteral("K depth out of range"));
        index = int(i);
    }

    /// `what` and `minBytes` bound the count by the bytes left (Cursor::count).
    template<class C, class Fields> void list(C& c, const char* what, quint64 minBytes, Fields&& fields)
    {
        const quint64 n = m_c.count(what, minBytes);
        Seq<C>::start(c, n);
        for (quint64 i = 0; i < n; ++i) {
            typename Seq<C>::Item x {};
            record(x, fields);
            Seq<C>::add(c, std::move(x));
        }
    }
    /// A check at this point of the record: `fn(const Cursor&)` fails through the cursor.
    template<class Fn> void check(Fn&& fn) { fn(std::as_const(m_c)); }

    /// The flags byte; bits outside `known` go to `fail(cursor, flags)`.
    template<class Fail> void flags(quint8 known, Fail&& fail)
    {
        m_flags = m_c.u8();
        if (m_flags & ~known) fail(std::as_const(m_c), m_flags);
    }
    template<class T> void flagsWith(T& low, quint8 lowMask)
    {
        m_flags = m_c.u8();
        low = T(m_flags & lowMask);
    }
    void bit(quint8 mask, bool& on) { on = m_flags & mask; }
    template<class T, class Fn> void opt(quint8 mask, T& v, const T& absent, Fn&& field)
    {
        if (m_flags & mask) {
            field();
        } else if constexpr (std::is_same_v<T, QVariant>) {
            // the event is reused: an empty field stays as it is, without a call into Qt
            if (!detail::holdsNothing(absent) || !detail::holdsNothing(v)) v = absent;
        } else if constexpr (std::is_same_v<T, QString>) {
            if (!absent.isNull() || !v.isNull()) v = absent;
        } else {
            v = absent;
        }
    }

private:
    Cursor& m_c;
    Tables& m_t;
    quint8 m_flags = 0;
};

// ---- the records ------------------------------------------------------------------------
// Each list is a generic lambda `(Io& io, Record& r)` (the event records': function objects, to
// force them inline); Record is const when writing.

/// An event record's header: kind and the fields relative to the previous record.
struct RecordHead {
    int kind = 0; ///< 1…17 EventKind, 18 compact Step, 19 InputReceived
    int task = 0;
    quint64 delta = 0;
    quint64 location = 0; ///< valid when the L flag is set
    bool located = false;
};

inline quint64 impliedStepDelta(int kind)
{
    return kind == compactStepKind ? 1 : 0;
}

/// `u8 h` (kind | T | S | L); [svar task]; [var step delta]; [var location id]. The previous
/// record's task and step give the absent task and bound the delta.
struct RecordHeadFields {
    int prevTask;
    quint64 prevStep;
    template<class Io, class R> Q_ALWAYS_INLINE void operator()(Io& io, R& r) const
    {
        io.flagsWith(r.kind, KindMask);
        io.check([&](const Cursor& c) {
            if (r.kind < 1 || r.kind > inputRecordKind) c.fail(QStringLiteral("unknown event kind %1").arg(r.kind));
        });
        io.opt(HasTask, r.task, prevTask, [&] { io.i32(r.task, "task id"); });
        io.opt(HasStepDelta, r.delta, impliedStepDelta(r.kind), [&] { io.var(r.delta); });
        io.check([&](const Cursor& c) {
            if (r.delta > std::numeric_limits<quint64>::max() - prevStep)
                c.fail(QStringLiteral("step number overflows"));
        });
        io.bit(HasLocation, r.located);
        if (r.located) io.locationId(r.location);
    }
};
inline RecordHeadFields recordHeadFields(int prevTask, quint64 prevStep)
{
    return { prevTask, prevStep };
}

/// Absent strings and values (statics: a QVariant temporary costs an out-of-line destructor).
inline const QString noString;
inline const QVariant noValue;

/// The generic record body (kinds 1…17): `u8 fields` and the fields present. `keepValue` and
/// `keepOld` (reading) skip values the caller does not need.
struct EventBodyFields {
    bool keepValue;
    bool keepOld;
    template<class Io, class E> Q_ALWAYS_INLINE void operator()(Io& io, E& e) const
    {
        io.flags(0x3f, [](const Cursor& c, quint8 f) {
            c.fail(QStringLiteral("unknown field flags 0x%1").arg(f, 2, 16, QLatin1Char('0')));
        });
        io.opt(HasIndex, e.index, -1, [&] { io.i32(e.index, "index"); });
        io.opt(HasCode, e.code, 0, [&] { io.i32(e.code, "code"); });
        io.opt(HasName, e.name, noString, [&] { io.str(e.name); });
        io.opt(HasText, e.text, noString, [&] { io.str(e.text); });
        io.opt(HasValue, e.value, noValue, [&] { io.topValue(e.value, keepValue); });
        io.opt(HasOld, e.old, noValue, [&] { io.topValue(e.old, keepOld); });
    }
};
inline EventBodyFields eventBodyFields(bool keepValue = true, bool keepOld = true)
{
    return { keepValue, keepOld };
}

/// The compact Step (kind 18): `var p`, code = p & 3, K depth = the previous Step's +
/// unzigzag(p >> 2).
struct CompactStepFields {
    int prevIndex;
    template<class Io, class E> Q_ALWAYS_INLINE void operator()(Io& io, E& e) const
    {
        io.stepPacked(e.code, e.index, prevIndex);
    }
};
inline CompactStepFields compactStepFields(int prevIndex)
{
    return { prevIndex };
}

/// Block frame header: u64 first event; u32 count; u64 base step.
struct BlockHeader {
    quint64 firstEvent = 0;
    quint32 count = 0;
    quint64 baseStep = 0;
};
inline constexpr auto blockHeaderFields = [](auto& io, auto& b) {
    io.fixed(b.firstEvent);
    io.fixed(b.count);
    io.fixed(b.baseStep);
};

/// Strings frame entry: `var length; length bytes`.
inline constexpr auto stringEntryFields = [](auto& io, auto& b) { io.bytes(b); };

/// Locations frame entry: `var file + 1; svar line; var function + 1` (0: none). Reading checks
/// neither id: the caller does, after the entry (locationIdsValid).
inline constexpr auto locationFields = [](auto& io, auto& l) {
    io.idPlusOne(l.file);
    io.i32(l.line, "line");
    io.idPlusOne(l.function);
};
/// Whether a location read by locationFields names strings within `stringCount`.
inline bool locationIdsValid(const Location& l, quint64 stringCount)
{
    return quint64(l.file) + 1 <= stringCount && quint64(l.function) + 1 <= stringCount;
}

// ---- checkpoints ----

inline constexpr auto logEntryFields = [](auto& io, auto& l) {
    io.var(l.step);
    io.i32(l.task, "task id");
    io.value(l.message);
};

/// A node's `more`: a positive count.
template<class Io, class T> void unrecordedField(Io& io, T& more)
{
    io.i32(more, "node's unrecorded children");
    io.check([&](const Cursor& c) {
        if (more <= 0) c.fail(QStringLiteral("bad count of unrecorded children %1").arg(more));
    });
}

inline void failTreeNodeFlags(const Cursor& c, quint8)
{
    c.fail(QStringLiteral("bad tree node flags"));
}

/// A new effect-tree node; flags 1 effect, 2 error, 4 `more` follows.
inline constexpr auto treeNodeFields = [](auto& io, auto& n) {
    io.i32(n.parent, "tree parent");
    io.str(n.display);
    io.flags(7, failTreeNodeFlags);
    io.bit(1, n.effect);
    io.bit(2, n.error);
    io.i32(n.task, "task id");
    io.i32(n.count, "node count");
    io.opt(4, n.more, 0, [&] { unrecordedField(io, n.more); });
};

/// What a delta frame changes in a node of an earlier frame.
struct TreePatch {
    quint64 id = 0;
    int count = 0;
    bool error = false;
    int more = 0;
};
/// `before`: the nodes of the earlier frames (reading checks the id against it).
inline auto treePatchFields(size_t before)
{
    return [before](auto& io, auto& p) {
        io.var(p.id);
        io.check([&](const Cursor& c) {
            if (p.id >= before) c.fail(QStringLiteral("tree patch of unknown node %1").arg(p.id));
        });
        io.i32(p.count, "node count");
        io.flags(6, failTreeNodeFlags);
        io.bit(2, p.error);
        io.opt(4, p.more, 0, [&] { unrecordedField(io, p.more); });
    };
}

inline constexpr auto continuationFrameFields = [](auto& io, auto& f) {
    io.code(f.kind, FrameKindCode::Convert, "frame kind");
    io.str(f.description);
    io.str(f.file);
    io.i32(f.line, "line");
    io.str(f.function);
    io.i32(f.node, "tree node");
};

inline constexpr auto taskFields = [](auto& io, auto& t) {
    io.i32(t.id, "task id");
    io.str(t.name);
    io.code(t.kind, TaskKindCode::Branch, "task kind");
    io.i32(t.parent, "task parent");
    io.code(t.state, TaskStateCode::Cancelled, "task state");
    io.str(t.waitsOn);
    io.var(t.steps);
    io.i32(t.storeOwner, "store owner");
    io.str(t.currentEffect);
    io.str(t.outcome);
    io.i32(t.lastEffectNode, "tree node");
    io.mapValue(t.env);
    io.list(t.k, "frame", 6, continuationFrameFields);
};

inline constexpr auto stringFields = [](auto& io, auto& s) { io.str(s); };
inline constexpr auto storeEntryFields = [](auto& io, auto& kv) {
    io.str(kv.first);
    io.value(kv.second);
};
/// One task's store: svar owner; its entries.
inline constexpr auto storeFields = [](auto& io, auto& s) {
    io.i32(s.first, "store owner");
    io.list(s.second, "store entry", 2, storeEntryFields);
};

template<> struct Seq<Store> {
    using Item = std::pair<QString, QVariant>;
    static quint64 size(const Store& s) { return quint64(s.size()); }
    template<class Fn> static void each(const Store& s, Fn&& fn)
    {
        for (const Item& x : s.entries())
            fn(x);
    }
    static void start(Store&, quint64) { }
    static void add(Store& s, Item&& x) { s.insert(x.first, x.second); }
};
template<> struct Seq<QHash<int, Store>> {
    using Item = std::pair<int, Store>;
    static quint64 size(const QHash<int, Store>& h) { return quint64(h.size()); }
    template<class Fn> static void each(const QHash<int, Store>& h, Fn&& fn)
    {
        for (auto it = h.cbegin(); it != h.cend(); ++it)
            fn(Item(it.key(), it.value()));
    }
    static void start(QHash<int, Store>& h, quint64) { h.clear(); }
    static void add(QHash<int, Store>& h, Item&& x) { h.insert(x.first, std::move(x.second)); }
};
/// Tasks by id; each written with its id.
template<> struct Seq<QMap<int, SessionTask>> {
    using Item = SessionTask;
    static quint64 size(const QMap<int, SessionTask>& m) { return quint64(m.size()); }
    template<class Fn> static void each(const QMap<int, SessionTask>& m, Fn&& fn)
    {
        for (const SessionTask& t : m)
            fn(t);
    }
    static void start(QMap<int, SessionTask>& m, quint64) { m.clear(); }
    static void add(QMap<int, SessionTask>& m, SessionTask&& t)
    {
        const int id = t.id;
        m.insert(id, std::move(t));
    }
};

// ---- header, frames, index and footer ----

struct FileHeader {
    quint16 version = formatVersion;
    quint16 size = headerSize;
    quint32 flags = 0;
};
/// After the magic: u16 version; u16 header size; u32 flags.
inline constexpr auto fileHeaderFields = [](auto& io, auto& h) {
    io.fixed(h.version);
    io.fixed(h.size);
    io.fixed(h.flags);
};

struct FrameHeader {
    quint8 type = 0;
    quint8 flags = 0;
    quint16 reserved = 0;
    quint32 length = 0;
    quint32 crc = 0;
};
inline constexpr auto frameHeaderFields = [](auto& io, auto& h) {
    io.u8(h.type);
    io.u8(h.flags);
    io.fixed(h.reserved);
    io.fixed(h.length);
    io.fixed(h.crc);
};

/// Index entries; the writer's and the reader's bookkeeping structs derive from these.
struct IndexFrame {
    quint64 offset = 0;
    quint64 first = 0;
    quint64 count = 0;
};
inline constexpr auto indexFrameFields = [](auto& io, auto& f) {
    io.var(f.offset);
    io.var(f.first);
    io.var(f.count);
};
struct IndexBlock {
    quint64 offset = 0;
    quint64 firstEvent = 0;
    quint64 count = 0;
    quint64 baseStep = 0;
    quint64 lastStep = 0;
};
inline constexpr auto indexBlockFields = [](auto& io, auto& b) {
    io.var(b.offset);
    io.var(b.firstEvent);
    io.var(b.count);
    io.var(b.baseStep);
    io.var(b.lastStep);
};
struct IndexCheckpoint {
    quint64 eventIndex = 0;
    quint64 step = 0;
    quint64 deltaOffset = 0;
    quint64 stateOffset = 0;
    quint64 logs = 0;
    quint64 nodes = 0;
};
inline constexpr auto indexCheckpointFields = [](auto& io, auto& k) {
    io.var(k.eventIndex);
    io.var(k.step);
    io.var(k.deltaOffset);
    io.var(k.stateOffset);
    io.var(k.logs);
    io.var(k.nodes);
};
/// Metadata entry: str key; str value (the recorder writes them inline).
inline constexpr auto metadataFields = [](auto& io, auto& kv) {
    io.str(kv.first);
    io.str(kv.second);
};

/// The footer between its two magics: sizes, counts, where the index is and the checksums.
/// `crc` covers the footer's bytes before it, magic included.
struct Footer {
    quint32 version = formatVersion;
    quint32 size = footerSize;
    quint64 eventCount = 0;
    quint64 lastStep = 0;
    quint64 stringCount = 0;
    quint64 locationCount = 0;
    quint64 indexOffset = 0;
    quint64 indexSize = 0;
    quint32 indexCrc = 0;
    quint32 crc = 0;
};
inline constexpr auto footerFields = [](auto& io, auto& f) {
    io.fixed(f.version);
    io.fixed(f.size);
    io.fixed(f.eventCount);
    io.fixed(f.lastStep);
    io.fixed(f.stringCount);
    io.fixed(f.locationCount);
    io.fixed(f.indexOffset);
    io.fixed(f.indexSize);
    io.fixed(f.indexCrc);
    io.crcSoFar(f.crc);
};

/// Strings inline, always (the index's metadata).
struct InlineStrings {
    void string(Writer& w, const QString& s) { writeInlineString(w, s.toUtf8()); }
};

} // namespace doeff::trace
