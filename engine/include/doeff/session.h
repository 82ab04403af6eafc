#pragma once

#include <doeff/export.h>
#include <doeff/observer.h>
#include <doeff/runtimeresult.h>
#include <doeff/store.h>

#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <QVariant>

#include <vector>

/// The state of a run as the event stream describes it. Live sessions and recorded traces feed
/// the same reducer, so a debugger cannot tell them apart (DESIGN.md). Apply events in order;
/// the state after event N is the machine's state after the transition that produced it.
namespace doeff {

struct SessionStateAccess; // internal: the trace codec's checkpoints

struct SessionFrame {
    FrameKindCode kind = FrameKindCode::Program;
    QString description; ///< `level2() at deep.cpp:11`, `handler=core`, …
    QString file; ///< program frames: where the activation is (suspension or definition)
    int line = 0;
    QString function; ///< program frames: display name
    int node = -1; ///< program frames: effect-tree node
};

struct SessionTask {
    int id = 0;
    QString name;
    TaskKindCode kind = TaskKindCode::Main;
    int parent = -1;
    TaskStateCode state = TaskStateCode::Ready;
    QString waitsOn;
    quint64 steps = 0;
    QList<SessionFrame> k; ///< bottom first
    Env env;
    int storeOwner = 0; ///< the task whose store this task uses (branches share their parent's)
    QString currentEffect; ///< label of the last effect it yielded
    QString outcome; ///< `Ok(…)`, `Err(…)`, `cancelled` once finished
    int lastEffectNode = -1;
    bool isFinished() const
    {
        return state == TaskStateCode::Done || state == TaskStateCode::Failed || state == TaskStateCode::Cancelled;
    }
    /// Where the task's code is: its top program activation; or, between a coroutine handler's
    /// program and the site it resumes (the handling on top, the site's activations in its
    /// continuation), the handling, located where the effect it handles was performed. Null
    /// when no frame has a location.
    const SessionFrame* codeFrame() const;
};

struct SessionLogEntry {
    quint64 step = 0;
    int task = 0;
    QVariant message;
};

/// One node of the reconstructed effect call tree (flat; children in order).
struct SessionTreeNode {
    int parent = -1;
    QString display;
    bool effect = false;
    int task = 0;
    int count = 1;
    bool error = false;
    /// Children not recorded because the tree had reached SessionState::treeNodeLimit
    /// (effects and activations; an unrecorded activation's own children are not counted).
    int more = 0;
    QList<int> children;
};

/// A handling frame's description is `effect=<label> handler=<name>`: the handler's name (empty
/// when the description is not one), and the handled effect's label.
DOEFF_EXPORT QString handlingFrameHandler(const QString& description);
DOEFF_EXPORT QString handlingFrameEffect(const QString& description);

class DOEFF_EXPORT SessionState {
public:
    /// The effect call tree stops growing at this many nodes; later effects and activations
    /// are counted in their nearest recorded ancestor's `more` (repeats of a recorded leaf
    /// still merge into it). This bounds what a state costs to copy, checkpoint and rebuild,
    /// however long the run. Part of the reduction: traces rely on it being the same for
    /// the writer and the reader.
    static constexpr int treeNodeLimit = 100'000;

    void apply(const Event& event);

    quint64 step() const { return m_step; }
    quint64 eventCount() const { return m_events; }
    bool started() const { return m_started; }
    bool finished() const { return m_finished; }
    QString status() const { return m_status; }
    QString programName() const { return m_program; }
    int currentTask() const { return m_current; }
    QString lastEffect() const { return m_lastEffect; }
    /// Keys written by the most recent event(s) of the current step (for highlighting).
    const QStringList& changedKeys() const { return m_changedKeys; }

    const QMap<int, SessionTask>& tasks() const { return m_tasks; }
    const SessionTask* task(int id) const;
    /// The store a task sees (its own, or its gathering parent's).
    Store store(int task) const;
    const QList<SessionLogEntry>& logs() const { return m_logs; }
    const std::vector<SessionTreeNode>& tree() const { return m_tree; }
    /// The existing tree node the last apply() changed (its count, `more` or error mark), or
    /// -1; nodes it added are not reported (they are the new end of tree()).
    int lastTouchedNode() const { return m_touchedNode; }
    /// The reconstructed tree in the RuntimeResult's form (for format()).
    EffectStackTrace effectTree() const;
    /// K of a task, top first, in the RuntimeResult's form.
    QList<FrameInfo> k(int task) const;

private:
    friend struct SessionStateAccess; // checkpoints save and restore every member

    int addNode(int parent, const QString& display, bool effect, int task);
    /// The activation node a program frame given back to `t` had (FramePushed.restored): the
    /// outermost activation of `function` above the task's last effect that no frame of its K
    /// has; -1 when there is none.
    int restoredActivation(const SessionTask& t, int effectNode, const QString& function) const;
    /// The node of the innermost program frame of `t` that is in the tree (-1: none).
    static int recordedActivation(const SessionTask& t);
    SessionTask& taskRef(int id);

    quint64 m_step = 0;
    quint64 m_events = 0;
    bool m_started = false;
    bool m_finished = false;
    QString m_status;
    QString m_program;
    int m_current = -1;
    QString m_lastEffect;
    QStringList m_changedKeys;
    quint64 m_changedStep = 0;
    QMap<int, SessionTask> m_tasks;
    /// taskRef()'s last answer: nearly every event is of the task the one before was of. Used
    /// while m_tasks is not shared (a copy of the state shares the map, and whichever writes
    /// first detaches it, moving the nodes); a copy or an assignment of the state starts
    /// without it, and so does a checkpoint read into it (SessionStateAccess).
    struct LastTask {
        int id = -1;
        SessionTask* task = nullptr;
        LastTask() = default;
        LastTask(const LastTask&) noexcept { }
        LastTask& operator=(const LastTask&) noexcept
        {
            id = -1;
            task = nullptr;
            return *this;
        }
    };
    LastTask m_lastTask;
    QHash<int, Store> m_stores; ///< by owner task id
    QList<SessionLogEntry> m_logs;
    std::vector<SessionTreeNode> m_tree;
    int m_touchedNode = -1; ///< an existing node the last apply() changed (count, more, error)
};

} // namespace doeff
