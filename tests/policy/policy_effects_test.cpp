// What a rule sets, observed on sockets of code that sets nothing itself, and on the wire.
#include <fmt/format.h>
#include <sys/socket.h>

#include "policy/trace.h"
#include "policy_fixture.h"

namespace ccload::test {

TEST_F(PolicyTest, RuleSetsCcForOnePrefixOnly) {
  attach(R"(
[[rule]]
remote = "10.77.0.0/24"
cc = "reno"
)");
  auto l = listen_on(5001);
  auto in_prefix = connect_to("10.77.0.2", 5001);
  auto other = connect_to("10.88.0.2", 5001);
  auto outside_cgroup = connect_to("10.77.0.2", 5001, false);
  std::string netns_default = cc_of(outside_cgroup.get());
  ASSERT_NE(netns_default, "reno");
  EXPECT_EQ(cc_of(in_prefix.get()), "reno");
  EXPECT_EQ(cc_of(other.get()), netns_default);
  auto server_side = accept_one(l.get());
  EXPECT_EQ(cc_of(server_side.get()), netns_default);   // the server is not in the cgroup

  // Updating the rules rewrites the maps: the default now applies to the other prefix.
  attach(R"(
[[rule]]
remote = "10.77.0.0/24"
cc = "reno"
[default]
cc = "cubic"
)");
  auto other2 = connect_to("10.88.0.2", 5001);
  EXPECT_EQ(cc_of(other2.get()), "cubic");
}

// The same over IPv6, matching the remote prefix in one rule and the local prefix and remote
// port in another, and an IPv4 connection of the same program next to them.
TEST_F(PolicyTest, Ipv6RulesMatchPrefixesAndPorts) {
  enable_ipv6();
  attach(R"(
[[rule]]
remote = "fd77::/64"
cc = "reno"

[[rule]]
local = "fd88::1/128"
remote_port = 5010
cc = "bbr"

[default]
cc = "cubic"
)");
  std::vector<policy::Sample> samples;
  auto trace = ASSERT_OK(policy::TraceSession::start(cg_, [&](const policy::Sample &s) { samples.push_back(s); }));
  auto l6 = listen_on(5009, false, "::");
  auto l6b = listen_on(5010, false, "::");
  auto l4 = listen_on(5009);
  auto reno6 = connect_to("fd77::2", 5009);
  EXPECT_EQ(cc_of(reno6.get()), "reno");
  // The trace reads IPv6 endpoints too: one exchange gives an RTT sample.
  auto server6 = accept_one(l6.get());
  round_trip(reno6.get(), server6.get(), 100);
  ASSERT_TRUE(trace.poll(std::chrono::milliseconds(0)));
  ASSERT_FALSE(samples.empty());
  EXPECT_EQ(samples.back().remote, "[fd77::2]:5009");
  EXPECT_EQ(samples.back().local.rfind("[fd77::1]:", 0), 0u) << samples.back().local;
  EXPECT_EQ(samples.back().cc, "reno");
  EXPECT_EQ(cc_of(connect_to("fd88::2", 5010).get()), "bbr");
  EXPECT_EQ(cc_of(connect_to("fd88::2", 5009).get()), "cubic") << "the port of the second rule does not match";
  EXPECT_EQ(cc_of(connect_to("10.77.0.2", 5009).get()), "cubic") << "an IPv6 prefix matched an IPv4 peer";
  EXPECT_NE(cc_of(connect_to("fd77::2", 5009, false).get()), "reno") << "outside the cgroup";
}

// The first flight is IW segments: with the server's ACKs diverted (its neighbour entry for the
// client points elsewhere), the client sends exactly one window and then waits for an RTO.
TEST_F(PolicyTest, InitialCwndCountedOnTheWire) {
  attach(R"(
[[rule]]
remote = "10.77.0.0/24"
cc = "cubic"
initcwnd = 4
[default]
cc = "cubic"
)");
  auto l = listen_on(5002);
  for (auto [addr, client, want] : {std::tuple{"10.77.0.2", "10.77.0.1", 4u}, std::tuple{"10.88.0.2", "10.88.0.1", 10u}}) {
    auto c = connect_to(addr, 5002);
    auto s = accept_one(l.get());
    ns_run(srv_, {"ip", "neigh", "replace", client, "lladdr", "02:00:00:00:00:01", "dev", "vs", "nud", "permanent"});
    uint64_t before = rx_packets(srv_, "vs");
    // One non-blocking write: the kernel sends what cwnd allows and queues the rest.
    std::string data(100000, 'x');
    ASSERT_GT(::send(c.get(), data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL), 0);
    uint64_t flight = 0;
    ASSERT_TRUE(eventually([&] {
      flight = rx_packets(srv_, "vs") - before;
      return flight > 0 && flight == info_of(c.get()).tcpi_data_segs_out;
    }, kPolicyWait));
    EXPECT_EQ(flight, want) << "first flight to " << addr;
    EXPECT_EQ(info_of(c.get()).tcpi_total_retrans, 0u) << "an RTO fired before counting";
    RecordProperty(fmt::format("iw_{}", addr), std::to_string(flight));
    std::printf("first flight to %s: %lu segments (tcpi_snd_cwnd %u)\n", addr, flight, info_of(c.get()).tcpi_snd_cwnd);
  }
}

// SYNs to an address that the server's interface receives but nobody owns are dropped there.
TEST_F(PolicyTest, SynRtoFollowsTheRule) {
  attach(R"(
[[rule]]
remote = "10.77.0.0/24"
syn_rto_ms = 100
)");
  ns_run(cli_, {"ip", "neigh", "replace", "10.77.0.99", "lladdr", mac_of(srv_, "vs"), "dev", "vc", "nud", "permanent"});
  ns_run(cli_, {"ip", "neigh", "replace", "10.88.0.99", "lladdr", mac_of(srv_, "vs"), "dev", "vc", "nud", "permanent"});
  uint64_t before = rx_packets(srv_, "vs");
  auto t0 = std::chrono::steady_clock::now();
  auto c = connect_to("10.77.0.99", 5003, true, true);
  ASSERT_TRUE(eventually([&] { return info_of(c.get()).tcpi_total_retrans >= 1; }, kPolicyWait));
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("SYN retransmitted after %.1f ms (tcpi_rto %u us)\n", ms, info_of(c.get()).tcpi_rto);
  EXPECT_GE(ms, 95);
  EXPECT_LT(ms, 300);
  // The wire agrees with the sender: one SYN plus each retransmission (a later backoff may add
  // one while we look, so the two counts are compared, not a constant).
  uint64_t syns = 0;
  uint32_t retrans = 0;
  EXPECT_TRUE(eventually([&] {
    syns = rx_packets(srv_, "vs") - before;
    retrans = info_of(c.get()).tcpi_total_retrans;
    return syns == 1 + retrans;
  }, kPolicyWait)) << syns << " packets on the wire, " << retrans << " retransmissions";
  EXPECT_GE(syns, 2u);
  // Without a matching rule the kernel's 1 s applies (read, not waited for).
  auto d = connect_to("10.88.0.99", 5003, true, true);
  EXPECT_EQ(info_of(d.get()).tcpi_rto, 1000000u);
}

}  // namespace ccload::test
