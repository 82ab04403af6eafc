#include "timelinepane.h"

#include "studiosession.h"

#include <QHBoxLayout>
#include <QHelpEvent>
#include <QKeyEvent>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainter>
#include <QScrollBar>
#include <QSlider>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <limits>

namespace doeff::views {

// ---- view ----------------------------------------------------------------------------------

TimelineView::TimelineView(TimelineModel* model, QWidget* parent)
    : QWidget(parent)
    , m_model(model)
    , m_scroll(new QScrollBar(Qt::Vertical, this))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    setMinimumHeight(RulerHeight + 3 * LaneHeight);
    setAttribute(Qt::WA_OpaquePaintEvent);
    connect(m_scroll, &QScrollBar::valueChanged, this, qOverload<>(&QWidget::update));
    auto lanesChanged = [this] {
        updateScrollBar();
        update();
    };
    connect(m_model, &QAbstractItemModel::modelReset, this, lanesChanged);
    connect(m_model, &QAbstractItemModel::rowsInserted, this, lanesChanged);
    connect(m_model, &QAbstractItemModel::dataChanged, this, lanesChanged);
}

int TimelineView::lanesWidth() const
{
    return std::max(1, width() - LabelWidth - m_scroll->sizeHint().width());
}

int TimelineView::firstLane() const
{
    return m_scroll->value();
}

void TimelineView::setSteps(quint64 cursor, quint64 present)
{
    m_cursor = cursor;
    m_present = present;
    if (m_fit) {
        m_from = 0;
        m_to = present + 1;
    }
    updateScrollBar(); // the lanes' height follows the zoom
    update();
}

void TimelineView::setSelectedTask(int task)
{
    if (task == m_selectedTask) return;
    m_selectedTask = task;
    update();
}

void TimelineView::setRange(quint64 from, quint64 to)
{
    m_fit = false;
    m_from = from;
    m_to = std::max(to, from + 1);
    updateScrollBar();
    update();
}

void TimelineView::fit()
{
    m_fit = true;
    setSteps(m_cursor, m_present);
}

double TimelineView::xOf(quint64 step) const
{
    return LabelWidth + (double(step) - double(m_from)) * lanesWidth() / double(m_to - m_from);
}

quint64 TimelineView::stepAt(int x) const
{
    const double f = double(x - LabelWidth) / lanesWidth();
    const double s = double(m_from) + f * double(m_to - m_from);
    if (s <= 0) return 0;
    return std::min(m_present, quint64(s));
}

void TimelineView::updateScrollBar()
{
    const int visible = std::max(1, (height() - RulerHeight) / laneHeight());
    m_scroll->setRange(0, std::max(0, m_model->rowCount() - visible));
    m_scroll->setPageStep(visible);
}

void TimelineView::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    const int w = m_scroll->sizeHint().width();
    m_scroll->setGeometry(width() - w, RulerHeight, w, height() - RulerHeight);
    updateScrollBar();
}

int TimelineView::paintMarks(QPainter& p, const std::vector<quint64>& steps, int top, int height,
                             const QColor& color) const
{
    if (steps.empty()) return 0;
    const int w = lanesWidth();
    const double span = double(m_to - m_from);
    const double pxPerStep = w / span;
    int runs = 0;
    auto it = std::lower_bound(steps.cbegin(), steps.cend(), m_from);
    if (pxPerStep >= 3) {
        // zoomed in: one box per step
        const double boxWidth = std::max(1.0, pxPerStep - 1);
        for (; it != steps.cend() && *it < m_to; ++it, ++runs)
            p.fillRect(QRectF(xOf(*it), top, boxWidth, height), color);
        return runs;
    }
    // one mark per pixel column that covers any step; neighbouring columns merge into one rect
    int runStart = -1, runEnd = -1;
    auto flush = [&] {
        if (runStart < 0) return;
        p.fillRect(QRect(LabelWidth + runStart, top, runEnd - runStart + 1, height), color);
        ++runs;
    };
    while (it != steps.cend() && *it < m_to) {
        const int x = int(double(*it - m_from) * pxPerStep);
        if (runStart >= 0 && x <= runEnd + 1) {
            runEnd = std::max(runEnd, x);
        } else {
            flush();
            runStart = runEnd = x;
        }
        // the first step of the next column
        const quint64 next = m_from + quint64(std::ceil(double(x + 1) / pxPerStep));
        it = std::lower_bound(it + 1, steps.cend(), std::max(next, *it + 1));
    }
    flush();
    return runs;
}

