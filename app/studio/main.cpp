// doeff-studio [FILE]: opens a trace, a saved result or a program library; with no file, the
// welcome page (or, with --program or a demo option, an example paused at its first step). A
// file that cannot be opened leaves the window with the error and the welcome page; without a
// display (offscreen, minimal) or with --screenshot, it ends the process with status 1.

#include "mainwindow.h"
#include "startup.h"

#include <liverun.h>
#include <studiosession.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QGuiApplication>
#include <QLibrary>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace {
struct StudioOptions {
    explicit StudioOptions(QCommandLineParser& parser)
    {
        parser.setApplicationDescription(u"Doeff Studio: a debugger for doeff effect programs."_s);
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addPositionalArgument(
            u"file"_s, u"A trace (.doefftrace), a saved result (.doeffresult) or a program library (.so) to open."_s,
            u"[file]"_s);
        parser.addOptions({ program, demoSteps, demoEffects, at, screenshot, freshLayout, inProcess });
    }
    QCommandLineOption program { u"program"_s,
                                 u"Open the built-in example NAME (default word_count), or with a program "
                                 u"library, its program NAME."_s,
                                 u"name"_s };
    QCommandLineOption demoSteps { u"demo-steps"_s, u"After opening, Step Into N times (demos, screenshots)."_s,
                                   u"n"_s };
    QCommandLineOption demoEffects { u"demo-effects"_s, u"After opening, Step Effect N times."_s, u"n"_s };
    QCommandLineOption at { u"at"_s, u"With a trace: show the state at STEP (as the Timeline does)."_s, u"step"_s };
    QCommandLineOption screenshot { u"screenshot"_s, u"After the demo steps, save the window to PATH and quit."_s,
                                    u"path"_s };
    QCommandLineOption freshLayout { u"default-layout"_s, u"Ignore the saved window layout."_s };
    QCommandLineOption inProcess { u"in-process"_s,
                                   u"Run programs on a thread of the Studio instead of a doeff-run child process."_s };
};
} // namespace

