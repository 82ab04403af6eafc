#include "waitcycles.h"

#include <utility>

namespace doeff::detail {

QList<QList<int>> findWaitCycles(const std::vector<std::vector<int>>& out, qsizetype limit)
{
    enum : unsigned char { White, Grey, Black };
    std::vector<unsigned char> colour(out.size(), White);
    std::vector<int> pathPos(out.size(), -1);
    std::vector<int> path;
    std::vector<std::pair<int, std::size_t>> stack; // node, next edge
    QList<QList<int>> cycles;
    for (std::size_t root = 0; root < out.size(); ++root) {
        if (colour[root] != White) continue;
        stack.emplace_back(int(root), 0);
        colour[root] = Grey;
        pathPos[root] = int(path.size());
        path.push_back(int(root));
        while (!stack.empty()) {
            auto& [node, edge] = stack.back();
            if (edge == out[node].size()) {
                colour[node] = Black;
                path.pop_back();
                stack.pop_back();
                continue;
            }
            const int next = out[node][edge++];
            if (colour[next] == Grey) {
                if (cycles.size() < limit) cycles.append(QList<int>(path.begin() + pathPos[next], path.end()));
            } else if (colour[next] == White) {
                colour[next] = Grey;
                pathPos[next] = int(path.size());
                path.push_back(next);
                stack.emplace_back(next, 0);
            }
        }
    }
    return cycles;
}

} // namespace doeff::detail
