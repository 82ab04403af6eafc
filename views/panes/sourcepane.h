#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace doeff::views {

class StudioSession;

/// Source: the file at the current location, the line marked.
class SourcePane : public QWidget {
    Q_OBJECT
public:
    explicit SourcePane(StudioSession* session, QWidget* parent = nullptr);
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

private:
    void refresh();
    StudioSession* m_session;
    QLabel* m_header;
    QPlainTextEdit* m_editor;
    QString m_file;
    QString m_loadedFile;
    bool m_readable = false;
    int m_line = 0;
    bool m_ended = false;
};

} // namespace doeff::views
