// Trace exports: readable JSON of the whole stream, Chrome Trace Event JSON for Perfetto, and
// the text dump of a reduced state that `doeff-run --inspect-trace` prints.

#include <doeff/trace.h>
#include <doeff/value.h>

#include <QHash>
#include <QMap>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>

namespace doeff {

namespace {

const char* controlKindName(int code)
{
    switch (ControlKind(code)) {
    case ControlKind::Start:
        return "start";
    case ControlKind::Value:
        return "value";
    case ControlKind::Error:
        return "error";
    case ControlKind::Perform:
        return "perform";
    }
    return "?";
}

/// The name of an event's `code` for its kind, or nullptr when the code has no name.
const char* codeName(const Event& e)
{
    switch (e.kind) {
    case EventKind::RunFinished:
        return e.code == 1 ? "ok" : "err";
    case EventKind::Step:
        return controlKindName(e.code);
    case EventKind::FramePushed:
    case EventKind::FramePopped:
        return frameKindCodeName(FrameKindCode(e.code));
    case EventKind::EffectHandled:
        return handledHowName(HandledHow(e.code));
    case EventKind::TaskSpawned:
        return taskKindCodeName(TaskKindCode(e.code));
    case EventKind::TaskStateChanged:
    case EventKind::TaskFinished:
        return taskStateCodeName(TaskStateCode(e.code));
    case EventKind::ErrorCaught:
        return e.code == 1 ? "by Safe" : e.code == 2 ? "by program code" : e.code == 3 ? "dropped unread" : "?";
    case EventKind::InputReceived:
        return inputKindName(InputKind(e.code));
    default:
        return nullptr;
    }
}

/// Streams JSON text to a device through a buffer.
class JsonOut {
public:
    explicit JsonOut(QIODevice& device)
        : m_device(device)
    { }
    bool ok() const { return m_ok; }
    /// Why the first failed write failed (QFileDevice's text is often "Unknown error").
    QString error() const { return m_errno ? QString::fromLocal8Bit(std::strerror(m_errno)) : m_device.errorString(); }

