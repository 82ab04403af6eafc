#pragma once

#include "rundiffmodel.h"

#include <QWidget>

class QLabel;
class QTreeView;

namespace doeff::views {

class StudioSession;

/// Compare: the open run (a trace, or a live session's recorded history) against another
/// recorded run (a .doefftrace), aligned by effect per task (doeff/rundiff.h). Lists every
/// difference with the first divergence selected; clicking a row selects its task and travels
/// the open run to its step. A new document clears the comparison.
class RunDiffPane : public QWidget {
    Q_OBJECT
public:
    explicit RunDiffPane(StudioSession* session, QWidget* parent = nullptr);
    RunDiffModel* model() { return &m_model; }
    QTreeView* view() { return m_view; }
    QString summary() const;
    /// The current row's two sides in full, under the list.
    QString details() const;
    /// Whether there is an open run to compare (a trace, or a run with a history).
    bool canCompare() const;
    /// Compares the open run with the trace at `path`. False, with the reason in summary(), when
    /// there is no run to compare or a trace cannot be read.
    bool compareWith(const QString& path);
    /// The other run's file (empty before a comparison).
    QString otherFile() const { return m_other; }
    /// Selects the row's task and shows its step in the open run (what a click does).
    void travelTo(int row);

Q_SIGNALS:
    void compared();

private:
    void clear();
    void setMessage(const QString& text);
    void showDetails(int row);

    StudioSession* m_session;
    RunDiffModel m_model;
    QTreeView* m_view;
    QLabel* m_label;
    QLabel* m_details;
    QString m_other;
};

} // namespace doeff::views
