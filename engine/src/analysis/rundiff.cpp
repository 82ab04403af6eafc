#include <doeff/rundiff.h>
#include <doeff/session.h>
#include <doeff/trace.h>

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QMap>
#include <QSet>

#include <algorithm>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

namespace doeff {

namespace {

/// A value as compact JSON (lists and maps included); the plain text for strings and numbers.
QString valueText(const QVariant& v)
{
    if (!v.isValid()) return QStringLiteral("(none)");
    const QJsonValue j = QJsonValue::fromVariant(v);
    if (j.isArray()) return QString::fromUtf8(QJsonDocument(j.toArray()).toJson(QJsonDocument::Compact));
    if (j.isObject()) return QString::fromUtf8(QJsonDocument(j.toObject()).toJson(QJsonDocument::Compact));
    if (j.isNull() && v.metaType().id() == QMetaType::Nullptr) return QStringLiteral("null");
    return v.toString();
}

/// Something an effect did after it was yielded, in its task: a store write, a log, an error.
struct Write {
    QString what;
    QVariant value;
    bool operator==(const Write& o) const { return what == o.what && value == o.value; }
};

/// One effect of one task, with what followed it in that task until the task's next effect.
struct Rec {
    quint64 event = 0;
    quint64 step = 0;
    int task = 0; ///< the task's id in its own run
    int lane = 0; ///< the task's lane: the same in both runs for tasks that match (TaskMatcher)
    QString effect; ///< the effect's name, or RunStarted / TaskFinished / RunFinished
    QString label;
    QVariant fields;
    int how = -1; ///< HandledHow of its last handling event (-1: never handled)
    QString handler;
    QVariant result;
    QList<Write> writes;

