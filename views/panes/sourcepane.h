#pragma once

#include <QWidget>

class QAction;
class QLabel;
class QPlainTextEdit;

namespace doeff::views {

class BreakpointModel;
class SourceGutter;
class StudioSession;

/// Source: the file at the current location, the line marked. Its margin shows the line numbers
/// and the source-line breakpoints of a BreakpointModel (the Breakpoints pane's: one list, two
/// views): a filled red dot when enabled, a hollow one when disabled, a diamond for a logpoint. A
/// click in the margin asks for a breakpoint on that line to be toggled
/// (breakpointToggleRequested); its context menu can also add a logpoint there.
class SourcePane : public QWidget {
    Q_OBJECT
public:
    enum class Marker : quint8 { None, Enabled, Disabled, Logpoint, DisabledLogpoint };

    explicit SourcePane(StudioSession* session, QWidget* parent = nullptr);
    /// The breakpoints the margin shows (not owned; may be null).
    void setBreakpointModel(BreakpointModel* model);
    /// The margin's marker at `line` (1-based) of the shown file.
    Marker markerAt(int line) const;
    /// The breakpoint id at `line` of the shown file, or 0.
    int breakpointAt(int line) const;
    /// The 1-based line of the text cursor (Run to Cursor), 0 when no file is shown.
    int cursorLine() const;
    /// Whether a readable source file is shown.
    bool showsSource() const { return m_readable && !m_file.isEmpty(); }
    QWidget* gutter() const;
    /// An action for the text's context menu (Run to Cursor), after the standard ones.
    void addContextAction(QAction* action);
    /// The gutter's y (centre) of `line`, -1 when it is not on screen.
    int gutterY(int line) const;
    /// Shows `file` at `line`. `ended`: the line is where a task or the run ended (marked grey,
    /// "ended here"), not the line about to run (marked yellow).
    void showLocation(const QString& file, int line, const QString& function = {}, bool ended = false);
    /// No location: an empty pane (a new document before its first event, or a run that ended
    /// without one).
    void clear(const QString& header = {});
    QString file() const { return m_file; }
    int line() const { return m_line; }
    /// Whether the marked line is where something ended.
    bool showsEnd() const { return m_ended; }
    QPlainTextEdit* editor() { return m_editor; }
    QLabel* header() { return m_header; }

Q_SIGNALS:
    /// A click in the margin at `line` of `file`: add a source-line breakpoint there, or remove
    /// the one there.
    void breakpointToggleRequested(const QString& file, int line);
    /// "Edit…" in the margin's context menu.
    void breakpointEditRequested(int id);
    /// "Add Logpoint…" in the margin's context menu.
    void logpointRequested(const QString& file, int line);
    /// Another file (or none) is shown.
    void sourceChanged();

private:
    friend class SourceGutter;
    void refresh();
    StudioSession* m_session;
    QLabel* m_header;
    QPlainTextEdit* m_editor;
    SourceGutter* m_gutter;
    BreakpointModel* m_breakpoints = nullptr;
    QString m_file;
    QString m_loadedFile;
    bool m_readable = false;
    int m_line = 0;
    bool m_ended = false;
    QList<QAction*> m_contextActions;
};

} // namespace doeff::views
