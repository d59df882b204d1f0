// The queue model on a fake clock: rate, buffer, loss, marking, trace-driven delivery.
#include "bottleneck.h"

#include <gtest/gtest.h>

using namespace ccbench::link;

namespace {

constexpr int64_t kMs = 1'000'000;

BottleneckConfig at_rate(uint64_t bps, Limit buffer) {
  BottleneckConfig c;
  c.rate_bps = bps;
  c.buffer = buffer;
  return c;
}

}  // namespace

TEST(Bottleneck, DrainsAtTheConfiguredRate) {
  // 12 Mbit/s: a 1486-byte packet plus 14 bytes framing takes exactly 1 ms.
  Bottleneck b(at_rate(12'000'000, {100, 0}));
  for (int i = 0; i < 10; ++i) {
    auto a = b.admit(0, 1486, false);
    ASSERT_EQ(a.fate, Admission::Fate::forward);
    EXPECT_EQ(a.dequeue_ns, (i + 1) * kMs);
    EXPECT_EQ(a.charged, 1500u);
  }
  EXPECT_EQ(b.queued_packets(0), 10u);
  EXPECT_EQ(b.queued_packets(5 * kMs), 5u);
  // An idle link starts a new packet on arrival.
  EXPECT_EQ(b.admit(100 * kMs, 1486, false).dequeue_ns, 101 * kMs);
}

TEST(Bottleneck, PacketBufferDropsTheOverflow) {
  Bottleneck b(at_rate(12'000'000, {5, 0}));
  int forwarded = 0, dropped = 0;
  for (int i = 0; i < 8; ++i) {
    auto a = b.admit(0, 1486, false);
    (a.fate == Admission::Fate::forward ? forwarded : dropped)++;
    if (a.fate != Admission::Fate::forward) {
      EXPECT_EQ(a.fate, Admission::Fate::drop_overflow);
    }
  }
  EXPECT_EQ(forwarded, 5);
  EXPECT_EQ(dropped, 3);
  // Once one packet has left, one more fits.
  EXPECT_EQ(b.admit(1 * kMs, 1486, false).fate, Admission::Fate::forward);
  EXPECT_EQ(b.admit(1 * kMs, 1486, false).fate, Admission::Fate::drop_overflow);
}

TEST(Bottleneck, ByteBufferCountsBytes) {
  Bottleneck b(at_rate(12'000'000, {0, 3000}));
  EXPECT_EQ(b.admit(0, 1486, false).fate, Admission::Fate::forward);
  EXPECT_EQ(b.admit(0, 1486, false).fate, Admission::Fate::forward);
  EXPECT_EQ(b.admit(0, 100, false).fate, Admission::Fate::drop_overflow);
}

TEST(Bottleneck, MarksOnlyAboveThresholdAndOnlyEct) {
  auto c = at_rate(12'000'000, {100, 0});
  c.ecn_threshold = Limit{5, 0};
  Bottleneck b(c);
  for (int i = 0; i < 20; ++i) {
    size_t before = b.queued_packets(0);
    auto a = b.admit(0, 1486, true);
    EXPECT_EQ(a.mark_ce, before > 5) << "queue " << before;
  }
  // Not ECN-capable: never marked, only dropped by the buffer.
  EXPECT_FALSE(b.admit(0, 1486, false).mark_ce);
}

TEST(Bottleneck, RandomLossMatchesTheConfiguredRate) {
  auto c = at_rate(1'000'000'000'000ull / 1000, {0, 1'000'000'000});
  c.loss = 0.01;
  c.seed = 42;
  Bottleneck b(c);
  int lost = 0;
  const int n = 200'000;
  for (int i = 0; i < n; ++i)
    if (b.admit(int64_t{i} * kMs, 1000, false).fate == Admission::Fate::drop_loss) ++lost;
  EXPECT_NEAR(static_cast<double>(lost) / n, 0.01, 0.001);
}

TEST(Bottleneck, TraceDeliversOnOpportunities) {
  BottleneckConfig c;
  c.trace = Trace{"t", {2, 2, 5}};  // two at 2 ms, one at 5 ms, loops every 5 ms
  c.framing_bytes = 0;
  c.buffer = {100, 0};
  Bottleneck b(c);
  EXPECT_EQ(b.admit(0, 1500, false).dequeue_ns, 2 * kMs);
  EXPECT_EQ(b.admit(0, 1500, false).dequeue_ns, 2 * kMs);
  EXPECT_EQ(b.admit(0, 1500, false).dequeue_ns, 5 * kMs);
  EXPECT_EQ(b.admit(0, 1500, false).dequeue_ns, 7 * kMs);  // next loop
  // Small packets share an opportunity's 1500 bytes.
  Bottleneck small(c);
  EXPECT_EQ(small.admit(0, 700, false).dequeue_ns, 2 * kMs);
  EXPECT_EQ(small.admit(0, 700, false).dequeue_ns, 2 * kMs);
  EXPECT_EQ(small.admit(0, 700, false).dequeue_ns, 2 * kMs);  // spills into the second one at 2 ms
  // An idle link wastes the opportunities it did not use.
  EXPECT_EQ(small.admit(6 * kMs, 1500, false).dequeue_ns, 7 * kMs);
}
