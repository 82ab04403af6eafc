// The .doefftrace codecs shared by the recorder and the reader: values, event records and
// checkpoints (docs/trace-format.md).

#include "tracecodec.h"

#include <doeff/value.h>

#include <QDateTime>
#include <QTimeZone>

#include <array>
#include <mutex>
#include <string>
#include <unordered_set>

namespace doeff::trace {
namespace {

/// A value the format could not carry: prints as its recorded repr.
struct OpaqueValue {
    QString type;
    QString text;
    bool operator==(const OpaqueValue& other) const { return type == other.type && text == other.text; }
};

} // namespace
} // namespace doeff::trace

Q_DECLARE_METATYPE(doeff::trace::OpaqueValue)

// ---- SessionState's private members ----------------------------------------------------
//
// Checkpoints must restore a SessionState exactly, and SessionState has no public API for
// that: session.h makes this struct a friend. Only this file uses it.
namespace doeff {

using TaskMap = QMap<int, SessionTask>;
using StoreHash = QHash<int, Store>;
using LogList = QList<SessionLogEntry>;
using TreeVector = std::vector<SessionTreeNode>;

struct SessionStateAccess {
    static quint64& step(SessionState& s) { return s.m_step; }
    static quint64& events(SessionState& s) { return s.m_events; }
    static bool& started(SessionState& s) { return s.m_started; }
    static bool& finished(SessionState& s) { return s.m_finished; }
    static QString& status(SessionState& s) { return s.m_status; }
    static QString& program(SessionState& s) { return s.m_program; }
    static int& current(SessionState& s) { return s.m_current; }
    static QString& lastEffect(SessionState& s) { return s.m_lastEffect; }
    static QStringList& changedKeys(SessionState& s) { return s.m_changedKeys; }
    static quint64& changedStep(SessionState& s) { return s.m_changedStep; }
    static TaskMap& tasks(SessionState& s) { return s.m_tasks; }
    static StoreHash& stores(SessionState& s) { return s.m_stores; }
    static const StoreHash& stores(const SessionState& s) { return s.m_stores; }
    static LogList& logs(SessionState& s) { return s.m_logs; }
    static TreeVector& tree(SessionState& s) { return s.m_tree; }
};

} // namespace doeff

