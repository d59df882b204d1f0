// `ccbench link ...`: the command-line face of bench/link/.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>

namespace ccbench {

// Adds the `link` subcommand tree to `app`. `run` is set to the chosen command's action, which
// returns the exit code (0 ok, 1 failure, 2 usage).
void add_link_commands(CLI::App &app, std::function<int()> &run);

}  // namespace ccbench
