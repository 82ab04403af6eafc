#include "mainwindow.h"

#include <doeff_examples.h>

#include <breakpointspane.h>
#include <doeff/errors.h>
#include <effecttreepane.h>
#include <history.h>
#include <liverun.h>
#include <logpane.h>
#include <remoterun.h>
#include <resultpane.h>
#include <sourcepane.h>
#include <stackpane.h>
#include <studiosession.h>
#include <taskspane.h>
#include <timelinepane.h>
#include <traceio.h>
#include <variantpane.h>

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QLibrary>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QPainterPath>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QSettings>
#include <QStatusBar>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

using namespace Qt::StringLiterals;

namespace doeff::studio {

namespace {

enum class Glyph : quint8 { Continue, Pause, StepInto, StepOver, StepOut, StepEffect, Restart, Stop, Open };

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
    case Glyph::StepOver: {
        p.setPen(QPen(blue, 6, Qt::SolidLine, Qt::RoundCap));
        p.setBrush(Qt::NoBrush);
        QPainterPath arc;
        arc.moveTo(10, 38);
        arc.cubicTo(10, 4, 54, 4, 54, 34);
        p.drawPath(arc);
        QPainterPath head;
        head.moveTo(44, 26);
        head.lineTo(54, 38);
        head.lineTo(62, 26);
        p.drawPath(head);
        dot({ 32, 54 }, blue);
        break;
    }
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

constexpr int MaxRecentFiles = 8;

/// Splits a command line into arguments as a POSIX shell does with quotes and backslashes (no
/// expansions): `greet --env 'name="Ada"'` gives greet, --env, name="Ada".
QStringList splitArguments(const QString& text)
{
    QStringList out;
    QString arg;
    bool inArg = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == u'\'') {
            inArg = true;
            while (++i < text.size() && text[i] != u'\'')
                arg += text[i];
        } else if (c == u'"') {
            inArg = true;
            while (++i < text.size() && text[i] != u'"') {
                if (text[i] == u'\\' && i + 1 < text.size() && QStringView(u"\"\\$`").contains(text[i + 1])) ++i;
                arg += text[i];
            }
        } else if (c == u'\\' && i + 1 < text.size()) {
            inArg = true;
            arg += text[++i];
        } else if (c.isSpace()) {
            if (inArg) out.append(std::exchange(arg, {}));
            inArg = false;
        } else {
            inArg = true;
            arg += c;
        }
    }
    if (inArg) out.append(arg);
    return out;
}

} // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_session(new views::StudioSession(this))
    , m_liveRun(new views::LiveRun(m_session, this))
    , m_remoteRun(new views::RemoteRun(m_session, this))
    , m_run(m_remoteRun)
{
    setWindowTitle(tr("Doeff Studio"));
    setWindowIcon(QIcon(u":/doeff/icons/doeff-studio.png"_s));
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks | QMainWindow::AllowNestedDocks);
    setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
    setCorner(Qt::BottomRightCorner, Qt::RightDockWidgetArea);

    // central: message bar over the source
    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_messageBar = new QFrame(central);
    m_messageBar->setObjectName(u"messageBar"_s);
    m_messageBar->setFrameShape(QFrame::StyledPanel);
    auto* barLayout = new QHBoxLayout(m_messageBar);
    barLayout->setContentsMargins(8, 4, 4, 4);
    m_messageLabel = new QLabel(m_messageBar);
    m_messageLabel->setWordWrap(true);
    m_messageLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* close = new QToolButton(m_messageBar);
    close->setText(u"✕"_s);
    close->setAutoRaise(true);
    connect(close, &QToolButton::clicked, m_messageBar, &QWidget::hide);
    barLayout->addWidget(m_messageLabel, 1);
    barLayout->addWidget(close);
    m_messageBar->hide();
    m_source = new views::SourcePane(m_session, central);
    layout->addWidget(m_messageBar);
    layout->addWidget(m_source, 1);
    setCentralWidget(central);

    createDocks();
    createActions();

    m_stepLabel = new QLabel(this);
    m_reasonLabel = new QLabel(this);
    m_statusLabel = new QLabel(this);
    m_stepLabel->setMinimumWidth(110);
    m_reasonLabel->setMinimumWidth(220);
    statusBar()->addWidget(m_stepLabel);
    statusBar()->addWidget(m_reasonLabel);
    statusBar()->addWidget(m_statusLabel, 1);
    m_jobLabel = new QLabel(this);
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(u"jobProgress"_s);
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(true);
    m_cancelJob = new QToolButton(this);
    m_cancelJob->setText(tr("Cancel"));
    m_cancelJob->setAutoRaise(true);
    connect(m_cancelJob, &QToolButton::clicked, this, &MainWindow::cancelJob);
    statusBar()->addPermanentWidget(m_jobLabel);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelJob);
    m_jobLabel->hide();
    m_progress->hide();
    m_cancelJob->hide();

    connect(m_session, &views::StudioSession::statusChanged, this, &MainWindow::updateActions);
    connect(m_session, &views::StudioSession::refreshed, this, &MainWindow::updateStatus);
    connect(m_session, &views::StudioSession::statusChanged, this, &MainWindow::updateStatus);
    for (views::RunController* run :
         { static_cast<views::RunController*>(m_liveRun), static_cast<views::RunController*>(m_remoteRun) }) {
        connect(run, &views::RunController::runStarted, this, &MainWindow::updateActions);
        connect(run, &views::RunController::runEnded, this, &MainWindow::updateActions);
        connect(run, &views::RunController::runFailed, this, [this](const QString& m) { showMessage(m); });
    }
    connect(m_stack, &views::StackPane::sourceRequested, this,
            [this](const QString& file, int line) { m_source->showLocation(file, line); });
    connect(m_breakpoints, &views::BreakpointsPane::problem, this, [this](const QString& m) { showMessage(m); });
    connect(m_session, &views::StudioSession::viewChanged, this, &MainWindow::updateStatus);
    connect(m_session, &views::StudioSession::historyFailed, this,
            [this](const QString& m) { showMessage(tr("Could not rebuild that step: %1").arg(m)); });
    updateActions();
    updateStatus();
    resize(1600, 1000);
}

