#include <doeff/expression.h>

#include <doeff/value.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace doeff {

namespace {

bool isNumber(const QVariant& v)
{
    switch (v.typeId()) {
    case QMetaType::Int:
    case QMetaType::UInt:
    case QMetaType::LongLong:
    case QMetaType::ULongLong:
    case QMetaType::Double:
    case QMetaType::Float:
    case QMetaType::Long:
    case QMetaType::ULong:
    case QMetaType::Short:
    case QMetaType::UShort:
        return true;
    default:
        return false;
    }
}

QVariant parseLiteral(const QString& text)
{
    const QString t = text.trimmed();
    if (t.size() >= 2 && t.startsWith(u'\'') && t.endsWith(u'\'')) return t.mid(1, t.size() - 2);
    QJsonParseError error;
    const QJsonDocument d = QJsonDocument::fromJson(u"[%1]"_s.arg(t).toUtf8(), &error);
    if (error.error == QJsonParseError::NoError && d.isArray() && d.array().size() == 1)
        return d.array().first().toVariant();
    return t; // a bare word compares with the value's text
}

bool truthy(const QVariant& v)
{
    if (!v.isValid() || v.isNull()) return false;
    if (v.typeId() == QMetaType::Bool) return v.toBool();
    if (isNumber(v)) return v.toDouble() != 0;
    if (v.typeId() == QMetaType::QString) return !v.toString().isEmpty();
    if (v.canConvert<QVariantList>()) return !v.toList().isEmpty();
    return true;
}

} // namespace

Evaluation evaluateName(const SessionState& state, int task, const QString& name)
{
    const QString n = name.trimmed();
    const SessionTask* t = state.task(task);
    if (n == u"task"_s) return { QVariant(task), {} };
    if (n == u"step"_s) return { QVariant(state.step()), {} };
    const bool envOnly = n.startsWith(u"env."_s);
    const bool storeOnly = n.startsWith(u"store."_s);
    const QString key = envOnly ? n.mid(4) : storeOnly ? n.mid(6) : n;
    if (key.isEmpty()) return { std::nullopt, u"no key after '%1'"_s.arg(n) };
    if (!envOnly) {
        const Store store = state.store(task);
        if (const QVariant* v = store.find(key)) return { *v, {} };
    }
    if (!storeOnly && t && t->env.contains(key)) return { t->env.value(key), {} };
    const QString where = envOnly ? u"env"_s : storeOnly ? u"store"_s : u"store or env"_s;
    return { std::nullopt, u"no %1 key '%2' in task %3"_s.arg(where, key).arg(task) };
}

bool evaluateCondition(const SessionState& state, int task, const QString& condition, QString* error)
{
    static const QRegularExpression comparison(u"^(.+?)\\s*(==|!=|<=|>=|<|>)\\s*(.+)$"_s);
    const QRegularExpressionMatch m = comparison.match(condition.trimmed());
    if (!m.hasMatch()) {
        const Evaluation e = evaluateName(state, task, condition);
        if (!e.value) {
            if (error) *error = e.error;
            return false;
        }
        return truthy(*e.value);
    }
    const Evaluation e = evaluateName(state, task, m.captured(1));
    if (!e.value) {
        if (error) *error = e.error;
        return false;
    }
    const QVariant lhs = *e.value;
    const QVariant rhs = parseLiteral(m.captured(3));
    const QString op = m.captured(2);
    int order = 0;
    bool ordered = true;
    if (isNumber(lhs) && isNumber(rhs)) {
        const double a = lhs.toDouble(), b = rhs.toDouble();
        order = a < b ? -1 : a > b ? 1 : 0;
    } else if (lhs.typeId() == QMetaType::QString && rhs.typeId() == QMetaType::QString) {
        order = QString::compare(lhs.toString(), rhs.toString());
    } else {
        ordered = false;
        order = repr(lhs) == repr(rhs)
                || (lhs.typeId() == QMetaType::Bool && rhs.typeId() == QMetaType::Bool && lhs.toBool() == rhs.toBool())
            ? 0
            : 1;
    }
    if (op == u"=="_s) return order == 0;
    if (op == u"!="_s) return order != 0;
    if (!ordered) {
        if (error) *error = u"%1 and %2 cannot be ordered"_s.arg(repr(lhs), repr(rhs));
        return false;
    }
    if (op == u"<"_s) return order < 0;
    if (op == u"<="_s) return order <= 0;
    if (op == u">"_s) return order > 0;
    return order >= 0;
}

QString interpolate(const SessionState& state, int task, const QString& message)
{
    QString out;
    for (qsizetype i = 0; i < message.size(); ++i) {
        const QChar c = message[i];
        if ((c == u'{' || c == u'}') && i + 1 < message.size() && message[i + 1] == c) {
            out += c;
            ++i;
            continue;
        }
        if (c != u'{') {
            out += c;
            continue;
        }
        const qsizetype close = message.indexOf(u'}', i + 1);
        if (close < 0) {
            out += message.mid(i);
            break;
        }
        const Evaluation e = evaluateName(state, task, message.mid(i + 1, close - i - 1));
        out += e.value ? repr(*e.value) : u"<%1>"_s.arg(e.error);
        i = close;
    }
    return out;
}

std::optional<bool> hitConditionHolds(const QString& condition, int hits)
{
    static const QRegularExpression form(u"^\\s*(==|>=|<=|>|<|%)?\\s*(\\d+)\\s*$"_s);
    const QRegularExpressionMatch m = form.match(condition);
    if (!m.hasMatch()) return std::nullopt;
    const QString op = m.captured(1);
    const int n = m.captured(2).toInt();
    if (op.isEmpty() || op == u"=="_s) return hits == n;
    if (op == u">"_s) return hits > n;
    if (op == u">="_s) return hits >= n;
    if (op == u"<"_s) return hits < n;
    if (op == u"<="_s) return hits <= n;
    return n > 0 && hits % n == 0;
}

bool isValidHitCondition(const QString& condition)
{
    return hitConditionHolds(condition, 1).has_value();
}

} // namespace doeff
