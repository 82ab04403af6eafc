#include "perthread.h"

#include <doeff/effects.h>
#include <doeff/session.h>
#include <doeff/value.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace doeff {

const SessionFrame* SessionTask::codeFrame() const
{
    for (auto it = k.crbegin(); it != k.crend(); ++it)
        if ((it->kind == FrameKindCode::Program || it->kind == FrameKindCode::Handling) && !it->file.isEmpty())
            return &*it;
    return nullptr;
}

namespace {

Store storeFromPairs(const QVariant& pairs)
{
    Store s;
    for (const QVariant& p : pairs.toList()) {
        const QVariantList kv = p.toList();
        if (kv.size() == 2) s.insert(kv.at(0).toString(), kv.at(1));
    }
    return s;
}

void appendMessages(QVariantList& log, const QVariant& message)
{
    const int type = message.metaType().id();
    if (type == QMetaType::QVariantList)
        log.append(message.toList());
    else if (type == QMetaType::QStringList)
        for (const QString& s : message.toStringList())
            log.append(s);
    else
        log.append(message);
}

QString programDescription(const SessionFrame& f)
{
    return f.function + QStringLiteral("() at ") + f.file + QStringLiteral(":") + QString::number(f.line);
}

/// The text of a source file's name (std::source_location's UTF-8, a literal): keyFromUtf8()'s
/// cache by address, checked against the bytes with memcmp (textFromUtf8()), gives the same
/// shared QString for every event.
QString fileText(const char* file)
{
    return detail::textFromUtf8(file, qsizetype(std::strlen(file)));
}

/// programDescription() for a step's new line: a loop's steps move between the same few lines,
/// so a small per-thread cache gives the same shared text again. An entry keeps the file and
/// function it was made from, so the same data pointer means the same text.
QString steppedDescription(const SessionFrame& f)
{
    struct Entry {
        QString file;
        QString function;
        int line = -1;
        QString description;
    };
    constexpr std::size_t kEntries = 32; // direct-mapped by line
    struct Cache : std::array<Entry, kEntries> { };
    Entry& e = detail::PerThread<Cache>::get()[std::size_t(f.line) % kEntries];
    if (e.line == f.line && e.file.constData() == f.file.constData() && e.file.size() == f.file.size()
        && e.function.constData() == f.function.constData() && e.function.size() == f.function.size())
        return e.description;
    e.file = f.file;
    e.function = f.function;
    e.line = f.line;
    e.description = programDescription(f);
    return e.description;
}

} // namespace

SessionTask& SessionState::taskRef(int id)
{
    if (m_lastTask.id == id && m_tasks.isDetached()) [[likely]]
        return *m_lastTask.task;
    auto it = m_tasks.find(id); // detaches a shared map: its nodes move
    if (it == m_tasks.end()) {
        SessionTask t;
        t.id = id;
        t.storeOwner = id;
        it = m_tasks.insert(id, t);
    }
    m_lastTask.id = id;
    m_lastTask.task = &it.value();
    return it.value();
}

const SessionTask* SessionState::task(int id) const
{
    auto it = m_tasks.constFind(id);
    return it == m_tasks.cend() ? nullptr : &it.value();
}

Store SessionState::store(int id) const
{
    const SessionTask* t = task(id);
    return m_stores.value(t ? t->storeOwner : id);
}

int SessionState::addNode(int parent, const QString& display, bool effect, int taskId)
{
    const bool known = parent >= 0 && parent < int(m_tree.size());
    // (once a parent has unrecorded children its last recorded one is no longer its last)
    if (effect && known && !m_tree[parent].children.isEmpty() && m_tree[parent].more == 0) {
        const int lastId = m_tree[parent].children.last();
        SessionTreeNode& last = m_tree[lastId];
        if (last.effect && last.display == display && last.children.isEmpty() && last.task == taskId) {
            ++last.count;
            m_touchedNode = lastId;
            return lastId;
        }
    }
    if (m_tree.size() >= size_t(treeNodeLimit)) {
        if (known) {
            ++m_tree[parent].more;
            m_touchedNode = parent;
        }
        return -1;
    }
    SessionTreeNode n;
    n.parent = parent;
    n.display = display;
    n.effect = effect;
    n.task = taskId;
    m_tree.push_back(n);
    const int id = int(m_tree.size()) - 1;
    if (parent >= 0 && parent < id) m_tree[parent].children.append(id);
    return id;
}

int SessionState::recordedActivation(const SessionTask& t)
{
    for (auto it = t.k.rbegin(); it != t.k.rend(); ++it)
        if (it->kind == FrameKindCode::Program && it->node >= 0) return it->node;
    return -1;
}

QString handlingFrameHandler(const QString& description)
{
    const qsizetype at = description.lastIndexOf(QLatin1String(" handler="));
    return at < 0 ? QString() : description.mid(at + 9);
}

