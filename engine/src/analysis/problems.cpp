#include <doeff/errors.h>
#include <doeff/problems.h>
#include <doeff/runtimeresult.h>
#include <doeff/trace.h>
#include <doeff/value.h>
#include <doeff/waitfor.h>

#include <QDateTime>
#include <QFileInfo>

#include <algorithm>

namespace doeff {

const char* problemKindName(ProblemKind kind)
{
    switch (kind) {
    case ProblemKind::Deadlock:
        return "deadlock";
    case ProblemKind::UnobservedFailure:
        return "unobserved-failure";
    case ProblemKind::UnfinishedTask:
        return "unfinished-task";
    case ProblemKind::NeverWaited:
        return "never-waited";
    case ProblemKind::UncompletedPromise:
        return "uncompleted-promise";
    case ProblemKind::CancelledWhileAwaited:
        return "cancelled-while-awaited";
    case ProblemKind::UnreadStoreKey:
        return "unread-store-key";
    case ProblemKind::LogTooLong:
        return "log-too-long";
    case ProblemKind::UnresumedHandler:
        return "unresumed-handler";
    case ProblemKind::DiscardedSafeError:
        return "discarded-safe-error";
    case ProblemKind::BlockedTooLong:
        return "blocked-too-long";
    }
    return "?";
}

const char* severityName(Severity severity)
{
    switch (severity) {
    case Severity::Error:
        return "error";
    case Severity::Warning:
        return "warning";
    case Severity::Info:
        return "info";
    }
    return "?";
}

QString formatProblem(const Problem& p)
{
    QString s = QStringLiteral("%1 step %2").arg(QString::fromLatin1(severityName(p.severity))).arg(p.step);
    if (p.task >= 0) s += QStringLiteral(" task %1").arg(p.task);
    if (!p.file.isEmpty()) s += QStringLiteral(" %1:%2").arg(QFileInfo(p.file).fileName()).arg(p.line);
    return s + QStringLiteral(" [") + QString::fromLatin1(problemKindName(p.kind)) + QStringLiteral("] ") + p.message;
}

namespace {
QString taskText(int id, const QString& name)
{
    return QStringLiteral("task %1 '%2'").arg(QString::number(id), name);
}
bool isWaitLabel(const QString& label)
{
    return label.startsWith(QLatin1String("Wait(")) || label.startsWith(QLatin1String("Gather("))
        || label.startsWith(QLatin1String("Race("));
}
} // namespace

ProblemFinder::ProblemFinder(ProblemOptions options)
    : m_options(std::move(options))
{ }

void ProblemFinder::add(ProblemKind kind, Severity severity, quint64 step, int task, const QString& file, int line,
                        const QString& message, QList<quint64> related)
{
    if (!m_options.enabled(kind)) return;
    m_problems.append({ kind, severity, step, task, file, line, message, std::move(related) });
}

void ProblemFinder::noteWaited(const QString& label, const Event& e)
{
    for (const WaitTarget& w : parseWaitLabel(label)) {
        if (w.kind == WaitTarget::Kind::Task) {
            m_tasks[w.id].waitedOn = true;
        } else if ((w.kind == WaitTarget::Kind::Promise || w.kind == WaitTarget::Kind::ExternalPromise) && w.id >= 0
                   && !m_promiseWaited.contains(w.id)) {
            m_promiseWaited.insert(w.id, { e.step, e.task, e.file ? QString::fromUtf8(e.file) : QString(), e.line });
        }
    }
}

void ProblemFinder::deadlock(const Event& e)
{
    m_deadlockReported = true;
    // the ring, from what each task waits on and who holds the promises (the wait-for graph's
    // reading, with the cycle finder the machine uses)
    QList<WaitForTask> tasks;
    QList<quint64> related;
    QList<int> ids;
    for (auto it = m_tasks.cbegin(); it != m_tasks.cend(); ++it) {
        WaitForTask t;
        t.id = it.key();
        t.name = it->name;
        t.state = it->finished ? it->state : it->waitsOn.isEmpty() ? TaskStateCode::Ready : TaskStateCode::Blocked;
        if (!it->finished && !it->waitsOn.isEmpty()) {
            t.waitsOn = it->waitsOn;
            t.waits = parseWaitLabel(it->waitsOn);
            ids.append(t.id);
            related.append(it->blockedAt);
        }
        tasks.append(std::move(t));
    }
    std::sort(ids.begin(), ids.end());
    std::sort(related.begin(), related.end());
    related.erase(std::unique(related.begin(), related.end()), related.end());
    const WaitForGraph g = waitForGraphOfTasks(std::move(tasks), e.step, &m_promises);
    QStringList cycles;
    for (const WaitForCycle& c : g.cycles)
        cycles.append(c.text);
    QString message = QStringLiteral("deadlock: %1 tasks blocked").arg(ids.size());
    if (!cycles.isEmpty()) {
        message += QStringLiteral("; cycle: ") + cycles.front();
        if (cycles.size() > 1)
            message += QStringLiteral(" (and %1 more through the same tasks or others: see the wait-for graph)")
                           .arg(cycles.size() - 1);
    } else
        message += QStringLiteral("; no ring of tasks: they wait on promises no live task could complete");
    QStringList waits;
    for (qsizetype i = 0; i < std::min<qsizetype>(ids.size(), 5); ++i)
        waits.append(taskText(ids[i], m_tasks[ids[i]].name) + QStringLiteral(" waits on ") + m_tasks[ids[i]].waitsOn);
    if (!waits.isEmpty())
        message += QStringLiteral(" (") + waits.join(QStringLiteral("; "))
            + (ids.size() > 5 ? QStringLiteral("; …)") : QStringLiteral(")"));
    add(ProblemKind::Deadlock, Severity::Error, e.step, e.task, e.file ? QString::fromUtf8(e.file) : QString(), e.line,
        message, related);
}

// ---- handlers that neither resumed nor failed ------------------------------------------------

void ProblemFinder::unresumed(int task, const Handling& h, const QString& why, quint64 step)
{
    const QString by
        = h.handler.isEmpty() ? QStringLiteral("a handler") : QStringLiteral("handler '%1'").arg(h.handler);
    add(ProblemKind::UnresumedHandler, Severity::Warning, h.step, task, h.file, h.line,
        QStringLiteral("%1 took %2 in %3 and neither resumed nor failed it: %4")
            .arg(by, h.label, taskText(task, m_tasks.value(task).name), why),
        { step });
}

void ProblemFinder::handled(const Event& e)
{
    const auto how = HandledHow(e.code);
    if (how == HandledHow::Forwarded) return;
    auto stack = m_handling.find(e.task);
    if (stack == m_handling.end()) return;
    qsizetype at = stack->size() - 1;
    while (at >= 0 && stack->at(at).label != e.name)
        --at;
    if (at < 0) return;
    if (how == HandledHow::HandlerStarted) {
        if ((*stack)[at].handler.isEmpty()) (*stack)[at].handler = e.text;
        return;
    }
    Handling h = stack->at(at);
    if (h.handler.isEmpty()) h.handler = e.text; // a plain (not coroutine) handler answered
    stack->resize(at); // and any effect above it that got no answer of its own
    // answered with a value, but the frames from the site up to the handler are gone: the
    // handler discarded the continuation (Abort, or it resumed another one)
    if (how == HandledHow::Resumed && m_depth.value(e.task) < h.depth
        && m_options.enabled(ProblemKind::UnresumedHandler))
        unresumed(e.task, h,
                  QStringLiteral("it discarded the continuation (Abort, or it resumed another one), so the code "
                                 "after the effect never ran"),
                  e.step);
}

// ---- blocked too long -----------------------------------------------------------------------------

void ProblemFinder::advanceClock(double to)
{
    m_clock = std::max(m_clock, to);
}

void ProblemFinder::unblocked(int task, quint64 step)
{
    const auto it = m_blockedSince.find(task);
    if (it == m_blockedSince.end()) return;
    const double since = it->first;
    const quint64 at = it->second;
    m_blockedSince.erase(it);
    const double seconds = m_clock - since;
    if (seconds <= m_options.blockedBound) return;
    const TaskInfo& t = m_tasks[task];
    add(ProblemKind::BlockedTooLong, Severity::Warning, at, task, {}, 0,
        QStringLiteral("%1 stayed blocked %2 s of timer time (bound %3 s)%4")
            .arg(taskText(task, t.name), QString::number(seconds, 'g', 6), QString::number(m_options.blockedBound),
                 t.waitsOn.isEmpty() ? QString() : QStringLiteral(" waiting on ") + t.waitsOn),
        { step });
}

void ProblemFinder::apply(const Event& e)
{
    if (m_finished) return;
    if (m_options.enabled(ProblemKind::Deadlock)) m_promises.apply(e);
    switch (e.kind) {
    case EventKind::RunStarted:
        m_tasks[0].name = QStringLiteral("main");
        break;
    case EventKind::TaskSpawned: {
        TaskInfo& t = m_tasks[e.task];
        t.name = e.name;
        t.kind = TaskKindCode(e.code);
        break;
    }
    case EventKind::FramePushed:
        m_depth[e.task] = e.index + 1;
        break;
    case EventKind::FramePopped:
        m_depth[e.task] = e.index;
        break;
    case EventKind::EffectHandled:
        handled(e);
        if (e.name == QLatin1String("GetTime()") && HandledHow(e.code) == HandledHow::Resumed
            && e.value.metaType().id() == QMetaType::QDateTime) {
            // the run's clock, read: timer time follows it from here
            const double now = double(e.value.toDateTime().toMSecsSinceEpoch()) / 1000.0;
            if (!m_clockOffset) m_clockOffset = now - m_clock;
            advanceClock(now - *m_clockOffset);
        }
        break;
    case EventKind::ErrorCaught:
        // the machine watched the Err a Safe gave a program: 3 says it finished without a look
        if (e.code == 3 && m_options.enabled(ProblemKind::DiscardedSafeError)) {
            const quint64 caught = e.value.toULongLong();
            add(ProblemKind::DiscardedSafeError, Severity::Warning, caught, e.task,
                e.file ? QString::fromUtf8(e.file) : QString(), e.line,
                QStringLiteral("Safe caught %1: %2 in %3 at step %4, and the program it went to finished without "
                               "looking at it (is_ok, is_err, value, error, …)")
                    .arg(e.name, e.text, taskText(e.task, m_tasks.value(e.task).name))
                    .arg(caught),
                { e.step });
        }
        break;
    case EventKind::TaskStateChanged: {
        TaskInfo& t = m_tasks[e.task];
        const TaskStateCode before = t.state;
        t.state = TaskStateCode(e.code);
        if (t.state == TaskStateCode::Sleeping) {
            if (const auto d = m_delay.find(e.task); d != m_delay.end()) {
                m_wakeAt.insert(e.task, m_clock + *d);
                m_delay.erase(d);
            }
        } else if (before == TaskStateCode::Sleeping) {
            if (const auto w = m_wakeAt.find(e.task); w != m_wakeAt.end()) {
                advanceClock(*w);
                m_wakeAt.erase(w);
            }
        }
        if (t.state == TaskStateCode::Blocked || t.state == TaskStateCode::Awaiting) {
            if (!m_blockedSince.contains(e.task)) m_blockedSince.insert(e.task, { m_clock, e.step });
        } else {
            unblocked(e.task, e.step);
        }
        t.waitsOn = e.name;
        if (!e.name.isEmpty()) {
            t.blockedAt = e.step;
            noteWaited(e.name, e);
        }
        break;
    }
    case EventKind::EffectYielded:
        m_handling[e.task].append(
            { e.name, {}, m_depth.value(e.task), e.step, e.file ? QString::fromUtf8(e.file) : QString(), e.line });
        if (e.text == QLatin1String("Delay")) {
            m_delay.insert(e.task, e.value.toMap().value(QStringLiteral("seconds")).toDouble());
        } else if (e.text == QLatin1String("WaitUntil") && m_clockOffset) {
            const QDateTime target = e.value.toMap().value(QStringLiteral("target")).toDateTime();
            if (target.isValid())
                m_delay.insert(e.task, double(target.toMSecsSinceEpoch()) / 1000.0 - *m_clockOffset - m_clock);
        }
        if (isWaitLabel(e.name)) {
            noteWaited(e.name, e);
        } else if (e.text == QLatin1String("CompletePromise") || e.text == QLatin1String("FailPromise")) {
            for (const WaitTarget& w : parseWaitLabel(e.name))
                if (w.kind != WaitTarget::Kind::Task) m_promiseDone.insert(w.id);
        } else if (e.text == QLatin1String("Get") || e.text == QLatin1String("Modify")) {
            m_readLabels.insert(e.name);
        }
        break;
    case EventKind::StoreWrite:
        if (!e.name.startsWith(QLatin1String("__")) && !m_written.contains(e.name))
            m_written.insert(e.name, { e.step, e.task, e.file ? QString::fromUtf8(e.file) : QString(), e.line });
        break;
    case EventKind::LogAppended: {
        m_logEntries += e.value.metaType().id() == QMetaType::QVariantList ? e.value.toList().size() : 1;
        if (!m_logReported && m_logEntries > m_options.logBound) {
            m_logReported = true;
            add(ProblemKind::LogTooLong, Severity::Warning, e.step, e.task,
                e.file ? QString::fromUtf8(e.file) : QString(), e.line,
                QStringLiteral("the log passed %1 entries").arg(m_options.logBound));
        }
        break;
    }
    case EventKind::ErrorRaised: {
        TaskInfo& t = m_tasks[e.task];
        t.error = e.name + QStringLiteral(": ") + e.text;
        t.errorFile = e.file ? QString::fromUtf8(e.file) : QString();
        t.errorLine = e.line;
        if (!m_deadlockReported && e.name == QLatin1String("DeadlockError")) deadlock(e);
        break;
    }
    case EventKind::TaskFinished: {
        unblocked(e.task, e.step);
        if (const auto open = m_handling.find(e.task); open != m_handling.end()) {
            for (const Handling& h : std::as_const(*open))
                if (!h.handler.isEmpty() && m_options.enabled(ProblemKind::UnresumedHandler))
                    unresumed(e.task, h,
                              QStringLiteral("its task ended (%1) while the handler still ran")
                                  .arg(QString::fromLatin1(taskStateCodeName(TaskStateCode(e.code)))),
                              e.step);
            m_handling.erase(open);
        }
        TaskInfo& t = m_tasks[e.task];
        t.finished = true;
        t.state = TaskStateCode(e.code);
        t.finishedAt = e.step;
        if (t.state == TaskStateCode::Failed) t.failedAt = e.step;
        if (t.state == TaskStateCode::Cancelled) {
            QStringList waiters;
            QList<quint64> related;
            for (auto it = m_tasks.cbegin(); it != m_tasks.cend(); ++it) {
                if (it->finished || it.key() == e.task) continue;
                for (const WaitTarget& w : parseWaitLabel(it->waitsOn))
                    if (w.kind == WaitTarget::Kind::Task && w.id == e.task) {
                        waiters.append(taskText(it.key(), it->name));
                        related.append(it->blockedAt);
                    }
            }
            if (!waiters.isEmpty()) {
                waiters.sort();
                add(ProblemKind::CancelledWhileAwaited, Severity::Warning, e.step, e.task,
                    e.file ? QString::fromUtf8(e.file) : QString(), e.line,
                    QStringLiteral("%1 was cancelled while %2 waited on it")
                        .arg(taskText(e.task, t.name), waiters.join(QStringLiteral(", "))),
                    related);
            }
        }
        t.waitsOn.clear();
        break;
    }
    case EventKind::RunFinished:
        finish();
        break;
    default:
        break;
    }
}

void ProblemFinder::finish()
{
    if (m_finished) return;
    m_finished = true;
    // tasks still blocked when the events end (a truncated trace, a stopped run)
    QList<int> blocked = m_blockedSince.keys();
    std::sort(blocked.begin(), blocked.end());
    for (int id : blocked)
        unblocked(id, m_tasks.value(id).blockedAt);
    QList<int> ids = m_tasks.keys();
    std::sort(ids.begin(), ids.end());
    for (int id : ids) {
        const TaskInfo& t = m_tasks[id];
        if (t.kind != TaskKindCode::Spawned) {
            if (!t.finished && t.kind == TaskKindCode::Main && !t.name.isEmpty())
                add(ProblemKind::UnfinishedTask, Severity::Warning, t.blockedAt, id, {}, 0,
                    QStringLiteral("%1 had not finished when the events ended").arg(taskText(id, t.name)));
            continue;
        }
        if (!t.finished) {
            add(ProblemKind::UnfinishedTask, Severity::Warning, t.blockedAt, id, {}, 0,
                QStringLiteral("%1 had not finished when the events ended%2")
                    .arg(taskText(id, t.name),
                         t.waitsOn.isEmpty() ? QString() : QStringLiteral(" (it waits on ") + t.waitsOn + u')'));
        } else if (t.state == TaskStateCode::Failed && !t.waitedOn) {
            add(ProblemKind::UnobservedFailure, Severity::Warning, t.failedAt, id, t.errorFile, t.errorLine,
                QStringLiteral("%1 failed and nobody waited on it: %2").arg(taskText(id, t.name), t.error));
        } else if (t.state == TaskStateCode::Done && !t.waitedOn) {
            add(ProblemKind::NeverWaited, Severity::Info, t.finishedAt, id, {}, 0,
                QStringLiteral("%1 finished and no Wait, Gather or Race named it").arg(taskText(id, t.name)));
        }
    }
    QList<int> promises = m_promiseWaited.keys();
    std::sort(promises.begin(), promises.end());
    for (int id : promises) {
        if (m_promiseDone.contains(id)) continue;
        const Site& s = m_promiseWaited[id];
        add(ProblemKind::UncompletedPromise, Severity::Warning, s.step, s.task, s.file, s.line,
            QStringLiteral("promise %1 was waited on by %2 and nobody completed or failed it")
                .arg(QString::number(id), taskText(s.task, m_tasks.value(s.task).name)));
    }
    QStringList keys = m_written.keys();
    keys.sort();
    for (const QString& key : keys) {
        const QString r = repr(key);
        if (m_readLabels.contains(QStringLiteral("Get(") + r + u')')
            || m_readLabels.contains(QStringLiteral("Modify(") + r + u')'))
            continue;
        const Site& s = m_written[key];
        add(ProblemKind::UnreadStoreKey, Severity::Info, s.step, s.task, s.file, s.line,
            QStringLiteral("store key %1 was written and never read").arg(r));
    }
    std::stable_sort(m_problems.begin(), m_problems.end(),
                     [](const Problem& a, const Problem& b) { return a.step < b.step; });
}

QList<Problem> problemsOfResult(const RuntimeResultBase& result)
{
    QList<Problem> out;
    if (result.is_err() && result.data()->rootCause.type_name() == QLatin1String("DeadlockError")) {
        Problem p;
        p.kind = ProblemKind::Deadlock;
        p.severity = Severity::Error;
        p.task = result.error_context().task;
        p.message = result.data()->rootCause.message();
        if (!result.wait_cycle().isEmpty()) p.message += QStringLiteral("; cycle: ") + result.wait_cycle();
        out.append(p);
    }
    for (const UnobservedFailure& u : result.unobserved_failures()) {
        Problem p;
        p.kind = ProblemKind::UnobservedFailure;
        p.severity = Severity::Warning;
        p.task = u.task;
        p.message
            = QStringLiteral("%1 failed and nobody waited on it: %2").arg(taskText(u.task, u.name), u.error.describe());
        out.append(p);
    }
    return out;
}

std::optional<QList<Problem>> findProblems(TraceReader& reader, const ProblemOptions& options,
                                           const std::function<bool(quint64, quint64)>& progress, QString* error)
{
    ProblemFinder finder(options);
    const quint64 total = reader.eventCount();
    quint64 done = 0;
    bool cancelled = false;
    const bool ok = reader.forEachEvent(0, total, [&](const Event& e) {
        finder.apply(e);
        if (progress && (++done == 1 || done % 65536 == 0) && !progress(done, total)) {
            cancelled = true;
            return false;
        }
        return true;
    });
    if (!ok) {
        if (error) *error = reader.errorString();
        return std::nullopt;
    }
    if (cancelled) {
        if (error) *error = QStringLiteral("cancelled");
        return std::nullopt;
    }
    finder.finish();
    if (progress) progress(total, total);
    return finder.problems();
}

} // namespace doeff
