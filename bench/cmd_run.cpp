#include "cmd_run.h"

#include <signal.h>

#include <fmt/format.h>

#include <atomic>
#include <iostream>
#include <memory>

#include "cmd_common.h"
#include "registry.h"
#include "run/report.h"
#include "run/runner.h"
#include "run/scenario.h"

#ifndef CCBENCH_SOURCE_DIR
#define CCBENCH_SOURCE_DIR "."
#endif

namespace ccbench {

using namespace ccbench::run;

namespace {

// The default CCs: the BPF ones next to the kernel's own. dctcp is listed so that a kernel that
// has it compares bpf_dctcp with it; where it is missing the report says so.
const std::vector<std::string> kDefaultCcs{"bpf_cubic", "cubic", "bpf_qdelay", "bbr", "reno"};

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true); }

// Installs SIGINT/SIGTERM handlers for the guard's life; the run loop polls g_stop, and the
// destructors on the way out remove links, namespaces and registered CCs.
class SignalGuard {
 public:
  SignalGuard() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

// Writes the report of a results directory and says where it is (with the CSVs when asked).
int write_and_print_report(const std::string &dir, bool plots, bool list_csvs) {
  auto files = write_report(dir, {.plot_script = "", .plots = plots});
  if (!files) return report_error(files.error(), kFailed);
  if (!files->plot_problem.empty()) std::cerr << "ccbench: " << files->plot_problem << "\n";
  std::cout << "report: " << files->html << "\n        " << files->markdown << "\n";
  if (list_csvs) std::cout << "        " << files->runs_csv << "\n        " << files->summary_csv << "\n";
  return kOk;
}

std::string default_scenario_dir() {
  if (const char *e = std::getenv("CCBENCH_SCENARIO_DIR"); e && *e) return e;
  return std::string(CCBENCH_SOURCE_DIR) + "/bench/scenarios";
}

std::vector<std::string> split_commas(const std::string &s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string hms(double s) {
  const int t = static_cast<int>(s + 0.5);
  return t >= 60 ? fmt::format("{}m{:02}s", t / 60, t % 60) : fmt::format("{}s", t);
}

struct RunArgs {
  std::vector<std::string> scenarios;
  std::string cc, suite = "full", out, scenario_dir = default_scenario_dir();
  int runs = 3;
  double duration = 10;
  int telemetry_ms = 10;
  bool no_plots = false;
  bool runs_given = false, duration_given = false, cc_given = false;
};

// The quick suite must finish in a few minutes on 2 cores: fewer, shorter runs of four CCs,
// unless the user says otherwise.
void apply_quick_defaults(RunArgs &a) {
  if (a.suite != "quick" || !a.scenarios.empty()) return;
  if (!a.runs_given) a.runs = 2;
  if (!a.duration_given) a.duration = 6;
  if (!a.cc_given) a.cc = "bpf_cubic,cubic,bpf_qdelay,bbr";
}

int do_run(const RunArgs &a, const std::vector<std::string> &argv) {
  if (a.runs < 1 || a.runs > 100) return std::cerr << "ccbench: --runs must be 1..100\n", kUsage;
  if (a.duration < 1 || a.duration > 600) return std::cerr << "ccbench: --duration must be 1..600 seconds\n", kUsage;
  if (a.suite != "quick" && a.suite != "full") return std::cerr << "ccbench: --suite must be quick or full\n", kUsage;
  RunOptions o;
  if (a.scenarios.empty()) {
    auto all = load_scenario_dir(a.scenario_dir);
    if (!all) return report_error(all.error(), kUsage);
    for (auto &s : *all)
      if (std::find(s.suites.begin(), s.suites.end(), a.suite) != s.suites.end()) o.scenarios.push_back(std::move(s));
  } else {
    for (const auto &name : a.scenarios) {
      auto s = find_scenario(a.scenario_dir, name);
      if (!s) return report_error(s.error(), kUsage);
      o.scenarios.push_back(std::move(*s));
    }
  }
  if (o.scenarios.empty()) return std::cerr << "ccbench: no scenario in suite " << a.suite << "\n", kUsage;
  o.cc_override = split_commas(a.cc);
  o.default_ccs = kDefaultCcs;
  o.runs = a.runs;
  o.duration_s = a.duration;
  o.out_dir = a.out.empty() ? fmt::format("ccbench-results-{}", std::time(nullptr)) : a.out;
  o.pin_root = ccload::kDefaultPinRoot;
  o.telemetry_interval = std::chrono::milliseconds(a.telemetry_ms);
  o.command = argv;
  o.stop = &g_stop;
  o.on_note = [](const std::string &n) { std::cerr << "ccbench: " << n << "\n"; };
  o.on_progress = [](const Progress &p) {
    std::cerr << fmt::format("[{}/{}] {:<12} {:<22} run {}/{}   about {} left\n", p.index, p.total, p.scenario, p.case_label,
                             p.run, p.runs, hms(p.seconds_left));
  };
  g_stop = false;
  SignalGuard signals;
  auto res = run_suite(o);
  if (!res) return report_error(res.error(), kFailed);
  std::cerr << fmt::format("ccbench: {} runs saved in {}/results.json{}\n", res->runs.size(), o.out_dir,
                           res->interrupted ? " (interrupted: partial results kept, everything created was removed)" : "");
  if (!res->runs.empty())
    if (int rc = write_and_print_report(o.out_dir, !a.no_plots, false); rc != kOk) return rc;
  return res->interrupted ? kInterrupted : kOk;
}

}  // namespace

void add_run_commands(CLI::App &app, std::function<int()> &run, std::vector<std::string> command) {
  auto args = std::make_shared<RunArgs>();
  auto *r = app.add_subcommand("run", "Run scenarios with each congestion control and write results and a report");
  r->add_option("scenario", args->scenarios, "scenario names (see `ccbench scenarios`) or .toml files; default: the --suite");
  r->add_option("--cc", args->cc, "comma-separated CCs for single-CC scenarios (default: each scenario's list, else "
                                  "bpf_cubic,cubic,bpf_qdelay,bbr,reno)");
  r->add_option("--suite", args->suite, "quick or full: which scenarios run when none is named (quick: --runs 2 --duration 6 "
                                     "--cc bpf_cubic,cubic,bpf_qdelay,bbr unless given)")->capture_default_str();
  r->add_option("--runs", args->runs, "runs per case, 1..100")->capture_default_str();
  r->add_option("--duration", args->duration, "seconds per run unless the scenario sets its own, 1..600")->capture_default_str();
  r->add_option("--out", args->out, "results directory (default ./ccbench-results-<time>)");
  r->add_option("--scenario-dir", args->scenario_dir, "where scenario names are looked up")->capture_default_str();
  r->add_option("--telemetry-interval", args->telemetry_ms,
                 "sample each sender's cwnd and RTT through sock_ops every MS milliseconds, 0..1000 "
                 "(0: off, iperf3's 100 ms tcp_info readings instead)")
      ->check(CLI::Range(0, 1000))
      ->capture_default_str();
  r->add_flag("--no-plots", args->no_plots, "write the report without running matplotlib");
  auto *runs_opt = r->get_option("--runs");
  auto *duration_opt = r->get_option("--duration");
  auto *cc_opt = r->get_option("--cc");
  r->callback([&run, args, runs_opt, duration_opt, cc_opt, command = std::move(command)] {
    args->runs_given = runs_opt->count() > 0;
    args->duration_given = duration_opt->count() > 0;
    args->cc_given = cc_opt->count() > 0;
    apply_quick_defaults(*args);
    run = [args, command] { return do_run(*args, command); };
  });

  auto dir = std::make_shared<std::string>();
  auto no_plots = std::make_shared<bool>(false);
  auto *rep = app.add_subcommand("report", "Rebuild report.md, report.html and the CSVs from a results directory");
  rep->add_option("dir", *dir, "directory written by `ccbench run`")->required();
  rep->add_flag("--no-plots", *no_plots, "skip matplotlib");
  rep->callback([&run, dir, no_plots] {
    run = [dir, no_plots] { return write_and_print_report(*dir, !*no_plots, true); };
  });

  auto sdir = std::make_shared<std::string>(default_scenario_dir());
  auto *sc = app.add_subcommand("scenarios", "List the scenarios, one line each");
  sc->add_option("--scenario-dir", *sdir, "directory of scenario files")->capture_default_str();
  sc->callback([&run, sdir] {
    run = [sdir] {
      auto all = load_scenario_dir(*sdir);
      if (!all) return report_error(all.error(), kFailed);
      for (const auto &s : *all) std::cout << one_line(s) << "\n";
      return kOk;
    };
  });
}

}  // namespace ccbench