namespace doeff::trace {

using doeff::SessionStateAccess;

namespace {

// ---- basics ----------------------------------------------------------------------------

struct OpaqueRegistration {
    OpaqueRegistration()
    {
        registerRepr<OpaqueValue>([](const OpaqueValue& v) { return v.text; });
    }
};
void registerOpaque()
{
    static const OpaqueRegistration once;
    Q_UNUSED(once);
}

/// CRC-32 (IEEE 802.3, reflected, as zlib's crc32), slicing by 8.
struct CrcTables {
    std::array<std::array<quint32, 256>, 8> t {};
    CrcTables()
    {
        for (quint32 i = 0; i < 256; ++i) {
            quint32 c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[0][i] = c;
        }
        for (quint32 i = 0; i < 256; ++i)
            for (int s = 1; s < 8; ++s)
                t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
    }
};

} // namespace

const char* frameTypeName(FrameType type)
{
    switch (type) {
    case FrameType::Strings:
        return "string";
    case FrameType::Locations:
        return "location";
    case FrameType::Block:
        return "block";
    case FrameType::CheckpointDelta:
        return "checkpoint delta";
    case FrameType::CheckpointState:
        return "checkpoint";
    }
    return "?";
}

quint32 crc32(const void* data, size_t size)
{
    static const CrcTables tables;
    const auto& t = tables.t;
    const quint8* p = static_cast<const quint8*>(data);
    quint32 c = 0xffffffffu;
    while (size >= 8) {
        const quint32 a = c ^ (quint32(p[0]) | quint32(p[1]) << 8 | quint32(p[2]) << 16 | quint32(p[3]) << 24);
        c = t[7][a & 0xff] ^ t[6][(a >> 8) & 0xff] ^ t[5][(a >> 16) & 0xff] ^ t[4][a >> 24] ^ t[3][p[4]] ^ t[2][p[5]]
            ^ t[1][p[6]] ^ t[0][p[7]];
        p += 8;
        size -= 8;
    }
    while (size--)
        c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

void Writer::grow(size_t n)
{
    size_t cap = m_capacity ? m_capacity : 4096;
    while (cap < m_size + n)
        cap *= 2;
    void* p = std::realloc(m_data, cap);
    if (!p) throw std::bad_alloc();
    m_data = static_cast<quint8*>(p);
    m_capacity = cap;
}

void Cursor::truncated() const
{
    throw DecodeError { QStringLiteral("truncated"), pos() };
}

void Cursor::outOfRange(const char* what, qint64 v) const
{
    fail(QStringLiteral("%1 out of range (%2)").arg(QLatin1StringView(what)).arg(v));
}

void Cursor::fail(const QString& what) const
{
    throw DecodeError { what, pos() };
}

void failAtEvent(const Cursor& c, quint64 event, const QString& what)
{
    DecodeError e { what, c.pos() };
    e.event = qint64(event);
    throw e;
}

QString DecodeError::message() const
{
    QString s = what;
    if (event >= 0) s += QStringLiteral(" at event %1").arg(event);
    if (hasByte) s += event >= 0 ? QStringLiteral(" (byte %1)").arg(byte) : QStringLiteral(" at byte %1").arg(byte);
    return s;
}

Tables::~Tables() = default;

const char* pooledCString(const QByteArray& bytes)
{
    static std::mutex mutex;
    static auto* pool = new std::unordered_set<std::string>(); // never destroyed: addresses outlive everything
    std::lock_guard lock(mutex);
    return pool->emplace(bytes.constData(), size_t(bytes.size())).first->c_str();
}
StringSink::~StringSink() = default;

// ---- values ----------------------------------------------------------------------------

void writeOpaque(Writer& w, const QVariant& v)
{
    w.putU8(TagOpaque);
    writeInlineString(w, metaTypeDisplayName(v.metaType()).toUtf8());
    writeInlineString(w, repr(v).toUtf8());
}

void writeDateTime(Writer& w, const QVariant& v)
{
    const QDateTime dt = v.toDateTime();
    w.need(32);
    w.u8(TagDateTime);
    if (!dt.isValid()) {
        w.u8(0);
        return;
    }
    const int offset = dt.offsetFromUtc();
    w.u8(offset == 0 ? 1 : 2);
    w.svar(dt.toMSecsSinceEpoch());
    if (offset != 0) w.svar(offset);
}

QString readString(Cursor& c, Tables& t)
{
    const quint64 v = c.var();
    if (v & 1) {
        const quint64 n = v >> 1;
        const quint8* p = c.take(n);
        return QString::fromUtf8(reinterpret_cast<const char*>(p), qsizetype(n));
    }
    const quint64 id = v >> 1;
    if (id >= t.stringCount()) c.fail(QStringLiteral("bad string id %1").arg(id));
    return t.string(id);
}

void skipString(Cursor& c, Tables& t)
{
    const quint64 v = c.var();
    if (v & 1)
        c.take(v >> 1);
    else if ((v >> 1) >= t.stringCount())
        c.fail(QStringLiteral("bad string id %1").arg(v >> 1));
}

namespace {

QVariant readDateTime(Cursor& c)
{
    const quint8 kind = c.u8();
    if (kind == 0) return QDateTime();
    if (kind > 2) c.fail(QStringLiteral("bad date-time kind %1").arg(kind));
    const qint64 ms = c.svar();
    if (kind == 1) return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc());
    const qint64 offset = c.svar();
    if (offset < -86400 || offset > 86400) c.fail(QStringLiteral("bad UTC offset %1").arg(offset));
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone(int(offset)));
}

void checkDepth(const Cursor& c, int depth)
{
    if (depth >= maxValueDepth) c.fail(QStringLiteral("value nested too deeply"));
}

} // namespace

