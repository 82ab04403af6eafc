#!/usr/bin/env bash
# Instructions, and locked (atomic) instructions, per forwarding coroutine handler passed.
#
#   bench/forward-instructions.sh [BUILD_DIR] [N]      (defaults: build/dev, 20000)
#
# Runs doeff-forward-probe under callgrind with 16 and with 1 handler(s) and prints
# (I(16) − I(1)) / (15 × N): the instructions one more forwarding coroutine handler costs an
# effect. The locked ones are found by matching each instruction callgrind counted
# (--dump-instr=yes) against the lock-prefixed instructions `objdump -d` lists in its library:
# on x86-64 every atomic read-modify-write is one, and each costs far more than its count.
# Needs valgrind and binutils. Deterministic, so it tells small changes apart where wall clock
# cannot; it never asserts anything.
set -euo pipefail

build=${1:-build/dev}
n=${2:-20000}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
probe=$build/bench/doeff-forward-probe
[[ -x $probe ]] || { echo "no $probe: build the doeff-forward-probe target first" >&2; exit 1; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for h in 1 16; do
    valgrind --tool=callgrind --dump-instr=yes --compress-pos=no --compress-strings=no \
        --callgrind-out-file="$out/cg.$h" "$probe" "$h" "$n" >/dev/null 2>"$out/log.$h" \
        || { cat "$out/log.$h" >&2; exit 1; }
done

# Per object and address: how often each instruction ran (the lines after a calls= line are a
# call's inclusive cost, not an instruction's).
counts() {
    awk '/^ob=/ { ob = substr($0, 4); next }
         /^calls=/ { skip = 1; next }
         /^0x/ { if (skip) { skip = 0; next } n[ob " " $1] += $3 }
         END { for (k in n) print k, n[k] }' "$1"
}
counts "$out/cg.1" | sort >"$out/c.1"
counts "$out/cg.16" | sort >"$out/c.16"

# The lock-prefixed instructions of every object that ran, and xchg with memory (implicitly
# locked; `xchg %ax,%ax` is a no-op for padding).
cut -d' ' -f1 "$out/c.16" | sort -u | while read -r ob; do
    [[ -f $ob ]] || continue
    objdump -d --no-show-raw-insn "$ob" 2>/dev/null \
        | awk -v ob="$ob" '$2 ~ /^lock/ || ($2 ~ /^xchg/ && $0 ~ /\(/) { sub(":", "", $1); printf "%s 0x%s\n", ob, $1 }'
done | sort -u >"$out/locks"

total() { awk '{ s += $3 } END { printf "%.0f", s }' "$1"; }
locked() { join <(awk '{ print $1 "|" $2, $3 }' "$1" | sort) <(awk '{ print $1 "|" $2 }' "$out/locks" | sort) \
    | awk '{ s += $2 } END { printf "%.0f", s }'; }

passes=$((15 * n))
i1=$(total "$out/c.1")
i16=$(total "$out/c.16")
l1=$(locked "$out/c.1")
l16=$(locked "$out/c.16")
awk -v a="$i1" -v b="$i16" -v la="$l1" -v lb="$l16" -v p="$passes" 'BEGIN {
    printf "instructions per forwarding coroutine handler: %.0f\n", (b - a) / p
    printf "locked instructions per forwarding coroutine handler: %.2f\n", (lb - la) / p
}'