int main(int argc, char** argv)
{
    // --help and --version work without a display
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "--help-all" || arg == "--version" || arg == "-v") {
            QCoreApplication core(argc, argv);
            QCoreApplication::setApplicationVersion(QStringLiteral(DOEFF_STUDIO_VERSION));
            QCommandLineParser parser;
            StudioOptions options(parser);
            parser.process(core); // prints and exits
            return 0;
        }
    }
    QApplication app(argc, argv);
    QApplication::setOrganizationName(u"doeff"_s);
    QApplication::setApplicationName(u"doeff-studio"_s);
    QApplication::setApplicationDisplayName(u"Doeff Studio"_s);
    QApplication::setApplicationVersion(QStringLiteral(DOEFF_STUDIO_VERSION));

    QCommandLineParser parser;
    StudioOptions options(parser);
    const QCommandLineOption& program = options.program;
    const QCommandLineOption& demoSteps = options.demoSteps;
    const QCommandLineOption& demoEffects = options.demoEffects;
    const QCommandLineOption& screenshot = options.screenshot;
    const QCommandLineOption& freshLayout = options.freshLayout;
    parser.process(app);

    doeff::studio::MainWindow window;
    if (!parser.isSet(freshLayout)) window.restoreSettings();
    window.setRunInProcess(parser.isSet(options.inProcess));
    window.show();

    // Demo mode: issue one command per pause, then optionally grab the window.
    const int demoStepCount = parser.value(demoSteps).toInt();
    const int demoEffectCount = parser.value(demoEffects).toInt();
    int steps = demoStepCount;
    int effects = demoEffectCount;
    const QString shot = parser.value(screenshot);
    auto* session = window.session();
    // exitCode != 0: leave even without a screenshot (the demo could not be done)
    auto finish = [&window, shot](int exitCode) {
        if (shot.isEmpty()) {
            if (exitCode != 0) QTimer::singleShot(0, &window, [exitCode] { QApplication::exit(exitCode); });
            return;
        }
        QTimer::singleShot(400, &window, [&window, shot, exitCode] {
            if (!window.grab().save(shot)) {
                std::fprintf(stderr, "doeff-studio: could not save the screenshot to %s\n", qPrintable(shot));
                QApplication::exit(1);
                return;
            }
            QApplication::exit(exitCode);
        });
    };
    const QStringList files = parser.positionalArguments();
    // nothing to show a person: a bad file ends the process as before
    const QString platform = QGuiApplication::platformName();
    const bool headless = !shot.isEmpty() || platform == u"offscreen"_s || platform == u"minimal"_s;
    const bool demo = parser.isSet(program) || steps > 0 || effects > 0 || !shot.isEmpty();
    const bool runsProgram = (files.isEmpty() && demo) || (!files.isEmpty() && QLibrary::isLibrary(files.first()));
    if (!files.isEmpty()) {
        const QString at = parser.value(options.at);
        const QString programName = parser.isSet(program) ? parser.value(program) : QString();
        doeff::studio::openCommandLineFile(
            window, files.first(), programName,
            [session, at, finish, runsProgram, headless](bool ok, const QString& message) {
                if (!ok) {
                    std::fprintf(stderr, "doeff-studio: %s\n", qPrintable(message));
                    // with a display the window stays, showing the
                    // error and the welcome page
                    if (headless) finish(1);
                    return;
                }
                if (runsProgram) return; // the demo below finishes once the program pauses
                if (!at.isEmpty() && session->status() == doeff::views::RunStatus::Trace)
                    session->goToStep(at.toULongLong());
                finish(0);
            });
    } else if (demo) {
        if (!window.openExample(parser.isSet(program) ? parser.value(program) : u"word_count"_s)) {
            std::fprintf(stderr, "doeff-studio: %s\n", qPrintable(window.messageText()));
            if (headless) finish(1);
        }
    } // else: the welcome page

    if (runsProgram && (steps > 0 || effects > 0 || !shot.isEmpty())) {
        QObject::connect(session, &doeff::views::StudioSession::statusChanged, &window,
                         [&window, session, &steps, &effects, finish, demoStepCount, demoEffectCount] {
                             if (session->hasResult() && (effects > 0 || steps > 0)) {
                                 // the run ended before the demo did: say so and stop
                                 std::fprintf(stderr,
                                              "doeff-studio: the run finished (%s) after %d of %d demo step(s) "
                                              "and %d of %d demo effect step(s); stopping.\n",
                                              qPrintable(session->resultSummary()), demoStepCount - steps,
                                              demoStepCount, demoEffectCount - effects, demoEffectCount);
                                 steps = effects = -1;
                                 finish(1);
                                 return;
                             }
                             if (session->status() == doeff::views::RunStatus::Lost && steps >= 0) {
                                 // the debuggee died: say so, keep the window as it shows it
                                 std::fprintf(stderr,
                                              "doeff-studio: the run ended without a result after %d of %d demo "
                                              "step(s) and %d of %d demo effect step(s): %s\n",
                                              demoStepCount - std::max(steps, 0), demoStepCount,
                                              demoEffectCount - std::max(effects, 0), demoEffectCount,
                                              qPrintable(session->failure().section(u'\n', 0, 0)));
                                 steps = effects = -1;
                                 finish(1);
                                 return;
                             }
                             if (!session->isPaused()) return;
                             if (effects > 0) {
                                 --effects;
                                 window.run()->command(doeff::DebugAgent::Command::StepEffect);
                             } else if (steps > 0) {
                                 --steps;
                                 window.run()->command(doeff::DebugAgent::Command::StepInto);
                             } else if (steps == 0) {
                                 finish(0);
                                 steps = -1;
                             }
                         });
    }
    return app.exec();
}
