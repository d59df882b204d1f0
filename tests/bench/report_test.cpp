#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "analysis.h"
#include "text_checks.h"
#include "report.h"
#include "results.h"
#include "stats.h"

using namespace ccbench::run;
namespace fs = std::filesystem;

namespace {

using ccload::test::slurp;

// A private copy of the fixture results directory, removed afterwards.
class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("ccbench-report-test-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::copy_file(std::string(BENCH_FIXTURES) + "/results/results.json", dir_ / "results.json");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST(Report, Base64) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST_F(ReportTest, ResultsRoundTrip) {
  auto r = load_results(dir_.string());
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->runs.size(), 8u);
  ASSERT_TRUE(save_results(dir_.string(), *r));
  auto again = load_results(dir_.string());
  ASSERT_TRUE(again);
  EXPECT_EQ(to_json(*again), to_json(*r));
}

TEST_F(ReportTest, RejectsAnotherSchemaVersion) {
  auto j = nlohmann::json::parse(slurp((dir_ / "results.json").string()));
  j["schema_version"] = 99;
  auto r = results_from_json(j);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("version 99"), std::string::npos);
}

TEST_F(ReportTest, AnalysisComparesBpfCubicWithCubic) {
  auto r = load_results(dir_.string());
  ASSERT_TRUE(r);
  const Analysis a = analyse(*r);
  ASSERT_EQ(a.comparisons.size(), 2u);  // wan and no_bottleneck
  for (const auto &c : a.comparisons) {
    EXPECT_EQ(c.bpf, "bpf_cubic");
    EXPECT_EQ(c.native, "cubic");
    ASSERT_TRUE(c.goodput);
    EXPECT_GT(c.goodput->value, 0.5);
    EXPECT_LT(c.goodput->value, 2.0);
    ASSERT_TRUE(c.cwnd_distance);
  }
  EXPECT_EQ(a.cases.size(), 4u);
}

// Version 2 adds each flow's sock_ops telemetry: RTT percentiles come from its RTT measurements
// and the cwnd distance from its cwnd series on a 10 ms grid.
TEST(ReportV2, TelemetryFeedsRttPercentilesAndCwndDistance) {
  auto r = load_results(std::string(BENCH_FIXTURES) + "/results_v2");
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->runs.size(), 8u);
  for (const auto &run : r->runs) {
    ASSERT_EQ(run.flows.size(), 1u);
    ASSERT_TRUE(run.flows[0].telemetry) << run.scenario << " / " << run.case_label << " run " << run.run;
    const auto &t = *run.flows[0].telemetry;
    EXPECT_EQ(t.cc, run.case_label);
    std::vector<double> rtts = t.rtt_ms;
    std::sort(rtts.begin(), rtts.end());
    const RunMetrics m = compute_metrics(run.flows, run.link, 0);
    EXPECT_DOUBLE_EQ(m.rtt_ms_p95, percentile_sorted(rtts, 95));
    EXPECT_DOUBLE_EQ(m.rtt_ms_p95, run.metrics.rtt_ms_p95) << "saved metrics were computed the same way";
  }
  const Analysis a = analyse(*r);
  ASSERT_EQ(a.comparisons.size(), 2u);
  for (const auto &c : a.comparisons) {
    std::vector<double> d;
    for (int k = 1; k <= 2; ++k) {
      const RunRecord *b = nullptr, *n = nullptr;
      for (const auto &run : r->runs) {
        if (run.scenario != c.scenario || run.run != k) continue;
        if (run.case_label == c.bpf) b = &run;
        if (run.case_label == c.native) n = &run;
      }
      ASSERT_TRUE(b && n);
      const auto &tb = *b->flows[0].telemetry, &tn = *n->flows[0].telemetry;
      const double until = std::min(tb.t_s.back(), tn.t_s.back());
      d.push_back(*trajectory_distance(on_grid(tb.t_s, tb.cwnd_segments, 0.01, until),
                                       on_grid(tn.t_s, tn.cwnd_segments, 0.01, until)));
    }
    ASSERT_TRUE(c.cwnd_distance);
    EXPECT_DOUBLE_EQ(c.cwnd_distance->mean, (d[0] + d[1]) / 2) << c.scenario;
  }
}

TEST_F(ReportTest, WritesMarkdownHtmlAndCsv) {
  auto files = write_report(dir_.string(), {.plot_script = "", .plots = false});
  ASSERT_TRUE(files) << files.error().message;
  const std::string md = slurp(files->markdown);
  EXPECT_NE(md.find("## BPF against native"), std::string::npos);
  EXPECT_NE(md.find("| wan | bpf_cubic / cubic |"), std::string::npos);
  EXPECT_NE(md.find("## Scenario no_bottleneck"), std::string::npos);
  const std::string html = slurp(files->html);
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find("</html>"), std::string::npos);
  const std::string runs = slurp(files->runs_csv);
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 9);  // header + 8 runs
  EXPECT_NE(runs.find("scenario,case,run,backend,flows,goodput_mbps"), std::string::npos);
  const std::string sum = slurp(files->summary_csv);
  EXPECT_NE(sum.find("wan,bpf_cubic,goodput_mbps,2,"), std::string::npos);
}

TEST_F(ReportTest, EmbedsMatplotlibPlots) {
  // tools/setup.sh installs matplotlib: without it the report has no plots, which is a failure.
  ASSERT_EQ(system("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null"), 0)
      << "python3-matplotlib is not installed; run tools/setup.sh";
  auto files = write_report(dir_.string(), {.plot_script = BENCH_PLOT_SCRIPT, .plots = true});
  ASSERT_TRUE(files) << files.error().message;
  EXPECT_EQ(files->plot_problem, "");
  EXPECT_EQ(files->plots.size(), 6u);  // three per scenario
  const std::string html = slurp(files->html);
  EXPECT_NE(html.find("src=\"data:image/png;base64,iVBORw0KGgo"), std::string::npos);
  EXPECT_EQ(html.find("src=\"plots/"), std::string::npos);  // self-contained
}
