// `ccbench report DIR`: builds runs.csv, summary.csv, report.md and report.html from
// DIR/results.json alone, so a report can be rebuilt (or rebuilt by a newer ccbench) without
// re-running anything. The text is built once as a list of blocks and rendered twice (Markdown,
// HTML). Plots come from bench/report/plot.py (matplotlib) and are embedded in the HTML as
// base64 PNG, so report.html is one self-contained file.
#pragma once
#include "common.h"
#include "result.h"
#include "results.h"

#include <string>
#include <vector>

namespace ccbench::run {

struct ReportOptions {
  std::string plot_script;  // empty: $CCBENCH_PLOT_SCRIPT, else the source tree's bench/report/plot.py
  bool plots = true;
};

struct ReportFiles {
  std::string markdown, html, runs_csv, summary_csv;
  std::vector<std::string> plots;
  std::string plot_problem;  // why there are no plots, if there are none
};

Result<ReportFiles> write_report(const std::string &dir, const ReportOptions &options = {});

// Exposed for tests.
std::string base64(const std::string &bytes);
std::string fmt_ci(double mean, double lo, double hi, int precision);

}  // namespace ccbench::run