bool TimelineView::showsSlices() const
{
    const TimelineData* data = m_model->timeline();
    return data && !data->sliceLabels().isEmpty() && lanesWidth() / double(m_to - m_from) >= 3;
}

int TimelineView::rowAt(int y) const
{
    if (y < RulerHeight) return -1;
    const int row = firstLane() + (y - RulerHeight) / laneHeight();
    return row < m_model->rowCount() ? row : -1;
}

int TimelineView::sliceRows() const
{
    const TimelineData* data = m_model->timeline();
    const quint32 deepest = data ? data->maxSliceDepth() : 0;
    return int(std::min<quint32>(deepest + 2, MaxSliceRows)); // the activations, then an effect row
}

int TimelineView::sliceTop(int top, quint32 depth) const
{
    return top + 2 + int(std::min<quint32>(depth, quint32(sliceRows() - 1))) * SliceRowHeight;
}

namespace {

/// An activation's name without where it is (`count_words()` of `count_words() at file:38`).
QString shortLabel(const QString& label)
{
    const qsizetype at = label.indexOf(QLatin1String(" at "));
    return at < 0 ? label : label.left(at);
}

/// The name of the effect `task` yielded at `step` (`Tell`), or empty.
QString effectNameAt(const TimelineData& data, int task, quint64 step)
{
    const std::vector<EffectMark>& effects = data.effects();
    auto it = std::lower_bound(effects.cbegin(), effects.cend(), step,
                               [](const EffectMark& m, quint64 s) { return m.step < s; });
    for (; it != effects.cend() && it->step == step; ++it)
        if (it->task == task) return data.effectNames().value(int(it->name));
    return {};
}

} // namespace

