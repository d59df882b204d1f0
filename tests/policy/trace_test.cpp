// Trace samples agree with TCP_INFO read right after them.
#include <arpa/inet.h>
#include <netinet/in.h>

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
    send_all(c.get(), 100);
    recv_exactly(s.get(), 100);
    send_all(s.get(), 100);
    recv_exactly(c.get(), 100);   // the response ACKs the request: one RTT sample, already queued
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

}  // namespace ccload::test
