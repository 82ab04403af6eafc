#pragma once

#include <QFrame>

class QLabel;

namespace doeff::views {

class StudioSession;

/// While the run is paused at an error (ErrorRaised): its type, message, where it was raised
/// (a link to Source) and whether a Safe above it on the continuation stack will catch it.
/// Hidden otherwise; it goes away on resume.
class ExceptionBar : public QFrame {
    Q_OBJECT
public:
    explicit ExceptionBar(StudioSession* session, QWidget* parent = nullptr);
    QLabel* label() const { return m_label; }
    /// The catch verdict shown (for tests): "Safe", "task", "uncaught".
    QString verdict() const { return m_verdict; }

Q_SIGNALS:
    void locationActivated(const QString& file, int line);

private:
    void refresh();
    StudioSession* m_session;
    QLabel* m_label;
    QString m_verdict;
};

} // namespace doeff::views
