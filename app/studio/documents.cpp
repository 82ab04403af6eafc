// MainWindow: opening files (program libraries, saved results; traces go to tracejobs.cpp),
// saving results, the recent files and the errors a bad file gives.
#include "mainwindow.h"

#include <runcontroller.h>
#include <studiosession.h>
#include <traceio.h>

#include <QAction>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLibrary>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>

using namespace Qt::StringLiterals;

namespace doeff::studio {

namespace {

constexpr int MaxRecentFiles = 8;

} // namespace

bool MainWindow::openFile(const QString& path)
{
    // what is wrong with the file itself, before a loader calls it a bad trace, result or library
    const QFileInfo fi(path);
    QString problem;
    if (!fi.exists())
        problem = tr("%1: no such file.").arg(path);
    else if (fi.isDir())
        problem = tr("%1 is a directory, not a trace, a result or a program library.").arg(path);
    else if (!fi.isFile())
        problem = tr("%1 is not a regular file (a FIFO, a socket or a device): it cannot be opened.").arg(path);
    else if (!fi.isReadable())
        problem = tr("%1 cannot be read (permission denied).").arg(path);
    if (!problem.isEmpty()) {
        reportFileError(tr("Open"), path, problem);
        return false;
    }
    if (QLibrary::isLibrary(path)) return openProgramLibrary(path);
    if (isTraceFile(path)) return openTrace(path);
    if (!openResult(path, /*anyKind=*/true)) return false;
    return true;
}

bool MainWindow::isTraceFile(const QString& path)
{
    // never a blocking open here: a FIFO would freeze the GUI thread (the loaders refuse it)
    return views::hasTraceMagic(path) || path.endsWith(u".doefftrace"_s, Qt::CaseInsensitive);
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
            QStringList names;
            for (const ProgramInfo& p : library.programs())
                names << p.name;
            showMessage(
                tr("%1 has no program called '%2'. Its programs are: %3.").arg(path, program, names.join(u", "_s)));
            return false;
        }
        if (!openProgram(*start)) return false;
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

bool MainWindow::openResult(const QString& path, bool anyKind)
{
    try {
        const SavedResult result = load_result(path);
        if (!confirmReplace(tr("open %1").arg(QFileInfo(path).fileName()))) return false;
        documentOpened();
        m_run->shutdown();
        // named as the run that wrote it names its program; older files: after the file
        m_session->reset(result.program().isEmpty() ? QFileInfo(path).fileName() : result.program());
        m_session->setResult(result, true);
        addRecentFile(path);
        updateActions();
        return true;
    } catch (const std::exception& e) {
        reportFileError(tr("Open Result"), path,
                        anyKind ? tr("%1 is not a doeff trace or result (%2).").arg(path, QString::fromUtf8(e.what()))
                                : tr("Could not open the result file: %1").arg(QString::fromUtf8(e.what())));
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

} // namespace doeff::studio
