// What if (docs/replay.md): a branch of the open trace or the live run, replayed up to a step,
// changed there and run on live, in a window of its own beside the original.
#include "mainwindow.h"

#include <doeff/replay.h>
#include <doeff_examples.h>

#include <effectlistmodel.h>
#include <effectspane.h>
#include <stackmodel.h>
#include <stackpane.h>
#include <studiosession.h>
#include <taskmodel.h>
#include <taskspane.h>

#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QTreeView>

using namespace Qt::StringLiterals;

namespace doeff::studio {

namespace {

/// The handler a K frame runs (`handler=NAME`), or empty for another frame and for a handler a
/// what-if removed (its frame stays on K, but there is nothing left to swap or remove).
QString handlerOfFrame(const FrameInfo& frame)
{
    static const QString prefix = u"handler="_s;
    static const QString removed = u" (removed by what-if)"_s;
    if (!frame.description.startsWith(prefix) || frame.description.endsWith(removed)) return {};
    return frame.description.mid(prefix.size());
}

} // namespace

QStringList WhatIfRequest::arguments() const
{
    const QString at = QString::number(step) + u'=';
    switch (kind) {
    case Kind::Result:
        return { u"--what-if"_s, at + value };
    case Kind::Schedule:
        return { u"--what-if-run"_s, at + QString::number(task) };
    case Kind::Swap:
        return { u"--what-if-handler"_s, at + handler + u'=' + offered };
    case Kind::Remove:
        return { u"--what-if-handler"_s, at + u'-' + handler };
    case Kind::Add:
        return { u"--what-if-handler"_s, at + u'+' + offered };
    }
    return {};
}

QString WhatIfRequest::describe() const
{
    switch (kind) {
    case Kind::Result:
        return u"step %1 answers %2"_s.arg(step).arg(value);
    case Kind::Schedule:
        return u"task %1 runs at step %2"_s.arg(task).arg(step);
    case Kind::Swap:
        return u"%1 swapped for %2 at step %3"_s.arg(handler, offered).arg(step);
    case Kind::Remove:
        return u"%1 removed at step %2"_s.arg(handler).arg(step);
    case Kind::Add:
        return u"%1 added at step %2"_s.arg(offered).arg(step);
    }
    return {};
}

QString WhatIfRequest::problem() const
{
    const bool needsHandler = kind == Kind::Swap || kind == Kind::Remove;
    const bool needsOffered = kind == Kind::Swap || kind == Kind::Add;
    if (kind == Kind::Result && value.trimmed().isEmpty()) return u"no value given"_s;
    if (needsHandler && handler.trimmed().isEmpty()) return u"no handler of the run chosen"_s;
    if (needsOffered && offered.trimmed().isEmpty()) return u"no offered handler chosen"_s;
    // the command line's own separators cannot be in a name
    if (handler.contains(u'=') || offered.contains(u'=')) return u"a handler's name cannot contain '='"_s;
    return {};
}

const ProgramInfo* MainWindow::branchableProgram(QString* source) const
{
    QString program;
    if (m_session->status() == views::RunStatus::Trace) {
        if (m_session->traceFile().isEmpty()) return nullptr;
        QString error;
        const std::shared_ptr<Replay> replay = Replay::open(m_session->traceFile(), &error);
        if (!replay) return nullptr;
        program = replay->program();
        if (source) *source = m_session->traceFile();
    } else if (!m_session->liveEvents().isEmpty()) {
        program = m_session->presentState().programName(); // the name the run started under
    }
    return programNamed(program);
}

QStringList MainWindow::offeredHandlers(const ProgramInfo* info) const
{
    if (!info) return {};
    const QString library = m_libraryOf.value(info);
    const ProgramLibrary* lib = &examples::library();
    if (!library.isEmpty()) {
        try {
            lib = &loadProgramLibrary(library); // loaded already: the same object
        } catch (const ProgramLibraryError&) {
            return {};
        }
    }
    QStringList names;
    for (const HandlerOffer& h : lib->handlers())
        names << h.name;
    return names;
}

QStringList MainWindow::handlersOfTheRun() const
{
    // the handler frames of every task at the viewed step, outermost first, each name once
    QStringList names;
    const SessionState& state = m_session->state();
    for (auto it = state.tasks().cbegin(); it != state.tasks().cend(); ++it) {
        const QList<FrameInfo> k = state.k(it.key());
        for (auto f = k.crbegin(); f != k.crend(); ++f) {
            const QString name = handlerOfFrame(*f);
            if (!name.isEmpty() && !names.contains(name)) names << name;
        }
    }
    return names;
}

quint64 MainWindow::whatIfStep() const
{
    // the last effect at or before the viewed step: at the end of a failed run, the one that failed
    const quint64 viewed = m_session->state().step();
    const views::EffectListModel* effects = m_effects->model();
    const int row = effects->rowAtOrBefore(viewed);
    return row >= 0 ? effects->stepOf(row) : viewed;
}

QString MainWindow::effectAtStep(quint64 step) const
{
    const views::EffectListModel* effects = m_effects->model();
    const int row = effects->rowAtOrBefore(step);
    if (row < 0 || effects->stepOf(row) != step) return {};
    return tr("%1 in task %2")
        .arg(effects->index(row, views::EffectListModel::EffectColumn).data().toString())
        .arg(effects->taskOf(row));
}

bool MainWindow::canBranch() const
{
    // cheap, for updateActions(): no file is read
    if (isBusy()) return false;
    if (m_session->status() == views::RunStatus::Trace)
        return !m_session->traceFile().isEmpty() && programToRunAgain() != nullptr;
    return m_session->presentState().started() && programNamed(m_session->presentState().programName());
}

void MainWindow::addWhatIfMenus()
{
    // each pane offers the what-if its rows are about, the dialog filled in from the row
    const auto offer = [this](QTreeView* view, auto&& requestAt) {
        view->setContextMenuPolicy(Qt::CustomContextMenu);
        connect(view, &QWidget::customContextMenuRequested, this, [this, view, requestAt](const QPoint& pos) {
            const QModelIndex index = view->indexAt(pos);
            if (!index.isValid()) return;
            QMenu menu(view);
            for (auto& [name, text, request] : requestAt(index)) {
                QAction* a = menu.addAction(text);
                a->setObjectName(name);
                a->setEnabled(canBranch());
                const WhatIfRequest r = request;
                connect(a, &QAction::triggered, this, [this, r] { whatIfDialog(r); });
            }
            if (!menu.isEmpty()) menu.exec(view->viewport()->mapToGlobal(pos));
        });
    };
    using Offers = QList<std::tuple<QString, QString, WhatIfRequest>>;
    offer(m_effects->view(), [](const QModelIndex& index) {
        WhatIfRequest r;
        r.kind = WhatIfRequest::Kind::Result;
        r.step = index.data(views::EffectListModel::StepRole).toULongLong();
        r.task = index.data(views::EffectListModel::TaskIdRole).toInt();
        return Offers { { u"whatIfEffect"_s, tr("What If This Effect Answered…"), r } };
    });
    offer(m_tasks->view(), [this](const QModelIndex& index) {
        const QVariant id = index.data(views::TaskModel::TaskIdRole);
        if (!id.isValid()) return Offers {}; // a group's row
        WhatIfRequest r;
        r.kind = WhatIfRequest::Kind::Schedule;
        r.step = whatIfStep();
        r.task = id.toInt();
        return Offers { { u"whatIfTask"_s, tr("What If This Task Ran Next…"), r } };
    });
    offer(m_stack->view(), [this](const QModelIndex& index) {
        const int frame = index.data(views::StackModel::FrameIndexRole).toInt();
        const QList<FrameInfo>& frames = m_stack->model()->frames();
        const QString handler = frame >= 0 && frame < frames.size() ? handlerOfFrame(frames[frame]) : QString();
        if (handler.isEmpty()) return Offers {};
        WhatIfRequest r;
        r.step = whatIfStep();
        r.handler = handler;
        WhatIfRequest remove = r;
        r.kind = WhatIfRequest::Kind::Swap;
        remove.kind = WhatIfRequest::Kind::Remove;
        return Offers { { u"whatIfSwap"_s, tr("What If %1 Were Swapped…").arg(r.handler), r },
                        { u"whatIfRemove"_s, tr("What If %1 Were Removed…").arg(r.handler), remove } };
    });
}

bool MainWindow::whatIf(const WhatIfRequest& request)
{
    const auto refuse = [this](const QString& why) {
        showMessage(tr("Cannot branch: %1").arg(why));
        return false;
    };
    if (const QString problem = request.problem(); !problem.isEmpty()) return refuse(problem);
    QString trace;
    const ProgramInfo* info = branchableProgram(&trace);
    if (!info)
        return refuse(tr("open a trace, or run a program, that is a built-in example or a program of a library "
                         "opened here"));
    if (!trace.isEmpty()) {
        openBranch(trace, request, nullptr);
        return true;
    }
    // a live run: its events so far become the recording the branch follows
    return exportForBranch(request);
}

MainWindow* MainWindow::openBranch(const QString& trace, const WhatIfRequest& request,
                                   std::shared_ptr<QTemporaryDir> scratch)
{
    auto* branch = new MainWindow;
    branch->setAttribute(Qt::WA_DeleteOnClose);
    branch->m_libraryOf = m_libraryOf;
    branch->m_doeffRunPath = m_doeffRunPath;
    branch->m_confirmReplace = m_confirmReplace;
    branch->m_branchScratch = scratch; // the recording lives as long as the branch
    branch->restoreSettings();
    branch->resize(size());
    branch->move(pos() + QPoint(48, 48)); // beside the original, which stays as it is
    branch->show();
    // a live run's events carry no runner or clock: the branch runs as the original was launched
    branch->startReplay(trace, &request, scratch ? m_runLaunchOptions : QStringList());
    m_branches.append(branch);
    Q_EMIT branchOpened(branch);
    showMessage(tr("What if %1: the branch runs in a new window.").arg(request.describe()), false);
    return branch;
}

QList<MainWindow*> MainWindow::branches() const
{
    QList<MainWindow*> open;
    for (const QPointer<MainWindow>& w : m_branches)
        if (w) open << w.data();
    return open;
}

void MainWindow::whatIfDialog(const WhatIfRequest& prefill)
{
    const ProgramInfo* info = branchableProgram(nullptr);
    if (!info) {
        whatIf(prefill); // says why not
        return;
    }
    auto* dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(u"whatIfDialog"_s);
    dialog->setWindowTitle(tr("What If"));
    auto* form = new QFormLayout(dialog);
    auto* intro = new QLabel(tr("Replay %1 up to a step, change one thing there and run on live, in a new window "
                                "beside this one.")
                                 .arg(info->name),
                             dialog);
    intro->setWordWrap(true);
    form->addRow(intro);
    auto* kind = new QComboBox(dialog);
    kind->setObjectName(u"whatIfKind"_s);
    kind->addItem(tr("The effect yielded at the step answers a value"), int(WhatIfRequest::Kind::Result));
    kind->addItem(tr("Another ready task runs in the turn starting at the step"), int(WhatIfRequest::Kind::Schedule));
    kind->addItem(tr("Swap one of the run's handlers for an offered one"), int(WhatIfRequest::Kind::Swap));
    kind->addItem(tr("Remove one of the run's handlers"), int(WhatIfRequest::Kind::Remove));
    kind->addItem(tr("Add an offered handler"), int(WhatIfRequest::Kind::Add));
    kind->setCurrentIndex(kind->findData(int(prefill.kind)));
    form->addRow(tr("What if"), kind);
    auto* step = new QLineEdit(QString::number(prefill.step), dialog);
    step->setObjectName(u"whatIfStep"_s);
    step->setValidator(new QRegularExpressionValidator(QRegularExpression(u"[0-9]{1,19}"_s), step));
    form->addRow(tr("Step"), step);
    auto* atStep = new QLabel(dialog);
    atStep->setObjectName(u"whatIfAtStep"_s);
    form->addRow(QString(), atStep);
    const auto describeStep = [this, step, atStep] {
        const QString effect = effectAtStep(step->text().toULongLong());
        atStep->setText(effect.isEmpty() ? tr("no effect was yielded at this step")
                                         : tr("the step yields %1").arg(effect));
    };
    describeStep();
    connect(step, &QLineEdit::textChanged, dialog, describeStep);
    auto* value = new QLineEdit(prefill.value, dialog);
    value->setObjectName(u"whatIfValue"_s);
    value->setPlaceholderText(tr("JSON: 41, \"text\", [1, 2], {\"a\": 1}"));
    form->addRow(tr("Value"), value);
    auto* task = new QSpinBox(dialog);
    task->setObjectName(u"whatIfTask"_s);
    task->setRange(0, std::numeric_limits<int>::max());
    task->setValue(prefill.task);
    form->addRow(tr("Task"), task);
    auto* handler = new QComboBox(dialog);
    handler->setObjectName(u"whatIfHandler"_s);
    handler->setEditable(true);
    handler->addItems(handlersOfTheRun());
    if (!prefill.handler.isEmpty()) handler->setCurrentText(prefill.handler);
    form->addRow(tr("The run's handler"), handler);
    auto* offered = new QComboBox(dialog);
    offered->setObjectName(u"whatIfOffered"_s);
    offered->addItems(offeredHandlers(info));
    if (!prefill.offered.isEmpty()) offered->setCurrentText(prefill.offered);
    form->addRow(tr("Offered handler"), offered);
    auto* problem = new QLabel(dialog);
    problem->setObjectName(u"whatIfProblem"_s);
    problem->setStyleSheet(u"color: palette(link)"_s);
    form->addRow(problem);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, dialog);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Branch"));
    form->addRow(buttons);

