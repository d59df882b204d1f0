// ccbench: compares congestion controls over emulated bottlenecks. Exit codes: 0 ok, 1 failure,
// 2 usage error.
#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>

#include "cli_parse.h"
#include "cmd_link.h"
#include "cmd_run.h"

int main(int argc, char **argv) {
  CLI::App app{"ccbench: congestion controls over emulated bottleneck links"};
  app.require_subcommand(1);
  std::function<int()> run;
  ccbench::add_link_commands(app, run);
  ccbench::add_run_commands(app, run, std::vector<std::string>(argv, argv + argc));
  if (auto rc = ccload::parse_command_line(app, argc, argv, [&](const CLI::ParseError &e) { app.exit(e); })) return *rc;
  return run ? run() : ccload::kExitUsageError;
}
