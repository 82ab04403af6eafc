#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace doeff::views {

class StudioSession;

/// Result: summary line plus format(true).
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

} // namespace doeff::views
