// MainWindow: the panes as docks around the source, their default layout and the View menu.
#include "mainwindow.h"

#include <breakpointspane.h>
#include <effectspane.h>
#include <effecttreepane.h>
#include <logpane.h>
#include <problemspane.h>
#include <provenancepane.h>
#include <resultpane.h>
#include <rundiffpane.h>
#include <searchpane.h>
#include <stackpane.h>
#include <studiosession.h>
#include <taskspane.h>
#include <timelinepane.h>
#include <variantpane.h>
#include <waitforpane.h>
#include <watchpane.h>

#include <QAbstractItemView>
#include <QChildEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QHelpEvent>
#include <QMenu>
#include <QTabBar>
#include <QTimer>
#include <QToolTip>

using namespace Qt::StringLiterals;

namespace doeff::studio {

namespace {

/// Shows a cell's full text as its tooltip when the column is too narrow for it (the view
/// elides it), unless the model has a tooltip of its own.
class ElidedTextToolTips : public QObject {
public:
    explicit ElidedTextToolTips(QAbstractItemView* view)
        : QObject(view)
        , m_view(view)
    {
        setObjectName(QStringLiteral("elidedTextToolTips"));
        view->viewport()->installEventFilter(this);
    }

protected:
    bool eventFilter(QObject* watched, QEvent* event) override
    {
        if (event->type() != QEvent::ToolTip || watched != m_view->viewport()) return false;
        auto* help = static_cast<QHelpEvent*>(event);
        const QModelIndex index = m_view->indexAt(help->pos());
        if (!index.isValid() || index.data(Qt::ToolTipRole).isValid()) return false;
        const QString text = index.data(Qt::DisplayRole).toString();
        if (text.isEmpty()) return false;
        const QRect cell = m_view->visualRect(index);
        const int needed = m_view->sizeHintForIndex(index).width();
        if (needed <= cell.width()) {
            QToolTip::hideText();
            return true; // the whole text is visible: no tooltip
        }
        QToolTip::showText(help->globalPos(), text, m_view->viewport(), cell);
        return true;
    }

private:
    QAbstractItemView* m_view;
};

} // namespace

void MainWindow::installElidedTextToolTips()
{
    for (QAbstractItemView* view : findChildren<QAbstractItemView*>()) {
        if (qobject_cast<QHeaderView*>(view)
            || view->findChild<QObject*>(u"elidedTextToolTips"_s, Qt::FindDirectChildrenOnly))
            continue;
        new ElidedTextToolTips(view);
    }
}

void MainWindow::keepDockTabTitlesWhole()
{
    for (QTabBar* bar : findChildren<QTabBar*>(Qt::FindDirectChildrenOnly)) {
        bar->setElideMode(Qt::ElideNone);
        bar->setUsesScrollButtons(true);
    }
}

void MainWindow::childEvent(QChildEvent* event)
{
    QMainWindow::childEvent(event);
    // a new child is not fully made yet when it is announced: look at it once it is
    if (event->added() && !m_tabBarsQueued) {
        m_tabBarsQueued = true;
        QTimer::singleShot(0, this, [this] {
            m_tabBarsQueued = false;
            keepDockTabTitlesWhole();
        });
    }
}

void MainWindow::createDocks()
{
    auto dock = [this](QWidget* w, const QString& title, const QString& name, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        // on a small or scaled screen the docks shrink to this, never to nothing
        w->setMinimumSize(w->minimumSize().expandedTo(QSize(160, 80)));
        d->setWidget(w);
        addDockWidget(area, d);
        return d;
    };
    m_tasks = new views::TasksPane(m_session, this);
    m_stack = new views::StackPane(m_session, this);
    m_store = new views::VariantPane(m_session, views::VariantPane::Source::Store, this);
    m_env = new views::VariantPane(m_session, views::VariantPane::Source::Environment, this);
    m_watches = new views::WatchPane(m_session, this);
    m_tree = new views::EffectTreePane(m_session, this);
    m_log = new views::LogPane(m_session, this);
    m_effects = new views::EffectsPane(m_session, this);
    m_result = new views::ResultPane(m_session, this);
    m_breakpoints = new views::BreakpointsPane(m_run, this);
    m_timeline = new views::TimelinePane(m_session, this);
    m_search = new views::SearchPane(m_session, this);
    m_provenance = new views::ProvenancePane(m_session, this);
    m_problems = new views::ProblemsPane(m_session, this);
    m_waitFor = new views::WaitForPane(m_session, this);
    m_runDiff = new views::RunDiffPane(m_session, this);

    QDockWidget* tasks = dock(m_tasks, tr("Tasks"), u"tasksDock"_s, Qt::LeftDockWidgetArea);
    QDockWidget* stack = dock(m_stack, tr("Continuation Stack"), u"stackDock"_s, Qt::LeftDockWidgetArea);
    QDockWidget* store = dock(m_store, tr("Store"), u"storeDock"_s, Qt::RightDockWidgetArea);
    QDockWidget* env = dock(m_env, tr("Environment"), u"envDock"_s, Qt::RightDockWidgetArea);
    QDockWidget* watches = dock(m_watches, tr("Watches"), u"watchesDock"_s, Qt::RightDockWidgetArea);
    QDockWidget* breakpoints = dock(m_breakpoints, tr("Breakpoints"), u"breakpointsDock"_s, Qt::RightDockWidgetArea);
    QDockWidget* tree = dock(m_tree, tr("Effect Tree"), u"treeDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* log = dock(m_log, tr("Log"), u"logDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* effects = dock(m_effects, tr("Effects"), u"effectsDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* result = dock(m_result, tr("Result"), u"resultDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* timeline = dock(m_timeline, tr("Timeline"), u"timelineDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* search = dock(m_search, tr("Search"), u"searchDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* provenance = dock(m_provenance, tr("Provenance"), u"provenanceDock"_s, Qt::BottomDockWidgetArea);
    for (views::VariantPane* pane : { m_store, m_env })
        connect(pane, &views::VariantPane::provenanceRequested, this,
                [this, pane, provenance](const QString& key, bool readers) {
                    const auto what = pane == m_store ? views::ProvenancePane::What::Store
                                                      : views::ProvenancePane::What::Environment;
                    provenance->show();
                    provenance->raise();
                    readers ? m_provenance->showReaders(what, key) : m_provenance->explain(what, key);
                });
    connect(m_watches, &views::WatchPane::provenanceRequested, this,
            [this, provenance](const QString& e, bool readers) {
                provenance->show();
                provenance->raise();
                m_provenance->explainWatch(e, readers);
            });
    connect(m_search, &views::SearchPane::hitsChanged, this, [this](const QList<quint64>& steps) {
        m_timeline->view()->setSearchMarks({ steps.begin(), steps.end() });
    });
    QDockWidget* problems = dock(m_problems, tr("Problems"), u"problemsDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* waitFor = dock(m_waitFor, tr("Wait-for Graph"), u"waitForDock"_s, Qt::BottomDockWidgetArea);
    QDockWidget* compare = dock(m_runDiff, tr("Compare"), u"compareDock"_s, Qt::BottomDockWidgetArea);
    compare->hide(); // File ▸ Compare With… shows it
    m_compare = new QAction(tr("Compare &With…"), this);
    m_compare->setObjectName(u"compareWith"_s);
    m_compare->setStatusTip(tr("Compare the open run with another recorded run (.doefftrace), aligned by effect"));
    connect(m_compare, &QAction::triggered, this, [this, compare] {
        // beside the open trace: the other run is usually recorded next to it
        const QString near
            = m_session->traceFile().isEmpty() ? QString() : QFileInfo(m_session->traceFile()).absolutePath();
        const QString path = QFileDialog::getOpenFileName(this, tr("Compare With"), near, tr("Traces (*.doefftrace)"));
        if (path.isEmpty()) return;
        compare->show();
        compare->raise();
        m_runDiff->compareWith(path);
    });
    splitDockWidget(tasks, stack, Qt::Vertical);
    splitDockWidget(store, env, Qt::Vertical);
    splitDockWidget(env, breakpoints, Qt::Vertical);
    splitDockWidget(breakpoints, watches, Qt::Vertical);
    splitDockWidget(tree, timeline, Qt::Horizontal);
    tabifyDockWidget(tree, effects);
    tabifyDockWidget(effects, log);
    tabifyDockWidget(log, result);
    tabifyDockWidget(result, problems);
    tabifyDockWidget(problems, waitFor);
    tabifyDockWidget(waitFor, search);
    tabifyDockWidget(search, provenance);
    tabifyDockWidget(provenance, compare);
    tree->raise();
    resizeDocks({ tree, timeline }, { 500, 600 }, Qt::Horizontal);
    resizeDocks({ tasks, store }, { 560, 400 }, Qt::Horizontal);
    resizeDocks({ tasks, stack }, { 420, 520 }, Qt::Vertical);
    resizeDocks({ store, env, breakpoints, watches }, { 330, 260, 190, 170 }, Qt::Vertical);
    resizeDocks({ tree }, { 380 }, Qt::Vertical);
    // show the result as soon as a run ends
    connect(m_session, &views::StudioSession::resultChanged, this, [this, result] {
        if (m_session->hasResult() || m_session->status() == views::RunStatus::Lost) result->raise();
    });
    installElidedTextToolTips();
    keepDockTabTitlesWhole();
    m_viewMenu = new QMenu(tr("&View"), this);
    for (QDockWidget* d : { tasks, stack, store, env, breakpoints, watches, tree, effects, log, result, timeline,
                            search, provenance, problems, waitFor, compare })
        m_viewMenu->addAction(d->toggleViewAction());
}

void MainWindow::find()
{
    if (auto* d = qobject_cast<QDockWidget*>(m_search->parentWidget())) {
        d->show();
        d->raise();
    }
    m_search->focusField();
}

void MainWindow::findNext()
{
    if (!m_search->findNext()) showMessage(tr("No search hit after step %1.").arg(m_session->viewStep()), false);
}

void MainWindow::findPrevious()
{
    if (!m_search->findPrevious()) showMessage(tr("No search hit before step %1.").arg(m_session->viewStep()), false);
}

} // namespace doeff::studio
