// ccload trace [--cgroup CG] [--duration S] [--json]
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <iostream>
#include <memory>

#include "cli.h"
#include "policy/commands.h"
#include "policy/trace.h"

namespace ccload {

namespace {

volatile sig_atomic_t g_stop = 0;
void on_stop(int) { g_stop = 1; }

int run_trace(const GlobalOptions &opts, const std::string &cgroup, double duration, double interval_ms) {
  auto cg = policy::resolve_cgroup(cgroup);
  if (!cg) return emit(opts, std::unexpected(cg.error()), {});
  auto session = policy::TraceSession::start(*cg, [&](const policy::Sample &s) {
    if (opts.json)
      std::cout << policy::to_json(s).dump() << "\n";
    else
      std::cout << policy::table_row(s) << "\n";
  }, std::chrono::nanoseconds(static_cast<int64_t>(interval_ms * 1e6)));
  if (!session) return emit(opts, std::unexpected(session.error()), {});
  if (!opts.json) std::cout << policy::table_header() << std::endl;
  signal(SIGINT, on_stop);
  signal(SIGTERM, on_stop);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(duration);
  while (!g_stop && (duration <= 0 || std::chrono::steady_clock::now() < deadline)) {
    auto n = session->poll(std::chrono::milliseconds(100));
    if (!n) return emit(opts, std::unexpected(n.error()), {});
    std::cout.flush();
  }
  (void)session->poll(std::chrono::milliseconds(0));
  std::cout.flush();
  return kExitOk;
}

}  // namespace

void add_trace_command(CLI::App &app, CommandContext &ctx) {
  struct Args {
    std::string cgroup = "/";
    double duration = 0;
    double interval_ms = 0;
  };
  auto args = std::make_shared<Args>();
  auto *trace = app.add_subcommand("trace", "Stream per-connection samples (cwnd, RTT, ...) at every RTT measurement");
  trace->add_option("--cgroup", args->cgroup, "cgroup whose connections to sample (default: all)")
      ->capture_default_str();
  trace->add_option("--duration", args->duration, "stop after S seconds (default: until interrupted)");
  trace->add_option("--interval", args->interval_ms,
                    "at most one sample per connection every MS milliseconds (default 0: every RTT measurement)")
      ->check(CLI::Range(0.0, 60000.0));
  trace->callback([&ctx, args] {
    ctx.action = [&ctx, args] { return run_trace(ctx.opts, args->cgroup, args->duration, args->interval_ms); };
  });
}

}  // namespace ccload
