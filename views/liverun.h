#pragma once

#include <doeff/agent.h>
#include <doeff/library.h>

#include <QList>
#include <QMutex>
#include <QObject>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>

namespace doeff::views {

class StudioSession;

/// Runs one ProgramInfo with sync_run on a worker thread under a DebugAgent and feeds a
/// StudioSession: events are buffered under a lock and drained by one queued call at a time;
/// pauses and the result arrive by queued calls. Commands go to the agent (thread-safe).
/// Breakpoints belong to the LiveRun and are re-armed for every launch.
class LiveRun : public QObject {
    Q_OBJECT
public:
    enum class ClockChoice : quint8 { ProgramDefault, Real, Simulated };

    explicit LiveRun(StudioSession* session, QObject* parent = nullptr); // session: not owned
    ~LiveRun() override;

    /// Stops any current run, then launches `info` (paused at its first step when `startPaused`).
    void start(const ProgramInfo& info, ClockChoice clock = ClockChoice::ProgramDefault, bool startPaused = true);
    /// Relaunches the last program with the same settings.
    void restart();
    /// Asks the run to end (it returns Err(RunAbortedError)); the result arrives as usual.
    void stop();
    /// stop() and join the worker (window close). Pending deliveries are dropped.
    void shutdown();
    bool isRunning() const { return m_running; }
    bool hasProgram() const { return m_program.has_value(); }
    const ProgramInfo* program() const { return m_program ? &*m_program : nullptr; }
    ClockChoice clock() const { return m_clock; }

    void command(DebugAgent::Command c);

    /// Breakpoints as the studio numbers them (stable across launches); hits count this run.
    QList<Breakpoint> breakpoints() const { return m_breakpoints; }
    int addBreakpoint(Breakpoint b);
    void removeBreakpoint(int id);
    void setBreakpointEnabled(int id, bool enabled);

Q_SIGNALS:
    void runStarted();
    void runEnded();
    void breakpointsChanged();

private:
    struct Pending {
        QList<Event> events;
        bool wakePending = false;
    };
    // worker thread
    void postEvent(quint64 generation, const Event& e);
    const char* intern(const char* s);
    // GUI thread
    void drain(quint64 generation);
    void deliverPause(quint64 generation, const PausedState& s);
    void deliverResumed(quint64 generation);
    void deliverResult(quint64 generation, const RuntimeResultBase& result);
    void refreshHits();
    void join();

    StudioSession* m_session; // not owned
    std::unique_ptr<DebugAgent> m_agent;
    std::thread m_thread;
    quint64 m_generation = 0;
    bool m_running = false;
    std::optional<ProgramInfo> m_program;
    ClockChoice m_clock = ClockChoice::ProgramDefault;

    QMutex m_mutex; // guards m_pending
    Pending m_pending;
    QMutex m_internMutex; // guards m_strings
    std::unordered_set<std::string> m_strings; // node-based: c_str() pointers stay valid

    QList<Breakpoint> m_breakpoints;
    QHash<int, int> m_agentIds; // studio id -> agent id, this run
    int m_nextBreakpointId = 1;
};

} // namespace doeff::views
