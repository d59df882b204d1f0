#!/usr/bin/env bash
# The README's test command (and exactly what .ci/run calls): installs what is missing, builds,
# and runs the whole suite through `meson test`: the unit tier, then the privileged tier (real
# kernel, namespaces and cgroups it creates and removes). Needs root. Ends with one line
# "N passed, N failed" over both tiers and exits non-zero if anything failed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
"$top/tools/setup.sh"
"$top/tools/build.sh"

passed=0
failed=0
status=0
for suite in unit privileged; do
  # Unit tests may run in parallel; privileged ones serialise themselves (is_parallel: false).
  meson test -C build --print-errorlogs --suite "$suite" || status=1
  read -r p f < <(python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
results = [json.loads(line)["result"] for line in open(sys.argv[1]) if line.strip()]
print(sum(r == "OK" for r in results), sum(r != "OK" for r in results))
PY
)
  passed=$((passed + p))
  failed=$((failed + f))
done
echo
echo "tests: $passed passed, $failed failed"
exit $status
