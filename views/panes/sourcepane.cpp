#include "sourcepane.h"

#include "breakpointmodel.h"
#include "paneparts.h"
#include "studiosession.h"

#include <QFile>
#include <QFontDatabase>
#include <QLabel>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPlainTextEdit>
#include <QTextBlock>
#include <QVBoxLayout>

#include <memory>

namespace doeff::views {

/// The editor, with its viewport margin left free for the gutter and the geometry the gutter
/// needs (QPlainTextEdit keeps it protected).
class SourceEditor final : public QPlainTextEdit {
public:
    explicit SourceEditor(QWidget* parent, SourceGutter* gutter = nullptr)
        : QPlainTextEdit(parent)
        , m_gutter(gutter)
    { }
    void setGutter(SourceGutter* gutter) { m_gutter = gutter; }
    void setMargin(int width) { setViewportMargins(width, 0, 0, 0); }
    /// Calls `f(blockNumber, top, height)` for each visible block.
    template<typename F> void forVisibleBlocks(F&& f) const
    {
        QTextBlock block = firstVisibleBlock();
        int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
        while (block.isValid() && top <= viewport()->height()) {
            const int height = qRound(blockBoundingRect(block).height());
            if (block.isVisible()) f(block.blockNumber(), top, height);
            top += height;
            block = block.next();
        }
    }

protected:
    void resizeEvent(QResizeEvent* e) override;

private:
    SourceGutter* m_gutter;
};

/// The margin: line numbers and breakpoint dots; a click toggles a breakpoint.
class SourceGutter final : public QWidget {
public:
    SourceGutter(SourcePane* pane, SourceEditor* editor)
        : QWidget(editor)
        , m_pane(pane)
        , m_editor(editor)
    {
        setObjectName(QStringLiteral("sourceGutter"));
        setCursor(Qt::PointingHandCursor);
        setToolTip(tr("Click to add or remove a breakpoint on this line"));
    }
    int dotSize() const { return qMax(8, fontMetrics().height() - 4); }
    int widthFor() const
    {
        const int lines = qMax(1, m_editor->document()->blockCount());
        const int digits = int(QString::number(lines).size());
        return 6 + dotSize() + 4 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * qMax(2, digits) + 8;
    }
    int lineAtY(int y) const
    {
        int found = 0;
        m_editor->forVisibleBlocks([&](int number, int top, int height) {
            if (y >= top && y < top + height) found = number + 1;
        });
        return found;
    }
    int yOfLine(int line) const
    {
        int found = -1;
        m_editor->forVisibleBlocks([&](int number, int top, int height) {
            if (number + 1 == line) found = top + height / 2;
        });
        return found;
    }

protected:
    void paintEvent(QPaintEvent* e) override
    {
        QPainter p(this);
        p.fillRect(e->rect(), palette().color(QPalette::Window));
        if (!m_pane->showsSource()) return;
        p.setRenderHint(QPainter::Antialiasing);
        const int dot = dotSize();
        const int numberRight = width() - 8;
        m_editor->forVisibleBlocks([&](int number, int top, int height) {
            const int line = number + 1;
            p.setPen(line == m_pane->line() ? palette().color(QPalette::WindowText)
                                            : palette().color(QPalette::PlaceholderText));
            p.drawText(QRect(0, top, numberRight, height), Qt::AlignRight | Qt::AlignVCenter, QString::number(line));
            using Marker = SourcePane::Marker;
            const Marker marker = m_pane->markerAt(line);
            if (marker == Marker::None) return;
            paintBreakpointMarker(p, QRectF(6, top + (height - dot) / 2.0, dot, dot),
                                  marker == Marker::Logpoint || marker == Marker::DisabledLogpoint,
                                  marker == Marker::Enabled || marker == Marker::Logpoint);
        });
    }
    void mousePressEvent(QMouseEvent* e) override
    {
        if (e->button() != Qt::LeftButton || !m_pane->showsSource()) return;
        const int line = lineAtY(int(e->position().y()));
        if (line > 0) Q_EMIT m_pane->breakpointToggleRequested(m_pane->file(), line);
    }
    void contextMenuEvent(QContextMenuEvent* e) override
    {
        if (!m_pane->showsSource()) return;
        const int line = lineAtY(e->pos().y());
        if (line <= 0) return;
        const int id = m_pane->breakpointAt(line);
        QMenu menu(this);
        menu.addAction(id ? tr("Remove Breakpoint") : tr("Add Breakpoint"), this,
                       [this, line] { Q_EMIT m_pane->breakpointToggleRequested(m_pane->file(), line); });
        if (id)
            menu.addAction(tr("Edit Breakpoint…"), this, [this, id] { Q_EMIT m_pane->breakpointEditRequested(id); });
        else
            menu.addAction(tr("Add Logpoint…"), this,
                           [this, line] { Q_EMIT m_pane->logpointRequested(m_pane->file(), line); });
        menu.exec(e->globalPos());
    }

private:
    SourcePane* m_pane;
    SourceEditor* m_editor;
};

void SourceEditor::resizeEvent(QResizeEvent* e)
{
    QPlainTextEdit::resizeEvent(e);
    if (m_gutter) {
        const QRect cr = contentsRect();
        m_gutter->setGeometry(QRect(cr.left(), cr.top(), m_gutter->widthFor(), cr.height()));
    }
}

SourcePane::SourcePane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_header(titleLabel(this))
    , m_editor(new SourceEditor(this))
    , m_gutter(new SourceGutter(this, static_cast<SourceEditor*>(m_editor)))
{
    auto* editor = static_cast<SourceEditor*>(m_editor);
    editor->setGutter(m_gutter);
    const auto relayout = [this, editor] {
        editor->setMargin(m_gutter->widthFor());
        const QRect cr = editor->contentsRect();
        m_gutter->setGeometry(QRect(cr.left(), cr.top(), m_gutter->widthFor(), cr.height()));
        m_gutter->update();
    };
    connect(m_editor, &QPlainTextEdit::blockCountChanged, this, relayout);
    connect(m_editor, &QPlainTextEdit::updateRequest, this, [this](const QRect& rect, int dy) {
        if (dy)
            m_gutter->scroll(0, dy);
        else
            m_gutter->update(0, rect.y(), m_gutter->width(), rect.height());
    });
    auto* l = tightLayout(this);
    l->addWidget(m_header);
    l->addWidget(m_editor);
    m_editor->setReadOnly(true);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_header->setText(tr("No source location"));
    connect(m_session, &StudioSession::refreshed, this, &SourcePane::refresh);
    relayout();
    m_editor->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_editor, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        // the action acts on the line clicked
        m_editor->setTextCursor(m_editor->cursorForPosition(pos));
        std::unique_ptr<QMenu> menu(m_editor->createStandardContextMenu(pos));
        if (!m_contextActions.isEmpty()) menu->addSeparator();
        for (QAction* a : std::as_const(m_contextActions))
            menu->addAction(a);
        menu->exec(m_editor->viewport()->mapToGlobal(pos));
    });
}

