// The BPF program finds the first matching rule through LPM tries of rule masks; this checks that
// scheme (as compiled by user space) against the definition, first match in file order.
#include <gtest/gtest.h>

#include <random>

#include "policy/rule_tables.h"

using namespace ccload::policy;

static Addr v4(const char *s) { return parse_prefix(s)->addr; }

static const char *kRules = R"(
[[rule]]
remote = "10.1.2.0/24"
remote_port = "80-90"
cc = "a"
[[rule]]
remote = "10.0.0.0/8"
local = "10.9.0.0/16"
cc = "b"
[[rule]]
remote = "10.1.0.0/16"
cc = "c"
[[rule]]
remote = "10.1.2.3"
cc = "d"
[[rule]]
remote = "fd00::/8"
local_port = 22
cc = "e"
[[rule]]
local = "0.0.0.0/0"
local_port = "1000-2000"
cc = "f"
[default]
cc = "g"
)";

TEST(Matching, ExamplesFollowFileOrder) {
  auto set = parse_rules(kRules);
  ASSERT_TRUE(set) << set.error().message;
  auto t = compile(*set);
  auto match = [&](const char *remote, uint16_t rport, const char *local, uint16_t lport) {
    Tuple tu{v4(remote), v4(local), rport, lport};
    auto m = table_match(t, tu);
    EXPECT_EQ(m, first_match(*set, tu));
    return m ? set->rules[*m].action.cc[0] : '-';
  };
  EXPECT_EQ(match("10.1.2.3", 85, "10.9.0.1", 5), 'a');   // first rule wins over longer /32
  EXPECT_EQ(match("10.1.2.3", 95, "10.9.0.1", 5), 'b');
  EXPECT_EQ(match("10.1.2.3", 95, "10.8.0.1", 5), 'c');
  EXPECT_EQ(match("10.2.0.1", 95, "10.8.0.1", 1500), 'f');
  EXPECT_EQ(match("fd00::1", 95, "fd00::2", 22), 'e');
  EXPECT_EQ(match("fd00::1", 95, "fd00::2", 1500), 'g');   // rule f is IPv4-only
  EXPECT_EQ(match("192.168.0.1", 1, "10.8.0.1", 5), 'g');
}

TEST(Matching, TriesAgreeWithDefinitionOnRandomTuples) {
  auto set = parse_rules(kRules);
  ASSERT_TRUE(set);
  auto t = compile(*set);
  std::mt19937 rng(42);
  const char *remotes[] = {"10.1.2.3", "10.1.2.4", "10.1.9.9", "10.200.0.1", "11.0.0.1", "fd00::1", "fe80::1"};
  const char *locals[] = {"10.9.0.1", "10.8.0.1", "10.9.255.255", "fd00::2", "::1"};
  for (int i = 0; i < 5000; i++) {
    Tuple tu{v4(remotes[rng() % std::size(remotes)]), v4(locals[rng() % std::size(locals)]),
             static_cast<uint16_t>(rng() % 3000), static_cast<uint16_t>(rng() % 3000)};
    ASSERT_EQ(table_match(t, tu), first_match(*set, tu)) << i;
  }
}

TEST(Matching, NoDefaultMeansNoMatch) {
  auto set = parse_rules("[[rule]]\nremote = \"10.0.0.0/8\"\ncc = \"reno\"\n");
  ASSERT_TRUE(set);
  auto t = compile(*set);
  EXPECT_FALSE(table_match(t, Tuple{v4("11.0.0.1"), v4("10.0.0.1"), 1, 1}));
  EXPECT_EQ(table_match(t, Tuple{v4("10.0.0.1"), v4("10.0.0.2"), 1, 1}), 0u);
}
