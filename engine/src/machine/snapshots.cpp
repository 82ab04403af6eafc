// Snapshots of the K stack, the errors that carry them, and the RuntimeResult a run builds.

#include "machine.h"

#include <doeff/sourceinfo.h>
#include <doeff/value.h>

#include <QFileInfo>

namespace doeff::detail {

// ---- errors ------------------------------------------------------------------------------

SnapFrame Machine::snapFrame(const TaskRec* t, const Frame& f) const
{
    SnapFrame s;
    s.kind = f.kind;
    s.task = t->id;
    s.taskName = t->name();
    switch (f.kind) {
    case FrameKind::Program: {
        const PromiseBase* p = f.program.get();
        s.function = p->definition().function_name();
        s.definition = p->definition();
        s.site = p->site();
        s.suspended = p->suspended();
        if (f.data) s.handler = f.handler()->name;
        break;
    }
    case FrameKind::Handler:
        s.description = QStringLiteral("handler=") + f.handler()->name;
        break;
    case FrameKind::Handling: {
        auto hs = std::static_pointer_cast<HandlingState>(f.data);
        s.description
            = QStringLiteral("effect=") + hs->dispatch.effect.label() + QStringLiteral(" handler=") + hs->handler->name;
        // where the effect was performed: the innermost program the handling holds
        if (const PromiseBase* p = performer(*hs)) {
            s.function = p->definition().function_name();
            s.definition = p->definition();
            s.site = p->site();
            s.suspended = p->suspended();
        }
        break;
    }
    case FrameKind::Safe:
        s.description = QStringLiteral("will catch errors");
        break;
    case FrameKind::Convert:
        s.description = QStringLiteral("converting the result of ")
            + std::static_pointer_cast<ConvertState>(f.data)->effect.label();
        break;
    case FrameKind::Local: {
        // the override keys are those whose value differs from the saved env
        QStringList keys;
        for (auto it = t->env.cbegin(); it != t->env.cend(); ++it)
            if (!f.savedEnv().contains(it.key()) || f.savedEnv().value(it.key()) != it.value())
                keys.append(repr(it.key()));
        const qsizetype shown = std::min<qsizetype>(keys.size(), 3);
        s.description = QStringLiteral("env={") + QStringList(keys.mid(0, shown)).join(QStringLiteral(", "))
            + (keys.size() > 3 ? QStringLiteral("...") : QString()) + QStringLiteral("}");
        break;
    }
    case FrameKind::Listen:
        s.description
            = QStringLiteral("capturing logs (%1 so far)").arg(std::static_pointer_cast<QVariantList>(f.data)->size());
        break;
    case FrameKind::Intercept:
        s.description
            = QStringLiteral("%1 transform(s)").arg(std::static_pointer_cast<const QList<TransformFn>>(f.data)->size());
        break;
    case FrameKind::GraphCapture:
        s.description = QStringLiteral("capturing graph (%1 nodes so far)")
                            .arg(std::static_pointer_cast<std::vector<qsizetype>>(f.data)->size());
        break;
    case FrameKind::AskLazy:
        s.description = QStringLiteral("evaluating Ask(") + repr(std::static_pointer_cast<LazyEntry>(f.data)->key)
            + QStringLiteral(")");
        break;
    case FrameKind::GatherBranch: {
        const TaskRec* parent = task(t->parent);
        s.description = QStringLiteral("branch %1 of %2 of Gather in task %3 '%4'")
                            .arg(t->branchIndex + 1)
                            .arg(f.gatherItems())
                            .arg(parent ? parent->id : -1)
                            .arg(parent ? parent->name() : QString());
        break;
    }
    case FrameKind::TaskRoot:
        s.description = QStringLiteral("task %1 '%2'").arg(QString::number(t->id), t->name());
        break;
    }
    return s;
}

std::vector<SnapFrame> Machine::snapshot(TaskRec* t) const
{
    std::vector<SnapFrame> out;
    out.reserve(t->k.size());
    auto add = [&](const Frame& f) {
        if (f.kind == FrameKind::TaskRoot && f.data) {
            // the frames its link shares, shown as the task's own: what an observed run's copies show
            const FrameStack& shared = f.inheritedSet()->k;
            for (auto it = shared.rbegin(); it != shared.rend(); ++it)
                out.push_back(snapFrame(t, *it));
        }
        out.push_back(snapFrame(t, f));
    };
    // Top first. A handling that cut its continuation holds the site's frames: they show below
    // it, and so do those of the handlings among them (a handler's program that performed an
    // effect another coroutine handler took), as a kept continuation shows them where they are.
    auto addFrames = [&](auto& self, std::span<const Frame> frames) -> void {
        for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
            add(*it);
            if (it->kind != FrameKind::Handling) continue;
            if (const auto& cont = static_cast<const HandlingState*>(it->data.get())->cont()) self(self, cont->frames);
        }
    };
    addFrames(addFrames, t->k);
    return out;
}

