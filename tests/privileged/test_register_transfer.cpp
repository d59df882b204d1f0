// Each built-in CC registers, shows up in the kernel's list, and carries a real 16 MiB transfer
// between two namespaces with the CC chosen through setsockopt(TCP_CONGESTION).
#include <gtest/gtest.h>

#include "ccload_cli.h"
#include "eventually.h"
#include "kernel_ccs.h"
#include "tcp_pair.h"
#include "test_ccs.h"

namespace ccload::test {
namespace {

constexpr uint64_t kTransferBytes = 16ull << 20;

struct BuiltinCase {
  const char *object;
  const char *short_name;
};

class RegisterAndTransfer : public testing::TestWithParam<BuiltinCase> {};

uint64_t counter(const std::string &cc, const std::string &name) {
  const std::string value = show_value(cc, "counters", name);
  if (value == "<missing>") {
    ADD_FAILURE() << cc << " has no counter " << name;
    return 0;
  }
  return std::stoull(value);
}

TEST_P(RegisterAndTransfer, CarriesTrafficWithTheCcInUse) {
  const auto &param = GetParam();
  ScopedCc cc(param.object, param.short_name);
  ASSERT_TRUE(cc.ok()) << cc.error();
  EXPECT_TRUE(is_available(cc.name()));

  auto list = ccload({"list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  bool listed = false;
  for (const auto &entry : list.json["congestion_controls"])
    if (entry["name"] == cc.name()) {
      listed = true;
      EXPECT_EQ(entry["kind"], "bpf");
      EXPECT_TRUE(entry["pinned_by_ccload"].get<bool>());
    }
  EXPECT_TRUE(listed) << cc.name() << " missing from `ccload list`";

  auto hosts = TwoHosts::create(std::string("reg-") + param.short_name);
  ASSERT_TRUE(hosts) << hosts.error().message;
  // DCTCP needs ECN negotiated on both ends, or it falls back (tested separately).
  for (const auto *ns : {&hosts->client, &hosts->server})
    ASSERT_TRUE(TwoHosts::set_sysctl(*ns, "net.ipv4.tcp_ecn", "1"));

  auto conn = connect_with_cc(*hosts, cc.name(), 5201);
  ASSERT_TRUE(conn) << conn.error().message;
  auto received = transfer(*conn, kTransferBytes);
  ASSERT_TRUE(received) << received.error().message;
  EXPECT_EQ(*received, kTransferBytes);

  EXPECT_EQ(congestion_control_of(conn->client.get()).value_or("?"), cc.name());
  EXPECT_EQ(congestion_control_of(conn->server.get()).value_or("?"), cc.name());
  // The receiver has every byte; the sender learns it with the last ACK.
  EXPECT_TRUE(eventually([&] { return tcp_info_of(conn->client.get())->tcpi_bytes_acked >= kTransferBytes; }))
      << "bytes_acked " << tcp_info_of(conn->client.get())->tcpi_bytes_acked;
  EXPECT_GT(tcp_info_of(conn->client.get())->tcpi_snd_cwnd, 0u);
}

INSTANTIATE_TEST_SUITE_P(Builtins, RegisterAndTransfer,
                         testing::Values(BuiltinCase{"bpf_cubic", "cubic"}, BuiltinCase{"bpf_dctcp", "dctcp"},
                                         BuiltinCase{"bpf_qdelay", "qdelay"},
                                         BuiltinCase{"bpf_reno_template", "reno"}),
                         [](const auto &info) { return std::string(info.param.short_name); });

TEST(Dctcp, RunsItsCeMachineWhenEcnIsNegotiatedAndFallsBackOtherwise) {
  ScopedCc cc("bpf_dctcp", "dctcp");
  ASSERT_TRUE(cc.ok()) << cc.error();
  auto hosts = TwoHosts::create("dctcp-ecn");
  ASSERT_TRUE(hosts) << hosts.error().message;

  for (const auto *ns : {&hosts->client, &hosts->server})
    ASSERT_TRUE(TwoHosts::set_sysctl(*ns, "net.ipv4.tcp_ecn", "1"));
  uint64_t inits_before = counter(cc.name(), "stat_inits");
  uint64_t fallbacks_before = counter(cc.name(), "stat_fallbacks");
  {
    auto conn = connect_with_cc(*hosts, cc.name(), 5202);
    ASSERT_TRUE(conn) << conn.error().message;
    ASSERT_EQ(transfer(*conn, 4 << 20).value_or(0), 4u << 20);
    EXPECT_EQ(congestion_control_of(conn->client.get()).value_or("?"), cc.name());
  }
  EXPECT_GT(counter(cc.name(), "stat_inits"), inits_before);
  EXPECT_EQ(counter(cc.name(), "stat_fallbacks"), fallbacks_before);

  // The server refuses ECN: the client's DCTCP must hand the connection to its fallback CC. (The
  // server runs its default CC: a listener whose CC needs ECN negotiates it whatever the sysctl.)
  ASSERT_TRUE(TwoHosts::set_sysctl(hosts->server, "net.ipv4.tcp_ecn", "0"));
  {
    auto conn = connect_with_cc(*hosts, cc.name(), 5203, "");
    ASSERT_TRUE(conn) << conn.error().message;
    ASSERT_EQ(transfer(*conn, 4 << 20).value_or(0), 4u << 20);
    EXPECT_EQ(congestion_control_of(conn->client.get()).value_or("?"), "reno");
  }
  EXPECT_GT(counter(cc.name(), "stat_fallbacks"), fallbacks_before);

  // A fallback the kernel refuses (no such CC): the connection stays on DCTCP, initialised, and
  // still moves every byte.
  auto set = ccload({"set", cc.name(), "fallback_cc=nosuch_cc"});
  ASSERT_EQ(set.exit_code, 0) << set.error_message();
  const uint64_t errors_before = counter(cc.name(), "stat_fallback_errors");
  inits_before = counter(cc.name(), "stat_inits");
  {
    auto conn = connect_with_cc(*hosts, cc.name(), 5204, "");
    ASSERT_TRUE(conn) << conn.error().message;
    ASSERT_EQ(transfer(*conn, 4 << 20).value_or(0), 4u << 20);
    EXPECT_EQ(congestion_control_of(conn->client.get()).value_or("?"), cc.name());
  }
  EXPECT_GT(counter(cc.name(), "stat_fallback_errors"), errors_before);
  EXPECT_GT(counter(cc.name(), "stat_inits"), inits_before);
}

}  // namespace
}  // namespace ccload::test
