// Routes libbpf's log through ccload. Everything libbpf says is kept (the last lines), so a failed
// load can show the end of the verifier log; debug output is echoed only with -v, warnings are
// echoed when the operation that produced them succeeds (on failure they are part of the error).
#pragma once
#include "common.h"

#include <string>
#include <vector>

namespace ccload {

class LibbpfLog {
 public:
  // Installs the print callback. verbosity 0: warnings only; 1 and more: debug too.
  static void install(int verbosity);
  // Drops what has been captured so far (start of an operation).
  static void clear();
  // The last `n` captured lines (warnings and info; debug too when verbose).
  static std::vector<std::string> tail(size_t n);
  // All captured lines, joined.
  static std::string text();
  // Writes the captured warnings to stderr and clears them.
  static void flush_warnings();
};

// The last `n` lines of the verifier log captured since clear(), without libbpf's banner lines:
// what a user needs to see to understand a rejection.
std::string verifier_log_tail(size_t n = 20);

}  // namespace ccload
