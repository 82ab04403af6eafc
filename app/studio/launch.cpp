// MainWindow: starting runs (built-in examples, programs of a library, Debug Executable), in a
// doeff-run child process or on a thread of the Studio, and switching the run controller.
#include "mainwindow.h"

#include <doeff/replay.h>
#include <doeff_examples.h>

#include <breakpointspane.h>
#include <liverun.h>
#include <remoterun.h>
#include <studiosession.h>

#include <QAction>
#include <QActionGroup>
#include <QCoreApplication>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QToolButton>

#include <utility>

using namespace Qt::StringLiterals;

namespace doeff::studio {

namespace {

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

/// `--runner` (unless `withRunner` is false) and `--clock` of the Run menu, for doeff-run.
QStringList MainWindow::launchOptions(bool withRunner) const
{
    QStringList options;
    if (withRunner && m_runnerGroup && m_runnerGroup->checkedAction())
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

bool MainWindow::openProgram(const ProgramInfo& info)
{
    if (!confirmReplace(tr("open %1").arg(info.name))) return false;
    documentOpened();
    const bool example = examples::library().find(info.name) == &info;
    const QString library = m_libraryOf.value(&info);
    if (!runsInProcess() && (example || !library.isEmpty())) {
        views::RemoteLaunch launch;
        launch.program = info.name;
        launch.executable = doeffRunPath();
        if (!library.isEmpty()) launch.arguments << u"--library"_s << library;
        launch.arguments << info.name << launchOptions();
        m_runLaunchOptions = launchOptions();
        launch.inspectArgument = true;
        useRun(m_remoteRun);
        useBreakpointsOf(library.isEmpty() ? info.name : library + u'|' + info.name);
        m_remoteRun->start(launch);
    } else {
        const auto choice = m_clockGroup && m_clockGroup->checkedAction()
            ? views::RunController::ClockChoice(m_clockGroup->checkedAction()->data().toInt())
            : views::RunController::ClockChoice::ProgramDefault;
        useRun(m_liveRun);
        useBreakpointsOf(library.isEmpty() ? info.name : library + u'|' + info.name);
        m_runLaunchOptions = launchOptions(false); // in-process runs are sync_run
        m_liveRun->start(info, choice, true);
    }
    updateActions();
    return true;
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
    if (!confirmReplace(tr("debug %1").arg(fi.fileName()))) return false;
    documentOpened();
    views::RemoteLaunch launch;
    launch.program = fi.fileName();
    launch.executable = fi.absoluteFilePath();
    launch.arguments = arguments;
    launch.workingDirectory = workingDirectory;
    useRun(m_remoteRun);
    useBreakpointsOf(fi.absoluteFilePath());
    const bool ok = m_remoteRun->start(launch);
    updateActions();
    return ok;
}

bool MainWindow::replayTrace(const QString& path, const WhatIfRequest* whatIf)
{
    return startReplay(path, whatIf, {});
}

bool MainWindow::startReplay(const QString& path, const WhatIfRequest* whatIf, const QStringList& runOptions)
{
    const QString name = QFileInfo(path).fileName();
    QString error;
    const std::shared_ptr<Replay> replay = Replay::open(path, &error);
    if (!replay) {
        showMessage(tr("Cannot replay %1: %2").arg(name, error));
        return false;
    }
    const ProgramInfo* info = programNamed(replay->program());
    if (!info) {
        showMessage(tr("Cannot replay %1: its program %2 is neither a built-in example nor a program of a library "
                       "opened here (File ▸ Open Program Library…).")
                        .arg(name, replay->program()));
        return false;
    }
    if (!confirmReplace(tr("replay %1").arg(name))) return false;
    documentOpened();
    const QString library = m_libraryOf.value(info);
    views::RemoteLaunch launch;
    // the title and status bar say what this run is
    launch.program = whatIf ? tr("%1 (what if %2)").arg(info->name, whatIf->describe())
                            : tr("%1 (replay of %2)").arg(info->name, name);
    launch.executable = doeffRunPath();
    if (!library.isEmpty()) launch.arguments << u"--library"_s << library;
    // the recording names the runner and the clock (a live run's events do not: runOptions
    // then are those it was launched with); the Run menu's choices are for new launches
    launch.arguments << u"--replay"_s << QFileInfo(path).absoluteFilePath() << runOptions;
    if (whatIf) launch.arguments << whatIf->arguments();
    launch.inspectArgument = true;
    m_runLaunchOptions = runOptions;
    if (runOptions.isEmpty() && !replay->runner().isEmpty()) m_runLaunchOptions << u"--runner"_s << replay->runner();
    useRun(m_remoteRun);
    useBreakpointsOf(library.isEmpty() ? info->name : library + u'|' + info->name);
    const bool ok = m_remoteRun->start(launch);
    updateActions();
    return ok;
}

void MainWindow::replayTraceDialog()
{
    const QString open = m_session->traceFile();
    const QString path = QFileDialog::getOpenFileName(this, tr("Replay Trace"), open, tr("Traces (*.doefftrace)"));
    if (!path.isEmpty()) replayTrace(path);
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
        QStringList names;
        for (const ProgramInfo& p : examples::library().programs())
            names << p.name;
        showMessage(
            tr("There is no built-in example called '%1'. The examples are: %2.").arg(name, names.join(u", "_s)));
        return false;
    }
    return openProgram(*info);
}

} // namespace doeff::studio