    const auto request = [=] {
        WhatIfRequest r;
        r.kind = WhatIfRequest::Kind(kind->currentData().toInt());
        r.step = step->text().toULongLong();
        r.value = value->text();
        r.task = task->value();
        r.handler = handler->currentText().trimmed();
        r.offered = offered->currentText();
        return r;
    };
    const auto showRows = [=] {
        const auto k = WhatIfRequest::Kind(kind->currentData().toInt());
        form->setRowVisible(value, k == WhatIfRequest::Kind::Result);
        form->setRowVisible(task, k == WhatIfRequest::Kind::Schedule);
        form->setRowVisible(handler, k == WhatIfRequest::Kind::Swap || k == WhatIfRequest::Kind::Remove);
        form->setRowVisible(offered, k == WhatIfRequest::Kind::Swap || k == WhatIfRequest::Kind::Add);
        problem->clear();
        dialog->adjustSize();
    };
    showRows();
    connect(kind, &QComboBox::currentIndexChanged, dialog, showRows);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, dialog, [=, this] {
        const WhatIfRequest r = request();
        if (offered->count() == 0 && (r.kind == WhatIfRequest::Kind::Swap || r.kind == WhatIfRequest::Kind::Add)) {
            problem->setText(tr("the program's library offers no handlers (DOEFF_HANDLER)"));
            return;
        }
        if (const QString why = r.problem(); !why.isEmpty()) {
            problem->setText(why); // the dialog stays, with what the user typed
            return;
        }
        dialog->accept();
        whatIf(r);
    });
    dialog->show();
}

} // namespace doeff::studio
