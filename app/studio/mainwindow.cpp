// MainWindow: construction, the message bar and status bar, settings. The other responsibilities
// are in actions.cpp, docks.cpp, launch.cpp, documents.cpp and tracejobs.cpp.
#include "mainwindow.h"

#include "elidinglabel.h"

#include <breakpointdialog.h>
#include <breakpointspane.h>
#include <exceptionbar.h>
#include <liverun.h>
#include <remoterun.h>
#include <resultpane.h>
#include <sourcepane.h>
#include <stackpane.h>
#include <studiosession.h>
#include <welcomepage.h>

#include <doeff_examples.h>

#include <QAction>
#include <QActionGroup>
#include <QCloseEvent>
#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QShowEvent>
#include <QStackedWidget>
#include <QStatusBar>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace doeff::studio {

namespace {
MainWindow::ConfirmReplace& defaultConfirmReplace()
{
    static MainWindow::ConfirmReplace confirm;
    return confirm;
}
} // namespace

void MainWindow::setDefaultConfirmReplace(ConfirmReplace confirm)
{
    defaultConfirmReplace() = std::move(confirm);
}

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent)
    , m_session(new views::StudioSession(this))
    , m_liveRun(new views::LiveRun(m_session, this))
    , m_remoteRun(new views::RemoteRun(m_session, this))
    , m_run(m_remoteRun)
    , m_confirmReplace(defaultConfirmReplace())
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
    m_central = new QStackedWidget(central);
    m_source = new views::SourcePane(m_session, m_central);
    m_welcome = new views::WelcomePage(m_central);
    QStringList examples;
    QStringList groups; // the documentation's examples, then the demos
    for (const ProgramInfo& info : examples::library().programs()) {
        examples << info.name;
        groups << info.group;
    }
    m_welcome->setExamples(examples, groups);
    m_welcome->setGuidePath(guidePath());
    m_central->addWidget(m_source);
    // on a small screen the next steps scroll rather than being cut off
    auto* welcomeScroll = new QScrollArea(m_central);
    welcomeScroll->setObjectName(u"welcomeScroll"_s);
    welcomeScroll->setWidgetResizable(true);
    welcomeScroll->setFrameShape(QFrame::NoFrame);
    welcomeScroll->setWidget(m_welcome);
    m_central->addWidget(welcomeScroll);
    m_exceptionBar = new views::ExceptionBar(m_session, central);
    connect(m_exceptionBar, &views::ExceptionBar::locationActivated, m_source,
            [this](const QString& file, int line) { m_source->showLocation(file, line); });
    layout->addWidget(m_messageBar);
    layout->addWidget(m_exceptionBar);
    layout->addWidget(m_central, 1);
    setCentralWidget(central);

    createDocks();
    createActions();
    addWhatIfMenus();
    connect(m_welcome, &views::WelcomePage::exampleRequested, this, [this](const QString& name) { openExample(name); });
    connect(m_welcome, &views::WelcomePage::openTraceRequested, this, &MainWindow::openTraceDialog);
    connect(m_welcome, &views::WelcomePage::openLibraryRequested, this, &MainWindow::openProgramLibraryDialog);
    connect(m_welcome, &views::WelcomePage::debugExecutableRequested, this, &MainWindow::debugExecutableDialog);

    m_stepLabel = new QLabel(this);
    m_reasonLabel = new QLabel(this);
    m_statusLabel = new ElidingLabel(this);
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
    connect(m_source, &views::SourcePane::sourceChanged, this, &MainWindow::updateRunToCursor);
    connect(m_session, &views::StudioSession::statusChanged, this, &MainWindow::updateStatus);
    for (views::RunController* run :
         { static_cast<views::RunController*>(m_liveRun), static_cast<views::RunController*>(m_remoteRun) }) {
        connect(run, &views::RunController::runStarted, this, &MainWindow::updateActions);
        connect(run, &views::RunController::runEnded, this, &MainWindow::updateActions);
        connect(run, &views::RunController::runFailed, this, [this](const QString& m) { showMessage(m); });
    }
    connect(m_stack, &views::StackPane::sourceRequested, this,
            [this](const QString& file, int line) { m_source->showLocation(file, line); });
    connect(m_result, &views::ResultPane::sourceRequested, this,
            [this](const QString& file, int line) { m_source->showLocation(file, line); });
    connect(m_breakpoints, &views::BreakpointsPane::problem, this, [this](const QString& m) { showMessage(m); });
    // the margin and the Breakpoints pane show one list
    m_source->setBreakpointModel(m_breakpoints->model());
    connect(m_breakpoints, &views::BreakpointsPane::editRequested, this, &MainWindow::editBreakpoint);
    for (views::RunController* run :
         { static_cast<views::RunController*>(m_liveRun), static_cast<views::RunController*>(m_remoteRun) })
        connect(run, &views::RunController::breakpointsChanged, this, [this, run] {
            if (run == m_run) saveBreakpoints();
        });
    connect(m_source, &views::SourcePane::breakpointEditRequested, this, &MainWindow::editBreakpoint);
    connect(m_source, &views::SourcePane::breakpointToggleRequested, this,
            [this](const QString& file, int line) { m_run->toggleSourceBreakpoint(file, line); });
    connect(m_source, &views::SourcePane::logpointRequested, this, &MainWindow::addLogpoint);
    connect(m_session, &views::StudioSession::viewChanged, this, &MainWindow::updateStatus);
    connect(m_session, &views::StudioSession::viewChanged, this, &MainWindow::updateActions);
    connect(m_session, &views::StudioSession::historyFailed, this,
            [this](const QString& m) { showMessage(tr("Could not rebuild that step: %1").arg(m)); });
    updateActions();
    updateStatus();
    m_defaultState = saveState();
    fitToScreen();
}

