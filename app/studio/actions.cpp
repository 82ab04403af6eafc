// MainWindow: the actions, menus and toolbar, and when each action is enabled.
#include "mainwindow.h"

#include <doeff_examples.h>

#include <liverun.h>
#include <rundiffpane.h>
#include <sourcepane.h>
#include <studiosession.h>
#include <traceio.h>

#include <QAction>
#include <QActionGroup>
#include <QDesktopServices>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMenu>
#include <QMenuBar>
#include <QPainter>
#include <QPainterPath>
#include <QSettings>
#include <QTableWidget>
#include <QToolBar>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <tuple>

using namespace Qt::StringLiterals;

namespace doeff::studio {

namespace {

enum class Glyph : quint8 {
    Continue,
    ReverseContinue,
    Pause,
    StepInto,
    StepOver,
    StepOut,
    StepEffect,
    StepBack,
    Restart,
    Stop,
    Open
};

/// The toolbar's icons, painted (no SVG plugin needed).
QIcon glyphIcon(Glyph g)
{
    QPixmap pm(64, 64);
    pm.fill(Qt::transparent);
    QPainter p(&pm);
    p.setRenderHint(QPainter::Antialiasing);
    const QColor green(40, 150, 70), blue(40, 100, 190), red(200, 50, 50), amber(210, 140, 20);
    auto arrowDown = [&p](QPointF from, QPointF to, const QColor& c) {
        p.setPen(QPen(c, 6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.drawLine(from, to);
        QPainterPath head;
        head.moveTo(to + QPointF(-10, -10));
        head.lineTo(to + QPointF(0, 2));
        head.lineTo(to + QPointF(10, -10));
        p.drawPath(head);
    };
    auto dot = [&p](QPointF c, const QColor& col) {
        p.setPen(Qt::NoPen);
        p.setBrush(col);
        p.drawEllipse(c, 6, 6);
    };
    // an arc over the dot from x = `from` to x = `to`, its arrowhead at `to`
    auto overArc = [&p, &dot](qreal from, qreal to, const QColor& c) {
        const qreal dir = to > from ? 1 : -1;
        p.setPen(QPen(c, 6, Qt::SolidLine, Qt::RoundCap));
        p.setBrush(Qt::NoBrush);
        QPainterPath arc;
        arc.moveTo(from, 38);
        arc.cubicTo(from, 4, to, 4, to, 34);
        p.drawPath(arc);
        QPainterPath head;
        head.moveTo(to - 10 * dir, 26);
        head.lineTo(to, 38);
        head.lineTo(to + 8 * dir, 26);
        p.drawPath(head);
        dot({ 32, 54 }, c);
    };
    switch (g) {
    case Glyph::Continue: {
        QPainterPath tri;
        tri.moveTo(16, 10);
        tri.lineTo(54, 32);
        tri.lineTo(16, 54);
        tri.closeSubpath();
        p.fillPath(tri, green);
        break;
    }
    case Glyph::ReverseContinue: { // Continue, pointing back, in the colour of going back
        QPainterPath tri;
        tri.moveTo(48, 10);
        tri.lineTo(10, 32);
        tri.lineTo(48, 54);
        tri.closeSubpath();
        p.fillPath(tri, amber);
        p.fillRect(QRectF(50, 10, 6, 44), amber);
        break;
    }
    case Glyph::Pause:
        p.fillRect(QRectF(14, 10, 12, 44), blue);
        p.fillRect(QRectF(38, 10, 12, 44), blue);
        break;
    case Glyph::Stop:
        p.setBrush(red);
        p.setPen(Qt::NoPen);
        p.drawRoundedRect(QRectF(12, 12, 40, 40), 5, 5);
        break;
    case Glyph::StepInto:
        arrowDown({ 32, 6 }, { 32, 40 }, blue);
        dot({ 32, 54 }, blue);
        break;
    case Glyph::StepOver:
        overArc(10, 54, blue);
        break;
    case Glyph::StepBack: // Step Over's arc, turning back
        overArc(54, 10, amber);
        break;
    case Glyph::StepOut:
        p.setPen(QPen(blue, 6, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
        p.drawLine(QPointF(32, 44), QPointF(32, 10));
        p.drawLine(QPointF(22, 20), QPointF(32, 8));
        p.drawLine(QPointF(42, 20), QPointF(32, 8));
        dot({ 32, 54 }, blue);
        break;
    case Glyph::StepEffect: {
        arrowDown({ 20, 6 }, { 20, 40 }, amber);
        p.setPen(QPen(amber, 5));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(QPointF(46, 44), 10, 10);
        p.setFont(QFont(QStringLiteral("Sans"), 12, QFont::Bold));
        p.drawText(QRectF(36, 34, 20, 20), Qt::AlignCenter, QStringLiteral("e"));
        break;
    }
    case Glyph::Restart: {
        p.setPen(QPen(green, 6, Qt::SolidLine, Qt::RoundCap));
        p.setBrush(Qt::NoBrush);
        p.drawArc(QRectF(12, 12, 40, 40), 60 * 16, 290 * 16);
        QPainterPath head;
        head.moveTo(36, 4);
        head.lineTo(46, 14);
        head.lineTo(34, 22);
        p.drawPath(head);
        break;
    }
    case Glyph::Open:
        p.setBrush(amber);
        p.setPen(Qt::NoPen);
        p.drawRoundedRect(QRectF(6, 16, 52, 38), 4, 4);
        p.drawRoundedRect(QRectF(6, 10, 22, 10), 3, 3);
        break;
    }
    p.end();
    return QIcon(pm);
}

} // namespace

void MainWindow::createActions()
{
    using Command = DebugAgent::Command;
    auto make = [this](const QString& text, const QString& name, Glyph g, const QList<QKeySequence>& keys, Command c) {
        auto* a = new QAction(glyphIcon(g), text, this);
        a->setObjectName(name);
        a->setShortcuts(keys);
        a->setToolTip(keys.isEmpty() ? text : text + u" ("_s + keys.first().toString(QKeySequence::NativeText) + u')');
        connect(a, &QAction::triggered, this, [this, c] {
            if (c == Command::StepInto && !m_session->isAtPresent()) {
                // after Step Back: forward again through the history, one step at a time
                m_session->goToStep(m_session->viewStep() + 1);
                return;
            }
            m_session->goToPresent(); // the other commands act on the present
            m_run->command(c);
        });
        return a;
    };
    m_continue = make(tr("Continue"), u"continue"_s, Glyph::Continue, { Qt::Key_F5 }, Command::Continue);
    m_pause = make(tr("Pause"), u"pause"_s, Glyph::Pause, { Qt::Key_F6 }, Command::Pause);
    m_stepInto = make(tr("Step Into"), u"stepInto"_s, Glyph::StepInto, { Qt::Key_F11 }, Command::StepInto);
    m_stepOver = make(tr("Step Over"), u"stepOver"_s, Glyph::StepOver, { Qt::Key_F10 }, Command::StepOver);
    m_stepOut = make(tr("Step Out"), u"stepOut"_s, Glyph::StepOut, { QKeySequence(Qt::SHIFT | Qt::Key_F11) },
                     Command::StepOut);
    m_stepEffect = make(tr("Step Effect"), u"stepEffect"_s, Glyph::StepEffect,
                        { Qt::Key_F9, QKeySequence(Qt::CTRL | Qt::Key_F11) }, Command::StepEffect);
    // Step Back travels the recorded history (a live run's or a trace's): the present stays as it is
    m_stepBack = new QAction(glyphIcon(Glyph::StepBack), tr("Step Back"), this);
    m_stepBack->setObjectName(u"stepBack"_s);
    m_stepBack->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F10));
    m_stepBack->setToolTip(tr("Step Back (Shift+F10): show the state one step earlier, from the recorded history"));
    connect(m_stepBack, &QAction::triggered, this, [this] {
        const quint64 step = m_session->viewStep();
        if (step > 0) m_session->goToStep(step - 1);
    });
    // Reverse Continue: back to the previous step where an enabled breakpoint hit
    m_reverseContinue = new QAction(glyphIcon(Glyph::ReverseContinue), tr("Reverse Continue"), this);
    m_reverseContinue->setObjectName(u"reverseContinue"_s);
    m_reverseContinue->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F9));
    m_reverseContinue->setToolTip(
        tr("Reverse Continue (Shift+F9): back to the previous step where an enabled breakpoint hit"));
    connect(m_reverseContinue, &QAction::triggered, this, &MainWindow::reverseContinue);
    // Run to Cursor: on to the line of the text cursor in the file the Source pane shows
    m_runToCursor = new QAction(tr("Run to Cursor"), this);
    m_runToCursor->setObjectName(u"runToCursor"_s);
    m_runToCursor->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F10));
    m_runToCursor->setToolTip(tr("Run to Cursor (Ctrl+F10): run on to the line of the cursor in Source"));
    connect(m_runToCursor, &QAction::triggered, this, [this] {
        const int line = m_source->cursorLine();
        if (line <= 0 || !m_run->isRunning() || !m_session->isPaused()) return;
        m_session->goToPresent();
        m_run->runToLine(m_source->file(), line);
    });
    m_source->addContextAction(m_runToCursor);
    // Run Back to Cursor: back to the last step before the viewed one at the cursor's line
    m_runBackToCursor = new QAction(tr("Run Back to Cursor"), this);
    m_runBackToCursor->setObjectName(u"runBackToCursor"_s);
    m_runBackToCursor->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F10));
    m_runBackToCursor->setToolTip(
        tr("Run Back to Cursor (Ctrl+Shift+F10): back to the last earlier step at the line of the cursor in Source"));
    connect(m_runBackToCursor, &QAction::triggered, this, &MainWindow::runBackToCursor);
    m_source->addContextAction(m_runBackToCursor);
    m_stop = make(tr("Stop"), u"stop"_s, Glyph::Stop, { QKeySequence(Qt::SHIFT | Qt::Key_F5) }, Command::Stop);
    m_restart = new QAction(glyphIcon(Glyph::Restart), tr("Restart"), this);
    m_restart->setObjectName(u"restart"_s);
    m_restart->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5));
    m_restart->setToolTip(tr("Restart (Ctrl+Shift+F5)"));
    connect(m_restart, &QAction::triggered, this, [this] {
        const views::RunStatus status = m_session->status();
        if (status == views::RunStatus::Trace || status == views::RunStatus::Loaded) {
            // a trace or a result: a new live run of its program, replacing the document
            if (const ProgramInfo* p = programToRunAgain()) openProgram(*p);
            return;
        }
        if (!m_run->hasProgram() || !confirmReplace(tr("start it again"))) return;
        documentOpened();
        m_run->restart();
    });

    // File
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_programMenu = file->addMenu(tr("Open &Example"));
    m_programMenu->setObjectName(u"examplesMenu"_s);
    QString group;
    for (const ProgramInfo& info : examples::library().programs()) {
        if (info.group != group) m_programMenu->addSection(info.group); // the documentation's, then demos
        group = info.group;
        QAction* a = m_programMenu->addAction(info.name);
        a->setToolTip(info.description);
        a->setStatusTip(info.description);
        const QString name = info.name;
        connect(a, &QAction::triggered, this, [this, name] { openExample(name); });
    }
    QAction* openLib = file->addAction(glyphIcon(Glyph::Open), tr("Open Program &Library…"));
    openLib->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(openLib, &QAction::triggered, this, &MainWindow::openProgramLibraryDialog);
    QAction* debugExe = file->addAction(tr("&Debug Executable…"));
    debugExe->setObjectName(u"debugExecutable"_s);
    debugExe->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    debugExe->setStatusTip(tr("Launch a program linked with libdoeff under the debugger, paused at its start"));
    connect(debugExe, &QAction::triggered, this, &MainWindow::debugExecutableDialog);
    QAction* openRes = file->addAction(tr("&Open Result…"));
    openRes->setShortcut(QKeySequence::Open);
    connect(openRes, &QAction::triggered, this, &MainWindow::openResultDialog);
    m_openTrace = file->addAction(tr("Open &Trace…"));
    m_openTrace->setObjectName(u"openTrace"_s);
    m_openTrace->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_T));
    connect(m_openTrace, &QAction::triggered, this, &MainWindow::openTraceDialog);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(m_compare);
    m_replayTrace = file->addAction(tr("Re&play Trace…"));
    m_replayTrace->setObjectName(u"replayTrace"_s);
    m_replayTrace->setStatusTip(
        tr("Run the program a trace recorded again, on the inputs it recorded, checked event for event"));
    connect(m_replayTrace, &QAction::triggered, this, &MainWindow::replayTraceDialog);
    file->addSeparator();
    m_saveResult = file->addAction(tr("&Save Result…"));
    m_saveResult->setObjectName(u"saveResult"_s);
    m_saveResult->setShortcut(QKeySequence::Save);
    connect(m_saveResult, &QAction::triggered, this, &MainWindow::saveResultDialog);
    QMenu* exportMenu = file->addMenu(tr("E&xport Trace"));
    const QList<std::tuple<QString, QString, views::TraceFormat>> formats {
        { tr("As &Native Trace (.doefftrace)…"), u"exportNative"_s, views::TraceFormat::Native },
        { tr("As &JSON…"), u"exportJson"_s, views::TraceFormat::Json },
        { tr("As &Perfetto / Chrome Trace…"), u"exportPerfetto"_s, views::TraceFormat::Perfetto },
    };
    for (const auto& [label, name, format] : formats) {
        QAction* a = exportMenu->addAction(label);
        a->setObjectName(name);
        const views::TraceFormat f = format;
        connect(a, &QAction::triggered, this, [this, f] { exportTraceDialog(f); });
        m_exportActions.append(a);
    }
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);
    connect(quit, &QAction::triggered, this, &QWidget::close);
    rebuildRecentMenu();

    // Edit: search the whole run (views/panes/searchpane.h)
    QMenu* edit = menuBar()->addMenu(tr("&Edit"));
    for (auto [text, key, fn] :
         { std::tuple { tr("&Find…"), QKeySequence(QKeySequence::Find), &MainWindow::find },
           std::tuple { tr("Find &Next"), QKeySequence(Qt::Key_F3), &MainWindow::findNext },
           std::tuple { tr("Find &Previous"), QKeySequence(Qt::SHIFT | Qt::Key_F3), &MainWindow::findPrevious } })
        connect(edit->addAction(text, key), &QAction::triggered, this, fn);

    // Run
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    for (QAction* a : { m_continue, m_pause, m_stepInto, m_stepOver, m_stepOut, m_stepEffect, m_stepBack,
                        m_reverseContinue, m_runToCursor, m_runBackToCursor })
        run->addAction(a);
    run->addSeparator();
    run->addAction(m_restart);
    m_replayThis = run->addAction(tr("Re&play This Trace"));
    m_replayThis->setObjectName(u"replayThisTrace"_s);
    connect(m_replayThis, &QAction::triggered, this, [this] { replayTrace(m_session->traceFile()); });
    m_whatIf = run->addAction(tr("&What If…"));
    m_whatIf->setObjectName(u"whatIf"_s);
    m_whatIf->setStatusTip(tr("Replay this run up to a step, change one thing there and run on live from there, in a "
                              "new window beside this one"));
    connect(m_whatIf, &QAction::triggered, this, [this] {
        WhatIfRequest r;
        r.step = whatIfStep();
        r.task = std::max(0, m_session->selectedTask());
        whatIfDialog(r);
    });
    run->addAction(m_stop);
    run->addSeparator();
    QMenu* clock = run->addMenu(tr("Clock for the Next Launch"));
    m_clockGroup = new QActionGroup(this);
    const QList<std::pair<QString, views::LiveRun::ClockChoice>> clocks {
        { tr("Program's Default"), views::LiveRun::ClockChoice::ProgramDefault },
        { tr("Real Clock"), views::LiveRun::ClockChoice::Real },
        { tr("Simulated Clock"), views::LiveRun::ClockChoice::Simulated },
    };
    for (const auto& [label, choice] : clocks) {
        QAction* a = clock->addAction(label);
        a->setCheckable(true);
        a->setData(int(choice));
        a->setChecked(choice == views::LiveRun::ClockChoice::ProgramDefault);
        m_clockGroup->addAction(a);
    }
    QMenu* runner = run->addMenu(tr("Runner for the Next Launch"));
    m_runnerGroup = new QActionGroup(this);
    for (const auto& [label, name] :
         { std::pair { tr("sync_run"), u"sync"_s }, std::pair { tr("async_run"), u"async"_s } }) {
        QAction* a = runner->addAction(label);
        a->setCheckable(true);
        a->setData(name);
        a->setChecked(name == u"sync"_s);
        a->setStatusTip(tr("Out-of-process runs only: programs in the Studio's process use sync_run"));
        m_runnerGroup->addAction(a);
    }
    run->addSeparator();
    QAction* follow = run->addAction(tr("Follow Running Task"));
    follow->setObjectName(u"followRunningTask"_s);
    follow->setCheckable(true);
    follow->setChecked(QSettings().value(u"followRunningTask"_s, true).toBool());
    follow->setStatusTip(tr("Select the task that paused after each step (off: keep the task you selected)"));
    m_session->setFollowRunningTask(follow->isChecked());
    connect(follow, &QAction::toggled, this, [this](bool on) {
        m_session->setFollowRunningTask(on);
        QSettings().setValue(u"followRunningTask"_s, on);
    });
    m_inProcess = run->addAction(tr("Run in the Studio's Process"));
    m_inProcess->setObjectName(u"runInProcess"_s);
    m_inProcess->setCheckable(true);
    m_inProcess->setStatusTip(
        tr("Run the next program on a thread of the Studio instead of a doeff-run child process (a crash then "
           "takes the Studio down)"));

    menuBar()->addMenu(m_viewMenu);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* shortcuts = help->addAction(tr("&Keyboard Shortcuts"));
    shortcuts->setObjectName(u"keyboardShortcuts"_s);
    connect(shortcuts, &QAction::triggered, this, [this] {
        auto* dialog = new QDialog(this);
        dialog->setObjectName(u"shortcutsDialog"_s);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->setWindowTitle(tr("Keyboard Shortcuts"));
        auto* table = new QTableWidget(dialog);
        const auto rows = shortcutList();
        table->setColumnCount(2);
        table->setRowCount(int(rows.size()));
        table->setHorizontalHeaderLabels({ tr("Command"), tr("Keys") });
        for (int i = 0; i < int(rows.size()); ++i) {
            table->setItem(i, 0, new QTableWidgetItem(rows[i].first));
            table->setItem(i, 1, new QTableWidgetItem(rows[i].second));
        }
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        table->verticalHeader()->hide();
        table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
        table->horizontalHeader()->setStretchLastSection(true);
        table->resizeRowsToContents();
        auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
        connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
        auto* layout = new QVBoxLayout(dialog);
        layout->addWidget(table);
        layout->addWidget(buttons);
        dialog->resize(520, 480);
        dialog->show();
    });
    QAction* docs = help->addAction(tr("User &Guide"));
    docs->setObjectName(u"userGuide"_s);
    docs->setEnabled(!guidePath().isEmpty());
    docs->setStatusTip(docs->isEnabled() ? guidePath() : tr("The user guide is docs/guide.md in the doeff sources."));
    connect(docs, &QAction::triggered, this, [] { QDesktopServices::openUrl(QUrl::fromLocalFile(guidePath())); });
    QAction* reset = help->addAction(tr("&Reset Layout"));
    reset->setObjectName(u"resetLayout"_s);
    reset->setStatusTip(tr("Dock every pane where it starts, show the hidden ones, default sizes"));
    connect(reset, &QAction::triggered, this, &MainWindow::resetLayout);
    help->addSeparator();
    connect(help->addAction(tr("&About Doeff Studio")), &QAction::triggered, this, [this] {
        showMessage(tr("Doeff Studio %1 — a debugger for doeff effect programs. Programs run in a doeff-run child "
                       "process driven over the inspector protocol (or, on request, on a thread of the Studio); "
                       "the debug agent pauses them at steps, effects and breakpoints.")
                        .arg(QStringLiteral(DOEFF_STUDIO_VERSION)),
                    false);
    });

    QToolBar* bar = addToolBar(tr("Run"));
    bar->setObjectName(u"runToolBar"_s);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setIconSize(QSize(20, 20));
    for (QAction* a :
         { m_continue, m_pause, m_stepInto, m_stepOver, m_stepOut, m_stepEffect, m_stepBack, m_reverseContinue })
        bar->addAction(a);
    bar->addSeparator();
    bar->addAction(m_restart);
    bar->addAction(m_stop);
    bar->addSeparator();
    auto* examplesButton = new QToolButton(bar);
    examplesButton->setText(tr("Examples"));
    examplesButton->setIcon(glyphIcon(Glyph::Open));
    examplesButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    examplesButton->setPopupMode(QToolButton::InstantPopup);
    examplesButton->setMenu(m_programMenu);
    bar->addWidget(examplesButton);
}

