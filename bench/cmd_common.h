// What ccbench's subcommands share: exit codes and how a failure is told to the user.
#pragma once
#include "common.h"
#include "result.h"

#include <iostream>

namespace ccbench {

inline constexpr int kOk = 0, kFailed = 1, kUsage = 2, kInterrupted = 130;

// "ccbench: <message>" and the hint on stderr; returns `code` for main.
inline int report_error(const ccload::Error &e, int code) {
  std::cerr << "ccbench: " << e.message << "\n";
  if (!e.hint.empty()) std::cerr << "  " << e.hint << "\n";
  return code;
}

}  // namespace ccbench