QVariant readValue(Cursor& c, Tables& t, int depth)
{
    const quint8 tag = c.u8();
    switch (tag) {
    case TagInvalid:
        return {};
    case TagNull:
        return QVariant::fromValue(nullptr);
    case TagFalse:
        return false;
    case TagTrue:
        return true;
    case TagInt:
        return c.intVar("int value");
    case TagUInt: {
        const quint64 v = c.var();
        if (v > std::numeric_limits<uint>::max()) c.fail(QStringLiteral("uint value out of range"));
        return uint(v);
    }
    case TagLongLong:
        return qlonglong(c.svar());
    case TagULongLong:
        return qulonglong(c.var());
    case TagDouble: {
        const quint64 bits = c.fixed64();
        double d;
        std::memcpy(&d, &bits, 8);
        return d;
    }
    case TagFloat: {
        const quint32 bits = c.fixed32();
        float f;
        std::memcpy(&f, &bits, 4);
        return f;
    }
    case TagString:
        return readString(c, t);
    case TagBytes: {
        const quint64 n = c.count("byte array");
        const quint8* p = c.take(n);
        return QByteArray(reinterpret_cast<const char*>(p), qsizetype(n));
    }
    case TagList: {
        checkDepth(c, depth);
        const quint64 n = c.count("list");
        QVariantList l;
        l.reserve(qsizetype(n));
        for (quint64 i = 0; i < n; ++i)
            l.append(readValue(c, t, depth + 1));
        return l;
    }
    case TagMap: {
        checkDepth(c, depth);
        const quint64 n = c.count("map", 2);
        QVariantMap m;
        for (quint64 i = 0; i < n; ++i) {
            QString key = readString(c, t);
            QVariant v = readValue(c, t, depth + 1);
            m.insert(m.cend(), key, v);
        }
        return m;
    }
    case TagHash: {
        checkDepth(c, depth);
        const quint64 n = c.count("hash", 2);
        QVariantHash m;
        m.reserve(qsizetype(n));
        for (quint64 i = 0; i < n; ++i) {
            QString key = readString(c, t);
            m.insert(key, readValue(c, t, depth + 1));
        }
        return m;
    }
    case TagStringList: {
        const quint64 n = c.count("string list");
        QStringList l;
        l.reserve(qsizetype(n));
        for (quint64 i = 0; i < n; ++i)
            l.append(readString(c, t));
        return l;
    }
    case TagDateTime:
        return readDateTime(c);
    case TagOpaque: {
        registerOpaque();
        OpaqueValue o;
        o.type = readString(c, t);
        o.text = readString(c, t);
        return QVariant::fromValue(o);
    }
    case TagBackRef:
        c.fail(QStringLiteral("back-reference inside a value"));
    default:
        break;
    }
    c.fail(QStringLiteral("unknown value tag %1").arg(tag));
}

void skipValue(Cursor& c, Tables& t, int depth)
{
    const quint8 tag = c.u8();
    switch (tag) {
    case TagInvalid:
    case TagNull:
    case TagFalse:
    case TagTrue:
        return;
    case TagInt:
        c.intVar("int value");
        return;
    case TagUInt:
    case TagLongLong:
    case TagULongLong:
        c.var();
        return;
    case TagDouble:
        c.take(8);
        return;
    case TagFloat:
        c.take(4);
        return;
    case TagString:
        skipString(c, t);
        return;
    case TagBytes:
        c.take(c.count("byte array"));
        return;
    case TagList: {
        checkDepth(c, depth);
        const quint64 n = c.count("list");
        for (quint64 i = 0; i < n; ++i)
            skipValue(c, t, depth + 1);
        return;
    }
    case TagMap:
    case TagHash: {
        checkDepth(c, depth);
        const quint64 n = c.count("map", 2);
        for (quint64 i = 0; i < n; ++i) {
            skipString(c, t);
            skipValue(c, t, depth + 1);
        }
        return;
    }
    case TagStringList: {
        const quint64 n = c.count("string list");
        for (quint64 i = 0; i < n; ++i)
            skipString(c, t);
        return;
    }
    case TagDateTime:
        readDateTime(c);
        return;
    case TagOpaque:
        skipString(c, t);
        skipString(c, t);
        return;
    case TagBackRef:
        c.fail(QStringLiteral("back-reference inside a value"));
    default:
        break;
    }
    c.fail(QStringLiteral("unknown value tag %1").arg(tag));
}