std::optional<quint64> MainWindow::goBackTo(const std::function<bool(const Event&)>& hit, const QString& none)
{
    views::StateHistory* history = m_session->history();
    if (!history) return std::nullopt;
    const std::optional<quint64> step = history->lastHitBefore(m_session->viewStep(), hit);
    if (!step) {
        const QString why = history->errorString();
        showMessage(why.isEmpty() ? none : tr("Cannot read the history: %1").arg(why), !why.isEmpty());
        return std::nullopt;
    }
    m_session->goToStep(*step);
    return step;
}

void MainWindow::reverseContinue()
{
    QList<Breakpoint> enabled; // logpoints never stop a run, in either direction
    for (const Breakpoint& b : m_run->breakpoints())
        if (b.enabled && !b.isLogpoint()) enabled.append(b);
    if (enabled.isEmpty()) {
        showMessage(tr("No breakpoint is enabled: Reverse Continue goes back to the previous hit of one."), false);
        return;
    }
    const Breakpoint* which = nullptr;
    const auto hit = [&](const Event& e) {
        for (const Breakpoint& b : std::as_const(enabled))
            if (b.matches(e)) {
                which = &b;
                return true;
            }
        return false;
    };
    if (const auto step = goBackTo(hit, tr("No breakpoint hit before step %L1.").arg(m_session->viewStep())))
        showMessage(tr("Breakpoint %1 (%2) hit at step %L3.").arg(which->id).arg(which->describe()).arg(*step), false);
}

