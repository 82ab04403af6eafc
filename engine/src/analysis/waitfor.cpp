#include <doeff/errors.h>
#include <doeff/handles.h>
#include <doeff/runtimeresult.h>
#include <doeff/session.h>
#include <doeff/trace.h>
#include <doeff/value.h>
#include <doeff/waitfor.h>

#include "waitcycles.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>
#include <unordered_map>

namespace doeff {

namespace {

constexpr qsizetype kCyclesKept = 8;

QString taskText(int id, const QString& name)
{
    return QStringLiteral("task %1 '%2'").arg(QString::number(id), name);
}

QString shortFile(const QString& file)
{
    return QFileInfo(file).fileName();
}

/// `task 3 'x'`, `promise 2`, `external promise 4`, in the order they appear.
const QRegularExpression& itemPattern()
{
    static const QRegularExpression re(QStringLiteral(R"((external promise|promise|task) (\d+)(?: '([^']*)')?)"));
    return re;
}

void addItems(const QString& text, QList<WaitTarget>& out)
{
    auto it = itemPattern().globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch m = it.next();
        WaitTarget t;
        const QString what = m.captured(1);
        t.kind = what == QLatin1String("task") ? WaitTarget::Kind::Task
            : what == QLatin1String("promise") ? WaitTarget::Kind::Promise
                                               : WaitTarget::Kind::ExternalPromise;
        t.id = m.captured(2).toInt();
        t.name = m.captured(3);
        out.append(t);
    }
}

} // namespace

QString WaitTarget::describe() const
{
    switch (kind) {
    case Kind::Task:
        return taskText(id, name);
    case Kind::Promise:
        return QStringLiteral("promise %1").arg(id);
    case Kind::ExternalPromise:
        return id < 0 ? QStringLiteral("external promise") : QStringLiteral("external promise %1").arg(id);
    case Kind::Timer:
        return QStringLiteral("timer");
    case Kind::Await:
        return QStringLiteral("Await");
    case Kind::LazyAsk:
        return QStringLiteral("lazy Ask evaluated by ") + taskText(id, name);
    }
    return {};
}

QList<WaitTarget> parseWaitLabel(const QString& label)
{
    QList<WaitTarget> out;
    static const QString lazyMark = QStringLiteral(" (evaluated by task ");
    if (label.isEmpty()) return out;
    if (const qsizetype at = label.lastIndexOf(lazyMark); at >= 0 && label.endsWith(u')')) {
        QList<WaitTarget> items;
        addItems(label.mid(at + 2, label.size() - at - 3), items);
        if (!items.isEmpty()) {
            WaitTarget t = items.front();
            t.kind = WaitTarget::Kind::LazyAsk;
            out.append(t);
        }
        return out;
    }
    if (label == QLatin1String("timer")) {
        out.append({ WaitTarget::Kind::Timer, -1, {} });
        return out;
    }
    if (label.startsWith(QLatin1String("Await("))) {
        out.append({ WaitTarget::Kind::Await, -1, {} });
        return out;
    }
    if (label == QLatin1String("external promise")) {
        out.append({ WaitTarget::Kind::ExternalPromise, -1, {} });
        return out;
    }
    addItems(label, out);
    return out;
}

// ---- promise origins -------------------------------------------------------------------------

void PromiseOrigins::apply(const Event& e)
{
    ++m_events;
    if (e.kind == EventKind::TaskStateChanged) {
        const auto state = TaskStateCode(e.code);
        if (state == TaskStateCode::Blocked || state == TaskStateCode::Awaiting || state == TaskStateCode::Sleeping)
            m_lastBlocked = m_events;
        return;
    }
    if (e.kind == EventKind::ErrorRaised && m_deadlockEvents < 0 && e.name == QLatin1String("DeadlockError")) {
        m_deadlockEvents = m_lastBlocked;
        return;
    }
    if (e.kind == EventKind::EffectYielded) {
        const bool plain = e.text == QLatin1String("CreatePromise");
        const bool external = e.text == QLatin1String("CreateExternalPromise");
        if (!plain && !external) return;
        m_pending.insert(e.task, { e.file ? QString::fromUtf8(e.file) : QString(), e.line, e.step, external });
        return;
    }
    if (e.kind != EventKind::EffectHandled || HandledHow(e.code) != HandledHow::Resumed) return;
    auto it = m_pending.find(e.task);
    if (it == m_pending.end()) return;
    if (!e.name.startsWith(QLatin1String("CreatePromise("))
        && !e.name.startsWith(QLatin1String("CreateExternalPromise(")))
        return;
    int id = -1;
    if (e.value.canConvert<Waitable>()) {
        id = e.value.value<Waitable>().id();
    } else {
        // a trace keeps the handle as its text (`promise 3`)
        static const QRegularExpression re(QStringLiteral(R"(promise (\d+))"));
        const QRegularExpressionMatch m = re.match(e.value.toString());
        if (m.hasMatch()) id = m.captured(1).toInt();
    }
    if (id < 0) id = m_counter + 1; // the machine numbers promises in creation order
    m_counter = std::max(m_counter, id);
    m_origins.insert(id, { id, it->external, e.task, it->file, it->line, it->step });
    m_pending.erase(it);
}