    QString resultText() const
    {
        if (how < 0) return {};
        QString s = QString::fromLatin1(handledHowName(HandledHow(how)));
        if (!handler.isEmpty()) s += QStringLiteral(" by %1").arg(handler);
        if (result.isValid()) s += QStringLiteral(": %1").arg(valueText(result));
        return s;
    }
    bool sameWhat(const Rec& o) const { return effect == o.effect && fields == o.fields && label == o.label; }
    /// The first part in which two effects differ; empty when they agree.
    QString differingField(const Rec& o) const
    {
        if (effect != o.effect) return QStringLiteral("effect");
        if (fields != o.fields) return QStringLiteral("fields");
        if (label != o.label) return QStringLiteral("label");
        if (how != o.how || handler != o.handler || result != o.result) return QStringLiteral("result");
        if (writes != o.writes) return QStringLiteral("writes");
        return {};
    }
    QString describe() const
    {
        QString s = QStringLiteral("%1 step %2 ").arg(label.isEmpty() ? effect : label).arg(step);
        s += task < 0 ? QStringLiteral("(the run)") : QStringLiteral("task %1").arg(task);
        if (effect == QLatin1StringView("RunStarted"))
            return s + QStringLiteral(" store=%1 env=%2").arg(valueText(fields), valueText(result));
        if (fields.isValid()) s += QStringLiteral(" fields=%1").arg(valueText(fields));
        const QString r = resultText();
        if (!r.isEmpty())
            s += QStringLiteral(" → %1").arg(r);
        else if (result.isValid())
            s += QStringLiteral(" → %1").arg(valueText(result));
        if (!writes.isEmpty()) {
            QStringList w;
            for (const Write& x : writes)
                w << QStringLiteral("%1=%2").arg(x.what, valueText(x.value));
            s += QStringLiteral("; %1").arg(w.join(QStringLiteral(", ")));
        }
        return s;
    }
};

/// Where the events of one run come from: a list in memory or a trace, streamed a chunk at a
/// time.
class Source {
public:
    virtual ~Source() = default;
    virtual quint64 count() const = 0;
    /// Calls `fn` with events [from, to) and their indexes; false on a malformed trace.
    virtual bool forEach(quint64 from, quint64 to, const std::function<void(const Event&, quint64)>& fn) = 0;
    QString error;
};

class ListSource final : public Source {
public:
    explicit ListSource(const QList<Event>& events)
        : m_events(events)
    { }
    quint64 count() const override { return quint64(m_events.size()); }
    bool forEach(quint64 from, quint64 to, const std::function<void(const Event&, quint64)>& fn) override
    {
        for (quint64 i = from; i < to; ++i)
            fn(m_events[qsizetype(i)], i);
        return true;
    }

private:
    const QList<Event>& m_events;
};

class TraceSource final : public Source {
public:
    explicit TraceSource(TraceReader& reader)
        : m_reader(reader)
    { }
    quint64 count() const override { return m_reader.eventCount(); }
    bool forEach(quint64 from, quint64 to, const std::function<void(const Event&, quint64)>& fn) override
    {
        quint64 i = from;
        if (!m_reader.forEachEvent(from, to,
                                   [&](const Event& e) {
                                       fn(e, i++);
                                       return true;
                                   })
            || i != to) {
            error = m_reader.errorString();
            return false;
        }
        return true;
    }

private:
    TraceReader& m_reader;
};

/// One run's side of the alignment: the effect being collected per task, and the effects
/// not yet matched with the other run's.
struct Side {
    Source* source = nullptr;
    quint64 next = 0; ///< the next event to read
    quint64 step = 0; ///< the step of the last event read
    bool ended = false;
};

/// One task in both runs: per run, the effect whose writes are still being collected and the
/// finished effects awaiting their match.
struct Lane {
    std::optional<Rec> open[2];
    std::deque<Rec> queue[2];
};

/// Which task of one run is which task of the other: tasks are matched by where they come
/// from, not by their ids, so that two runs that spawn in another order (another build, the
/// other runner, an extra task) still compare each task with its counterpart. The main task
/// matches the main task, and the n-th task named N that a task spawned matches the n-th task
/// named N that its match spawned. A task whose spawn was not read (it lies in a skipped
/// byte-identical prefix, where the ids are the same in both runs) keeps its id as its lane.
class TaskMatcher {
public:
    int lane(int which, int task)
    {
        // events of one task come in runs: remember the last one asked for
        if (task != m_lastTask[which]) {
            m_lastTask[which] = task;
            m_lastLane[which] = m_lanes[which].value(task, task);
        }
        return m_lastLane[which];
    }
    void spawned(int which, int child, int parent, TaskKindCode kind, const QString& name)
    {
        m_lastTask[which] = noTask;
        if (kind == TaskKindCode::Main) {
            m_lanes[which].insert(child, mainLane);
            return;
        }
        QString origin = QString::number(lane(which, parent)) + u'/' + name;
        origin += u'#' + QString::number(m_spawned[which][origin]++);
        auto it = m_byOrigin.constFind(origin);
        if (it == m_byOrigin.cend()) it = m_byOrigin.insert(origin, firstSpawnedLane + int(m_byOrigin.size()));
        m_lanes[which].insert(child, *it);
    }
    /// Task id → lane of the tasks whose spawn was read, per run.
    const QHash<int, int>& lanes(int which) const { return m_lanes[which]; }

private:
    static constexpr int noTask = std::numeric_limits<int>::min();
    static constexpr int mainLane = 0;
    /// Lanes of matched spawned tasks begin here, above any task id of a skipped prefix.
    static constexpr int firstSpawnedLane = 1 << 30;
    QHash<int, int> m_lanes[2]; ///< task id → lane, per run
    QHash<QString, int> m_spawned[2]; ///< `parent lane/name` → how many so far, per run
    QHash<QString, int> m_byOrigin; ///< `parent lane/name#n` → lane
    int m_lastTask[2] = { noTask, noTask };
    int m_lastLane[2] = { 0, 0 };
};

constexpr quint64 chunkEvents = 4096;
constexpr quint64 noStep = std::numeric_limits<quint64>::max();

class Aligner {
public:
    Aligner(Source& a, Source& b, const RunDiffOptions& options)
        : m_options(options)
    {
        m_side[0].source = &a;
        m_side[1].source = &b;
    }

