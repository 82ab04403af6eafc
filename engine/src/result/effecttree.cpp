#include "effecttree.h"

#include <doeff/value.h>

#include <algorithm>

namespace doeff::detail {

namespace {
constexpr int kMaxBuiltDepth = EffectTree::kMaxDepth;
}

EffectTree::EffectTree(int limit)
    : m_limit(std::max(0, limit))
{ }

int EffectTree::alloc()
{
    ++m_count;
    if (!m_free.empty()) { // freeSubtree() left it as a new one
        const int n = m_free.back();
        m_free.pop_back();
        m_nodes[n].used = true;
        return n;
    }
    const int n = m_nodes.add();
    m_nodes[n].used = true;
    return n;
}

void EffectTree::link(int parent, int node)
{
    Node& n = m_nodes[node];
    n.parent = parent;
    if (parent < 0) return;
    Node& p = m_nodes[parent];
    n.prev = p.last;
    if (p.last >= 0)
        m_nodes[p.last].next = node;
    else
        p.first = node;
    p.last = node;
}

int EffectTree::addActivation(int parent, const char* function, int task, bool taskRoot, const QString* handler)
{
    if (!enabled()) return -1;
    if (parent == kElided) return kElided;
    if (parent < 0 && m_root >= 0) parent = m_root;
    const int depth = parent >= 0 ? int(m_nodes[parent].depth) + 1 : 0;
    if (depth > kMaxDepth) {
        ++m_nodes[parent].more; // what build() would have summarised there
        return kElided;
    }
    const int n = alloc();
    Node& node = m_nodes[n];
    node.depth = std::uint16_t(depth);
    node.function = function;
    node.task = task;
    node.taskRoot = taskRoot;
    if (handler) setNodeLabel(node, *handler);
    node.live = true;
    link(parent, n);
    if (m_root < 0) m_root = n;
    return n;
}

int EffectTree::addEffect(int parent, const QString& label, bool noMerge)
{
    if (!enabled() || parent < 0) return -1;
    Node& p = m_nodes[parent];
    if (p.last >= 0 && !noMerge && !full()) {
        Node& last = m_nodes[p.last];
        if (last.effect && last.first < 0 && last.more == 0 && labelOf(last) == label) {
            ++last.count;
            return p.last;
        }
    }
    if (full()) {
        ++p.more;
        return -1;
    }
    const int depth = int(p.depth) + 1;
    const int n = alloc();
    m_nodes[n].depth = std::uint16_t(depth);
    m_nodes[n].effect = true;
    m_nodes[n].count = 1;
    setNodeLabel(m_nodes[n], label);
    link(parent, n);
    return n;
}

void EffectTree::setLabel(int node, const QString& label)
{
    if (node >= 0) setNodeLabel(m_nodes[node], label);
}

void EffectTree::pin(int node)
{
    for (int n = node; n >= 0 && !m_nodes[n].pinned; n = m_nodes[n].parent)
        m_nodes[n].pinned = true;
}

void EffectTree::freeSubtree(int node)
{
    std::vector<int>& stack = m_scratch;
    stack.assign(1, node);
    while (!stack.empty()) {
        const int n = stack.back();
        stack.pop_back();
        for (int c = m_nodes[n].first; c >= 0; c = m_nodes[c].next)
            stack.push_back(c);
        release(n);
    }
}

void EffectTree::release(int node)
{
    const int label = m_nodes[node].label;
    if (label >= 0) m_labels[std::size_t(label)] = QString(); // its slot stays, empty
    m_nodes[node] = Node(); // as alloc() hands it out again
    m_nodes[node].label = label;
    m_free.push_back(node);
    --m_count;
}

void EffectTree::finish(int node)
{
    if (node < 0) return;
    Node& n = m_nodes[node];
    n.live = false;
    if (m_count <= m_limit || n.pinned || n.parent < 0) return;
    // Fold it wherever it is among its siblings (interleaved tasks finish out of order); the
    // others keep their order and the parent counts the folded child in `more`.
    Node& p = m_nodes[n.parent];
    if (n.prev >= 0)
        m_nodes[n.prev].next = n.next;
    else
        p.first = n.next;
    if (n.next >= 0)
        m_nodes[n.next].prev = n.prev;
    else
        p.last = n.prev;
    ++p.more;
    if (n.first < 0) // a leaf, as most folded nodes are
        release(node);
    else
        freeSubtree(node);
}

QString EffectTree::display(const Node& n) const
{
    if (n.effect) return labelOf(n);
    if (!labelOf(n).isEmpty()) return labelOf(n) + QStringLiteral(" (handler)");
    QString s = functionDisplayNameOfStatic(n.function) + QStringLiteral("()");
    if (n.taskRoot && n.task != 0) s += QStringLiteral(" [task %1]").arg(n.task);
    return s;
}

EffectStackTrace EffectTree::build(int errorNode, const std::vector<int>& rethrown) const
{
    EffectStackTrace t;
    t.captured = enabled() && m_root >= 0;
    if (!t.captured) return t;
    // Iterative copy; depth beyond kMaxBuiltDepth is summarised in `more`.
    struct Item {
        int node;
        EffectStackTrace::Node* out;
        int depth;
    };
    std::vector<Item> stack { { m_root, &t.root, 0 } };
    while (!stack.empty()) {
        const Item it = stack.back();
        stack.pop_back();
        const Node& n = m_nodes[it.node];
        it.out->display = display(n);
        it.out->isEffect = n.effect;
        it.out->count = n.merged();
        it.out->more = n.more;
        it.out->error = it.node == errorNode;
        it.out->rethrown = std::find(rethrown.begin(), rethrown.end(), it.node) != rethrown.end();
        if (it.depth >= kMaxBuiltDepth) {
            int hidden = 0;
            for (int c = n.first; c >= 0; c = m_nodes[c].next)
                ++hidden;
            it.out->more += hidden;
            continue;
        }
        int count = 0;
        for (int c = n.first; c >= 0; c = m_nodes[c].next)
            ++count;
        it.out->children.resize(count);
        int i = 0;
        for (int c = n.first; c >= 0; c = m_nodes[c].next, ++i)
            stack.push_back({ c, &it.out->children[i], it.depth + 1 });
    }
    return t;
}

} // namespace doeff::detail
