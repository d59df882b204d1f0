// Links come up, carry packets, record them, and leave nothing behind: after down, after a
// failed up, and after kill -9 of the daemon.
#include <signal.h>

#include <filesystem>
#include <thread>

#include "poll_until.h"
#include "link_fixture.h"
#include "netns.h"
#include "process.h"
#include "records.h"

using namespace linktest;
namespace fs = std::filesystem;

namespace {

void expect_gone(const LinkState &s) {
  EXPECT_FALSE(namespace_exists(s.client_ns)) << s.client_ns;
  EXPECT_FALSE(namespace_exists(s.server_ns)) << s.server_ns;
  EXPECT_FALSE(namespace_exists(s.router_ns)) << s.router_ns;
  EXPECT_FALSE(fs::exists(state_path(s.name)));
  EXPECT_FALSE(fs::exists(default_record_dir(s.name)));
}

// Polls (with a deadline) until the daemon is gone.
void wait_dead(int pid) {
  ccload::poll_until([&] { return !pid_alive(pid); }, std::chrono::seconds(5));
}

}  // namespace

class Lifecycle : public testing::TestWithParam<const char *> {};

TEST_P(Lifecycle, UpCarriesPacketsRecordsThemAndDownRemovesEverything) {
  auto a = args("100mbit", GetParam() == std::string("kernel") ? "0" : "2ms");
  a.backend = GetParam();
  auto link = up(a);
  ASSERT_TRUE(link);
  LinkState s = link->state();
  EXPECT_EQ(s.backend, GetParam());
  EXPECT_TRUE(namespace_exists(s.client_ns));
  EXPECT_TRUE(namespace_exists(s.server_ns));
  EXPECT_TRUE(fs::exists(state_path(s.name)));
  ASSERT_TRUE(ping_min_rtt_ms(*link, 20, "0.01"));
  // The writer flushes at least every 100 ms; poll for the pings' records.
  RecordSummary sum;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  do {
    auto recs = read_records(s.records);
    ASSERT_TRUE(recs) << recs.error().message;
    sum = summarize(*recs);
  } while (sum.forwarded < 20 && std::chrono::steady_clock::now() < deadline);
  EXPECT_GE(sum.forwarded, 20u);
  EXPECT_EQ(sum.drops_loss + sum.drops_overflow, 0u);
  link->down();
  expect_gone(s);
  auto tuns = ccload::run({"ip", "-o", "link", "show", "type", "tun"});
  ASSERT_TRUE(tuns);
  EXPECT_EQ(tuns->out.find("tun-c"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, Lifecycle, testing::Values("tun", "kernel"));

TEST(LinkLifecycle, NameClashIsRefusedAndLeavesTheFirstLinkAlone) {
  auto a = args("10mbit", "1ms");
  auto first = up(a);
  ASSERT_TRUE(first);
  auto spec = resolve(a);
  ASSERT_TRUE(spec);
  auto second = Link::up(*spec);
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("already up"), std::string::npos) << second.error().message;
  // The command line reports it as a usage error (exit 2).
  const char *exe = std::getenv("CCBENCH_EXE");
  ASSERT_NE(exe, nullptr);
  auto cli = ccload::run({exe, "link", "up", "--name", a.name, "--rate", "10mbit"});
  ASSERT_TRUE(cli);
  EXPECT_EQ(cli->exit_code, 2);
  EXPECT_NE(cli->err.find("--name"), std::string::npos) << cli->err;
  EXPECT_TRUE(ping_min_rtt_ms(*first, 3, "0.01"));
}

TEST(LinkLifecycle, KilledDaemonIsReapedByTheNextUp) {
  // link_up directly, not Link: nothing of ours will bring it down, as after kill -9 of ccbench.
  auto a = args("10mbit", "1ms");
  auto spec = resolve(a);
  ASSERT_TRUE(spec);
  auto st = link_up(*spec);
  ASSERT_TRUE(st) << st.error().message;
  ::kill(st->pid, SIGKILL);
  wait_dead(st->pid);
  auto next = up(args("10mbit", "1ms"));  // reaps on the way up
  ASSERT_TRUE(next);
  expect_gone(*st);
}

TEST(LinkLifecycle, FailedUpLeavesNothing) {
  auto a = args("10mbit", "10ms");
  a.backend = "kernel";  // this kernel has no netem: must fail cleanly
  auto spec = resolve(a);
  ASSERT_TRUE(spec);
  auto before = ccload::list_namespaces();
  auto link = Link::up(*spec);
  if (link) GTEST_SKIP() << "this kernel has netem; the failure path is not reachable";
  EXPECT_NE(link.error().message.find("netem"), std::string::npos) << link.error().message;
  EXPECT_FALSE(fs::exists(state_path(a.name)));
  EXPECT_EQ(ccload::list_namespaces().size(), before.size());
}
