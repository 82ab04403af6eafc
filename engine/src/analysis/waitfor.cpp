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

// ---- promise origins and holders ------------------------------------------------------------

const char* holdHowName(HoldHow how)
{
    switch (how) {
    case HoldHow::Created:
        return "created it";
    case HoldHow::Named:
        return "named it in an effect";
    case HoldHow::Received:
        return "received it in an answer";
    case HoldHow::Env:
        return "has it in its env";
    case HoldHow::Store:
        return "can read it from its store";
    case HoldHow::Spawned:
        return "spawned by a holder after it held it";
    }
    return "?";
}

namespace {

/// Effects whose label names the promises a task holds.
bool namesHandles(const QString& effect)
{
    return effect == QLatin1String("Wait") || effect == QLatin1String("Gather") || effect == QLatin1String("Race")
        || effect == QLatin1String("CompletePromise") || effect == QLatin1String("FailPromise");
}

/// Every promise handle in a value: a Waitable (live), or, in a trace, where handles are kept
/// as their text, `<Future of promise 3>` / `<ExternalPromise 4>` inside any value the trace
/// could not carry as data. Lists and maps are followed up to `budget` items.
void promisesIn(const QVariant& v, QList<int>& out, qsizetype& budget)
{
    if (--budget < 0) return;
    const int type = v.metaType().id();
    if (type < QMetaType::User) {
        if (type == QMetaType::QVariantList) {
            for (const QVariant& x : *static_cast<const QVariantList*>(v.constData()))
                promisesIn(x, out, budget);
        } else if (type == QMetaType::QVariantMap) {
            for (const QVariant& x : *static_cast<const QVariantMap*>(v.constData()))
                promisesIn(x, out, budget);
        } else if (type == QMetaType::QVariantHash) {
            for (const QVariant& x : *static_cast<const QVariantHash*>(v.constData()))
                promisesIn(x, out, budget);
        }
        return;
    }
    if (type == qMetaTypeId<Waitable>()) {
        const Waitable* w = static_cast<const Waitable*>(v.constData());
        if (w->kind() == Waitable::Kind::Future) out.append(w->id());
        return;
    }
    static const QRegularExpression handle(QStringLiteral(R"(<(?:Future of promise|ExternalPromise) (\d+)>)"));
    auto it = handle.globalMatch(repr(v));
    while (it.hasNext())
        out.append(it.next().captured(1).toInt());
}

} // namespace

void PromiseOrigins::hold(int promise, int task, HoldHow how, const Event& e, int via)
{
    if (promise < 0 || task < 0) return;
    const quint64 key
        = (quint64(quint32(promise)) << 32) | (quint64(quint32(task)) << 1) | (how == HoldHow::Store ? 1u : 0u);
    if (m_held.contains(key)) return;
    m_held.insert(key);
    m_holders[promise].append({ task, how, e.step, m_events, via });
}

void PromiseOrigins::holdValues(const QVariant& value, int task, HoldHow how, const Event& e)
{
    if (!m_sawPromise || !value.isValid()) return;
    QList<int> ids;
    qsizetype budget = 4096;
    promisesIn(value, ids, budget);
    for (int id : ids)
        hold(id, how == HoldHow::Store ? m_spawns.value(task, Spawn { -1, 0, 0, task }).storeOwner : task, how, e,
             how == HoldHow::Store ? task : -1);
}

