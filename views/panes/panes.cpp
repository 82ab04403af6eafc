#include "panes.h"

#include "runcontroller.h"
#include "studiosession.h"
#include "traceio.h"

#include <QComboBox>
#include <QFile>
#include <QFileInfo>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTextBlock>
#include <QToolButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace doeff::views {

namespace {

QTreeView* makeView(QWidget* parent, bool tree)
{
    auto* v = new QTreeView(parent);
    v->setRootIsDecorated(tree);
    v->setUniformRowHeights(true);
    v->setAlternatingRowColors(true);
    v->setAllColumnsShowFocus(true);
    v->setSelectionBehavior(QAbstractItemView::SelectRows);
    v->header()->setStretchLastSection(true);
    v->header()->setDefaultSectionSize(90);
    v->header()->setMinimumSectionSize(28);
    return v;
}

QVBoxLayout* tightLayout(QWidget* w)
{
    auto* l = new QVBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->setSpacing(2);
    return l;
}

QLabel* titleLabel(QWidget* parent)
{
    auto* l = new QLabel(parent);
    l->setContentsMargins(4, 2, 4, 2);
    l->setTextFormat(Qt::PlainText);
    QPalette p = l->palette();
    p.setColor(QPalette::WindowText, QColor(90, 90, 90));
    l->setPalette(p);
    return l;
}

} // namespace

std::vector<SessionTreeNode> flattenTree(const EffectStackTrace& tree)
{
    std::vector<SessionTreeNode> out;
    if (!tree.captured) return out;
    struct Item {
        const EffectStackTrace::Node* node;
        int parent;
    };
    std::vector<Item> stack { { &tree.root, -1 } };
    // depth-first, children in order: parents always precede their children
    while (!stack.empty()) {
        const Item it = stack.back();
        stack.pop_back();
        SessionTreeNode n;
        n.parent = it.parent;
        n.display = it.node->display;
        n.effect = it.node->isEffect;
        n.count = it.node->count;
        n.error = it.node->error;
        n.more = it.node->more;
        out.push_back(n);
        const int id = int(out.size()) - 1;
        if (it.parent >= 0) out[size_t(it.parent)].children.append(id);
        for (auto c = it.node->children.crbegin(); c != it.node->children.crend(); ++c)
            stack.push_back({ &*c, id });
    }
    return out;
}

// ---- Tasks ---------------------------------------------------------------------------------

TasksPane::TasksPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
{
    tightLayout(this)->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setColumnWidth(TaskModel::IdColumn, 36);
    m_view->setColumnWidth(TaskModel::NameColumn, 150);
    m_view->setColumnWidth(TaskModel::KindColumn, 70);
    m_view->setColumnWidth(TaskModel::StateColumn, 70);
    m_view->setColumnWidth(TaskModel::WaitsOnColumn, 90);
    m_view->setColumnWidth(TaskModel::StepsColumn, 50);
    connect(m_session, &StudioSession::refreshed, this, &TasksPane::refresh);
    connect(m_session, &StudioSession::selectedTaskChanged, this, &TasksPane::syncSelection);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (m_syncing || !current.isValid()) return;
                m_session->setSelectedTask(current.data(TaskModel::TaskIdRole).toInt());
            });
}

void TasksPane::refresh()
{
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        // a saved result knows no scheduler: the tasks its error context and stacks name
        QList<TaskModel::Row> rows;
        for (const ResultTask& t : tasksOfResult(m_session->result(), m_session->programName())) {
            TaskModel::Row r;
            r.id = t.id;
            r.name = t.name;
            r.kind = t.id == 0 ? TaskKindCode::Main : TaskKindCode::Spawned;
            r.state = t.state;
            r.outcome = t.outcome;
            rows.append(r);
        }
        m_model.setRows(rows, m_session->result().is_err() ? m_session->result().error_context().task : 0);
        syncSelection();
        return;
    }
    const SessionState& s = m_session->state();
    int current = s.currentTask();
    if (m_session->showsPause()) current = m_session->lastPause()->task;
    // a dead debuggee's unfinished tasks are lost, not running (at the present; past steps
    // show what was true then)
    m_model.setSession(s, current, m_session->status() == RunStatus::Lost && m_session->isAtPresent());
    syncSelection();
}

