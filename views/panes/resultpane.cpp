#include "resultpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QFontDatabase>
#include <QLabel>
#include <QRegularExpression>
#include <QTextBrowser>
#include <QUrl>
#include <QUrlQuery>
#include <QVBoxLayout>

namespace doeff::views {

ResultPane::ResultPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_summary(new QLabel(this))
    , m_text(new QTextBrowser(this))
{
    auto* l = tightLayout(this);
    m_summary->setContentsMargins(6, 4, 6, 4);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    l->addWidget(m_summary);
    l->addWidget(m_text);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setOpenLinks(false);
    m_text->setOpenExternalLinks(false);
    connect(m_text, &QTextBrowser::anchorClicked, this, [this](const QUrl& url) {
        const auto [file, line] = linkTarget(url);
        if (line > 0) Q_EMIT sourceRequested(file, line);
    });
    connect(m_session, &StudioSession::resultChanged, this, &ResultPane::refresh);
    refresh();
}

QString ResultPane::summary() const
{
    return m_summary->text();
}

QString ResultPane::text() const
{
    return m_text->toPlainText();
}

void ResultPane::refresh()
{
    if (m_session->status() == RunStatus::Lost) {
        const QString failure = m_session->failure();
        m_summary->setText(tr("No result: %1").arg(failure.section(u'\n', 0, 0)));
        m_summary->setStyleSheet(QStringLiteral("color: #b02020;"));
        m_text->setLineWrapMode(QTextEdit::WidgetWidth);
        m_links.clear();
        m_text->setPlainText(failure + QStringLiteral("\n\n")
                             + tr("The other panes show the last state the Studio received (step %1).")
                                   .arg(m_session->presentState().step()));
        return;
    }
    m_text->setLineWrapMode(QTextEdit::NoWrap);
    if (!m_session->hasResult()) {
        m_summary->setText(tr("No result yet — the run has not ended."));
        m_summary->setStyleSheet(QStringLiteral("color: #666;"));
        m_links.clear();
        m_text->clear();
        return;
    }
    const RuntimeResultBase& r = m_session->result();
    m_summary->setText(m_session->resultSummary());
    m_summary->setStyleSheet(r.is_ok() ? QStringLiteral("color: #1b7a2a;") : QStringLiteral("color: #b02020;"));
    setLinkedText(r.format(true));
}

namespace {
const char* const LinkScheme = "doeff-source";
} // namespace

std::pair<QString, int> ResultPane::linkTarget(const QUrl& url)
{
    if (url.scheme() != QLatin1String(LinkScheme)) return { QString(), 0 };
    const QUrlQuery q(url);
    return { q.queryItemValue(QStringLiteral("file"), QUrl::FullyDecoded),
             q.queryItemValue(QStringLiteral("line")).toInt() };
}

void ResultPane::setLinkedText(const QString& text)
{
    // `File "x.cpp", line 80` (source stack) and `x.cpp:80` (K, traceback)
    static const QRegularExpression re(
        QStringLiteral(R"re(File "([^"]+)", line (\d+)|((?:[A-Za-z]:)?[^\s:"'()\[\]]+\.[A-Za-z0-9+]+):(\d+))re"));
    m_links.clear();
    QString html = QStringLiteral("<pre style=\"margin:0\">");
    qsizetype at = 0;
    for (auto it = re.globalMatch(text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const bool python = m.capturedLength(1) > 0;
        const QString file = python ? m.captured(1) : m.captured(3);
        const QString line = python ? m.captured(2) : m.captured(4);
        html += text.mid(at, m.capturedStart() - at).toHtmlEscaped();
        QUrl url;
        url.setScheme(QLatin1String(LinkScheme));
        QUrlQuery q;
        q.addQueryItem(QStringLiteral("file"), QString::fromLatin1(QUrl::toPercentEncoding(file)));
        q.addQueryItem(QStringLiteral("line"), line);
        url.setQuery(q);
        html += QStringLiteral("<a href=\"%1\">%2</a>")
                    .arg(url.toString(QUrl::FullyEncoded).toHtmlEscaped(), m.captured().toHtmlEscaped());
        m_links.append(file + u':' + line);
        at = m.capturedEnd();
    }
    html += text.mid(at).toHtmlEscaped() + QStringLiteral("</pre>");
    m_text->setHtml(html);
}

} // namespace doeff::views
