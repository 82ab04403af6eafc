#pragma once

#include "waitformodel.h"

#include <QHash>
#include <QWidget>

class QGraphicsScene;
class QGraphicsView;
class QLabel;

namespace doeff::views {

class StudioSession;

/// Wait-for Graph: the tasks waiting at the viewed step, what they wait on and who created the
/// promises, laid out by Graphviz's `dot` in-process and drawn in a QGraphicsView; tasks waiting
/// on each other in a ring in red. Clicking a task selects it; double-clicking travels to the
/// step where it blocked.
class WaitForPane : public QWidget {
    Q_OBJECT
public:
    explicit WaitForPane(StudioSession* session, QWidget* parent = nullptr);
    WaitForModel* model() { return &m_model; }
    QGraphicsView* view() { return m_view; }
    QGraphicsScene* scene() { return m_scene; }
    /// The drawn node of a task (`task:<id>`) or promise (`promise:<id>`): its rectangle in scene
    /// coordinates, or an empty rect.
    QRectF nodeRect(const QString& key) const { return m_nodes.value(key); }
    /// Keys of the nodes drawn red (in a cycle).
    QStringList cycleNodes() const { return m_cycleNodes; }
    /// The line above the graph: its step, how many wait, and when the graph is the deadlock's
    /// moment rather than the viewed step, that it is.
    QString caption() const;
    /// Selects the task (what a click on its node does).
    void selectTask(int task);
    /// Travels to the step where the task blocked (what a double-click does).
    void travelToBlock(int task);

private:
    void relayout();
    void fit();
    void resizeEvent(QResizeEvent* event) override;
    bool eventFilter(QObject* watched, QEvent* event) override;

    StudioSession* m_session;
    WaitForModel m_model;
    QLabel* m_label;
    QGraphicsView* m_view;
    QGraphicsScene* m_scene;
    QHash<QString, QRectF> m_nodes;
    QStringList m_cycleNodes;
};

} // namespace doeff::views
