#pragma once

#include <doeff/waitfor.h>

#include <QObject>

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
    /// Promise origins are still being read. Never: the history has them once a trace is open.
    bool isScanning() const { return false; }

Q_SIGNALS:
    void changed();

private:
    void refresh();

    StudioSession* m_session;
    WaitForGraph m_graph;
};

} // namespace doeff::views
