#include "heldtext.h"
#include "perthread.h"
#include "taskname.h"

#include <doeff/errors.h>
#include <doeff/value.h>

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QLocale>
#include <QMutex>
#include <QReadWriteLock>
#include <QStringList>
#include <QTimeZone>

#include <cxxabi.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace doeff {

namespace {

struct ReprRegistry {
    QReadWriteLock lock;
    QHash<int, std::function<QString(const QVariant&)>> functions;
};

ReprRegistry& registry()
{
    static ReprRegistry r;
    return r;
}

void appendEscaped(QString& out, char32_t c)
{
    switch (c) {
    case U'\\':
        out += QStringLiteral("\\\\");
        return;
    case U'\'':
        out += QStringLiteral("\\'");
        return;
    case U'\n':
        out += QStringLiteral("\\n");
        return;
    case U'\t':
        out += QStringLiteral("\\t");
        return;
    case U'\r':
        out += QStringLiteral("\\r");
        return;
    default:
        break;
    }
    if (c < 0x20 || c == 0x7f) {
        out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
        return;
    }
    if (QChar::requiresSurrogates(c)) {
        out += QChar(QChar::highSurrogate(c));
        out += QChar(QChar::lowSurrogate(c));
    } else {
        out += QChar(char16_t(c));
    }
}

void appendQuoted(QString& out, const QString& s)
{
    // the common case, text that needs no escape: appended as it is, no UCS-4 copy
    const bool plain = std::all_of(s.cbegin(), s.cend(), [](QChar ch) {
        const char16_t c = ch.unicode();
        return c >= 0x20 && c != 0x7f && c != u'\\' && c != u'\'' && !QChar::isSurrogate(c);
    });
    out += u'\'';
    if (plain) {
        out += s;
    } else {
        for (char32_t c : s.toUcs4())
            appendEscaped(out, c);
    }
    out += u'\'';
}

QString quoted(const QString& s)
{
    QString out;
    out.reserve(s.size() + 2);
    appendQuoted(out, s);
    return out;
}

QString bytesRepr(const QByteArray& b)
{
    QString out = QStringLiteral("b'");
    for (char ch : b) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '\\' || c == '\'' || c == '\n' || c == '\t' || c == '\r' || (c >= 0x20 && c < 0x7f))
            appendEscaped(out, c);
        else
            out += QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
    }
    out += u'\'';
    return out;
}

template<class F> QString doubleRepr(F d)
{
    if (std::isnan(d)) return QStringLiteral("nan");
    if (std::isinf(d)) return d > 0 ? QStringLiteral("inf") : QStringLiteral("-inf");
    char buffer[64];
    const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
    QString s = ec == std::errc() ? QString::fromLatin1(buffer, end - buffer) : QString::number(double(d));
    if (!s.contains(u'.') && !s.contains(u'e') && !s.contains(u'n') && !s.contains(u'i')) s += QStringLiteral(".0");
    return s;
}

QString listRepr(const QVariantList& list)
{
    QStringList parts;
    parts.reserve(list.size());
    for (const QVariant& v : list)
        parts.append(repr(v));
    return QStringLiteral("[") + parts.join(QStringLiteral(", ")) + QStringLiteral("]");
}

QString demangle(const char* mangled)
{
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(mangled, nullptr, nullptr, &status),
                                                    &std::free);
    return QString::fromUtf8(status == 0 && out ? out.get() : mangled);
}

QString stripEnginePrefix(QString name)
{
    static const QString prefix = QStringLiteral("doeff::");
    if (name.startsWith(prefix)) name.remove(0, prefix.size());
    // also inside template arguments: doeff::Task<doeff::Foo> → Task<Foo>
    name.replace(QStringLiteral("<doeff::"), QStringLiteral("<"));
    name.replace(QStringLiteral(", doeff::"), QStringLiteral(", "));
    return name;
}

