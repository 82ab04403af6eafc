#pragma once

#include "provenancemodel.h"

#include <doeff/provenance.h>

#include <QWidget>

class QLabel;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Provenance: where a store or env value of the selected task came from at the viewed step,
/// as a tree back to the start of the run, and who read it. The index over the run's events
/// (live or the trace) is built when first asked and again when the run has moved on.
/// Clicking a row travels to its step.
class ProvenancePane : public QWidget {
    Q_OBJECT
public:
    enum class What : quint8 { Store, Environment };
    explicit ProvenancePane(StudioSession* session, QWidget* parent = nullptr);
    ProvenanceModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    QLabel* titleLabel() { return m_title; }

    /// Shows where `key` in the selected task's store or env came from at the viewed step.
    /// False (with the reason in the title) when the events could not be read.
    bool explain(What what, const QString& key);
    /// The same, then selects the "Read by" list.
    bool showReaders(What what, const QString& key);
    /// A watch expression (`counter`, `store:counter`, `env:name`, `task 2`: its result).
    bool explainWatch(const QString& expression, bool readers);

private:
    bool ensureIndex(QString* error);
    bool show(int source, const QString& title, bool readers);

    StudioSession* m_session;
    ProvenanceModel m_model;
    QLabel* m_title;
    QTreeView* m_view;
    Provenance m_index;
    quint64 m_indexedEvents = 0;
    bool m_indexed = false;
};

} // namespace doeff::views
