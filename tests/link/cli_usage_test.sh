#!/bin/bash
# Usage errors of `ccbench link up`: one line naming the parameter, exit 2, nothing created.
set -u
ccbench="$1"
fail=0
before_ns=$(ip netns list 2>/dev/null | sort)
tracedir=$(mktemp -d)
trap 'rm -rf "$tracedir"' EXIT
check() {  # expected-substring args...
  local want="$1"; shift
  local err rc
  err=$("$ccbench" link up "$@" 2>&1 >/dev/null); rc=$?
  if [[ $rc -ne 2 || "$err" != *"$want"* || $(printf '%s\n' "$err" | wc -l) -ne 1 ]]; then
    echo "FAIL: ccbench link up $* -> rc=$rc, stderr: $err (wanted '$want', exit 2, one line)"
    fail=1
  fi
}
check "--rate" --rate 0mbit
check "--rtt" --rate 10mbit --rtt -5ms
check "--rtt" --rate 10mbit --rtt 10s
check "--loss" --rate 10mbit --loss 101%
check "--loss" --rate 10mbit --loss -1%
check "--buffer" --rate 10mbit --buffer 1000b
check "--rate: unknown unit" --rate 10furlongs
check "--flow-rtt" --rate 10mbit --rtt 10ms --flow-rtt 5302
check "--flow-rtt: 5302=5ms is shorter" --rate 10mbit --rtt 10ms --flow-rtt 5302=5ms
check "kernel path has no per-flow delay" --rate 10mbit --rtt 10ms --flow-rtt 5302=40ms --backend kernel
check "--trace" --trace "$tracedir/missing.up"
check "--ecn-threshold" --rate 10mbit --buffer 10pkt --ecn-threshold 50pkt
check "--name" --rate 10mbit --name "no spaces"
after_ns=$(ip netns list 2>/dev/null | sort)
if [[ "$before_ns" != "$after_ns" ]]; then echo "FAIL: namespaces changed"; fail=1; fi
exit $fail