void TasksPane::syncSelection()
{
    const int row = m_model.rowOf(m_session->selectedTask());
    if (row < 0 || m_view->currentIndex().row() == row) return;
    m_syncing = true;
    m_view->setCurrentIndex(m_model.index(row, 0));
    m_view->scrollTo(m_model.index(row, 0));
    m_syncing = false;
}

// ---- Stack ---------------------------------------------------------------------------------

StackPane::StackPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
    , m_title(titleLabel(this))
{
    auto* l = tightLayout(this);
    l->addWidget(m_title);
    l->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(StackModel::KindColumn, 90);
    m_view->setColumnWidth(StackModel::DescriptionColumn, 260);
    connect(m_session, &StudioSession::refreshed, this, &StackPane::refresh);
    connect(m_view, &QTreeView::doubleClicked, this, [this](const QModelIndex& index) {
        const QString file = index.data(StackModel::FileRole).toString();
        if (!file.isEmpty()) Q_EMIT sourceRequested(file, index.data(StackModel::LineRole).toInt());
    });
}

void StackPane::refresh()
{
    const int task = m_session->selectedTask();
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        m_model.setFrames(m_session->result().k_stack().frames);
        m_title->setText(tr("K at the failing point (result file)"));
        return;
    }
    // at a pause the agent's K also has the frames held by handlings (the suspended program)
    if (m_session->showsPause() && m_session->lastPause()->k.contains(task))
        m_model.setFrames(m_session->lastPause()->k.value(task));
    else
        m_model.setFrames(m_session->state().k(task));
    const SessionTask* t = m_session->state().task(task);
    m_title->setText(
        t ? tr("Task %1 '%2' — %n frame(s), top first", nullptr, int(m_model.frames().size())).arg(task).arg(t->name)
          : tr("No task selected"));
}

// ---- Store / Environment -------------------------------------------------------------------

VariantPane::VariantPane(StudioSession* session, Source source, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_source(source)
    , m_view(makeView(this, true))
{
    tightLayout(this)->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(VariantTreeModel::KeyColumn, 130);
    m_view->setColumnWidth(VariantTreeModel::ValueColumn, 200);
    connect(m_session, &StudioSession::refreshed, this, &VariantPane::refresh);
    // keep the user's expansion across resets (key paths)
    connect(&m_model, &QAbstractItemModel::modelAboutToBeReset, this, [this] {
        m_expanded.clear();
        std::vector<QModelIndex> stack { QModelIndex() };
        while (!stack.empty()) {
            const QModelIndex p = stack.back();
            stack.pop_back();
            for (int r = 0; r < m_model.rowCount(p); ++r) {
                const QModelIndex i = m_model.index(r, 0, p);
                if (m_view->isExpanded(i)) {
                    m_expanded.append(i.data(VariantTreeModel::PathRole).toStringList().join(QChar(0x1f)));
                    stack.push_back(i);
                }
            }
        }
    });
    connect(&m_model, &QAbstractItemModel::modelReset, this, [this] {
        if (m_expanded.isEmpty()) {
            // first look: open the top-level containers when they are small
            for (int r = 0; r < m_model.rowCount(); ++r) {
                const QModelIndex i = m_model.index(r, 0);
                if (m_model.rowCount(i) <= 8 && !i.data().toString().startsWith(QLatin1String("__"))) m_view->expand(i);
            }
            return;
        }
        std::vector<QModelIndex> stack { QModelIndex() };
        while (!stack.empty()) {
            const QModelIndex p = stack.back();
            stack.pop_back();
            for (int r = 0; r < m_model.rowCount(p); ++r) {
                const QModelIndex i = m_model.index(r, 0, p);
                if (m_expanded.contains(i.data(VariantTreeModel::PathRole).toStringList().join(QChar(0x1f)))) {
                    m_view->expand(i);
                    stack.push_back(i);
                }
            }
        }
    });
}

void VariantPane::refresh()
{
    VariantTreeModel::Entries entries;
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        const RuntimeResultBase& r = m_session->result();
        if (m_source == Source::Store) {
            entries = r.raw_store().entries();
        } else {
            for (auto it = r.env().cbegin(); it != r.env().cend(); ++it)
                entries.append({ it.key(), it.value() });
        }
        m_model.setEntries(entries, {});
        return;
    }
    const SessionState& s = m_session->state();
    const int task = m_session->selectedTask();
    if (m_source == Source::Store) {
        entries = s.store(task).entries();
    } else if (const SessionTask* t = s.task(task)) {
        for (auto it = t->env.cbegin(); it != t->env.cend(); ++it)
            entries.append({ it.key(), it.value() });
    }
    m_model.setEntries(entries, m_session->changedKeys());
}

