// Saving and loading RuntimeResults as CBOR documents (RUNTIME.md §10.5).

#include <doeff/runtimeresult.h>
#include <doeff/value.h>

#include <QCborArray>
#include <QCborMap>
#include <QCborStreamReader>
#include <QCborValue>
#include <QDateTime>
#include <QFile>
#include <QSaveFile>

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace doeff {

namespace {

constexpr int formatVersion = 1;
const QString formatName = QStringLiteral("doeff-result");
/// Results are small; anything beyond this is not one of ours.
constexpr qint64 maxResultFileSize = qint64(512) * 1024 * 1024;

/// A loaded value that CBOR could not carry: prints as its saved repr.
struct OpaqueValue {
    QString text;
    bool operator==(const OpaqueValue& other) const { return text == other.text; }
};

} // namespace
} // namespace doeff

Q_DECLARE_METATYPE(doeff::OpaqueValue)

namespace doeff {
namespace {

void registerOpaque()
{
    static const bool done = [] {
        registerRepr<OpaqueValue>([](const OpaqueValue& v) { return v.text; });
        return true;
    }();
    Q_UNUSED(done);
}

bool cborRepresentable(const QVariant& v, int depth = 0)
{
    if (depth > 64) return false;
    if (isNull(v)) return true;
    switch (v.metaType().id()) {
    case QMetaType::Bool:
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::Double:
    case QMetaType::QString:
    case QMetaType::QByteArray:
    case QMetaType::QDateTime:
    case QMetaType::QStringList:
        return true;
    case QMetaType::QVariantList:
        for (const QVariant& x : *static_cast<const QVariantList*>(v.constData()))
            if (!cborRepresentable(x, depth + 1)) return false;
        return true;
    case QMetaType::QVariantMap:
        for (const QVariant& x : *static_cast<const QVariantMap*>(v.constData()))
            if (!cborRepresentable(x, depth + 1)) return false;
        return true;
    default:
        return false;
    }
}

QCborValue encodeValue(const QVariant& v)
{
    QCborMap m;
    m.insert(QStringLiteral("repr"), repr(v));
    if (cborRepresentable(v)) m.insert(QStringLiteral("value"), QCborValue::fromVariant(v));
    // CBOR reads a list of strings back as a QVariantList: say what it was
    if (v.metaType().id() == QMetaType::QStringList) m.insert(QStringLiteral("type"), QStringLiteral("QStringList"));
    return m;
}

QCborValue encodeError(const ErrorInfo& e)
{
    if (!e.isValid()) return QCborValue(QCborValue::Null);
    return QCborMap { { QStringLiteral("type"), e.type_name() }, { QStringLiteral("message"), e.message() } };
}

QCborValue encodeNode(const EffectStackTrace::Node& n)
{
    QCborArray children;
    for (const auto& c : n.children)
        children.append(encodeNode(c));
    QCborMap m;
    m.insert(QStringLiteral("display"), n.display);
    m.insert(QStringLiteral("effect"), n.isEffect);
    m.insert(QStringLiteral("count"), n.count);
    m.insert(QStringLiteral("error"), n.error);
    m.insert(QStringLiteral("rethrown"), n.rethrown);
    m.insert(QStringLiteral("more"), n.more);
    m.insert(QStringLiteral("children"), children);
    return m;
}

QCborValue encodeEnv(const Env& env)
{
    QCborArray a;
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        a.append(QCborArray { it.key(), encodeValue(it.value()) });
    return a;
}

QCborValue encodeStore(const Store& store)
{
    QCborArray a;
    for (const auto& [k, v] : store.entries())
        a.append(QCborArray { k, encodeValue(v) });
    return a;
}

QCborMap encode(const detail::ResultData& d)
{
    QCborMap doc;
    doc.insert(QStringLiteral("format"), formatName);
    doc.insert(QStringLiteral("version"), formatVersion);
    doc.insert(QStringLiteral("program"), d.program);
    doc.insert(QStringLiteral("status"), d.ok ? QStringLiteral("ok") : QStringLiteral("err"));
    doc.insert(QStringLiteral("value"), d.ok ? encodeValue(d.value) : QCborValue(QCborValue::Null));
    doc.insert(QStringLiteral("error"), encodeError(d.error));
    doc.insert(QStringLiteral("root_cause"), encodeError(d.rootCause));
    doc.insert(QStringLiteral("store"), encodeStore(d.store));
    doc.insert(QStringLiteral("env"), encodeEnv(d.env));
    QCborArray k;
    for (const FrameInfo& f : d.k.frames)
        k.append(QCborMap { { QStringLiteral("kind"), f.kind },
                            { QStringLiteral("description"), f.description },
                            { QStringLiteral("file"), f.file },
                            { QStringLiteral("line"), f.line },
                            { QStringLiteral("function"), f.function } });
    doc.insert(QStringLiteral("k_stack"), k);
    QCborMap tree { { QStringLiteral("captured"), d.tree.captured } };
    if (d.tree.captured) tree.insert(QStringLiteral("root"), encodeNode(d.tree.root));
    doc.insert(QStringLiteral("effect_tree"), tree);
    QCborArray source;
    for (const auto& e : d.source.entries)
        source.append(QCborMap { { QStringLiteral("file"), e.file },
                                 { QStringLiteral("line"), e.line },
                                 { QStringLiteral("function"), e.function },
                                 { QStringLiteral("code"), e.code },
                                 { QStringLiteral("task"), e.task },
                                 { QStringLiteral("task_name"), e.taskName },
                                 { QStringLiteral("handler"), e.handler } });
    doc.insert(QStringLiteral("source_stack"), source);
    QCborArray unobserved;
    for (const auto& u : d.unobserved)
        unobserved.append(QCborMap { { QStringLiteral("task"), u.task },
                                     { QStringLiteral("name"), u.name },
                                     { QStringLiteral("error"), encodeError(u.error) } });
    doc.insert(QStringLiteral("unobserved"), unobserved);
    if (!d.waitCycle.isEmpty()) doc.insert(QStringLiteral("wait_cycle"), d.waitCycle);
    doc.insert(QStringLiteral("error_context"),
               QCborMap { { QStringLiteral("task"), d.errorContext.task },
                          { QStringLiteral("task_name"), d.errorContext.taskName },
                          { QStringLiteral("env"), encodeEnv(d.errorContext.env) },
                          { QStringLiteral("store_keys"), QCborArray::fromStringList(d.errorContext.storeKeys) },
                          { QStringLiteral("store"), encodeStore(d.errorContext.store) } });
    return doc;
}

/// Reads one document, naming the first thing that is wrong.
class Decoder {
public:
    explicit Decoder(QString name)
        : m_name(std::move(name))
    { }

