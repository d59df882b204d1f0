// The userspace emulator's throughput ceiling: a TUN link configured faster than the emulator can
// go, one bulk TCP flow through it, and the daemon's CPU time per Gbit/s carried.
#pragma once
#include "common.h"
#include "links.h"

#include <nlohmann/json.hpp>

namespace ccbench::link {

struct CeilingResult {
  double goodput_bps = 0;
  double daemon_cpu_s = 0;
  double seconds = 0;
  double cpu_per_gbit() const { return goodput_bps > 0 ? daemon_cpu_s / seconds / (goodput_bps / 1e9) : 0; }
};

struct CeilingOptions {
  int64_t rtt_ns = 10'000'000;
  double seconds = 5;
  bool record = true;
  UpOptions up;
};

Result<CeilingResult> measure_ceiling(const CeilingOptions &options);
nlohmann::json to_json(const CeilingResult &r);

}  // namespace ccbench::link
