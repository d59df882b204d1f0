#!/usr/bin/env bash
# The README's main command: installs what is missing, builds, and runs the main job: the quick
# benchmark suite (BPF CCs against the kernel's native ones over emulated bottlenecks), then
# prints where the report is. Extra arguments go to `ccbench run` (e.g. --suite full).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/tools/setup.sh"
"$top/tools/build.sh"
out="$top/results/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$top/results"
"$top/build/bench/ccbench" run --suite quick --out "$out" "$@"
echo
echo "report: $out/report.html (and report.md, results.json, runs.csv, summary.csv)"
