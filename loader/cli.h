// The pieces every ccload command shares: global options, and how a result reaches the user
// (a human rendering, or JSON with --json), and the exit codes: 0 ok, 1 failure, 2 usage.
#pragma once
#include "common.h"
#include "cli_parse.h"
#include "result.h"

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace ccload {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = kExitUsageError;

struct GlobalOptions {
  bool json = false;
  int verbose = 0;
  std::string pin_root;
  std::string state_dir;
};

// What parsing selected: the chosen subcommand stores its action here.
struct CommandContext {
  GlobalOptions opts;
  std::function<int()> action;
};

using HumanRenderer = std::function<void(const nlohmann::json &)>;

// Prints `result` (JSON or human) and returns the exit code. Errors go to stderr for humans, and
// to stdout as {"error": {...}} with --json, like bpftool.
int emit(const GlobalOptions &opts, const Result<nlohmann::json> &result, const HumanRenderer &human);
void print_error(const GlobalOptions &opts, const Error &e);

// Each command family adds its subcommands to the app.
void add_registration_commands(CLI::App &app, CommandContext &ctx);  // register, unregister, upgrade
void add_inspection_commands(CLI::App &app, CommandContext &ctx);    // list, show
void add_tuning_commands(CLI::App &app, CommandContext &ctx);        // set, default, allow
void add_boot_command(CLI::App &app, CommandContext &ctx);           // boot
void add_policy_commands(CLI::App &app, CommandContext &ctx);  // policy, exec, trace

}  // namespace ccload
