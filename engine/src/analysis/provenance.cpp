#include <doeff/provenance.h>
#include <doeff/trace.h>

#include <QHash>
#include <QSet>

#include <algorithm>
#include <functional>
#include <vector>

namespace doeff {

const char* provenanceKindName(ProvenanceSource::Kind kind)
{
    switch (kind) {
    case ProvenanceSource::Kind::Write:
        return "write";
    case ProvenanceSource::Kind::InitialStore:
        return "initial store";
    case ProvenanceSource::Kind::Local:
        return "Local";
    case ProvenanceSource::Kind::InitialEnv:
        return "initial env";
    case ProvenanceSource::Kind::TaskResult:
        return "task result";
    }
    return "?";
}

namespace {

struct ProvActivation {
    int index; ///< K position of the program frame
    quint64 start; ///< event index of its FramePushed
};
struct ProvEnvScope {
    quint64 enter = 0;
    quint64 leaveStep = ~quint64(0);
    QHash<QString, int> bound; ///< key -> source
    QVariantMap env; ///< the env in force inside
};
struct ProvTask {
    int parent = -1;
    TaskKindCode kind = TaskKindCode::Main;
    int owner = 0; ///< whose store it uses
    quint64 spawn = 0; ///< event index of TaskSpawned
    QString name;
    QHash<QString, int> baseEnv; ///< key -> source, the env it started with
    QVariantMap baseEnvValues;
    std::vector<ProvActivation> activations;
    std::vector<ProvEnvScope> scopes; ///< every scope, in entry order
    std::vector<int> open; ///< indexes into scopes still in force
    std::vector<int> reads; ///< read ids in order
    int result = -1;
    QString lastLabel;
    int pendingRead = -1; ///< the read whose value EffectHandled will give
    const char* file = nullptr;
    int line = 0;
    const char* function = nullptr;
};
struct ProvSourceExtra {
    int task = -1;
    quint64 start = 0; ///< inputs are the task's reads with start <= event < source event
    bool hasInputs = false;
};

} // namespace

struct Provenance::Private {
    std::vector<ProvenanceSource> sources;
    std::vector<ProvSourceExtra> extra;
    std::vector<ProvenanceRead> reads;
    std::vector<int> waitTarget; ///< per read: the waited task, or -1
    QHash<int, ProvTask> tasks;
    /// (owner, key) -> write sources in event order
    QHash<QString, std::vector<int>> writes;
    std::vector<int> readerOffsets; ///< CSR: readers of source s are readerList[off[s] .. off[s+1])
    std::vector<int> readerList;
    quint64 events = 0;
    bool finished = false;

    static QString slot(int owner, const QString& key) { return QString::number(owner) + u'\x1f' + key; }

    ProvTask& task(int id)
    {
        auto it = tasks.find(id);
        if (it == tasks.end()) {
            it = tasks.insert(id, ProvTask {});
            it->owner = id;
        }
        return *it;
    }

    int addSource(ProvenanceSource s, int task, quint64 start, bool hasInputs)
    {
        sources.push_back(std::move(s));
        extra.push_back({ task, start, hasInputs });
        return int(sources.size()) - 1;
    }

    /// Last write of `key` to `owner`'s store before event `before` (following spawn copies).
    int storeOrigin(int owner, const QString& key, quint64 before, quint64 beforeStep, bool byStep) const
    {
        for (int guard = 0; guard < 10000; ++guard) {
            auto it = writes.constFind(slot(owner, key));
            if (it != writes.constEnd()) {
                const std::vector<int>& v = *it;
                auto pos = byStep ? std::upper_bound(v.begin(), v.end(), beforeStep,
                                                     [&](quint64 s, int id) { return s < sources[id].step; })
                                  : std::lower_bound(v.begin(), v.end(), before,
                                                     [&](int id, quint64 e) { return sources[id].event < e; });
                if (pos != v.begin()) return *(pos - 1);
            }
            auto t = tasks.constFind(owner);
            if (t == tasks.constEnd() || t->kind != TaskKindCode::Spawned || t->parent < 0) return -1;
            auto p = tasks.constFind(t->parent);
            before = t->spawn;
            beforeStep = sources.empty() ? 0 : beforeStep;
            byStep = false;
            owner = p == tasks.constEnd() ? t->parent : p->owner;
        }
        return -1;
    }