void MainWindow::runBackToCursor()
{
    const int line = m_source->cursorLine();
    if (line <= 0 || !m_source->showsSource()) return;
    Breakpoint here;
    here.kind = Breakpoint::Kind::SourceLine;
    here.file = m_source->file();
    here.line = line;
    goBackTo([&](const Event& e) { return here.matches(e); },
             tr("No step before step %L1 is at line %2.").arg(m_session->viewStep()).arg(line));
}

void MainWindow::updateRunToCursor()
{
    m_runToCursor->setEnabled(m_run->isRunning() && m_session->isPaused() && m_source->showsSource());
    m_runBackToCursor->setEnabled(m_stepBack->isEnabled() && m_source->showsSource());
}

void MainWindow::updateActions()
{
    const bool running = m_run->isRunning();
    const bool paused = running && m_session->isPaused();
    for (QAction* a : { m_stepInto, m_stepOver, m_stepOut, m_stepEffect })
        a->setEnabled(paused);
    if (m_session->history() && !m_session->isAtPresent() && (!running || paused))
        m_stepInto->setEnabled(true); // forward through the history (a trace too)
    m_continue->setEnabled(paused);
    m_pause->setEnabled(running && !paused);
    m_stop->setEnabled(running);
    // back through the history: at a pause, after the end, or in a trace (not while it runs on)
    m_stepBack->setEnabled(m_session->history() && m_session->viewStep() > 0 && (!running || paused));
    m_reverseContinue->setEnabled(m_stepBack->isEnabled());
    updateRunToCursor();
    const views::RunStatus status = m_session->status();
    if (status == views::RunStatus::Trace || status == views::RunStatus::Loaded) {
        const ProgramInfo* again = programToRunAgain();
        m_restart->setText(tr("Run This Program Again"));
        m_restart->setToolTip(
            again ? tr("Start a new live run of %1, paused at its first step (Ctrl+Shift+F5)").arg(again->name)
                  : tr("The program of this %1 is not an example or a program of an opened "
                       "library: it cannot be run from here")
                        .arg(status == views::RunStatus::Trace ? tr("trace") : tr("result")));
        m_restart->setEnabled(again != nullptr);
    } else {
        m_restart->setText(tr("Restart"));
        m_restart->setToolTip(tr("Restart (Ctrl+Shift+F5)"));
        m_restart->setEnabled(m_run->hasProgram());
    }
    m_saveResult->setEnabled(m_session->hasResult());
    const bool busy = isBusy();
    m_openTrace->setEnabled(!busy);
    m_replayTrace->setEnabled(!busy);
    const bool replayable
        = status == views::RunStatus::Trace && !m_session->traceFile().isEmpty() && programToRunAgain() != nullptr;
    m_replayThis->setEnabled(!busy && replayable);
    m_replayThis->setToolTip(replayable ? tr("Run %1 again on the inputs this trace recorded, paused at its first step")
                                              .arg(m_session->programName())
                                        : tr("Open a trace of a built-in example or of a program of an opened "
                                             "library to replay it"));
    m_whatIf->setEnabled(canBranch());
    m_compare->setEnabled(!busy && m_runDiff->canCompare());
    for (QAction* a : std::as_const(m_exportActions))
        a->setEnabled(!busy && m_session->canExportTrace());
}

const ProgramInfo* MainWindow::programToRunAgain() const
{
    return programNamed(m_session->programName());
}

const ProgramInfo* MainWindow::programNamed(const QString& name) const
{
    if (name.isEmpty()) return nullptr;
    // A trace names its program by its display name (counter_main), a run by its library name
    // (counter): either matches, a program of an opened library before a built-in example.
    QList<const ProgramInfo*> candidates;
    for (auto it = m_libraryOf.cbegin(); it != m_libraryOf.cend(); ++it)
        candidates.append(it.key());
    for (const ProgramInfo& info : examples::library().programs())
        candidates.append(&info);
    for (const ProgramInfo* info : std::as_const(candidates))
        if (info->name == name) return info;
    for (const ProgramInfo* info : std::as_const(candidates)) {
        auto known = m_displayNames.constFind(info);
        if (known == m_displayNames.cend()) {
            QString display;
            try {
                display = info->make ? info->make().displayName() : QString(); // built, never started
            } catch (const std::exception&) { // a program that cannot even be built cannot run again
            }
            known = m_displayNames.insert(info, display);
        }
        if (*known == name) return info;
    }
    return nullptr;
}

} // namespace doeff::studio
