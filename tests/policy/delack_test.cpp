// Delayed-ACK negotiation: both sides see each other's option in socket storage and apply it;
// a peer without the policy sees nothing and keeps the kernel's behaviour.
#include "policy_fixture.h"

namespace ccload::test {

static const char *kDelackRules = R"(
[[rule]]
remote = "10.77.0.2/32"   # the client's view of the server
delack_max_ms = 10
[[rule]]
remote = "10.77.0.1/32"   # the server's view of the client
delack_max_ms = 30
[[rule]]
remote = "10.88.0.0/24"
delack_max_ms = 10
)";

static constexpr uint32_t kNegotiated = POLICY_SK_OPT_SENT | POLICY_SK_OPT_RECEIVED | POLICY_SK_DELACK_SET |
                                        POLICY_SK_RTO_MIN_SET;

// Request/response rounds: the kernel lets rttvar (and so the RTO) decay towards a new minimum
// by a quarter per round trip, so 20 rounds bring it within a few ms of the floor.
static void ping(int a, int b) {
  for (int i = 0; i < 20; i++) round_trip(a, b, 100);
}

TEST_F(PolicyTest, DelackNegotiatedBothWays) {
  attach(kDelackRules);
  auto l = listen_on(5004, true);
  auto c = connect_to("10.77.0.2", 5004);
  auto s = accept_one(l.get());
  ping(c.get(), s.get());
  auto m = maps();
  auto cs = ASSERT_OK(policy::socket_state(m, c.get()));
  auto ss = ASSERT_OK(policy::socket_state(m, s.get()));
  EXPECT_EQ(cs.flags & kNegotiated, kNegotiated);
  EXPECT_EQ(ss.flags & kNegotiated, kNegotiated);
  EXPECT_EQ(cs.local_delack_ms, 10u);
  EXPECT_EQ(cs.peer_delack_ms, 30u);
  EXPECT_EQ(ss.local_delack_ms, 30u);
  EXPECT_EQ(ss.peer_delack_ms, 10u);
  EXPECT_EQ(cs.setsockopt_errors, 0u);
  // RTO floor is the peer's max delayed ACK instead of 200 ms.
  uint32_t crto = info_of(c.get()).tcpi_rto, srto = info_of(s.get()).tcpi_rto;
  std::printf("negotiated: client rto %u us (peer delack 30 ms), server rto %u us (peer delack 10 ms)\n", crto, srto);
  EXPECT_LT(crto, 100000u);
  EXPECT_GE(crto, 30000u);
  EXPECT_LT(srto, 100000u);
  EXPECT_GE(srto, 10000u);
}

TEST_F(PolicyTest, DelackPeerWithoutPolicyIsUntouched) {
  attach(kDelackRules);
  auto l = listen_on(5005, false);   // server outside the cgroup: no policy, no option
  auto c = connect_to("10.88.0.2", 5005);
  auto s = accept_one(l.get());
  ping(c.get(), s.get());
  auto m = maps();
  auto cs = ASSERT_OK(policy::socket_state(m, c.get()));
  EXPECT_TRUE(cs.flags & POLICY_SK_OPT_SENT);
  EXPECT_FALSE(cs.flags & (POLICY_SK_OPT_RECEIVED | POLICY_SK_DELACK_SET | POLICY_SK_RTO_MIN_SET));
  EXPECT_FALSE(policy::socket_state(m, s.get()));
  EXPECT_GE(info_of(c.get()).tcpi_rto, 200000u);
  EXPECT_GE(info_of(s.get()).tcpi_rto, 200000u);
}

TEST_F(PolicyTest, DelackNegotiatedThroughSyncookies) {
  attach(kDelackRules);
  ns_run(srv_, {"sysctl", "-qw", "net.ipv4.tcp_syncookies=2"});   // always answer with a cookie
  auto l = listen_on(5006, true);
  auto c = connect_to("10.77.0.2", 5006);
  auto s = accept_one(l.get());
  ping(c.get(), s.get());
  auto m = maps();
  auto cs = ASSERT_OK(policy::socket_state(m, c.get()));
  auto ss = ASSERT_OK(policy::socket_state(m, s.get()));
  EXPECT_TRUE(ss.flags & POLICY_SK_SYNCOOKIE);
  EXPECT_EQ(ss.flags & kNegotiated, kNegotiated);
  EXPECT_EQ(ss.peer_delack_ms, 10u);
  EXPECT_EQ(cs.flags & kNegotiated, kNegotiated);
  EXPECT_FALSE(cs.flags & POLICY_SK_RESEND) << "the server's data should have ended the resends";
}

}  // namespace ccload::test
