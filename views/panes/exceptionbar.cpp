#include "exceptionbar.h"

#include "studiosession.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QUrl>
#include <QUrlQuery>

using namespace Qt::StringLiterals;

namespace doeff::views {

ExceptionBar::ExceptionBar(StudioSession* session, QWidget* parent)
    : QFrame(parent)
    , m_session(session)
    , m_label(new QLabel(this))
{
    setObjectName(u"exceptionBar"_s);
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet(u"#exceptionBar { background: #fde2e1; border: 1px solid #d9534f; }"_s);
    auto* l = new QHBoxLayout(this);
    l->setContentsMargins(8, 4, 8, 4);
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::RichText);
    m_label->setTextInteractionFlags(Qt::TextBrowserInteraction);
    l->addWidget(m_label, 1);
    connect(m_label, &QLabel::linkActivated, this, [this](const QString& link) {
        const QUrl url(link);
        const int line = QUrlQuery(url).queryItemValue(u"line"_s).toInt();
        Q_EMIT locationActivated(url.path(), line);
    });
    connect(m_session, &StudioSession::refreshed, this, &ExceptionBar::refresh);
    connect(m_session, &StudioSession::statusChanged, this, &ExceptionBar::refresh);
    hide();
}

void ExceptionBar::refresh()
{
    const auto& pause = m_session->lastPause();
    if (!m_session->showsPause() || !pause || pause->event.kind != EventKind::ErrorRaised) {
        m_verdict.clear();
        hide();
        return;
    }
    // whether it will be caught, as far as the continuation stack tells (top first)
    const QList<FrameInfo> k = pause->k.value(pause->task);
    int safeAt = -1;
    for (qsizetype i = 0; i < k.size() && safeAt < 0; ++i)
        if (k.at(i).kind == u"SafeFrame"_s) safeAt = int(i);
    const bool mainTask = std::any_of(pause->tasks.cbegin(), pause->tasks.cend(), [&](const TaskSnapshot& t) {
        return t.id == pause->task && t.kind == TaskKindCode::Main;
    });
    QString catchText;
    if (safeAt >= 0) {
        m_verdict = u"Safe"_s;
        catchText = tr("A Safe on the stack (frame [%1]) will catch it and return Err.").arg(safeAt);
    } else if (!mainTask) {
        m_verdict = u"task"_s;
        catchText = tr("No Safe on this task's stack: unless a program's own try/catch takes it, task %1 fails "
                       "and whoever waits on it receives the error.")
                        .arg(pause->task);
    } else {
        m_verdict = u"uncaught"_s;
        catchText = tr("No Safe on the stack: unless a program's own try/catch takes it, the run fails.");
    }
    QString where = tr("unknown location");
    if (!pause->eventFile.isEmpty()) {
        QUrl url = QUrl::fromLocalFile(pause->eventFile);
        QUrlQuery q;
        q.addQueryItem(u"line"_s, QString::number(pause->event.line));
        url.setQuery(q);
        const QString shown = pause->eventFile.section(u'/', -1) + u':' + QString::number(pause->event.line);
        where = u"<a href=\"%1\">%2</a>"_s.arg(url.toString().toHtmlEscaped(), shown.toHtmlEscaped());
    }
    m_label->setText(u"<b>%1</b>: %2<br>%3 %4 — %5"_s.arg(pause->event.name.toHtmlEscaped(),
                                                          pause->event.text.toHtmlEscaped(), tr("Raised at"), where,
                                                          catchText.toHtmlEscaped()));
    // what the verdict rests on, and what it cannot know
    m_label->setToolTip(
        tr("Raised at %1:%2.\nWhether it is caught is read from the continuation stack: a Safe frame there "
           "catches it. A try/catch in C++ code of a program or handler is not on that stack, so the Studio "
           "cannot see it; such a catch may take the error first.")
            .arg(pause->eventFile)
            .arg(pause->event.line));
    show();
}

} // namespace doeff::views
