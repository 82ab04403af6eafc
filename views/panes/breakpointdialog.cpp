#include "breakpointdialog.h"

#include <doeff/effects.h>

#include <QComboBox>
#include <QCompleter>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <vector>

namespace doeff::views {

QStringList builtinEffectNames()
{
    QStringList names;
    for (const char* n : { AskEffect::name,
                           LocalEffect::name,
                           GetEffect::name,
                           PutEffect::name,
                           ModifyEffect::name,
                           TellEffect::name,
                           StructuredLogEffect::name,
                           ListenEffect::name,
                           SafeEffect::name,
                           InterceptEffect::name,
                           IOEffect::name,
                           CachePutEffect::name,
                           CacheGetEffect::name,
                           CacheExistsEffect::name,
                           CacheDeleteEffect::name,
                           AtomicGetEffect::name,
                           AtomicUpdateEffect::name,
                           ProgramCallFrameEffect::name,
                           ProgramCallStackEffect::name,
                           StepEffect::name,
                           AnnotateEffect::name,
                           SnapshotEffect::name,
                           CaptureGraphEffect::name,
                           SpawnEffect::name,
                           WaitEffect::name,
                           GatherEffect::name,
                           RaceEffect::name,
                           CancelEffect::name,
                           IsDoneEffect::name,
                           CreatePromiseEffect::name,
                           CompletePromiseEffect::name,
                           FailPromiseEffect::name,
                           CreateExternalPromiseEffect::name,
                           DelayEffect::name,
                           WaitUntilEffect::name,
                           GetTimeEffect::name,
                           AwaitEffect::name })
        names.append(QString::fromLatin1(n));
    names.sort();
    return names;
}

namespace {
int editDistance(const QString& a, const QString& b)
{
    std::vector<int> row(size_t(b.size()) + 1);
    for (size_t j = 0; j < row.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int up = row[size_t(j)];
            const bool same = a[i - 1].toLower() == b[j - 1].toLower();
            row[size_t(j)] = std::min({ up + 1, row[size_t(j - 1)] + 1, diagonal + (same ? 0 : 1) });
            diagonal = up;
        }
    }
    return row.back();
}

struct KindChoice {
    Breakpoint::Kind kind;
    const char* label;
};
constexpr KindChoice s_kinds[] = {
    { Breakpoint::Kind::Effect, "Effect" },        { Breakpoint::Kind::StoreKey, "Store key" },
    { Breakpoint::Kind::EnvKey, "Env key" },       { Breakpoint::Kind::SourceLine, "File:line" },
    { Breakpoint::Kind::Error, "Any error" },      { Breakpoint::Kind::UncaughtError, "Uncaught error" },
    { Breakpoint::Kind::TaskSpawn, "Task spawn" }, { Breakpoint::Kind::TaskFinish, "Task finish" },
    { Breakpoint::Kind::Deadlock, "Deadlock" },
};
} // namespace

QString effectNameProblem(const QString& name, const QStringList& known)
{
    if (known.contains(name)) return {};
    QString best;
    int bestDistance = 3; // suggest only a near miss
    for (const QString& k : known) {
        const int d = editDistance(name, k);
        if (d < bestDistance) {
            bestDistance = d;
            best = k;
        }
    }
    return best.isEmpty() ? BreakpointDialog::tr("no effect named %1").arg(name)
                          : BreakpointDialog::tr("no effect named %1; did you mean %2?").arg(name, best);
}

BreakpointDialog::BreakpointDialog(const Breakpoint& breakpoint, const QStringList& effectNames, QWidget* parent)
    : QDialog(parent)
    , m_original(breakpoint)
    , m_effectNames(effectNames)
    , m_kind(new QComboBox(this))
    , m_pattern(new QLineEdit(this))
    , m_condition(new QLineEdit(this))
    , m_file(new QLineEdit(this))
    , m_line(new QSpinBox(this))
    , m_hitCount(new QSpinBox(this))
    , m_logMessage(new QLineEdit(this))
    , m_problem(new QLabel(this))
{
    setObjectName(QStringLiteral("breakpointDialog"));
    setWindowTitle(
        breakpoint.id ? (breakpoint.isLogpoint() ? tr("Edit Logpoint %1") : tr("Edit Breakpoint %1")).arg(breakpoint.id)
                      : (breakpoint.isLogpoint() ? tr("New Logpoint") : tr("New Breakpoint")));
    m_effectNames.removeDuplicates();
    m_effectNames.sort();
    for (const KindChoice& k : s_kinds)
        m_kind->addItem(tr(k.label), int(k.kind));
    m_kind->setCurrentIndex(std::max(0, m_kind->findData(int(breakpoint.kind))));
    m_pattern->setText(breakpoint.pattern);
    m_completer = new QCompleter(m_effectNames, this);
    m_completer->setCaseSensitivity(Qt::CaseInsensitive);
    m_condition->setText(breakpoint.condition);
    m_condition->setPlaceholderText(tr("field=value, e.g. key=counter (optional)"));
    m_file->setText(breakpoint.file);
    m_line->setRange(1, 10'000'000);
    m_line->setValue(std::max(1, breakpoint.line));
    m_hitCount->setRange(0, 1'000'000);
    m_hitCount->setSpecialValueText(tr("every hit"));
    m_hitCount->setValue(breakpoint.hitCount);
    m_hitCount->setToolTip(tr("Pause only at this hit; the hits before it are counted"));
    m_logMessage->setObjectName(QStringLiteral("logMessage"));
    m_logMessage->setText(breakpoint.logMessage);
    m_logMessage->setPlaceholderText(tr("log this instead of pausing: {store.KEY} {env.KEY} {task} {step}"));
    m_logMessage->setToolTip(tr("A logpoint: each hit adds this message to the Log pane and the run goes on. "
                                "{store.KEY}, {env.KEY}, {task} and {step} are filled in as the run is "
                                "there (before the effect runs); {{ and }} are braces."));
    // wide enough to type a pattern, a condition or a path in
    const int wide = fontMetrics().horizontalAdvance(QLatin1Char('x')) * 40;
    for (QLineEdit* e : { m_pattern, m_condition, m_file, m_logMessage })
        e->setMinimumWidth(wide);
    m_problem->setObjectName(QStringLiteral("breakpointProblem"));
    m_problem->setStyleSheet(QStringLiteral("color: #b00020"));
    m_problem->setWordWrap(true);
    m_problem->hide();

    auto* form = new QFormLayout;
    form->addRow(tr("&Kind:"), m_kind);
    form->addRow(tr("&Pattern:"), m_pattern);
    form->addRow(tr("&Condition:"), m_condition);
    form->addRow(tr("&File:"), m_file);
    form->addRow(tr("&Line:"), m_line);
    form->addRow(tr("&Hit count:"), m_hitCount);
    form->addRow(tr("Log &message:"), m_logMessage);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto* l = new QVBoxLayout(this);
    l->addLayout(form);
    l->addWidget(m_problem);
    l->addWidget(buttons);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &BreakpointDialog::updateFields);
    connect(m_pattern, &QLineEdit::textChanged, m_problem, &QWidget::hide);
    updateFields();
}

