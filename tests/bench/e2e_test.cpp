// `ccbench run` end to end: two CCs (bpf_cubic, which it must register, and cubic) on two small
// scenarios (a 20 Mbit/s link and a bare veth pair), one short run each; then the same run
// stopped with SIGINT. Both must leave no namespace, link, pin or registered CC behind.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "poll_until.h"
#include "cgroup.h"
#include "kernel_ccs.h"
#include "netns.h"
#include "process.h"
#include "text_checks.h"
#include "results.h"

using namespace ccbench::run;
namespace fs = std::filesystem;

namespace {

using ccload::test::slurp;

// ccbench with `args`, its stderr in `stderr_path`; stopped if a test ends before it does.
ccload::BackgroundProcess start_ccbench(const std::vector<std::string> &args, const std::string &stderr_path) {
  std::vector<std::string> argv{std::getenv("CCBENCH_EXE")};
  argv.insert(argv.end(), args.begin(), args.end());
  auto p = ccload::BackgroundProcess::start(argv, "/dev/null", stderr_path);
  EXPECT_TRUE(p) << p.error().message;
  return p ? std::move(*p) : ccload::BackgroundProcess();
}

// Exit code of a ccbench run (128 + signal if killed), or -1 if it did not end in time.
int wait_exit(ccload::BackgroundProcess &p) {
  auto code = p.wait(std::chrono::seconds(90));
  EXPECT_TRUE(code) << code.error().message;
  return code.value_or(-1);
}

// What a run by process `pid` could have left.
void expect_nothing_left(pid_t pid, bool cubic_was_registered) {
  for (const auto &ns : ccload::list_namespaces()) EXPECT_NE(ccload::owner_pid(ns), pid) << "namespace left: " << ns;
  EXPECT_FALSE(fs::exists("/run/ccbench/links/ccb" + std::to_string(pid % 100000) + ".json"));
  for (const auto &e : fs::directory_iterator(ccload::kCgroupRoot))
    EXPECT_NE(ccload::cgroup_owner_pid(e.path().filename().string()), pid) << "cgroup left: " << e.path();
  if (!cubic_was_registered) {
    EXPECT_FALSE(ccload::is_available("bpf_cubic")) << "bpf_cubic is still registered";
    EXPECT_FALSE(fs::exists("/sys/fs/bpf/ccload/bpf_cubic"));
  }
}

class E2E : public ::testing::Test {
 protected:
  void SetUp() override {
    // Root: tests/support/privileged_env.cpp refuses to run any test without it.
    out_ = fs::temp_directory_path() / ("ccbench-e2e-" + std::to_string(getpid()));
    fs::remove_all(out_);
    cubic_registered_ = ccload::is_available("bpf_cubic");
  }
  void TearDown() override { fs::remove_all(out_); }
  std::vector<std::string> args() const {
    return {"run", std::string(BENCH_FIXTURES) + "/scenarios/e2e_link.toml", std::string(BENCH_FIXTURES) + "/scenarios/e2e_veth.toml",
            "--cc", "bpf_cubic,cubic", "--runs", "1", "--duration", "3", "--telemetry-interval", "5",
            "--out", out_.string()};
  }
  fs::path out_;
  bool cubic_registered_ = false;
};

}  // namespace

