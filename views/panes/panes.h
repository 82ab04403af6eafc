#pragma once

#include "breakpointmodel.h"
#include "effecttreemodel.h"
#include "logmodel.h"
#include "stackmodel.h"
#include "taskmodel.h"
#include "varianttreemodel.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSortFilterProxyModel;
class QTreeView;

/// The Studio's panes: each owns its model, reads the StudioSession when it refreshes and
/// never touches the machine.
namespace doeff::views {

class RunController;
class StudioSession;

/// 1. Tasks: selecting a task drives the stack, store and environment panes.
class TasksPane : public QWidget {
    Q_OBJECT
public:
    explicit TasksPane(StudioSession* session, QWidget* parent = nullptr);
    TaskModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }

private:
    void refresh();
    void syncSelection();
    StudioSession* m_session; // not owned
    TaskModel m_model;
    QTreeView* m_view;
    bool m_syncing = false;
};

/// 2. Continuation stack of the selected task, top first; double-click opens the source.
class StackPane : public QWidget {
    Q_OBJECT
public:
    explicit StackPane(StudioSession* session, QWidget* parent = nullptr);
    StackModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }

Q_SIGNALS:
    void sourceRequested(const QString& file, int line);

private:
    void refresh();
    StudioSession* m_session;
    StackModel m_model;
    QTreeView* m_view;
    QLabel* m_title;
};

/// 3./4. Store or environment of the selected task as a tree; changed keys highlighted.
class VariantPane : public QWidget {
    Q_OBJECT
public:
    enum class Source : quint8 { Store, Environment };
    VariantPane(StudioSession* session, Source source, QWidget* parent = nullptr);
    VariantTreeModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }

private:
    void refresh();
    StudioSession* m_session;
    Source m_source;
    VariantTreeModel m_model;
    QTreeView* m_view;
    QStringList m_expanded; // key paths joined by '\x1f', restored after a reset
};

/// 5. Effect call tree with a filter.
class EffectTreePane : public QWidget {
    Q_OBJECT
public:
    explicit EffectTreePane(StudioSession* session, QWidget* parent = nullptr);
    EffectTreeModel* model() { return &m_model; }
    QSortFilterProxyModel* proxy() { return m_proxy; }
    QLineEdit* filter() { return m_filter; }
    QTreeView* view() { return m_view; }

private:
    void refresh();
    StudioSession* m_session;
    EffectTreeModel m_model;
    QSortFilterProxyModel* m_proxy;
    QLineEdit* m_filter;
    QTreeView* m_view;
};

/// 6. Log: Tell messages with task and step.
class LogPane : public QWidget {
    Q_OBJECT
public:
    explicit LogPane(StudioSession* session, QWidget* parent = nullptr);
    LogModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }

private:
    StudioSession* m_session;
    LogModel m_model;
    QTreeView* m_view;
};

/// 7. Source at the current location, the line marked.
class SourcePane : public QWidget {
    Q_OBJECT
public:
    explicit SourcePane(StudioSession* session, QWidget* parent = nullptr);
    void showLocation(const QString& file, int line, const QString& function = {});
    QString file() const { return m_file; }
    int line() const { return m_line; }
    QPlainTextEdit* editor() { return m_editor; }
    QLabel* header() { return m_header; }

private:
    void refresh();
    StudioSession* m_session;
    QLabel* m_header;
    QPlainTextEdit* m_editor;
    QString m_file;
    QString m_loadedFile;
    bool m_readable = false;
    int m_line = 0;
};

/// 8. Result: summary line plus format(true).
class ResultPane : public QWidget {
    Q_OBJECT
public:
    explicit ResultPane(StudioSession* session, QWidget* parent = nullptr);
    QString summary() const;
    QString text() const;

private:
    void refresh();
    StudioSession* m_session;
    QLabel* m_summary;
    QPlainTextEdit* m_text;
};

/// 9. Breakpoints: list with enable checkboxes and hit counts; add by kind + pattern.
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
    /// Adds a breakpoint of the combo's kind from `text`; returns an error text or empty.
    QString addFromInput();

Q_SIGNALS:
    void problem(const QString& message);

private:
    void updatePlaceholder();
    RunController* m_run = nullptr; // not owned
    BreakpointModel m_model;
    QComboBox* m_kind;
    QLineEdit* m_pattern;
    QTreeView* m_view;
};

/// Flattens a RuntimeResult's effect tree into the SessionState form (for loaded results).
std::vector<SessionTreeNode> flattenTree(const EffectStackTrace& tree);

} // namespace doeff::views
