#pragma once

#include "timelinemodel.h"

#include <QWidget>

#include <algorithm>

class QLabel;
class QScrollBar;
class QSlider;
class QToolButton;

namespace doeff::views {

class StudioSession;

/// Paints the lanes: per pixel column, one mark when the task took any step in the steps that
/// column covers (found by binary search), so the cost depends on the width, not on the trace.
/// Zoomed in far enough for a box per step, the lanes grow and show nested slices instead: each
/// program activation as a bar under the one that called it, its effects under it.
/// Click or drag to choose a step; Ctrl+wheel zooms, Shift+wheel pans, the wheel scrolls lanes.
class TimelineView : public QWidget {
    Q_OBJECT
public:
    explicit TimelineView(TimelineModel* model, QWidget* parent = nullptr);

    /// The viewed step (the cursor), the present (the last step) and the selected task.
    void setSteps(quint64 cursor, quint64 present);
    void setSelectedTask(int task);
    /// Visible steps [from, to); fitting follows the present as it grows.
    void setRange(quint64 from, quint64 to);
    void fit();
    /// A new document: fitted, scrolled to the first lane.
    void resetView();
    /// Whether the range follows every step (no zoom or pan since the last fit).
    bool isFitted() const { return m_fit; }
    quint64 rangeFrom() const { return m_from; }
    quint64 rangeTo() const { return m_to; }
    int firstLane() const;
    /// The step under x (widget coordinates), clamped to [0, present].
    quint64 stepAt(int x) const;
    /// Marks painted by the last paint (pixel runs), for tests.
    int lastPaintedRuns() const { return m_paintedRuns; }
    /// Steps of search hits, marked on the ruler (sorted; empty: none).
    void setSearchMarks(std::vector<quint64> steps);
    const std::vector<quint64>& searchMarks() const { return m_searchMarks; }
    /// Spawn and wake arrows painted by the last paint, for tests.
    int lastPaintedFlows() const { return m_paintedFlows; }
    /// The ruler's step labels painted by the last paint, each with its rectangle, for tests.
    QList<std::pair<QString, QRect>> lastRulerLabels() const { return m_rulerLabels; }
    /// Whether the lanes show nested slices (zoomed in, and the run has program activations).
    bool showsSlices() const;
    /// Rows of slices while they show: the deepest activation's and its effects' (at most
    /// MaxSliceRows; deeper ones share the last row).
    int sliceRows() const;
    /// A lane's height now: LaneHeight, or sliceLaneHeight(sliceRows()) while slices show.
    int laneHeight() const { return showsSlices() ? sliceLaneHeight(sliceRows()) : LaneHeight; }
    static constexpr int sliceLaneHeight(int rows) { return 2 + rows * SliceRowHeight + 6; }
    /// Slices (activations and effects) painted by the last paint, for tests.
    int lastPaintedSlices() const { return m_paintedSlices; }
    /// What is under `pos` (widget coordinates): the effect or activation there while slices
    /// show, else the lane's task and the step; empty outside the lanes. The tooltip's text.
    QString describeAt(QPoint pos) const;

    static constexpr int LabelWidth = 150;
    static constexpr int RulerHeight = 18;
    static constexpr int LaneHeight = 16;
    static constexpr int SliceRowHeight = 13;
    static constexpr int MaxSliceRows = 4;

Q_SIGNALS:
    void stepRequested(quint64 step);
    void taskClicked(int task);

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    bool event(QEvent* event) override;

private:
    /// The lane row under y, or -1.
    int rowAt(int y) const;
    /// The slice row of nesting depth `depth`, and its rectangle's top in a lane at `top`.
    int sliceTop(int top, quint32 depth) const;
    int paintSlices(QPainter& p, const TimelineLane& lane, int top);
    int lanesWidth() const;
    double xOf(quint64 step) const;
    void updateScrollBar();
    int paintMarks(QPainter& p, const std::vector<quint64>& steps, int top, int height, const QColor& color) const;

    QList<std::pair<QString, QRect>> m_rulerLabels;
    TimelineModel* m_model; // not owned
    QScrollBar* m_scroll;
    quint64 m_cursor = 0;
    quint64 m_present = 0;
    quint64 m_from = 0;
    quint64 m_to = 1;
    bool m_fit = true;
    int m_selectedTask = -1;
    int m_paintedRuns = 0;
    std::vector<quint64> m_searchMarks;
    int m_paintedFlows = 0;
    int m_paintedSlices = 0;
    void paintFlows(QPainter& p, int first, int visible);
};

/// The Timeline dock: the lanes, a scrubber over every step, step buttons and Live. Going to a
/// step re-reduces the recorded events (no re-execution). Keys: Left/Right one step, Home/End.
class TimelinePane : public QWidget {
    Q_OBJECT
public:
    explicit TimelinePane(StudioSession* session, QWidget* parent = nullptr);
    TimelineModel* model() { return &m_model; }
    TimelineView* view() { return m_view; }
    QSlider* slider() { return m_slider; }
    QToolButton* liveButton() { return m_live; }
    QString stepText() const;

protected:
    void keyPressEvent(QKeyEvent* event) override;

private:
    void refresh();
    void go(qint64 step);

    StudioSession* m_session; // not owned
    TimelineModel m_model;
    TimelineView* m_view;
    QSlider* m_slider;
    QLabel* m_label;
    QToolButton* m_back;
    QToolButton* m_forward;
    QToolButton* m_live;
    QToolButton* m_fit;
    quint64 m_sliderScale = 1; // steps per slider unit (int range)
    bool m_updating = false;
};

} // namespace doeff::views
