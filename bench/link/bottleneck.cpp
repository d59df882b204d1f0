#include "bottleneck.h"

#include <algorithm>

namespace ccbench::link {

BottleneckConfig BottleneckConfig::from(const LinkSpec &spec, int64_t start_ns, uint64_t seed) {
  BottleneckConfig c;
  c.rate_bps = spec.rate_bps;
  c.trace = spec.trace;
  c.start_ns = start_ns;
  c.buffer = spec.buffer;
  c.loss = spec.loss;
  c.ecn_threshold = spec.ecn_threshold;
  // Mahimahi's opportunities carry 1500 bytes of IP packet; charging framing on top would split
  // every full-size packet across two of them.
  c.framing_bytes = spec.trace ? 0 : kFramingBytes;
  c.seed = seed;
  return c;
}

Bottleneck::Bottleneck(BottleneckConfig config) : config_(std::move(config)), rng_(config_.seed) {}

void Bottleneck::expire(int64_t now_ns) {
  while (!queue_.empty() && queue_.front().dequeue_ns <= now_ns) {
    queued_bytes_ -= queue_.front().bytes;
    queue_.pop_front();
  }
}

size_t Bottleneck::queued_packets(int64_t now_ns) {
  expire(now_ns);
  return queue_.size();
}

uint64_t Bottleneck::queued_bytes(int64_t now_ns) {
  expire(now_ns);
  return queued_bytes_;
}

int64_t Bottleneck::departure_at_rate(int64_t now_ns, uint32_t bytes) {
  __int128 now_ps = static_cast<__int128>(now_ns) * 1000;
  __int128 start = std::max(now_ps, busy_until_ps_);
  busy_until_ps_ = start + static_cast<__int128>(bytes) * 8 * 1'000'000'000'000 / config_.rate_bps;
  return static_cast<int64_t>((busy_until_ps_ + 999) / 1000);
}

int64_t Bottleneck::opportunity_ns(uint64_t index) const {
  const auto &ms = config_.trace->ms;
  uint64_t loop = index / ms.size();
  uint64_t ms_at = loop * config_.trace->period_ms() + ms[index % ms.size()];
  return config_.start_ns + static_cast<int64_t>(ms_at) * 1'000'000;
}

int64_t Bottleneck::departure_on_trace(int64_t now_ns, uint32_t bytes) {
  // An idle link wastes the opportunities that passed while nothing was queued (as Mahimahi does);
  // a busy one keeps filling the opportunity the previous packet ended in.
  if (last_departure_ns_ < now_ns) {
    const auto &ms = config_.trace->ms;
    int64_t rel = std::max<int64_t>(0, now_ns - config_.start_ns);
    int64_t period_ns = static_cast<int64_t>(config_.trace->period_ms()) * 1'000'000;
    uint64_t loop = static_cast<uint64_t>(rel / period_ns);
    int64_t in_loop = rel - static_cast<int64_t>(loop) * period_ns;
    auto it = std::lower_bound(ms.begin(), ms.end(), in_loop, [](uint32_t m, int64_t v) {
      return static_cast<int64_t>(m) * 1'000'000 < v;
    });
    uint64_t i = static_cast<uint64_t>(it - ms.begin());
    opportunity_ = loop * ms.size() + i;  // i == size() rolls into the next loop's first one
    opportunity_left_ = kTraceOpportunityBytes;
  }
  while (bytes > opportunity_left_) {
    bytes -= opportunity_left_;
    ++opportunity_;
    opportunity_left_ = kTraceOpportunityBytes;
  }
  opportunity_left_ -= bytes;
  last_departure_ns_ = opportunity_ns(opportunity_);
  return last_departure_ns_;
}

Admission Bottleneck::admit(int64_t now_ns, uint32_t ip_bytes, bool ect) {
  Admission a;
  a.charged = ip_bytes + config_.framing_bytes;
  expire(now_ns);
  if (config_.loss > 0 && uniform_(rng_) < config_.loss) {
    a.fate = Admission::Fate::drop_loss;
    return a;
  }
  const Limit &buf = config_.buffer;
  bool full = buf.packets ? queue_.size() + 1 > buf.packets : queued_bytes_ + a.charged > buf.bytes;
  if (full) {
    a.fate = Admission::Fate::drop_overflow;
    return a;
  }
  if (ect && config_.ecn_threshold) {
    const Limit &k = *config_.ecn_threshold;
    a.mark_ce = k.packets ? queue_.size() > k.packets : queued_bytes_ > k.bytes;
  }
  a.dequeue_ns = config_.trace ? departure_on_trace(now_ns, a.charged) : departure_at_rate(now_ns, a.charged);
  queue_.push_back({a.dequeue_ns, a.charged});
  queued_bytes_ += a.charged;
  return a;
}

}  // namespace ccbench::link
