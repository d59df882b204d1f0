// `ccload trace`: one sample per RTT measurement of every TCP connection in a cgroup, from the
// ccload_trace sock_ops program through a ring buffer. Connections opened before the trace
// started are not sampled (their RTT callback was never enabled).
#pragma once
#include "common.h"
#include "policy.h"

#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>

struct ring_buffer;

namespace ccload::policy {

struct Sample {
  double time_s = 0;      // since the trace started
  std::string local, remote;   // "10.0.0.1:5201", "[fd00::1]:5201"
  std::string cc;
  uint32_t cwnd = 0, ssthresh = 0, srtt_us = 0, min_rtt_us = 0;
  uint32_t rtt_us = 0;    // the RTT measurement the sample was taken at; 0: none (a state
                          // sample of an interval trace, or Linux < 6.10)
  uint32_t delivered = 0, delivered_ce = 0, retrans = 0, ca_state = 0;
  uint64_t pacing_rate = 0, cookie = 0;
  uint16_t local_port = 0, remote_port = 0;
};
Sample to_sample(const trace_sample &raw, uint64_t start_ns);
nlohmann::json to_json(const Sample &s);
std::string table_header();
std::string table_row(const Sample &s);

class TraceSession {
 public:
  using Callback = std::function<void(const Sample &)>;
  // `interval`: at most one sample per connection per interval (0: one per RTT measurement).
  static Result<TraceSession> start(const CgroupRef &cg, Callback cb, std::chrono::nanoseconds interval = {});
  TraceSession(TraceSession &&) noexcept;
  TraceSession &operator=(TraceSession &&) = delete;
  ~TraceSession();

  // Delivers the samples that arrive within `timeout` (0: only those already queued).
  Result<int> poll(std::chrono::milliseconds timeout);

  struct State;   // public only so the ring buffer's C callback can reach it

 private:
  explicit TraceSession(std::unique_ptr<State> s);
  std::unique_ptr<State> state_;
};

}  // namespace ccload::policy
