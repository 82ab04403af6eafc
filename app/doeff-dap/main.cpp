// doeff-dap: a Debug Adapter Protocol server for doeff programs, on stdin/stdout.

#include "adapter.h"
#include "transport.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>
#include <cstring>
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
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--version") == 0) {
            std::printf("doeff-dap %s\n", DOEFF_VERSION);
            return 0;
        }
        if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
            std::printf("Usage: doeff-dap\n"
                        "A Debug Adapter Protocol server for doeff programs. It speaks the protocol on\n"
                        "stdin/stdout; an editor starts it (docs/editors.md). DOEFF_RUN names the\n"
                        "doeff-run it starts built-in examples and program libraries with.\n");
            return 0;
        }
        std::fprintf(stderr, "doeff-dap: unknown argument '%s' (try --help)\n", argv[i]);
        return 2;
    }
    // stdout carries the protocol: nothing else may write to it. Qt's own messages go to stderr.
    const int protocolOut = ::dup(STDOUT_FILENO);
    ::dup2(STDERR_FILENO, STDOUT_FILENO);

    QCoreApplication app(argc, argv);
    app.setApplicationName(u"doeff-dap"_s);
    doeff::dap::Transport transport(STDIN_FILENO, protocolOut);
    doeff::dap::Adapter adapter(&transport);
    adapter.setDoeffRunPath(findDoeffRun());
    QObject::connect(
        &adapter, &doeff::dap::Adapter::finished, &app, [] { QCoreApplication::quit(); }, Qt::QueuedConnection);
    return app.exec();
}
