#!/usr/bin/env bash
# What compiling the instrumentation hooks in costs when no observer is attached.
#
#   bench/hooks-cost.sh [ROUNDS] [WORKLOADS]      (defaults: 7 rounds, workloads a,e,g)
#
# Builds doeff-bench twice (RelWithDebInfo, no GUI, no tests): build/hooks-on with the hooks
# (the default) and build/hooks-off with -DDOEFF_HOOKS=OFF. Then it runs the two binaries in
# alternation, ROUNDS times each, so that both see the same load on a shared machine, and keeps
# for every measurement the smallest CPU time of its rounds (the run least disturbed by others).
# It prints one line per measurement: CPU seconds with and without hooks and the ratio.
# Timings are reported, never asserted.
set -euo pipefail

rounds=${1:-7}
workloads=${2:-a,e,g}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

for variant in on off; do
    dir=build/hooks-$variant
    hooks=ON
    [[ $variant == off ]] && hooks=OFF
    if [[ ! -f $dir/CMakeCache.txt ]]; then
        cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDOEFF_BUILD_GUI=OFF \
            -DBUILD_TESTING=OFF -DDOEFF_HOOKS=$hooks >/dev/null
    fi
    cmake --build "$dir" --target doeff-bench >/dev/null
done

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for ((i = 1; i <= rounds; ++i)); do
    for variant in on off; do
        build/hooks-$variant/bench/doeff-bench --only "$workloads" --repeat 1 --json --quiet \
            >"$out/$variant-$i.json" 2>/dev/null
    done
    echo "round $i/$rounds done" >&2
done

python3 - "$out" "$rounds" <<'EOF'
import json, sys
out, rounds = sys.argv[1], int(sys.argv[2])
best = {}
for variant in ("on", "off"):
    for i in range(1, rounds + 1):
        for m in json.load(open(f"{out}/{variant}-{i}.json")):
            key = (m["workload"], m.get("param", ""))
            cur = best.setdefault(key, {})
            cur[variant] = min(cur.get(variant, float("inf")), m["cpu_seconds"])
print(f"{'workload':<16} {'param':<28} {'hooks on':>10} {'hooks off':>10} {'on/off':>8}")
for (w, p), v in best.items():
    if "on" in v and "off" in v:
        print(f"{w:<16} {p:<28} {v['on']:>9.4f}s {v['off']:>9.4f}s {v['on'] / v['off']:>8.3f}")
EOF