TEST_F(E2E, RunsTwoCcsOnTwoScenariosAndCleansUp) {
  const std::string err = out_.string() + ".stderr";
  auto ccbench = start_ccbench(args(), err);
  const pid_t pid = ccbench.pid();
  const int code = wait_exit(ccbench);
  ASSERT_EQ(code, 0) << slurp(err);
  fs::remove(err);
  for (const char *f : {"results.json", "report.md", "report.html", "runs.csv", "summary.csv"})
    EXPECT_TRUE(fs::exists(out_ / f)) << f;
  EXPECT_TRUE(fs::exists(out_ / "raw/e2e_link/bpf_cubic/run1-flow1.json"));

  auto r = load_results(out_.string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE(r->interrupted);
  const auto command = r->options.at("command").get<std::vector<std::string>>();
  const std::vector<std::string> typed = args();
  ASSERT_EQ(command.size(), typed.size() + 1) << "results.json records the command line as typed";
  EXPECT_TRUE(std::equal(typed.begin(), typed.end(), command.begin() + 1));
  ASSERT_EQ(r->runs.size(), 4u);
  for (const auto &run : r->runs) {
    ASSERT_EQ(run.flows.size(), 1u);
    EXPECT_EQ(run.flows[0].r.cc, run.case_label);
    EXPECT_GT(run.metrics.goodput_bps, 0);
    if (run.scenario == "e2e_link") {
      EXPECT_EQ(run.backend, "tun");
      EXPECT_LT(run.metrics.goodput_bps, 20e6) << run.case_label;
      EXPECT_GT(run.metrics.goodput_bps, 10e6) << run.case_label;
      EXPECT_GE(run.flows[0].r.rtt_min_ms, 10.0) << "RTT below the configured base RTT";
      EXPECT_GE(run.metrics.rtt_ms_p50, 10.0);
      ASSERT_TRUE(run.link);
      EXPECT_GT(run.link->packets, 1000u);
      ASSERT_TRUE(run.metrics.utilisation);
      EXPECT_GT(*run.metrics.utilisation, 0.5);
      EXPECT_LE(*run.metrics.utilisation, 1.01);
    } else {
      EXPECT_EQ(run.backend, "veth");
      EXPECT_FALSE(run.link);
    }
    EXPECT_GT(run.metrics.cpu_sender_s_per_gb, 0);
    EXPECT_GE(run.flows[0].r.series.t_s.size(), 25u);  // 100 ms intervals over 3 s
    // The sock_ops telemetry saw the data connection, with the CC it really ran, at least every
    // 100 ms: also on the link, whose round trips (10 ms and more) are longer than the 5 ms interval.
    ASSERT_TRUE(run.flows[0].telemetry) << run.scenario << " / " << run.case_label;
    const FlowTelemetry &t = *run.flows[0].telemetry;
    EXPECT_EQ(t.cc, run.case_label);
    ASSERT_GE(t.t_s.size(), 30u);
    double widest_gap = 0;
    for (size_t i = 1; i < t.t_s.size(); ++i) widest_gap = std::max(widest_gap, t.t_s[i] - t.t_s[i - 1]);
    EXPECT_LE(widest_gap, 0.1) << run.scenario << " / " << run.case_label;
    EXPECT_GT(*std::min_element(t.cwnd_segments.begin(), t.cwnd_segments.end()), 0);
    ASSERT_FALSE(t.rtt_ms.empty());
    if (run.scenario == "e2e_link") {
      EXPECT_GE(*std::min_element(t.rtt_ms.begin(), t.rtt_ms.end()), 10.0) << "an RTT measurement below the base RTT";
      EXPECT_GT(t.t_s.size(), t.rtt_ms.size()) << "no state samples between round trips";
    }
  }
  EXPECT_NE(slurp((out_ / "report.md").string()).find("bpf_cubic / cubic"), std::string::npos);
  expect_nothing_left(pid, cubic_registered_);
}

TEST_F(E2E, SigintStopsCleanlyAndKeepsFinishedRuns) {
  const std::string err = out_.string() + ".stderr";
  auto ccbench = start_ccbench(args(), err);
  const pid_t pid = ccbench.pid();
  // Interrupt during the second run, when the first is saved.
  ASSERT_TRUE(ccload::poll_until([&] { return slurp(err).find("[2/4]") != std::string::npos; },
                                 std::chrono::seconds(30), std::chrono::milliseconds(20)))
      << slurp(err);
  kill(pid, SIGINT);
  const int code = wait_exit(ccbench);
  EXPECT_EQ(code, 130) << slurp(err);
  fs::remove(err);
  auto r = load_results(out_.string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(r->interrupted);
  EXPECT_EQ(r->runs.size(), 1u);
  expect_nothing_left(pid, cubic_registered_);
}

// bpf_cubic does not leave slow start earlier than native cubic, seen in the telemetry's cwnd.
// On this path HyStart's ACK-train test ends slow start at a window of ~980 for both; in about
// one run in eight either CC misses it and goes on to ~1260 before a loss, so single runs are
// not compared for equality. A HyStart round counted from the wrong ACK (fixed in
// cc/bpf_cubic.bpf.c) made bpf_cubic leave at ~670-705 in about half of its runs, below 75%
// of any native run.
TEST_F(E2E, BpfCubicLeavesSlowStartWhereCubicDoes) {
  const std::string err = out_.string() + ".stderr";
  auto ccbench = start_ccbench({"run", std::string(BENCH_FIXTURES) + "/scenarios/e2e_slow_start.toml", "--cc", "bpf_cubic,cubic",
                             "--runs", "2", "--out", out_.string(), "--no-plots"},
                            err);
  const pid_t pid = ccbench.pid();
  ASSERT_EQ(wait_exit(ccbench), 0) << slurp(err);
  fs::remove(err);
  auto r = load_results(out_.string());
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->runs.size(), 4u);
  std::map<std::string, std::vector<double>> peaks;  // CC -> largest cwnd of each run's first second
  for (const auto &run : r->runs) {
    ASSERT_TRUE(run.flows.at(0).telemetry);
    const auto &t = *run.flows[0].telemetry;
    double peak = 0;
    for (size_t i = 0; i < t.t_s.size() && t.t_s[i] < 1.0; ++i) peak = std::max(peak, t.cwnd_segments[i]);
    peaks[run.case_label].push_back(peak);
  }
  ASSERT_EQ(peaks["cubic"].size(), 2u);
  ASSERT_EQ(peaks["bpf_cubic"].size(), 2u);
  const double lowest_native = std::min(peaks["cubic"][0], peaks["cubic"][1]);
  for (double bpf : peaks["bpf_cubic"])
    EXPECT_GE(bpf, 0.75 * lowest_native) << "bpf_cubic left slow start early (peak cwnd, segments)";
  std::printf("slow-start peak cwnd: cubic %.0f %.0f, bpf_cubic %.0f %.0f\n", peaks["cubic"][0], peaks["cubic"][1],
              peaks["bpf_cubic"][0], peaks["bpf_cubic"][1]);
  expect_nothing_left(pid, cubic_registered_);
}