    /// Reads both runs from event `from` on; false on a malformed trace.
    bool run(quint64 from, RunDiff& out, QString* error)
    {
        for (Side& s : m_side) {
            s.next = from;
            s.ended = s.next >= s.source->count();
        }
        while (!(m_side[0].ended && m_side[1].ended)) {
            // the run that is behind reads next, so both advance through the same steps
            const int which = m_side[0].ended ? 1 : m_side[1].ended ? 0 : (m_side[1].step < m_side[0].step ? 1 : 0);
            Side& s = m_side[which];
            const quint64 to = std::min(s.source->count(), s.next + chunkEvents);
            if (!s.source->forEach(s.next, to, [&](const Event& e, quint64 i) { feed(which, e, i); })) {
                if (error) *error = s.source->error;
                return false;
            }
            s.next = to;
            if (s.next >= s.source->count()) {
                s.ended = true;
                QList<int> tasks;
                for (auto& [task, l] : m_lanes)
                    tasks << task;
                std::sort(tasks.begin(), tasks.end());
                for (int task : tasks)
                    close(which, task);
                for (int task : tasks)
                    pairUp(task);
            }
            if (!m_options.summary && m_first && certain()) break;
            if (m_options.progress
                && !m_options.progress(m_side[0].next + m_side[1].next,
                                       m_side[0].source->count() + m_side[1].source->count())) {
                if (error) *error = QStringLiteral("cancelled");
                return false;
            }
        }
        m_laneOf[0] = m_tasks.lanes(0);
        m_laneOf[1] = m_tasks.lanes(1);
        out.eventsA = m_side[0].next;
        out.eventsB = m_side[1].next;
        out.first = m_first;
        for (const RunEffectDifferences& diffs : std::as_const(m_effects))
            out.summary.effects << diffs;
        std::stable_sort(
            out.summary.effects.begin(), out.summary.effects.end(),
            [](const RunEffectDifferences& x, const RunEffectDifferences& y) { return x.count > y.count; });
        return true;
    }
    /// After run(): task id → lane of the tasks whose spawn was read, per run (the others keep
    /// their id as their lane).
    const QHash<int, int>& lanes(int which) const { return m_laneOf[which]; }

private:
    void feed(int which, const Event& e, quint64 index)
    {
        Side& s = m_side[which];
        s.step = e.step;
        if (e.kind == EventKind::TaskSpawned) m_tasks.spawned(which, e.task, e.index, TaskKindCode(e.code), e.name);
        const int task = m_tasks.lane(which, e.task);
        switch (e.kind) {
        case EventKind::RunStarted: {
            Rec r = make(e, index, task, QStringLiteral("RunStarted"));
            r.label = e.name;
            r.fields = e.value; // the initial store
            r.result = e.old; // the env
            push(which, std::move(r));
            break;
        }
        case EventKind::RunFinished: {
            Rec r = make(e, index, -1, QStringLiteral("RunFinished"));
            r.task = -1;
            r.label = e.name;
            r.result = e.value;
            push(which, std::move(r));
            break;
        }
        case EventKind::EffectYielded: {
            close(which, task);
            Rec r = make(e, index, task, e.text);
            r.label = e.name;
            r.fields = e.value;
            lane(task).open[which] = std::move(r);
            break;
        }
        case EventKind::EffectHandled: {
            Rec& r = openFor(which, e, index, task);
            const auto how = HandledHow(e.code);
            if (how == HandledHow::Forwarded || how == HandledHow::HandlerStarted) break;
            if (e.name == r.label) {
                r.how = e.code;
                r.handler = e.text;
                r.result = e.value;
            } else {
                // the handling of an effect this task yielded earlier (a handler that performed
                // effects of its own ran in between): kept with the effect now open
                r.writes << Write { QStringLiteral("%1 %2").arg(e.name, QLatin1StringView(handledHowName(how))),
                                    e.value };
            }
            break;
        }
        case EventKind::StoreWrite:
            openFor(which, e, index, task).writes << Write { e.name, e.value };
            break;
        case EventKind::StoreReplaced:
            openFor(which, e, index, task).writes << Write { QStringLiteral("(store)"), e.value };
            break;
        case EventKind::LogAppended:
            openFor(which, e, index, task).writes << Write { QStringLiteral("(log)"), e.value };
            break;
        case EventKind::ErrorRaised:
            openFor(which, e, index, task).writes
                << Write { QStringLiteral("(raised)"), QStringLiteral("%1: %2").arg(e.name, e.text) };
            break;
        case EventKind::TaskFinished: {
            close(which, task);
            Rec r = make(e, index, task, QStringLiteral("TaskFinished"));
            r.label = e.name;
            r.result = e.value;
            push(which, std::move(r));
            break;
        }
        default:
            break;
        }
    }

