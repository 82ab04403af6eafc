// What if a handler were swapped, removed or added (docs/replay.md): a replay that reaches the
// what-if's step changes the handler frames of every task, then runs on live.

#include "machine.h"

#include <algorithm>

namespace doeff::detail {

template<class Edit> void Machine::restack(TaskRec* t, int from, Edit&& edit)
{
    std::vector<Frame> above; // bottom first
    above.reserve(t->k.size() - std::size_t(from));
    while (int(t->k.size()) > from) {
        // a plain pop: these frames come back, so no watched Err is judged and no env restored
        Frame f = std::move(t->k.back());
        t->k.pop_back();
        if (f.kind != FrameKind::Program) {
            t->dispatch().pop_back();
            if (f.kind == FrameKind::Handling) --t->handlingDepth;
        }
        if (DOEFF_OBSERVED) [[unlikely]]
            hookFramePopped(t, f.kind, int(t->k.size()));
        above.push_back(std::move(f));
    }
    std::reverse(above.begin(), above.end());
    std::vector<bool> restored(above.size(), true);
    edit(above, restored);
    for (std::size_t i = 0; i < above.size(); ++i) {
        const bool wasRestoring = std::exchange(m_restoringFrames, bool(restored[i]));
        pushFrame(t, std::move(above[i]));
        m_restoringFrames = wasRestoring;
    }
}

template<class Fn> void Machine::forEachHandling(Fn&& fn)
{
    // a continuation held by a handling can hold handlings of its own
    std::vector<std::span<Frame>> pending;
    for (std::size_t i = 0; i < m_tasks.size(); ++i)
        if (!m_tasks[i]->isFinished()) pending.push_back(std::span(m_tasks[i]->k));
    while (!pending.empty()) {
        const std::span<Frame> frames = pending.back();
        pending.pop_back();
        for (Frame& f : frames) {
            if (f.kind != FrameKind::Handling) continue;
            auto& hs = *static_cast<HandlingState*>(f.data.get());
            fn(hs);
            if (hs.cont() && !hs.cont()->consumed) pending.push_back(std::span(hs.cont()->frames));
        }
    }
}

void Machine::changeHandlers()
{
    // a replay is observed (its checker), so every task holds its own copies of its frames:
    // no root links to a shared set, which this would have to change for one task only
    Q_ASSERT(!sharesInherited());
    const HandlerChange change = std::move(*m_handlerChange);
    m_handlerChange.reset();
    const bool add = change.handler.isEmpty();
    if (add && !change.replacement.isValid()) {
        replayDiverged(QStringLiteral("what if a handler were added: no handler was given"));
        return;
    }

    if (add) {
        leaveReplay(); // first: the frames' comings and goings below are the branch's own events
        // innermost of the handlers the run started with: just above the frame of the last one
        // (every task that inherited it has that frame); a run started with none: above the root
        const void* anchor = nullptr;
        for (const Handler& h : std::as_const(m_handlers))
            if (h.isValid()) anchor = h.impl().get();
        for (std::size_t i = 0; i < m_tasks.size(); ++i) {
            TaskRec* t = m_tasks[i];
            if (t->isFinished() || t->k.empty()) continue;
            int at = -1;
            if (anchor) {
                for (int fi = 0; fi < int(t->k.size()); ++fi) {
                    if (t->k[fi].kind == FrameKind::Handler && t->k[fi].data.get() == anchor) {
                        at = fi + 1;
                        break;
                    }
                }
            } else if (t->kind != TaskKind::Branch && t->k.front().kind == FrameKind::TaskRoot) {
                at = 1; // a branch reaches its parent's handlers: it gets none of its own
            }
            if (at < 0) continue;
            restack(t, at, [&](std::vector<Frame>& frames, std::vector<bool>& restored) {
                Frame f;
                f.kind = FrameKind::Handler;
                f.setHandler(change.replacement.impl());
                frames.insert(frames.begin(), std::move(f));
                restored.insert(restored.begin(), false); // a new frame, not one given back
            });
            // what points into this task's K at or above the new frame moved up by one
            forEachHandling([&](HandlingState& hs) {
                if (hs.after.task == t && hs.after.index + 1 >= at) ++hs.after.index; // below a handler at >= at
                if (hs.dispatch.handlerAt.task == t && hs.dispatch.handlerAt.index >= at) ++hs.dispatch.handlerAt.index;
            });
        }
        return;
    }

    // swap or remove: every frame of the handler, wherever it is
    std::shared_ptr<const HandlerImpl> replacement = change.replacement.impl();
    if (!replacement) {
        auto removed = std::make_shared<HandlerImpl>();
        removed->name = change.handler + QStringLiteral(" (removed by what-if)");
        removed->builtin = BuiltinRemoved;
        replacement = std::move(removed);
    }
    const auto matches = [&](const Frame& f) {
        return f.kind == FrameKind::Handler && f.handler()->builtin != BuiltinRemoved
            && f.handler()->name == change.handler;
    };
    bool found = false;
    for (std::size_t i = 0; i < m_tasks.size() && !found; ++i) {
        const TaskRec* t = m_tasks[i];
        found = !t->isFinished() && std::any_of(t->k.begin(), t->k.end(), matches);
    }
    forEachHandling([&](HandlingState& hs) {
        if (hs.cont() && !hs.cont()->consumed)
            found = found || std::any_of(hs.cont()->frames.begin(), hs.cont()->frames.end(), matches);
    });
    if (!found) {
        replayDiverged(QStringLiteral("what if handler %1 were %2: no task has a handler called %1")
                           .arg(change.handler,
                                change.replacement.isValid()
                                    ? QStringLiteral("swapped for %1").arg(change.replacement.name())
                                    : QStringLiteral("removed")));
        return;
    }
    leaveReplay();
    for (std::size_t i = 0; i < m_tasks.size(); ++i) {
        TaskRec* t = m_tasks[i];
        if (t->isFinished()) continue;
        const auto first = std::find_if(t->k.begin(), t->k.end(), matches);
        if (first == t->k.end()) continue;
        restack(t, int(first - t->k.begin()), [&](std::vector<Frame>& frames, std::vector<bool>&) {
            for (Frame& f : frames)
                if (matches(f)) f.setHandler(replacement);
        });
    }
    // frames out of K, in the continuations handlings hold: given back later, already changed
    forEachHandling([&](HandlingState& hs) {
        if (!hs.cont() || hs.cont()->consumed) return;
        for (Frame& f : hs.cont()->frames)
            if (matches(f)) f.setHandler(replacement);
    });
}

} // namespace doeff::detail