    [[noreturn]] void fail(const QString& what) const { throw ResultFileError(m_name + QStringLiteral(": ") + what); }

    QCborValue field(const QCborMap& m, const QString& key, const QString& where) const
    {
        auto it = m.constFind(key);
        if (it == m.cend()) fail(QStringLiteral("missing field '%1'").arg(where + key));
        return it.value();
    }
    QString string(const QCborMap& m, const QString& key, const QString& where) const
    {
        const QCborValue v = field(m, key, where);
        if (!v.isString()) wrongType(where + key, QStringLiteral("a string"));
        return v.toString();
    }
    qint64 integer(const QCborMap& m, const QString& key, const QString& where, qint64 min, qint64 max) const
    {
        const QCborValue v = field(m, key, where);
        if (!v.isInteger()) wrongType(where + key, QStringLiteral("an integer"));
        const qint64 x = v.toInteger();
        if (x < min || x > max)
            fail(QStringLiteral("field '%1' is out of range (%2)").arg(where + key, QString::number(x)));
        return x;
    }
    bool boolean(const QCborMap& m, const QString& key, const QString& where) const
    {
        const QCborValue v = field(m, key, where);
        if (!v.isBool()) wrongType(where + key, QStringLiteral("a boolean"));
        return v.toBool();
    }
    QCborMap map(const QCborValue& v, const QString& where) const
    {
        if (!v.isMap()) wrongType(where, QStringLiteral("a map"));
        return v.toMap();
    }
    QCborArray array(const QCborValue& v, const QString& where) const
    {
        if (!v.isArray()) wrongType(where, QStringLiteral("an array"));
        return v.toArray();
    }
    [[noreturn]] void wrongType(const QString& where, const QString& expected) const
    {
        fail(QStringLiteral("field '%1' has the wrong type (expected %2)").arg(where, expected));
    }