    int envOrigin(const ProvTask& t, const QString& key) const
    {
        for (auto it = t.open.rbegin(); it != t.open.rend(); ++it) {
            const ProvEnvScope& s = t.scopes[size_t(*it)];
            auto b = s.bound.constFind(key);
            if (b != s.bound.constEnd()) return *b;
        }
        return t.baseEnv.value(key, -1);
    }

    quint64 activationStart(const ProvTask& t) const
    {
        return t.activations.empty() ? t.spawn : t.activations.back().start;
    }

    void add(const Event& e);
    void finish();
};

void Provenance::Private::add(const Event& e)
{
    const quint64 index = events++;
    switch (e.kind) {
    case EventKind::TaskSpawned: {
        ProvTask& t = task(e.task);
        t.parent = e.index;
        t.kind = TaskKindCode(e.code);
        t.spawn = index;
        t.name = e.name;
        const QVariantMap env = e.value.toMap();
        t.baseEnvValues = env;
        if (t.kind == TaskKindCode::Branch && tasks.contains(t.parent)) t.owner = tasks.value(t.parent).owner;
        if (t.kind == TaskKindCode::Main || !tasks.contains(t.parent)) {
            for (auto it = env.begin(); it != env.end(); ++it) {
                ProvenanceSource s { ProvenanceSource::Kind::InitialEnv, index,     e.step, e.task, it.key(),
                                     QStringLiteral("initial env"),      it.value() };
                t.baseEnv.insert(it.key(), addSource(std::move(s), e.task, index, false));
            }
            if (t.kind == TaskKindCode::Main) {
                for (const QVariant& pair : e.old.toList()) {
                    const QVariantList kv = pair.toList();
                    if (kv.size() != 2) continue;
                    ProvenanceSource s { ProvenanceSource::Kind::InitialStore, index, e.step, e.task, kv[0].toString(),
                                         QStringLiteral("initial store"),      kv[1] };
                    writes[slot(t.owner, s.key)].push_back(addSource(std::move(s), e.task, index, false));
                }
            }
        } else {
            const ProvTask& parent = tasks[t.parent];
            for (auto it = env.begin(); it != env.end(); ++it)
                t.baseEnv.insert(it.key(), envOrigin(parent, it.key()));
        }
        break;
    }
    case EventKind::FramePushed:
        if (FrameKindCode(e.code) == FrameKindCode::Program) task(e.task).activations.push_back({ e.index, index });
        break;
    case EventKind::FramePopped:
        if (FrameKindCode(e.code) == FrameKindCode::Program) {
            auto& a = task(e.task).activations;
            while (!a.empty() && a.back().index >= e.index)
                a.pop_back();
        }
        break;
    case EventKind::EffectYielded: {
        ProvTask& t = task(e.task);
        t.lastLabel = e.name;
        t.pendingRead = -1;
        const bool get = e.text == QLatin1String("Get") || e.text == QLatin1String("Modify");
        const bool ask = e.text == QLatin1String("Ask");
        const bool wait = e.text == QLatin1String("Wait");
        if (!get && !ask && !wait) break;
        ProvenanceRead r { index, e.step, e.task, {}, e.name, {}, e.file, e.line, e.function };
        int target = -1;
        if (wait) {
            // Wait(task N 'name') / Wait(promise N): only tasks have a result to trace
            static const QLatin1String prefix("Wait(task ");
            if (e.name.startsWith(prefix)) {
                const qsizetype space = e.name.indexOf(u' ', prefix.size());
                bool ok = false;
                target = e.name.mid(prefix.size(), space < 0 ? -1 : space - prefix.size()).toInt(&ok);
                if (!ok) target = -1;
            }
            r.key = target >= 0 ? QStringLiteral("task %1").arg(target) : e.name;
        } else {
            r.key = e.value.toMap().value(QStringLiteral("key")).toString();
            r.origin = get ? storeOrigin(t.owner, r.key, index, 0, false) : envOrigin(t, r.key);
            if (r.origin >= 0 && get) r.value = sources[size_t(r.origin)].value;
        }
        reads.push_back(std::move(r));
        waitTarget.push_back(target);
        const int id = int(reads.size()) - 1;
        t.reads.push_back(id);
        t.pendingRead = ask || get ? id : -1;
        break;
    }
    case EventKind::EffectHandled: {
        ProvTask& t = task(e.task);
        if (t.pendingRead >= 0 && HandledHow(e.code) == HandledHow::Resumed) {
            reads[size_t(t.pendingRead)].value = e.value;
            t.pendingRead = -1;
        }
        break;
    }
    case EventKind::StoreWrite: {
        ProvTask& t = task(e.task);
        ProvenanceSource s { ProvenanceSource::Kind::Write,
                             index,
                             e.step,
                             e.task,
                             e.name,
                             t.lastLabel,
                             e.value,
                             e.file,
                             e.line,
                             e.function };
        writes[slot(t.owner, e.name)].push_back(addSource(std::move(s), e.task, activationStart(t), true));
        break;
    }
    case EventKind::StoreReplaced: {
        ProvTask& t = task(e.task);
        for (const QVariant& pair : e.value.toList()) {
            const QVariantList kv = pair.toList();
            if (kv.size() != 2) continue;
            ProvenanceSource s { ProvenanceSource::Kind::Write,
                                 index,
                                 e.step,
                                 e.task,
                                 kv[0].toString(),
                                 t.lastLabel,
                                 kv[1],
                                 e.file,
                                 e.line,
                                 e.function };
            writes[slot(t.owner, s.key)].push_back(addSource(std::move(s), e.task, activationStart(t), true));
        }
        break;
    }
    case EventKind::EnvEntered: {
        ProvTask& t = task(e.task);
        const QVariantMap& below = t.open.empty() ? t.baseEnvValues : t.scopes[size_t(t.open.back())].env;
        ProvEnvScope scope;
        scope.enter = index;
        scope.env = e.value.toMap();
        for (auto it = scope.env.begin(); it != scope.env.end(); ++it) {
            auto old = below.constFind(it.key());
            if (old != below.constEnd() && *old == it.value()) continue;
            ProvenanceSource s { ProvenanceSource::Kind::Local,
                                 index,
                                 e.step,
                                 e.task,
                                 it.key(),
                                 t.lastLabel,
                                 it.value(),
                                 e.file,
                                 e.line,
                                 e.function };
            scope.bound.insert(it.key(), addSource(std::move(s), e.task, activationStart(t), true));
        }
        t.scopes.push_back(std::move(scope));
        t.open.push_back(int(t.scopes.size()) - 1);
        break;
    }
    case EventKind::EnvLeft: {
        ProvTask& t = task(e.task);
        if (!t.open.empty()) {
            t.scopes[size_t(t.open.back())].leaveStep = e.step;
            t.open.pop_back();
        }
        break;
    }
    case EventKind::TaskFinished: {
        ProvTask& t = task(e.task);
        if (TaskStateCode(e.code) == TaskStateCode::Done) {
            ProvenanceSource s { ProvenanceSource::Kind::TaskResult,
                                 index,
                                 e.step,
                                 e.task,
                                 t.name,
                                 e.name,
                                 e.value,
                                 t.file,
                                 t.line,
                                 t.function };
            t.result = addSource(std::move(s), e.task, t.spawn, true);
        }
        break;
    }
    default:
        break;
    }
    if (e.line > 0 && e.kind != EventKind::TaskFinished) {
        ProvTask& t = task(e.task);
        t.file = e.file;
        t.line = e.line;
        t.function = e.function;
    }
}

void Provenance::Private::finish()
{
    for (size_t i = 0; i < reads.size(); ++i) {
        if (waitTarget[i] < 0) continue;
        auto t = tasks.constFind(waitTarget[i]);
        if (t == tasks.constEnd() || t->result < 0) continue;
        reads[i].origin = t->result;
        reads[i].value = sources[size_t(t->result)].value;
    }
    readerOffsets.assign(sources.size() + 1, 0);
    for (const ProvenanceRead& r : reads)
        if (r.origin >= 0) ++readerOffsets[size_t(r.origin) + 1];
    for (size_t i = 1; i < readerOffsets.size(); ++i)
        readerOffsets[i] += readerOffsets[i - 1];
    readerList.assign(size_t(readerOffsets.back()), 0);
    std::vector<int> fill(readerOffsets.begin(), readerOffsets.end() - 1);
    for (size_t i = 0; i < reads.size(); ++i)
        if (reads[i].origin >= 0) readerList[size_t(fill[size_t(reads[i].origin)]++)] = int(i);
    finished = true;
}

Provenance::Provenance()
    : d(std::make_unique<Private>())
{ }
Provenance::~Provenance() = default;
Provenance::Provenance(Provenance&&) noexcept = default;
Provenance& Provenance::operator=(Provenance&&) noexcept = default;

bool Provenance::build(TraceReader& reader, QString* error)
{
    *d = Private {};
    const bool ok = reader.forEachEvent(0, reader.eventCount(), [this](const Event& e) {
        d->add(e);
        return true;
    });
    d->finish();
    if (!ok && error) *error = reader.errorString();
    return ok;
}

void Provenance::build(const QList<Event>& events)
{
    *d = Private {};
    for (const Event& e : events)
        d->add(e);
    d->finish();
}

void Provenance::add(const Event& event)
{
    d->add(event);
    d->finished = false;
}
void Provenance::finish()
{
    d->finish();
}

quint64 Provenance::eventCount() const
{
    return d->events;
}
int Provenance::sourceCount() const
{
    return int(d->sources.size());
}
int Provenance::readCount() const
{
    return int(d->reads.size());
}
const ProvenanceSource& Provenance::source(int id) const
{
    return d->sources[size_t(id)];
}
const ProvenanceRead& Provenance::read(int id) const
{
    return d->reads[size_t(id)];
}

int Provenance::storeValue(int task, const QString& key, quint64 step) const
{
    auto t = d->tasks.constFind(task);
    const int owner = t == d->tasks.constEnd() ? task : t->owner;
    return d->storeOrigin(owner, key, 0, step, true);
}

int Provenance::envValue(int task, const QString& key, quint64 step) const
{
    auto it = d->tasks.constFind(task);
    if (it == d->tasks.constEnd()) return -1;
    const ProvTask& t = *it;
    // the innermost scope in force after `step`: entered at or before it and not yet left
    int best = -1;
    quint64 bestEnter = 0;
    for (const ProvEnvScope& s : t.scopes) {
        auto b = s.bound.constFind(key);
        if (b == s.bound.constEnd()) continue;
        const ProvenanceSource& src = d->sources[size_t(*b)];
        if (src.step > step) continue;
        if (s.leaveStep <= step) continue;
        if (best < 0 || s.enter >= bestEnter) {
            best = *b;
            bestEnter = s.enter;
        }
    }
    return best >= 0 ? best : t.baseEnv.value(key, -1);
}

int Provenance::taskResult(int task) const
{
    auto it = d->tasks.constFind(task);
    return it == d->tasks.constEnd() ? -1 : it->result;
}

int Provenance::readAt(int task, quint64 step) const
{
    auto it = d->tasks.constFind(task);
    if (it == d->tasks.constEnd()) return -1;
    const std::vector<int>& v = it->reads;
    auto pos
        = std::lower_bound(v.begin(), v.end(), step, [&](int id, quint64 s) { return d->reads[size_t(id)].step < s; });
    return pos != v.end() && d->reads[size_t(*pos)].step == step ? *pos : -1;
}

QList<int> Provenance::inputs(int source, int limit, int* total) const
{
    QList<int> out;
    if (total) *total = 0;
    if (source < 0 || size_t(source) >= d->sources.size()) return out;
    const ProvSourceExtra& x = d->extra[size_t(source)];
    auto it = d->tasks.constFind(x.task);
    if (!x.hasInputs || it == d->tasks.constEnd()) return out;
    const std::vector<int>& v = it->reads;
    const quint64 end = d->sources[size_t(source)].event;
    auto from = std::lower_bound(v.begin(), v.end(), x.start,
                                 [&](int id, quint64 e) { return d->reads[size_t(id)].event < e; });
    auto to = std::lower_bound(from, v.end(), end, [&](int id, quint64 e) { return d->reads[size_t(id)].event < e; });
    const qsizetype n = to - from;
    if (total) *total = int(n);
    if (limit >= 0 && n > limit) from = to - limit;
    for (auto i = from; i != to; ++i)
        out.append(*i);
    return out;
}

QList<int> Provenance::readers(int source) const
{
    QList<int> out;
    if (source < 0 || size_t(source) + 1 >= d->readerOffsets.size()) return out;
    for (int i = d->readerOffsets[size_t(source)]; i < d->readerOffsets[size_t(source) + 1]; ++i)
        out.append(d->readerList[size_t(i)]);
    return out;
}

ProvenanceTree Provenance::tree(int source, int depth, int inputLimit) const
{
    QSet<int> expanded;
    std::function<ProvenanceTree(int, int)> walk = [&](int id, int left) {
        ProvenanceTree t;
        t.source = id;
        expanded.insert(id);
        if (left <= 0) {
            int total = 0;
            inputs(id, 0, &total);
            t.truncated = total > 0;
            return t;
        }
        int total = 0;
        const QList<int> in = inputs(id, inputLimit, &total);
        t.moreInputs = total - int(in.size());
        for (int r : in) {
            ProvenanceTree::Input input;
            input.read = r;
            const int origin = d->reads[size_t(r)].origin;
            if (origin >= 0) {
                if (expanded.contains(origin))
                    input.seen = true;
                else
                    input.origin = std::make_shared<ProvenanceTree>(walk(origin, left - 1));
            }
            t.inputs.append(std::move(input));
        }
        return t;
    };
    if (source < 0 || size_t(source) >= d->sources.size()) return {};
    return walk(source, depth);
}

namespace {
QString where(const char* file, int line)
{
    if (!file || line <= 0) return {};
    QString f = QString::fromUtf8(file);
    const qsizetype slash = f.lastIndexOf(u'/');
    if (slash >= 0) f = f.mid(slash + 1);
    return QStringLiteral(" at %1:%2").arg(f).arg(line);
}
QString shortValue(const QVariant& v)
{
    QString s = repr(v);
    if (s.size() > 60) s = s.left(57) + QStringLiteral("...");
    return s;
}
} // namespace

QString Provenance::describe(const ProvenanceSource& s) const
{
    const QString who = s.kind == ProvenanceSource::Kind::TaskResult
        ? QStringLiteral("result of task %1 '%2' = %3").arg(s.task).arg(s.key, shortValue(s.value))
        : QStringLiteral("%1 = %2").arg(s.key, shortValue(s.value));
    QString how;
    switch (s.kind) {
    case ProvenanceSource::Kind::Write:
        how = QStringLiteral("written by %1").arg(s.label);
        break;
    case ProvenanceSource::Kind::Local:
        how = QStringLiteral("bound by %1").arg(s.label);
        break;
    case ProvenanceSource::Kind::TaskResult:
        how = QStringLiteral("returned");
        break;
    default:
        how = QStringLiteral("from the %1").arg(s.label);
        break;
    }
    return QStringLiteral("%1, %2, step %3, task %4%5")
        .arg(who, how)
        .arg(s.step)
        .arg(s.task)
        .arg(where(s.file, s.line));
}

QString Provenance::describe(const ProvenanceRead& r) const
{
    return QStringLiteral("read %1 -> %2, step %3, task %4%5")
        .arg(r.label, shortValue(r.value))
        .arg(r.step)
        .arg(r.task)
        .arg(where(r.file, r.line));
}

QString Provenance::format(const ProvenanceTree& tree) const
{
    QString out;
    std::function<void(const ProvenanceTree&, int)> put = [&](const ProvenanceTree& t, int indent) {
        if (t.source < 0) return;
        out += QString(indent * 2, u' ') + describe(d->sources[size_t(t.source)]) + u'\n';
        if (t.truncated) out += QString(indent * 2 + 2, u' ') + QStringLiteral("... (depth limit)\n");
        if (t.moreInputs > 0)
            out += QString(indent * 2 + 2, u' ') + QStringLiteral("... %1 earlier reads\n").arg(t.moreInputs);
        for (const ProvenanceTree::Input& in : t.inputs) {
            const ProvenanceRead& r = d->reads[size_t(in.read)];
            out += QString(indent * 2 + 2, u' ') + u"<- " + describe(r);
            if (r.origin < 0) out += QStringLiteral(" (origin unknown)");
            if (in.seen) out += QStringLiteral(" (from step %1, shown above)").arg(d->sources[size_t(r.origin)].step);
            out += u'\n';
            if (in.origin) put(*in.origin, indent + 2);
        }
    };
    put(tree, 0);
    return out;
}

} // namespace doeff
