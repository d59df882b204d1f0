#include "test_ccs.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "ccload_cli.h"
#include "netns.h"

namespace ccload::test {
namespace {

constexpr const char *kPinRoot = "/sys/fs/bpf/ccload";

// Test CC names are "t<pid>_<short>".
int pid_of_test_name(const std::string &name) { return pid_in_name("t", name, '_'); }

std::vector<std::string> pinned_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto &e : std::filesystem::directory_iterator(kPinRoot, ec)) names.push_back(e.path().filename());
  return names;
}

}  // namespace

std::string test_cc_name(const std::string &short_name) {
  return "t" + std::to_string(getpid()) + "_" + short_name;
}

std::vector<std::string> reap_stale_test_ccs() {
  std::vector<std::string> reaped;
  for (const auto &name : pinned_names()) {
    int pid = pid_of_test_name(name);
    if (pid > 0 && process_gone(pid)) {
      ccload({"unregister", name});
      reaped.push_back(name);
    }
  }
  return reaped;
}

std::vector<std::string> leftover_test_ccs() {
  std::vector<std::string> left;
  for (const auto &name : pinned_names()) {
    int pid = pid_of_test_name(name);
    if (pid > 0 && process_gone(pid)) left.push_back(name);
  }
  return left;
}

ScopedCc::ScopedCc(const std::string &object, const std::string &short_name, std::vector<std::string> extra)
    : name_(test_cc_name(short_name)) {
  std::vector<std::string> args{"register", object, "--name", name_};
  args.insert(args.end(), extra.begin(), extra.end());
  auto r = ccload(args);
  ok_ = r.exit_code == 0;
  if (!ok_) error_ = r.error_message();
}

ScopedCc::~ScopedCc() {
  if (ok_) ccload({"unregister", name_});
}

}  // namespace ccload::test
