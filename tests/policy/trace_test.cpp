// Trace samples agree with TCP_INFO read right after them.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <map>

#include "policy/trace.h"
#include "policy_fixture.h"

namespace ccload::test {

// A sample is taken at the RTT measurement, before the same ACK's congestion-control step. Small
// request/response exchanges are not cwnd-limited, so with cubic (unlike bbr, which retunes cwnd
// on every ACK) nothing changes cwnd or srtt between the sample and TCP_INFO read after recv().
// The policy sets cubic, so this also runs the trace and the policy on the same sockets.
TEST_F(PolicyTest, TraceAgreesWithTcpInfo) {
  attach("[default]\ncc = \"cubic\"\n");
  std::vector<policy::Sample> samples;
  auto trace = ASSERT_OK(policy::TraceSession::start(cg_, [&](const policy::Sample &s) { samples.push_back(s); }));
  auto l = listen_on(5007);
  auto c = connect_to("10.77.0.2", 5007);
  auto s = accept_one(l.get());
  sockaddr_in local{};
  socklen_t len = sizeof(local);
  getsockname(c.get(), reinterpret_cast<sockaddr *>(&local), &len);
  uint16_t port = ntohs(local.sin_port);
  int compared = 0;
  for (int i = 0; i < 20; i++) {
    round_trip(c.get(), s.get(), 100);   // one RTT sample, already queued
    tcp_info ti = info_of(c.get());
    samples.clear();
    ASSERT_TRUE(trace.poll(std::chrono::milliseconds(0)));
    const policy::Sample *last = nullptr;
    for (const auto &smp : samples)
      if (smp.local_port == port) last = &smp;
    ASSERT_NE(last, nullptr) << "no sample for exchange " << i;
    EXPECT_EQ(last->cwnd, ti.tcpi_snd_cwnd);
    EXPECT_EQ(last->srtt_us, ti.tcpi_rtt);
    EXPECT_EQ(last->min_rtt_us, ti.tcpi_min_rtt);
    EXPECT_EQ(last->remote, "10.77.0.2:5007");
    EXPECT_EQ(last->cc, cc_of(c.get()));
    compared++;
    if (i == 19) std::printf("%s\n%s\n", policy::table_header().c_str(), policy::table_row(*last).c_str());
  }
  EXPECT_EQ(compared, 20);
}

// With an interval, a busy connection is sampled at most once per interval at RTT measurements
// (which carry the measurement) and at most once per interval in all.
TEST_F(PolicyTest, TraceIntervalLimitsSamplesPerConnection) {
  constexpr auto kInterval = std::chrono::milliseconds(5);
  constexpr double interval_s = std::chrono::duration<double>(kInterval).count();
  std::map<uint64_t, std::vector<policy::Sample>> by_connection;
  auto trace = ASSERT_OK(policy::TraceSession::start(
      cg_, [&](const policy::Sample &s) { by_connection[s.cookie].push_back(s); }, kInterval));
  auto l = listen_on(5008);
  auto c = connect_to("10.77.0.2", 5008);
  auto s = accept_one(l.get());
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < std::chrono::milliseconds(300)) {
    send_all(c.get(), 64 * 1024);
    recv_exactly(s.get(), 64 * 1024);
  }
  ASSERT_TRUE(trace.poll(std::chrono::milliseconds(0)));
  ASSERT_EQ(by_connection.size(), 1u);
  const auto &samples = by_connection.begin()->second;
  // 300 ms of back-to-back transfers measure thousands of RTTs; the spacing below is the limit.
  EXPECT_GE(samples.size(), 10u);
  const policy::Sample *last_measured = nullptr;
  size_t measured = 0;
  for (size_t i = 0; i < samples.size(); i++) {
    const auto &smp = samples[i];
    if (smp.rtt_us == 0) continue;   // a state sample, taken as the connection sent
    EXPECT_GE(smp.rtt_us, smp.min_rtt_us);
    if (last_measured) {
      EXPECT_GE(smp.time_s - last_measured->time_s, interval_s - 1e-6) << "measured sample " << i;
    }
    last_measured = &smp;
    measured++;
  }
  EXPECT_GE(measured, 10u);
  // A state sample only comes when the interval passed without any sample.
  for (size_t i = 1; i < samples.size(); i++)
    if (samples[i].rtt_us == 0) {
      EXPECT_GE(samples[i].time_s - samples[i - 1].time_s, interval_s - 1e-6) << "state sample " << i;
    }
  std::printf("%zu samples (%zu at RTT measurements) in 300 ms at a %.0f ms interval\n", samples.size(), measured,
              interval_s * 1000);
}

}  // namespace ccload::test