// ---- event records ---------------------------------------------------------------------

EventDecoder::EventDecoder(Cursor c, Tables& tables, quint64 firstEvent, quint64 firstStep)
    : m_c(c)
    , m_t(tables)
    , m_index(firstEvent)
    , m_step(firstStep)
{ }

QVariant EventDecoder::value(bool keep)
{
    if (!m_c.atEnd() && *m_c.ptr() == TagBackRef) {
        const quint64 at = m_c.offset();
        m_c.u8();
        const quint64 target = m_c.var();
        if (target >= at) m_c.fail(QStringLiteral("back-reference to offset %1 is not before it").arg(target));
        Cursor sub(m_c.begin(), m_c.end(), m_c.base());
        sub.seek(target);
        if (*sub.ptr() == TagBackRef) m_c.fail(QStringLiteral("back-reference to a back-reference"));
        if (!keep) return {};
        return readValue(sub, m_t);
    }
    if (!keep) {
        skipValue(m_c, m_t);
        return {};
    }
    return readValue(m_c, m_t);
}

void EventDecoder::next(Event& e)
{
    try {
        const quint8 h = m_c.u8();
        const int kind = h & KindMask;
        if (kind < 1 || kind > compactStepKind) m_c.fail(QStringLiteral("unknown event kind %1").arg(kind));
        const bool compact = kind == compactStepKind;
        e.kind = compact ? EventKind::Step : EventKind(kind);
        if (h & HasTask) m_task = m_c.intVar("task id");
        quint64 delta = compact ? 1 : 0;
        if (h & HasStepDelta) delta = m_c.var();
        if (delta > std::numeric_limits<quint64>::max() - m_step) m_c.fail(QStringLiteral("step number overflows"));
        m_step += delta;
        e.step = m_step;
        e.task = m_task;
        e.file = nullptr;
        e.line = 0;
        e.function = nullptr;
        if (h & HasLocation) {
            const quint64 id = m_c.var();
            if (id >= m_t.locationCount()) m_c.fail(QStringLiteral("bad location id %1").arg(id));
            const Location l = m_t.location(id);
            if (l.file >= 0) e.file = m_t.cstring(quint64(l.file));
            e.line = l.line;
            if (l.function >= 0) e.function = m_t.cstring(quint64(l.function));
        }
        e.index = -1;
        e.code = 0;
        e.name = QString();
        e.text = QString();
        e.value = QVariant();
        e.old = QVariant();
        if (compact) {
            const quint64 p = m_c.var();
            e.code = int(p & 3);
            const qint64 index = qint64(m_stepIndex) + unzigzag(p >> 2);
            if (index < std::numeric_limits<int>::min() || index > std::numeric_limits<int>::max())
                m_c.fail(QStringLiteral("K depth out of range"));
            m_stepIndex = e.index = int(index);
        } else {
            const quint8 f = m_c.u8();
            if (f & 0xc0) m_c.fail(QStringLiteral("unknown field flags 0x%1").arg(f, 2, 16, QLatin1Char('0')));
            if (f & HasIndex) e.index = m_c.intVar("index");
            if (f & HasCode) e.code = m_c.intVar("code");
            if (f & HasName) e.name = readString(m_c, m_t);
            if (f & HasText) e.text = readString(m_c, m_t);
            bool keepValue = true;
            bool keepOld = true;
            if (m_reduceOnly) {
                switch (e.kind) {
                case EventKind::RunStarted:
                case EventKind::TaskSpawned:
                    break;
                case EventKind::StoreWrite:
                case EventKind::StoreReplaced:
                case EventKind::EnvEntered:
                case EventKind::EnvLeft:
                case EventKind::LogAppended:
                    keepOld = false;
                    break;
                default:
                    keepValue = keepOld = false;
                    break;
                }
            }
            if (f & HasValue) e.value = value(keepValue);
            if (f & HasOld) e.old = value(keepOld);
            if (e.kind == EventKind::Step) m_stepIndex = e.index;
        }
    } catch (DecodeError& err) {
        err.event = qint64(m_index);
        throw;
    }
    ++m_index;
}

