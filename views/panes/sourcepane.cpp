#include "sourcepane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QFile>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QVBoxLayout>

namespace doeff::views {

SourcePane::SourcePane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_header(titleLabel(this))
    , m_editor(new QPlainTextEdit(this))
{
    auto* l = tightLayout(this);
    l->addWidget(m_header);
    l->addWidget(m_editor);
    m_editor->setReadOnly(true);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_header->setText(tr("No source location"));
    connect(m_session, &StudioSession::refreshed, this, &SourcePane::refresh);
}

void SourcePane::refresh()
{
    const bool ended = m_session->locationIsEnd();
    const auto showErrorSite = [this] {
        if (!m_session->hasResult()) return false;
        const auto& entries = m_session->result().source_stack().entries;
        if (entries.isEmpty()) return false;
        showLocation(entries.last().file, entries.last().line, entries.last().function, true);
        return true;
    };
    if (m_session->status() == RunStatus::Loaded) {
        if (!showErrorSite()) clear(tr("Result file: no source location"));
        return;
    }
    const QString file = m_session->currentFile();
    if (!file.isEmpty()) {
        showLocation(file, m_session->currentLine(), m_session->currentFunction(), ended);
        return;
    }
    // no frame left: where the run ended (the error's raise site), else nothing stale
    if (ended && showErrorSite()) return;
    clear(ended ? tr("Ended — no source location") : QString());
}

void SourcePane::clear(const QString& header)
{
    m_loadedFile.clear();
    m_readable = false;
    m_file.clear();
    m_line = 0;
    m_ended = false;
    m_editor->clear();
    m_editor->setExtraSelections({});
    m_header->setText(header.isEmpty() ? tr("No source location") : header);
    m_header->setToolTip({});
}

void SourcePane::showLocation(const QString& file, int line, const QString& function, bool ended)
{
    const QString location = file + u':' + QString::number(line);
    if (file != m_loadedFile) {
        m_loadedFile = file;
        QFile f(file);
        m_readable = f.open(QIODevice::ReadOnly | QIODevice::Text);
        if (m_readable) {
            const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n');
            const int width = int(QString::number(lines.size()).size());
            QStringList numbered;
            numbered.reserve(lines.size());
            for (qsizetype i = 0; i < lines.size(); ++i)
                numbered.append(QStringLiteral("%1  %2").arg(i + 1, width).arg(lines[i]));
            m_editor->setPlainText(numbered.join(u'\n'));
        }
    }
    if (!m_readable) {
        m_editor->setPlainText(tr("The source file is not readable here.\n\n%1%2")
                                   .arg(location, function.isEmpty() ? QString() : QStringLiteral("\nin ") + function));
        m_editor->setExtraSelections({});
    }
    m_file = file;
    m_line = line;
    m_ended = ended;
    const QString where = function.isEmpty() ? location : tr("%1   —   %2").arg(function, location);
    m_header->setText(ended ? tr("Ended here:   %1").arg(where) : where);
    m_header->setToolTip(location);
    if (!m_readable || line <= 0) return;
    const QTextBlock block = m_editor->document()->findBlockByNumber(line - 1);
    QTextEdit::ExtraSelection sel;
    sel.format.setBackground(ended ? QColor(215, 215, 215) : QColor(255, 236, 170));
    sel.format.setProperty(QTextFormat::FullWidthSelection, true);
    sel.cursor = QTextCursor(block);
    m_editor->setExtraSelections({ sel });
    m_editor->setTextCursor(QTextCursor(block));
    m_editor->centerCursor();
}

} // namespace doeff::views