/// `std::_Nested_exception<T>` (what std::throw_with_nested throws) prints as T.
QString unwrapNested(QString name)
{
    static const QString nested = QStringLiteral("std::_Nested_exception<");
    if (name.startsWith(nested) && name.endsWith(u'>')) return name.mid(nested.size(), name.size() - nested.size() - 1);
    return name;
}

} // namespace

namespace {
QString formatKeyedLabel(const char* name, const QString& key)
{
    QString out;
    out.reserve(qsizetype(std::strlen(name)) + key.size() + 4);
    out += QLatin1String(name);
    out += u'(';
    appendQuoted(out, key);
    out += u')';
    return out;
}
} // namespace

QString keyedLabel(const char* name, const QString& key)
{
    // An observed run labels every effect, nearly always on the same few keys: a small per-thread
    // cache gives the same shared label again instead of formatting it. An entry keeps its key (a
    // copy of raw text), so the text it compares against cannot change under it.
    struct Entry {
        std::string name; // copied: the caller's text need not outlive the call
        QString key;
        QString label;
    };
    // 128 sets of two entries, the more recently used first: a program's few dozen keys fit
    // without two of them taking turns in one entry on every effect
    constexpr std::size_t kSets = 128;
    struct Cache : std::array<std::array<Entry, 2>, kSets> { };
    Cache& cache = detail::PerThread<Cache>::get();
    // (multiplicative: literal keys and names a few bytes apart must not share a set)
    const quint64 mixed = (quint64(reinterpret_cast<quintptr>(key.constData())) ^ reinterpret_cast<quintptr>(name) << 1)
        * 0x9E3779B97F4A7C15ull;
    static_assert(kSets == 128, "the set is the hash's top 7 bits");
    std::array<Entry, 2>& set = cache[mixed >> 57];
    if (set[0].key == key && set[0].name == name) return set[0].label;
    std::swap(set[0], set[1]);
    if (set[0].key == key && set[0].name == name) return set[0].label;
    // a miss: the new label replaces the less recently used entry, now first. Raw text (a
    // literal, fromRawData) is copied: a copy that shared it would change with it, and Qt lets
    // its owner change it once the strings made from it are gone, as they are after a run.
    set[0].name = name;
    set[0].key = detail::isRawText(key) ? QString(key.constData(), key.size()) : key;
    set[0].label = formatKeyedLabel(name, key);
    return set[0].label;
}