bool PromiseOrigins::scan(TraceReader& reader, QString* error, const std::function<bool(quint64, quint64)>& progress)
{
    const quint64 total = reader.eventCount();
    quint64 done = 0;
    bool cancelled = false;
    const bool ok = reader.forEachEvent(0, total, [&](const Event& e) {
        apply(e);
        if (progress && (++done % 65536) == 0 && !progress(done, total)) {
            cancelled = true;
            return false;
        }
        return true;
    });
    if (!ok) {
        if (error) *error = reader.errorString();
        return false;
    }
    if (cancelled) {
        if (error) *error = QStringLiteral("cancelled");
        return false;
    }
    if (progress) progress(total, total);
    return true;
}

// ---- the graph -------------------------------------------------------------------------------

const WaitForTask* WaitForGraph::task(int id) const
{
    auto it = std::lower_bound(tasks.begin(), tasks.end(), id, [](const WaitForTask& t, int v) { return t.id < v; });
    return it != tasks.end() && it->id == id ? &*it : nullptr;
}

const WaitForPromise* WaitForGraph::promise(int id) const
{
    auto it = std::lower_bound(promises.begin(), promises.end(), id,
                               [](const WaitForPromise& p, int v) { return p.id < v; });
    return it != promises.end() && it->id == id ? &*it : nullptr;
}

namespace {

/// Fills promises (from the tasks' waits) and cycles (tasks waiting on tasks, lazy Asks on
/// their evaluators; a promise's completers are unknown, so it joins no cycle).
void finish(WaitForGraph& g, const PromiseOrigins* origins)
{
    std::sort(g.tasks.begin(), g.tasks.end(), [](const WaitForTask& a, const WaitForTask& b) { return a.id < b.id; });
    QMap<int, WaitForPromise> promises;
    std::unordered_map<int, int> nodeOf;
    for (qsizetype i = 0; i < g.tasks.size(); ++i)
        nodeOf.emplace(g.tasks[i].id, int(i));
    std::vector<std::vector<int>> out(std::size_t(g.tasks.size()));
    for (qsizetype i = 0; i < g.tasks.size(); ++i) {
        const WaitForTask& t = g.tasks[i];
        for (const WaitTarget& w : t.waits) {
            switch (w.kind) {
            case WaitTarget::Kind::Task:
            case WaitTarget::Kind::LazyAsk:
                if (auto it = nodeOf.find(w.id); it != nodeOf.end() && g.tasks[it->second].blocked())
                    out[std::size_t(i)].push_back(it->second);
                break;
            case WaitTarget::Kind::Promise:
            case WaitTarget::Kind::ExternalPromise: {
                if (w.id < 0) break;
                WaitForPromise& p = promises[w.id];
                p.id = w.id;
                p.external = w.kind == WaitTarget::Kind::ExternalPromise;
                if (!p.waiters.contains(t.id)) p.waiters.append(t.id);
                break;
            }
            case WaitTarget::Kind::Timer:
            case WaitTarget::Kind::Await:
                break;
            }
        }
    }
    for (WaitForPromise& p : promises) {
        if (!origins) continue;
        auto it = origins->origins().find(p.id);
        if (it == origins->origins().end() || it->step > g.step) continue;
        p.originKnown = true;
        p.external = p.external || it->external;
        p.creator = it->task;
        if (const WaitForTask* c = g.task(it->task)) p.creatorName = c->name;
        p.file = it->file;
        p.line = it->line;
        p.step = it->step;
    }
    g.promises = promises.values();
    for (const QList<int>& c : detail::findWaitCycles(out, kCyclesKept)) {
        WaitForCycle cycle;
        QStringList names;
        for (int node : c) {
            cycle.tasks.append(g.tasks[node].id);
            names.append(taskText(g.tasks[node].id, g.tasks[node].name));
        }
        cycle.text = DeadlockReport::cycleLine(names);
        g.cycles.append(cycle);
    }
}

} // namespace

WaitForGraph waitForGraph(const SessionState& state, const PromiseOrigins* origins)
{
    WaitForGraph g;
    g.step = state.step();
    g.tasks.reserve(state.tasks().size());
    for (const SessionTask& st : state.tasks()) {
        WaitForTask t;
        t.id = st.id;
        t.name = st.name;
        t.state = st.state;
        for (const SessionFrame& f : st.k) {
            if (f.kind != FrameKindCode::Program) continue;
            if (t.program.isEmpty()) t.program = f.function;
            if (!f.file.isEmpty()) {
                t.file = f.file;
                t.line = f.line;
            }
        }
        const bool waiting = st.state == TaskStateCode::Blocked || st.state == TaskStateCode::Sleeping
            || st.state == TaskStateCode::Awaiting;
        if (waiting) {
            t.waitsOn = st.waitsOn;
            t.waits = parseWaitLabel(st.waitsOn);
        }
        g.tasks.append(std::move(t));
    }
    finish(g, origins);
    return g;
}

