// doeff-studio-bench: the Studio's step latency (F11 → every pane updated and painted) for a
// program with 1,000 live tasks and 10,000 store keys, the cost of going to a past step, and
// the Timeline's paint time over 10,000,000 steps. Runs under any Qt platform
// (QT_QPA_PLATFORM=offscreen works). Prints milliseconds; asserts nothing.

#include <mainwindow.h>

#include <history.h>
#include <liverun.h>
#include <studiosession.h>
#include <timelinepane.h>

#include <doeff/doeff.h>

#include <QAction>
#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QSignalSpy>

#include <algorithm>
#include <cstdio>

using namespace doeff;
using namespace Qt::StringLiterals;

namespace {

constexpr int Tasks = 1000;
constexpr int Keys = 10000;

// Every worker yields a few times, so all of them are alive when main reaches its Gather.
Program<int> worker(int i)
{
    for (int round = 0; round < 3; ++round)
        co_await Tell(u"worker %1 round %2"_s.arg(i).arg(round));
    co_return i;
}

Program<int> wide_main()
{
    QList<GatherItem> workers;
    for (int i = 0; i < Tasks; ++i) {
        Task<int> t = co_await Spawn(worker(i));
        workers.append(t);
    }
    const QVariantList results = co_await GatherAll(workers);
    co_return int(results.size());
}

ProgramInfo wideProgram()
{
    ProgramInfo info { .name = u"wide_state"_s, .description = u"1,000 tasks over a 10,000-key store"_s, .make = [] {
                          return AnyProgram(wide_main());
                      } };
    for (int k = 0; k < Keys; ++k)
        info.store.insert(u"key%1"_s.arg(k, 5, 10, QChar(u'0')), k);
    return info;
}

bool waitFor(views::StudioSession* s, bool paused)
{
    QSignalSpy spy(s, &views::StudioSession::refreshed);
    QDeadlineTimer deadline(120000);
    while ((paused ? !s->isPaused() : !s->hasResult()) && !deadline.hasExpired())
        spy.wait(50);
    return paused ? s->isPaused() : s->hasResult();
}

struct Stats {
    double median = 0, worst = 0;
};
Stats stats(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return { v.isEmpty() ? 0 : v[v.size() / 2], v.isEmpty() ? 0 : v.last() };
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    const int steps = argc > 1 ? std::max(1, atoi(argv[1])) : 50;
    studio::MainWindow w;
    w.show();
    w.openProgram(wideProgram());
    views::StudioSession* session = w.session();
    if (!waitFor(session, true)) return 1;
    Breakpoint gather;
    gather.kind = Breakpoint::Kind::Effect;
    gather.pattern = u"Gather"_s;
    w.liveRun()->addBreakpoint(gather);
    w.findChild<QAction*>(u"continue"_s)->trigger();
    if (!waitFor(session, true)) return 1;
    std::printf("paused at step %llu with %d tasks, %lld store keys (task %d selected)\n",
                qulonglong(session->presentStep()), int(session->state().tasks().size()),
                qlonglong(session->state().store(session->selectedTask()).size()), session->selectedTask());

    QAction* stepInto = w.findChild<QAction*>(u"stepInto"_s);
    QList<double> toPanes, toPainted;
    for (int i = 0; i < steps; ++i) {
        QElapsedTimer t;
        t.start();
        stepInto->trigger();
        if (!waitFor(session, true)) return 1;
        toPanes.append(t.nsecsElapsed() / 1e6);
        w.repaint(); // every dock painted now
        toPainted.append(t.nsecsElapsed() / 1e6);
    }
    std::printf("first steps (ms):");
    for (int i = 0; i < std::min(5, int(toPanes.size())); ++i)
        std::printf(" %.1f", toPanes[i]);
    std::printf("\n");
    const Stats panes = stats(toPanes), painted = stats(toPainted);
    std::printf("F11 -> panes updated:          median %7.2f ms   worst %7.2f ms   (%d steps)\n", panes.median,
                panes.worst, steps);
    std::printf("F11 -> panes updated + painted: median %7.2f ms   worst %7.2f ms\n", painted.median, painted.worst);

    // time travel over the live history: jump to scattered past steps
    QList<double> jumps;
    const quint64 present = session->presentStep();
    for (int i = 1; i <= 20; ++i) {
        QElapsedTimer t;
        t.start();
        session->goToStep(present * quint64(i) / 21);
        w.repaint();
        jumps.append(t.nsecsElapsed() / 1e6);
    }
    session->goToPresent();
    const Stats jump = stats(jumps);
    std::printf("go to a past step (live, %llu steps): median %7.2f ms   worst %7.2f ms\n", qulonglong(present),
                jump.median, jump.worst);
    // stepping back one step at a time from the middle, then forward again (Left/Right)
    QList<double> back, forward;
    session->goToStep(present / 2);
    for (int i = 1; i <= 10; ++i) {
        QElapsedTimer t;
        t.start();
        session->goToStep(present / 2 - quint64(i));
        back.append(t.nsecsElapsed() / 1e6);
    }
    for (int i = 1; i <= 10; ++i) {
        QElapsedTimer t;
        t.start();
        session->goToStep(present / 2 - 10 + quint64(i));
        forward.append(t.nsecsElapsed() / 1e6);
    }
    session->goToPresent();
    std::printf("one step back (Left):  median %7.2f ms;  one step forward (Right): median %7.2f ms\n",
                stats(back).median, stats(forward).median);

    // the Timeline over 10,000,000 steps in 8 lanes
    views::TimelineData data;
    Event e;
    e.kind = EventKind::Step;
    for (quint64 s = 1; s <= 10'000'000; ++s) {
        e.step = s;
        e.task = int(s % 8);
        data.add(e);
    }
    views::TimelineModel model;
    model.setTimeline(&data);
    views::TimelineView view(&model);
    view.resize(1600, 200);
    view.setSteps(5'000'000, 10'000'000);
    QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
    QList<double> paints;
    for (int i = 0; i < 10; ++i) {
        QElapsedTimer t;
        t.start();
        view.render(&image);
        paints.append(t.nsecsElapsed() / 1e6);
    }
    const Stats paint = stats(paints);
    std::printf("Timeline paint, 10M steps x 8 lanes, 1600 px: median %7.2f ms   worst %7.2f ms\n", paint.median,
                paint.worst);
    w.liveRun()->shutdown();
    return 0;
}
