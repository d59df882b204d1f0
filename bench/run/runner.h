// `ccbench run`: for each scenario, run every case (a set of concurrent flows) N times, the cases
// interleaved run by run (run 1 of every case, then run 2 of every case, ...) so that a drift in
// the machine's load hits all of them alike. Each run gets a fresh path (a link, or a bare veth
// pair), one iperf3 server and client per flow, and its own record in results.json.
#pragma once
#include "common.h"
#include "result.h"
#include "results.h"
#include "scenario.h"

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace ccbench::run {

struct Progress {
  size_t index = 0, total = 0;  // runs: this one (1-based) of all
  std::string scenario, case_label;
  int run = 0, runs = 0;
  double seconds_left = 0;      // estimate for the remaining runs, this one included
};

struct RunOptions {
  std::vector<Scenario> scenarios;
  std::vector<std::string> cc_override;   // --cc; empty: each scenario's own list, else default_ccs
  std::vector<std::string> default_ccs;
  int runs = 3;
  double duration_s = 10;                 // unless the scenario sets its own
  std::string out_dir;
  std::string pin_root;                   // where BPF CCs are registered
  // The senders' sock_ops telemetry: at most one sample per connection per interval (0: off,
  // cwnd and RTT then come from iperf3's tcp_info readings every 100 ms).
  std::chrono::milliseconds telemetry_interval{10};
  std::vector<std::string> command;       // argv, recorded
  std::function<void(const Progress &)> on_progress;
  std::function<void(const std::string &)> on_note;  // skips and warnings
  const std::atomic<bool> *stop = nullptr;           // set by SIGINT/SIGTERM: finish cleanly
};

// Returns what was saved (also when stopped: `interrupted` is then set). Fails only when nothing
// could be run at all or the results cannot be written.
Result<Results> run_suite(const RunOptions &options);

}  // namespace ccbench::run
