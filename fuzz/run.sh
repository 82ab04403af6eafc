#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: g++ with ASan + UBSan and coverage), writes seed
# corpora from the built-in examples, and runs each fuzzer for a bounded time.
#   fuzz/run.sh [SECONDS-PER-TARGET]      (default 60)
# Prints, per target, the executions run and whether it crashed; exits non-zero on a crash
# (the input is kept under build/fuzz/artifacts/). Called by `./test.sh --fuzz`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=build/fuzz

packaging/install-deps.sh libclang-rt-14-dev
cmake --preset fuzz >/dev/null
# The seeds are written by doeff-run. The developer build's serves when there is one (CI has just
# built it with ./test.sh; brought up to date here): building it again with this preset's flags
# would compile the whole engine a second time, beside the fuzzers' instrumented copy of it.
if [[ -f build/dev/build.ninja ]]; then
  cmake --build --preset fuzz --target doeff_fuzzers
  cmake --build --preset dev --target doeff-run
  runner=build/dev/app/doeff-run
else
  cmake --build --preset fuzz --target doeff_fuzzers doeff-run
  runner=$build/app/doeff-run
fi

# Seeds: the trace and the saved result of every example (failing ones included: their
# results carry errors, K stacks and unobserved failures). Long loops are shortened
# (iterations) and large traces left out, so that inputs stay small and executions fast.
corpus=$build/corpus
rm -rf "$corpus"
mkdir -p "$corpus/trace" "$corpus/result" "$build/artifacts"
export ASAN_OPTIONS=detect_leaks=0
for name in $("$runner" --list | awk 'NR > 1 && !/:$/ { print $1 }'); do
  "$runner" "$name" --clock simulated --env iterations=200 --trace "$corpus/trace/$name.doefftrace" \
    --save-result "$corpus/result/$name.doeffresult" >/dev/null 2>&1 || true
  # the same trace with plain frames, so that mutations reach the record decoders as well as zstd
  DOEFF_TRACE_COMPRESS=0 "$runner" "$name" --clock simulated --env iterations=200 \
    --trace "$corpus/trace/$name-plain.doefftrace" >/dev/null 2>&1 || true
done
find "$corpus" -type f -size +128k -delete
# the protocol target records real debugging sessions itself (see fuzz_protocol.cpp)
DOEFF_FUZZ_WRITE_SEEDS="$corpus/protocol" "$build/fuzz/fuzz_protocol" >/dev/null 2>&1
# the command target writes the command sequences a debugger sends (see fuzz_command.cpp)
DOEFF_FUZZ_WRITE_SEEDS="$corpus/command" "$build/fuzz/fuzz_command" >/dev/null 2>&1
# the assignment target writes --env/--store values of every JSON kind (see fuzz_assignment.cpp)
DOEFF_FUZZ_WRITE_SEEDS="$corpus/assignment" "$build/fuzz/fuzz_assignment" >/dev/null 2>&1
# the DAP target writes framed requests an editor sends, and broken frames (see fuzz_dap.cpp)
DOEFF_FUZZ_WRITE_SEEDS="$corpus/dap" "$build/fuzz/fuzz_dap" >/dev/null 2>&1
# the replay target records its own program as input logs and whole traces (see fuzz_replay.cpp)
DOEFF_FUZZ_WRITE_SEEDS="$corpus/replay" "$build/fuzz/fuzz_replay" >/dev/null 2>&1
echo "fuzz: seeds: $(ls "$corpus/trace" | wc -l) traces, $(ls "$corpus/result" | wc -l) results," \
  "$(ls "$corpus/protocol" | wc -l) protocol sessions, $(ls "$corpus/command" | wc -l) command sequences," \
  "$(ls "$corpus/assignment" | wc -l) assignments, $(ls "$corpus/dap" | wc -l) DAP inputs," \
  "$(ls "$corpus/replay" | wc -l) recordings to replay"

status=0
for target in trace result protocol command assignment dap replay; do
  work=$build/work-$target
  rm -rf "$work" && mkdir -p "$work"
  log=$build/fuzz_$target.log
  echo "fuzz: fuzz_$target for ${seconds}s"
  if ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/fuzz/fuzz_$target" "$work" "$corpus/$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=3072 -max_len=131072 -artifact_prefix="$build/artifacts/$target-" -print_final_stats=1 \
    >"$log" 2>&1; then
    result=ok
  else
    result=CRASH
    status=1
  fi
  runs=$(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  features=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo '?')
  echo "fuzz: fuzz_$target: $result, $runs executions, $features coverage features, $(ls "$work" | wc -l) new inputs"
  if [[ $result == CRASH ]]; then
    tail -n 60 "$log"
  fi
done
exit $status