void BreakpointDialog::updateFields()
{
    const auto kind = Breakpoint::Kind(m_kind->currentData().toInt());
    const bool line = kind == Breakpoint::Kind::SourceLine;
    const bool pattern
        = kind == Breakpoint::Kind::Effect || kind == Breakpoint::Kind::StoreKey || kind == Breakpoint::Kind::EnvKey;
    m_pattern->setEnabled(pattern);
    // effect names complete an effect's pattern only
    m_pattern->setCompleter(kind == Breakpoint::Kind::Effect ? m_completer : nullptr);
    m_pattern->setPlaceholderText(kind == Breakpoint::Kind::Effect ? tr("effect name, e.g. Tell")
                                      : pattern                    ? tr("key")
                                                                   : tr("(no pattern needed)"));
    m_condition->setEnabled(kind == Breakpoint::Kind::Effect);
    m_file->setEnabled(line);
    m_line->setEnabled(line);
}

Breakpoint BreakpointDialog::breakpoint() const
{
    Breakpoint b = m_original;
    b.kind = Breakpoint::Kind(m_kind->currentData().toInt());
    b.pattern.clear();
    b.condition.clear();
    b.file.clear();
    b.line = 0;
    switch (b.kind) {
    case Breakpoint::Kind::Effect:
        b.condition = m_condition->text().trimmed();
        [[fallthrough]];
    case Breakpoint::Kind::StoreKey:
    case Breakpoint::Kind::EnvKey:
        b.pattern = m_pattern->text().trimmed();
        break;
    case Breakpoint::Kind::SourceLine:
        b.file = m_file->text().trimmed();
        b.line = m_line->value();
        break;
    default:
        break;
    }
    b.hitCount = m_hitCount->value();
    b.logMessage = m_logMessage->text();
    if (b.logMessage.trimmed().isEmpty()) b.logMessage.clear();
    return b;
}

void BreakpointDialog::setForLogpoint()
{
    m_forLogpoint = true;
    if (!m_original.id) setWindowTitle(tr("New Logpoint"));
    m_logMessage->setFocus(Qt::OtherFocusReason);
}

QString BreakpointDialog::problem() const
{
    const Breakpoint b = breakpoint();
    if (m_forLogpoint && b.logMessage.isEmpty()) return tr("A logpoint needs a message to log.");
    // every `{` opens an expression that a `}` closes (`{{` is a brace)
    for (qsizetype i = 0; i < b.logMessage.size(); ++i) {
        if (b.logMessage[i] != u'{') continue;
        if (i + 1 < b.logMessage.size() && b.logMessage[i + 1] == u'{') {
            ++i;
            continue;
        }
        const qsizetype close = b.logMessage.indexOf(u'}', i + 1);
        if (close < 0) return tr("The log message has a '{' without its '}' (write {{ for a brace).");
        i = close;
    }
    switch (b.kind) {
    case Breakpoint::Kind::Effect:
        if (b.pattern.isEmpty()) return tr("An effect breakpoint needs an effect name.");
        if (!b.condition.isEmpty() && !b.condition.contains(u'='))
            return tr("The condition '%1' is not field=value.").arg(b.condition);
        return effectNameProblem(b.pattern, m_effectNames);
    case Breakpoint::Kind::StoreKey:
    case Breakpoint::Kind::EnvKey:
        return b.pattern.isEmpty() ? tr("This breakpoint needs a key.") : QString();
    case Breakpoint::Kind::SourceLine:
        return b.file.isEmpty() ? tr("A line breakpoint needs a file.") : QString();
    default:
        return {};
    }
}

void BreakpointDialog::accept()
{
    const QString p = problem();
    if (!p.isEmpty()) {
        m_problem->setText(p);
        m_problem->show();
        return;
    }
    QDialog::accept();
}

} // namespace doeff::views