    static Rec make(const Event& e, quint64 index, int lane, const QString& effect)
    {
        Rec r;
        r.event = index;
        r.step = e.step;
        r.task = e.task;
        r.lane = lane;
        r.effect = effect;
        return r;
    }

    /// The task's open effect; events before a task's first effect (or after a skipped shared
    /// prefix) gather in one without a name, the same in both runs.
    Rec& openFor(int which, const Event& e, quint64 index, int task)
    {
        std::optional<Rec>& open = lane(task).open[which];
        if (!open) open = make(e, index, task, QString());
        return *open;
    }

    void close(int which, int task)
    {
        std::optional<Rec>& open = lane(task).open[which];
        if (!open) return;
        Rec r = std::move(*open);
        open.reset();
        push(which, std::move(r));
    }

    void push(int which, Rec&& r)
    {
        const int task = r.lane;
        Lane& l = lane(task);
        std::deque<Rec>& q = l.queue[which];
        q.push_back(std::move(r));
        // the other run has gone past this task's oldest waiting effect without matching it, and
        // the task is more than the window ahead there: call that effect missing
        const Side& other = m_side[1 - which];
        if (q.size() > size_t(std::max(1, m_options.window)) && l.queue[1 - which].empty()
            && (other.ended || other.step >= q.front().step)) {
            Rec lone = std::move(q.front());
            q.pop_front();
            lacking(which, lone);
        }
        pairUp(task);
    }

    /// Matches the task's queued effects of both runs in order, as far as they go.
    void pairUp(int task)
    {
        Lane& l = lane(task);
        std::deque<Rec>& qa = l.queue[0];
        std::deque<Rec>& qb = l.queue[1];
        while (!qa.empty() && !qb.empty()) {
            const Rec& x = qa.front();
            const Rec& y = qb.front();
            const QString field = x.differingField(y);
            if (field.isEmpty()) {
                qa.pop_front();
                qb.pop_front();
                continue;
            }
            if (!x.sameWhat(y)) {
                // an extra effect in one run? it needs the next effect of each run to tell
                const bool moreA = qa.size() > 1 || m_side[0].ended;
                const bool moreB = qb.size() > 1 || m_side[1].ended;
                if (!moreA || !moreB) return;
                if (qa.size() > 1 && qa[1].sameWhat(y)) {
                    Rec lone = std::move(qa.front());
                    qa.pop_front();
                    lacking(0, lone);
                    continue;
                }
                if (qb.size() > 1 && qb[1].sameWhat(x)) {
                    Rec lone = std::move(qb.front());
                    qb.pop_front();
                    lacking(1, lone);
                    continue;
                }
            }
            RunDivergence d;
            d.eventA = x.event;
            d.eventB = y.event;
            d.stepA = x.step;
            d.stepB = y.step;
            d.task = x.task;
            d.effect = x.effect.isEmpty() ? y.effect : x.effect;
            d.field = field;
            if (d.effect == QLatin1StringView("RunStarted")) // its fields are the store, its result the env
                d.field = field == QLatin1StringView("fields") ? QStringLiteral("store")
                    : field == QLatin1StringView("result")     ? QStringLiteral("env")
                                                               : field;
            d.a = x.describe();
            d.b = y.describe();
            note(d);
            qa.pop_front();
            qb.pop_front();
        }
        // a run that ended lacks what the other still has of this task
        for (int which : { 0, 1 }) {
            std::deque<Rec>& q = l.queue[which];
            if (!m_side[1 - which].ended || !l.queue[1 - which].empty()) continue;
            while (!q.empty()) {
                Rec lone = std::move(q.front());
                q.pop_front();
                lacking(which, lone);
            }
        }
    }

    /// Run `which` has `r`, the other lacks it (the other is at its next effect of that task,
    /// or where it ended).
    void lacking(int which, const Rec& r)
    {
        const Side& other = m_side[1 - which];
        const std::deque<Rec>& oq = lane(r.lane).queue[1 - which];
        quint64 event = other.next;
        quint64 step = other.step;
        if (!oq.empty()) {
            event = oq.front().event;
            step = oq.front().step;
        }
        RunDivergence d;
        d.task = r.task;
        d.effect = r.effect;
        d.field = QStringLiteral("missing");
        (which == 0 ? d.eventA : d.eventB) = r.event;
        (which == 0 ? d.stepA : d.stepB) = r.step;
        (which == 0 ? d.eventB : d.eventA) = event;
        (which == 0 ? d.stepB : d.stepA) = step;
        (which == 0 ? d.a : d.b) = r.describe();
        note(d);
    }

