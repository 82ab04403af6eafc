#pragma once

#include "breakpointmodel.h"

#include <QWidget>

class QComboBox;
class QLineEdit;
class QTreeView;

namespace doeff::views {

class RunController;

/// Breakpoints: list with enable checkboxes and hit counts; add by kind + pattern.
class BreakpointsPane : public QWidget {
    Q_OBJECT
public:
    explicit BreakpointsPane(RunController* run, QWidget* parent = nullptr); // run: not owned
    /// Shows and edits the breakpoints of `run` (the Studio switches between in- and
    /// out-of-process runs).
    void setRun(RunController* run);
    BreakpointModel* model() { return &m_model; }
    QComboBox* kindBox() { return m_kind; }
    QLineEdit* patternEdit() { return m_pattern; }
    QTreeView* view() { return m_view; }
    /// Adds a breakpoint of the combo's kind from `text`; returns an error text or empty.
    QString addFromInput();

Q_SIGNALS:
    void problem(const QString& message);
    /// Double-click or "Edit…" on the breakpoint `id`.
    void editRequested(int id);

private:
    void updatePlaceholder();
    RunController* m_run = nullptr; // not owned
    BreakpointModel m_model;
    QComboBox* m_kind;
    QLineEdit* m_pattern;
    QTreeView* m_view;
};

} // namespace doeff::views
