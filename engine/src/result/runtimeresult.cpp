#include <doeff/runtimeresult.h>
#include <doeff/value.h>

#include <QStringList>

namespace doeff {

namespace {

const QString heavyRule = QString(79, QChar(0x2550));
const QString lightRule = QString(79, QChar(0x2500));

QString sectionHeader(int indent, const QString& title)
{
    return QStringLiteral("\n") + lightRule + QStringLiteral("\n") + QString(indent, u' ') + title
        + QStringLiteral("\n") + lightRule + QStringLiteral("\n");
}

QString entryLines(const SourceStackTrace::Entry& e)
{
    QString s = QStringLiteral("  File \"") + e.file + QStringLiteral("\", line ") + QString::number(e.line)
        + QStringLiteral(", in ") + e.function;
    if (e.task != 0)
        s += QStringLiteral(" [task ") + QString::number(e.task) + QStringLiteral(" '") + e.taskName
            + QStringLiteral("']");
    if (!e.handler.isEmpty()) s += QStringLiteral(" [handler ") + e.handler + QStringLiteral("]");
    if (!e.code.isEmpty()) s += QStringLiteral("\n    ") + e.code;
    return s;
}

void formatNode(const EffectStackTrace::Node& node, const QString& prefix, bool last, QStringList& out)
{
    // iterative would avoid recursion, but the recorder bounds the depth it keeps
    QString line = prefix + (last ? QStringLiteral("└─ ") : QStringLiteral("├─ ")) + node.display;
    if (node.count > 1) line += QStringLiteral(" x%1").arg(node.count);
    if (node.error)
        line += QStringLiteral("  <-- ERROR");
    else if (node.rethrown)
        line += QStringLiteral("  <-- RETHROWN");
    out.append(line);
    const QString childPrefix = prefix + (last ? QStringLiteral("   ") : QStringLiteral("│  "));
    for (qsizetype i = 0; i < node.children.size(); ++i)
        formatNode(node.children.at(i), childPrefix, i + 1 == node.children.size() && node.more == 0, out);
    if (node.more > 0) out.append(childPrefix + QStringLiteral("└─ ... %1 more").arg(node.more));
}

bool containsError(const EffectStackTrace::Node& node)
{
    if (node.error) return true;
    for (const auto& c : node.children)
        if (containsError(c)) return true;
    return false;
}

QString mapSection(const QString& title, const QList<std::pair<QString, QVariant>>& entries)
{
    QString s = title + QStringLiteral(":");
    if (entries.isEmpty()) return s + QStringLiteral("\n  <empty>");
    const qsizetype shown = qMin<qsizetype>(entries.size(), 10);
    for (qsizetype i = 0; i < shown; ++i)
        s += QStringLiteral("\n  ") + entries.at(i).first + QStringLiteral(": ") + repr(entries.at(i).second);
    if (entries.size() > shown) s += QStringLiteral("\n  ... and %1 more").arg(entries.size() - shown);
    return s;
}

QString unobservedLines(const QList<UnobservedFailure>& list)
{
    QStringList lines;
    for (const UnobservedFailure& u : list)
        lines.append(QStringLiteral("  task ") + QString::number(u.task) + QStringLiteral(" '") + u.name
                     + QStringLiteral("': ") + u.error.describe());
    return lines.join(u'\n');
}

} // namespace

QString KStackTrace::format() const
{
    if (frames.isEmpty()) return QStringLiteral("Continuation Stack (K): <empty>");
    QString s = QStringLiteral("Continuation Stack (K):");
    for (qsizetype i = 0; i < frames.size(); ++i)
        s += QStringLiteral("\n  [") + QString::number(i) + QStringLiteral("] ") + frames.at(i).kind.leftJustified(18)
            + QStringLiteral(" - ") + frames.at(i).description;
    return s;
}

QString KStackTrace::kinds() const
{
    QStringList k;
    for (const FrameInfo& f : frames)
        k.append(f.kind);
    return QStringLiteral("[") + k.join(QStringLiteral(", ")) + QStringLiteral("]");
}

QString SourceStackTrace::format() const
{
    if (entries.isEmpty()) return QStringLiteral("Source Stack: <not captured>");
    return QStringLiteral("Source Stack:\n") + formatTail(int(entries.size()));
}

QString SourceStackTrace::formatTail(int n) const
{
    QStringList lines;
    for (qsizetype i = qMax<qsizetype>(0, entries.size() - n); i < entries.size(); ++i)
        lines.append(entryLines(entries.at(i)));
    return lines.join(u'\n');
}

QString EffectStackTrace::format() const
{
    if (!captured) return QStringLiteral("Effect Call Tree: <not captured>");
    QStringList lines { QStringLiteral("Effect Call Tree:") };
    formatNode(root, QStringLiteral("  "), true, lines);
    return lines.join(u'\n');
}

QString EffectStackTrace::effectPath() const
{
    if (!captured) return QStringLiteral("<not captured>");
    QStringList path;
    const Node* n = &root;
    const bool hasError = containsError(root);
    while (true) {
        path.append(n->display);
        if (n->error || n->children.isEmpty()) break;
        const Node* next = nullptr;
        if (hasError) {
            for (const Node& c : n->children)
                if (containsError(c)) {
                    next = &c;
                    break;
                }
        } else {
            next = &n->children.last();
        }
        if (!next) break;
        n = next;
    }
    return path.join(QStringLiteral(" -> "));
}

QString detail::ResultData::format(bool verbose) const
{
    const QString status = ok ? QStringLiteral("Ok(") + repr(value) + QStringLiteral(")")
                              : QStringLiteral("Err(") + error.describe() + QStringLiteral(")");
    if (!verbose) {
        QString s = status;
        if (!ok) {
            s += QStringLiteral("\n\nRoot Cause: ") + rootCause.describe();
            if (!source.isEmpty()) s += QStringLiteral("\n\n") + source.formatTail(3);
            s += QStringLiteral("\n\nEffect path: ") + tree.effectPath();
            if (!k.isEmpty()) s += QStringLiteral("\n\nK: ") + k.kinds();
        }
        if (!unobserved.isEmpty())
            s += QStringLiteral("\n\nUnobserved task failures (%1):\n").arg(unobserved.size())
                + unobservedLines(unobserved);
        if (!ok && !waitCycle.isEmpty()) s += QStringLiteral("\n\nWait-for cycle: ") + waitCycle;
        return s;
    }
    QString s = heavyRule + QStringLiteral("\n") + QString(30, u' ') + QStringLiteral("RUNTIME RESULT\n") + heavyRule
        + QStringLiteral("\n");
    s += QStringLiteral("\nStatus: ") + status + QStringLiteral("\n");
    if (!ok) s += sectionHeader(31, QStringLiteral("ROOT CAUSE")) + rootCause.describe() + QStringLiteral("\n");
    s += sectionHeader(29, QStringLiteral("SOURCE STACK")) + source.format() + QStringLiteral("\n");
    s += sectionHeader(27, QStringLiteral("EFFECT CALL TREE")) + tree.format() + QStringLiteral("\n");
    s += sectionHeader(25, QStringLiteral("CONTINUATION STACK (K)")) + k.format() + QStringLiteral("\n");
    if (!unobserved.isEmpty())
        s += sectionHeader(24, QStringLiteral("UNOBSERVED TASK FAILURES")) + unobservedLines(unobserved)
            + QStringLiteral("\n");
    s += sectionHeader(33, QStringLiteral("STORE")) + mapSection(QStringLiteral("Store"), store.entries())
        + QStringLiteral("\n");
    QList<std::pair<QString, QVariant>> envEntries;
    for (auto it = env.cbegin(); it != env.cend(); ++it)
        envEntries.append({ it.key(), it.value() });
    s += sectionHeader(30, QStringLiteral("ENVIRONMENT")) + mapSection(QStringLiteral("Environment"), envEntries)
        + QStringLiteral("\n");
    s += QStringLiteral("\n") + heavyRule;
    if (!ok && !waitCycle.isEmpty()) s += QStringLiteral("\n\nWait-for cycle: ") + waitCycle;
    return s;
}

RuntimeResultBase::RuntimeResultBase()
    : m_data(std::make_shared<const detail::ResultData>())
{ }

RuntimeResultBase::RuntimeResultBase(std::shared_ptr<const detail::ResultData> data)
    : m_data(std::move(data))
{ }

const ErrorInfo& RuntimeResultBase::error() const
{
    if (m_data->ok) throw ResultAccessError(QStringLiteral("Result is Ok, no error"));
    return m_data->error;
}

QVariant RuntimeResultBase::anyValue() const
{
    if (!m_data->ok) m_data->error.rethrow();
    return m_data->value;
}

QVariant SavedResult::value() const
{
    return anyValue();
}

} // namespace doeff