FrameInfo Machine::frameInfo(const SnapFrame& s)
{
    FrameInfo fi;
    fi.kind = QString::fromLatin1(frameKindName(s.kind));
    if (s.kind == FrameKind::Program) {
        const ThrowSite thrown = s.thrown ? s.thrown->site() : ThrowSite();
        if (s.function) {
            fi.function = functionDisplayNameOfStatic(s.function);
        } else {
            // a plain function's raise site: its DWARF name (a lambda is an operator())
            fi.function = thrown.function ? QString::fromUtf8(thrown.function) : QStringLiteral("<unknown>");
            if (const qsizetype paren = fi.function.indexOf(QLatin1Char('(')); paren > 0) fi.function.truncate(paren);
            if (fi.function == QLatin1String("operator")) fi.function = QStringLiteral("<lambda>");
        }
        if (thrown.valid()) {
            fi.file = QString::fromUtf8(thrown.file);
            fi.line = thrown.line;
        } else {
            const std::source_location& loc = s.suspended ? s.site : s.definition;
            fi.file = QString::fromUtf8(loc.file_name());
            fi.line = int(loc.line());
            if (!s.suspended) fi.line = SourceInfo::definitionLine(fi.file, fi.line, fi.function);
        }
        fi.description
            = fi.function + QStringLiteral("() at ") + fi.file + QStringLiteral(":") + QString::number(fi.line);
    } else {
        fi.description = s.description;
        if (s.kind == FrameKind::Handling && s.function) {
            // the program that performed the handled effect, where it is suspended on it
            fi.function = functionDisplayNameOfStatic(s.function);
            const std::source_location& loc = s.suspended ? s.site : s.definition;
            fi.file = QString::fromUtf8(loc.file_name());
            fi.line = int(loc.line());
        }
    }
    return fi;
}

const PromiseBase* Machine::performer(const HandlingState& hs)
{
    if (hs.kept()) return hs.keptPerformer;
    if (!hs.cont()) return nullptr;
    for (auto it = hs.cont()->frames.rbegin(); it != hs.cont()->frames.rend(); ++it)
        if (it->kind == FrameKind::Program && it->program.get()) return it->program.get();
    return nullptr;
}

ErrorPtr Machine::newError(TaskRec* t, std::exception_ptr e, int node, bool thrownByProgram)
{
    if (thrownByProgram) {
        // a program rethrowing an error it caught earlier (try/catch, Safe then value()): the
        // failing point stays where the error was first raised (§10.2)
        for (auto it = m_recentErrors.rbegin(); it != m_recentErrors.rend(); ++it)
            if ((*it)->exception == e) return *it;
    }
    auto r = std::make_shared<ErrorRecord>();
    r->exception = std::move(e);
    r->task = t->id;
    r->k = snapshot(t);
    r->node = node;
    r->env = t->env;
    r->store = *t->store;
    // where it was thrown: the throw hook's record, else the record of the same exception met
    // before (caught and passed on: FailPromise, a failed task), else doeff::Error's own location
    r->thrown = takeThrowTrace(r->exception);
    if (!r->thrown) {
        for (auto it = m_recentErrors.rbegin(); it != m_recentErrors.rend(); ++it)
            if ((*it)->exception == r->exception && (*it)->thrown) {
                r->thrown = (*it)->thrown;
                break;
            }
    }
    if (thrownByProgram && !r->k.empty()) { // the fallback when the trace resolves to nothing
        try {
            std::rethrow_exception(r->exception);
        } catch (const doeff::Error& err) {
            const std::source_location w = err.where();
            // an engine error constructed inside the engine says nothing about the program
            if (w.file_name() && QString::fromUtf8(w.file_name()).contains(QStringLiteral("engine/")) == false) {
                r->k.front().site = w;
                r->k.front().suspended = true;
            }
        } catch (...) { }
    }
    if (r->thrown) {
        if (thrownByProgram && !r->k.empty() && r->k.front().kind == FrameKind::Program) {
            r->k.front().thrown = r->thrown; // the program's own code threw
        } else {
            // thrown in a handler or passed on: the raise site heads the stack, as in a traceback
            SnapFrame raised;
            raised.kind = FrameKind::Program;
            raised.thrown = r->thrown;
            raised.task = t->id;
            raised.taskName = t->name();
            r->k.insert(r->k.begin(), std::move(raised));
        }
    }
    m_tree.pin(node);
    if (DOEFF_OBSERVED) [[unlikely]] {
        Where at = topSite(t);
        if (const ThrowSite site = r->thrown ? r->thrown->site() : ThrowSite(); site.valid()) {
            at.file = site.file;
            at.line = site.line;
            // raised elsewhere and passed on: the raise site's function, as the result's K names it
            // (a trace rebuilds that frame from this event)
            if (!thrownByProgram && site.function) at.function = site.function;
        }
        const auto type
            = [](const void* c) -> QString { return exceptionTypeName(*static_cast<const std::exception_ptr*>(c)); };
        const auto message
            = [](const void* c) -> QString { return exceptionMessage(*static_cast<const std::exception_ptr*>(c)); };
        const events::ErrorRaised fields { thrownByProgram, LazyText { type, &r->exception },
                                           LazyText { message, &r->exception } };
        emitEvent(fields, t->id, at);
    }
    rememberError(r);
    return r;
}

