#pragma once

#include <doeff/waitfor.h>

#include <QObject>

#include <optional>

namespace doeff::views {

class StudioSession;

/// The wait-for graph (doeff/waitfor.h) of the step the session shows. Promise origins are the
/// session history's (TimelineData::promiseOrigins(): fed by a live run's events as they
/// arrive, and by the whole trace when one is opened).
class WaitForModel : public QObject {
    Q_OBJECT
public:
    explicit WaitForModel(StudioSession* session, QObject* parent = nullptr);
    const WaitForGraph& graph() const { return m_graph; }
    /// Set when the graph shown is not the viewed step's: the run deadlocked at or before the
    /// viewed step, where the deadlocked tasks have already failed and wait on nothing, so the
    /// graph is the one of the moment the deadlock was found (this step), when every task of
    /// it was still blocked.
    std::optional<quint64> deadlockMoment() const { return m_deadlockMoment; }
    /// Promise origins are still being read. Never: the history has them once a trace is open.
    bool isScanning() const { return false; }

Q_SIGNALS:
    void changed();

private:
    void refresh();

    StudioSession* m_session;
    WaitForGraph m_graph;
    std::optional<quint64> m_deadlockMoment;
    /// The graph at the deadlock's moment, computed once per history and deadlock.
    std::optional<WaitForGraph> m_deadlockGraph;
    const void* m_deadlockHistory = nullptr;
    qint64 m_deadlockEvents = -1;
};

} // namespace doeff::views