MainWindow::~MainWindow()
{
    // a worker may read the live run's events (whose strings the LiveRun owns)
    m_job.cancel();
    m_job.waitForFinished();
    m_liveRun->shutdown();
    m_remoteRun->shutdown();
}

void MainWindow::createDocks()
{
    auto dock = [this](QWidget* w, const QString& title, const QString& name, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        d->setWidget(w);
        addDockWidget(area, d);
        return d;
    };
    m_tasks = new views::TasksPane(m_session, this);
    m_stack = new views::StackPane(m_session, this);
    m_store = new views::VariantPane(m_session, views::VariantPane::Source::Store, this);
    m_env = new views::VariantPane(m_session, views::VariantPane::Source::Environment, this);
    m_tree = new views::EffectTreePane(m_session, this);
    m_log = new views::LogPane(m_session, this);
    m_result = new views::ResultPane(m_session, this);
    m_breakpoints = new views::BreakpointsPane(m_run, this);
    m_timeline = new views::TimelinePane(m_session, this);

    QDockWidget* tasks = dock(m_tasks, tr("Tasks"), u"tasksDock"_s, Qt::LeftDockWidgetArea);
    QDockWidget* stack = dock(m_stack, tr("Continuation Stack"), u"stackDock"_s, Qt::LeftDockWidgetArea);
    QDockWidget* store = dock(m_store, tr("Store"), u"storeDock"_s, Qt::RightDockWidgetArea);
    QDockWidget* env = dock(m_env, tr("Environment"), u"envDock"_s, Qt::RightDockWidgetArea);
    QDockWidget* breakpoints = dock(m_breakpoints, tr("Breakpoints"), u"breakpointsDock"_s, Qt::RightDockWidgetArea);
    QDockWidget* tree = dock(m_tree, tr("Effect Tree"), u"treeDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* log = dock(m_log, tr("Log"), u"logDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* result = dock(m_result, tr("Result"), u"resultDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* timeline = dock(m_timeline, tr("Timeline"), u"timelineDock"_s, Qt::BottomDockWidgetArea);
    splitDockWidget(tasks, stack, Qt::Vertical);
    splitDockWidget(store, env, Qt::Vertical);
    splitDockWidget(env, breakpoints, Qt::Vertical);
    splitDockWidget(tree, timeline, Qt::Horizontal);
    tabifyDockWidget(tree, log);
    tabifyDockWidget(log, result);
    tree->raise();
    resizeDocks({ tree, timeline }, { 500, 600 }, Qt::Horizontal);
    resizeDocks({ tasks, store }, { 560, 400 }, Qt::Horizontal);
    resizeDocks({ tasks, stack }, { 420, 520 }, Qt::Vertical);
    resizeDocks({ store, env, breakpoints }, { 360, 300, 240 }, Qt::Vertical);
    resizeDocks({ tree }, { 380 }, Qt::Vertical);
    // show the result as soon as a run ends
    connect(m_session, &views::StudioSession::resultChanged, this, [this, result] {
        if (m_session->hasResult() || m_session->status() == views::RunStatus::Lost) result->raise();
    });
    m_viewMenu = new QMenu(tr("&View"), this);
    for (QDockWidget* d : { tasks, stack, store, env, breakpoints, tree, log, result, timeline })
        m_viewMenu->addAction(d->toggleViewAction());
}

void MainWindow::createActions()
{
    using Command = DebugAgent::Command;
    auto make = [this](const QString& text, const QString& name, Glyph g, const QList<QKeySequence>& keys, Command c) {
        auto* a = new QAction(glyphIcon(g), text, this);
        a->setObjectName(name);
        a->setShortcuts(keys);
        a->setToolTip(keys.isEmpty() ? text : text + u" ("_s + keys.first().toString(QKeySequence::NativeText) + u')');
        connect(a, &QAction::triggered, this, [this, c] {
            m_session->goToPresent(); // commands act on the present
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
    m_stop = make(tr("Stop"), u"stop"_s, Glyph::Stop, { QKeySequence(Qt::SHIFT | Qt::Key_F5) }, Command::Stop);
    m_restart = new QAction(glyphIcon(Glyph::Restart), tr("Restart"), this);
    m_restart->setObjectName(u"restart"_s);
    m_restart->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F5));
    m_restart->setToolTip(tr("Restart (Ctrl+Shift+F5)"));
    connect(m_restart, &QAction::triggered, this, [this] {
        if (m_run->hasProgram()) m_run->restart();
    });

    // File
    QMenu* file = menuBar()->addMenu(tr("&File"));
    m_programMenu = file->addMenu(tr("Open &Example"));
    m_programMenu->setObjectName(u"examplesMenu"_s);
    for (const ProgramInfo& info : examples::library().programs()) {
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

    // Run
    QMenu* run = menuBar()->addMenu(tr("&Run"));
    for (QAction* a : { m_continue, m_pause, m_stepInto, m_stepOver, m_stepOut, m_stepEffect })
        run->addAction(a);
    run->addSeparator();
    run->addAction(m_restart);
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
    m_inProcess = run->addAction(tr("Run in the Studio's Process"));
    m_inProcess->setObjectName(u"runInProcess"_s);
    m_inProcess->setCheckable(true);
    m_inProcess->setStatusTip(
        tr("Run the next program on a thread of the Studio instead of a doeff-run child process (a crash then "
           "takes the Studio down)"));

    menuBar()->addMenu(m_viewMenu);
    QMenu* help = menuBar()->addMenu(tr("&Help"));
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
    for (QAction* a : { m_continue, m_pause, m_stepInto, m_stepOver, m_stepOut, m_stepEffect })
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

void MainWindow::updateActions()
{
    const bool running = m_run->isRunning();
    const bool paused = running && m_session->isPaused();
    for (QAction* a : { m_stepInto, m_stepOver, m_stepOut, m_stepEffect })
        a->setEnabled(paused);
    m_continue->setEnabled(paused);
    m_pause->setEnabled(running && !paused);
    m_stop->setEnabled(running);
    m_restart->setEnabled(m_run->hasProgram());
    m_saveResult->setEnabled(m_session->hasResult());
    const bool busy = isBusy();
    m_openTrace->setEnabled(!busy);
    for (QAction* a : std::as_const(m_exportActions))
        a->setEnabled(!busy && m_session->canExportTrace());
}

QString MainWindow::stepText() const
{
    return m_stepLabel->text();
}
QString MainWindow::reasonText() const
{
    return m_reasonLabel->text();
}
QString MainWindow::runStatusText() const
{
    return m_statusLabel->text();
}

void MainWindow::updateStatus()
{
    const SessionState& s = m_session->state();
    if (m_session->isAtPresent())
        m_stepLabel->setText(tr("Step %1").arg(s.step()));
    else
        m_stepLabel->setText(tr("Step %1 of %2").arg(m_session->viewStep()).arg(m_session->presentStep()));
    if (!m_session->isAtPresent()) {
        m_reasonLabel->setText(tr("Viewing the past (Timeline ▸ %1 returns)")
                                   .arg(m_session->status() == views::RunStatus::Trace ? tr("End") : tr("Live")));
    } else if (m_session->isPaused()) {
        const PausedState& p = *m_session->lastPause();
        const SessionTask* t = s.task(p.task);
        QString what;
        if (p.event.kind == EventKind::EffectYielded)
            what = tr("effect %1").arg(p.event.name);
        else if (!p.eventFunction.isEmpty())
            what = tr("%1 line %2").arg(p.eventFunction).arg(p.event.line);
        else
            what = QString::fromLatin1(eventKindName(p.event.kind));
        m_reasonLabel->setText(
            tr("Paused (%1) · task %2 '%3' · %4").arg(p.reason).arg(p.task).arg(t ? t->name : QString()).arg(what));
    } else {
        m_reasonLabel->setText(m_session->status() == views::RunStatus::Running ? tr("Running…") : QString());
    }
    const QString program = m_session->programName();
    QString where;
    if (m_run->isRunning() && (m_session->status() == views::RunStatus::Running || m_session->isPaused())) {
        if (m_run == m_liveRun)
            where = tr(" · in the Studio's process");
        else if (m_remoteRun->debuggeePid() > 0)
            where = tr(" · process %1").arg(m_remoteRun->debuggeePid());
    }
    m_statusLabel->setText(program.isEmpty() ? tr("No program — open an example or a program library")
                                             : u"│  "_s + program + u" · "_s + m_session->statusText() + where);
    setWindowTitle(program.isEmpty() ? tr("Doeff Studio") : tr("%1 — Doeff Studio").arg(program));
}

void MainWindow::showMessage(const QString& text, bool error)
{
    m_messageLabel->setText(text);
    m_messageBar->setStyleSheet(error ? u"#messageBar { background: #fde2e1; border: 1px solid #e0a0a0; }"_s
                                      : u"#messageBar { background: #e3eefc; border: 1px solid #a8c2e8; }"_s);
    m_messageBar->show();
}

QString MainWindow::messageText() const
{
    return m_messageBar->isVisible() || !m_messageBar->isHidden() ? m_messageLabel->text() : QString();
}

void MainWindow::setRunInProcess(bool inProcess)
{
    m_inProcess->setChecked(inProcess);
}

bool MainWindow::runsInProcess() const
{
    return m_inProcess->isChecked();
}

QString MainWindow::doeffRunPath() const
{
    if (!m_doeffRunPath.isEmpty()) return m_doeffRunPath;
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(u"doeff-run"_s);
    if (QFileInfo(beside).isExecutable()) return beside;
#ifdef DOEFF_RUN_BUILD_PATH
    if (QFileInfo::exists(QStringLiteral(DOEFF_RUN_BUILD_PATH))) return QStringLiteral(DOEFF_RUN_BUILD_PATH);
#endif
    return beside;
}

void MainWindow::useRun(views::RunController* run)
{
    if (run == m_run) return;
    m_run->shutdown();
    run->adoptBreakpoints(*m_run);
    m_run = run;
    m_breakpoints->setRun(run);
}

/// `--runner` and `--clock` of the Run menu, for doeff-run.
QStringList MainWindow::launchOptions() const
{
    QStringList options;
    if (m_runnerGroup && m_runnerGroup->checkedAction())
        options << u"--runner"_s << m_runnerGroup->checkedAction()->data().toString();
    const auto clock = m_clockGroup && m_clockGroup->checkedAction()
        ? views::RunController::ClockChoice(m_clockGroup->checkedAction()->data().toInt())
        : views::RunController::ClockChoice::ProgramDefault;
    if (clock == views::RunController::ClockChoice::Real)
        options << u"--clock"_s << u"real"_s;
    else if (clock == views::RunController::ClockChoice::Simulated)
        options << u"--clock"_s << u"simulated"_s;
    return options;
}

void MainWindow::openProgram(const ProgramInfo& info)
{
    m_messageBar->hide();
    const bool example = examples::library().find(info.name) == &info;
    const QString library = m_libraryOf.value(&info);
    if (!runsInProcess() && (example || !library.isEmpty())) {
        views::RemoteLaunch launch;
        launch.program = info.name;
        launch.executable = doeffRunPath();
        if (!library.isEmpty()) launch.arguments << u"--library"_s << library;
        launch.arguments << info.name << launchOptions();
        launch.inspectArgument = true;
        useRun(m_remoteRun);
        m_remoteRun->start(launch);
    } else {
        const auto choice = m_clockGroup && m_clockGroup->checkedAction()
            ? views::RunController::ClockChoice(m_clockGroup->checkedAction()->data().toInt())
            : views::RunController::ClockChoice::ProgramDefault;
        useRun(m_liveRun);
        m_liveRun->start(info, choice, true);
    }
    updateActions();
}

bool MainWindow::debugExecutable(const QString& executable, const QStringList& arguments,
                                 const QString& workingDirectory)
{
    const QFileInfo fi(executable);
    QString problem;
    if (executable.trimmed().isEmpty())
        problem = tr("no executable given");
    else if (!fi.exists())
        problem = tr("no such file");
    else if (fi.isDir() || !fi.isExecutable())
        problem = tr("not an executable file");
    else if (!workingDirectory.isEmpty() && !QFileInfo(workingDirectory).isDir())
        problem = tr("the working directory %1 does not exist").arg(workingDirectory);
    if (!problem.isEmpty()) {
        showMessage(tr("Cannot debug %1: %2.").arg(executable, problem));
        return false;
    }
    m_messageBar->hide();
    views::RemoteLaunch launch;
    launch.program = fi.fileName();
    launch.executable = fi.absoluteFilePath();
    launch.arguments = arguments;
    launch.workingDirectory = workingDirectory;
    useRun(m_remoteRun);
    const bool ok = m_remoteRun->start(launch);
    updateActions();
    return ok;
}

void MainWindow::debugExecutableDialog()
{
    QDialog dialog(this);
    dialog.setObjectName(u"debugExecutableDialog"_s);
    dialog.setWindowTitle(tr("Debug Executable"));
    auto* form = new QFormLayout(&dialog);
    auto* path = new QLineEdit(&dialog);
    path->setObjectName(u"executablePath"_s);
    auto* browse = new QToolButton(&dialog);
    browse->setText(tr("…"));
    auto* pathRow = new QHBoxLayout;
    pathRow->addWidget(path, 1);
    pathRow->addWidget(browse);
    auto* args = new QLineEdit(&dialog);
    args->setObjectName(u"executableArguments"_s);
    args->setPlaceholderText(tr("arguments, quoted as in a shell"));
    auto* dir = new QLineEdit(&dialog);
    dir->setObjectName(u"executableDirectory"_s);
    dir->setPlaceholderText(tr("the Studio's working directory"));
    QSettings settings;
    path->setText(settings.value(u"debugExecutable/path"_s).toString());
    args->setText(settings.value(u"debugExecutable/arguments"_s).toString());
    dir->setText(settings.value(u"debugExecutable/directory"_s).toString());
    form->addRow(tr("Executable:"), pathRow);
    form->addRow(tr("Arguments:"), args);
    form->addRow(tr("Working directory:"), dir);
    form->addRow(
        new QLabel(tr("The program must be linked with libdoeff; it starts paused at its first step."), &dialog));
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, &dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Debug"));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    connect(browse, &QToolButton::clicked, &dialog, [&dialog, path] {
        const QString f = QFileDialog::getOpenFileName(&dialog, tr("Debug Executable"), path->text());
        if (!f.isEmpty()) path->setText(f);
    });
    dialog.resize(640, dialog.sizeHint().height());
    if (dialog.exec() != QDialog::Accepted) return;
    settings.setValue(u"debugExecutable/path"_s, path->text());
    settings.setValue(u"debugExecutable/arguments"_s, args->text());
    settings.setValue(u"debugExecutable/directory"_s, dir->text());
    debugExecutable(path->text().trimmed(), splitArguments(args->text()), dir->text().trimmed());
}

bool MainWindow::openExample(const QString& name)
{
    const ProgramInfo* info = examples::library().find(name);
    if (!info) {
        showMessage(tr("There is no built-in example called '%1'.").arg(name));
        return false;
    }
    openProgram(*info);
    return true;
}

bool MainWindow::openFile(const QString& path)
{
    if (QLibrary::isLibrary(path)) return openProgramLibrary(path);
    QFile f(path);
    const bool traceMagic = f.open(QIODevice::ReadOnly) && f.read(8) == "DOEFFTRC";
    if (traceMagic || path.endsWith(u".doefftrace"_s, Qt::CaseInsensitive)) return openTrace(path);
    return openResult(path);
}

template<class R>
void MainWindow::startJob(const QString& label, std::function<R(const std::function<bool(quint64, quint64)>&)> work,
                          std::function<void(const R&, bool cancelled)> done)
{
    const quint64 generation = ++m_jobGeneration;
    QFuture<R> future = QtConcurrent::run([work](QPromise<R>& promise) {
        promise.setProgressRange(0, 1000);
        const auto progress = [&promise](quint64 doneCount, quint64 total) {
            if (total > 0) promise.setProgressValue(int(doneCount * 1000 / total));
            return !promise.isCanceled();
        };
        promise.addResult(work(progress));
    });
    auto* watcher = new QFutureWatcher<R>(this);
    connect(watcher, &QFutureWatcherBase::progressValueChanged, m_progress, [this](int v) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(v);
    });
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation, done] {
        watcher->deleteLater();
        if (generation != m_jobGeneration) return;
        const QFuture<R> f = watcher->future();
        endJob();
        if (f.resultCount() > 0)
            done(f.result(), f.isCanceled());
        else
            done(R(), true);
    });
    watcher->setFuture(future);
    m_job = QFuture<void>(future);
    m_jobLabel->setText(label);
    m_progress->setRange(0, 0); // busy until the first progress report
    m_jobLabel->show();
    m_progress->show();
    m_cancelJob->show();
    updateActions();
}

