#pragma once

#include <doeff/waitfor.h>

#include <QObject>
#include <QThread>

#include <atomic>
#include <memory>

namespace doeff::views {

class StudioSession;

/// The wait-for graph (doeff/waitfor.h) of the step the session shows. Promise origins come
/// from the live run's events as they arrive, or from one scan of an opened trace on a worker
/// thread (the graph shows `creator unknown` until it ends).
class WaitForModel : public QObject {
    Q_OBJECT
public:
    explicit WaitForModel(StudioSession* session, QObject* parent = nullptr);
    ~WaitForModel() override;
    const WaitForGraph& graph() const { return m_graph; }
    /// The trace's promise origins are still being read.
    bool isScanning() const { return m_worker != nullptr; }

Q_SIGNALS:
    void changed();

private:
    void restart();
    void refresh();
    void stopWorker();

    StudioSession* m_session;
    WaitForGraph m_graph;
    std::shared_ptr<PromiseOrigins> m_origins;
    qsizetype m_fed = 0;
    bool m_traceStarted = false;
    QThread* m_worker = nullptr;
    std::shared_ptr<std::atomic_bool> m_cancel;
    quint64 m_generation = 0;
};

} // namespace doeff::views
