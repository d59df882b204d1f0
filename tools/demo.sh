#!/usr/bin/env bash
# Registers bpf_cubic, bpf_dctcp and bpf_qdelay and moves real traffic with each between two
# network namespaces, then removes everything it created (also on Ctrl-C or failure).
# Usage: tools/demo.sh [--keep]   (--keep leaves the CCs registered)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
ccload="$top/build/loader/ccload"
keep=0
[[ "${1:-}" == "--keep" ]] && keep=1

client="ccl-$$-demo-c"
server="ccl-$$-demo-s"
registered=()

cleanup() {
  ip netns pids "$server" 2>/dev/null | xargs -r kill 2>/dev/null || true
  ip netns del "$client" 2>/dev/null || true
  ip netns del "$server" 2>/dev/null || true
  if [[ $keep -eq 0 ]]; then
    for cc in "${registered[@]}"; do "$ccload" unregister "$cc" >/dev/null || true; done
  fi
}
trap cleanup EXIT INT TERM

for cc in bpf_cubic bpf_dctcp bpf_qdelay; do
  if "$ccload" show "$cc" >/dev/null 2>&1; then
    echo "$cc is already registered; using it"
  else
    "$ccload" register "$cc"
    registered+=("$cc")
  fi
done
echo
"$ccload" list
echo

ip netns add "$client"
ip netns add "$server"
ip link add veth0 netns "$client" type veth peer name veth0 netns "$server"
for ns in "$client" "$server"; do
  ip -n "$ns" link set lo up
  ip -n "$ns" link set veth0 up
  # DCTCP needs ECN negotiated on both ends.
  ip netns exec "$ns" sysctl -qw net.ipv4.tcp_ecn=1
done
ip -n "$client" addr add 10.198.0.1/24 dev veth0
ip -n "$server" addr add 10.198.0.2/24 dev veth0
ip netns exec "$server" iperf3 -s -D -B 10.198.0.2 >/dev/null
# iperf3 -D returns before the server listens: poll for the socket instead of sleeping blindly.
for _ in $(seq 100); do
  ip netns exec "$server" ss -Hltn 'sport = :5201' | grep -q . && break
  sleep 0.05
done

printf '%-12s %14s %12s %12s %s\n' CC "BYTES" "GBIT/S" RETRANS "CC REPORTED BY IPERF3 (sender/receiver)"
for cc in bpf_cubic bpf_dctcp bpf_qdelay; do
  out=$(ip netns exec "$client" iperf3 -c 10.198.0.2 -C "$cc" -t 2 -J)
  python3 - "$cc" "$out" <<'PY'
import json, sys
cc, doc = sys.argv[1], json.loads(sys.argv[2])
if "error" in doc:
    sys.exit(f"iperf3 with {cc}: {doc['error']}")
end = doc["end"]
recv = end["sum_received"]
print(f"{cc:<12} {recv['bytes']:>14} {recv['bits_per_second']/1e9:>12.2f} {end['sum_sent'].get('retransmits', 0):>12} "
      f"{end.get('sender_tcp_congestion', '?')}/{end.get('receiver_tcp_congestion', '?')}")
if recv["bytes"] <= 0 or end.get("sender_tcp_congestion") != cc:
    sys.exit(f"{cc}: no data moved or the CC was not used")
PY
done
echo
for cc in bpf_cubic bpf_dctcp bpf_qdelay; do "$ccload" show "$cc" | sed -n '1p;/counters:/,$p'; done