void MainWindow::resetLayout()
{
    for (QDockWidget* d : findChildren<QDockWidget*>())
        d->setFloating(false);
    restoreState(m_defaultState);
    for (QDockWidget* d : findChildren<QDockWidget*>())
        d->show();
    applyDefaultProportions();
}

QList<std::pair<QString, QString>> MainWindow::shortcutList() const
{
    QList<std::pair<QString, QString>> rows;
    const std::function<void(const QMenu*, const QString&)> walk = [&](const QMenu* menu, const QString& path) {
        for (const QAction* a : menu->actions()) {
            const QString name = path + a->text().remove(u'&');
            if (a->menu()) {
                walk(a->menu(), name + u" ▸ "_s);
                continue;
            }
            QStringList keys;
            for (const QKeySequence& k : a->shortcuts())
                keys << k.toString(QKeySequence::NativeText);
            if (!keys.isEmpty()) rows.append({ name, keys.join(u", "_s) });
        }
    };
    for (const QAction* a : menuBar()->actions())
        if (a->menu()) walk(a->menu(), a->text().remove(u'&') + u" ▸ "_s);
    return rows;
}

void MainWindow::fitToScreen()
{
    const QScreen* s = screen();
    if (!s) return;
    const QRect available = s->availableGeometry();
    // the frame (title bar, borders) is not known before the window manager decorates the
    // window: leave room for a typical one
    const QSize frame = isVisible() ? frameGeometry().size() - geometry().size() : QSize(16, 48);
    const QSize room = (available.size() - frame).expandedTo(QSize(1, 1));
    QSize size = isVisible() || testAttribute(Qt::WA_Resized) ? this->size() : QSize(1600, 1000);
    if (!testAttribute(Qt::WA_Resized)) size = size.boundedTo(room * 9 / 10);
    size = size.boundedTo(room);
    resize(size);
    applyDefaultProportions();
    // keep the whole frame on the screen
    QRect frameRect(pos(), this->size() + frame);
    if (!available.contains(frameRect)) {
        frameRect.moveLeft(std::clamp(frameRect.left(), available.left(),
                                      std::max(available.left(), available.right() - frameRect.width() + 1)));
        frameRect.moveTop(std::clamp(frameRect.top(), available.top(),
                                     std::max(available.top(), available.bottom() - frameRect.height() + 1)));
        move(frameRect.topLeft());
    }
}

