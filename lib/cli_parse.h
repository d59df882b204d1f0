// Command-line parsing shared by ccload and ccbench: --help exits 0, a usage error exits 2 after
// the caller has reported it (as text or JSON), anything else runs the chosen command.
#pragma once
#include "common.h"

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>

namespace ccload {

inline constexpr int kExitUsageError = 2;

// Returns the exit code main must return at once, or nothing when a command is to run.
inline std::optional<int> parse_command_line(CLI::App &app, int argc, char **argv,
                                             const std::function<void(const CLI::ParseError &)> &report_usage) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp &e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp &e) {
    return app.exit(e);
  } catch (const CLI::ParseError &e) {
    report_usage(e);
    return kExitUsageError;
  }
}

}  // namespace ccload
