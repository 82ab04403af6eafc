#include "watchpane.h"

#include "paneparts.h"
#include "studiosession.h"

#include <QAction>
#include <QHBoxLayout>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSettings>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

#include <algorithm>

namespace doeff::views {

WatchPane::WatchPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_add(new QLineEdit(this))
    , m_remove(new QToolButton(this))
    , m_view(makeView(this, false))
{
    m_add->setObjectName(QStringLiteral("watchAdd"));
    m_add->setPlaceholderText(tr("Add watch: key, env:key or task N"));
    m_add->setClearButtonEnabled(true);
    m_add->setToolTip(tr("A store key (counter), an env key (env:name) or a task (task 2); Return adds it"));
    m_remove->setObjectName(QStringLiteral("watchRemove"));
    m_remove->setText(tr("Remove"));
    m_remove->setToolTip(tr("Remove the selected watches (Delete)"));
    m_remove->setEnabled(false);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->setSpacing(2);
    row->addWidget(m_add, 1);
    row->addWidget(m_remove);
    QVBoxLayout* layout = tightLayout(this);
    layout->addLayout(row);
    layout->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setEditTriggers(QAbstractItemView::DoubleClicked | QAbstractItemView::EditKeyPressed);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setColumnWidth(WatchModel::ExpressionColumn, 140);
    auto* remove = new QAction(tr("Remove Watch"), m_view);
    remove->setShortcut(QKeySequence::Delete);
    remove->setShortcutContext(Qt::WidgetShortcut);
    m_view->addAction(remove);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    connect(remove, &QAction::triggered, this, &WatchPane::removeSelected);
    for (bool readers : { false, true }) {
        auto* a = new QAction(readers ? tr("Who read this?") : tr("Where did this come from?"), m_view);
        m_view->addAction(a);
        connect(a, &QAction::triggered, this, [this, readers] {
            const QModelIndex current = m_view->currentIndex();
            if (current.isValid()) Q_EMIT provenanceRequested(m_model.expressions().value(current.row()), readers);
        });
    }
    connect(m_remove, &QToolButton::clicked, this, &WatchPane::removeSelected);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_remove->setEnabled(m_view->selectionModel()->hasSelection()); });
    connect(m_add, &QLineEdit::returnPressed, this, [this] {
        if (addWatch(m_add->text())) m_add->clear();
    });
    connect(&m_model, &WatchModel::expressionsChanged, this, [this] {
        if (m_loading || m_program.isEmpty()) return;
        QSettings settings;
        const QStringList list = m_model.expressions();
        if (list.isEmpty())
            settings.remove(settingsKey(m_program));
        else
            settings.setValue(settingsKey(m_program), list);
    });
    connect(m_session, &StudioSession::refreshed, this, &WatchPane::refresh);
    connect(m_session, &StudioSession::statusChanged, this, &WatchPane::followProgram);
    connect(m_session, &StudioSession::documentOpened, this, &WatchPane::followProgram);
    followProgram();
}

QString WatchPane::settingsKey(const QString& program)
{
    QString name = program;
    name.replace(QLatin1Char('/'), QLatin1Char('_')).replace(QLatin1Char('\\'), QLatin1Char('_'));
    return QStringLiteral("watches/") + name;
}

bool WatchPane::addWatch(const QString& expression)
{
    if (!m_model.addExpression(expression)) return false;
    refresh();
    return true;
}

void WatchPane::removeSelected()
{
    QList<int> rows;
    for (const QModelIndex& i : m_view->selectionModel()->selectedRows())
        rows.append(i.row());
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (int r : rows)
        m_model.removeExpression(r);
}

void WatchPane::followProgram()
{
    const QString program = m_session->programName();
    if (program == m_program) return;
    const bool unnamed = m_program.isEmpty();
    m_program = program;
    if (program.isEmpty()) return; // keep what there is until a program is known
    m_loading = true;
    const QStringList saved = QSettings().value(settingsKey(program)).toStringList();
    // watches added before any program had a name carry over to the first one
    QStringList list = saved;
    if (saved.isEmpty() && unnamed) list = m_model.expressions();
    m_model.setExpressions(list);
    m_loading = false;
    if (saved.isEmpty() && !list.isEmpty()) Q_EMIT m_model.expressionsChanged();
    refresh();
}

void WatchPane::refresh()
{
    if (m_session->status() == RunStatus::Idle) {
        m_model.clearValues();
        return;
    }
    const int task = m_session->selectedTask();
    Store store;
    Env env;
    if (m_session->valuesBeforeView(task, &store, &env)) {
        m_model.evaluate(m_session->state(), task, m_session->changedKeys(), &store, &env);
        return;
    }
    m_model.evaluate(m_session->state(), task, m_session->changedKeys(), nullptr, nullptr);
}

} // namespace doeff::views
