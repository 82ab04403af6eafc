#pragma once

#include <QStringList>
#include <QWidget>

#include <utility>

class QLabel;
class QTextBrowser;
class QUrl;

namespace doeff::views {

class StudioSession;

/// Result: summary line plus format(true). Every file:line in the text (source stack, K) is a
/// link: clicking it emits sourceRequested().
class ResultPane : public QWidget {
    Q_OBJECT
public:
    explicit ResultPane(StudioSession* session, QWidget* parent = nullptr);
    QString summary() const;
    QString text() const;
    QTextBrowser* textView() { return m_text; }
    /// The file:line links in the text, as `file:line`, in order.
    QStringList links() const { return m_links; }
    /// The file and line of a link's URL (line 0 when it is not one of ours).
    static std::pair<QString, int> linkTarget(const QUrl& url);

Q_SIGNALS:
    void sourceRequested(const QString& file, int line);

private:
    void refresh();
    void setLinkedText(const QString& text);
    StudioSession* m_session;
    QLabel* m_summary;
    QTextBrowser* m_text;
    QStringList m_links;
};

} // namespace doeff::views