void PromiseOrigins::apply(const Event& e)
{
    ++m_events;
    switch (e.kind) {
    case EventKind::TaskStateChanged: {
        const auto state = TaskStateCode(e.code);
        if (state == TaskStateCode::Blocked || state == TaskStateCode::Awaiting || state == TaskStateCode::Sleeping)
            m_lastBlocked = m_events;
        return;
    }
    case EventKind::ErrorRaised:
        if (m_deadlockEvents < 0 && e.name == QLatin1String("DeadlockError")) m_deadlockEvents = m_lastBlocked;
        return;
    case EventKind::TaskSpawned: {
        if (e.task < 0) return;
        Spawn s { e.index, m_events, e.step, e.task };
        if (TaskKindCode(e.code) == TaskKindCode::Branch && e.index >= 0)
            s.storeOwner = m_spawns.value(e.index, Spawn { -1, 0, 0, e.index }).storeOwner;
        m_spawns.insert(e.task, s);
        if (e.index >= 0) m_children[e.index].append(e.task);
        if (s.storeOwner != e.task) m_storeUsers[s.storeOwner].append(e.task);
        holdValues(e.value, e.task, HoldHow::Env, e);
        return;
    }
    case EventKind::EnvEntered:
        holdValues(e.value, e.task, HoldHow::Env, e);
        return;
    case EventKind::StoreWrite:
        holdValues(e.value, e.task, HoldHow::Store, e);
        return;
    case EventKind::EffectYielded: {
        const bool plain = e.text == QLatin1String("CreatePromise");
        const bool external = e.text == QLatin1String("CreateExternalPromise");
        if (plain || external) {
            m_pending.insert(e.task, { e.file ? QString::fromUtf8(e.file) : QString(), e.line, e.step, external });
        } else if (namesHandles(e.text)) {
            for (const WaitTarget& w : parseWaitLabel(e.name)) {
                if (w.kind == WaitTarget::Kind::Promise || w.kind == WaitTarget::Kind::ExternalPromise) {
                    m_sawPromise = true;
                    hold(w.id, e.task, HoldHow::Named, e);
                } else if (w.kind == WaitTarget::Kind::Task && e.text != QLatin1String("CompletePromise")) {
                    // a task's result reaches whoever waits on it (woken later, with no answer event)
                    if (const auto r = m_taskResult.constFind(w.id); r != m_taskResult.cend()) {
                        for (int id : *r)
                            hold(id, e.task, HoldHow::Received, e);
                    } else {
                        m_taskWaiters[w.id].append(e.task);
                    }
                }
            }
        }
        return;
    }
    case EventKind::TaskFinished: {
        const QList<int> waiters = m_taskWaiters.take(e.task);
        if (!m_sawPromise || TaskStateCode(e.code) != TaskStateCode::Done || !e.value.isValid()) return;
        QList<int> ids;
        qsizetype budget = 4096;
        promisesIn(e.value, ids, budget);
        if (ids.isEmpty()) return;
        m_taskResult.insert(e.task, ids);
        for (int waiter : waiters)
            for (int id : ids)
                hold(id, waiter, HoldHow::Received, e);
        return;
    }
    case EventKind::EffectHandled:
        break;
    default:
        return;
    }
    if (HandledHow(e.code) != HandledHow::Resumed) return;
    auto it = m_pending.find(e.task);
    if (it == m_pending.end()
        || (!e.name.startsWith(QLatin1String("CreatePromise("))
            && !e.name.startsWith(QLatin1String("CreateExternalPromise(")))) {
        holdValues(e.value, e.task, HoldHow::Received, e);
        return;
    }
    QList<int> ids;
    qsizetype budget = 1;
    promisesIn(e.value, ids, budget);
    int id = ids.value(0, -1);
    if (id < 0) id = m_counter + 1; // the machine numbers promises in creation order
    m_counter = std::max(m_counter, id);
    m_origins.insert(id, { id, it->external, e.task, it->file, it->line, it->step });
    m_sawPromise = true;
    hold(id, e.task, HoldHow::Created, e);
    m_pending.erase(it);
}

