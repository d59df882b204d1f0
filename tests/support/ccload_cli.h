// Runs the real ccload binary, as users do, and parses its --json output.
#pragma once
#include "common.h"

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ccload::test {

struct CliResult {
  int exit_code = -1;
  nlohmann::json json;   // stdout parsed (null if it was not JSON)
  std::string out, err;
  // The error message of a failed --json command.
  std::string error_message() const;
};

// The ccload binary under test (meson passes its path in $CCLOAD_BIN).
std::string ccload_binary();
// Runs `ccload --json <args...>`.
CliResult ccload(const std::vector<std::string> &args);
// The value `ccload show <cc>` gives for a tunable or counter (kind "tunables" or "counters"),
// or "<missing>".
std::string show_value(const std::string &cc, const char *kind, const std::string &name);
// Runs a command line as given (for setpriv/unshare/ip netns exec wrappers).
CliResult run_command(const std::vector<std::string> &argv);

}  // namespace ccload::test
