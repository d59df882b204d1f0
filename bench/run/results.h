// The results directory and results.json, the source of truth every report is built from
// (schema documented in docs/bench.md, versioned by kSchemaVersion):
//   DIR/results.json   environment, options, scenarios, one record per finished run
//   DIR/raw/...        iperf3's own JSON per flow, for anyone who doubts a number
//   DIR/runs.csv, DIR/summary.csv, DIR/report.md, DIR/report.html, DIR/plots/  (ccbench report)
// results.json is rewritten after every run, so an interrupted run keeps what it finished.
#pragma once
#include "common.h"
#include "iperf_json.h"
#include "result.h"
#include "telemetry.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ccbench::run {

// 2 added each flow's sock_ops telemetry; version 1 files (no telemetry) are still read.
inline constexpr int kSchemaVersion = 2;
inline constexpr int kOldestSchemaVersion = 1;
inline constexpr const char *kSchemaName = "ccbench-results";

struct FlowRecord {
  FlowResult r;
  std::string raw;  // path of iperf3's JSON, relative to the results directory
  std::optional<FlowTelemetry> telemetry;  // absent when the run had it off
};

// What the bottleneck's per-packet record says about one run.
struct LinkRecord {
  uint64_t packets = 0, forwarded = 0, drops_loss = 0, drops_overflow = 0, ce_marks = 0;
  bool estimated = false;  // kernel path: queueing delays modelled
  double qdelay_ms_mean = 0, qdelay_ms_p50 = 0, qdelay_ms_p95 = 0, qdelay_ms_p99 = 0, qdelay_ms_max = 0;
  std::vector<double> qdelay_ms_quantiles;  // 0, 1, ..., 100th percentile: the CDF, compactly
};

// The per-run figures the report summarises over runs. Absent ones are not applicable (no
// bottleneck: no utilisation, no queueing delay).
struct RunMetrics {
  double goodput_bps = 0;
  std::optional<double> utilisation;
  double retransmits = 0;
  double rtt_ms_mean = 0, rtt_ms_p50 = 0, rtt_ms_p95 = 0, rtt_ms_p99 = 0;
  std::optional<double> qdelay_ms_p50, qdelay_ms_p95, qdelay_ms_p99;
  std::optional<double> ce_marks;
  double jain = 1;
  double cpu_sender_s_per_gb = 0, cpu_receiver_s_per_gb = 0;
};

struct RunRecord {
  std::string scenario, case_label;
  int run = 0;                 // 1-based
  std::string started;         // ISO 8601 UTC
  double wall_s = 0;
  std::string backend;         // "veth", "tun", "kernel"
  std::string offloads;        // bare veth: what ethtool -k said (links turn offloads off)
  std::vector<FlowRecord> flows;
  std::optional<LinkRecord> link;
  RunMetrics metrics;
};

struct ScenarioInfo {
  std::string name, description, file;
  nlohmann::json link;         // the resolved link (null: bare veth)
  std::vector<std::string> cases;
};

struct Skip {
  std::string scenario, case_label, reason;
};

struct Results {
  nlohmann::json environment;
  nlohmann::json options;
  std::vector<ScenarioInfo> scenarios;
  std::vector<Skip> skipped;
  std::vector<RunRecord> runs;
  bool interrupted = false;
  std::string started, finished;
};

// Computes the per-run metrics from flows and link record. link_rate_bps 0: no bottleneck.
// RTT percentiles are over the telemetry's RTT measurements when every flow has them, else over
// iperf3's smoothed RTT readings.
RunMetrics compute_metrics(const std::vector<FlowRecord> &flows, const std::optional<LinkRecord> &link,
                           double link_rate_bps);

nlohmann::json to_json(const Results &r);
Result<Results> results_from_json(const nlohmann::json &j);
Result<Results> load_results(const std::string &dir);
// Atomic (write + rename): a reader or an interrupted run never sees half a file.
Result<> save_results(const std::string &dir, const Results &r);

// The largest TCP goodput a link of `rate_bps` can carry: 1448 payload bytes per 1514 charged.
double max_goodput_bps(double rate_bps);

}  // namespace ccbench::run