void MainWindow::showEvent(QShowEvent* event)
{
    QMainWindow::showEvent(event);
    // the dock layout takes sizes only once the window has its own: before the first show
    // the side columns fell back to their minimum width (Store's values and the Breakpoints
    // row were cut off), so the default proportions are applied again now
    if (!m_shownOnce && !m_layoutRestored) applyDefaultProportions();
    m_shownOnce = true;
}

void MainWindow::applyDefaultProportions()
{
    // the default layout in proportion to the window, so that a small screen or a large scale
    // factor shrinks every pane alike instead of squeezing Source out (a saved layout is
    // restored over this)
    const QSize size = this->size();
    const auto docks = [this](std::initializer_list<const char*> names) {
        QList<QDockWidget*> list;
        for (const char* name : names)
            if (auto* d = findChild<QDockWidget*>(QLatin1String(name))) list.append(d);
        return list;
    };
    const QList<QDockWidget*> bottom = docks({ "treeDock" });
    const QList<QDockWidget*> sides = docks({ "tasksDock", "storeDock" });
    if (bottom.size() == 1) resizeDocks(bottom, { size.height() * 36 / 100 }, Qt::Vertical);
    if (sides.size() == 2) resizeDocks(sides, { size.width() * 24 / 100, size.width() * 18 / 100 }, Qt::Horizontal);
}

bool MainWindow::isLive() const
{
    const views::RunStatus s = m_session->status();
    return m_run->isRunning() && (s == views::RunStatus::Running || s == views::RunStatus::Paused);
}

bool MainWindow::confirmReplace(const QString& what)
{
    if (!isLive()) return true;
    const QString program = m_session->programName();
    if (m_confirmReplace) return m_confirmReplace(program, what);
    QMessageBox box(QMessageBox::Question, tr("Stop %1?").arg(program),
                    tr("%1 is still running. Stop %1 and %2?").arg(program, what), QMessageBox::Cancel, this);
    box.setObjectName(u"confirmReplaceBox"_s);
    // "Stop and Open", "Stop and Debug", "Stop and Start": the button says what it goes on to do
    QString verb = what.section(u' ', 0, 0);
    if (!verb.isEmpty()) verb[0] = verb[0].toUpper();
    QPushButton* stop = box.addButton(tr("Stop and %1").arg(verb), QMessageBox::AcceptRole);
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    return box.clickedButton() == stop;
}

void MainWindow::documentOpened()
{
    m_messageBar->hide();
    for (QMessageBox* box : findChildren<QMessageBox*>(u"fileErrorBox"_s, Qt::FindDirectChildrenOnly))
        box->close();
}

MainWindow::~MainWindow()
{
    // a worker may read the live run's events (whose strings the LiveRun owns)
    m_job.cancel();
    m_job.waitForFinished();
    m_liveRun->shutdown();
    m_remoteRun->shutdown();
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
    return m_statusLabel->fullText();
}

