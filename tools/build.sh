#!/usr/bin/env bash
# Configures (once) and builds the project in ./build. Used by the README's two commands.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [[ ! -f build/build.ninja ]]; then
  meson setup build
fi
ninja -C build
