// Every bad input gives one line that names the parameter and its valid range.
#include "link_spec.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "text_checks.h"

using namespace ccbench::link;

namespace {

LinkArgs base() {
  LinkArgs a;
  a.rate = "100mbit";
  a.rtt = "40ms";
  return a;
}

std::string error_of(LinkArgs a) {
  auto r = resolve(a);
  if (r) return "";
  EXPECT_EQ(r.error().message.find('\n'), std::string::npos) << "one line: " << r.error().message;
  return r.error().message;
}

}  // namespace

TEST(Spec, DefaultsToOneBdpBuffer) {
  auto s = resolve(base());
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->rate_bps, 100'000'000u);
  EXPECT_EQ(s->rtt_ns, 40'000'000);
  EXPECT_EQ(s->buffer.bytes, 500'000u);  // 100 Mbit/s * 40 ms / 8
  EXPECT_EQ(s->buffer_text, "1bdp");
  EXPECT_FALSE(s->ecn_threshold);
}

TEST(Spec, SmallBdpDefaultsToTenPackets) {
  auto a = base();
  a.rtt = "0";
  auto s = resolve(a);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->buffer.packets, 10u);
}

TEST(Spec, RateZero) {
  auto a = base();
  a.rate = "0mbit";
  auto e = error_of(a);
  EXPECT_MENTIONS(e, "--rate");
  EXPECT_MENTIONS(e, "64kbit to 40gbit");
}

TEST(Spec, NegativeOrAbsurdDelay) {
  auto a = base();
  a.rtt = "-5ms";
  EXPECT_MENTIONS(error_of(a), "--rtt");
  a.rtt = "1h";
  EXPECT_MENTIONS(error_of(a), "unknown unit");
  a.rtt = "60s";
  EXPECT_MENTIONS(error_of(a), "0ms to 5s");
}

TEST(Spec, LossOutsideRange) {
  auto a = base();
  a.loss = "150%";
  auto e = error_of(a);
  EXPECT_MENTIONS(e, "--loss");
  EXPECT_MENTIONS(e, "0% to 100%");
}

TEST(Spec, BufferBelowOneMtu) {
  auto a = base();
  a.buffer = "1000b";
  auto e = error_of(a);
  EXPECT_MENTIONS(e, "--buffer");
  EXPECT_MENTIONS(e, "one packet");
  a.buffer = "0pkt";
  EXPECT_MENTIONS(error_of(a), "--buffer");
  a.buffer = "0.001bdp";
  EXPECT_MENTIONS(error_of(a), "1bdp is 500000 bytes");
}

TEST(Spec, UnknownUnit) {
  auto a = base();
  a.buffer = "20frames";
  EXPECT_MENTIONS(error_of(a), "--buffer: unknown unit 'frames'");
}

TEST(Spec, EcnThresholdWithinBuffer) {
  auto a = base();
  a.buffer = "100pkt";
  a.ecn_threshold = "20pkt";
  auto s = resolve(a);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->ecn_threshold->packets, 20u);
  a.ecn_threshold = "200pkt";
  EXPECT_MENTIONS(error_of(a), "--ecn-threshold");
}

TEST(Spec, MissingTraceFile) {
  auto a = base();
  a.rate.clear();
  a.trace = "/nonexistent/trace.up";
  auto e = error_of(a);
  EXPECT_MENTIONS(e, "--trace");
  EXPECT_MENTIONS(e, "/nonexistent/trace.up");
}

TEST(Spec, TraceSetsTheAverageRate) {
  std::string path = testing::TempDir() + "/spec_trace.up";
  std::ofstream(path) << "1\n2\n3\n4\n";  // 4 x 1500 B every 4 ms = 12 Mbit/s
  auto a = base();
  a.rate.clear();
  a.trace = path;
  auto s = resolve(a);
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->rate_bps, 12'000'000u);
  std::remove(path.c_str());
}

TEST(Spec, BadNames) {
  auto a = base();
  a.name = "Bad Name";
  EXPECT_MENTIONS(error_of(a), "--name");
  a.name = std::string(30, 'a');
  EXPECT_MENTIONS(error_of(a), "1 to 20 characters");
}

TEST(Spec, RoundTripsThroughJson) {
  auto a = base();
  a.loss = "1%";
  a.ecn_threshold = "30kb";
  a.name = "x";
  auto s = resolve(a);
  ASSERT_TRUE(s);
  auto back = spec_from_json(to_json(*s));
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(back->rate_bps, s->rate_bps);
  EXPECT_EQ(back->ecn_threshold->bytes, 30'000u);
  EXPECT_DOUBLE_EQ(back->loss, 0.01);
}

TEST(Spec, FlowRttsAddExtraDelayPerPort) {
  auto a = base();
  a.rtt = "10ms";
  a.flow_rtts = {"5303=80ms", "5302=40ms"};
  auto s = resolve(a);
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_EQ(s->flow_rtts.size(), 2u);
  EXPECT_EQ(s->flow_rtts[0].port, 5302);  // sorted by port
  EXPECT_EQ(s->flow_rtts[0].rtt_ns, 40'000'000);
  EXPECT_EQ(s->flow_rtts[0].extra_ns, 30'000'000);
  EXPECT_EQ(s->flow_rtts[1].extra_ns, 70'000'000);
  EXPECT_EQ(s->buffer.bytes, 125'000u);  // the BDP is the link's (shortest) RTT's
  auto back = spec_from_json(to_json(*s));
  ASSERT_TRUE(back) << back.error().message;
  ASSERT_EQ(back->flow_rtts.size(), 2u);
  EXPECT_EQ(back->flow_rtts[1].port, 5303);
  EXPECT_EQ(back->flow_rtts[1].extra_ns, 70'000'000);
}

TEST(Spec, RejectsBadFlowRtts) {
  auto with = [](std::vector<std::string> flows, std::string backend = "auto") {
    auto a = base();
    a.flow_rtts = std::move(flows);
    a.backend = std::move(backend);
    return error_of(a);
  };
  EXPECT_MENTIONS(with({"5302"}), "PORT=RTT");
  EXPECT_MENTIONS(with({"0=50ms"}), "1..65535");
  EXPECT_MENTIONS(with({"70000=50ms"}), "1..65535");
  EXPECT_MENTIONS(with({"5302=fast"}), "flow-rtt");
  EXPECT_MENTIONS(with({"5302=6s"}), "0ms to 5s");
  EXPECT_MENTIONS(with({"5302=10ms"}), "shorter than the link's --rtt");
  EXPECT_MENTIONS(with({"5302=50ms", "5302=60ms"}), "port 5302 is given twice");
  EXPECT_MENTIONS(with({"5302=50ms"}, "kernel"), "kernel path has no per-flow delay");
  std::vector<std::string> many;
  for (int i = 0; i < 17; ++i) many.push_back(std::to_string(6000 + i) + "=50ms");
  EXPECT_MENTIONS(with(many), "at most 16");
}