    JsonOut& raw(const char* s)
    {
        m_buf.append(s);
        return maybeFlush();
    }
    JsonOut& raw(const QByteArray& s)
    {
        m_buf.append(s);
        return maybeFlush();
    }
    JsonOut& num(qint64 v)
    {
        m_buf.append(QByteArray::number(v));
        return *this;
    }
    JsonOut& unum(quint64 v)
    {
        m_buf.append(QByteArray::number(v));
        return *this;
    }
    JsonOut& dbl(double v)
    {
        if (!std::isfinite(v)) return str(QString::number(v));
        char b[64];
        const auto [end, ec] = std::to_chars(b, b + sizeof b, v);
        m_buf.append(b, ec == std::errc() ? end - b : 0);
        return *this;
    }
    JsonOut& str(const QString& s) { return str(s.toUtf8()); }
    JsonOut& str(const char* s) { return str(QByteArray(s)); }
    JsonOut& str(const QByteArray& utf8)
    {
        m_buf.append('"');
        for (const char ch : utf8) {
            const auto c = static_cast<unsigned char>(ch);
            switch (c) {
            case '"':
                m_buf.append("\\\"");
                break;
            case '\\':
                m_buf.append("\\\\");
                break;
            case '\n':
                m_buf.append("\\n");
                break;
            case '\r':
                m_buf.append("\\r");
                break;
            case '\t':
                m_buf.append("\\t");
                break;
            default:
                if (c < 0x20) {
                    char e[8];
                    std::snprintf(e, sizeof e, "\\u%04x", c);
                    m_buf.append(e);
                } else {
                    m_buf.append(ch);
                }
            }
        }
        m_buf.append('"');
        return maybeFlush();
    }
    /// Values as JSON; what JSON cannot carry as {"$type": …, "$repr": …}.
    JsonOut& value(const QVariant& v, int depth = 0)
    {
        if (isNull(v)) return raw("null");
        switch (v.userType()) {
        case QMetaType::Bool:
            return raw(v.toBool() ? "true" : "false");
        case QMetaType::Int:
        case QMetaType::LongLong:
        case QMetaType::Long:
        case QMetaType::Short:
        case QMetaType::Char:
        case QMetaType::SChar:
            return num(v.toLongLong());
        case QMetaType::UInt:
        case QMetaType::ULongLong:
        case QMetaType::ULong:
        case QMetaType::UShort:
        case QMetaType::UChar:
            return unum(v.toULongLong());
        case QMetaType::Double:
        case QMetaType::Float:
            return dbl(v.toDouble());
        case QMetaType::QString:
        case QMetaType::QChar:
            return str(v.toString());
        case QMetaType::QStringList: {
            raw("[");
            bool first = true;
            for (const QString& s : *static_cast<const QStringList*>(v.constData())) {
                if (!first) raw(",");
                first = false;
                str(s);
            }
            return raw("]");
        }
        case QMetaType::QVariantList:
            if (depth < 64) {
                raw("[");
                bool first = true;
                for (const QVariant& x : *static_cast<const QVariantList*>(v.constData())) {
                    if (!first) raw(",");
                    first = false;
                    value(x, depth + 1);
                }
                return raw("]");
            }
            break;
        case QMetaType::QVariantMap:
            if (depth < 64) {
                raw("{");
                const auto& m = *static_cast<const QVariantMap*>(v.constData());
                for (auto it = m.cbegin(); it != m.cend(); ++it) {
                    if (it != m.cbegin()) raw(",");
                    str(it.key()).raw(":").value(it.value(), depth + 1);
                }
                return raw("}");
            }
            break;
        case QMetaType::QVariantHash:
            if (depth < 64) {
                const auto& h = *static_cast<const QVariantHash*>(v.constData());
                QStringList keys = h.keys();
                keys.sort();
                raw("{");
                for (qsizetype i = 0; i < keys.size(); ++i) {
                    if (i) raw(",");
                    str(keys[i]).raw(":").value(h.value(keys[i]), depth + 1);
                }
                return raw("}");
            }
            break;
        default:
            break;
        }
        raw("{\"$type\":").str(metaTypeDisplayName(v.metaType()));
        return raw(",\"$repr\":").str(repr(v)).raw("}");
    }

    bool flush()
    {
        if (m_ok && !m_buf.isEmpty()) {
            errno = 0;
            m_ok = m_device.write(m_buf) == m_buf.size();
            if (!m_ok) m_errno = errno;
            m_buf.clear();
        }
        return m_ok;
    }

private:
    JsonOut& maybeFlush()
    {
        if (m_buf.size() >= (1 << 20)) flush();
        return *this;
    }

