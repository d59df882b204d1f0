// Changing a registered CC while it runs: a tunable written with `ccload set` reaches the running
// program, `ccload upgrade` swaps the implementation under a live connection, and `ccload
// unregister` leaves live connections running to the last byte.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "ccload_cli.h"
#include "eventually.h"
#include "kernel_ccs.h"
#include "tcp_pair.h"
#include "test_ccs.h"

namespace ccload::test {
namespace {

using namespace std::chrono_literals;

TEST(SetTunable, TheRunningProgramUsesTheNewValue) {
  ScopedCc cc("bpf_cubic", "cubic");
  ASSERT_TRUE(cc.ok()) << cc.error();
  auto hosts = TwoHosts::create("set");
  ASSERT_TRUE(hosts) << hosts.error().message;

  // bpf_cubic applies initial_ssthresh at init when HyStart is off, as tcp_cubic.c does with its
  // module parameters: a new connection must start with exactly that ssthresh.
  auto r = ccload({"set", cc.name(), "hystart=0", "initial_ssthresh=37"});
  ASSERT_EQ(r.exit_code, 0) << r.error_message();
  ASSERT_EQ(r.json["changes"].size(), 2u);
  EXPECT_EQ(r.json["changes"][1]["new"], "37");
  EXPECT_EQ(show_value(cc.name(), "tunables", "initial_ssthresh"), "37");

  auto conn = connect_with_cc(*hosts, cc.name(), 5301);
  ASSERT_TRUE(conn) << conn.error().message;
  auto info = tcp_info_of(conn->client.get());
  ASSERT_TRUE(info);
  EXPECT_EQ(info->tcpi_snd_ssthresh, 37u);

  ASSERT_EQ(ccload({"set", cc.name(), "initial_ssthresh=55"}).exit_code, 0);
  auto conn2 = connect_with_cc(*hosts, cc.name(), 5302);
  ASSERT_TRUE(conn2) << conn2.error().message;
  EXPECT_EQ(tcp_info_of(conn2->client.get())->tcpi_snd_ssthresh, 55u);
}

TEST(SetTunable, RefusesUnknownNamesCountersAndOutOfRangeValues) {
  ScopedCc cc("bpf_cubic", "cubic");
  ASSERT_TRUE(cc.ok()) << cc.error();
  auto unknown = ccload({"set", cc.name(), "betta=1"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.json["error"]["hint"].get<std::string>().find("beta (int)"), std::string::npos);
  auto counter = ccload({"set", cc.name(), "stat_loss_events=5"});
  EXPECT_EQ(counter.exit_code, 1);
  EXPECT_NE(counter.error_message().find("counter"), std::string::npos);
  auto range = ccload({"set", cc.name(), "beta=4294967296"});
  EXPECT_EQ(range.exit_code, 1);
  EXPECT_NE(range.error_message().find("outside"), std::string::npos);
  // A bad assignment anywhere changes nothing.
  auto mixed = ccload({"set", cc.name(), "beta=800", "bic_scale=x"});
  EXPECT_EQ(mixed.exit_code, 1);
  EXPECT_EQ(show_value(cc.name(), "tunables", "beta"), "717");
}

TEST(Upgrade, SwapsTheImplementationUnderALiveConnection) {
  ScopedCc cc("bpf_reno_template", "upg");
  ASSERT_TRUE(cc.ok()) << cc.error();
  auto hosts = TwoHosts::create("upgrade");
  ASSERT_TRUE(hosts) << hosts.error().message;
  for (const auto *ns : {&hosts->client, &hosts->server})
    ASSERT_TRUE(TwoHosts::set_sysctl(*ns, "net.ipv4.tcp_ecn", "1"));

  auto conn = connect_with_cc(*hosts, cc.name(), 5303);
  ASSERT_TRUE(conn) << conn.error().message;
  StreamingTransfer live(std::move(*conn));
  ASSERT_TRUE(eventually([&] { return live.received() > (1u << 20); }));

  auto before = ccload({"show", cc.name()});
  auto r = ccload({"upgrade", cc.name(), "bpf_dctcp"});
  ASSERT_EQ(r.exit_code, 0) << r.error_message();
  auto after = ccload({"show", cc.name()});
  EXPECT_EQ(after.json["link_id"], before.json["link_id"]) << "upgrade must keep the link";
  EXPECT_NE(after.json["map_id"], before.json["map_id"]);
  EXPECT_EQ(after.json["source"], "builtin:bpf_dctcp");
  EXPECT_TRUE(is_available(cc.name()));

  // The live connection keeps moving data after the swap...
  uint64_t at_swap = live.received();
  EXPECT_TRUE(eventually([&] { return live.received() > at_swap + (4u << 20); }));
  EXPECT_EQ(congestion_control_of(live.client_fd()).value_or("?"), cc.name());
  live.stop();
  EXPECT_FALSE(live.failed());
  EXPECT_EQ(live.received(), live.sent());

  // ...and new connections run the new implementation: DCTCP's init counter moves.
  auto conn2 = connect_with_cc(*hosts, cc.name(), 5304);
  ASSERT_TRUE(conn2) << conn2.error().message;
  ASSERT_EQ(transfer(*conn2, 1 << 20).value_or(0), 1u << 20);
  EXPECT_NE(show_value(cc.name(), "counters", "stat_inits"), "0");
}

TEST(Unregister, LiveConnectionsFinishWithEveryByte) {
  auto cc = std::make_unique<ScopedCc>("bpf_qdelay", "unreg");
  ASSERT_TRUE(cc->ok()) << cc->error();
  const std::string name = cc->name();
  auto hosts = TwoHosts::create("unregister");
  ASSERT_TRUE(hosts) << hosts.error().message;

  auto conn = connect_with_cc(*hosts, name, 5305);
  ASSERT_TRUE(conn) << conn.error().message;
  StreamingTransfer live(std::move(*conn));
  ASSERT_TRUE(eventually([&] { return live.received() > (1u << 20); }));

  cc.reset();  // ccload unregister
  EXPECT_FALSE(is_available(name));
  EXPECT_FALSE(std::filesystem::exists("/sys/fs/bpf/ccload/" + name));
  uint64_t at_unregister = live.received();
  EXPECT_TRUE(eventually([&] { return live.received() > at_unregister + (8u << 20); }));
  EXPECT_EQ(congestion_control_of(live.client_fd()).value_or("?"), name);
  live.stop();
  EXPECT_FALSE(live.failed());
  EXPECT_EQ(live.received(), live.sent());

  // New connections can no longer choose it.
  auto refused = connect_with_cc(*hosts, name, 5306);
  EXPECT_FALSE(refused);
}

}  // namespace
}  // namespace ccload::test
