#include "resultpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace doeff::views {

ResultPane::ResultPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_summary(new QLabel(this))
    , m_text(new QPlainTextEdit(this))
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
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
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
        m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
        m_text->setPlainText(failure + QStringLiteral("\n\n")
                             + tr("The other panes show the last state the Studio received (step %1).")
                                   .arg(m_session->presentState().step()));
        return;
    }
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    if (!m_session->hasResult()) {
        m_summary->setText(tr("No result yet — the run has not ended."));
        m_summary->setStyleSheet(QStringLiteral("color: #666;"));
        m_text->clear();
        return;
    }
    const RuntimeResultBase& r = m_session->result();
    m_summary->setText(m_session->resultSummary());
    m_summary->setStyleSheet(r.is_ok() ? QStringLiteral("color: #1b7a2a;") : QStringLiteral("color: #b02020;"));
    m_text->setPlainText(r.format(true));
}

} // namespace doeff::views