    QVariant value(const QCborValue& v, const QString& where) const
    {
        const QCborMap m = map(v, where);
        const QString text = string(m, QStringLiteral("repr"), where + QStringLiteral("."));
        auto it = m.constFind(QStringLiteral("value"));
        if (it != m.cend()) {
            QVariant x = it.value().toVariant();
            if (m.value(QStringLiteral("type")).toString() == QLatin1String("QStringList")
                && x.canConvert<QStringList>())
                x = x.toStringList();
            // keep CBOR's reading only when it prints exactly as the original did
            if (repr(x) == text) return x;
        }
        registerOpaque();
        return QVariant::fromValue(OpaqueValue { text });
    }

    ErrorInfo error(const QCborValue& v, const QString& where) const
    {
        if (v.isNull()) return {};
        const QCborMap m = map(v, where);
        return ErrorInfo::fromText(string(m, QStringLiteral("type"), where + QStringLiteral(".")),
                                   string(m, QStringLiteral("message"), where + QStringLiteral(".")));
    }

    /// `[[key, value], …]` into a Store or an Env (both keep the order they are given).
    template<class Pairs> Pairs pairs(const QCborValue& v, const QString& where) const
    {
        Pairs out;
        const QCborArray a = array(v, where);
        for (qsizetype i = 0; i < a.size(); ++i) {
            const QString at = where + QStringLiteral("[%1]").arg(i);
            const QCborArray pair = array(a.at(i), at);
            if (pair.size() != 2 || !pair.at(0).isString())
                fail(QStringLiteral("field '%1' is not a [key, value] pair").arg(at));
            out.insert(pair.at(0).toString(), value(pair.at(1), at));
        }
        return out;
    }
    Store store(const QCborValue& v, const QString& where) const { return pairs<Store>(v, where); }
    Env env(const QCborValue& v, const QString& where) const { return pairs<Env>(v, where); }

    EffectStackTrace::Node node(const QCborValue& v, const QString& where, int depth) const
    {
        if (depth > 512) fail(QStringLiteral("effect tree nested too deeply at '%1'").arg(where));
        const QCborMap m = map(v, where);
        const QString at = where + QStringLiteral(".");
        EffectStackTrace::Node n;
        n.display = string(m, QStringLiteral("display"), at);
        n.isEffect = boolean(m, QStringLiteral("effect"), at);
        n.count = int(integer(m, QStringLiteral("count"), at, 1, std::numeric_limits<int>::max()));
        n.error = boolean(m, QStringLiteral("error"), at);
        n.rethrown = boolean(m, QStringLiteral("rethrown"), at);
        n.more = int(integer(m, QStringLiteral("more"), at, 0, std::numeric_limits<int>::max()));
        const QCborArray children = array(field(m, QStringLiteral("children"), at), at + QStringLiteral("children"));
        for (qsizetype i = 0; i < children.size(); ++i)
            n.children.append(node(children.at(i), at + QStringLiteral("children[%1]").arg(i), depth + 1));
        return n;
    }