// ---- Effect tree ---------------------------------------------------------------------------

EffectTreePane::EffectTreePane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_view(makeView(this, true))
{
    auto* l = tightLayout(this);
    m_filter->setPlaceholderText(tr("Filter calls and effects…"));
    m_filter->setClearButtonEnabled(true);
    l->addWidget(m_filter);
    l->addWidget(m_view);
    m_proxy->setSourceModel(&m_model);
    m_proxy->setRecursiveFilteringEnabled(true);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterKeyColumn(EffectTreeModel::NodeColumn);
    m_view->setModel(m_proxy);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(EffectTreeModel::NodeColumn, QHeaderView::Stretch);
    m_view->setColumnWidth(EffectTreeModel::TaskColumn, 44);
    m_view->setColumnWidth(EffectTreeModel::CountColumn, 40);
    connect(m_filter, &QLineEdit::textChanged, this, [this](const QString& text) {
        m_proxy->setFilterFixedString(text);
        if (!text.isEmpty()) m_view->expandAll();
    });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex& parent) {
        if (parent.isValid() && m_model.rowCount() < 3000) m_view->expand(parent);
    });
    connect(m_proxy, &QAbstractItemModel::modelReset, this, [this] { m_view->expandToDepth(3); });
    connect(m_session, &StudioSession::refreshed, this, &EffectTreePane::refresh);
}

void EffectTreePane::refresh()
{
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult())
        m_model.setTree(flattenTree(m_session->result().effect_stack()));
    else
        m_model.setTree(m_session->state().tree());
}

// ---- Log -----------------------------------------------------------------------------------

LogPane::LogPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_view(makeView(this, false))
{
    tightLayout(this)->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(LogModel::StepColumn, 60);
    m_view->setColumnWidth(LogModel::TaskColumn, 160);
    connect(m_session, &StudioSession::refreshed, this, [this] { m_model.setSession(m_session->state()); });
    connect(&m_model, &QAbstractItemModel::rowsInserted, m_view, &QTreeView::scrollToBottom);
}

// ---- Source --------------------------------------------------------------------------------

SourcePane::SourcePane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_header(titleLabel(this))
    , m_editor(new QPlainTextEdit(this))
{
    auto* l = tightLayout(this);
    l->addWidget(m_header);
    l->addWidget(m_editor);
    m_editor->setReadOnly(true);
    m_editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_editor->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    m_header->setText(tr("No source location"));
    connect(m_session, &StudioSession::refreshed, this, &SourcePane::refresh);
}

void SourcePane::refresh()
{
    if (m_session->status() == RunStatus::Loaded && m_session->hasResult()) {
        const auto& entries = m_session->result().source_stack().entries;
        if (!entries.isEmpty()) showLocation(entries.last().file, entries.last().line, entries.last().function);
        return;
    }
    const QString file = m_session->currentFile();
    if (!file.isEmpty()) {
        showLocation(file, m_session->currentLine(), m_session->currentFunction());
    } else if (m_session->status() == RunStatus::Trace && m_session->isAtPresent() && m_session->hasResult()) {
        // the end of a failed trace: where the error was raised
        const auto& entries = m_session->result().source_stack().entries;
        if (!entries.isEmpty()) showLocation(entries.last().file, entries.last().line, entries.last().function);
    }
}