std::optional<WaitForGraph> waitForGraphAt(TraceReader& reader, quint64 step, const PromiseOrigins* origins,
                                           QString* error)
{
    const std::shared_ptr<const SessionState> state = reader.stateAt(step);
    if (!state) {
        if (error) *error = reader.errorString();
        return std::nullopt;
    }
    return waitForGraph(*state, origins);
}

std::optional<WaitForGraph> waitForGraphAtEvent(TraceReader& reader, quint64 events, const PromiseOrigins* origins,
                                                QString* error)
{
    const std::shared_ptr<const SessionState> state = reader.stateAtEvent(events);
    if (!state) {
        if (error) *error = reader.errorString();
        return std::nullopt;
    }
    return waitForGraph(*state, origins);
}

WaitForGraph waitForGraphOfResult(const RuntimeResultBase& result)
{
    WaitForGraph g;
    g.note = QStringLiteral("from a saved result's deadlock report");
    if (result.is_ok()) return g;
    const ErrorInfo& root = result.data()->rootCause;
    if (root.type_name() != QLatin1String("DeadlockError")) return g;
    static const QString head = QStringLiteral("Deadlock: no task can make progress: ");
    const QString message = root.message();
    if (!message.startsWith(head)) return g;
    // `task <id> '<name>' waits on <what>` entries joined by `; ` (a bounded message lists a
    // count and a few entries; those are what it gives)
    static const QRegularExpression entry(QStringLiteral(R"(^task (\d+) '(.*?)' waits on (.*)$)"));
    for (const QString& part : message.mid(head.size()).split(QStringLiteral("; "))) {
        const QRegularExpressionMatch m = entry.match(part);
        if (!m.hasMatch()) continue;
        WaitForTask t;
        t.id = m.captured(1).toInt();
        t.name = m.captured(2);
        t.state = TaskStateCode::Blocked;
        t.waitsOn = m.captured(3);
        t.waits = parseWaitLabel(t.waitsOn);
        if (!g.task(t.id)) {
            g.tasks.append(t);
            std::sort(g.tasks.begin(), g.tasks.end(),
                      [](const WaitForTask& a, const WaitForTask& b) { return a.id < b.id; });
        }
    }
    finish(g, nullptr);
    if (g.cycles.isEmpty() && !result.wait_cycle().isEmpty()) {
        // the message lists only the first entries of a large deadlock: the result keeps the ring
        for (const QString& text : result.wait_cycle().split(QStringLiteral("; "))) {
            WaitForCycle c;
            c.text = text;
            g.cycles.append(c);
        }
    }
    return g;
}

QString WaitForGraph::text() const
{
    QString s;
    qsizetype blocked = 0;
    for (const WaitForTask& t : tasks)
        if (t.blocked()) ++blocked;
    s += note.isEmpty() ? QStringLiteral("wait-for graph at step %1: ").arg(step)
                        : QStringLiteral("wait-for graph (%1): ").arg(note);
    s += QStringLiteral("%1 tasks, %2 waiting, %3 promises waited on, %4 cycles\n")
             .arg(tasks.size())
             .arg(blocked)
             .arg(promises.size())
             .arg(cycles.size());
    for (const WaitForTask& t : tasks) {
        if (!t.blocked()) continue;
        s += taskText(t.id, t.name) + QStringLiteral(" [") + QString::fromLatin1(taskStateCodeName(t.state))
            + QStringLiteral("]");
        if (!t.program.isEmpty()) s += QStringLiteral(" in ") + t.program;
        if (!t.file.isEmpty()) s += QStringLiteral(" at %1:%2").arg(shortFile(t.file)).arg(t.line);
        s += QStringLiteral(" waits on ") + t.waitsOn + QStringLiteral("\n");
    }
    for (const WaitForPromise& p : promises) {
        s += (p.external ? QStringLiteral("external promise %1") : QStringLiteral("promise %1")).arg(p.id);
        if (p.originKnown) {
            s += QStringLiteral(": created by ")
                + taskText(p.creator, p.creatorName.isEmpty() ? QStringLiteral("?") : p.creatorName);
            if (!p.file.isEmpty()) s += QStringLiteral(" at %1:%2").arg(shortFile(p.file)).arg(p.line);
            s += QStringLiteral(" (step %1)").arg(p.step);
        } else {
            s += QStringLiteral(": creator unknown");
        }
        QStringList waiters;
        for (int id : p.waiters)
            waiters.append(taskText(id, task(id) ? task(id)->name : QString()));
        s += QStringLiteral("; waited on by ") + waiters.join(QStringLiteral(", "));
        s += QStringLiteral("; could be completed by: ");
        if (!p.completersKnown) {
            s += QStringLiteral("unknown (the machine does not track who holds a promise)");
        } else {
            QStringList names;
            for (int id : p.completers)
                names.append(taskText(id, task(id) ? task(id)->name : QString()));
            s += names.isEmpty() ? QStringLiteral("no live task") : names.join(QStringLiteral(", "));
        }
        s += QStringLiteral("\n");
    }
    for (const WaitForCycle& c : cycles)
        s += QStringLiteral("cycle: ") + c.text + QStringLiteral("\n");
    return s;
}

} // namespace doeff