ErrorPtr Machine::cross(TaskRec* receiver, const ErrorPtr& e, int node)
{
    auto r = std::make_shared<ErrorRecord>();
    r->exception = e->exception;
    r->from = e;
    r->task = receiver->id;
    r->k = snapshot(receiver);
    r->node = node;
    m_tree.pin(node);
    rememberError(r);
    return r;
}

void Machine::rememberError(const ErrorPtr& r)
{
    m_recentErrors.push_back(r);
    if (m_recentErrors.size() > 64) m_recentErrors.pop_front();
}
// ---- result ------------------------------------------------------------------------------

std::shared_ptr<const ResultData> Machine::buildResult()
{
    auto r = std::make_shared<ResultData>();
    r->program = m_programName;
    TaskRec* main = m_tasks.front();
    r->ok = main->state == TaskState::Done;
    r->store = *main->store;
    r->env = main->env;
    int errorNode = -1;
    std::vector<int> rethrown;
    if (r->ok) {
        r->value = main->value();
    } else if (main->error()) {
        const ErrorPtr& e = main->error();
        r->error = ErrorInfo(e->exception);
        r->rootCause = r->error.root_cause();
        if (const auto* d = r->rootCause.as<DeadlockError>())
            r->waitCycle = d->cycleText();
        else if (const auto* d2 = r->error.as<DeadlockError>())
            r->waitCycle = d2->cycleText();
        // the chain, from main back to the failing point
        std::vector<const ErrorRecord*> chain;
        for (const ErrorRecord* x = e.get(); x; x = x->from.get())
            chain.push_back(x);
        const ErrorRecord& origin = *chain.back();
        errorNode = origin.node;
        for (const ErrorRecord* x : chain)
            if (x->from) rethrown.push_back(x->node);
        for (const SnapFrame& s : origin.k)
            r->k.frames.append(frameInfo(s));
        for (const ErrorRecord* x : chain) {
            // program activations of this link, outermost first
            for (auto it = x->k.rbegin(); it != x->k.rend(); ++it) {
                if (it->kind != FrameKind::Program) continue;
                const FrameInfo fi = frameInfo(*it);
                if (fi.file.isEmpty()) continue; // a raise site the debug info could not place
                SourceStackTrace::Entry entry;
                entry.file = fi.file;
                entry.line = fi.line;
                entry.function = fi.function;
                if (m_options.capture_source_lines) entry.code = SourceInfo::lineText(fi.file, fi.line);
                entry.task = it->task;
                entry.taskName = it->taskName;
                entry.handler = it->handler;
                r->source.entries.append(entry);
            }
        }
        const TaskRec* failing = task(origin.task);
        r->errorContext.task = origin.task;
        r->errorContext.taskName = failing ? failing->name() : QString();
        r->errorContext.env = origin.env;
        r->errorContext.storeKeys = origin.store.keys();
        r->errorContext.store = origin.store;
    } else {
        // main never finished (cannot happen once the run loop ends); report it plainly
        r->error = ErrorInfo(std::make_exception_ptr(
            InterpreterInvariantError(QStringLiteral("the main task did not finish (state %1)")
                                          .arg(QString::fromLatin1(taskStateName(main->state))))));
        r->rootCause = r->error;
    }
    r->tree = m_tree.build(errorNode, rethrown);
    std::vector<const TaskRec*> failed;
    for (std::size_t i = 0; i < m_tasks.size(); ++i)
        if (const TaskRec* t = m_tasks[i];
            t->kind == TaskKind::Spawned && t->state == TaskState::Failed && !t->observed)
            failed.push_back(t);
    std::sort(failed.begin(), failed.end(),
              [](const TaskRec* a, const TaskRec* b) { return a->failOrder() < b->failOrder(); });
    for (const TaskRec* t : failed)
        r->unobserved.append(UnobservedFailure { t->id, t->name(), ErrorInfo(t->error()->exception) });
    return r;
}

} // namespace doeff::detail
