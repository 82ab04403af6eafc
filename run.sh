#!/usr/bin/env bash
# The main job: installs what is missing, builds (dev preset), then opens Doeff Studio — or,
# without a display, runs a showcase program headless with doeff-run and prints its result.
#   ./run.sh
set -euo pipefail
cd "$(dirname "$0")"
packaging/install-deps.sh
cmake --preset dev
cmake --build --preset dev

runner=build/dev/app/doeff-run
studio=build/dev/app/doeff-studio
if [[ ! -x $studio && -x build/dev/app/studio/doeff-studio ]]; then
  studio=build/dev/app/studio/doeff-studio
fi
if [[ -n ${DISPLAY:-} && -x $studio ]]; then
  if (($# == 0)); then
    set -- --program word_count # the main job: the Studio stepping a built-in example
  fi
  exec "$studio" "$@"
fi
if [[ -z ${DISPLAY:-} ]]; then
  echo "run.sh: no display (\$DISPLAY is not set): running the word_count example headless with doeff-run"
else
  echo "run.sh: $studio is not built: running the word_count example headless with doeff-run"
fi
echo "run.sh: (more programs: $runner --list; options: $runner --help)"
echo
status=0
"$runner" word_count --format verbose || status=$?
exit "$status"
