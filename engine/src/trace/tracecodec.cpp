// The .doefftrace codecs shared by the recorder and the reader: values, event records and
// checkpoints (docs/trace-format.md).

#include "tracerecords.h"

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
    template<class S> static auto& step(S& s) { return s.m_step; }
    template<class S> static auto& events(S& s) { return s.m_events; }
    template<class S> static auto& started(S& s) { return s.m_started; }
    template<class S> static auto& finished(S& s) { return s.m_finished; }
    template<class S> static auto& status(S& s) { return s.m_status; }
    template<class S> static auto& program(S& s) { return s.m_program; }
    template<class S> static auto& current(S& s) { return s.m_current; }
    template<class S> static auto& lastEffect(S& s) { return s.m_lastEffect; }
    template<class S> static auto& changedKeys(S& s) { return s.m_changedKeys; }
    template<class S> static auto& changedStep(S& s) { return s.m_changedStep; }
    template<class S> static auto& tasks(S& s)
    {
        if constexpr (!std::is_const_v<S>) s.m_lastTask = {}; // being read into: taskRef() looks again
        return s.m_tasks;
    }
    template<class S> static auto& stores(S& s) { return s.m_stores; }
    template<class S> static auto& logs(S& s) { return s.m_logs; }
    template<class S> static auto& tree(S& s) { return s.m_tree; }
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

QString opaqueTypeIn(const QVariant& v, int depth)
{
    if (v.metaType() == QMetaType::fromType<OpaqueValue>()) return v.value<OpaqueValue>().type;
    if (depth > maxValueDepth) return {};
    switch (v.metaType().id()) {
    case QMetaType::QVariantList:
        for (const QVariant& item : *static_cast<const QVariantList*>(v.constData()))
            if (QString t = opaqueTypeIn(item, depth + 1); !t.isEmpty()) return t;
        break;
    case QMetaType::QVariantMap:
        for (const QVariant& item : *static_cast<const QVariantMap*>(v.constData()))
            if (QString t = opaqueTypeIn(item, depth + 1); !t.isEmpty()) return t;
        break;
    case QMetaType::QVariantHash:
        for (const QVariant& item : *static_cast<const QVariantHash*>(v.constData()))
            if (QString t = opaqueTypeIn(item, depth + 1); !t.isEmpty()) return t;
        break;
    default:
        break;
    }
    return {};
}

void writeOpaque(Writer& w, const QVariant& v)
{
    w.putU8(TagOpaque);
    writeInlineString(w, metaTypeDisplayName(v.metaType()).toUtf8());
    writeInlineString(w, repr(v).toUtf8());
}