    std::shared_ptr<detail::ResultData> decode(const QCborValue& root) const
    {
        if (!root.isMap()) fail(QStringLiteral("not a doeff result file"));
        const QCborMap doc = root.toMap();
        const QCborValue format = doc.value(QStringLiteral("format"));
        if (!format.isString() || format.toString() != formatName) fail(QStringLiteral("not a doeff result file"));
        const QCborValue version = doc.value(QStringLiteral("version"));
        if (!version.isInteger()) wrongType(QStringLiteral("version"), QStringLiteral("an integer"));
        if (version.toInteger() != formatVersion)
            fail(QStringLiteral("unsupported version %1").arg(version.toInteger()));

        auto d = std::make_shared<detail::ResultData>();
        // optional: files written before it was recorded have none (the reader names them)
        if (doc.contains(QStringLiteral("program"))) d->program = string(doc, QStringLiteral("program"), {});
        if (doc.contains(QStringLiteral("wait_cycle"))) d->waitCycle = string(doc, QStringLiteral("wait_cycle"), {});
        const QString status = string(doc, QStringLiteral("status"), {});
        if (status != QStringLiteral("ok") && status != QStringLiteral("err"))
            fail(QStringLiteral("field 'status' must be 'ok' or 'err', got '%1'").arg(status));
        d->ok = status == QStringLiteral("ok");
        if (d->ok) d->value = value(field(doc, QStringLiteral("value"), {}), QStringLiteral("value"));
        d->error = error(field(doc, QStringLiteral("error"), {}), QStringLiteral("error"));
        d->rootCause = error(field(doc, QStringLiteral("root_cause"), {}), QStringLiteral("root_cause"));
        if (!d->ok && (!d->error.isValid() || !d->rootCause.isValid()))
            fail(QStringLiteral("an Err result must have 'error' and 'root_cause'"));

        d->store = store(field(doc, QStringLiteral("store"), {}), QStringLiteral("store"));
        d->env = env(field(doc, QStringLiteral("env"), {}), QStringLiteral("env"));

        const QCborArray k = array(field(doc, QStringLiteral("k_stack"), {}), QStringLiteral("k_stack"));
        for (qsizetype i = 0; i < k.size(); ++i) {
            const QString at = QStringLiteral("k_stack[%1].").arg(i);
            const QCborMap f = map(k.at(i), at.chopped(1));
            FrameInfo fi;
            fi.kind = string(f, QStringLiteral("kind"), at);
            fi.description = string(f, QStringLiteral("description"), at);
            fi.file = string(f, QStringLiteral("file"), at);
            fi.line = int(integer(f, QStringLiteral("line"), at, 0, std::numeric_limits<int>::max()));
            fi.function = string(f, QStringLiteral("function"), at);
            d->k.frames.append(fi);
        }

        const QCborMap tree = map(field(doc, QStringLiteral("effect_tree"), {}), QStringLiteral("effect_tree"));
        d->tree.captured = boolean(tree, QStringLiteral("captured"), QStringLiteral("effect_tree."));
        if (d->tree.captured)
            d->tree.root = node(field(tree, QStringLiteral("root"), QStringLiteral("effect_tree.")),
                                QStringLiteral("effect_tree.root"), 0);

        const QCborArray source = array(field(doc, QStringLiteral("source_stack"), {}), QStringLiteral("source_stack"));
        for (qsizetype i = 0; i < source.size(); ++i) {
            const QString at = QStringLiteral("source_stack[%1].").arg(i);
            const QCborMap e = map(source.at(i), at.chopped(1));
            SourceStackTrace::Entry entry;
            entry.file = string(e, QStringLiteral("file"), at);
            entry.line = int(integer(e, QStringLiteral("line"), at, 0, std::numeric_limits<int>::max()));
            entry.function = string(e, QStringLiteral("function"), at);
            entry.code = string(e, QStringLiteral("code"), at);
            entry.task = int(integer(e, QStringLiteral("task"), at, 0, std::numeric_limits<int>::max()));
            entry.taskName = string(e, QStringLiteral("task_name"), at);
            entry.handler = string(e, QStringLiteral("handler"), at);
            d->source.entries.append(entry);
        }

        const QCborArray unobserved = array(field(doc, QStringLiteral("unobserved"), {}), QStringLiteral("unobserved"));
        for (qsizetype i = 0; i < unobserved.size(); ++i) {
            const QString at = QStringLiteral("unobserved[%1].").arg(i);
            const QCborMap u = map(unobserved.at(i), at.chopped(1));
            UnobservedFailure f;
            f.task = int(integer(u, QStringLiteral("task"), at, 0, std::numeric_limits<int>::max()));
            f.name = string(u, QStringLiteral("name"), at);
            f.error = error(field(u, QStringLiteral("error"), at), at + QStringLiteral("error"));
            if (!f.error.isValid()) fail(QStringLiteral("field '%1error' must not be null").arg(at));
            d->unobserved.append(f);
        }

        const QCborMap ctx = map(field(doc, QStringLiteral("error_context"), {}), QStringLiteral("error_context"));
        const QString at = QStringLiteral("error_context.");
        d->errorContext.task = int(integer(ctx, QStringLiteral("task"), at, 0, std::numeric_limits<int>::max()));
        d->errorContext.taskName = string(ctx, QStringLiteral("task_name"), at);
        d->errorContext.env = env(field(ctx, QStringLiteral("env"), at), at + QStringLiteral("env"));
        const QCborArray keys = array(field(ctx, QStringLiteral("store_keys"), at), at + QStringLiteral("store_keys"));
        for (qsizetype i = 0; i < keys.size(); ++i) {
            if (!keys.at(i).isString())
                wrongType(at + QStringLiteral("store_keys[%1]").arg(i), QStringLiteral("a string"));
            d->errorContext.storeKeys.append(keys.at(i).toString());
        }
        // optional: files written before it was recorded have the keys only
        if (ctx.contains(QStringLiteral("store")))
            d->errorContext.store = store(ctx.value(QStringLiteral("store")), at + QStringLiteral("store"));
        return d;
    }

private:
    QString m_name;
};

/// Walks the document without building it, checking that every declared length fits in the
/// bytes that remain, so that decoding never allocates more than the file justifies (a flipped
/// length byte can otherwise claim gigabytes). Returns an error text, empty when sound.
QString checkLengths(const QByteArray& bytes)
{
    QCborStreamReader reader(bytes);
    const qint64 total = bytes.size();
    int depth = 0;
    auto remaining = [&] { return total - reader.currentOffset(); };
    while (reader.lastError() == QCborError::NoError) {
        if (!reader.hasNext()) {
            if (depth == 0) break;
            if (!reader.leaveContainer()) break;
            --depth;
            continue;
        }
        const qint64 at = reader.currentOffset();
        if (reader.isArray() || reader.isMap()) {
            if (reader.isLengthKnown()) {
                const quint64 n = reader.length();
                const quint64 room = quint64(remaining()); // every item takes at least a byte
                if (n > room || (reader.isMap() && n > room / 2))
                    return QStringLiteral("a container at byte %1 claims %2 items, more than the file holds")
                        .arg(at)
                        .arg(n);
            }
            if (++depth > 1000) return QStringLiteral("nesting deeper than 1000 at byte %1").arg(at);
            if (!reader.enterContainer()) break;
            continue;
        }
        if (reader.isString() || reader.isByteArray()) {
            if (reader.isLengthKnown() && reader.length() > quint64(remaining()))
                return QStringLiteral("truncated at byte %1").arg(total);
            if (!reader.next()) // skips the chunks without keeping them
                break;
            continue;
        }
        if (!reader.next()) break;
    }
    if (reader.lastError() == QCborError::EndOfFile) return QStringLiteral("truncated at byte %1").arg(total);
    if (reader.lastError() != QCborError::NoError)
        return QStringLiteral("malformed data at byte %1 (%2)")
            .arg(reader.currentOffset())
            .arg(reader.lastError().toString());
    return {};
}

} // namespace

bool RuntimeResultBase::save(QIODevice& device, QString* errorString) const
{
    const QByteArray bytes = encode(*m_data).toCborValue().toCbor();
    if (device.write(bytes) != bytes.size()) {
        if (errorString) *errorString = device.errorString();
        return false;
    }
    return true;
}

bool RuntimeResultBase::save(const QString& path, QString* errorString) const
{
    return writeFileAtomically(
        path, [this](QIODevice& out, QString& reason) { return save(out, &reason); }, errorString);
}

QString notARegularFile(const QString& path)
{
    struct stat st { };
    if (::stat(QFile::encodeName(path).constData(), &st) != 0 || S_ISREG(st.st_mode)) return {};
    const char* kind = S_ISDIR(st.st_mode) ? "a directory"
        : S_ISFIFO(st.st_mode)             ? "a FIFO"
        : S_ISCHR(st.st_mode)              ? "a character device"
        : S_ISBLK(st.st_mode)              ? "a block device"
        : S_ISSOCK(st.st_mode)             ? "a socket"
                                           : "not a file";
    return path + QStringLiteral(": not a regular file (%1)").arg(QLatin1StringView(kind));
}

bool writeFileAtomically(const QString& path, const std::function<bool(QIODevice&, QString&)>& write,
                         QString* errorString)
{
    const auto fail = [&](const QString& reason) {
        if (errorString) *errorString = path + QStringLiteral(": ") + reason;
        return false;
    };
    if (const QString problem = notARegularFile(path); !problem.isEmpty()) {
        if (errorString) *errorString = problem;
        return false;
    }
    QSaveFile file(path);
    file.setDirectWriteFallback(false);
    if (!file.open(QIODevice::WriteOnly)) return fail(file.errorString());
    QString reason;
    if (!write(file, reason)) {
        file.cancelWriting();
        return fail(reason.isEmpty() ? file.errorString() : reason);
    }
    // commit() would flush the buffered tail itself but not notice if that failed (a full
    // disk would then leave a cut file in place of the old one): flush first, and check
    errno = 0;
    if (!file.flush()) {
        const int code = errno;
        file.cancelWriting();
        return fail(code ? QString::fromLocal8Bit(std::strerror(code)) : file.errorString());
    }
    if (!file.commit()) return fail(file.errorString());
    return true;
}

SavedResult load_result(QIODevice& device, const QString& name)
{
    Decoder decoder(name);
    if (!device.isReadable()) decoder.fail(QStringLiteral("cannot read: ") + device.errorString());
    if (!device.isSequential() && device.size() > maxResultFileSize)
        decoder.fail(QStringLiteral("file too large (%1 bytes) for a result").arg(device.size()));
    // read what is there, in chunks: never reserve more than the data justifies
    QByteArray bytes;
    for (;;) {
        const QByteArray chunk = device.read(64 * 1024);
        if (chunk.isEmpty()) break;
        // every result document is a CBOR map: refuse anything else from its first byte, not
        // after reading all of it (a device never ends)
        if (bytes.isEmpty() && static_cast<unsigned char>(chunk.at(0)) >> 5 != 5)
            decoder.fail(QStringLiteral("not a doeff result file"));
        bytes += chunk;
        if (bytes.size() > maxResultFileSize) decoder.fail(QStringLiteral("file too large for a result"));
    }
    if (bytes.isEmpty()) decoder.fail(QStringLiteral("empty file"));
    // every result document is a CBOR map; anything else is not ours (and must not be
    // reported as a truncated result)
    if (static_cast<unsigned char>(bytes.at(0)) >> 5 != 5) decoder.fail(QStringLiteral("not a doeff result file"));
    if (const QString problem = checkLengths(bytes); !problem.isEmpty()) decoder.fail(problem);
    QCborParserError parseError;
    const QCborValue root = QCborValue::fromCbor(bytes, &parseError);
    if (parseError.error != QCborError::NoError) {
        if (parseError.error == QCborError::EndOfFile)
            decoder.fail(QStringLiteral("truncated at byte %1").arg(parseError.offset));
        decoder.fail(
            QStringLiteral("malformed data at byte %1 (%2)").arg(parseError.offset).arg(parseError.errorString()));
    }
    if (!root.isMap()) decoder.fail(QStringLiteral("not a doeff result file"));
    return SavedResult(decoder.decode(root));
}

SavedResult load_result(const QString& path)
{
    if (const QString problem = notARegularFile(path); !problem.isEmpty()) throw ResultFileError(problem);
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) throw ResultFileError(path + QStringLiteral(": ") + file.errorString());
    return load_result(file, path);
}

} // namespace doeff
