#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   ./test.sh          developer build (warnings are errors) + the whole ctest suite
#   ./test.sh --asan   the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer
#   ./test.sh --fuzz [SECONDS]   the libFuzzer targets, each for SECONDS (default 60): fuzz/run.sh
set -euo pipefail
cd "$(dirname "$0")"
preset=dev
if [[ ${1:-} == --asan ]]; then
  preset=dev-asan
elif [[ ${1:-} == --fuzz ]]; then
  exec fuzz/run.sh "${2:-60}"
fi
packaging/install-deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan-suppressions.txt}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --preset "$preset"
