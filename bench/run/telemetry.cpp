#include "telemetry.h"

#include <algorithm>
#include <map>
#include <thread>

#include "policy/policy.h"
#include "policy/trace.h"

namespace ccbench::run {

std::vector<std::optional<FlowTelemetry>> telemetry_by_port(const std::vector<ccload::policy::Sample> &samples,
                                                            const std::vector<uint16_t> &server_ports) {
  // The busiest connection per port: delivered only grows, so its last sample tells.
  std::map<uint16_t, std::pair<uint64_t, uint32_t>> busiest;  // port -> (cookie, delivered)
  for (const auto &s : samples) {
    auto [it, inserted] = busiest.try_emplace(s.remote_port, s.cookie, s.delivered);
    if (!inserted && s.delivered > it->second.second) it->second = {s.cookie, s.delivered};
  }
  std::vector<std::optional<FlowTelemetry>> out(server_ports.size());
  for (size_t i = 0; i < server_ports.size(); ++i) {
    auto it = busiest.find(server_ports[i]);
    if (it == busiest.end()) continue;
    FlowTelemetry t;
    std::optional<double> start;
    for (const auto &s : samples) {
      if (s.remote_port != server_ports[i] || s.cookie != it->second.first) continue;
      // Time counts from the connection's first sample (its handshake), where iperf3's own
      // intervals start too, rather than from when the trace started.
      if (!start) start = s.time_s;
      const double t_s = s.time_s - *start;
      t.cc = s.cc;
      t.t_s.push_back(t_s);
      t.cwnd_segments.push_back(s.cwnd);
      t.srtt_ms.push_back(s.srtt_us / 1000.0);
      if (s.rtt_us > 0) {
        t.rtt_t_s.push_back(t_s);
        t.rtt_ms.push_back(s.rtt_us / 1000.0);
      }
    }
    out[i] = std::move(t);
  }
  return out;
}

std::vector<double> on_grid(const std::vector<double> &t_s, const std::vector<double> &values, double step,
                            double until) {
  std::vector<double> out;
  if (step <= 0) return out;
  size_t next = 0;
  double current = 0;
  for (size_t k = 0;; ++k) {
    const double t = static_cast<double>(k) * step;
    if (t >= until - 1e-9) break;
    while (next < t_s.size() && next < values.size() && t_s[next] <= t + 1e-9) current = values[next++];
    out.push_back(current);
  }
  return out;
}

TelemetryRecorder::TelemetryRecorder(ccload::Cgroup cgroup, std::unique_ptr<ccload::policy::TraceSession> session,
                                     std::unique_ptr<std::vector<ccload::policy::Sample>> samples)
    : cgroup_(std::move(cgroup)), samples_(std::move(samples)), session_(std::move(session)) {}
TelemetryRecorder::TelemetryRecorder(TelemetryRecorder &&) noexcept = default;
TelemetryRecorder::~TelemetryRecorder() = default;

Result<TelemetryRecorder> TelemetryRecorder::start(std::chrono::nanoseconds interval) {
  auto cg = ccload::Cgroup::create(ccload::owned_cgroup_name("bench"));
  if (!cg) return std::unexpected(cg.error());
  auto ref = ccload::policy::resolve_cgroup(cg->path());
  if (!ref) return std::unexpected(ref.error());
  // The vector lives on the heap so that the callback's pointer survives moves of the recorder.
  auto samples = std::make_unique<std::vector<ccload::policy::Sample>>();
  auto *sink = samples.get();
  auto session = ccload::policy::TraceSession::start(
      *ref, [sink](const ccload::policy::Sample &s) { sink->push_back(s); }, interval);
  if (!session) return std::unexpected(std::move(session.error()).context("starting the sock_ops telemetry"));
  return TelemetryRecorder(std::move(*cg), std::make_unique<ccload::policy::TraceSession>(std::move(*session)),
                           std::move(samples));
}

Result<> TelemetryRecorder::poll(std::chrono::milliseconds timeout) {
  auto n = session_->poll(timeout);
  if (!n) return std::unexpected(n.error());
  return {};
}

}  // namespace ccbench::run
