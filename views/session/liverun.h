#pragma once

#include "runcontroller.h"

#include <doeff/agent.h>
#include <doeff/library.h>

#include <QList>
#include <QMutex>

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <unordered_set>

namespace doeff::views {

/// Runs one ProgramInfo with sync_run on a worker thread of the Studio's process under a
/// DebugAgent and feeds a StudioSession: events are buffered under a lock and drained by one
/// queued call at a time; pauses and the result arrive by queued calls. Commands go to the agent
/// (thread-safe). For tests and embedding: a program that crashes takes the process with it
/// (RemoteRun runs it in a child process instead).
class LiveRun final : public RunController {
    Q_OBJECT
public:
    explicit LiveRun(StudioSession* session, QObject* parent = nullptr); // session: not owned
    ~LiveRun() override;

    /// Stops any current run, then launches `info` (paused at its first step when `startPaused`).
    void start(const ProgramInfo& info, ClockChoice clock = ClockChoice::ProgramDefault, bool startPaused = true);
    void restart() override;
    /// Asks the run to end (it returns Err(RunAbortedError)); the result arrives as usual.
    void stop() override;
    /// stop() and join the worker (window close). Pending deliveries are dropped.
    void shutdown() override;
    bool isRunning() const override { return m_running; }
    bool hasProgram() const override { return m_program.has_value(); }
    const ProgramInfo* program() const { return m_program ? &*m_program : nullptr; }
    ClockChoice clock() const { return m_clock; }

    void command(DebugAgent::Command c) override;
    void runToLine(const QString& file, int line) override;
    bool cancelTask(int task, QString* error) override;
    int pausedBreakpoint() const override;

protected:
    void armBreakpoint(const Breakpoint& b) override;
    void disarmBreakpoint(int id) override;
    void enableBreakpoint(int id, bool enabled) override;

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

    QHash<int, int> m_agentIds; // studio id -> agent id, this run
    int m_pausedAgentId = -1; // the agent's id of the breakpoint the latest pause hit
};

} // namespace doeff::views