// ---- checkpoints -----------------------------------------------------------------------

namespace {

void writeStr(Writer& w, StringSink& strings, const QString& s)
{
    strings.string(w, s);
}

} // namespace

void writeCheckpointState(Writer& w, const SessionState& s, StringSink& strings)
{
    w.putVar(s.eventCount());
    w.putVar(s.step());
    w.putU8(quint8((s.started() ? 1 : 0) | (s.finished() ? 2 : 0)));
    writeStr(w, strings, s.status());
    writeStr(w, strings, s.programName());
    w.putSvar(s.currentTask());
    writeStr(w, strings, s.lastEffect());
    w.putVar(quint64(s.changedKeys().size()));
    for (const QString& k : s.changedKeys())
        writeStr(w, strings, k);

    const StoreHash& stores = SessionStateAccess::stores(s);
    w.putVar(quint64(stores.size()));
    for (auto it = stores.cbegin(); it != stores.cend(); ++it) {
        w.putSvar(it.key());
        const Store& store = it.value();
        w.putVar(quint64(store.size()));
        for (const auto& [key, value] : store.entries()) {
            writeStr(w, strings, key);
            writeValue(w, value, strings);
        }
    }

    w.putVar(quint64(s.tasks().size()));
    for (const SessionTask& t : s.tasks()) {
        w.putSvar(t.id);
        writeStr(w, strings, t.name);
        w.putVar(quint64(t.kind));
        w.putSvar(t.parent);
        w.putVar(quint64(t.state));
        writeStr(w, strings, t.waitsOn);
        w.putVar(t.steps);
        w.putSvar(t.storeOwner);
        writeStr(w, strings, t.currentEffect);
        writeStr(w, strings, t.outcome);
        w.putSvar(t.lastEffectNode);
        writeValue(w, QVariant(t.env), strings);
        w.putVar(quint64(t.k.size()));
        for (const SessionFrame& f : t.k) {
            w.putVar(quint64(f.kind));
            writeStr(w, strings, f.description);
            writeStr(w, strings, f.file);
            w.putSvar(f.line);
            writeStr(w, strings, f.function);
            w.putSvar(f.node);
        }
    }
    w.putVar(quint64(s.logs().size()));
    w.putVar(quint64(s.tree().size()));
}

void writeCheckpointDelta(Writer& w, const SessionState& s, const CheckpointMarks& marks,
                          const std::vector<int>& patchedNodes, StringSink& strings)
{
    w.putVar(s.eventCount());
    const auto& logs = s.logs();
    w.putVar(quint64(marks.logs));
    w.putVar(quint64(logs.size() - marks.logs));
    for (qsizetype i = marks.logs; i < logs.size(); ++i) {
        const SessionLogEntry& l = logs[i];
        w.putVar(l.step);
        w.putSvar(l.task);
        writeValue(w, l.message, strings);
    }
    const auto& tree = s.tree();
    w.putVar(quint64(marks.nodes));
    w.putVar(quint64(tree.size() - marks.nodes));
    for (size_t i = marks.nodes; i < tree.size(); ++i) {
        const SessionTreeNode& n = tree[i];
        w.putSvar(n.parent);
        writeStr(w, strings, n.display);
        w.putU8(quint8((n.effect ? 1 : 0) | (n.error ? 2 : 0) | (n.more ? 4 : 0)));
        w.putSvar(n.task);
        w.putSvar(n.count);
        if (n.more) w.putSvar(n.more);
    }
    w.putVar(quint64(patchedNodes.size()));
    for (int id : patchedNodes) {
        const SessionTreeNode& n = tree[size_t(id)];
        w.putVar(quint64(id));
        w.putSvar(n.count);
        w.putU8(quint8((n.error ? 2 : 0) | (n.more ? 4 : 0)));
        if (n.more) w.putSvar(n.more);
    }
}

void clearKeepingCapacity(SessionState& s)
{
    using A = SessionStateAccess;
    TreeVector tree = std::move(A::tree(s));
    LogList logs = std::move(A::logs(s));
    tree.clear();
    logs.clear();
    s = SessionState();
    A::tree(s) = std::move(tree);
    A::logs(s) = std::move(logs);
}

