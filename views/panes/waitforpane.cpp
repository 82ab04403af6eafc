#include "waitforpane.h"

#include "history.h"
#include "paneparts.h"
#include "studiosession.h"

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include <QFileInfo>
#include <QFontMetricsF>
#include <QGraphicsItem>
#include <QGraphicsScene>
#include <QGraphicsView>
#include <QLabel>
#include <QLocale>
#include <QMouseEvent>
#include <QPainterPath>
#include <QSet>
#include <QVBoxLayout>

#include <algorithm>
#include <memory>

namespace doeff::views {

namespace {

constexpr int KeyRole = 0; // QGraphicsItem data: the node key
constexpr int TaskRole = 1; // the task id (task nodes)

struct Node {
    QString key;
    QString label;
    bool task = false;
    int id = -1;
    bool cycle = false;
};
struct Edge {
    QString from, to;
    bool cycle = false;
    bool created = false; // promise → its creator, dashed
    bool completes = false; // promise → a task that could complete it
};

/// agsafeset and friends take char*: keeps the UTF-8 alive while Graphviz reads it.
struct Strings {
    std::vector<QByteArray> kept;
    char* operator()(const QString& s)
    {
        kept.push_back(s.toUtf8());
        return kept.back().data();
    }
};

} // namespace

WaitForPane::WaitForPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_model(session)
    , m_label(new QLabel(this))
    , m_view(new QGraphicsView(this))
    , m_scene(new QGraphicsScene(this))
{
    QVBoxLayout* layout = tightLayout(this);
    layout->addWidget(m_label);
    layout->addWidget(m_view);
    m_label->setContentsMargins(4, 2, 4, 2);
    m_label->setWordWrap(true);
    m_view->setScene(m_scene);
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setDragMode(QGraphicsView::ScrollHandDrag);
    m_view->viewport()->installEventFilter(this);
    connect(&m_model, &WaitForModel::changed, this, &WaitForPane::relayout);
    relayout();
}

QString WaitForPane::caption() const
{
    return m_label->text();
}

void WaitForPane::selectTask(int task)
{
    m_session->setSelectedTask(task);
}

void WaitForPane::travelToBlock(int task)
{
    selectTask(task);
    StateHistory* history = m_session->history();
    if (!history) return;
    const auto step = history->lastHitBefore(m_session->viewStep() + 1, [task](const Event& e) {
        if (e.kind != EventKind::TaskStateChanged || e.task != task) return false;
        const auto s = TaskStateCode(e.code);
        return s == TaskStateCode::Blocked || s == TaskStateCode::Sleeping || s == TaskStateCode::Awaiting;
    });
    if (step) m_session->goToStep(*step);
}

bool WaitForPane::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == m_view->viewport()
        && (event->type() == QEvent::MouseButtonPress || event->type() == QEvent::MouseButtonDblClick)) {
        auto* mouse = static_cast<QMouseEvent*>(event);
        for (QGraphicsItem* item : m_view->items(mouse->position().toPoint())) {
            const QVariant task = item->data(TaskRole);
            if (!task.isValid()) continue;
            if (event->type() == QEvent::MouseButtonDblClick)
                travelToBlock(task.toInt());
            else
                selectTask(task.toInt());
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void WaitForPane::relayout()
{
    m_scene->clear();
    m_nodes.clear();
    m_cycleNodes.clear();
    const WaitForGraph& g = m_model.graph();

    // the nodes: tasks that wait or are waited on, the promises waited on, and the live tasks
    // that could complete them
    auto taskKey = [](int id) { return QStringLiteral("task:%1").arg(id); };
    auto promiseKey = [](int id) { return QStringLiteral("promise:%1").arg(id); };
    QSet<QString> cycleNodes;
    QSet<std::pair<QString, QString>> cycleEdges;
    for (const WaitForCycle& c : g.cycles)
        for (qsizetype i = 0; i < c.tasks.size(); ++i) {
            const QString from = taskKey(c.tasks[i]);
            const QString to = taskKey(c.tasks[(i + 1) % c.tasks.size()]);
            cycleNodes.insert(from);
            const int via = c.promises.value(i, -1);
            if (via < 0) {
                cycleEdges.insert({ from, to });
            } else {
                cycleNodes.insert(promiseKey(via));
                cycleEdges.insert({ from, promiseKey(via) });
                cycleEdges.insert({ promiseKey(via), to });
            }
        }
    QList<Node> nodes;
    QList<Edge> edges;
    QSet<QString> present;
    auto addTask = [&](int id) {
        const QString key = taskKey(id);
        if (present.contains(key)) return;
        present.insert(key);
        const WaitForTask* t = g.task(id);
        Node n { key, {}, true, id, cycleNodes.contains(key) };
        n.label = QStringLiteral("%1 '%2'").arg(id).arg(t ? t->name : QString());
        if (t && t->blocked()) {
            n.label += u'\n' + QString::fromLatin1(taskStateCodeName(t->state))
                + (t->stuck ? QStringLiteral(", stuck: ") : QStringLiteral(": ")) + t->waitsOn;
            if (!t->file.isEmpty()) n.label += u'\n' + QFileInfo(t->file).fileName() + u':' + QString::number(t->line);
        }
        nodes.append(n);
    };
    auto edge = [&](const QString& from, const QString& to, bool created, bool completes = false) {
        edges.append({ from, to, cycleEdges.contains({ from, to }), created, completes });
    };
    for (const WaitForTask& t : g.tasks) {
        if (!t.blocked()) continue;
        addTask(t.id);
        for (const WaitTarget& w : t.waits) {
            if (w.kind == WaitTarget::Kind::Task || w.kind == WaitTarget::Kind::LazyAsk) {
                addTask(w.id);
                edge(taskKey(t.id), taskKey(w.id), false);
            } else if ((w.kind == WaitTarget::Kind::Promise || w.kind == WaitTarget::Kind::ExternalPromise)
                       && w.id >= 0) {
                edge(taskKey(t.id), promiseKey(w.id), false);
            }
        }
    }
    constexpr qsizetype completersDrawn = 8;
    for (const WaitForPromise& p : g.promises) {
        const QString key = promiseKey(p.id);
        Node n { key, {}, false, p.id, cycleNodes.contains(key) };
        n.label = (p.external ? QStringLiteral("external promise %1") : QStringLiteral("promise %1")).arg(p.id);
        n.label += p.originKnown ? QStringLiteral("\ncreated at %1:%2").arg(QFileInfo(p.file).fileName()).arg(p.line)
                                 : QStringLiteral("\ncreator unknown");
        if (p.external)
            n.label += QStringLiteral("\ncompleted from outside the run");
        else if (!p.completersKnown)
            n.label += QStringLiteral("\ncould be completed by: unknown");
        else if (p.completers.isEmpty())
            n.label += QStringLiteral("\ncould be completed by: no live task");
        else
            n.label += QStringLiteral("\ncould be completed by %1%2 task%3")
                           .arg(p.completersMore ? QStringLiteral("more than ") : QString())
                           .arg(p.completers.size())
                           .arg(p.completers.size() == 1 && !p.completersMore ? QString() : QStringLiteral("s"));
        if (p.stuck) n.label += QStringLiteral(" (all stuck)");
        nodes.append(n);
        present.insert(n.key);
        // an edge to each task that could complete it (the first few); the creator's is dashed
        bool creatorDrawn = false;
        for (qsizetype i = 0; i < std::min(completersDrawn, p.completers.size()); ++i) {
            const int task = p.completers[i].task;
            addTask(task);
            const bool creator = p.originKnown && task == p.creator;
            creatorDrawn = creatorDrawn || creator;
            edge(key, taskKey(task), creator, true);
        }
        if (p.originKnown && !creatorDrawn) {
            addTask(p.creator);
            edge(key, taskKey(p.creator), true);
        }
    }
    qsizetype waiting = 0;
    for (const WaitForTask& t : g.tasks)
        if (t.blocked()) ++waiting;
    const QLocale locale;
    QString text = nodes.isEmpty() ? tr("Step %1: no task is waiting").arg(locale.toString(g.step))
                                   : tr("Step %1: %2 waiting, %3 promises, %4 cycles")
                                         .arg(locale.toString(g.step))
                                         .arg(waiting)
                                         .arg(g.promises.size())
                                         .arg(g.cycles.size());
    if (const std::optional<quint64> moment = m_model.deadlockMoment())
        text = tr("Deadlocked at step %1; shown as it was then (viewing step %2). %3")
                   .arg(locale.toString(*moment), locale.toString(m_session->viewStep()))
                   .arg(text);
    m_label->setText(text);
    if (nodes.isEmpty()) return;

    // the layout: Graphviz's dot, in points (1/72 inch), y upwards
    const QFont font = m_view->font();
    const QFontMetricsF metrics(font);
    // One context for the process: Graphviz 2.42's text-layout plugin keeps a pointer to the
    // last font name it measured, which freeing a context frees (AddressSanitizer found the
    // next layout reading it). Nodes have no label either: the pane draws the text itself and
    // gives the boxes their sizes, so Graphviz never measures text at all.
    static GVC_t* const gvc = gvContext();
    Strings str;
    Agraph_t* graph = agopen(str(QStringLiteral("waitfor")), Agdirected, nullptr);
    agattr(graph, AGRAPH, str(QStringLiteral("rankdir")), str(QStringLiteral("LR")));
    agattr(graph, AGNODE, str(QStringLiteral("label")), str(QString()));
    agattr(graph, AGNODE, str(QStringLiteral("shape")), str(QStringLiteral("box")));
    agattr(graph, AGNODE, str(QStringLiteral("fixedsize")), str(QStringLiteral("true")));
    agattr(graph, AGNODE, str(QStringLiteral("width")), str(QStringLiteral("1")));
    agattr(graph, AGNODE, str(QStringLiteral("height")), str(QStringLiteral("0.5")));
    QHash<QString, Agnode_t*> handles;
    QHash<QString, QSizeF> sizes;
    for (const Node& n : nodes) {
        Agnode_t* h = agnode(graph, str(n.key), 1);
        const QSizeF size = metrics.size(0, n.label) + QSizeF(16, 10);
        sizes.insert(n.key, size);
        agset(h, str(QStringLiteral("width")), str(QString::number(size.width() / 72.0)));
        agset(h, str(QStringLiteral("height")), str(QString::number(size.height() / 72.0)));
        handles.insert(n.key, h);
    }
    QList<Agedge_t*> edgeHandles;
    for (const Edge& e : edges)
        edgeHandles.append(agedge(graph, handles.value(e.from), handles.value(e.to), nullptr, 1));
    const bool laidOut = gvLayout(gvc, graph, "dot") == 0;
    if (laidOut) {
        const double top = GD_bb(graph).UR.y;
        auto toScene = [top](pointf p) { return QPointF(p.x, top - p.y); };
        for (qsizetype i = 0; i < edges.size(); ++i) {
            const Edge& e = edges[i];
            Agedge_t* h = edgeHandles[i];
            if (!h || !ED_spl(h) || ED_spl(h)->size == 0) continue;
            const bezier& b = ED_spl(h)->list[0];
            QPainterPath path(toScene(b.list[0]));
            for (int k = 1; k + 2 < b.size; k += 3)
                path.cubicTo(toScene(b.list[k]), toScene(b.list[k + 1]), toScene(b.list[k + 2]));
            QPen pen(e.cycle ? QColor(0xd3, 0x2f, 0x2f) : palette().color(QPalette::WindowText), e.cycle ? 2.5 : 1.2);
            if (e.created) pen.setStyle(Qt::DashLine);
            m_scene->addPath(path, pen);
            // the arrow head, from the spline's end to the node it points at
            const QPointF tip = b.eflag ? toScene(b.ep) : path.currentPosition();
            const QPointF from = path.currentPosition();
            QLineF dir(tip, from.isNull() || from == tip ? toScene(b.list[b.size > 1 ? b.size - 2 : 0]) : from);
            if (dir.length() > 0.1) {
                dir.setLength(9);
                QLineF left = dir, right = dir;
                left.setAngle(dir.angle() + 25);
                right.setAngle(dir.angle() - 25);
                m_scene->addPolygon(QPolygonF({ tip, left.p2(), right.p2() }), pen, pen.color());
            }
            if (e.created || e.completes) {
                auto* text = m_scene->addSimpleText(e.created && e.completes ? tr("created by, can complete")
                                                        : e.created          ? tr("created by")
                                                                             : tr("can complete"));
                text->setBrush(palette().color(QPalette::PlaceholderText));
                text->setPos(path.pointAtPercent(0.5) + QPointF(2, -14));
            }
        }
        for (const Node& n : nodes) {
            Agnode_t* h = handles.value(n.key);
            const QSizeF size = sizes.value(n.key);
            const QPointF centre = toScene(ND_coord(h));
            const QRectF rect(centre - QPointF(size.width() / 2, size.height() / 2), size);
            m_nodes.insert(n.key, rect);
            if (n.cycle) m_cycleNodes.append(n.key);
            const QColor border = n.cycle ? QColor(0xd3, 0x2f, 0x2f) : palette().color(QPalette::Mid);
            const QColor fill = n.task ? palette().color(QPalette::Base) : palette().color(QPalette::AlternateBase);
            QGraphicsRectItem* box = m_scene->addRect(rect, QPen(border, n.cycle ? 2.5 : 1.2), fill);
            box->setData(KeyRole, n.key);
            if (n.task) box->setData(TaskRole, n.id);
            if (n.task && n.id == m_session->selectedTask())
                box->setPen(QPen(palette().color(QPalette::Highlight), 2.5));
            auto* text = m_scene->addSimpleText(n.label, font);
            text->setBrush(palette().color(QPalette::Text));
            text->setPos(rect.topLeft() + QPointF(8, 5));
            text->setData(KeyRole, n.key);
            if (n.task) text->setData(TaskRole, n.id);
        }
        gvFreeLayout(gvc, graph);
    } else {
        m_label->setText(tr("Graphviz could not lay out the graph"));
    }
    agclose(graph);
    m_scene->setSceneRect(m_scene->itemsBoundingRect().adjusted(-10, -10, 10, 10));
    fit();
}

void WaitForPane::fit()
{
    // the whole graph when it fits, never magnified; never shrunk below readable text either: a
    // graph bigger than that scrolls
    constexpr double smallestReadable = 0.7;
    m_view->resetTransform();
    const QRectF scene = m_scene->sceneRect();
    const QSizeF viewport = m_view->viewport()->size();
    if (scene.isEmpty() || viewport.isEmpty()) return;
    const double scale = std::clamp(std::min(viewport.width() / scene.width(), viewport.height() / scene.height()),
                                    smallestReadable, 1.0);
    m_view->scale(scale, scale);
    m_view->centerOn(scene.center());
}

void WaitForPane::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fit();
}

} // namespace doeff::views