int TimelineView::paintSlices(QPainter& p, const TimelineLane& lane, int top)
{
    const TimelineData& data = *m_model->timeline();
    const double pxPerStep = lanesWidth() / double(m_to - m_from);
    const double right = LabelWidth + lanesWidth();
    QFont small = font();
    small.setPixelSize(SliceRowHeight - 3);
    p.setFont(small);
    const QFontMetrics metrics(small);
    int painted = 0;
    const auto box = [&](quint64 from, quint64 to, quint32 depth, const QColor& fill, const QString& text) {
        const double x0 = std::max<double>(LabelWidth, xOf(from));
        const double x1 = std::min<double>(right, to == TimelineSlice::open ? right : xOf(to));
        if (x1 <= x0) return;
        const QRectF r(x0, sliceTop(top, depth), std::max(1.0, x1 - x0 - 1), SliceRowHeight - 1);
        p.fillRect(r, fill);
        ++painted;
        if (text.isEmpty() || r.width() < 16) return;
        // a name cut to its first letters still tells one from another; a lone ellipsis does not
        const QString shown = metrics.elidedText(text, Qt::ElideRight, int(r.width()) - 3);
        if (shown.size() < 3) return;
        p.setPen(QColor(30, 30, 40));
        p.drawText(r.adjusted(2, 0, -1, 0), Qt::AlignLeft | Qt::AlignVCenter, shown);
    };
    const auto activationColor = [](quint32 depth) {
        return QColor::fromHsv(210 + int(depth % 4) * 12, 70 + int(std::min<quint32>(depth, 6)) * 18, 235);
    };
    const QStringList& labels = data.sliceLabels();
    // the activations running at the left edge (a chain of callers), then those starting in view
    auto first = std::lower_bound(lane.slices.cbegin(), lane.slices.cend(), m_from,
                                  [](const TimelineSlice& s, quint64 step) { return s.from < step; });
    // (those deeper than the rows share the last row: the outermost of them spans the others,
    // and the innermost is drawn over it, so the walk skips the ones between)
    std::vector<qint32> running;
    if (const qint32 innermost = lane.sliceAt(m_from); innermost >= 0) {
        const quint32 lastRow = quint32(sliceRows() - 1);
        for (qint32 i = lane.ancestorAtDepth(innermost, lastRow); i >= 0; i = lane.slices[size_t(i)].parent)
            if (lane.slices[size_t(i)].from < m_from) running.push_back(i);
        const TimelineSlice& s = lane.slices[size_t(innermost)];
        if (s.depth > lastRow && s.from < m_from) running.insert(running.begin(), innermost);
    }
    for (auto it = running.rbegin(); it != running.rend(); ++it) {
        const TimelineSlice& s = lane.slices[size_t(*it)];
        box(s.from, s.to, s.depth, activationColor(s.depth), shortLabel(labels.value(int(s.label))));
    }
    for (auto it = first; it != lane.slices.cend() && it->from < m_to; ++it)
        box(it->from, it->to, it->depth, activationColor(it->depth), shortLabel(labels.value(int(it->label))));
    // each effect under the activation that yielded it
    const QColor effectColor(240, 170, 60);
    auto e = std::lower_bound(lane.effects.cbegin(), lane.effects.cend(), m_from);
    for (; e != lane.effects.cend() && *e < m_to; ++e) {
        const qint32 in = lane.sliceAt(*e);
        const quint32 depth = in < 0 ? 0 : lane.slices[size_t(in)].depth + 1;
        box(*e, *e + 1, depth, effectColor, pxPerStep >= 16 ? effectNameAt(data, lane.task, *e) : QString());
    }
    p.setFont(font());
    return painted;
}

QString TimelineView::describeAt(QPoint pos) const
{
    const TimelineLane* lane = m_model->lane(rowAt(pos.y()));
    if (!lane || pos.x() < LabelWidth) return {};
    const quint64 step = stepAt(pos.x());
    const QString where = tr("task %1 '%2', step %L3").arg(lane->task).arg(lane->name).arg(step);
    if (!showsSlices() || lane->slices.empty()) return where;
    const TimelineData& data = *m_model->timeline();
    const int top = RulerHeight + (rowAt(pos.y()) - firstLane()) * laneHeight();
    const int rows = sliceRows();
    const quint32 lastRow = quint32(rows - 1);
    if (pos.y() < top + 2) return where;
    const quint32 row = quint32((pos.y() - top - 2) / SliceRowHeight);
    if (row > lastRow) return where;
    const qint32 in = lane->sliceAt(step);
    const quint32 effectDepth = in < 0 ? 0 : lane->slices[size_t(in)].depth + 1;
    if (std::min(effectDepth, lastRow) == row
        && std::binary_search(lane->effects.cbegin(), lane->effects.cend(), step)) {
        const QString effect = effectNameAt(data, lane->task, step);
        if (!effect.isEmpty()) return tr("%1 effect, %2").arg(effect, where);
    }
    if (in < 0) return where;
    // the last row shows the innermost of the activations as deep or deeper
    const quint32 depth = lane->slices[size_t(in)].depth;
    const qint32 i
        = row == lastRow ? (depth >= lastRow ? in : -1) : (depth >= row ? lane->ancestorAtDepth(in, row) : -1);
    if (i < 0) return where;
    const TimelineSlice& s = lane->slices[size_t(i)];
    const QString span = s.to == TimelineSlice::open ? tr("pushed at step %L1, still running").arg(s.from)
                                                     : tr("pushed at step %L1, popped at %L2").arg(s.from).arg(s.to);
    return tr("%1\n%2; %3").arg(data.sliceLabels().value(int(s.label)), span, where);
}

