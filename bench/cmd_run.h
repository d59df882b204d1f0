// `ccbench run`, `ccbench report` and `ccbench scenarios`: the command-line face of bench/run/.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace ccbench {

// Adds the three subcommands to `app`; `run` is set to the chosen one's action (exit code 0 ok,
// 1 failure, 2 usage, 130 interrupted with partial results kept). `command` is the command line
// as typed, recorded in results.json.
void add_run_commands(CLI::App &app, std::function<int()> &run, std::vector<std::string> command);

}  // namespace ccbench
