// The telemetry's samples become per-flow series, and series sampled at different moments are
// compared on a common grid.
#include <gtest/gtest.h>

#include "policy/trace.h"
#include "telemetry.h"

using namespace ccbench::run;
using ccload::policy::Sample;

namespace {

Sample sample(double t, uint16_t port, uint64_t cookie, uint32_t delivered, uint32_t cwnd, uint32_t rtt_us) {
  Sample s;
  s.time_s = t;
  s.remote_port = port;
  s.cookie = cookie;
  s.delivered = delivered;
  s.cwnd = cwnd;
  s.srtt_us = 20000;
  s.rtt_us = rtt_us;
  s.cc = "bpf_cubic";
  return s;
}

}  // namespace

TEST(Telemetry, EachFlowGetsItsDataConnectionNotTheControlOne) {
  // Port 5201: control connection (cookie 1, a few segments) and data connection (cookie 2).
  // Port 5202: data only (cookie 3). Port 5203: nothing.
  const std::vector<Sample> samples{
      sample(0.00, 5201, 1, 2, 10, 21000),   sample(0.01, 5201, 2, 10, 10, 20000), sample(0.02, 5202, 3, 5, 10, 0),
      sample(0.02, 5201, 2, 40, 20, 0),      sample(0.03, 5201, 1, 3, 10, 0),      sample(0.04, 5201, 2, 90, 40, 22000),
      sample(0.05, 5202, 3, 30, 12, 25000),
  };
  auto flows = telemetry_by_port(samples, {5201, 5202, 5203});
  ASSERT_EQ(flows.size(), 3u);
  ASSERT_TRUE(flows[0]);
  // Time counts from each connection's first sample.
  EXPECT_EQ(flows[0]->t_s, (std::vector<double>{0, 0.01, 0.03}));
  EXPECT_EQ(flows[0]->cwnd_segments, (std::vector<double>{10, 20, 40}));
  EXPECT_EQ(flows[0]->srtt_ms, (std::vector<double>{20, 20, 20}));
  // Only the samples taken at an RTT measurement carry one.
  EXPECT_EQ(flows[0]->rtt_t_s, (std::vector<double>{0, 0.03}));
  EXPECT_EQ(flows[0]->rtt_ms, (std::vector<double>{20, 22}));
  EXPECT_EQ(flows[0]->cc, "bpf_cubic");
  ASSERT_TRUE(flows[1]);
  EXPECT_EQ(flows[1]->cwnd_segments, (std::vector<double>{10, 12}));
  EXPECT_EQ(flows[1]->rtt_ms, (std::vector<double>{25}));
  EXPECT_FALSE(flows[2]);
}

TEST(Telemetry, GridHoldsTheLastSample) {
  const std::vector<double> t{0.015, 0.02, 0.051}, v{10, 20, 30};
  // Grid points 0, 0.01, ..., 0.05: nothing before 0.015, then the latest sample at or before.
  EXPECT_EQ(on_grid(t, v, 0.01, 0.06), (std::vector<double>{0, 0, 20, 20, 20, 20}));
  EXPECT_TRUE(on_grid(t, v, 0.01, 0).empty());
  EXPECT_TRUE(on_grid(t, v, 0, 1).empty());
}
