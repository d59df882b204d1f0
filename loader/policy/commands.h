// The command-line halves of exec and trace, added by add_policy_commands (cmd_policy.cpp).
#pragma once
#include "cli.h"

namespace ccload {

void add_exec_command(CLI::App &app, CommandContext &ctx);   // cmd_exec.cpp
void add_trace_command(CLI::App &app, CommandContext &ctx);  // cmd_trace.cpp

}  // namespace ccload