void writeTypedHead(Writer& w, const QVariant& v)
{
    w.putU8(TagTyped);
    writeInlineString(w, QByteArray(v.metaType().name()));
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
    case TagTyped: {
        const QString type = readString(c, t);
        QString text = readString(c, t);
        const QVariant value = readValue(c, t, depth + 1);
        // the type again where its converters are registered (the program's own process)
        const QMetaType meta = QMetaType::fromName(type.toUtf8());
        if (QVariant typed = value;
            meta.isValid() && QMetaType::canConvert(value.metaType(), meta) && typed.convert(meta))
            return typed;
        registerOpaque();
        return QVariant::fromValue(OpaqueValue { type, std::move(text) });
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
    case TagTyped:
        skipString(c, t);
        skipString(c, t);
        skipValue(c, t, depth + 1);
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

void EventDecoder::next(Event& e)
{
    try {
        Get get(m_c, m_t);
        RecordHead head;
        get.record(head, recordHeadFields(m_task, m_step));
        const bool compact = head.kind == compactStepKind;
        e.kind = eventKindOfRecord(head.kind);
        m_task = head.task;
        m_step += head.delta;
        e.step = m_step;
        e.task = m_task;
        e.file = nullptr;
        e.line = 0;
        e.function = nullptr;
        if (head.located) {
            const Location l = m_t.location(head.location);
            if (l.file >= 0) e.file = m_t.cstring(quint64(l.file));
            e.line = l.line;
            if (l.function >= 0) e.function = m_t.cstring(quint64(l.function));
        }
        if (compact) {
            detail::clearText(e.name);
            detail::clearText(e.text);
            detail::clearValue(e.value);
            detail::clearValue(e.old);
            get.record(e, compactStepFields(m_stepIndex));
            m_stepIndex = e.index;
        } else {
            bool keepValue = true;
            bool keepOld = true;
            if (m_reduceOnly) {
                switch (e.kind) {
                case EventKind::RunStarted:
                case EventKind::TaskSpawned:
                case EventKind::FramePushed: // (true: a frame given back)
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
            get.record(e, eventBodyFields(keepValue, keepOld));
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

using A = SessionStateAccess;

/// The totals that end a state frame (the reader checks them against the delta frames).
struct StateTotals {
    quint64 logs = 0;
    quint64 nodes = 0;
};

/// State frame: everything but the logs and the tree (those are in the delta frames).
auto stateFields(StateTotals& totals)
{
    return [&totals](auto& io, auto& s) {
        io.var(A::events(s));
        io.var(A::step(s));
        io.flags(3, [](const Cursor& c, quint8) { c.fail(QStringLiteral("bad checkpoint flags")); });
        io.bit(1, A::started(s));
        io.bit(2, A::finished(s));
        io.str(A::status(s));
        io.str(A::program(s));
        io.i32(A::current(s), "current task");
        io.str(A::lastEffect(s));
        io.list(A::changedKeys(s), "changed key", 1, stringFields);
        io.list(A::stores(s), "store", 2, storeFields);
        io.list(A::tasks(s), "task", 16, taskFields);
        io.var(totals.logs);
        io.var(totals.nodes);
    };
}

/// Writing a delta frame: the logs and nodes from the marks on, and the patched nodes.
struct LogTail {
    const LogList& logs;
    qsizetype from;
};
struct TreeTail {
    const TreeVector& tree;
    size_t from;
};
struct PatchesOut {
    const std::vector<int>& ids;
    const TreeVector& tree;
};
struct DeltaOut {
    quint64 eventIndex;
    quint64 firstLog;
    LogTail logs;
    quint64 firstNode;
    TreeTail nodes;
    PatchesOut patches;
};

/// Reading one: logs and nodes appended (the nodes' parents collected for linkTree), patches
/// applied.
struct LogAppend {
    LogList& logs;
};
struct TreeAppend {
    TreeVector& tree;
    std::vector<int>& parents;
    const Cursor& c;
};
struct PatchApply {
    TreeVector& tree;
};
struct DeltaIn {
    quint64 eventIndex = 0;
    quint64 firstLog = 0;
    LogAppend logs;
    quint64 firstNode = 0;
    TreeAppend nodes;
    PatchApply patches;
};

/// Delta frame: var event index; the new logs and nodes, each list after the count of the
/// earlier frames' (`expected`, checked when reading); the patches.
auto deltaFields(const CheckpointMarks& expected)
{
    return [&expected](auto& io, auto& d) {
        io.var(d.eventIndex);
        io.var(d.firstLog);
        io.check([&](const Cursor& c) {
            if (d.firstLog != quint64(expected.logs))
                c.fail(QStringLiteral("checkpoint logs do not continue the previous checkpoint"));
        });
        io.list(d.logs, "log entry", 3, logEntryFields);
        io.var(d.firstNode);
        io.check([&](const Cursor& c) {
            if (d.firstNode != quint64(expected.nodes))
                c.fail(QStringLiteral("checkpoint tree does not continue the previous checkpoint"));
        });
        io.list(d.nodes, "tree node", 5, treeNodeFields);
        io.list(d.patches, "tree patch", 3, treePatchFields(expected.nodes));
    };
}

} // namespace

template<> struct Seq<LogTail> {
    static quint64 size(const LogTail& t) { return quint64(t.logs.size() - t.from); }
    template<class Fn> static void each(const LogTail& t, Fn&& fn)
    {
        for (qsizetype i = t.from; i < t.logs.size(); ++i)
            fn(t.logs[i]);
    }
};
template<> struct Seq<TreeTail> {
    static quint64 size(const TreeTail& t) { return quint64(t.tree.size() - t.from); }
    template<class Fn> static void each(const TreeTail& t, Fn&& fn)
    {
        for (size_t i = t.from; i < t.tree.size(); ++i)
            fn(t.tree[i]);
    }
};
template<> struct Seq<PatchesOut> {
    static quint64 size(const PatchesOut& p) { return quint64(p.ids.size()); }
    template<class Fn> static void each(const PatchesOut& p, Fn&& fn)
    {
        for (int id : p.ids) {
            const SessionTreeNode& n = p.tree[size_t(id)];
            fn(TreePatch { quint64(id), n.count, n.error, n.more });
        }
    }
};
template<> struct Seq<LogAppend> {
    using Item = SessionLogEntry;
    static void start(LogAppend& a, quint64 n)
    {
        LogList& logs = a.logs;
        if (logs.capacity() < logs.size() + qsizetype(n))
            logs.reserve(std::max(logs.size() + qsizetype(n), 2 * logs.capacity()));
    }
    static void add(LogAppend& a, SessionLogEntry&& l) { a.logs.append(std::move(l)); }
};
template<> struct Seq<TreeAppend> {
    using Item = SessionTreeNode;
    static void start(TreeAppend& a, quint64 n)
    {
        TreeVector& tree = a.tree;
        if (tree.size() + n > size_t(std::numeric_limits<int>::max())) a.c.fail(QStringLiteral("too many tree nodes"));
        if (tree.capacity() < tree.size() + n) tree.reserve(std::max(size_t(tree.size() + n), 2 * tree.capacity()));
    }
    static void add(TreeAppend& a, SessionTreeNode&& n)
    {
        a.parents.push_back(n.parent);
        a.tree.push_back(std::move(n));
    }
};
template<> struct Seq<PatchApply> {
    using Item = TreePatch;
    static void start(PatchApply&, quint64) { }
    static void add(PatchApply& a, TreePatch&& p)
    {
        SessionTreeNode& n = a.tree[size_t(p.id)];
        n.count = p.count;
        n.error = p.error;
        n.more = p.more;
    }
};

void writeCheckpointState(Writer& w, const SessionState& s, StringSink& strings)
{
    StateTotals totals { quint64(s.logs().size()), quint64(s.tree().size()) };
    Put<StringSink> put(w, strings);
    put.record(s, stateFields(totals));
}

void writeCheckpointDelta(Writer& w, const SessionState& s, const CheckpointMarks& marks,
                          const std::vector<int>& patchedNodes, StringSink& strings)
{
    const DeltaOut d { s.eventCount(),
                       quint64(marks.logs),
                       LogTail { s.logs(), marks.logs },
                       quint64(marks.nodes),
                       TreeTail { s.tree(), marks.nodes },
                       PatchesOut { patchedNodes, s.tree() } };
    Put<StringSink> put(w, strings);
    put.record(d, deltaFields(marks));
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

void readCheckpointDelta(Cursor& c, Tables& t, SessionState& s, CheckpointMarks& marks, std::vector<int>& parents)
{
    // the event index is checked by the caller against the index
    DeltaIn d { 0, 0, LogAppend { A::logs(s) }, 0, TreeAppend { A::tree(s), parents, c }, PatchApply { A::tree(s) } };
    Get get(c, t);
    get.record(d, deltaFields(marks));
    marks.logs = A::logs(s).size();
    marks.nodes = A::tree(s).size();
    if (!c.atEnd()) c.fail(QStringLiteral("unexpected bytes after the checkpoint delta"));
}

void readCheckpointState(Cursor& c, Tables& t, SessionState& s, const CheckpointMarks& marks)
{
    StateTotals totals;
    Get get(c, t);
    get.record(s, stateFields(totals));
    A::changedStep(s) = A::step(s);
    if (totals.logs != quint64(marks.logs) || totals.nodes != quint64(marks.nodes))
        c.fail(QStringLiteral("checkpoint totals (%1 logs, %2 nodes) do not match its deltas (%3, %4)")
                   .arg(totals.logs)
                   .arg(totals.nodes)
                   .arg(marks.logs)
                   .arg(marks.nodes));
    if (!c.atEnd()) c.fail(QStringLiteral("unexpected bytes after the checkpoint"));
}

} // namespace doeff::trace
