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

} // namespace doeff::views
