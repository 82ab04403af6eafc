#pragma once

#include <doeff/export.h>
#include <doeff/observer.h>
#include <doeff/store.h>

#include <QString>

#include <memory>

/// Deterministic replay (docs/replay.md): the same program run again on the inputs a trace
/// recorded (InputReceived events), checked event for event against the recording.
namespace doeff {

/// What if (docs/replay.md): the replay follows its recording up to a step, changes one thing
/// there and runs on live.
struct WhatIf {
    enum class Kind : quint8 {
        None,
        Result, ///< the effect `task` yielded at `step` resumes with `value` instead of being handled
        Schedule, ///< the turn that starts at `step` runs the ready task `task` instead of the queue's head
        /// before `step` runs, every task's frames of the handler called `handler` run
        /// `replacement` instead (swap), or are taken out (remove: no replacement); with no
        /// `handler`, `replacement` is added innermost of the run's handlers (add)
        Handler,
    };
    Kind kind = Kind::None;
    quint64 step = 0;
    int task = 0; ///< Result: -1 for whichever task yielded an effect at `step`
    QVariant value {};
    QString handler {}; ///< Handler: the name of the handler to swap or remove; empty: add
    doeff::Handler replacement {}; ///< Handler: the one swapped in or added (a library's HandlerOffer)
};

/// A recording to replay: give it to a run as RunOptions::replay, with the program, store and
/// env it names. One Replay serves one run.
class DOEFF_EXPORT Replay final : public InputSource, public Observer {
public:
    /// Opens the trace at `path`. Null, with `error` naming the file and the problem, when it
    /// is not a readable trace or its first event is not the RunStarted a replay starts from.
    static std::shared_ptr<Replay> open(const QString& path, QString* error);
    ~Replay() override;
    Replay(const Replay&) = delete;
    Replay& operator=(const Replay&) = delete;

    QString fileName() const;
    /// What the recording started with: the program's name (RunStarted), the store and the env.
    const QString& program() const;
    const Store& store() const;
    const Env& env() const;
    /// The runner the recording ran on (`sync`, `async`; the trace's metadata), else empty.
    QString runner() const;
    /// True when the recording ran on the simulated clock: the trace's `clock` metadata, else
    /// inferred (a recording on the real clock that read it or slept has clock or timer inputs,
    /// and its deliveries carry no simulated time), which reads the whole trace the first time
    /// it is asked. Ask before the run, not during.
    bool simulatedClock() const;
    quint64 recordedEvents() const;
    /// The recording is an input log (TraceMetadata::inputsOnly()): the replay is checked at
    /// each input and at its end, not event for event, and observes inputs only, so it runs at
    /// the speed of a run without debugging (docs/replay.md, "Input logs").
    bool inputsOnly() const;

    // ---- after (or during) the run ------------------------------------------------------
    /// Events of the run that matched the recording so far.
    quint64 matchedEvents() const;
    /// Of those, the events that matched byte for byte: encoded as the recorder encodes them and
    /// compared with the recorded bytes, without decoding the recording (the fast check; see
    /// docs/replay.md, "Checking a replay").
    quint64 matchedAsBytes() const;
    /// True when the run parted from the recording; report() then says where and how.
    bool diverged() const;
    /// `replay of FILE diverged at event N (step S, task T): …` with the recorded and the
    /// replayed event; empty while the run follows the recording.
    QString report() const;
    /// True when every recorded event was matched and nothing diverged.
    bool complete() const;

    /// Sets the what-if (before the run starts).
    void setWhatIf(const WhatIf& whatIf);
    const WhatIf& whatIf() const;
    /// True once the what-if took effect: the run left its recording there and went on live.
    bool branched() const;
    /// The step it left the recording at (valid when branched()).
    quint64 branchStep() const;

    // InputSource
    const Event* nextInput(int heldBack) override;
    bool mayRunOn(quint64 step) override;
    QString diverged(const QString& why, quint64 step) override;
    QString unreplayable(const Event& input) const override;
    Observer* checker() override { return this; }
    std::optional<QVariant> whatIfResult(quint64 step, int task) override;
    int whatIfSchedule(quint64 step) override;
    std::optional<HandlerChange> whatIfHandlers() override;
    void branched(quint64 step) override;
    // Observer
    void onEvent(const LiveEvent& event, const RunView& view) override;
    /// Inputs only for an input log without a what-if, else every event (a what-if is taken
    /// where a watched run announces its step or its effect).
    EventInterest interest() const override;

private:
    Replay();
    struct Private;
    std::unique_ptr<Private> d;
};

/// The first field in which `replayed` differs from `recorded` (`kind`, `task`, `step`, `code`,
/// `index`, `name`, `text`, `value`, `old`, `location`), or empty when they are the same event.
DOEFF_EXPORT QString replayDifference(const Event& recorded, const Event& replayed);
/// One event on one line, as replay reports show it.
DOEFF_EXPORT QString describeReplayEvent(const Event& e);

} // namespace doeff
