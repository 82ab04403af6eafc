// doeff-dap: a Debug Adapter Protocol server for doeff programs, on stdin/stdout.

#include "adapter.h"
#include "transport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QSocketNotifier>

#include <csignal>
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace {
/// doeff-run beside this executable (installed), else the build tree's, else on PATH.
QString findDoeffRun()
{
    const QString override = qEnvironmentVariable("DOEFF_RUN");
    if (!override.isEmpty()) return override;
    const QString beside = QDir(QCoreApplication::applicationDirPath()).filePath(u"doeff-run"_s);
    if (QFileInfo(beside).isExecutable()) return beside;
#ifdef DOEFF_RUN_BUILD_PATH
    if (QFileInfo(QStringLiteral(DOEFF_RUN_BUILD_PATH)).isExecutable()) return QStringLiteral(DOEFF_RUN_BUILD_PATH);
#endif
    return u"doeff-run"_s;
}

/// The write end of the pipe a termination signal is told through (-1 before it exists).
int signalPipe[2] = { -1, -1 };

extern "C" void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &byte, 1); // async-signal-safe
}

/// SIGTERM, SIGINT and SIGHUP (an editor stopping the adapter, a closed terminal) end the event
/// loop instead of the process, so that the adapter shuts down as after a disconnect: the
/// debuggee stopped, its socket directory removed.
void quitOnTerminationSignals(QCoreApplication& app)
{
    if (::pipe2(signalPipe, O_CLOEXEC | O_NONBLOCK) != 0) return; // the default: the signal ends it
    auto* notifier = new QSocketNotifier(signalPipe[0], QSocketNotifier::Read, &app);
    QObject::connect(notifier, &QSocketNotifier::activated, &app, [notifier] {
        char drained[16];
        while (::read(signalPipe[0], drained, sizeof drained) > 0) { }
        notifier->setEnabled(false); // once: a second signal while shutting down changes nothing
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    for (const int signal : { SIGTERM, SIGINT, SIGHUP })
        ::sigaction(signal, &action, nullptr);
}
} // namespace

int main(int argc, char** argv)
{
    // stdout carries the protocol: nothing else may write to it once it runs
    QCoreApplication app(argc, argv);
    app.setApplicationName(u"doeff-dap"_s);
    app.setApplicationVersion(QStringLiteral(DOEFF_VERSION));
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"A Debug Adapter Protocol server for doeff programs. It speaks the protocol on stdin and stdout; an "
        "editor starts it (VS Code, Neovim's nvim-dap, any DAP client: see docs/editors.md). Programs run in "
        "doeff-run child processes, or are executables linked with libdoeff; the environment variable "
        "DOEFF_RUN names the doeff-run to use."_s);
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    if (!parser.positionalArguments().isEmpty()) {
        std::fprintf(stderr, "doeff-dap: unexpected argument '%s' (try --help)\n",
                     qPrintable(parser.positionalArguments().first()));
        return 2;
    }
    const int protocolOut = ::dup(STDOUT_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO); // stray prints go to stderr, not into the protocol
    doeff::dap::Transport transport(STDIN_FILENO, protocolOut);
    doeff::dap::Adapter adapter(&transport);
    adapter.setDoeffRunPath(findDoeffRun());
    QObject::connect(
        &adapter, &doeff::dap::Adapter::finished, &app, [] { QCoreApplication::quit(); }, Qt::QueuedConnection);
    quitOnTerminationSignals(app);
    return app.exec();
}