void MainWindow::endJob()
{
    m_job = QFuture<void>();
    m_jobLabel->hide();
    m_progress->hide();
    m_cancelJob->hide();
    updateActions();
}

void MainWindow::cancelJob()
{
    m_job.cancel();
}

bool MainWindow::openTrace(const QString& path)
{
    if (isBusy()) {
        showMessage(tr("Wait for the current load or export to finish (or cancel it) before opening %1.").arg(path));
        return false;
    }
    const QString file = path;
    startJob<std::shared_ptr<views::LoadedTrace>>(
        tr("Opening %1…").arg(QFileInfo(path).fileName()),
        [file](const views::Progress& progress) { return views::loadTrace(file, progress); },
        [this, file](const std::shared_ptr<views::LoadedTrace>& trace, bool cancelled) {
            if (cancelled || !trace || trace->cancelled) {
                showMessage(tr("Opening %1 was cancelled.").arg(file), false);
                Q_EMIT fileFailed(file, tr("cancelled"));
                return;
            }
            finishTraceLoad(trace);
        });
    return true;
}

void MainWindow::finishTraceLoad(const std::shared_ptr<views::LoadedTrace>& trace)
{
    if (!trace->error.isEmpty()) {
        reportFileError(tr("Open Trace"), trace->path, tr("Could not open the trace: %1").arg(trace->error));
        return;
    }
    m_run->shutdown();
    m_messageBar->hide();
    m_session->openTrace(*trace);
    addRecentFile(trace->path);
    updateActions();
    Q_EMIT traceOpened(trace->path);
}

