#include "trace.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <bpf/libbpf.h>
#include <fmt/format.h>
#include <time.h>

#include "ccload_policy.skel.h"

namespace ccload::policy {

static std::string endpoint(uint32_t family, const uint8_t *ip, uint16_t port) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET) {
    inet_ntop(AF_INET, ip, buf, sizeof(buf));
    return fmt::format("{}:{}", buf, port);
  }
  inet_ntop(AF_INET6, ip, buf, sizeof(buf));
  return fmt::format("[{}]:{}", buf, port);
}

static const char *ca_state_name(uint32_t s) {
  static const char *const names[] = {"open", "disorder", "cwr", "recovery", "loss"};
  return s < std::size(names) ? names[s] : "?";
}

Sample to_sample(const trace_sample &raw, uint64_t start_ns) {
  Sample s;
  s.time_s = raw.time_ns >= start_ns ? (raw.time_ns - start_ns) / 1e9 : 0;
  s.local = endpoint(raw.family, raw.local_ip, raw.local_port);
  s.remote = endpoint(raw.family, raw.remote_ip, raw.remote_port);
  s.local_port = raw.local_port;
  s.remote_port = raw.remote_port;
  s.cc = std::string(raw.cc, strnlen(raw.cc, sizeof(raw.cc)));
  s.cwnd = raw.cwnd;
  s.ssthresh = raw.ssthresh;
  s.srtt_us = raw.srtt_us;
  s.min_rtt_us = raw.min_rtt_us;
  s.rtt_us = raw.rtt_us;
  s.delivered = raw.delivered;
  s.delivered_ce = raw.delivered_ce;
  s.retrans = raw.total_retrans;
  s.ca_state = raw.ca_state;
  s.pacing_rate = raw.pacing_rate;
  s.cookie = raw.cookie;
  return s;
}

nlohmann::json to_json(const Sample &s) {
  return {{"time", s.time_s},          {"local", s.local},         {"remote", s.remote},
          {"cc", s.cc},                {"cwnd", s.cwnd},           {"ssthresh", s.ssthresh},
          {"srtt_us", s.srtt_us},      {"min_rtt_us", s.min_rtt_us}, {"rtt_us", s.rtt_us},
          {"delivered", s.delivered},
          {"retrans", s.retrans},      {"ce", s.delivered_ce},     {"pacing_rate", s.pacing_rate},
          {"ca_state", ca_state_name(s.ca_state)}, {"cookie", s.cookie}};
}

std::string table_header() {
  return fmt::format("{:>9} {:<22} {:<22} {:<10} {:>6} {:>10} {:>8} {:>8} {:>9} {:>6} {:>6} {:>11} {}", "TIME",
                     "LOCAL", "REMOTE", "CC", "CWND", "SSTHRESH", "SRTT", "MINRTT", "DELIVERED", "RETR", "CE",
                     "PACING", "STATE");
}

std::string table_row(const Sample &s) {
  std::string ssthresh = s.ssthresh >= 0x7fffffff ? "inf" : std::to_string(s.ssthresh);
  return fmt::format("{:>9.6f} {:<22} {:<22} {:<10} {:>6} {:>10} {:>6}us {:>6}us {:>9} {:>6} {:>6} {:>8.1f}Mb {}",
                     s.time_s, s.local, s.remote, s.cc, s.cwnd, ssthresh, s.srtt_us, s.min_rtt_us, s.delivered,
                     s.retrans, s.delivered_ce, s.pacing_rate * 8 / 1e6, ca_state_name(s.ca_state));
}

struct TraceSession::State {
  SkeletonPtr skel;
  BpfLinkPtr link;
  ring_buffer *rb = nullptr;
  Callback cb;
  uint64_t start_ns = 0;
  ~State() {
    if (rb) ring_buffer__free(rb);
  }
};

TraceSession::TraceSession(std::unique_ptr<State> s) : state_(std::move(s)) {}
TraceSession::TraceSession(TraceSession &&other) noexcept : state_(std::move(other.state_)) {}
TraceSession::~TraceSession() = default;

static int on_event(void *ctx, void *data, size_t size) {
  auto *st = static_cast<TraceSession::State *>(ctx);
  if (size < sizeof(trace_sample)) return 0;
  st->cb(to_sample(*static_cast<const trace_sample *>(data), st->start_ns));
  return 0;
}

Result<TraceSession> TraceSession::start(const CgroupRef &cg, Callback cb, std::chrono::nanoseconds interval) {
  auto st = std::make_unique<State>();
  st->cb = std::move(cb);
  auto skel = load_skeleton(Role::kTrace, interval);
  if (!skel) return std::unexpected(skel.error());
  st->skel = std::move(*skel);
  UniqueFd cgfd(::open(cg.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgfd) return fail_errno("Failed to open cgroup " + cg.path);
  st->link.reset(bpf_program__attach_cgroup(st->skel->progs.ccload_trace, cgfd.get()));
  if (!st->link) return fail_errno(errno, "Failed to attach the trace program to " + cg.path);
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);   // bpf_ktime_get_ns' clock
  st->start_ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000ULL + ts.tv_nsec;
  st->rb = ring_buffer__new(bpf_map__fd(st->skel->maps.trace_events), on_event, st.get(), nullptr);
  if (!st->rb) return fail_errno(errno, "Failed to open the trace ring buffer");
  return TraceSession(std::move(st));
}

Result<int> TraceSession::poll(std::chrono::milliseconds timeout) {
  int n = timeout.count() == 0 ? ring_buffer__consume(state_->rb)
                               : ring_buffer__poll(state_->rb, static_cast<int>(timeout.count()));
  if (n < 0 && n != -EINTR) return fail_errno(n, "Failed to read the trace ring buffer");
  return n < 0 ? 0 : n;
}

}  // namespace ccload::policy
