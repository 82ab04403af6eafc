// The Studio's start-up: the command line's file, reported once (see startup.h).
#include "startup.h"

#include "mainwindow.h"

#include <QLibrary>

#include <memory>

namespace doeff::studio {

void openCommandLineFile(MainWindow& window, const QString& path, const QString& program,
                         std::function<void(bool ok, const QString& message)> done)
{
    // One-shot: both connections go as soon as either fires (a trace opens on a worker thread,
    // so the answer may come later than this function's return).
    struct Once {
        QMetaObject::Connection opened;
        QMetaObject::Connection failed;
        bool fired = false;
    };
    auto once = std::make_shared<Once>();
    auto report = [once, done = std::move(done)](bool ok, const QString& message) {
        if (once->fired) return;
        once->fired = true;
        QObject::disconnect(once->opened);
        QObject::disconnect(once->failed);
        done(ok, message);
    };
    once->opened
        = QObject::connect(&window, &MainWindow::traceOpened, &window, [report](const QString&) { report(true, {}); });
    once->failed = QObject::connect(&window, &MainWindow::fileFailed, &window,
                                    [report](const QString&, const QString& message) { report(false, message); });
    const bool library = QLibrary::isLibrary(path);
    // decided before opening: a small trace can finish loading on its worker before this
    // function returns, while its traceOpened() is still queued
    const bool background = !library && MainWindow::isTraceFile(path);
    const bool opened
        = library && !program.isEmpty() ? window.openProgramLibrary(path, program) : window.openFile(path);
    if (!opened)
        report(false,
               window.messageText().isEmpty() ? path + QStringLiteral(": could not be opened") : window.messageText());
    else if (!background)
        report(true, {}); // a result or a library: opened synchronously, nothing more will come
}

} // namespace doeff::studio
