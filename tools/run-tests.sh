#!/usr/bin/env bash
# The README's test command (and exactly what .ci/run calls): installs what is missing, builds,
# and runs the whole suite through `meson test`, unit tier first, then the privileged tier
# (real kernel, namespaces it creates and removes). Needs root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/tools/setup.sh"
"$top/tools/build.sh"
# Unit tests may run in parallel; privileged ones serialise themselves (is_parallel: false).
meson test -C build --print-errorlogs --suite unit
meson test -C build --print-errorlogs --suite privileged