bool TimelineView::event(QEvent* event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto* help = static_cast<QHelpEvent*>(event);
        const QString text = describeAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void TimelineView::paintFlows(QPainter& p, int first, int visible)
{
    m_paintedFlows = 0;
    const TimelineData* data = m_model->timeline();
    if (!data || data->flows().empty()) return;
    const std::vector<TimelineFlow>& flows = data->flows();
    // flows start in step order: those starting in the visible range (and a few before it)
    auto it = std::lower_bound(flows.begin(), flows.end(), m_from,
                               [](const TimelineFlow& f, quint64 s) { return f.fromStep < s; });
    const double pxPerStep = lanesWidth() / double(m_to - m_from);
    // too dense to read: at most one arrow per 4 pixels of the range
    const qsizetype budget = std::max(1, lanesWidth() / 4);
    p.save();
    p.setClipRect(QRect(LabelWidth, RulerHeight, lanesWidth(), height() - RulerHeight));
    p.setRenderHint(QPainter::Antialiasing);
    const int laneH = laneHeight();
    const auto centre = [&](int row) { return RulerHeight + (row - first) * laneH + laneH / 2.0; };
    for (; it != flows.end() && it->fromStep < m_to && m_paintedFlows < budget; ++it) {
        const int fromRow = data->laneOf(it->fromTask), toRow = data->laneOf(it->toTask);
        if (fromRow < 0 || toRow < 0 || fromRow >= m_model->rowCount() || toRow >= m_model->rowCount()) continue;
        if (std::max(fromRow, toRow) < first || std::min(fromRow, toRow) >= first + visible) continue;
        const std::vector<quint64>& steps = m_model->lane(toRow)->steps;
        auto target = std::lower_bound(steps.begin(), steps.end(), it->after);
        if (target == steps.end()) continue;
        const QPointF a(xOf(it->fromStep) + std::max(1.0, pxPerStep) / 2, centre(fromRow));
        const QPointF b(xOf(*target) + std::max(1.0, pxPerStep) / 2, centre(toRow));
        const QColor colour = it->kind == TimelineFlow::Kind::Spawn ? QColor(60, 150, 90) : QColor(150, 90, 200);
        p.setPen(QPen(colour, 1.2));
        p.drawLine(a, b);
        // the head: a small triangle at b pointing from a to b
        const QLineF line(a, b);
        const double length = std::max(1e-6, line.length());
        const QPointF d((b.x() - a.x()) / length, (b.y() - a.y()) / length), n(-d.y(), d.x());
        const QPointF h1 = b - d * 6 + n * 3, h2 = b - d * 6 - n * 3;
        p.setBrush(colour);
        p.drawPolygon(QPolygonF({ b, h1, h2 }));
        ++m_paintedFlows;
    }
    p.restore();
}

void TimelineView::setSearchMarks(std::vector<quint64> steps)
{
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    m_searchMarks = std::move(steps);
    update();
}

void TimelineView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    const QPalette& pal = palette();
    p.fillRect(rect(), pal.base());
    const int lanesRight = LabelWidth + lanesWidth();
    // ruler
    p.fillRect(QRect(0, 0, width(), RulerHeight), pal.window());
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(0, RulerHeight - 1, width(), RulerHeight - 1);
    {
        const double span = double(m_to - m_from);
        const double raw = span / std::max(1, lanesWidth() / 90);
        double tick = std::pow(10.0, std::floor(std::log10(std::max(1.0, raw))));
        if (raw / tick >= 5)
            tick *= 5;
        else if (raw / tick >= 2)
            tick *= 2;
        const quint64 t = std::max<quint64>(1, quint64(tick));
        QFont f = font();
        f.setPointSizeF(std::max(6.0, f.pointSizeF() * 0.85));
        p.setFont(f);
        const QFontMetrics metrics(f);
        const QLocale locale;
        m_rulerLabels.clear();
        for (quint64 s = (m_from + t - 1) / t * t; s < m_to; s += t) {
            const int x = int(xOf(s));
            p.setPen(pal.color(QPalette::Mid));
            p.drawLine(x, RulerHeight - 5, x, RulerHeight - 1);
            // grouped like every step number; a label that would run past the lanes is left out
            // rather than cut
            const QString label = locale.toString(s);
            const QRect box(x + 2, 0, metrics.horizontalAdvance(label) + 2, RulerHeight - 3);
            if (box.right() > lanesRight) continue;
            p.setPen(pal.color(QPalette::WindowText));
            p.drawText(box, Qt::AlignLeft | Qt::AlignVCenter, label);
            m_rulerLabels.append({ label, box });
        }
        p.drawText(QRect(4, 0, LabelWidth - 8, RulerHeight - 1), Qt::AlignLeft | Qt::AlignVCenter, tr("Task / step"));
    }
    // search hits: a band at the bottom of the ruler
    if (!m_searchMarks.empty()) {
        p.setClipRect(QRect(LabelWidth, 0, lanesWidth(), RulerHeight));
        paintMarks(p, m_searchMarks, RulerHeight - 5, 4, QColor(200, 60, 170));
        p.setClipping(false);
    }
    // lanes
    const int first = firstLane();
    const bool slices = showsSlices();
    const int laneH = laneHeight();
    const int visible = (height() - RulerHeight) / laneH + 1;
    const QColor stepColor(70, 120, 200), effectColor(230, 150, 30), errorColor(210, 40, 40);
    const QColor life(215, 225, 240);
    int runs = 0;
    m_paintedSlices = 0;
    p.setFont(font());
    for (int row = first; row < std::min(m_model->rowCount(), first + visible); ++row) {
        const TimelineLane* lane = m_model->lane(row);
        const int top = RulerHeight + (row - first) * laneH;
        const QRect label(0, top, LabelWidth, slices ? SliceRowHeight + 2 : laneH);
        if (lane->task == m_selectedTask)
            p.fillRect(QRect(0, top, lanesRight, laneH), pal.color(QPalette::AlternateBase).darker(104));
        else if (row % 2)
            p.fillRect(QRect(0, top, lanesRight, laneH), pal.alternateBase());
        p.setPen(pal.color(QPalette::Text));
        p.drawText(label.adjusted(4, 0, -4, 0), Qt::AlignLeft | Qt::AlignVCenter,
                   p.fontMetrics().elidedText(QStringLiteral("%1  %2").arg(lane->task).arg(lane->name), Qt::ElideRight,
                                              LabelWidth - 8));
        p.setClipRect(QRect(LabelWidth, top, lanesWidth(), laneH));
        if (slices && !lane->slices.empty()) {
            // the steps as a strip under the slices
            runs += paintMarks(p, lane->steps, top + laneH - 5, 3, stepColor);
            m_paintedSlices += paintSlices(p, *lane, top);
            runs += paintMarks(p, lane->errors, top + 1, 3, errorColor);
            p.setClipping(false);
            continue;
        }
        if (!lane->steps.empty()) {
            // the task's life: from its first step to its last
            const double x0 = std::max<double>(LabelWidth, xOf(lane->steps.front()));
            const double x1 = std::min<double>(lanesRight, xOf(lane->steps.back() + 1));
            if (x1 > x0) p.fillRect(QRectF(x0, top + laneH / 2 - 1, x1 - x0, 2), life);
        }
        const int markTop = slices ? top + (laneH - LaneHeight) / 2 : top;
        runs += paintMarks(p, lane->steps, markTop + 3, LaneHeight - 6, stepColor);
        runs += paintMarks(p, lane->effects, markTop + 2, 4, effectColor);
        runs += paintMarks(p, lane->errors, markTop + 1, LaneHeight - 2, errorColor);
        p.setClipping(false);
    }
    m_paintedRuns = runs;
    paintFlows(p, first, visible);
    p.setPen(pal.color(QPalette::Mid));
    p.drawLine(LabelWidth - 1, 0, LabelWidth - 1, height());
    // the viewed step, and the present when it is elsewhere
    if (m_present != m_cursor && m_present >= m_from && m_present < m_to) {
        p.setPen(QPen(QColor(40, 150, 70), 1, Qt::DashLine));
        const int x = int(xOf(m_present));
        p.drawLine(x, 0, x, height());
    }
    if (m_cursor >= m_from && m_cursor < m_to) {
        const int x = int(xOf(m_cursor));
        p.setPen(QPen(QColor(200, 40, 40), 2));
        p.drawLine(x, 0, x, height());
    }
}

