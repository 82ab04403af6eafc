#pragma once

// The machine-thread side of the event encoding (docs/trace-format.md "Block frame"): string and
// location interning and the records of one block. Shared by TraceRecorder (trace files) and the
// inspector server (docs/inspector-protocol.md), which send the very same bytes.

#include "heldtext.h"
#include "tracerecords.h"

#include <QHash>

#include <array>
#include <cstring>
#include <memory>
#include <vector>

namespace doeff::trace {

inline constexpr size_t blockHeaderSize = 20;
inline constexpr size_t maxBlockBytes = 64 * 1024;

/// One block and the strings and locations it introduces.
struct Chunk {
    QByteArray payload; ///< block header + records
    quint64 firstEvent = 0;
    quint64 baseStep = 0;
    quint64 lastStep = 0;
    quint32 count = 0;
    std::vector<QByteArray> strings;
    std::vector<Location> locations;
};

struct LocationKey {
    const char* file;
    const char* function;
    int line;
    bool operator==(const LocationKey& o) const { return file == o.file && function == o.function && line == o.line; }
};
inline size_t qHash(const LocationKey& k, size_t seed = 0)
{
    return qHashMulti(seed, k.file, k.function, k.line);
}

/// The machine-thread side: interning and the records of the current block.
class Encoder {
public:
    Encoder() { startBlock(); }

    // StringSink protocol for writeValue: interned from its second occurrence, unless long.
    // A string seen once (a label that carries a value, `Put('k', 41)`) is written in place:
    // it would never be looked up again, and the table and every reader's copy would grow by
    // one entry per event.
    void string(Writer& w, const QString& s)
    {
        const qint64 id = s.size() > maxInternedString ? -1 : internShared(s);
        if (id < 0) {
            writeInlineString(w, s.toUtf8());
            return;
        }
        w.need(10);
        w.var(quint64(id) << 1);
    }

    // Put protocol for an event's value and old value: repeats of a long encoding within the
    // block become back-references.
    void topValue(Writer& w, const QVariant& v)
    {
        const size_t at = w.size();
        writeValue(w, v, *this);
        const size_t n = w.size() - at;
        if (n < size_t(minDedupValue)) return;
        const QByteArray probe = QByteArray::fromRawData(reinterpret_cast<const char*>(w.data() + at), qsizetype(n));
        auto it = m_dedup.constFind(probe);
        if (it != m_dedup.cend()) {
            w.truncate(at);
            w.need(11);
            w.u8(TagBackRef);
            w.var(*it);
            return;
        }
        m_dedup.insert(QByteArray(probe.constData(), probe.size()), quint64(at));
    }

    /// Encodes a live event straight from its fields: nothing is copied, and only the text the
    /// record holds is formatted. The bytes are those encode(e.record()) writes.
    bool encode(const LiveEvent& e, QString& error)
    {
        switch (e.kind) {
        case EventKind::Step: {
            const auto& f = e.get<events::Step>();
            return encodeRecord(e, CompactStep { int(f.control), f.depth }, error);
        }
        case EventKind::EffectYielded: {
            const auto& f = e.get<events::EffectYielded>();
            QVariant other;
            const QVariant& fields = effectFields(f.effect, other);
            return encodeRecord(e, BodyRef { -1, 0, f.label, effectName(f.effect), fields, noValue }, error);
        }
        case EventKind::EffectHandled: {
            const auto& f = e.get<events::EffectHandled>();
            if (f.how == HandledHow::Failed) {
                const QString text = f.error();
                const QVariant value = text.isNull() ? QVariant() : QVariant(text);
                return encodeRecord(e, BodyRef { -1, int(f.how), f.label, f.handler, value, noValue }, error);
            }
            const QVariant& value = f.how == HandledHow::Resumed && f.value ? *f.value : noValue;
            return encodeRecord(e, BodyRef { -1, int(f.how), f.label, f.handler, value, noValue }, error);
        }
        case EventKind::StoreWrite: {
            const auto& f = e.get<events::StoreWrite>();
            return encodeRecord(e, BodyRef { -1, 0, f.key, noString, f.value, f.old ? *f.old : noValue }, error);
        }
        case EventKind::FramePopped: {
            const auto& f = e.get<events::FramePopped>();
            return encodeRecord(e, BodyRef { f.index, int(f.frame), noString, noString, noValue, noValue }, error);
        }
        case EventKind::TaskStateChanged: {
            const auto& f = e.get<events::TaskStateChanged>();
            const QString waitsOn = f.waitsOn();
            return encodeRecord(e, BodyRef { -1, int(f.state), waitsOn, noString, noValue, noValue }, error);
        }
        default:
            return encode(e.record(), error);
        }
    }

