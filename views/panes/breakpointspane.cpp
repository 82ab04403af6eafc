#include "breakpointspane.h"

#include "paneparts.h"
#include "runcontroller.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QToolButton>
#include <QTreeView>

namespace doeff::views {

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
    // the hit counts stay in view at any width: Where takes what the others leave
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(BreakpointModel::WhereColumn, QHeaderView::Stretch);
    m_view->header()->setSectionResizeMode(BreakpointModel::HitsColumn, QHeaderView::ResizeToContents);
    m_view->header()->setSectionResizeMode(BreakpointModel::KindColumn, QHeaderView::ResizeToContents);
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
    connect(m_view, &QAbstractItemView::doubleClicked, this, [this](const QModelIndex& index) {
        if (index.isValid()) Q_EMIT editRequested(index.data(BreakpointModel::BreakpointIdRole).toInt());
    });
    m_view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_view, &QWidget::customContextMenuRequested, this, [this](const QPoint& pos) {
        const QModelIndex index = m_view->indexAt(pos);
        if (!index.isValid()) return;
        const int id = index.data(BreakpointModel::BreakpointIdRole).toInt();
        QMenu menu(this);
        menu.addAction(tr("Edit…"), this, [this, id] { Q_EMIT editRequested(id); });
        menu.addAction(tr("Remove"), this, [this, id] { m_run->removeBreakpoint(id); });
        menu.exec(m_view->viewport()->mapToGlobal(pos));
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