void SourcePane::showLocation(const QString& file, int line, const QString& function)
{
    const QString location = file + u':' + QString::number(line);
    if (file != m_loadedFile) {
        m_loadedFile = file;
        QFile f(file);
        m_readable = f.open(QIODevice::ReadOnly | QIODevice::Text);
        if (m_readable) {
            const QStringList lines = QString::fromUtf8(f.readAll()).split(u'\n');
            const int width = int(QString::number(lines.size()).size());
            QStringList numbered;
            numbered.reserve(lines.size());
            for (qsizetype i = 0; i < lines.size(); ++i)
                numbered.append(QStringLiteral("%1  %2").arg(i + 1, width).arg(lines[i]));
            m_editor->setPlainText(numbered.join(u'\n'));
        }
    }
    if (!m_readable) {
        m_editor->setPlainText(tr("The source file is not readable here.\n\n%1%2")
                                   .arg(location, function.isEmpty() ? QString() : QStringLiteral("\nin ") + function));
        m_editor->setExtraSelections({});
    }
    m_file = file;
    m_line = line;
    m_header->setText(function.isEmpty() ? location : tr("%1   —   %2").arg(function, location));
    m_header->setToolTip(location);
    if (!m_readable || line <= 0) return;
    const QTextBlock block = m_editor->document()->findBlockByNumber(line - 1);
    QTextEdit::ExtraSelection sel;
    sel.format.setBackground(QColor(255, 236, 170));
    sel.format.setProperty(QTextFormat::FullWidthSelection, true);
    sel.cursor = QTextCursor(block);
    m_editor->setExtraSelections({ sel });
    m_editor->setTextCursor(QTextCursor(block));
    m_editor->centerCursor();
}

// ---- Result --------------------------------------------------------------------------------

ResultPane::ResultPane(StudioSession* session, QWidget* parent)
    : QWidget(parent)
    , m_session(session)
    , m_summary(new QLabel(this))
    , m_text(new QPlainTextEdit(this))
{
    auto* l = tightLayout(this);
    m_summary->setContentsMargins(6, 4, 6, 4);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    QFont bold = m_summary->font();
    bold.setBold(true);
    m_summary->setFont(bold);
    l->addWidget(m_summary);
    l->addWidget(m_text);
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    connect(m_session, &StudioSession::resultChanged, this, &ResultPane::refresh);
    refresh();
}

QString ResultPane::summary() const
{
    return m_summary->text();
}

QString ResultPane::text() const
{
    return m_text->toPlainText();
}

void ResultPane::refresh()
{
    if (m_session->status() == RunStatus::Lost) {
        const QString failure = m_session->failure();
        m_summary->setText(tr("No result: %1").arg(failure.section(u'\n', 0, 0)));
        m_summary->setStyleSheet(QStringLiteral("color: #b02020;"));
        m_text->setLineWrapMode(QPlainTextEdit::WidgetWidth);
        m_text->setPlainText(failure + QStringLiteral("\n\n")
                             + tr("The other panes show the last state the Studio received (step %1).")
                                   .arg(m_session->presentState().step()));
        return;
    }
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    if (!m_session->hasResult()) {
        m_summary->setText(tr("No result yet — the run has not ended."));
        m_summary->setStyleSheet(QStringLiteral("color: #666;"));
        m_text->clear();
        return;
    }
    const RuntimeResultBase& r = m_session->result();
    m_summary->setText(m_session->resultSummary());
    m_summary->setStyleSheet(r.is_ok() ? QStringLiteral("color: #1b7a2a;") : QStringLiteral("color: #b02020;"));
    m_text->setPlainText(r.format(true));
}

// ---- Breakpoints ---------------------------------------------------------------------------

namespace {
struct KindChoice {
    Breakpoint::Kind kind;
    const char* label;
    const char* placeholder; // nullptr: no pattern
};
constexpr KindChoice s_kinds[] = {
    { Breakpoint::Kind::Effect, "Effect", "effect name, e.g. Tell or Get key=counter" },
    { Breakpoint::Kind::StoreKey, "Store key", "key written, e.g. counter" },
    { Breakpoint::Kind::EnvKey, "Env key", "key asked, e.g. documents" },
    { Breakpoint::Kind::SourceLine, "File:line", "file:line, e.g. concurrency.cpp:42" },
    { Breakpoint::Kind::Error, "Any error", nullptr },
    { Breakpoint::Kind::UncaughtError, "Uncaught error", nullptr },
    { Breakpoint::Kind::TaskSpawn, "Task spawn", nullptr },
    { Breakpoint::Kind::TaskFinish, "Task finish", nullptr },
    { Breakpoint::Kind::Deadlock, "Deadlock", nullptr },
};
} // namespace