void TimelineView::mousePressEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if (event->button() != Qt::LeftButton) return QWidget::mousePressEvent(event);
    if (pos.x() < LabelWidth) {
        if (const TimelineLane* lane = m_model->lane(rowAt(pos.y()))) Q_EMIT taskClicked(lane->task);
        return;
    }
    Q_EMIT stepRequested(stepAt(pos.x()));
    // a click in a lane (on its marks) selects that lane's task too
    if (const TimelineLane* lane = m_model->lane(rowAt(pos.y()))) Q_EMIT taskClicked(lane->task);
}

void TimelineView::resetView()
{
    m_scroll->setValue(0);
    fit();
}

void TimelineView::mouseMoveEvent(QMouseEvent* event)
{
    const QPoint pos = event->position().toPoint();
    if ((event->buttons() & Qt::LeftButton) && pos.x() >= LabelWidth) Q_EMIT stepRequested(stepAt(pos.x()));
}

void TimelineView::wheelEvent(QWheelEvent* event)
{
    const int delta = event->angleDelta().y();
    if (delta == 0) return QWidget::wheelEvent(event);
    const double span = double(m_to - m_from);
    if (event->modifiers() & Qt::ControlModifier) {
        // zoom around the step under the mouse
        const double anchor = double(stepAt(int(event->position().x())));
        const double factor = delta > 0 ? 0.8 : 1.25;
        const double newSpan = std::min(std::max(span * factor, 8.0), double(m_present + 1));
        const double f = (anchor - double(m_from)) / span;
        const double from = std::max(0.0, std::min(anchor - f * newSpan, double(m_present + 1) - newSpan));
        setRange(quint64(from), quint64(from + newSpan));
    } else if (event->modifiers() & Qt::ShiftModifier) {
        const double shift = span * (delta > 0 ? -0.1 : 0.1);
        const double from = std::max(0.0, std::min(double(m_from) + shift, double(m_present + 1) - span));
        setRange(quint64(from), quint64(from + span));
    } else {
        m_scroll->setValue(m_scroll->value() - delta / 40);
    }
    event->accept();
}