void MainWindow::reportFileError(const QString& title, const QString& path, const QString& message)
{
    QString text = message;
    if (!text.contains(QFileInfo(path).fileName())) text = path + u": "_s + text;
    showMessage(text);
    auto* box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setObjectName(u"fileErrorBox"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open(); // window-modal, never blocks the event loop
    Q_EMIT fileFailed(path, text);
}

bool MainWindow::exportTrace(views::TraceFormat format, const QString& path)
{
    if (isBusy() || !m_session->canExportTrace()) {
        showMessage(isBusy() ? tr("Wait for the current load or export to finish before exporting.")
                             : tr("There is no run or trace to export."));
        return false;
    }
    views::TraceSource source;
    if (m_session->status() == views::RunStatus::Trace) {
        source.file = m_session->traceFile();
    } else {
        source.events = m_session->liveEvents();
        source.program = m_session->programName();
    }
    const QString target = path;
    startJob<QString>(
        tr("Exporting to %1…").arg(QFileInfo(path).fileName()),
        [source, format, target](const views::Progress& progress) {
            return views::exportTrace(source, format, target, progress);
        },
        [this, target](const QString& error, bool cancelled) {
            const QString problem = cancelled ? tr("cancelled") : error;
            if (!problem.isEmpty()) {
                reportFileError(tr("Export Trace"), target, tr("Could not export the trace: %1").arg(problem));
            } else {
                showMessage(tr("Exported the trace to %1.").arg(target), false);
                if (target.endsWith(u".doefftrace"_s)) addRecentFile(target);
            }
            Q_EMIT exportFinished(target, problem);
        });
    return true;
}

void MainWindow::openTraceDialog()
{
    const QString path
        = QFileDialog::getOpenFileName(this, tr("Open Trace"), {}, tr("Doeff traces (*.doefftrace);;All files (*)"));
    if (!path.isEmpty()) openTrace(path);
}

void MainWindow::exportTraceDialog(views::TraceFormat format)
{
    QString suffix = u".doefftrace"_s, filter = tr("Doeff traces (*.doefftrace)");
    if (format == views::TraceFormat::Json) {
        suffix = u".json"_s;
        filter = tr("JSON (*.json)");
    } else if (format == views::TraceFormat::Perfetto) {
        suffix = u".perfetto.json"_s;
        filter = tr("Chrome Trace Event JSON for Perfetto (*.json)");
    }
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Trace"), m_session->programName() + suffix,
                                                      filter + tr(";;All files (*)"));
    if (!path.isEmpty()) exportTrace(format, path);
}

