#include <gtest/gtest.h>

#include "scenario.h"
#include "text_checks.h"

using namespace ccbench::run;

namespace {
std::string error_of(const std::string &text, const std::string &file = "s.toml") {
  auto r = parse_scenario(text, file);
  return r ? std::string() : r.error().message;
}
}  // namespace

TEST(Scenario, ParsesALink) {
  auto s = parse_scenario(R"(
description = "WAN"
duration = 5
suites = ["quick"]
[link]
rate = "100mbit"
rtt = "40ms"
buffer = "1bdp"
loss = "0.5%"
ecn_threshold = "20pkt"
)", "/x/wan.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->name, "wan");
  EXPECT_EQ(s->duration_s, 5);
  ASSERT_TRUE(s->spec);
  EXPECT_EQ(s->spec->rate_bps, 100'000'000u);
  EXPECT_EQ(s->spec->rtt_ns, 40'000'000);
  EXPECT_DOUBLE_EQ(s->spec->loss, 0.005);
  ASSERT_TRUE(s->spec->ecn_threshold);
  EXPECT_EQ(s->suites, std::vector<std::string>{"quick"});
}

TEST(Scenario, NoLinkMeansBareVethAndFullSuite) {
  auto s = parse_scenario("description = \"veth\"\n", "v.toml");
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->link);
  EXPECT_EQ(s->suites, std::vector<std::string>{"full"});
}

TEST(Scenario, CasesFromCcsFlowsAndMixes) {
  auto s = parse_scenario("description = \"f\"\nflows_per_cc = 3\nccs = [\"cubic\", \"bbr\"]\n", "f.toml");
  ASSERT_TRUE(s);
  auto cases = cases_for(*s, {}, {"reno"});
  ASSERT_EQ(cases.size(), 2u);
  EXPECT_EQ(cases[0].label, "3 x cubic");
  EXPECT_EQ(cases[0].flow_ccs, (std::vector<std::string>{"cubic", "cubic", "cubic"}));
  EXPECT_EQ(cases_for(*s, {"reno"}, {})[0].label, "3 x reno");  // --cc wins

  auto m = parse_scenario("description = \"m\"\nmixes = [[\"bpf_cubic\", \"cubic\"], [\"bpf_cubic\", \"bbr\"]]\n", "m.toml");
  ASSERT_TRUE(m);
  auto mc = cases_for(*m, {"reno"}, {});
  ASSERT_EQ(mc.size(), 2u);
  EXPECT_EQ(mc[1].label, "bpf_cubic vs bbr");
  EXPECT_EQ(mc[1].flow_ccs, (std::vector<std::string>{"bpf_cubic", "bbr"}));

  auto d = parse_scenario("description = \"d\"\n", "d.toml");
  EXPECT_EQ(cases_for(*d, {}, {"cubic", "bbr"}).size(), 2u);
}

TEST(Scenario, ValidationSaysWhereAndWhat) {
  EXPECT_MENTIONS(error_of("description = \"x\"\nrate = \"1mbit\"\n"), "unknown key `rate`");
  EXPECT_MENTIONS(error_of("description = \"x\"\n[link]\nrate = \"1mbit\"\nbufer = \"1bdp\"\n"), "unknown key `bufer` in [link]");
  EXPECT_MENTIONS(error_of("[link]\nrate = \"1mbit\"\n"), "`description` is missing");
  EXPECT_MENTIONS(error_of("description = \"x\"\n[link]\nrtt = \"10ms\"\n"), "needs `rate`");
  // The link's own validation, with its wording, prefixed by the file.
  const std::string bad_rate = error_of("description = \"x\"\n[link]\nrate = \"fast\"\n");
  EXPECT_MENTIONS(bad_rate, "s.toml: [link]:");
  EXPECT_MENTIONS(bad_rate, "rate");
  EXPECT_MENTIONS(error_of("description = \"x\"\nduration = 0\n"), "between 1 and 600");
  EXPECT_MENTIONS(error_of("description = \"x\"\nflows_per_cc = 40\n"), "between 1 and 16");
  EXPECT_MENTIONS(error_of("description = \"x\"\nmixes = [[\"cubic\"]]\n"), "2 to 16");
  EXPECT_MENTIONS(error_of("description = \"x\"\nccs = [\"has space\"]\n"), "not a congestion control name");
  EXPECT_MENTIONS(error_of("description = \"x\"\nsuites = [\"nightly\"]\n"), "unknown suite");
  EXPECT_MENTIONS(error_of("description = \"x\"\nflows_per_cc = 2\nmixes = [[\"a\", \"b\"]]\n"), "exclude each other");
  const std::string syntax = error_of("description = \n");
  EXPECT_MENTIONS(syntax, "s.toml:1:");
}