// ---- pane ----------------------------------------------------------------------------------

TimelinePane::TimelinePane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(new TimelineView(&m_model, this))
    , m_slider(new QSlider(Qt::Horizontal, this))
    , m_label(new QLabel(this))
    , m_back(new QToolButton(this))
    , m_forward(new QToolButton(this))
    , m_live(new QToolButton(this))
    , m_fit(new QToolButton(this))
{
    setFocusPolicy(Qt::StrongFocus);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(4, 2, 4, 0);
    m_back->setArrowType(Qt::LeftArrow);
    m_back->setToolTip(tr("One step back (Left)"));
    m_forward->setArrowType(Qt::RightArrow);
    m_forward->setToolTip(tr("One step forward (Right)"));
    m_live->setObjectName(QStringLiteral("timelineLive"));
    m_live->setToolTip(tr("Back to the present (End)"));
    m_fit->setText(tr("Fit"));
    m_fit->setToolTip(tr("Show every step (Ctrl+wheel zooms, Shift+wheel pans)"));
    m_slider->setObjectName(QStringLiteral("timelineSlider"));
    m_slider->setSingleStep(1);
    m_slider->setFocusPolicy(Qt::ClickFocus);
    m_label->setMinimumWidth(150);
    row->addWidget(m_back);
    row->addWidget(m_slider, 1);
    row->addWidget(m_forward);
    row->addWidget(m_label);
    row->addWidget(m_live);
    row->addWidget(m_fit);
    layout->addLayout(row);
    layout->addWidget(m_view, 1);

    connect(m_slider, &QSlider::valueChanged, this, [this](int v) {
        if (!m_updating) go(qint64(quint64(v) * m_sliderScale));
    });
    connect(m_back, &QToolButton::clicked, this, [this] { go(qint64(m_session->viewStep()) - 1); });
    connect(m_forward, &QToolButton::clicked, this, [this] { go(qint64(m_session->viewStep()) + 1); });
    connect(m_live, &QToolButton::clicked, m_session, &StudioSession::goToPresent);
    connect(m_fit, &QToolButton::clicked, m_view, &TimelineView::fit);
    connect(m_view, &TimelineView::stepRequested, this, [this](quint64 s) { go(qint64(s)); });
    connect(m_view, &TimelineView::taskClicked, m_session, &StudioSession::setSelectedTask);
    connect(m_session, &StudioSession::refreshed, this, &TimelinePane::refresh);
    connect(m_session, &StudioSession::viewChanged, this, &TimelinePane::refresh);
    // the model first: it still points into the history the new document replaced
    connect(m_session, &StudioSession::documentOpened, this, [this] {
        refresh();
        m_view->resetView();
    });
    connect(m_session, &StudioSession::selectedTaskChanged, m_view, &TimelineView::setSelectedTask);
    refresh();
}