void MainWindow::updateStatus()
{
    const SessionState& s = m_session->state();
    const QString program = m_session->programName();
    if (program.isEmpty() || m_session->status() == views::RunStatus::Loaded)
        m_stepLabel->clear(); // nothing open, or a result file: there are no steps to count
    else if (m_session->isAtPresent())
        m_stepLabel->setText(tr("Step %L1").arg(s.step()));
    else
        m_stepLabel->setText(tr("Step %L1 of %L2").arg(m_session->viewStep()).arg(m_session->presentStep()));
    const int selected = m_session->selectedTask();
    const SessionTask* selectedTask = s.task(selected);
    if (!m_session->isAtPresent()) {
        // the past shows the selected task at the viewed step (Source, Stack, Store, Environment)
        const QString task = selectedTask ? tr(" · task %1 '%2'").arg(selected).arg(selectedTask->name) : QString();
        m_reasonLabel->setText(tr("Viewing the past%1 (Timeline ▸ %2 returns)")
                                   .arg(task, m_session->status() == views::RunStatus::Trace ? tr("End") : tr("Live")));
    } else if (m_session->isPaused()) {
        const PausedState& p = *m_session->lastPause();
        const SessionTask* t = s.task(p.task);
        QString what;
        if (p.event.kind == EventKind::EffectYielded)
            what = tr("effect %1").arg(p.event.name);
        else if (!p.eventFunction.isEmpty())
            // (the selected task's function is named as the Source pane names it: a handler's
            // program after its handler)
            what = tr("%1 line %2")
                       .arg(p.task == m_session->selectedTask() ? m_session->currentFunction() : p.eventFunction)
                       .arg(p.event.line);
        else
            what = QString::fromLatin1(eventKindName(p.event.kind));
        m_reasonLabel->setText(
            tr("Paused (%1) · task %2 '%3' · %4").arg(p.reason).arg(p.task).arg(t ? t->name : QString()).arg(what));
    } else if (m_session->status() == views::RunStatus::Running) {
        m_reasonLabel->setText(tr("Running…"));
    } else if (m_session->hasResult() && m_session->result().is_err()) {
        const ErrorContext& c = m_session->result().error_context();
        if (m_session->showsFailingPoint() && !m_session->hasFailingPointStore())
            m_reasonLabel->setText(
                tr("Ended · error raised in task %1 '%2' · Stack at its failing point (this result file has "
                   "no store for it)")
                    .arg(c.task)
                    .arg(c.taskName));
        else if (m_session->showsFailingPoint())
            m_reasonLabel->setText(
                tr("Ended · error raised in task %1 '%2' · shown at its failing point").arg(c.task).arg(c.taskName));
        else if (selectedTask)
            m_reasonLabel->setText(tr("Ended · error raised in task %1 '%2' · showing task %3 '%4' where it ended")
                                       .arg(c.task)
                                       .arg(c.taskName)
                                       .arg(selected)
                                       .arg(selectedTask->name));
        else
            m_reasonLabel->setText(tr("Ended · error raised in task %1 '%2'").arg(c.task).arg(c.taskName));
    } else {
        m_reasonLabel->setText(m_session->hasResult() ? tr("Ended") : QString());
    }
    QString where;
    if (m_run->isRunning() && (m_session->status() == views::RunStatus::Running || m_session->isPaused())) {
        if (m_run == m_liveRun)
            where = tr(" · in the Studio's process");
        else if (m_remoteRun->debuggeePid() > 0)
            where = tr(" · process %1").arg(m_remoteRun->debuggeePid());
    }
    m_statusLabel->setFullText(program.isEmpty() ? tr("No program — open an example or a program library")
                                                 : u"│  "_s + program + u" · "_s + m_session->statusText() + where);
    setWindowTitle(program.isEmpty() ? tr("Doeff Studio") : tr("%1 — Doeff Studio").arg(program));
    m_central->setCurrentIndex(program.isEmpty() ? 1 : 0); // the welcome page, else the source
}

bool MainWindow::isWelcomeShown() const
{
    return m_central->currentIndex() == 1;
}