TEST(Scenario, TheShippedScenariosAreValid) {
  auto all = load_scenario_dir(BENCH_SCENARIOS);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_GE(all->size(), 8u);
  int quick = 0;
  for (const auto &s : *all)
    for (const auto &su : s.suites) quick += su == "quick";
  EXPECT_GE(quick, 2);
  EXPECT_FALSE(find_scenario(BENCH_SCENARIOS, "no_such_scenario"));
}

TEST(Scenario, FlowRttsGiveEachFlowItsOwnRtt) {
  auto s = parse_scenario(R"(description = "rtt"
flow_rtts = ["40ms", "10ms", "80ms"]
ccs = ["cubic"]
[link]
rate = "100mbit"
buffer = "1bdp"
)", "r.toml");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->flows_per_cc, 3);
  ASSERT_TRUE(s->spec);
  EXPECT_EQ(s->spec->rtt_ns, 10'000'000);        // the shortest flow RTT
  EXPECT_EQ(s->spec->buffer.bytes, 125'000u);    // 1 BDP of it
  ASSERT_EQ(s->spec->flow_rtts.size(), 3u);
  EXPECT_EQ(s->spec->flow_rtts[0].port, kFirstFlowPort);
  EXPECT_EQ(s->spec->flow_rtts[0].extra_ns, 30'000'000);
  EXPECT_EQ(s->spec->flow_rtts[1].extra_ns, 0);
  EXPECT_EQ(s->spec->flow_rtts[2].port, kFirstFlowPort + 2);
  EXPECT_EQ(s->spec->flow_rtts[2].extra_ns, 70'000'000);
  auto cases = cases_for(*s, {}, {});
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0].flow_ccs.size(), 3u);
}

TEST(Scenario, FlowRttValidationSaysWhereAndWhat) {
  const std::string link = "[link]\nrate = \"100mbit\"\n";
  auto err = [&](const std::string &top, const std::string &link_extra = "") {
    return error_of("description = \"x\"\n" + top + link + link_extra);
  };
  EXPECT_MENTIONS(err("flow_rtts = [\"10ms\"]\n"), "s.toml:2: `flow_rtts` must list 2 to 16");
  EXPECT_MENTIONS(err("flow_rtts = \"10ms\"\n"), "s.toml:2: `flow_rtts` must be a list");
  EXPECT_MENTIONS(err("flow_rtts = [\"10ms\", \"soon\"]\n"), "s.toml:2: `flow_rtts`:");
  EXPECT_MENTIONS(err("flow_rtts = [\"10ms\", \"6s\"]\n"), "s.toml:2: `flow_rtts`: --flow-rtt");
  EXPECT_MENTIONS(err("flows_per_cc = 2\nflow_rtts = [\"10ms\", \"20ms\", \"30ms\"]\n"), "s.toml:2: `flows_per_cc` is 2");
  EXPECT_MENTIONS(err("mixes = [[\"a\", \"b\", \"c\"]]\nflow_rtts = [\"10ms\", \"20ms\"]\n"), "one RTT per flow");
  EXPECT_MENTIONS(err("flow_rtts = [\"10ms\", \"20ms\"]\n", "rtt = \"20ms\"\n"), "s.toml:5: `rtt` must be the shortest");
  EXPECT_MENTIONS(err("flow_rtts = [\"10ms\", \"20ms\"]\n", "backend = \"kernel\"\n"), "no per-flow delay");
  EXPECT_MENTIONS(error_of("description = \"x\"\nflow_rtts = [\"10ms\", \"20ms\"]\n"), "needs a [link]");
  // A matching rtt is accepted.
  EXPECT_EQ(err("flow_rtts = [\"20ms\", \"10ms\"]\n", "rtt = \"10ms\"\n"), "");
}