QString TimelinePane::stepText() const
{
    return m_label->text();
}

void TimelinePane::go(qint64 step)
{
    if (!m_session->history()) return;
    m_session->goToStep(quint64(std::max<qint64>(0, step)));
}

void TimelinePane::refresh()
{
    StateHistory* history = m_session->history();
    const bool enabled = history != nullptr && m_session->status() != RunStatus::Loaded;
    m_model.setTimeline(enabled ? &history->timeline() : nullptr);
    const quint64 present = enabled ? m_session->presentStep() : 0;
    const quint64 view = enabled ? m_session->viewStep() : 0;
    m_sliderScale = std::max<quint64>(1, present / quint64(std::numeric_limits<int>::max()) + 1);
    m_updating = true;
    m_slider->setRange(0, int(present / m_sliderScale));
    m_slider->setValue(int(view / m_sliderScale));
    m_slider->setPageStep(std::max(1, int(present / m_sliderScale / 20)));
    m_updating = false;
    m_slider->setEnabled(enabled);
    m_back->setEnabled(enabled && view > 0);
    m_forward->setEnabled(enabled && view < present);
    const bool trace = m_session->status() == RunStatus::Trace;
    m_live->setText(trace ? tr("End") : tr("Live"));
    m_live->setEnabled(enabled && !m_session->isAtPresent());
    if (!enabled)
        m_label->setText(tr("no run"));
    else if (m_session->isAtPresent())
        m_label->setText(trace ? tr("Step %L1 / %L2 (end)").arg(view).arg(present)
                               : tr("Step %L1 (present)").arg(view));
    else
        m_label->setText(tr("Step %L1 / %L2 (past)").arg(view).arg(present));
    m_view->setSteps(view, present);
    m_view->setSelectedTask(m_session->selectedTask());
}

void TimelinePane::keyPressEvent(QKeyEvent* event)
{
    if (!m_session->history()) return QWidget::keyPressEvent(event);
    const qint64 view = qint64(m_session->viewStep());
    switch (event->key()) {
    case Qt::Key_Left:
        go(view - 1);
        break;
    case Qt::Key_Right:
        go(view + 1);
        break;
    case Qt::Key_Home:
        go(0);
        break;
    case Qt::Key_End:
        m_session->goToPresent();
        break;
    case Qt::Key_PageUp:
        go(view - std::max<qint64>(1, qint64(m_session->presentStep() / 20)));
        break;
    case Qt::Key_PageDown:
        go(view + std::max<qint64>(1, qint64(m_session->presentStep() / 20)));
        break;
    default:
        return QWidget::keyPressEvent(event);
    }
    event->accept();
}

} // namespace doeff::views
