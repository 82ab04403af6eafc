#include <doeff/doeff.h>

#include "snippets.h"

#include <thread>

using namespace doeff;

namespace {
Program<int> add(int a, int b)
{
    co_await Put("last", a + b);
    co_return a + b;
}
} // namespace

// [snippet]
// Count what a run does: an observer sees every event, in order, on the machine's thread.
struct EffectCounter : Observer {
    QMap<QString, int> effects;
    void onEvent(const LiveEvent& e, const RunView&) override
    {
        // each kind's fields are a small struct; nothing is copied or formatted unless read
        if (const auto* yielded = e.as<events::EffectYielded>()) ++effects[yielded->effect.name()]; // "Get", …
    }
};

// Reduce the stream to the run's state, as the Studio and trace files do.
struct Replayer : Observer {
    SessionState state;
    void onRecord(const Event& e, const RunView&) override { state.apply(e); }
};

QString observeARun()
{
    EffectCounter counter;
    Replayer replay;
    RunOptions options;
    options.observers = { &counter, &replay };
    sync_run(add(2, 3), sync_handlers_preset(), {}, {}, options);
    return QString("Put x%1, store %2").arg(counter.effects.value("Put")).arg(repr(replay.state.store(0).toMap()));
}

// Step through a run from another thread: the agent pauses the machine and waits.
QString stepThrough()
{
    DebugAgent agent(/*startPaused=*/true);
    QStringList seen;
    agent.pausedCallback = [&](const PausedState& p) {
        seen.append(p.reason + ":" + p.event.name);
        agent.stepEffect(); // commands are thread-safe
    };
    RunOptions options;
    options.observers = { &agent };
    std::thread worker([&] { sync_run(add(1, 1), sync_handlers_preset(), {}, {}, options); });
    worker.join();
    return seen.join(" ");
}
// [/snippet]

SNIPPET_CHECK(observe, observeARun(), "Put x1, store {'last': 5}")
SNIPPET_CHECK(step_through, stepThrough(), "start: effect:Put('last')")