QList<PromiseHolder> PromiseOrigins::holders(int id, quint64 step, const std::function<bool(int)>& counts,
                                             qsizetype limit, bool* more) const
{
    if (more) *more = false;
    const auto explicitHolds = m_holders.constFind(id);
    if (explicitHolds == m_holders.cend()) return {};
    // the explicit holds (a store's: every task sharing it), then, depth first, every task a
    // holder spawned after it held the handle; a task keeps its earliest hold
    std::vector<PromiseHolder> seeds;
    for (const PromiseHolder& h : *explicitHolds) {
        if (h.step > step) break; // in event order
        seeds.push_back(h);
        if (h.how != HoldHow::Store) continue;
        for (int user : m_storeUsers.value(h.task)) {
            const Spawn& s = m_spawns[user];
            if (s.step > step) break;
            seeds.push_back({ user, HoldHow::Store, std::max(h.step, s.step), std::max(h.seq, s.seq), h.via });
        }
    }
    std::reverse(seeds.begin(), seeds.end()); // taken from the back: earliest first
    struct Children {
        const QList<int>* list;
        qsizetype next; // walked from the last spawned down
        qint64 after;
        int parent;
    };
    std::vector<Children> frames;
    QHash<int, PromiseHolder> best;
    qsizetype found = 0;
    qsizetype visits = 0;
    const qsizetype maxVisits = 16 * limit + 256;
    auto visit = [&](const PromiseHolder& h) {
        auto b = best.find(h.task);
        if (b != best.end()) {
            if (b->seq <= h.seq) return true;
            *b = h;
        } else {
            best.insert(h.task, h);
            if (counts(h.task) && ++found > limit) return false;
        }
        if (++visits > maxVisits) return false;
        if (const auto c = m_children.constFind(h.task); c != m_children.cend())
            frames.push_back({ &*c, c->size() - 1, h.seq, h.task });
        return true;
    };
    bool complete = true;
    while (complete && (!seeds.empty() || !frames.empty())) {
        if (frames.empty()) {
            complete = visit(seeds.back());
            seeds.pop_back();
            continue;
        }
        Children& f = frames.back();
        if (f.next < 0) {
            frames.pop_back();
            continue;
        }
        const int child = f.list->at(f.next--);
        const Spawn& s = m_spawns[child];
        if (s.seq <= f.after) {
            frames.pop_back();
            continue;
        }
        if (s.step > step) continue;
        complete = visit({ child, HoldHow::Spawned, s.step, s.seq, f.parent });
    }
    if (!complete && more) *more = true;
    QList<PromiseHolder> out;
    for (const PromiseHolder& h : std::as_const(best))
        if (counts(h.task)) out.append(h);
    std::sort(out.begin(), out.end(), [](const PromiseHolder& a, const PromiseHolder& b) { return a.seq > b.seq; });
    if (out.size() > limit) {
        out.resize(limit);
        if (more) *more = true;
    }
    return out;
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

QString describeHold(const PromiseHolder& h)
{
    switch (h.how) {
    case HoldHow::Spawned:
        return QStringLiteral("spawned by task %1 after it held it").arg(h.via);
    case HoldHow::Store:
        return QStringLiteral("can read it from its store, written by task %1").arg(h.via);
    default:
        return QString::fromLatin1(holdHowName(h.how));
    }
}

bool isFinished(TaskStateCode s)
{
    return s == TaskStateCode::Done || s == TaskStateCode::Failed || s == TaskStateCode::Cancelled;
}

QString promiseText(const WaitForGraph& g, const WaitForPromise& p)
{
    QString s = (p.external ? QStringLiteral("external promise %1") : QStringLiteral("promise %1")).arg(p.id);
    if (!p.originKnown) return s;
    const WaitForTask* c = g.task(p.creator);
    s += QStringLiteral(" (created by ") + taskText(p.creator, c ? c->name : QStringLiteral("?"));
    if (!p.file.isEmpty()) s += QStringLiteral(" at %1:%2").arg(shortFile(p.file)).arg(p.line);
    return s + u')';
}

/// Fills promises (from the tasks' waits, with their origins and who could complete them),
/// which tasks are stuck, and the cycles among the stuck: tasks waiting on tasks, lazy Asks on
/// their evaluators, and tasks waiting on promises only stuck tasks could complete.
void finish(WaitForGraph& g, const PromiseOrigins* origins)
{
    std::sort(g.tasks.begin(), g.tasks.end(), [](const WaitForTask& a, const WaitForTask& b) { return a.id < b.id; });
    const qsizetype nt = g.tasks.size();
    std::unordered_map<int, int> nodeOf;
    for (qsizetype i = 0; i < nt; ++i)
        nodeOf.emplace(g.tasks[i].id, int(i));
    QMap<int, WaitForPromise> promises;
    QHash<int, QSet<int>> needy; // by promise: the waiters whose wait needs it (not a Race)
    for (WaitForTask& t : g.tasks) {
        t.anyOf = t.waitsOn.startsWith(QLatin1String("Race("));
        for (const WaitTarget& w : t.waits) {
            if ((w.kind != WaitTarget::Kind::Promise && w.kind != WaitTarget::Kind::ExternalPromise) || w.id < 0)
                continue;
            WaitForPromise& p = promises[w.id];
            p.id = w.id;
            p.external = p.external || w.kind == WaitTarget::Kind::ExternalPromise;
            if (!p.waiters.contains(t.id)) p.waiters.append(t.id);
            if (!t.anyOf) needy[w.id].insert(t.id);
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
        if (p.external) continue; // completed by code outside the run
        const QSet<int> waiting = needy.value(p.id);
        const auto counts = [&](int task) {
            const auto n = nodeOf.find(task);
            return n != nodeOf.end() && !isFinished(g.tasks[n->second].state) && !waiting.contains(task);
        };
        p.completersKnown = true;
        p.completers = origins->holders(p.id, g.step, counts, WaitForPromise::kCompletersKept, &p.completersMore);
    }
    g.promises = promises.values();

    // who can make progress: tasks [0, nt), then promises. A running, ready or finished task
    // can; a waiting one when all it waits on can (any one, for a Race); a promise when one
    // of its completers can. Timers, Awaits, external promises and whatever is not known can.
    const qsizetype n = nt + g.promises.size();
    std::unordered_map<int, int> promiseNode;
    for (qsizetype i = 0; i < g.promises.size(); ++i)
        promiseNode.emplace(g.promises[i].id, int(nt + i));
    std::vector<std::vector<int>> deps(static_cast<std::size_t>(n));
    std::vector<int> need(std::size_t(n), 0);
    std::vector<char> moves(std::size_t(n), 0);
    for (qsizetype i = 0; i < nt; ++i) {
        const WaitForTask& t = g.tasks[i];
        const bool waiting = t.blocked() && !isFinished(t.state);
        bool free = !waiting || t.waits.isEmpty();
        std::vector<int>& d = deps[std::size_t(i)];
        for (const WaitTarget& w : t.waits) {
            int dep = -1;
            switch (w.kind) {
            case WaitTarget::Kind::Task:
            case WaitTarget::Kind::LazyAsk:
                if (auto it = nodeOf.find(w.id); it != nodeOf.end()) dep = it->second;
                break;
            case WaitTarget::Kind::Promise:
            case WaitTarget::Kind::ExternalPromise:
                if (auto it = promiseNode.find(w.id); it != promiseNode.end()) {
                    const WaitForPromise& p = g.promises[it->second - nt];
                    if (p.completersKnown && !p.completersMore) dep = it->second;
                }
                break;
            case WaitTarget::Kind::Timer:
            case WaitTarget::Kind::Await:
                break;
            }
            if (dep < 0) {
                if (t.anyOf) free = true;
            } else if (std::find(d.begin(), d.end(), dep) == d.end()) {
                d.push_back(dep);
            }
        }
        if (free) {
            moves[std::size_t(i)] = 1;
        } else {
            need[std::size_t(i)] = t.anyOf ? 1 : int(d.size());
            if (need[std::size_t(i)] == 0) moves[std::size_t(i)] = 1;
        }
    }
    for (qsizetype k = 0; k < g.promises.size(); ++k) {
        const WaitForPromise& p = g.promises[k];
        const std::size_t node = std::size_t(nt + k);
        if (!p.completersKnown || p.completersMore) {
            moves[node] = 1;
            continue;
        }
        for (const PromiseHolder& h : p.completers)
            deps[node].push_back(nodeOf.at(h.task));
        need[node] = 1;
    }
    std::vector<std::vector<int>> waitedBy(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < std::size_t(n); ++i)
        for (int d : deps[i])
            waitedBy[std::size_t(d)].push_back(int(i));
    std::vector<int> work;
    for (std::size_t i = 0; i < std::size_t(n); ++i)
        if (moves[i]) work.push_back(int(i));
    while (!work.empty()) {
        const int d = work.back();
        work.pop_back();
        for (int w : waitedBy[std::size_t(d)])
            if (!moves[std::size_t(w)] && --need[std::size_t(w)] == 0) {
                moves[std::size_t(w)] = 1;
                work.push_back(w);
            }
    }
    for (qsizetype i = 0; i < nt; ++i)
        g.tasks[i].stuck = !moves[std::size_t(i)];
    for (qsizetype k = 0; k < g.promises.size(); ++k)
        g.promises[k].stuck = !moves[std::size_t(nt + k)];

    // the cycles, among the stuck only
    std::vector<std::vector<int>> out(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < std::size_t(n); ++i) {
        if (moves[i]) continue;
        for (int d : deps[i])
            if (!moves[std::size_t(d)]) out[i].push_back(d);
    }
    for (QList<int> c : detail::findWaitCycles(out, kCyclesKept)) {
        // from its first task: a promise is always entered from the task waiting on it
        const auto first = std::find_if(c.begin(), c.end(), [nt](int node) { return node < nt; });
        if (first == c.end()) continue;
        std::rotate(c.begin(), first, c.end());
        WaitForCycle cycle;
        QStringList names;
        for (int node : c) {
            if (node < nt) {
                cycle.tasks.append(g.tasks[node].id);
                cycle.promises.append(-1);
                names.append(taskText(g.tasks[node].id, g.tasks[node].name));
            } else {
                const WaitForPromise& p = g.promises[node - nt];
                cycle.promises.back() = p.id;
                names.append(promiseText(g, p));
            }
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

WaitForGraph waitForGraphOfTasks(QList<WaitForTask> tasks, quint64 step, const PromiseOrigins* origins)
{
    WaitForGraph g;
    g.step = step;
    g.tasks = std::move(tasks);
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
            + (t.stuck ? QStringLiteral(", stuck]") : QStringLiteral("]"));
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
        if (p.external) {
            s += QStringLiteral("code outside the run (an external promise)");
        } else if (!p.originKnown) {
            s += QStringLiteral("unknown (its creation is not in the events, so its handle cannot be followed)");
        } else if (!p.completersKnown) {
            s += QStringLiteral("unknown");
        } else {
            constexpr qsizetype shown = 8;
            QStringList names;
            for (const PromiseHolder& h : p.completers.first(std::min(shown, p.completers.size())))
                names.append(taskText(h.task, task(h.task) ? task(h.task)->name : QString()) + QStringLiteral(" (")
                             + describeHold(h) + u')');
            if (p.completers.size() > shown || p.completersMore)
                names.append(p.completersMore ? QStringLiteral("more (so it is taken as completable)")
                                              : QStringLiteral("%1 more").arg(p.completers.size() - shown));
            s += names.isEmpty() ? QStringLiteral("no live task") : names.join(QStringLiteral(", "));
        }
        s += QStringLiteral("\n");
    }
    for (const WaitForCycle& c : cycles)
        s += QStringLiteral("cycle: ") + c.text + QStringLiteral("\n");
    return s;
}

} // namespace doeff