void reserveCheckpoint(SessionState& s, quint64 logs, quint64 nodes)
{
    SessionStateAccess::logs(s).reserve(qsizetype(logs));
    SessionStateAccess::tree(s).reserve(size_t(nodes));
}

void linkTree(SessionState& s, const std::vector<int>& parents)
{
    // what SessionState::addNode does node by node, in two passes over the parents alone:
    // sized lists, no regrowth, and the nodes themselves stay out of the cache
    TreeVector& tree = SessionStateAccess::tree(s);
    const size_t from = tree.size() - parents.size();
    std::vector<quint32> extra(tree.size(), 0);
    for (size_t k = 0; k < parents.size(); ++k) {
        const int parent = parents[k];
        if (parent >= 0 && size_t(parent) < from + k) ++extra[size_t(parent)];
    }
    for (size_t p = 0; p < tree.size(); ++p) {
        if (!extra[p]) continue;
        QList<int>& children = tree[p].children;
        const qsizetype old = children.size();
        children.resize(old + qsizetype(extra[p]));
        extra[p] = quint32(old);
    }
    for (size_t k = 0; k < parents.size(); ++k) {
        const int parent = parents[k];
        if (parent >= 0 && size_t(parent) < from + k)
            tree[size_t(parent)].children.data()[extra[size_t(parent)]++] = int(from + k);
    }
}

namespace {
int unrecordedCount(Cursor& c)
{
    const int n = c.intVar("node's unrecorded children");
    if (n <= 0) c.fail(QStringLiteral("bad count of unrecorded children %1").arg(n));
    return n;
}
} // namespace

void readCheckpointDelta(Cursor& c, Tables& t, SessionState& s, CheckpointMarks& marks, std::vector<int>& parents)
{
    c.var(); // event index (checked by the caller against the index)
    LogList& logs = SessionStateAccess::logs(s);
    if (c.var() != quint64(marks.logs))
        c.fail(QStringLiteral("checkpoint logs do not continue the previous checkpoint"));
    const quint64 nLogs = c.count("log entry", 3);
    if (logs.capacity() < logs.size() + qsizetype(nLogs))
        logs.reserve(std::max(logs.size() + qsizetype(nLogs), 2 * logs.capacity()));
    for (quint64 i = 0; i < nLogs; ++i) {
        SessionLogEntry l;
        l.step = c.var();
        l.task = c.intVar("task id");
        l.message = readValue(c, t);
        logs.append(std::move(l));
    }
    marks.logs = logs.size();

    TreeVector& tree = SessionStateAccess::tree(s);
    if (c.var() != quint64(marks.nodes))
        c.fail(QStringLiteral("checkpoint tree does not continue the previous checkpoint"));
    const quint64 nNodes = c.count("tree node", 5);
    if (tree.size() + nNodes > size_t(std::numeric_limits<int>::max())) c.fail(QStringLiteral("too many tree nodes"));
    if (tree.capacity() < tree.size() + nNodes)
        tree.reserve(std::max(size_t(tree.size() + nNodes), 2 * tree.capacity()));
    for (quint64 i = 0; i < nNodes; ++i) {
        SessionTreeNode n;
        n.parent = c.intVar("tree parent");
        n.display = readString(c, t);
        const quint8 flags = c.u8();
        if (flags & ~7) c.fail(QStringLiteral("bad tree node flags"));
        n.effect = flags & 1;
        n.error = flags & 2;
        n.task = c.intVar("task id");
        n.count = c.intVar("node count");
        if (flags & 4) n.more = unrecordedCount(c);
        parents.push_back(n.parent);
        tree.push_back(std::move(n));
    }
    const size_t before = marks.nodes;
    marks.nodes = tree.size();
    const quint64 nPatches = c.count("tree patch", 3);
    for (quint64 i = 0; i < nPatches; ++i) {
        const quint64 id = c.var();
        if (id >= before) c.fail(QStringLiteral("tree patch of unknown node %1").arg(id));
        SessionTreeNode& n = tree[size_t(id)];
        n.count = c.intVar("node count");
        const quint8 flags = c.u8();
        if (flags & ~6) c.fail(QStringLiteral("bad tree node flags"));
        n.error = flags & 2;
        n.more = flags & 4 ? unrecordedCount(c) : 0;
    }
    if (!c.atEnd()) c.fail(QStringLiteral("unexpected bytes after the checkpoint delta"));
}

