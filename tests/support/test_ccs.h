// CCs that tests register. Each is registered under a name that embeds the test process's pid
// ("t<pid>_<short>", at most 15 characters), so tests never collide with a user's registrations,
// and a later run can unregister what a killed run left (its pid is gone).
#pragma once
#include "common.h"

#include <string>
#include <vector>

namespace ccload::test {

// "t<pid>_<short>"; short is at most 6 characters.
std::string test_cc_name(const std::string &short_name);
// Test CCs pinned by ccload whose creating process is gone; unregisters them. Returns their names.
std::vector<std::string> reap_stale_test_ccs();
// Test CCs still pinned whose creating process is gone (for the end-of-suite check).
std::vector<std::string> leftover_test_ccs();

// Registers a built-in (or object path) under a test name; unregisters it when destroyed, so a
// failing assertion never leaves it behind.
class ScopedCc {
 public:
  ScopedCc(const std::string &object, const std::string &short_name, std::vector<std::string> extra = {});
  ScopedCc(const ScopedCc &) = delete;
  ScopedCc &operator=(const ScopedCc &) = delete;
  ~ScopedCc();
  const std::string &name() const { return name_; }
  bool ok() const { return ok_; }
  const std::string &error() const { return error_; }

 private:
  std::string name_;
  bool ok_ = false;
  std::string error_;
};

}  // namespace ccload::test