QString repr(const QVariant& value)
{
    if (isNull(value)) return QStringLiteral("null");
    const QMetaType type = value.metaType();
    switch (type.id()) {
    case QMetaType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QMetaType::Int: // the commonest field of all: read, not converted through QMetaType
        return QString::number(*static_cast<const int*>(value.constData()));
    case QMetaType::Short:
    case QMetaType::Long:
    case QMetaType::LongLong:
    case QMetaType::SChar:
    case QMetaType::Char:
        return QString::number(value.toLongLong());
    case QMetaType::UInt:
    case QMetaType::UShort:
    case QMetaType::ULong:
    case QMetaType::ULongLong:
    case QMetaType::UChar:
        return QString::number(value.toULongLong());
    case QMetaType::Double:
        return doubleRepr(value.toDouble());
    case QMetaType::Float:
        // the float's own shortest form, not the widened double's digits
        return doubleRepr(value.toFloat());
    case QMetaType::QString:
        return quoted(value.toString());
    case QMetaType::QChar:
        return quoted(QString(value.toChar()));
    case QMetaType::QByteArray:
        return bytesRepr(value.toByteArray());
    case QMetaType::QVariantList:
        return listRepr(*static_cast<const QVariantList*>(value.constData()));
    case QMetaType::QStringList: {
        QStringList parts;
        for (const QString& s : *static_cast<const QStringList*>(value.constData()))
            parts.append(quoted(s));
        return QStringLiteral("[") + parts.join(QStringLiteral(", ")) + QStringLiteral("]");
    }
    case QMetaType::QVariantMap: {
        const auto& map = *static_cast<const QVariantMap*>(value.constData());
        QStringList parts;
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            parts.append(quoted(it.key()) + QStringLiteral(": ") + repr(it.value()));
        return QStringLiteral("{") + parts.join(QStringLiteral(", ")) + QStringLiteral("}");
    }
    case QMetaType::QVariantHash: {
        const auto& hash = *static_cast<const QVariantHash*>(value.constData());
        QStringList keys = hash.keys();
        keys.sort();
        QStringList parts;
        for (const QString& k : keys)
            parts.append(quoted(k) + QStringLiteral(": ") + repr(hash.value(k)));
        return QStringLiteral("{") + parts.join(QStringLiteral(", ")) + QStringLiteral("}");
    }
    case QMetaType::QDateTime: {
        const QDateTime dt = value.toDateTime();
        if (!dt.isValid()) return QStringLiteral("QDateTime(invalid)");
        return QStringLiteral("QDateTime(") + dt.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"))
            + QStringLiteral(")");
    }
    default:
        break;
    }
    {
        ReprRegistry& r = registry();
        QReadLocker lock(&r.lock);
        auto it = r.functions.constFind(type.id());
        if (it != r.functions.cend()) {
            auto fn = it.value();
            lock.unlock();
            return fn(value);
        }
    }
    return QStringLiteral("<") + metaTypeDisplayName(type) + QStringLiteral(">");
}

void registerReprFunction(QMetaType type, std::function<QString(const QVariant&)> fn)
{
    ReprRegistry& r = registry();
    QWriteLocker lock(&r.lock);
    r.functions.insert(type.id(), std::move(fn));
}

bool isNull(const QVariant& value)
{
    return !value.isValid() || value.metaType() == QMetaType::fromType<std::nullptr_t>();
}

QString typeDisplayName(const std::type_info& type)
{
    return stripEnginePrefix(demangle(type.name()));
}

QString exceptionTypeName(const std::exception_ptr& error)
{
    if (!error) return QStringLiteral("null");
    try {
        std::rethrow_exception(error);
    } catch (const LoadedError& e) {
        return e.type_name();
    } catch (const std::exception& e) {
        return unwrapNested(typeDisplayName(typeid(e)));
    } catch (...) {
        const std::type_info* t = abi::__cxa_current_exception_type();
        return t ? typeDisplayName(*t) : QStringLiteral("unknown");
    }
}

QString exceptionMessage(const std::exception_ptr& error)
{
    if (!error) return {};
    try {
        std::rethrow_exception(error);
    } catch (const LoadedError& e) {
        return e.original_message();
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    } catch (...) {
        return QStringLiteral("(not a std::exception)");
    }
}

QString describeException(const std::exception_ptr& error)
{
    return exceptionTypeName(error) + QStringLiteral(": ") + exceptionMessage(error);
}

std::exception_ptr rootCause(const std::exception_ptr& error)
{
    std::exception_ptr current = error;
    // a nesting chain is finite, but guard against pathological self-references
    for (int depth = 0; current && depth < 1000; ++depth) {
        std::exception_ptr inner;
        try {
            std::rethrow_exception(current);
        } catch (const std::nested_exception& n) {
            inner = n.nested_ptr();
        } catch (...) { }
        if (!inner) return current;
        current = inner;
    }
    return current;
}

QString functionDisplayNameOfStatic(const char* prettyFunction)
{
    if (!prettyFunction) return functionDisplayName(prettyFunction);
    return detail::sharedFunctionDisplayName(prettyFunction).text();
}