QString MainWindow::guidePath()
{
    const QDir bin(QCoreApplication::applicationDirPath());
    QStringList candidates { bin.filePath(u"../share/doc/doeff/guide.md"_s) };
#ifdef DOEFF_SOURCE_GUIDE
    candidates << QStringLiteral(DOEFF_SOURCE_GUIDE);
#endif
    for (const QString& c : candidates)
        if (QFileInfo(c).isFile()) return QFileInfo(c).canonicalFilePath();
    return {};
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

void MainWindow::restoreSettings()
{
    QSettings settings;
    restoreGeometry(settings.value(u"geometry"_s).toByteArray());
    fitToScreen(); // a saved geometry from a bigger screen, or another scale factor
    m_layoutRestored = restoreState(settings.value(u"windowState"_s).toByteArray());
    const int clock = settings.value(u"clock"_s, 0).toInt();
    for (QAction* a : m_clockGroup->actions())
        if (a->data().toInt() == clock) a->setChecked(true);
    const QString runner = settings.value(u"runner"_s, u"sync"_s).toString();
    for (QAction* a : m_runnerGroup->actions())
        if (a->data().toString() == runner) a->setChecked(true);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    // a live run is not dropped without asking (Cancel keeps the window and the run)
    if (!confirmReplace(tr("quit"))) {
        event->ignore();
        return;
    }
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

QStringList MainWindow::knownEffectNames() const
{
    QStringList names = views::builtinEffectNames();
    for (const SessionTreeNode& node : m_session->state().tree()) {
        if (!node.effect) continue;
        QString name = node.display.section(u'(', 0, 0).section(u' ', 0, 0).trimmed();
        if (!name.isEmpty() && !names.contains(name)) names.append(name);
    }
    names.sort();
    return names;
}

namespace {
QString breakpointsSettingsKey(const QString& program)
{
    return u"breakpoints/"_s + QString::fromLatin1(QUrl::toPercentEncoding(program));
}
} // namespace

void MainWindow::saveBreakpoints()
{
    if (m_breakpointsKey.isEmpty() || m_loadingBreakpoints) return;
    QVariantList list;
    for (const Breakpoint& b : m_run->breakpoints()) {
        list.append(QVariantMap {
            { u"kind"_s, int(b.kind) },
            { u"pattern"_s, b.pattern },
            { u"condition"_s, b.condition },
            { u"file"_s, b.file },
            { u"line"_s, b.line },
            { u"enabled"_s, b.enabled },
            { u"hitCount"_s, b.hitCount },
            { u"logMessage"_s, b.logMessage },
        });
    }
    QSettings settings;
    if (settings.value(breakpointsSettingsKey(m_breakpointsKey)).toList() != list)
        settings.setValue(breakpointsSettingsKey(m_breakpointsKey), list);
}

void MainWindow::useBreakpointsOf(const QString& key)
{
    if (key == m_breakpointsKey) return;
    if (m_breakpointsKey.isEmpty() && !QSettings().contains(breakpointsSettingsKey(key))) {
        // set before any program was opened: they are this program's
        m_breakpointsKey = key;
        saveBreakpoints();
        return;
    }
    saveBreakpoints();
    m_breakpointsKey = key;
    m_loadingBreakpoints = true;
    for (const Breakpoint& b : m_run->breakpoints())
        m_run->removeBreakpoint(b.id);
    for (const QVariant& v : QSettings().value(breakpointsSettingsKey(key)).toList()) {
        const QVariantMap m = v.toMap();
        const int kind = m.value(u"kind"_s).toInt();
        if (kind < 0 || kind > int(Breakpoint::Kind::SourceLine)) continue;
        Breakpoint b;
        b.kind = Breakpoint::Kind(kind);
        b.pattern = m.value(u"pattern"_s).toString();
        b.condition = m.value(u"condition"_s).toString();
        b.file = m.value(u"file"_s).toString();
        b.line = m.value(u"line"_s).toInt();
        b.enabled = m.value(u"enabled"_s, true).toBool();
        b.hitCount = std::max(0, m.value(u"hitCount"_s).toInt());
        b.logMessage = m.value(u"logMessage"_s).toString();
        m_run->addBreakpoint(b);
    }
    m_loadingBreakpoints = false;
}

void MainWindow::editBreakpoint(int id)
{
    const QList<Breakpoint> all = m_run->breakpoints();
    const auto it = std::find_if(all.begin(), all.end(), [id](const Breakpoint& b) { return b.id == id; });
    if (it == all.end()) return;
    auto* dialog = new views::BreakpointDialog(*it, knownEffectNames(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] { m_run->updateBreakpoint(dialog->breakpoint()); });
    dialog->open();
}

void MainWindow::addLogpoint(const QString& file, int line)
{
    Breakpoint b;
    b.kind = Breakpoint::Kind::SourceLine;
    b.file = file;
    b.line = line;
    auto* dialog = new views::BreakpointDialog(b, knownEffectNames(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setForLogpoint();
    connect(dialog, &QDialog::accepted, this, [this, dialog] { m_run->addBreakpoint(dialog->breakpoint()); });
    dialog->open();
}

} // namespace doeff::studio