void readCheckpointState(Cursor& c, Tables& t, SessionState& s, const CheckpointMarks& marks)
{
    using A = SessionStateAccess;
    A::events(s) = c.var();
    A::step(s) = c.var();
    A::changedStep(s) = A::step(s);
    const quint8 flags = c.u8();
    if (flags & ~3) c.fail(QStringLiteral("bad checkpoint flags"));
    A::started(s) = flags & 1;
    A::finished(s) = flags & 2;
    A::status(s) = readString(c, t);
    A::program(s) = readString(c, t);
    A::current(s) = c.intVar("current task");
    A::lastEffect(s) = readString(c, t);
    const quint64 nChanged = c.count("changed key");
    QStringList& changed = A::changedKeys(s);
    changed.clear();
    changed.reserve(qsizetype(nChanged));
    for (quint64 i = 0; i < nChanged; ++i)
        changed.append(readString(c, t));

    StoreHash& stores = A::stores(s);
    stores.clear();
    const quint64 nStores = c.count("store", 2);
    for (quint64 i = 0; i < nStores; ++i) {
        const int owner = c.intVar("store owner");
        const quint64 n = c.count("store entry", 2);
        Store store;
        for (quint64 j = 0; j < n; ++j) {
            const QString key = readString(c, t);
            store.insert(key, readValue(c, t));
        }
        stores.insert(owner, std::move(store));
    }

    TaskMap& tasks = A::tasks(s);
    tasks.clear();
    const quint64 nTasks = c.count("task", 16);
    for (quint64 i = 0; i < nTasks; ++i) {
        SessionTask task;
        task.id = c.intVar("task id");
        task.name = readString(c, t);
        const quint64 kind = c.var();
        if (kind > quint64(TaskKindCode::Branch)) c.fail(QStringLiteral("bad task kind %1").arg(kind));
        task.kind = TaskKindCode(kind);
        task.parent = c.intVar("task parent");
        const quint64 state = c.var();
        if (state > quint64(TaskStateCode::Cancelled)) c.fail(QStringLiteral("bad task state %1").arg(state));
        task.state = TaskStateCode(state);
        task.waitsOn = readString(c, t);
        task.steps = c.var();
        task.storeOwner = c.intVar("store owner");
        task.currentEffect = readString(c, t);
        task.outcome = readString(c, t);
        task.lastEffectNode = c.intVar("tree node");
        const QVariant env = readValue(c, t);
        if (env.userType() != QMetaType::QVariantMap) c.fail(QStringLiteral("task environment is not a map"));
        task.env = env.toMap();
        const quint64 nFrames = c.count("frame", 6);
        task.k.reserve(qsizetype(nFrames));
        for (quint64 j = 0; j < nFrames; ++j) {
            SessionFrame f;
            const quint64 fk = c.var();
            if (fk > quint64(FrameKindCode::Convert)) c.fail(QStringLiteral("bad frame kind %1").arg(fk));
            f.kind = FrameKindCode(fk);
            f.description = readString(c, t);
            f.file = readString(c, t);
            f.line = c.intVar("line");
            f.function = readString(c, t);
            f.node = c.intVar("tree node");
            task.k.append(std::move(f));
        }
        tasks.insert(task.id, std::move(task));
    }
    const quint64 nLogs = c.var();
    const quint64 nNodes = c.var();
    if (nLogs != quint64(marks.logs) || nNodes != quint64(marks.nodes))
        c.fail(QStringLiteral("checkpoint totals (%1 logs, %2 nodes) do not match its deltas (%3, %4)")
                   .arg(nLogs)
                   .arg(nNodes)
                   .arg(marks.logs)
                   .arg(marks.nodes));
    if (!c.atEnd()) c.fail(QStringLiteral("unexpected bytes after the checkpoint"));
}

} // namespace doeff::trace
