// Rules files: what parses, and that every error names its line.
#include <gtest/gtest.h>

#include "policy/rules.h"

using namespace ccload::policy;

TEST(Rules, ParsesRulesInOrderWithDefaultLast) {
  auto set = parse_rules(R"(
[default]
cc = "cubic"

[[rule]]
name = "dc"
remote = "10.0.0.0/8"
remote_port = "5000-5999"
cc = "reno"
initcwnd = 20
syn_rto_ms = 20
rto_min_ms = 10
delack_max_ms = 5

[[rule]]
local = "fd00::/8"
local_port = 22
sndbuf = 65536
rcvbuf = 131072
cwnd_clamp = 50
)");
  ASSERT_TRUE(set) << set.error().message;
  ASSERT_EQ(set->rules.size(), 3u);
  const Rule &dc = set->rules[0];
  EXPECT_EQ(dc.name, "dc");
  EXPECT_EQ(dc.line, 5);
  EXPECT_EQ(dc.remote.str(), "10.0.0.0/8");
  EXPECT_EQ(dc.remote_port.lo, 5000);
  EXPECT_EQ(dc.remote_port.hi, 5999);
  EXPECT_EQ(describe_action(dc.action), "cc=reno initcwnd=20 syn_rto_ms=20 rto_min_ms=10 delack_max_ms=5");
  EXPECT_EQ(set->rules[1].local.str(), "fd00::/8");
  EXPECT_EQ(set->rules[1].local_port.str(), "22");
  EXPECT_TRUE(set->rules[2].is_default);
  EXPECT_EQ(describe_action(set->rules[2].action), "cc=cubic");
}

TEST(Rules, PrefixForms) {
  EXPECT_EQ(parse_prefix("10.1.2.3")->str(), "10.1.2.3/32");
  EXPECT_EQ(parse_prefix("0.0.0.0/0")->str(), "0.0.0.0/0");
  EXPECT_EQ(parse_prefix("0.0.0.0/0")->len, 96u);   // any IPv4 address, not any address
  EXPECT_EQ(parse_prefix("fd00::/8")->str(), "fd00::/8");
  auto bad = parse_prefix("10.1.2.3/8");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().hint.find("10.0.0.0/8"), std::string::npos);
  EXPECT_FALSE(parse_prefix("10.0.0.0/33"));
  EXPECT_FALSE(parse_prefix("example.com"));
}

struct BadCase {
  const char *text;
  int line;
  const char *says;
};

class BadRules : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadRules, ErrorNamesTheLine) {
  auto r = parse_rules(GetParam().text, "f.toml");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("f.toml:" + std::to_string(GetParam().line) + ":"), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find(GetParam().says), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, BadRules,
    ::testing::Values(BadCase{"[[rule]]\ncc = \"reno\"\ncwnd = 3\n", 3, "unknown key 'cwnd'"},
                      BadCase{"[[rule]]\nremote = \"10.0.0.300/8\"\ncc = \"reno\"\n", 2, "not an IPv4 or IPv6"},
                      BadCase{"\n[[rule]]\ncc = \"reno\"\nremote_port = \"9-1\"\n", 4, "not a port range"},
                      BadCase{"[[rule]]\ncc = \"reno\"\ninitcwnd = 0\n", 3, "out of range"},
                      BadCase{"[[rule]]\ncc = \"reno\"\ndelack_max_ms = 500\n", 3, "out of range"},
                      BadCase{"[[rule]]\ncc = \"a_name_much_too_long\"\n", 2, "1-15 characters"},
                      BadCase{"[[rule]]\ncc = reno\n", 2, ""},   // TOML syntax error
                      BadCase{"[default]\nremote = \"10.0.0.0/8\"\n", 2, "matches everything"},
                      BadCase{"x = 1\n", 1, "unknown top-level key"},
                      BadCase{"\n\n[[rule]]\nname = \"empty\"\n", 3, "sets nothing"}));

TEST(Rules, TooManyRules) {
  std::string text;
  for (int i = 0; i < POLICY_MAX_RULES + 1; i++) text += "[[rule]]\ncc = \"reno\"\n";
  auto r = parse_rules(text);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("at most 64"), std::string::npos);
}

TEST(Rules, ExecCcBecomesTheDefault) {
  auto set = parse_rules("[[rule]]\nremote = \"10.0.0.0/8\"\ncc = \"reno\"\n");
  ASSERT_TRUE(set);
  set_default_cc(*set, "bpf_cubic");
  ASSERT_EQ(set->rules.size(), 2u);
  EXPECT_TRUE(set->rules.back().is_default);
  EXPECT_EQ(describe_action(set->rules.back().action), "cc=bpf_cubic");
}
