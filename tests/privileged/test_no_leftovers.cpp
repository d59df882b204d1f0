// Runs after every other privileged test (lowest priority in meson): the suite as a whole must
// leave nothing of ours registered, pinned, namespaced or in a cgroup. Every test process has
// exited by now, so whatever names a dead creator is a leftover; things owned by live processes
// belong to a concurrent run (a developer's second build) and are not judged here.
#include <gtest/gtest.h>

#include <filesystem>

#include "cgroup.h"
#include "netns.h"
#include "test_ccs.h"

namespace ccload::test {
namespace {

namespace fs = std::filesystem;

TEST(AfterTheSuite, NoTestCcIsRegisteredOrPinned) {
  EXPECT_EQ(leftover_test_ccs(), std::vector<std::string>{});
}

TEST(AfterTheSuite, NoNamespaceOfOursRemains) {
  std::vector<std::string> ours;
  for (const auto &ns : list_namespaces())
    if (is_stale(ns)) ours.push_back(ns);
  EXPECT_EQ(ours, std::vector<std::string>{});
}

TEST(AfterTheSuite, NoCgroupOfOursRemains) {
  std::vector<std::string> ours;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator("/sys/fs/cgroup/unified", ec))
    if (e.is_directory() && creator_gone(kCgroupPrefix, e.path().filename().string()))
      ours.push_back(e.path());
  EXPECT_EQ(ours, std::vector<std::string>{});
}

}  // namespace
}  // namespace ccload::test
