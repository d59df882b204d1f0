#include "ceiling.h"

#include "iperf.h"

namespace ccbench::link {

Result<CeilingResult> measure_ceiling(const CeilingOptions &o) {
  LinkArgs args;
  args.name = "ceiling-" + std::to_string(getpid());
  args.rate = "40gbit";  // far above what the emulator carries: it is the bottleneck
  args.rtt = std::to_string(o.rtt_ns) + "ns";
  args.buffer = "20000pkt";
  args.backend = "tun";
  args.record = o.record;
  auto spec = resolve(args);
  if (!spec) return std::unexpected(spec.error());
  auto link = Link::up(*spec, o.up);
  if (!link) return std::unexpected(link.error());

  auto cpu0 = process_cpu_seconds(link->state().pid);
  if (!cpu0) return std::unexpected(cpu0.error());
  auto r = run_iperf(link->state(), {.seconds = o.seconds});
  if (!r) return std::unexpected(r.error());
  auto cpu1 = process_cpu_seconds(link->state().pid);
  if (!cpu1) return std::unexpected(cpu1.error());
  return CeilingResult{r->goodput_bps, *cpu1 - *cpu0, r->seconds};
}

nlohmann::json to_json(const CeilingResult &r) {
  return {{"goodput_gbps", r.goodput_bps / 1e9},
          {"seconds", r.seconds},
          {"daemon_cpu_seconds", r.daemon_cpu_s},
          {"daemon_cpu_cores", r.daemon_cpu_s / r.seconds},
          {"cpu_seconds_per_gbit", r.cpu_per_gbit()}};
}

}  // namespace ccbench::link