    /// Returns false with `error` for events the format cannot hold.
    bool encode(const Event& e, QString& error)
    {
        const bool compact = e.kind == EventKind::Step && e.code >= 0 && e.code <= 3 && e.name.isEmpty()
            && e.text.isEmpty() && !e.value.isValid() && !e.old.isValid();
        if (compact) return encodeRecord(e, CompactStep { e.code, e.index }, error);
        return encodeRecord(e, BodyRef { e.index, e.code, e.name, e.text, e.value, e.old }, error);
    }

private:
    /// An event's body, the fields of Event by reference.
    struct BodyRef {
        int index;
        int code;
        const QString& name;
        const QString& text;
        const QVariant& value;
        const QVariant& old;
    };
    /// The body of a compact Step (kind 18).
    struct CompactStep {
        int code;
        int index;
    };

    template<class Head, class Body> bool encodeRecord(const Head& e, const Body& body, QString& error)
    {
        if (e.step < m_lastStep) [[unlikely]]
            return refuse(error, int(e.kind), e.step);
        const int kind = int(e.kind);
        if (kind < 1 || kind > EventKindCount) [[unlikely]]
            return refuse(error, kind, e.step);
        constexpr bool compact = std::is_same_v<Body, CompactStep>;
        Writer& w = m_block;
        w.need(64); // the fixed-size fields; strings and values reserve their own room
        RecordHead head;
        head.kind = compact ? compactStepKind : recordKindOf(e.kind);
        head.task = e.task;
        head.delta = e.step - m_prevStep;
        head.located = e.file || e.function || e.line;
        if (head.located) head.location = locationId(e.file, e.line, e.function);
        Put<Encoder, false> put(w, *this);
        put.record(head, recordHeadFields(m_prevTask, m_prevStep));
        if constexpr (compact) {
            put.record(body, compactStepFields(m_prevStepIndex));
            m_prevStepIndex = body.index;
        } else {
            put.record(body, eventBodyFields());
            if (e.kind == EventKind::Step) m_prevStepIndex = body.index;
        }
        m_prevStep = e.step;
        m_prevTask = e.task;
        m_lastStep = e.step;
        ++m_blockEvents;
        ++m_totalEvents;
        return true;
    }

    /// encodeRecord()'s refusals, out of line: formatting them would cost every record its
    /// register saves.
    [[gnu::noinline, gnu::cold]] bool refuse(QString& error, int kind, quint64 step) const
    {
        if (step < m_lastStep)
            error = QStringLiteral("step numbers went backwards at event %1 (%2 after %3)")
                        .arg(m_totalEvents)
                        .arg(step)
                        .arg(m_lastStep);
        else
            error = QStringLiteral("unknown event kind %1 at event %2").arg(kind).arg(m_totalEvents);
        return false;
    }

    /// The effect's fields: for Get and Put, most of a run's effects, a map kept here per key
    /// (Put's value set in place); for others, `other` filled with effect.fields().
    const QVariant& effectFields(const AnyEffect& effect, QVariant& other); // (effectfields.cpp)

    /// The effect's name, made once per effect type.
    const QString& effectName(const AnyEffect& effect)
    {
        const EffectType* type = effect.type();
        EffectNameEntry& slot = m_effectNames[(quintptr(type) >> 4) % m_effectNames.size()];
        if (slot.type != type) slot = EffectNameEntry { type, effect.name() };
        return slot.name;
    }

public:
    bool blockFull(int maxEvents) const
    {
        return m_blockEvents >= quint32(maxEvents) || m_block.size() >= maxBlockBytes;
    }
    bool blockEmpty() const { return m_blockEvents == 0; }
    quint64 totalEvents() const { return m_totalEvents; }
    quint64 lastStep() const { return m_lastStep; }
    quint64 stringCount() const { return m_nextString; }
    quint64 locationCount() const { return m_nextLocation; }