    static quint64 key(const RunDivergence& d) { return std::min(d.stepA, d.stepB); }

    void note(const RunDivergence& d)
    {
        if (!m_first || key(d) < key(*m_first)) m_first = d;
        RunEffectDifferences& e = m_effects[d.effect];
        e.effect = d.effect;
        ++e.count;
        if (e.examples.size() < m_options.examples) e.examples << d;
    }

    /// No divergence earlier than the one found can still appear: both runs were read past its
    /// step, and no effect at an earlier step waits for its match.
    bool certain() const
    {
        const quint64 k = key(*m_first);
        for (const Side& s : m_side)
            if (!s.ended && s.step < k) return false;
        for (const auto& [task, l] : m_lanes)
            for (int which : { 0, 1 }) {
                if (l.open[which] && l.open[which]->step < k) return false;
                if (!l.queue[which].empty() && l.queue[which].front().step < k) return false;
            }
        return true;
    }

    /// The task's lane (the last one asked for is remembered: events of one task come in runs).
    Lane& lane(int task)
    {
        if (m_cached && task == m_cachedTask) return *m_cached;
        m_cached = &m_lanes[task]; // (an unordered_map keeps its elements where they are)
        m_cachedTask = task;
        return *m_cached;
    }

    RunDiffOptions m_options;
    Side m_side[2];
    TaskMatcher m_tasks;
    QHash<int, int> m_laneOf[2];
    std::unordered_map<int, Lane> m_lanes; ///< by lane (TaskMatcher)
    Lane* m_cached = nullptr;
    int m_cachedTask = 0;
    std::optional<RunDivergence> m_first;
    QMap<QString, RunEffectDifferences> m_effects;
};

RunDifference difference(const QString& what, const QString& a, const QString& b)
{
    return RunDifference { what, a, b };
}

QString valueOr(const QVariant* v)
{
    return v ? valueText(*v) : QStringLiteral("(none)");
}

void diffStores(const Store& a, const Store& b, const QString& prefix, QList<RunDifference>& out)
{
    for (const auto& [key, value] : a.entries()) {
        const QVariant* other = b.find(key);
        if (!other || *other != value) out << difference(prefix + key, valueText(value), valueOr(other));
    }
    for (const auto& [key, value] : b.entries())
        if (!a.contains(key)) out << difference(prefix + key, QStringLiteral("(none)"), valueText(value));
}

void diffEnvs(const Env& a, const Env& b, QList<RunDifference>& out)
{
    for (auto it = a.begin(); it != a.end(); ++it) {
        const auto other = b.find(it.key());
        if (other == b.end())
            out << difference(it.key(), valueText(it.value()), QStringLiteral("(none)"));
        else if (other.value() != it.value())
            out << difference(it.key(), valueText(it.value()), valueText(other.value()));
    }
    for (auto it = b.begin(); it != b.end(); ++it)
        if (!a.contains(it.key())) out << difference(it.key(), QStringLiteral("(none)"), valueText(it.value()));
}

QString taskText(const SessionTask& t)
{
    QString s = QString::fromLatin1(taskStateCodeName(t.state));
    if (!t.outcome.isEmpty())
        s += QStringLiteral(" %1").arg(t.outcome);
    else if (!t.waitsOn.isEmpty())
        s += QStringLiteral(" on %1").arg(t.waitsOn);
    return s;
}

/// The differences of the two runs' final states. Tasks are paired by lane (TaskMatcher):
/// `lanesA` and `lanesB` give the lane of each task whose spawn was read.
void diffFinalStates(const SessionState& a, const SessionState& b, const QHash<int, int>& lanesA,
                     const QHash<int, int>& lanesB, RunDiffSummary& out)
{
    auto status = [](const SessionState& s) { return s.finished() ? s.status() : QStringLiteral("(not finished)"); };
    if (status(a) != status(b)) out.outcome = difference(QStringLiteral("outcome"), status(a), status(b));
    auto mainOf = [](const SessionState& s) {
        for (const SessionTask& t : s.tasks())
            if (t.kind == TaskKindCode::Main) return t.id;
        return s.tasks().isEmpty() ? 0 : s.tasks().firstKey();
    };
    const int mainA = mainOf(a);
    const int mainB = mainOf(b);
    diffStores(a.store(mainA), b.store(mainB), QString(), out.store);
    // each lane's task in A and in B (-1: that run has none)
    std::map<int, std::pair<int, int>> byLane;
    for (auto it = a.tasks().begin(); it != a.tasks().end(); ++it)
        byLane.try_emplace(lanesA.value(it.key(), it.key()), -1, -1).first->second.first = it.key();
    for (auto it = b.tasks().begin(); it != b.tasks().end(); ++it)
        byLane.try_emplace(lanesB.value(it.key(), it.key()), -1, -1).first->second.second = it.key();
    std::vector<std::pair<int, int>> pairs;
    for (const auto& [lane, ids] : byLane)
        pairs.push_back(ids);
    std::sort(pairs.begin(), pairs.end(), [](const auto& x, const auto& y) {
        const int kx = x.first >= 0 ? x.first : x.second, ky = y.first >= 0 ? y.first : y.second;
        return kx != ky ? kx < ky : x.first < y.first;
    });
    for (const auto& [idA, idB] : pairs) {
        const SessionTask* ta = idA >= 0 ? a.task(idA) : nullptr;
        const SessionTask* tb = idB >= 0 ? b.task(idB) : nullptr;
        const QString ids = !ta ? QString::number(idB)
            : !tb || idA == idB ? QString::number(idA)
                                : QStringLiteral("%1 / %2").arg(idA).arg(idB);
        const QString what = QStringLiteral("task %1 (%2)").arg(ids, ta ? ta->name : tb->name);
        if (!ta || !tb) {
            out.tasks << difference(what, ta ? taskText(*ta) : QStringLiteral("(none)"),
                                    tb ? taskText(*tb) : QStringLiteral("(none)"));
            continue;
        }
        if (ta->state != tb->state || ta->outcome != tb->outcome)
            out.tasks << difference(what, taskText(*ta), taskText(*tb));
        if (idA != mainA && ta->storeOwner == idA && tb->storeOwner == idB)
            diffStores(a.store(idA), b.store(idB), QStringLiteral("task %1: ").arg(ids), out.store);
    }
    const SessionTask* ta = a.task(mainA);
    const SessionTask* tb = b.task(mainB);
    diffEnvs(ta ? ta->env : Env {}, tb ? tb->env : Env {}, out.env);
}

} // namespace

QString describeRunEvent(const Event& e)
{
    QString s
        = QStringLiteral("%1 step %2 task %3").arg(QString::fromLatin1(eventKindName(e.kind))).arg(e.step).arg(e.task);
    if (!e.name.isEmpty()) s += QStringLiteral(" name=%1").arg(e.name);
    if (!e.text.isEmpty()) s += QStringLiteral(" text=%1").arg(e.text);
    if (e.value.isValid()) s += QStringLiteral(" value=%1").arg(valueText(e.value));
    if (e.old.isValid()) s += QStringLiteral(" old=%1").arg(valueText(e.old));
    if (e.function) s += QStringLiteral(" at %1:%2").arg(QString::fromUtf8(e.function)).arg(e.line);
    return s;
}

RunDiff diffRuns(const QList<Event>& a, const QList<Event>& b, const RunDiffOptions& options)
{
    RunDiff out;
    ListSource sa(a);
    ListSource sb(b);
    Aligner aligner(sa, sb, options);
    const bool done = aligner.run(0, out, nullptr);
    if (done && options.summary) {
        SessionState fa;
        SessionState fb;
        for (const Event& e : a)
            fa.apply(e);
        for (const Event& e : b)
            fb.apply(e);
        diffFinalStates(fa, fb, aligner.lanes(0), aligner.lanes(1), out.summary);
        out.hasSummary = true;
    }
    return out;
}

bool diffTraces(TraceReader& a, TraceReader& b, RunDiff& out, QString* error, const RunDiffOptions& options)
{
    out = RunDiff {};
    const quint64 shared = options.skipSharedPrefix ? a.sharedPrefixEvents(b) : 0;
    TraceSource sa(a);
    TraceSource sb(b);
    Aligner aligner(sa, sb, options);
    if (!aligner.run(shared, out, error)) return false;
    out.shared = shared;
    if (options.summary) {
        const auto fa = a.stateAtEvent(a.eventCount());
        const auto fb = b.stateAtEvent(b.eventCount());
        if (!fa || !fb) {
            if (error) *error = (fa ? b : a).errorString();
            return false;
        }
        diffFinalStates(*fa, *fb, aligner.lanes(0), aligner.lanes(1), out.summary);
        out.hasSummary = true;
    }
    return true;
}

bool diffRunWithTrace(const QList<Event>& a, TraceReader& b, RunDiff& out, QString* error,
                      const RunDiffOptions& options)
{
    out = RunDiff {};
    ListSource sa(a);
    TraceSource sb(b);
    Aligner aligner(sa, sb, options);
    if (!aligner.run(0, out, error)) return false;
    if (options.summary) {
        SessionState fa;
        for (const Event& e : a)
            fa.apply(e);
        const auto fb = b.stateAtEvent(b.eventCount());
        if (!fb) {
            if (error) *error = b.errorString();
            return false;
        }
        diffFinalStates(fa, *fb, aligner.lanes(0), aligner.lanes(1), out.summary);
        out.hasSummary = true;
    }
    return true;
}

QString formatRunDiff(const RunDiff& diff, const QString& nameA, const QString& nameB)
{
    if (diff.equal()) return QStringLiteral("runs are equal: %1 events\n").arg(diff.eventsA);
    QString s;
    auto both = [&](const QString& a, const QString& b, const QString& indent) {
        s += QStringLiteral("%1%2: %3\n").arg(indent, nameA, a.isEmpty() ? QStringLiteral("(no such effect)") : a);
        s += QStringLiteral("%1%2: %3\n").arg(indent, nameB, b.isEmpty() ? QStringLiteral("(no such effect)") : b);
    };
    if (diff.first) {
        const RunDivergence& d = *diff.first;
        s += QStringLiteral("first divergence in %1 at %2 step %3 (event %4), %5 step %6 (event %7): %8 %9\n")
                 .arg(d.task < 0 ? QStringLiteral("the run") : QStringLiteral("task %1").arg(d.task))
                 .arg(nameA)
                 .arg(d.stepA)
                 .arg(d.eventA)
                 .arg(nameB)
                 .arg(d.stepB)
                 .arg(d.eventB)
                 .arg(d.effect.isEmpty() ? QStringLiteral("effect") : d.effect,
                      d.field == QLatin1StringView("missing")
                          ? QStringLiteral("missing in %1").arg(d.a.isEmpty() ? nameA : nameB)
                          : QStringLiteral("%1 differs").arg(d.field));
        both(d.a, d.b, QStringLiteral("  "));
    }
    if (!diff.hasSummary) return s;
    const RunDiffSummary& m = diff.summary;
    s += QStringLiteral("summary:\n");
    if (m.outcome) s += QStringLiteral("  outcome: %1: %2, %3: %4\n").arg(nameA, m.outcome->a, nameB, m.outcome->b);
    auto list = [&](const char* title, const QList<RunDifference>& items) {
        if (items.isEmpty()) return;
        s += QStringLiteral("  %1 (%2 differ):\n").arg(QLatin1StringView(title)).arg(items.size());
        for (const RunDifference& x : items)
            s += QStringLiteral("    %1: %2: %3, %4: %5\n").arg(x.what, nameA, x.a, nameB, x.b);
    };
    list("final store", m.store);
    list("final env", m.env);
    list("tasks", m.tasks);
    if (!m.effects.isEmpty()) {
        s += QStringLiteral("  effects that differ, by name:\n");
        for (const RunEffectDifferences& e : m.effects) {
            s += QStringLiteral("    %1: %2\n")
                     .arg(e.effect.isEmpty() ? QStringLiteral("(unnamed)") : e.effect)
                     .arg(e.count);
            for (const RunDivergence& d : e.examples) {
                s += QStringLiteral("      %1, %2 step %3 / %4 step %5: %6\n")
                         .arg(d.task < 0 ? QStringLiteral("the run") : QStringLiteral("task %1").arg(d.task))
                         .arg(nameA)
                         .arg(d.stepA)
                         .arg(nameB)
                         .arg(d.stepB)
                         .arg(d.field);
                both(d.a, d.b, QStringLiteral("        "));
            }
        }
    }
    return s;
}

} // namespace doeff
