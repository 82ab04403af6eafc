#include "waitformodel.h"

#include "history.h"
#include "studiosession.h"

#include <doeff/trace.h>

#include <QPointer>

namespace doeff::views {

WaitForModel::WaitForModel(StudioSession* session, QObject* parent)
    : QObject(parent)
    , m_session(session)
{
    connect(m_session, &StudioSession::documentOpened, this, &WaitForModel::restart);
    connect(m_session, &StudioSession::refreshed, this, &WaitForModel::refresh);
    connect(m_session, &StudioSession::viewChanged, this, &WaitForModel::refresh);
    restart();
}

WaitForModel::~WaitForModel()
{
    stopWorker();
}

void WaitForModel::stopWorker()
{
    ++m_generation;
    if (m_cancel) m_cancel->store(true);
    if (m_worker) {
        m_worker->wait();
        delete m_worker;
        m_worker = nullptr;
    }
    m_cancel.reset();
}

void WaitForModel::restart()
{
    stopWorker();
    m_origins = std::make_shared<PromiseOrigins>();
    m_fed = 0;
    m_traceStarted = false;
    refresh();
}

void WaitForModel::refresh()
{
    if (m_session->status() == RunStatus::Trace) {
        if (!m_traceStarted && !m_session->traceFile().isEmpty()) {
            m_traceStarted = true;
            const quint64 generation = ++m_generation;
            m_cancel = std::make_shared<std::atomic_bool>(false);
            auto cancel = m_cancel;
            QPointer<WaitForModel> self(this);
            const QString path = m_session->traceFile();
            m_worker = QThread::create([self, path, cancel, generation] {
                auto origins = std::make_shared<PromiseOrigins>();
                TraceReader reader;
                const bool ok = reader.open(path)
                    && origins->scan(reader, nullptr, [cancel](quint64, quint64) { return !cancel->load(); });
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, generation, origins, ok] {
                        if (!self || self->m_generation != generation) return;
                        self->m_worker->wait();
                        delete self->m_worker;
                        self->m_worker = nullptr;
                        self->m_cancel.reset();
                        if (ok) self->m_origins = origins;
                        self->refresh();
                    },
                    Qt::QueuedConnection);
            });
            m_worker->start();
        }
    } else if (m_session->status() != RunStatus::Loaded) {
        const EventLog events = m_session->liveEvents();
        if (events.size() > m_fed) {
            events.forEach(m_fed, events.size(), [this](const Event& e) {
                m_origins->apply(e);
                return true;
            });
            m_fed = events.size();
        }
    }
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult())
        m_graph = waitForGraphOfResult(m_session->result());
    else
        m_graph = waitForGraph(m_session->state(), m_origins.get());
    Q_EMIT changed();
}

} // namespace doeff::views
