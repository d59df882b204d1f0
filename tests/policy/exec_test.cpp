// The command line: ccload exec (CC applied to an unmodified program; no cgroup left behind
// whatever happens to the command or to ccload) and policy attach with bad rules.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>

#include "policy_fixture.h"
#include "ccload_cli.h"
#include "process.h"

namespace ccload::test {

namespace fs = std::filesystem;

static std::string exec_cgroup(pid_t ccload_pid) {
  return std::string(kCgroupRoot) + "/ccload-" + std::to_string(ccload_pid) + "-exec";
}

// Runs ccload exec in the background and returns its exit code; its cgroup must be gone by then.
static int run_exec(const std::vector<std::string> &cmd) {
  std::vector<std::string> argv{ccload_binary(), "exec", "--cc", "reno", "--"};
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  auto p = BackgroundProcess::start(argv);
  EXPECT_TRUE(p);
  auto code = p->wait(std::chrono::milliseconds(10000));
  EXPECT_TRUE(code);
  EXPECT_FALSE(fs::exists(exec_cgroup(p->pid()))) << "cgroup left behind";
  return code ? *code : -1;
}

TEST_F(PolicyTest, ExecAppliesCcToAnUnmodifiedProgram) {
  auto server = ASSERT_OK(BackgroundProcess::start(srv_.wrap({"iperf3", "-s", "-1", "-B", "10.77.0.2"})));
  std::string out_path = fmt::format("/tmp/ccl-{}-iperf3.json", getpid());
  bool ok = eventually(
      [&] {
        auto r = run({"sh", "-c", shell_quote({ccload_binary(), "exec", "--cc", "reno", "--", "ip", "netns", "exec",
                                               cli_.name(), "iperf3", "-c", "10.77.0.2", "-t", "1", "-J"}) +
                                      " > " + out_path});
        return r && r->ok();
      },
      std::chrono::milliseconds(5000));
  ASSERT_TRUE(ok) << "iperf3 through ccload exec never succeeded";
  std::ifstream in(out_path);
  auto j = nlohmann::json::parse(in);
  fs::remove(out_path);
  EXPECT_EQ(j["end"]["sender_tcp_congestion"], "reno");
  EXPECT_NE(j["end"]["receiver_tcp_congestion"], "reno");   // the server is not under the policy
}

TEST_F(PolicyTest, ExecForwardsStatusAndLeavesNoCgroup) {
  EXPECT_EQ(run_exec({"true"}), 0);
  EXPECT_EQ(run_exec({"sh", "-c", "exit 7"}), 7);
  EXPECT_EQ(run_exec({"sh", "-c", "sleep 30 & kill -9 $$"}), 128 + SIGKILL);   // and a stray child
  EXPECT_EQ(run_exec({"/nonexistent/command"}), 1);
}

TEST_F(PolicyTest, ExecCgroupOfKilledCcloadIsReaped) {
  auto p = ASSERT_OK(BackgroundProcess::start({ccload_binary(), "exec", "--cc", "reno", "--", "sleep", "30"}));
  std::string path = exec_cgroup(p.pid());
  // Populated once the child has joined: ccload is past setting up and waiting for it.
  ASSERT_TRUE(eventually(
      [&] {
        std::ifstream in(path + "/cgroup.procs");
        int pid = 0;
        return static_cast<bool>(in >> pid);
      },
      kPolicyWait));
  ::kill(p.pid(), SIGKILL);
  ASSERT_TRUE(p.wait(std::chrono::milliseconds(2000)));
  ASSERT_TRUE(fs::exists(path));   // nobody cleaned up: the sleep is still in there
  auto removed = reap_stale_cgroups();
  EXPECT_NE(std::find(removed.begin(), removed.end(), fs::path(path).filename().string()), removed.end());
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(PolicyTest, BadRulesFileNamesLineAndAttachesNothing) {
  std::string file = fmt::format("/tmp/ccl-{}-bad.toml", getpid());
  std::ofstream(file) << "[[rule]]\nremote = \"10.77.0.0/24\"\ncc = \"reno\"\n\n[[rule]]\ninitcwnd = \"ten\"\n";
  auto r = ASSERT_OK(run({ccload_binary(), "policy", "attach", cgroup_->path(), file}));
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(file + ":6:"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(policy::pin_dir(cg_)));
  auto show = ASSERT_OK(run({ccload_binary(), "policy", "show", cgroup_->path()}));
  EXPECT_EQ(show.exit_code, 1);
}

}  // namespace ccload::test