QString handlingFrameEffect(const QString& description)
{
    QString d = description;
    if (const qsizetype at = d.lastIndexOf(QLatin1String(" handler=")); at >= 0) d.truncate(at);
    return d.startsWith(QLatin1String("effect=")) ? d.mid(7) : d;
}

int SessionState::restoredActivation(const SessionTask& t, int effectNode, const QString& function) const
{
    if (effectNode < 0 || effectNode >= int(m_tree.size())) return -1;
    const QString display = function + QStringLiteral("()");
    auto inK = [&](int node) {
        return std::any_of(t.k.cbegin(), t.k.cend(),
                           [&](const SessionFrame& f) { return f.kind == FrameKindCode::Program && f.node == node; });
    };
    // the activations above the effect (the handled one, or one its handler yielded), up to the
    // one the frames below the cut still have: the outermost that runs `function` (frames come
    // back outermost first)
    int found = -1;
    for (int n = effectNode;;) {
        if (inK(n)) break;
        const SessionTreeNode& node = m_tree[size_t(n)];
        if (!node.effect && node.display.startsWith(display)) found = n;
        // a parent is always an earlier node (a damaged trace may say otherwise: stop there)
        if (node.parent < 0 || node.parent >= n) break;
        n = node.parent;
    }
    return found;
}

void SessionState::apply(const Event& e)
{
    ++m_events;
    m_touchedNode = -1;
    if (e.step != m_changedStep) {
        m_changedStep = e.step;
        m_changedKeys.clear();
    }
    m_step = e.step;
    switch (e.kind) {
    case EventKind::RunStarted:
        m_started = true;
        m_program = e.name;
        m_stores.insert(0, storeFromPairs(e.value));
        taskRef(0).env = e.old.toMap();
        break;
    case EventKind::RunFinished:
        m_finished = true;
        m_status = e.name;
        m_current = -1;
        break;
    case EventKind::Step: {
        SessionTask& t = taskRef(e.task);
        ++t.steps;
        m_current = e.task;
        if (e.file) {
            for (auto it = t.k.rbegin(); it != t.k.rend(); ++it) {
                if (it->kind != FrameKindCode::Program) continue;
                // most steps stay where the frame already is: compared in place, nothing built
                const QString file = fileText(e.file);
                const bool sameFile = it->file.constData() == file.constData() && it->file.size() == file.size();
                if (sameFile && it->line == e.line) break;
                if (!sameFile) it->file = file;
                it->line = e.line;
                it->description = steppedDescription(*it);
                break;
            }
        }
        break;
    }
    case EventKind::TaskSpawned: {
        SessionTask& t = taskRef(e.task);
        t.name = e.name;
        t.kind = TaskKindCode(e.code);
        t.parent = e.index;
        t.env = e.value.toMap();
        if (t.kind == TaskKindCode::Branch) {
            const SessionTask* p = task(e.index);
            t.storeOwner = p ? p->storeOwner : e.index;
        } else {
            t.storeOwner = t.id;
            if (e.old.isValid()) m_stores.insert(t.id, storeFromPairs(e.old));
        }
        break;
    }
    case EventKind::FramePushed: {
        SessionTask& t = taskRef(e.task);
        while (t.k.size() > e.index && e.index >= 0)
            t.k.removeLast();
        SessionFrame f;
        f.kind = FrameKindCode(e.code);
        f.description = e.text;
        if (f.kind == FrameKindCode::Handling && e.file) {
            // where the handled effect was performed
            f.file = fileText(e.file);
            f.line = e.line;
            f.function = e.function ? functionDisplayName(e.function) : QString();
        }
        if (f.kind == FrameKindCode::Program) {
            f.file = e.file ? fileText(e.file) : QString();
            f.line = e.line;
            f.function = e.function ? functionDisplayName(e.function) : QString();
            // tree parent: the calling activation; for a task's first activation, the effect
            // of the parent task that created it; for a scoped body, handler program or
            // replacement program, the effect it runs for
            // (from the top: program frames sit near it, so deep K costs nothing here)
            const bool hasProgram = std::any_of(t.k.crbegin(), t.k.crend(),
                                                [](const SessionFrame& x) { return x.kind == FrameKindCode::Program; });
            const bool taskRoot = t.kind != TaskKindCode::Main && !hasProgram
                && (t.k.isEmpty() || t.k.last().kind != FrameKindCode::Handling);
            // (past the tree's limit an activation may have no node: its children count in
            // the nearest recorded one's `more`)
            int parent = -1;
            if (!t.k.isEmpty() && t.k.last().kind == FrameKindCode::Program) {
                parent = recordedActivation(t);
            } else if (taskRoot) {
                const SessionTask* p = task(t.parent);
                parent = p ? p->lastEffectNode : -1; // (its Spawn or Gather counts it when unrecorded)
            } else if (t.lastEffectNode >= 0) {
                parent = t.lastEffectNode;
            } else {
                parent = recordedActivation(t);
            }
            QString display = f.function + QStringLiteral("()");
            // a coroutine handler's activation sits on the handling of its effect: it displays as
            // the handler, as in the run's own effect tree (RUNTIME.md §10.3)
            if (!t.k.isEmpty() && t.k.last().kind == FrameKindCode::Handling) {
                if (const QString h = handlingFrameHandler(t.k.last().description); !h.isEmpty())
                    display = h + QStringLiteral(" (handler)");
            }
            if (taskRoot) display += QStringLiteral(" [task %1]").arg(t.id);
            // a frame a continuation gives back is the activation it was, not a new one
            const int restored = e.value.toBool() ? restoredActivation(t, t.lastEffectNode, f.function) : -1;
            f.node = restored >= 0 ? restored : addNode(parent, display, false, t.id);
        }
        t.k.append(f);
        break;
    }
    case EventKind::FramePopped: {
        SessionTask& t = taskRef(e.task);
        while (t.k.size() > e.index && e.index >= 0)
            t.k.removeLast();
        break;
    }
    case EventKind::EffectYielded: {
        SessionTask& t = taskRef(e.task);
        t.currentEffect = e.name;
        m_lastEffect = e.name;
        t.lastEffectNode = addNode(recordedActivation(t), e.name, true, t.id);
        break;
    }
    case EventKind::EffectHandled:
        break;
    case EventKind::StoreWrite: {
        const SessionTask* t = task(e.task);
        m_stores[t ? t->storeOwner : e.task].insert(e.name, e.value);
        m_changedKeys.append(e.name);
        break;
    }
    case EventKind::StoreReplaced: {
        const SessionTask* t = task(e.task);
        m_stores[t ? t->storeOwner : e.task] = storeFromPairs(e.value);
        break;
    }
    case EventKind::EnvEntered:
    case EventKind::EnvLeft:
        taskRef(e.task).env = e.value.toMap();
        break;
    case EventKind::LogAppended: {
        const SessionTask* t = task(e.task);
        Store& s = m_stores[t ? t->storeOwner : e.task];
        static const QString logKey = QStringLiteral("__log__");
        QVariant* slot = s.findMutable(logKey);
        if (!slot) {
            s.insert(logKey, QVariantList());
            slot = s.findMutable(logKey);
        }
        QVariantList log = slot->toList();
        *slot = QVariant(); // drop the second reference so the append does not copy the list
        appendMessages(log, e.value);
        *slot = std::move(log);
        m_logs.append(SessionLogEntry { e.step, e.task, e.value });
        m_changedKeys.append(QStringLiteral("__log__"));
        break;
    }
    case EventKind::TaskStateChanged: {
        SessionTask& t = taskRef(e.task);
        t.state = TaskStateCode(e.code);
        t.waitsOn = e.name;
        if (t.state == TaskStateCode::Running) m_current = t.id;
        break;
    }
    case EventKind::TaskFinished: {
        SessionTask& t = taskRef(e.task);
        t.state = TaskStateCode(e.code);
        t.waitsOn.clear();
        t.outcome = e.name;
        t.k.clear();
        break;
    }
    case EventKind::ErrorRaised: {
        // the failing node: the activation whose code threw, else the effect being handled
        const SessionTask* t = task(e.task);
        const int node = !t ? -1 : e.code == 1 ? recordedActivation(*t) : t->lastEffectNode;
        if (node >= 0 && node < int(m_tree.size())) {
            m_tree[node].error = true;
            m_touchedNode = node;
        }
        break;
    }
    case EventKind::ErrorCaught:
    case EventKind::InputReceived:
        break;
    }
}

