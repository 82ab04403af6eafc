#pragma once

#include <doeff/agent.h>

#include <QDialog>
#include <QStringList>

class QComboBox;
class QCompleter;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace doeff::views {

/// The effects every program can perform (the built-in ones), sorted.
QStringList builtinEffectNames();
/// Why `name` is not an effect among `known` ("no effect named Tel; did you mean Tell?"), or
/// empty when it is one.
QString effectNameProblem(const QString& name, const QStringList& known);

/// Edits one breakpoint: kind, pattern (an effect name completed from `effectNames`; an unknown
/// one is refused), condition (`field=value`), file and line, the hit count to pause at, and a
/// log message, which makes it a logpoint: it logs instead of pausing.
class BreakpointDialog : public QDialog {
    Q_OBJECT
public:
    BreakpointDialog(const Breakpoint& breakpoint, const QStringList& effectNames, QWidget* parent = nullptr);
    /// The breakpoint as edited (its id and enabled state as given).
    Breakpoint breakpoint() const;
    /// What keeps the input from being a breakpoint, or empty.
    QString problem() const;
    /// For a new logpoint (the margin's Add Logpoint…): titled so, the message field focused, and
    /// an empty message refused.
    void setForLogpoint();
    void accept() override;

    QComboBox* kindBox() const { return m_kind; }
    QLineEdit* patternEdit() const { return m_pattern; }
    QLineEdit* conditionEdit() const { return m_condition; }
    QLineEdit* fileEdit() const { return m_file; }
    QSpinBox* lineBox() const { return m_line; }
    QSpinBox* hitCountBox() const { return m_hitCount; }
    QLineEdit* logMessageEdit() const { return m_logMessage; }
    QLabel* problemLabel() const { return m_problem; }
    QCompleter* completer() const { return m_completer; }

private:
    void updateFields();
    Breakpoint m_original;
    QStringList m_effectNames;
    QComboBox* m_kind;
    QLineEdit* m_pattern;
    QLineEdit* m_condition;
    QLineEdit* m_file;
    QSpinBox* m_line;
    QSpinBox* m_hitCount;
    QLineEdit* m_logMessage;
    QLabel* m_problem;
    QCompleter* m_completer = nullptr;
    bool m_forLogpoint = false;
};

} // namespace doeff::views