    QIODevice& m_device;
    QByteArray m_buf;
    bool m_ok = true;
    int m_errno = 0;
};

void metadataObject(JsonOut& j, const TraceMetadata& m)
{
    j.raw("{");
    for (qsizetype i = 0; i < m.entries.size(); ++i) {
        if (i) j.raw(",");
        j.str(m.entries[i].first).raw(":").str(m.entries[i].second);
    }
    j.raw("}");
}

bool finishExport(TraceReader& reader, JsonOut& j, bool decoded, QString* errorString)
{
    if (!decoded) {
        if (errorString) *errorString = reader.errorString();
        return false;
    }
    if (!j.flush()) {
        if (errorString) *errorString = QStringLiteral("write failed: ") + j.error();
        return false;
    }
    return true;
}

} // namespace

bool exportTraceJson(TraceReader& reader, QIODevice& out, QString* errorString)
{
    JsonOut j(out);
    j.raw("{\"format\":\"doeff-trace-json\",\"version\":1,\"traceVersion\":").num(reader.metadata().version);
    j.raw(",\"eventCount\":").unum(reader.eventCount()).raw(",\"stepCount\":").unum(reader.stepCount());
    j.raw(",\"metadata\":");
    metadataObject(j, reader.metadata());
    j.raw(",\"events\":[");
    quint64 i = 0;
    const bool ok = reader.forEachEvent(0, reader.eventCount(), [&](const Event& e) {
        j.raw(i ? ",\n{\"i\":" : "\n{\"i\":").unum(i);
        j.raw(",\"kind\":").str(eventKindName(e.kind));
        j.raw(",\"step\":").unum(e.step).raw(",\"task\":").num(e.task);
        if (e.file) j.raw(",\"file\":").str(e.file);
        if (e.line) j.raw(",\"line\":").num(e.line);
        if (e.function) j.raw(",\"function\":").str(e.function);
        if (e.index != -1) j.raw(",\"index\":").num(e.index);
        j.raw(",\"code\":").num(e.code);
        if (const char* cn = codeName(e)) j.raw(",\"codeName\":").str(cn);
        if (!e.name.isEmpty()) j.raw(",\"name\":").str(e.name);
        if (!e.text.isEmpty()) j.raw(",\"text\":").str(e.text);
        if (e.value.isValid()) j.raw(",\"value\":").value(e.value);
        if (e.old.isValid()) j.raw(",\"old\":").value(e.old);
        j.raw("}");
        ++i;
        return j.ok();
    });
    j.raw("\n]}\n");
    return finishExport(reader, j, ok, errorString);
}

bool exportPerfetto(TraceReader& reader, QIODevice& out, QString* errorString)
{
    JsonOut j(out);
    struct Frame {
        bool program = false;
    };
    QHash<int, std::vector<Frame>> stacks;
    QMap<int, QString> threadNames; // emitted at the end: a task's name arrives after its first events
    quint64 lastStep = 0;
    int inStep = 0;
    QByteArray ts = "0.000";
    bool first = true;

    const auto tid = [](int task) { return qint64(task) + 1; };
    const auto begin = [&](const char* ph, int task) -> JsonOut& {
        j.raw(first ? "\n{\"ph\":\"" : ",\n{\"ph\":\"");
        first = false;
        return j.raw(ph).raw("\",\"pid\":1,\"tid\":").num(tid(task)).raw(",\"ts\":").raw(ts);
    };
    const auto threadName = [&](int task, const QString& name) {
        j.raw(first ? "\n{\"ph\":\"M\"" : ",\n{\"ph\":\"M\"");
        first = false;
        j.raw(",\"pid\":1,\"tid\":").num(tid(task)).raw(",\"name\":\"thread_name\",\"args\":{\"name\":").str(name);
        j.raw("}},\n{\"ph\":\"M\",\"pid\":1,\"tid\":").num(tid(task));
        j.raw(",\"name\":\"thread_sort_index\",\"args\":{\"sort_index\":").num(tid(task)).raw("}}");
    };
    const auto truncate = [&](int task, qsizetype size) {
        auto& stack = stacks[task];
        if (size < 0) return;
        while (qsizetype(stack.size()) > size) {
            if (stack.back().program) begin("E", task).raw("}");
            stack.pop_back();
        }
    };
    const auto at = [](const Event& e) {
        return e.file ? QString::fromUtf8(e.file) + u':' + QString::number(e.line) : QString();
    };

    j.raw("{\"displayTimeUnit\":\"ns\",\"otherData\":");
    metadataObject(j, reader.metadata());
    j.raw(",\"traceEvents\":[");
    j.raw("\n{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":");
    j.str(QStringLiteral("doeff: ") + reader.metadata().program).raw("}}");
    first = false;

    const bool ok = reader.forEachEvent(0, reader.eventCount(), [&](const Event& e) {
        if (e.step != lastStep) {
            lastStep = e.step;
            inStep = 0;
        }
        char b[48];
        std::snprintf(b, sizeof b, "%llu.%03d", static_cast<unsigned long long>(e.step), std::min(inStep, 999));
        ts = b;
        ++inStep;
        switch (e.kind) {
        case EventKind::TaskSpawned:
            threadNames[e.task] = QStringLiteral("task %1 %2 (%3)")
                                      .arg(e.task)
                                      .arg(e.name, QLatin1StringView(taskKindCodeName(TaskKindCode(e.code))));
            begin("i", e.task).raw(",\"s\":\"t\",\"name\":").str(QStringLiteral("spawned task %1").arg(e.task));
            j.raw(",\"args\":{\"parent\":").num(e.index).raw(",\"env\":").value(e.value).raw("}}");
            break;
        case EventKind::FramePushed: {
            truncate(e.task, e.index);
            const bool program = FrameKindCode(e.code) == FrameKindCode::Program;
            stacks[e.task].push_back(Frame { program });
            if (program) {
                const QString name = e.function ? functionDisplayName(e.function) + QStringLiteral("()") : e.text;
                begin("B", e.task).raw(",\"name\":").str(name).raw(",\"args\":{\"at\":").str(e.text).raw("}}");
            }
            break;
        }
        case EventKind::FramePopped:
            truncate(e.task, e.index);
            break;
        case EventKind::EffectYielded:
            begin("i", e.task).raw(",\"s\":\"t\",\"name\":").str(e.name);
            j.raw(",\"args\":{\"effect\":").str(e.text).raw(",\"fields\":").value(e.value);
            j.raw(",\"at\":").str(at(e)).raw("}}");
            break;
        case EventKind::StoreWrite: {
            const int type = e.value.userType();
            const bool numeric = type == QMetaType::Int || type == QMetaType::LongLong || type == QMetaType::UInt
                || type == QMetaType::ULongLong || type == QMetaType::Double || type == QMetaType::Float
                || type == QMetaType::Bool;
            if (numeric) {
                begin("C", e.task).raw(",\"name\":").str(QStringLiteral("store: ") + e.name);
                j.raw(",\"args\":{\"value\":");
                if (type == QMetaType::Bool)
                    j.num(e.value.toBool() ? 1 : 0);
                else
                    j.value(e.value);
                j.raw("}}");
            } else {
                begin("i", e.task).raw(",\"s\":\"t\",\"name\":").str(QStringLiteral("store ") + e.name);
                j.raw(",\"args\":{\"value\":").value(e.value).raw(",\"old\":").value(e.old).raw("}}");
            }
            break;
        }
        case EventKind::StoreReplaced:
            begin("i", e.task).raw(",\"s\":\"t\",\"name\":\"store replaced\",\"args\":{\"store\":").value(e.value);
            j.raw("}}");
            break;
        case EventKind::LogAppended:
            begin("i", e.task).raw(",\"s\":\"t\",\"name\":\"log\",\"args\":{\"message\":").value(e.value);
            j.raw("}}");
            break;
        case EventKind::EnvEntered:
        case EventKind::EnvLeft:
            begin("i", e.task).raw(",\"s\":\"t\",\"name\":");
            j.str(e.kind == EventKind::EnvEntered ? QStringLiteral("env entered") : QStringLiteral("env left"));
            j.raw(",\"args\":{\"env\":").value(e.value).raw("}}");
            break;
        case EventKind::TaskStateChanged: {
            const auto state = TaskStateCode(e.code);
            if (state == TaskStateCode::Ready || state == TaskStateCode::Running) break;
            begin("i", e.task).raw(",\"s\":\"t\",\"name\":").str(QLatin1StringView(taskStateCodeName(state)));
            j.raw(",\"args\":{\"waits on\":").str(e.name).raw("}}");
            break;
        }
        case EventKind::TaskFinished:
            truncate(e.task, 0);
            begin("i", e.task).raw(",\"s\":\"t\",\"name\":").str(QStringLiteral("finished: ") + e.name).raw("}");
            break;
        case EventKind::ErrorRaised:
        case EventKind::ErrorCaught:
            begin("i", e.task).raw(",\"s\":\"t\",\"name\":");
            j.str((e.kind == EventKind::ErrorRaised ? QStringLiteral("error: ")
                       : e.code == 3                ? QStringLiteral("dropped unread: ")
                                                    : QStringLiteral("caught: "))
                  + e.name);
            j.raw(",\"args\":{\"message\":").str(e.text).raw(",\"at\":").str(at(e)).raw("}}");
            break;
        case EventKind::RunStarted:
        case EventKind::RunFinished:
            begin("i", e.task).raw(",\"s\":\"g\",\"name\":");
            j.str(e.kind == EventKind::RunStarted ? QStringLiteral("run started: ") + e.name
                                                  : QStringLiteral("run finished: ") + e.name);
            j.raw("}");
            break;
        case EventKind::Step:
        case EventKind::EffectHandled:
        case EventKind::InputReceived:
            break;
        }
        if (!threadNames.contains(e.task))
            threadNames.insert(e.task, e.task < 0 ? QStringLiteral("run") : QStringLiteral("task %1").arg(e.task));
        return j.ok();
    });
    // close what is still open, at the end of the last step
    char b[48];
    std::snprintf(b, sizeof b, "%llu.999", static_cast<unsigned long long>(lastStep));
    ts = b;
    QList<int> tasks = stacks.keys();
    std::sort(tasks.begin(), tasks.end());
    for (int task : tasks)
        truncate(task, 0);
    for (auto it = threadNames.cbegin(); it != threadNames.cend(); ++it)
        threadName(it.key(), it.value());
    j.raw("\n]}\n");
    return finishExport(reader, j, ok, errorString);
}

QString formatTraceSummary(const TraceReader& r)
{
    QString out = QStringLiteral("trace: %1 (format version %2)\n").arg(r.fileName()).arg(r.metadata().version);
    for (const auto& [key, value] : r.metadata().entries)
        out += QStringLiteral("%1: %2\n").arg(key, value);
    out += QStringLiteral("events: %1, steps: %2, blocks: %3, checkpoints: %4\n")
               .arg(r.eventCount())
               .arg(r.stepCount())
               .arg(r.blockCount())
               .arg(r.checkpointCount());
    if (r.metadata().inputsOnly())
        out += QStringLiteral("an input log: it holds only what the run took in (its start, its inputs, its end); "
                              "replay it to see every step (doeff-run --replay %1 --trace FILE)\n")
                   .arg(r.fileName());
    return out;
}

QString formatSessionState(const SessionState& s)
{
    QString out;
    out += QStringLiteral("program: %1\n").arg(s.programName());
    out += QStringLiteral("step %1 (%2 events), %3\n")
               .arg(s.step())
               .arg(s.eventCount())
               .arg(s.finished()      ? s.status()
                        : s.started() ? QStringLiteral("running")
                                      : QStringLiteral("not started"));
    if (s.currentTask() >= 0) out += QStringLiteral("current task: %1\n").arg(s.currentTask());
    if (!s.lastEffect().isEmpty()) out += QStringLiteral("last effect: %1\n").arg(s.lastEffect());
    for (const SessionTask& t : s.tasks()) {
        out += QStringLiteral("\ntask %1 '%2' (%3) %4, %5 steps")
                   .arg(t.id)
                   .arg(t.name, QLatin1StringView(taskKindCodeName(t.kind)),
                        QLatin1StringView(taskStateCodeName(t.state)))
                   .arg(t.steps);
        if (!t.waitsOn.isEmpty()) out += QStringLiteral(", waits on ") + t.waitsOn;
        if (!t.outcome.isEmpty()) out += QStringLiteral(", ") + t.outcome;
        out += u'\n';
        KStackTrace k;
        k.frames = s.k(t.id);
        if (!k.isEmpty()) out += k.format() + u'\n';
        QStringList store;
        for (const auto& [key, value] : s.store(t.id).entries())
            store.append(repr(key) + QStringLiteral(": ") + repr(value));
        out += QStringLiteral("Store: {") + store.join(QStringLiteral(", ")) + QStringLiteral("}\n");
        out += QStringLiteral("Env: ") + repr(t.env) + u'\n';
    }
    if (!s.logs().isEmpty()) {
        out += QStringLiteral("\nLogs (%1):\n").arg(s.logs().size());
        for (const SessionLogEntry& l : s.logs())
            out += QStringLiteral("  step %1 task %2: %3\n").arg(l.step).arg(l.task).arg(repr(l.message));
    }
    const EffectStackTrace tree = s.effectTree();
    if (tree.captured) out += u'\n' + tree.format() + u'\n';
    return out;
}

} // namespace doeff
