// From saved runs to what a report says: per case, every metric summarised over runs; per BPF CC
// with a native twin, ratios with Fieller intervals and the cwnd trajectory distance; for
// bpf_qdelay, its utilisation and queueing delay against its target.
#pragma once
#include "common.h"
#include "results.h"
#include "stats.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ccbench::run {

struct MetricDef {
  std::string key;     // "goodput_mbps"
  std::string title;   // "goodput (Mbit/s)"
  std::function<std::optional<double>(const RunRecord &)> get;
};
const std::vector<MetricDef> &metric_defs();

struct CaseSummary {
  std::string scenario, case_label;
  std::map<std::string, Summary> metrics;  // by MetricDef::key; absent when not applicable
};

struct Comparison {
  std::string scenario, bpf, native;
  size_t bpf_runs = 0, native_runs = 0;
  std::optional<Ratio> goodput, rtt_p95, retransmits, cpu_sender, cpu_receiver;
  std::optional<Summary> cwnd_distance;  // over run pairs (run k of each)
};

struct QdelayCheck {
  std::string scenario;
  double target_ms = 0;
  Summary utilisation, qdelay_p95_ms;
  bool pass() const { return utilisation.mean >= 0.90 && qdelay_p95_ms.mean <= target_ms + 1.0; }
};

struct Analysis {
  std::vector<CaseSummary> cases;
  std::vector<Comparison> comparisons;
  std::vector<QdelayCheck> qdelay;
  std::vector<std::string> notes;  // e.g. "no native dctcp in this kernel"
};

// BPF CCs and the kernel CC each one reimplements.
const std::vector<std::pair<std::string, std::string>> &bpf_twins();

Analysis analyse(const Results &r);

}  // namespace ccbench::run
