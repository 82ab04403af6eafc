#!/usr/bin/env bash
# Installs the Debian 12 packages Doeff Studio needs to build, test and run, skipping those
# already present. Usage: packaging/install-deps.sh [extra-package ...]
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  qt6-base-dev qt6-base-dev-tools libqt6network6 libqt6concurrent6 libgl-dev
  qcoro-qt6-dev
  libedit-dev
  libunwind-dev libdw-dev
  libzstd-dev
  libgraphviz-dev
  xvfb xauth
  appstream desktop-file-utils groff-base
  "$@"
)
# node and npm run the DAP test suite and build the VS Code extension; a newer node already on
# the machine (which brings its own npm) is kept.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
