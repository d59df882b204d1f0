#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "iperf_json.h"
#include "text_file.h"

using namespace ccbench::run;

namespace {
std::string fixture(const std::string &name) {
  return ccload::read_text_file(std::string(BENCH_FIXTURES) + "/" + name).value_or("");
}
}  // namespace

TEST(IperfJson, ParsesAFlowOverTheWanLink) {
  auto r = parse_iperf_json(fixture("iperf3_wan_bpf_cubic.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->cc, "bpf_cubic");
  // 100 Mbit/s link: TCP can carry at most 95.6 Mbit/s.
  EXPECT_GT(r->goodput_bps, 50e6);
  EXPECT_LT(r->goodput_bps, 95.7e6);
  EXPECT_GT(r->bytes_received, 0u);
  EXPECT_GT(r->cpu_sender_s, 0);
  EXPECT_GT(r->cpu_receiver_s, 0);
  // -i 0.1 for 3 s: 30 intervals.
  ASSERT_EQ(r->series.t_s.size(), 30u);
  EXPECT_EQ(r->series.cwnd_bytes.size(), 30u);
  EXPECT_NEAR(r->series.t_s.front(), 0.1, 0.01);
  for (double rtt : r->series.rtt_ms) EXPECT_GE(rtt, 40.0);  // the base RTT is 40 ms
  EXPECT_GE(r->rtt_min_ms, 40.0);
}

TEST(IperfJson, ParsesAVethFlow) {
  auto r = parse_iperf_json(fixture("iperf3_veth_cubic.json"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->cc, "cubic");
  EXPECT_GT(r->goodput_bps, 1e9);
}

TEST(IperfJson, ReportsIperfsOwnError) {
  auto r = parse_iperf_json(R"({"start":{}, "intervals":[], "end":{}, "error":"unable to connect to server: Connection refused"})");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Connection refused"), std::string::npos);
}

TEST(IperfJson, RejectsWhatIsNotJson) {
  auto r = parse_iperf_json("iperf3: error - unable to connect");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("not JSON"), std::string::npos);
  EXPECT_FALSE(parse_iperf_json(R"({"start":{}})"));
}