bool MainWindow::openProgramLibrary(const QString& path, const QString& program)
{
    try {
        const ProgramLibrary& library = loadProgramLibrary(path);
        const QString absolute = QFileInfo(path).absoluteFilePath();
        for (const ProgramInfo& info : library.programs())
            m_libraryOf.insert(&info, absolute);
        addRecentFile(path);
        addLibraryMenu(QFileInfo(path).fileName(), library);
        if (library.programs().isEmpty()) {
            showMessage(tr("%1 has no programs.").arg(path));
            return true;
        }
        const ProgramInfo* start = program.isEmpty() ? &library.programs().first() : library.find(program);
        if (!start) {
            showMessage(tr("%1 has no program called '%2'.").arg(path, program));
            return false;
        }
        openProgram(*start);
        if (m_session->status() != views::RunStatus::Lost)
            showMessage(
                tr("Loaded %n program(s) from %1 (File ▸ %2). Started '%3'.", nullptr, int(library.programs().size()))
                    .arg(path, QFileInfo(path).fileName(), start->name),
                false);
        return true;
    } catch (const std::exception& e) {
        reportFileError(tr("Open Program Library"), path,
                        tr("Could not open the program library: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
}

void MainWindow::addLibraryMenu(const QString& title, const ProgramLibrary& library)
{
    const QString objectName = u"library:"_s + title;
    if (menuBar()->findChild<QMenu*>(objectName)) return;
    QMenu* file = menuBar()->actions().first()->menu();
    auto* menu = new QMenu(title, file);
    menu->setObjectName(objectName);
    for (const ProgramInfo& info : library.programs()) {
        QAction* a = menu->addAction(info.name);
        a->setToolTip(info.description);
        const ProgramInfo* p = &info; // the library is never unloaded
        connect(a, &QAction::triggered, this, [this, p] { openProgram(*p); });
    }
    file->insertMenu(m_recentMenu->menuAction(), menu);
}

bool MainWindow::openResult(const QString& path)
{
    try {
        const SavedResult result = load_result(path);
        m_run->shutdown();
        m_session->reset(QFileInfo(path).fileName());
        m_session->setResult(result, true);
        addRecentFile(path);
        updateActions();
        return true;
    } catch (const std::exception& e) {
        reportFileError(tr("Open Result"), path,
                        tr("Could not open the result file: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
}

bool MainWindow::saveResult(const QString& path)
{
    if (!m_session->hasResult()) {
        showMessage(tr("There is no result to save yet: the run has not ended."));
        return false;
    }
    QString error;
    if (!m_session->result().save(path, &error)) {
        showMessage(tr("Could not save the result to %1: %2").arg(path, error));
        return false;
    }
    addRecentFile(path);
    showMessage(tr("Saved the result to %1.").arg(path), false);
    return true;
}

void MainWindow::openProgramLibraryDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Program Library"), {},
                                                      tr("Program libraries (*.so *.dylib *.dll);;All files (*)"));
    if (!path.isEmpty()) openProgramLibrary(path);
}

void MainWindow::openResultDialog()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open Result"), {},
                                                      tr("Doeff results (*.doeffresult *.cbor);;All files (*)"));
    if (!path.isEmpty()) openResult(path);
}

void MainWindow::saveResultDialog()
{
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Save Result"), m_session->programName() + u".doeffresult"_s,
                                       tr("Doeff results (*.doeffresult);;All files (*)"));
    if (!path.isEmpty()) saveResult(path);
}

void MainWindow::addRecentFile(const QString& path)
{
    QSettings settings;
    QStringList files = settings.value(u"recentFiles"_s).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    files.removeAll(absolute);
    files.prepend(absolute);
    while (files.size() > MaxRecentFiles)
        files.removeLast();
    settings.setValue(u"recentFiles"_s, files);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = QSettings().value(u"recentFiles"_s).toStringList();
    for (const QString& f : files) {
        QAction* a = m_recentMenu->addAction(QFileInfo(f).fileName());
        a->setToolTip(f);
        connect(a, &QAction::triggered, this, [this, f] { openFile(f); });
    }
    m_recentMenu->setEnabled(!files.isEmpty());
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(u"geometry"_s).toByteArray());
    restoreState(settings.value(u"windowState"_s).toByteArray());
    const int clock = settings.value(u"clock"_s, 0).toInt();
    for (QAction* a : m_clockGroup->actions())
        if (a->data().toInt() == clock) a->setChecked(true);
    const QString runner = settings.value(u"runner"_s, u"sync"_s).toString();
    for (QAction* a : m_runnerGroup->actions())
        if (a->data().toString() == runner) a->setChecked(true);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    QSettings settings;
    settings.setValue(u"geometry"_s, saveGeometry());
    settings.setValue(u"windowState"_s, saveState());
    if (m_clockGroup->checkedAction()) settings.setValue(u"clock"_s, m_clockGroup->checkedAction()->data().toInt());
    if (m_runnerGroup->checkedAction())
        settings.setValue(u"runner"_s, m_runnerGroup->checkedAction()->data().toString());
    m_liveRun->shutdown();
    m_remoteRun->shutdown();
    QMainWindow::closeEvent(event);
}

} // namespace doeff::studio