    /// The current block as written so far: its header's room (zeros) and its records.
    const quint8* blockData() const { return m_block.data(); }
    size_t blockSize() const { return m_block.size(); }
    /// Strings and locations first met since the last take (ids run up to stringCount() and
    /// locationCount()): what the next block's table frames would hold.
    const std::vector<QByteArray>& newStrings() const { return m_newStrings; }
    const std::vector<Location>& newLocations() const { return m_newLocations; }
    void forgetNewTables()
    {
        m_newStrings.clear();
        m_newLocations.clear();
    }
    /// Ends the block without keeping it (a replay's encoder, which only compares bytes).
    void dropBlock()
    {
        forgetNewTables();
        startBlock();
    }

    std::unique_ptr<Chunk> takeBlock()
    {
        auto c = std::make_unique<Chunk>();
        c->firstEvent = m_blockFirstEvent;
        c->baseStep = m_blockBaseStep;
        c->lastStep = m_lastStep;
        c->count = m_blockEvents;
        const BlockHeader header { c->firstEvent, c->count, c->baseStep };
        const size_t end = m_block.size();
        m_block.truncate(0); // into the room startBlock() left
        Put<Encoder> put(m_block, *this);
        put.record(header, blockHeaderFields);
        m_block.truncate(end);
        c->payload = m_block.toByteArray();
        c->strings.swap(m_newStrings);
        c->locations.swap(m_newLocations);
        startBlock();
        return c;
    }

private:
    struct CacheEntry;
    struct SharedEntry;

    void startBlock()
    {
        m_block.clear();
        m_block.need(blockHeaderSize);
        m_block.truncate(blockHeaderSize);
        std::memset(m_block.data(), 0, blockHeaderSize);
        m_blockFirstEvent = m_totalEvents;
        m_blockBaseStep = m_lastStep;
        m_blockEvents = 0;
        m_prevStep = m_lastStep;
        m_prevTask = 0;
        m_prevStepIndex = 0;
        m_dedup.clear();
    }

    /// internString(), without hashing again a string whose data it saw last time: keys,
    /// handler names, effect names and an effect's label (its Handled shares the Yielded's) are
    /// the same QString data event after event (a slot holds it: detail::HeldText).
    qint64 internShared(const QString& s)
    {
        SharedEntry& slot = m_shared[detail::addressSlot<8>(s.constData())];
        if (slot.text.holds(s)) [[likely]]
            return slot.id;
        return internSharedMiss(s, slot);
    }
    // Out of line, so that the hit above, nearly every call, saves no registers for it.
    [[gnu::noinline]] qint64 internSharedMiss(const QString& s, SharedEntry& slot)
    {
        const qint64 id = internString(s);
        if (id >= 0) slot = SharedEntry { detail::HeldText(s), quint32(id) };
        return id;
    }

    /// The string's id, or -1 the first time it is seen (write it in place).
    qint64 internString(const QString& s)
    {
        const quint64 h = StringIndex::hash(s);
        const qint64 found = m_strings.find(s, h);
        if (found >= 0) return found;
        quint64& seen = m_seenOnce[h % m_seenOnce.size()];
        if (seen != h) {
            seen = h;
            return -1;
        }
        const quint32 id = m_nextString++;
        m_strings.insert(s, h, id);
        m_newStrings.push_back(s.toUtf8());
        return id;
    }

    quint32 internBytes(const char* p)
    {
        auto it = m_pointers.constFind(p);
        if (it != m_pointers.cend()) return *it;
        const QByteArray b(p);
        auto bt = m_bytes.constFind(b);
        quint32 id;
        if (bt != m_bytes.cend()) {
            id = *bt;
        } else {
            id = m_nextString++;
            m_bytes.insert(b, id);
            m_newStrings.push_back(b);
        }
        m_pointers.insert(p, id);
        return id;
    }

