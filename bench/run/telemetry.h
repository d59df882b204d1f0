// The senders' cwnd and RTT over time, from ccload's sock_ops trace (`ccload trace`): a run's
// iperf3 clients start in a transient cgroup that the trace program watches, at most one sample
// per connection per interval, and each sample is assigned to its flow by the server port.
// Finer than iperf3's tcp_info readings every 100 ms, and it sees the RTT measurements
// themselves, not only the smoothed RTT. The kernel measures once per round trip (RTT_CB), so
// with round trips longer than the interval the gaps are filled with samples of the state taken
// as the connection sends (see ccload_policy.bpf.c).
#pragma once
#include "common.h"
#include "cgroup.h"
#include "result.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ccload::policy {
struct Sample;
class TraceSession;
}  // namespace ccload::policy

namespace ccbench::run {

using ccload::Result;

struct FlowTelemetry {
  std::string cc;                      // what the kernel says the connection ran
  // Every sample: seconds from the connection's first sample (its handshake), cwnd, smoothed RTT.
  std::vector<double> t_s;
  std::vector<double> cwnd_segments;
  std::vector<double> srtt_ms;
  // The samples taken at an RTT measurement, and that measurement.
  std::vector<double> rtt_t_s;
  std::vector<double> rtt_ms;
};

// For each port, the samples of the connection to that server port that delivered the most:
// iperf3 also opens a control connection to the same port, which carries a few hundred bytes.
// nullopt for a port no connection went to.
std::vector<std::optional<FlowTelemetry>> telemetry_by_port(const std::vector<ccload::policy::Sample> &samples,
                                                            const std::vector<uint16_t> &server_ports);

// A series on a regular grid 0, step, 2 step, ... < until: the last sample at or before each
// point (0 before the first), so trajectories sampled at different moments can be compared.
std::vector<double> on_grid(const std::vector<double> &t_s, const std::vector<double> &values, double step,
                            double until);

class TelemetryRecorder {
 public:
  // Creates the transient cgroup and attaches the trace to it.
  static Result<TelemetryRecorder> start(std::chrono::nanoseconds interval);
  TelemetryRecorder(TelemetryRecorder &&) noexcept;
  TelemetryRecorder &operator=(TelemetryRecorder &&) = delete;
  ~TelemetryRecorder();

  // Where the processes to observe must start (children inherit it).
  const std::string &cgroup_path() const { return cgroup_.path(); }
  // Collects what has arrived, waiting up to `timeout` for the first sample.
  Result<> poll(std::chrono::milliseconds timeout);
  const std::vector<ccload::policy::Sample> &samples() const { return *samples_; }

 private:
  TelemetryRecorder(ccload::Cgroup cgroup, std::unique_ptr<ccload::policy::TraceSession> session,
                    std::unique_ptr<std::vector<ccload::policy::Sample>> samples);
  // Declared first, destroyed last: the trace detaches before its cgroup goes.
  ccload::Cgroup cgroup_;
  std::unique_ptr<std::vector<ccload::policy::Sample>> samples_;
  std::unique_ptr<ccload::policy::TraceSession> session_;
};

}  // namespace ccbench::run
