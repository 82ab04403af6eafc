#include <doeff/rundiff.h>
#include <doeff/trace.h>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <cstring>

namespace doeff {

namespace {

bool sameText(const char* x, const char* y)
{
    if (x == y) return true;
    if (!x || !y) return false;
    return std::strcmp(x, y) == 0;
}

/// The first field in which two events differ; empty when they agree. The step is not compared:
/// two runs of one program agree on what happens, and a step count is reported, not compared.
QString differingField(const Event& x, const Event& y)
{
    if (x.kind != y.kind) return QStringLiteral("kind");
    if (x.task != y.task) return QStringLiteral("task");
    if (x.name != y.name) return QStringLiteral("name");
    if (x.text != y.text) return QStringLiteral("text");
    if (x.value != y.value) return QStringLiteral("value");
    if (x.old != y.old) return QStringLiteral("old");
    if (x.index != y.index || x.code != y.code) return QStringLiteral("index");
    if (x.line != y.line || !sameText(x.function, y.function)) return QStringLiteral("line");
    return {};
}

RunDivergence divergence(quint64 i, quint64 j, const Event* x, const Event* y, const QString& field)
{
    RunDivergence d;
    d.eventA = i;
    d.eventB = j;
    d.field = field;
    if (x) {
        d.stepA = x->step;
        d.a = describeRunEvent(*x);
    }
    if (y) {
        d.stepB = y->step;
        d.b = describeRunEvent(*y);
    }
    return d;
}

/// A value as compact JSON (lists and maps included); the plain text for strings and numbers.
QString valueText(const QVariant& v)
{
    const QJsonValue j = QJsonValue::fromVariant(v);
    if (j.isArray()) return QString::fromUtf8(QJsonDocument(j.toArray()).toJson(QJsonDocument::Compact));
    if (j.isObject()) return QString::fromUtf8(QJsonDocument(j.toObject()).toJson(QJsonDocument::Compact));
    return v.toString();
}

} // namespace

QString describeRunEvent(const Event& e)
{
    QString s
        = QStringLiteral("%1 step %2 task %3").arg(QString::fromLatin1(eventKindName(e.kind))).arg(e.step).arg(e.task);
    if (!e.name.isEmpty()) s += QStringLiteral(" name=%1").arg(e.name);
    if (!e.text.isEmpty()) s += QStringLiteral(" text=%1").arg(e.text);
    if (e.value.isValid()) s += QStringLiteral(" value=%1").arg(valueText(e.value));
    if (e.old.isValid()) s += QStringLiteral(" old=%1").arg(valueText(e.old));
    if (e.function) s += QStringLiteral(" at %1:%2").arg(QString::fromUtf8(e.function)).arg(e.line);
    return s;
}

RunDiff diffRuns(const QList<Event>& a, const QList<Event>& b)
{
    RunDiff out;
    out.eventsA = quint64(a.size());
    out.eventsB = quint64(b.size());
    const qsizetype n = std::min(a.size(), b.size());
    for (qsizetype i = 0; i < n; ++i) {
        const QString f = differingField(a[i], b[i]);
        if (!f.isEmpty()) {
            out.first = divergence(quint64(i), quint64(i), &a[i], &b[i], f);
            return out;
        }
    }
    if (a.size() != b.size())
        out.first = divergence(quint64(n), quint64(n), n < a.size() ? &a[n] : nullptr, n < b.size() ? &b[n] : nullptr,
                               QStringLiteral("missing"));
    return out;
}

bool diffTraces(TraceReader& a, TraceReader& b, RunDiff& out, QString* error)
{
    out = RunDiff {};
    const quint64 na = a.eventCount();
    const quint64 nb = b.eventCount();
    const quint64 n = std::min(na, nb);
    constexpr quint64 chunk = 4096;
    QList<Event> xa;
    QList<Event> xb;
    for (quint64 from = 0; from < n; from += chunk) {
        const quint64 to = std::min(n, from + chunk);
        xa.clear();
        xb.clear();
        if (!a.events(from, to, xa)) {
            if (error) *error = a.errorString();
            return false;
        }
        if (!b.events(from, to, xb)) {
            if (error) *error = b.errorString();
            return false;
        }
        for (qsizetype k = 0; k < xa.size() && k < xb.size(); ++k) {
            const QString f = differingField(xa[k], xb[k]);
            if (!f.isEmpty()) {
                out.eventsA = out.eventsB = from + quint64(k) + 1;
                out.first = divergence(from + quint64(k), from + quint64(k), &xa[k], &xb[k], f);
                return true;
            }
        }
    }
    out.eventsA = na;
    out.eventsB = nb;
    if (na != nb) {
        QList<Event> rest;
        TraceReader& longer = na > nb ? a : b;
        if (!longer.events(n, n + 1, rest) || rest.isEmpty()) {
            if (error) *error = longer.errorString();
            return false;
        }
        out.first
            = divergence(n, n, na > nb ? &rest[0] : nullptr, na > nb ? nullptr : &rest[0], QStringLiteral("missing"));
    }
    return true;
}

QString formatRunDiff(const RunDiff& diff, const QString& nameA, const QString& nameB)
{
    if (diff.equal()) return QStringLiteral("runs are equal: %1 events\n").arg(diff.eventsA);
    const RunDivergence& d = *diff.first;
    QString s = QStringLiteral("first divergence at event %1 (%2 step %3, %4 step %5): %6 differs\n")
                    .arg(d.eventA)
                    .arg(nameA)
                    .arg(d.stepA)
                    .arg(nameB)
                    .arg(d.stepB)
                    .arg(d.field);
    s += QStringLiteral("  %1: %2\n").arg(nameA, d.a.isEmpty() ? QStringLiteral("(run ended)") : d.a);
    s += QStringLiteral("  %1: %2\n").arg(nameB, d.b.isEmpty() ? QStringLiteral("(run ended)") : d.b);
    return s;
}

} // namespace doeff
