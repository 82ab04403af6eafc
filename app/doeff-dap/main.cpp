// doeff-dap: a Debug Adapter Protocol server for doeff programs, on stdin/stdout.

#include "adapter.h"
#include "transport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>
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
    return app.exec();
}
