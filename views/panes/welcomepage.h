#pragma once

#include <QWidget>

class QLabel;
class QMenu;
class QToolButton;

namespace doeff::views {

/// What the central area shows when no program, trace or result is open (a start without a
/// file, or with a file that could not be opened): the next steps as buttons, and the guide.
class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget* parent = nullptr);

    /// The examples the "Open an Example" menu offers; `groups` (same length, optional) gives
    /// each one's heading: a new heading starts a section.
    void setExamples(const QStringList& names, const QStringList& groups = {});
    /// The user guide (docs/guide.md) shown as a link; empty: the link says where to find it.
    void setGuidePath(const QString& path);
    QString guidePath() const { return m_guidePath; }

Q_SIGNALS:
    void exampleRequested(const QString& name);
    void openTraceRequested();
    void openLibraryRequested();
    void debugExecutableRequested();

private:
    QMenu* m_examples;
    QLabel* m_guide;
    QString m_guidePath;
};

} // namespace doeff::views