BreakpointsPane::BreakpointsPane(RunController* run, QWidget* parent)
    : QWidget(parent)
    , m_kind(new QComboBox(this))
    , m_pattern(new QLineEdit(this))
    , m_view(makeView(this, false))
{
    auto* l = tightLayout(this);
    auto* row = new QHBoxLayout;
    row->setContentsMargins(2, 2, 2, 0);
    for (const KindChoice& k : s_kinds)
        m_kind->addItem(tr(k.label));
    auto* add = new QToolButton(this);
    add->setText(tr("Add"));
    add->setToolTip(tr("Add a breakpoint of this kind"));
    auto* remove = new QToolButton(this);
    remove->setText(tr("Remove"));
    row->addWidget(m_kind);
    row->addWidget(m_pattern, 1);
    row->addWidget(add);
    row->addWidget(remove);
    l->addLayout(row);
    l->addWidget(m_view);
    m_view->setModel(&m_model);
    m_view->setColumnWidth(BreakpointModel::KindColumn, 120);
    m_view->setColumnWidth(BreakpointModel::WhereColumn, 160);
    updatePlaceholder();
    connect(m_kind, &QComboBox::currentIndexChanged, this, &BreakpointsPane::updatePlaceholder);
    auto addIt = [this] {
        const QString problem = addFromInput();
        if (!problem.isEmpty()) Q_EMIT this->problem(problem);
    };
    connect(add, &QToolButton::clicked, this, addIt);
    connect(m_pattern, &QLineEdit::returnPressed, this, addIt);
    connect(remove, &QToolButton::clicked, this, [this] {
        const QModelIndex current = m_view->currentIndex();
        if (current.isValid()) m_run->removeBreakpoint(current.data(BreakpointModel::BreakpointIdRole).toInt());
    });
    connect(&m_model, &BreakpointModel::enabledToggled, this,
            [this](int id, bool enabled) { m_run->setBreakpointEnabled(id, enabled); });
    setRun(run);
}

void BreakpointsPane::setRun(RunController* run)
{
    Q_ASSERT(run);
    if (m_run) disconnect(m_run, nullptr, this, nullptr);
    m_run = run;
    connect(m_run, &RunController::breakpointsChanged, this, [this] { m_model.setBreakpoints(m_run->breakpoints()); });
    m_model.setBreakpoints(m_run->breakpoints());
}

void BreakpointsPane::updatePlaceholder()
{
    const KindChoice& k = s_kinds[qBound(0, m_kind->currentIndex(), int(std::size(s_kinds)) - 1)];
    m_pattern->setEnabled(k.placeholder != nullptr);
    m_pattern->setPlaceholderText(k.placeholder ? tr(k.placeholder) : tr("(no pattern needed)"));
}

QString BreakpointsPane::addFromInput()
{
    const KindChoice& k = s_kinds[qBound(0, m_kind->currentIndex(), int(std::size(s_kinds)) - 1)];
    const QString text = m_pattern->text().trimmed();
    Breakpoint b;
    b.kind = k.kind;
    if (k.placeholder && text.isEmpty())
        return tr("A %1 breakpoint needs a pattern (%2).").arg(tr(k.label), tr(k.placeholder));
    if (k.kind == Breakpoint::Kind::SourceLine) {
        const qsizetype colon = text.lastIndexOf(u':');
        bool ok = false;
        const int line = colon > 0 ? text.mid(colon + 1).toInt(&ok) : 0;
        if (!ok || line <= 0) return tr("'%1' is not file:line (e.g. concurrency.cpp:42).").arg(text);
        b.file = text.left(colon);
        b.line = line;
    } else if (k.kind == Breakpoint::Kind::Effect) {
        const qsizetype space = text.indexOf(u' ');
        b.pattern = space < 0 ? text : text.left(space);
        b.condition = space < 0 ? QString() : text.mid(space + 1).trimmed();
    } else if (k.placeholder) {
        b.pattern = text;
    }
    m_run->addBreakpoint(b);
    m_pattern->clear();
    return {};
}

} // namespace doeff::views