QList<FrameInfo> SessionState::k(int id) const
{
    QList<FrameInfo> out;
    const SessionTask* t = task(id);
    if (!t) return out;
    for (auto it = t->k.crbegin(); it != t->k.crend(); ++it) {
        FrameInfo fi;
        fi.kind = QString::fromLatin1(frameKindCodeName(it->kind));
        fi.description = it->description;
        fi.file = it->file;
        fi.line = it->line;
        fi.function = it->function;
        out.append(fi);
    }
    return out;
}

EffectStackTrace SessionState::effectTree() const
{
    EffectStackTrace out;
    if (m_tree.empty()) return out;
    out.captured = true;
    // iterative conversion (the tree may be deep)
    struct Item {
        int node;
        EffectStackTrace::Node* target;
    };
    std::vector<Item> stack { { 0, &out.root } };
    while (!stack.empty()) {
        Item it = stack.back();
        stack.pop_back();
        const SessionTreeNode& n = m_tree[it.node];
        it.target->display = n.display;
        it.target->isEffect = n.effect;
        it.target->count = n.count;
        it.target->error = n.error;
        it.target->more = n.more;
        it.target->children.resize(n.children.size());
        for (qsizetype i = 0; i < n.children.size(); ++i)
            stack.push_back({ n.children[i], &it.target->children[i] });
    }
    return out;
}

} // namespace doeff
