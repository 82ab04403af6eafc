#pragma once

// Records the effect call tree as the run happens (RUNTIME.md §10.3), bounded by
// RunOptions::effect_tree_limit. Nodes live in chunks that never move, with intrusive child
// links.

#include <doeff/runtimeresult.h>

#include <QString>

#include <cstdint>
#include <memory>
#include <vector>

namespace doeff::detail {

class EffectTree {
public:
    explicit EffectTree(int limit);

    /// The node of an activation deeper than a result ever shows (kMaxDepth): not recorded,
    /// its parent counts it in `more`, and what happens under it is not recorded either.
    static constexpr int kElided = -2;
    /// The deepest activation recorded: a result's tree is cut there, so a deep recursion
    /// costs no node per level below it.
    static constexpr int kMaxDepth = 256;

    bool enabled() const { return m_limit > 0; }
    /// A program activation. `parent` -1 makes it the root (first call) — never elided; under
    /// an elided parent, or beyond kMaxDepth, it is elided (kElided). `handler` names the
    /// handler whose program this is (null for any other program); it is copied only here.
    int addActivation(int parent, const char* function, int task, bool taskRoot, const QString* handler = nullptr);
    /// An effect leaf under `parent`, merged with an identical last sibling. Returns -1 when
    /// the tree is full (the parent counts it in `more`).
    int addEffect(int parent, const QString& label, bool noMerge = false);
    bool full() const { return m_count >= m_limit; }
    /// addEffect() on a full tree or under an elided activation (`parent` < 0), inline: the
    /// parent counts the effect in `more`. Once a long run has filled its tree, this is all an
    /// effect costs the tree.
    void countElidedEffect(int parent)
    {
        if (parent >= 0) ++m_nodes[std::size_t(parent)].more;
    }
    void setLabel(int node, const QString& label);
    /// An activation finished; beyond the limit it is folded into its parent's `more`.
    void finish(int node);
    /// Keeps a node and its ancestors from being folded (error sites).
    void pin(int node);

    /// The tree for a result, marking `errorNode` and `rethrown`.
    EffectStackTrace build(int errorNode, const std::vector<int>& rethrown) const;

private:
    struct Node {
        int parent = -1;
        int first = -1;
        int last = -1;
        int next = -1;
        int prev = -1;
        std::uint16_t depth = 0; ///< activations and effects: the root is 0 (at most kMaxDepth + 2)
        // one byte of flags, so that a node fits 48 bytes
        bool effect : 1 = false;
        bool taskRoot : 1 = false;
        bool live : 1 = false;
        bool pinned : 1 = false;
        bool used : 1 = false;
        const char* function = nullptr;
        /// the index of its label in m_labels (effects, handler activations), kept by the node
        /// index through release() with the label emptied; -1 for a node never labelled (a
        /// plain activation, as every live task's is)
        int label = -1;
        union { // an activation has no count, an effect no task
            int task = 0; ///< activations
            int count; ///< effects: merged identical consecutive ones
        };
        int more = 0;
        int merged() const { return effect ? count : 1; }
    };
    static_assert(sizeof(void*) != 8 || sizeof(Node) <= 48, "every live task holds one");
    /// Every node, by index, in chunks of kChunk: a growing tree (one live node per waiting
    /// task) never copies its nodes and holds no spare room beyond its last chunk, where a
    /// vector holds up to as much again.
    class Nodes {
    public:
        Node& operator[](std::size_t i) { return m_chunks[i / kChunk][i % kChunk]; }
        const Node& operator[](std::size_t i) const { return m_chunks[i / kChunk][i % kChunk]; }
        /// A new default node at the end; its index.
        int add()
        {
            if (m_size % kChunk == 0) m_chunks.push_back(std::make_unique<Node[]>(kChunk));
            return int(m_size++);
        }

    private:
        static constexpr std::size_t kChunk = 256; ///< 12 KiB
        std::vector<std::unique_ptr<Node[]>> m_chunks;
        std::size_t m_size = 0;
    };
    int alloc();
    void link(int parent, int node);
    void freeSubtree(int node);
    void release(int node); ///< back on the free list, reset
    QString display(const Node& n) const;
    const QString& labelOf(const Node& n) const
    {
        static const QString none;
        return n.label >= 0 ? m_labels[std::size_t(n.label)] : none;
    }
    void setNodeLabel(Node& n, const QString& label)
    {
        if (n.label < 0) {
            n.label = int(m_labels.size());
            m_labels.emplace_back();
        }
        m_labels[std::size_t(n.label)] = label;
    }

    int m_limit;
    int m_count = 0;
    int m_root = -1;
    Nodes m_nodes;
    std::vector<int> m_free;
    /// Labels apart from their nodes, so that the node of a plain activation (every live
    /// task's: the part of the tree that grows with the tasks, beyond the limit) has no room
    /// for one. A slot stays with the node index that made it: one that is freed and made
    /// again (a forwarding handler's activation, once per effect) finds its slot.
    std::vector<QString> m_labels;
    std::vector<int> m_scratch; ///< freeSubtree's stack, kept: folding a node allocates nothing
};

} // namespace doeff::detail