void SourcePane::addContextAction(QAction* action)
{
    m_contextActions.append(action);
}

void SourcePane::setBreakpointModel(BreakpointModel* model)
{
    if (m_breakpoints) disconnect(m_breakpoints, nullptr, this, nullptr);
    m_breakpoints = model;
    if (!model) return;
    const auto repaint = [this] { m_gutter->update(); };
    connect(model, &QAbstractItemModel::modelReset, this, repaint);
    connect(model, &QAbstractItemModel::dataChanged, this, repaint);
    connect(model, &QAbstractItemModel::rowsInserted, this, repaint);
    connect(model, &QAbstractItemModel::rowsRemoved, this, repaint);
    connect(model, &QObject::destroyed, this, [this] { m_breakpoints = nullptr; });
    m_gutter->update();
}

namespace {
bool sameFile(const QString& shown, const QString& breakpointFile)
{
    // the agent matches a breakpoint's file as a suffix of the event's file
    return !breakpointFile.isEmpty() && shown.endsWith(breakpointFile);
}
} // namespace

int SourcePane::breakpointAt(int line) const
{
    if (!m_breakpoints || m_file.isEmpty()) return 0;
    for (const Breakpoint& b : m_breakpoints->breakpoints())
        if (b.kind == Breakpoint::Kind::SourceLine && b.line == line && sameFile(m_file, b.file)) return b.id;
    return 0;
}

SourcePane::Marker SourcePane::markerAt(int line) const
{
    if (!m_breakpoints || m_file.isEmpty()) return Marker::None;
    Marker marker = Marker::None;
    for (const Breakpoint& b : m_breakpoints->breakpoints()) {
        if (b.kind != Breakpoint::Kind::SourceLine || b.line != line || !sameFile(m_file, b.file)) continue;
        if (b.enabled) return b.isLogpoint() ? Marker::Logpoint : Marker::Enabled;
        marker = b.isLogpoint() ? Marker::DisabledLogpoint : Marker::Disabled;
    }
    return marker;
}

int SourcePane::cursorLine() const
{
    return showsSource() ? m_editor->textCursor().blockNumber() + 1 : 0;
}

QWidget* SourcePane::gutter() const
{
    return m_gutter;
}

int SourcePane::gutterY(int line) const
{
    return m_gutter->yOfLine(line);
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
    if (ended && m_session->isAtPresent() && showErrorSite()) return;
    clear(ended ? tr("Ended — no source location") : QString());
}

void SourcePane::clear(const QString& header)
{
    const bool changed = showsSource();
    m_loadedFile.clear();
    m_readable = false;
    m_file.clear();
    m_line = 0;
    m_ended = false;
    m_editor->clear();
    m_editor->setExtraSelections({});
    m_header->setText(header.isEmpty() ? tr("No source location") : header);
    m_header->setToolTip({});
    m_gutter->update();
    if (changed) Q_EMIT sourceChanged();
}

void SourcePane::showLocation(const QString& file, int line, const QString& function, bool ended)
{
    const QString location = file + u':' + QString::number(line);
    if (file != m_loadedFile) {
        m_loadedFile = file;
        QFile f(file);
        m_readable = f.open(QIODevice::ReadOnly | QIODevice::Text);
        if (m_readable) {
            m_editor->setPlainText(QString::fromUtf8(f.readAll()));
        }
    }
    if (!m_readable) {
        m_editor->setPlainText(tr("The source file is not readable here.\n\n%1%2")
                                   .arg(location, function.isEmpty() ? QString() : QStringLiteral("\nin ") + function));
        m_editor->setExtraSelections({});
    }
    const bool changed = m_file != file || !m_readable;
    m_file = file;
    m_line = line;
    m_ended = ended;
    if (changed) Q_EMIT sourceChanged();
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
    m_gutter->update();
}

} // namespace doeff::views