    quint32 locationId(const char* file, int line, const char* function)
    {
        const LocationKey key { file, function, line };
        const size_t slot = (quintptr(file) * 0x9E3779B97F4A7C15ull ^ quintptr(function) * 0xC2B2AE3D27D4EB4Full
                             ^ quint64(quint32(line)) * 0x165667B19E3779F9ull)
            >> 54;
        CacheEntry& c = m_locationCache[slot];
        if (c.valid && c.key == key) [[likely]]
            return c.id;
        return locationIdMiss(key, c);
    }
    // Out of line, so that the hit above saves no registers for it.
    [[gnu::noinline]] quint32 locationIdMiss(const LocationKey& key, CacheEntry& c)
    {
        quint32 id;
        auto it = m_locations.constFind(key);
        if (it != m_locations.cend()) {
            id = *it;
        } else {
            Location l;
            l.file = key.file ? qint64(internBytes(key.file)) : -1;
            l.line = key.line;
            l.function = key.function ? qint64(internBytes(key.function)) : -1;
            id = m_nextLocation++;
            m_locations.insert(key, id);
            m_newLocations.push_back(l);
        }
        c = CacheEntry { key, id, true };
        return id;
    }

    struct CacheEntry {
        LocationKey key { nullptr, nullptr, 0 };
        quint32 id = 0;
        bool valid = false;
    };

    struct SharedEntry {
        detail::HeldText text;
        quint32 id = 0;
    };
    std::array<SharedEntry, 256> m_shared {}; // 256: the slot is the hash's top 8 bits
    std::vector<quint64> m_seenOnce = std::vector<quint64>(4096, 0); ///< hashes of strings seen once
    struct EffectNameEntry {
        const EffectType* type = nullptr;
        QString name;
    };
    std::array<EffectNameEntry, 64> m_effectNames {};
    /// effectFields() of Get and Put by the key's text pointer (detail::HeldText). Its `fields`
    /// is never copied (it is lent out by reference while a record is encoded), so `value` may
    /// point into its map.
    struct FieldsEntry {
        const EffectType* type = nullptr;
        detail::HeldText key;
        QVariant fields;
        QVariant* value = nullptr; ///< Put: the map's `value` entry
    };
    std::array<FieldsEntry, 64> m_fields {};
    Writer m_block;
    quint64 m_blockFirstEvent = 0;
    quint64 m_blockBaseStep = 0;
    quint32 m_blockEvents = 0;
    quint64 m_totalEvents = 0;
    quint64 m_lastStep = 0;
    quint64 m_prevStep = 0;
    int m_prevTask = 0;
    int m_prevStepIndex = 0;
    QHash<QByteArray, quint64> m_dedup;

    StringIndex m_strings;
    QHash<const char*, quint32> m_pointers;
    QHash<QByteArray, quint32> m_bytes;
    quint32 m_nextString = 0;
    std::vector<QByteArray> m_newStrings;
    QHash<LocationKey, quint32> m_locations;
    std::array<CacheEntry, 1024> m_locationCache {};
    quint32 m_nextLocation = 0;
    std::vector<Location> m_newLocations;
};

/// The strings and locations sent so far (the writer thread's copy, for decoding its blocks).
class MirrorTables final : public Tables, public StringSink {
public:
    quint64 stringCount() const override { return m_bytes.size(); }
    quint64 locationCount() const override { return m_locations.size(); }
    const QString& string(quint64 id) override { return m_strings[id]; }
    const QByteArray& bytes(quint64 id) override { return m_bytes[id]; }
    const char* cstring(quint64 id) override
    {
        if (!m_cstrings[id]) m_cstrings[id] = pooledCString(m_bytes[id]);
        return m_cstrings[id];
    }
    Location location(quint64 id) override { return m_locations[id]; }

    void addString(const QByteArray& b)
    {
        const quint32 id = quint32(m_bytes.size());
        m_bytes.push_back(b);
        m_cstrings.push_back(nullptr);
        m_strings.push_back(QString::fromUtf8(b));
        if (b.size() <= maxInternedString) {
            const quint64 h = StringIndex::hash(m_strings.back());
            if (m_reverse.find(m_strings.back(), h) < 0) m_reverse.insert(m_strings.back(), h, id);
        }
    }
    void addLocation(const Location& l) { m_locations.push_back(l); }

    // StringSink: checkpoint strings by id when the stream has them, else inline.
    void string(Writer& w, const QString& s) override
    {
        const qint64 id = m_reverse.find(s, StringIndex::hash(s));
        if (id >= 0) {
            w.putVar(quint64(id) << 1);
            return;
        }
        writeInlineString(w, s.toUtf8());
    }

private:
    std::vector<QByteArray> m_bytes;
    std::vector<const char*> m_cstrings;
    std::vector<QString> m_strings;
    std::vector<Location> m_locations;
    StringIndex m_reverse;
};

} // namespace doeff::trace
