#!/bin/sh
# Regenerates the Studio screenshots under Xvfb:
#   docs/screenshots.sh [BUILD_DIR]        (default build/dev)
# docs/images/studio.png: word_count, live, 30 steps in; studio-trace.png: a recorded trace
# of it viewed at step 40 on the Timeline; studio-crash.png: a debuggee that died of SIGSEGV (the
# test program library's `segfault`); studio-failed.png: pipeline run to its failed end.
set -eu
build=${1:-build/dev}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill "$xvfb" 2>/dev/null || true; rm -rf "$work"' EXIT
Xvfb :94 -screen 0 1700x1100x24 >/dev/null 2>&1 &
xvfb=$!
sleep 1
export DISPLAY=:94 XDG_CONFIG_HOME="$work/config"
"$build/app/doeff-run" word_count --clock simulated --trace "$work/word_count.doefftrace" >/dev/null
"$build/app/studio/doeff-studio" --default-layout --demo-steps 30 --screenshot "$here/images/studio.png"
"$build/app/studio/doeff-studio" --default-layout "$work/word_count.doefftrace" --at 40 \
    --screenshot "$here/images/studio-trace.png"
# the demo stops with status 1 when the debuggee dies; the screenshot is what counts
rm -f "$here/images/studio-crash.png"
"$build/app/studio/doeff-studio" --default-layout "$build/tests/libdoeff_testlib_inspector_programs.so" \
    --program segfault --demo-steps 20 --screenshot "$here/images/studio-crash.png" 2>/dev/null || true
test -s "$here/images/studio-crash.png"
# the demo reports the run's end (an Err) and stops with status 1; the screenshot is what counts
rm -f "$here/images/studio-failed.png"
"$build/app/studio/doeff-studio" --default-layout --program pipeline --demo-steps 500 \
    --screenshot "$here/images/studio-failed.png" 2>/dev/null || true
test -s "$here/images/studio-failed.png"
echo "wrote $here/images/studio.png, studio-trace.png, studio-crash.png and studio-failed.png"