namespace detail {
NamePtr sharedFunctionDisplayName(const char* prettyFunction)
{
    // Every Spawn names its task after its program's function: a direct-mapped cache by address
    // (the text is static, so its address names it) answers without hashing, the map behind it
    // holds every name met. Each name is one SharedName, which the tasks named after it share.
    struct Entry {
        const char* address = nullptr;
        NamePtr name;
    };
    struct Cache {
        std::array<Entry, 64> recent;
        QHash<const char*, NamePtr> byAddress;
    };
    if (!prettyFunction) return NamePtr(functionDisplayName(prettyFunction));
    Cache& cache = PerThread<Cache>::get();
    Entry& e = cache.recent[addressSlot<6>(prettyFunction)];
    if (e.address == prettyFunction) [[likely]]
        return e.name;
    auto it = cache.byAddress.constFind(prettyFunction);
    if (it == cache.byAddress.cend())
        it = cache.byAddress.insert(prettyFunction, NamePtr(functionDisplayName(prettyFunction)));
    e = Entry { prettyFunction, it.value() };
    return e.name;
}
} // namespace detail

QString functionDisplayName(const char* prettyFunction)
{
    if (!prettyFunction || !*prettyFunction) return QStringLiteral("?");
    // cached by content, not by address: names may come from reused buffers (traces, sockets)
    static QMutex mutex;
    static QHash<QByteArray, QString> cache;
    const QByteArray key(prettyFunction);
    {
        QMutexLocker lock(&mutex);
        auto it = cache.constFind(key);
        if (it != cache.cend()) return it.value();
    }
    QString s = QString::fromUtf8(prettyFunction);
    QString name;
    if (s.contains(QStringLiteral("<lambda"))) {
        name = QStringLiteral("lambda");
    } else {
        const qsizetype with = s.indexOf(QStringLiteral(" [with "));
        if (with >= 0) s.truncate(with);
        // the parameter list: the last ')' at nesting level 0 and its matching '('
        qsizetype close = s.lastIndexOf(u')');
        qsizetype open = -1;
        if (close >= 0) {
            int depth = 0;
            for (qsizetype i = close; i >= 0; --i) {
                if (s[i] == u')')
                    ++depth;
                else if (s[i] == u'(' && --depth == 0) {
                    open = i;
                    break;
                }
            }
        }
        QString qualified = open >= 0 ? s.left(open) : s;
        // the name starts after the last space outside template brackets (the return type)
        int angle = 0;
        qsizetype start = 0;
        for (qsizetype i = qualified.size() - 1; i >= 0; --i) {
            const QChar c = qualified[i];
            if (c == u'>')
                ++angle;
            else if (c == u'<')
                --angle;
            else if (c == u' ' && angle == 0) {
                // `operator<` etc. keep their spaces only in odd cases; good enough
                start = i + 1;
                break;
            }
        }
        qualified = qualified.mid(start);
        // drop template arguments (not the `<` of an operator name)
        QString stripped;
        angle = 0;
        for (qsizetype i = 0; i < qualified.size(); ++i) {
            const QChar c = qualified[i];
            if (c == u'<' && !qualified.left(i).endsWith(QStringLiteral("operator"))) {
                ++angle;
                continue;
            }
            if (c == u'>' && angle > 0) {
                --angle;
                continue;
            }
            if (angle == 0) stripped += c;
        }
        name = stripped.isEmpty() ? s : stripped;
        // names in unnamed namespaces display as written: `child`, not `{anonymous}::child`
        name.remove(QStringLiteral("{anonymous}::"));
        name.remove(QStringLiteral("(anonymous namespace)::"));
    }
    QMutexLocker lock(&mutex);
    if (cache.size() > 100000) // names of hostile input must not grow it without bound
        cache.clear();
    cache.insert(key, name);
    return name;
}

QString metaTypeDisplayName(QMetaType type)
{
    if (!type.isValid()) return QStringLiteral("null");
    if (type == QMetaType::fromType<std::nullptr_t>()) return QStringLiteral("null");
    return stripEnginePrefix(QString::fromLatin1(type.name()));
}

} // namespace doeff
