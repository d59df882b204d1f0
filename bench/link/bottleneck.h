// The bottleneck's queue, as a pure function of arrival times: no clock, no I/O, so tests drive it
// with a fake clock and the userspace emulator drives it with CLOCK_MONOTONIC.
//
// The queue is FIFO and drains at a known rate (or on a trace's delivery opportunities), so a
// packet's dequeue time is fixed the moment it is admitted. admit() therefore decides everything
// at arrival: random loss, drop on a full buffer, CE mark when the queue on arrival exceeds K
// (DCTCP's step marking), and the time the packet leaves the queue. This is the model the kernel
// path's tc program implements too (link_tc.bpf.c), in bytes instead of packets.
#pragma once
#include "common.h"
#include "link_spec.h"

#include <cstdint>
#include <deque>
#include <optional>
#include <random>

namespace ccbench::link {

struct BottleneckConfig {
  uint64_t rate_bps = 0;          // used when there is no trace
  std::optional<Trace> trace;     // delivery opportunities, relative to start_ns
  int64_t start_ns = 0;           // time origin of the trace
  Limit buffer;
  double loss = 0;
  std::optional<Limit> ecn_threshold;
  uint32_t framing_bytes = kFramingBytes;  // charged per packet on top of its IP length
  uint64_t seed = 1;

  static BottleneckConfig from(const LinkSpec &spec, int64_t start_ns, uint64_t seed);
};

struct Admission {
  enum class Fate { forward, drop_loss, drop_overflow };
  Fate fate = Fate::forward;
  bool mark_ce = false;
  int64_t dequeue_ns = 0;   // when the last byte leaves the queue (forward only)
  uint32_t charged = 0;     // bytes charged: IP length + framing
};

class Bottleneck {
 public:
  explicit Bottleneck(BottleneckConfig config);

  // A packet of `ip_bytes` arrives at `now_ns` (non-decreasing across calls).
  Admission admit(int64_t now_ns, uint32_t ip_bytes, bool ect);

  // The queue as it stands at now_ns (packets admitted and not yet dequeued).
  size_t queued_packets(int64_t now_ns);
  uint64_t queued_bytes(int64_t now_ns);

 private:
  void expire(int64_t now_ns);
  int64_t departure_at_rate(int64_t now_ns, uint32_t bytes);
  int64_t departure_on_trace(int64_t now_ns, uint32_t bytes);
  int64_t opportunity_ns(uint64_t index) const;

  BottleneckConfig config_;
  struct Queued {
    int64_t dequeue_ns;
    uint32_t bytes;
  };
  std::deque<Queued> queue_;
  uint64_t queued_bytes_ = 0;
  // Rate mode: when the link finishes what it has, in picoseconds (ns would drift by up to 0.5 ns
  // a packet, 0.04% at 10 Gbit/s).
  __int128 busy_until_ps_ = 0;
  // Trace mode: the opportunity now being filled and the bytes it still has.
  uint64_t opportunity_ = 0;
  uint32_t opportunity_left_ = 0;
  int64_t last_departure_ns_ = INT64_MIN;
  std::mt19937_64 rng_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

}  // namespace ccbench::link
