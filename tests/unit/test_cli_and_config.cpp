// Command-line and configuration parsing: usage errors exit 2 before anything is touched, CC names
// follow the kernel's rules, and boot configuration errors carry their line numbers.
#include <gtest/gtest.h>

#include "boot_config.h"
#include "cgroup.h"
#include "cc_object.h"
#include "ccload_cli.h"
#include "preflight.h"

namespace ccload {
namespace {

using test::ccload;

TEST(CommandLine, UsageErrorsExitTwo) {
  EXPECT_EQ(ccload({}).exit_code, 2);
  EXPECT_EQ(ccload({"register"}).exit_code, 2);                       // missing object
  EXPECT_EQ(ccload({"set", "bpf_cubic"}).exit_code, 2);               // missing assignments
  EXPECT_EQ(ccload({"register", "x.o", "--bogus"}).exit_code, 2);     // unknown flag
  EXPECT_EQ(ccload({"frobnicate"}).exit_code, 2);                     // unknown command
  auto r = ccload({"upgrade", "only-one-arg"});
  EXPECT_EQ(r.exit_code, 2);
  ASSERT_TRUE(r.json.is_object()) << "--json applies to usage errors too: " << r.out;
  EXPECT_TRUE(r.json.contains("error"));
}

TEST(CommandLine, HelpExitsZero) {
  auto r = test::run_command({test::ccload_binary(), "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char *cmd : {"register", "unregister", "upgrade", "list", "show", "set", "default", "boot"})
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
}

TEST(CcNames, FollowTheKernelsRules) {
  EXPECT_TRUE(validate_cc_name("bpf_cubic"));
  EXPECT_TRUE(validate_cc_name("fifteen_chars_x"));
  EXPECT_FALSE(validate_cc_name("sixteen_chars_xx"));
  EXPECT_FALSE(validate_cc_name(""));
  EXPECT_FALSE(validate_cc_name("has space"));
}

// Cgroup arguments are spelled as systemd spells them, relative to the cgroup v2 root, unless
// they already are a path in the cgroup filesystem.
TEST(CgroupArguments, NameCgroupsBelowTheV2Root) {
  const std::string root = ccload::kCgroupRoot;
  EXPECT_EQ(ccload::cgroup_path("/"), root);
  EXPECT_EQ(ccload::cgroup_path(""), root);
  EXPECT_EQ(ccload::cgroup_path("/system.slice/nginx.service"), root + "/system.slice/nginx.service");
  EXPECT_EQ(ccload::cgroup_path("web/"), root + "/web");
  EXPECT_EQ(ccload::cgroup_path(root + "/web/../db"), root + "/db");
}

TEST(Preflight, MissingBtfIsExplained) {
  auto r = require_kernel_btf("/nonexistent/vmlinux");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no BTF"), std::string::npos);
  EXPECT_NE(r.error().hint.find("CONFIG_DEBUG_INFO_BTF"), std::string::npos);
}

TEST(BootConfig, ParsesEntries) {
  auto entries = parse_boot_config(R"(
[[cc]]
object = "bpf_cubic"
allow = true
set = { beta = 819, hystart = false }

[[cc]]
object = "/opt/cc/mine.bpf.o"
name = "mine"
default = true
)",
                                   "boot.toml");
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].object, "bpf_cubic");
  EXPECT_TRUE((*entries)[0].allow);
  EXPECT_EQ((*entries)[0].assignments, (std::vector<std::string>{"beta=819", "hystart=false"}));
  EXPECT_EQ((*entries)[1].name.value_or(""), "mine");
  EXPECT_TRUE((*entries)[1].make_default);
}

TEST(BootConfig, ErrorsCarryTheLineNumber) {
  auto missing_object = parse_boot_config("[[cc]]\nallow = true\n", "boot.toml");
  ASSERT_FALSE(missing_object);
  EXPECT_NE(missing_object.error().message.find("boot.toml:1"), std::string::npos) << missing_object.error().message;

  auto bad_key = parse_boot_config("[[cc]]\nobject = \"bpf_cubic\"\n\nalow = true\n", "boot.toml");
  ASSERT_FALSE(bad_key);
  EXPECT_NE(bad_key.error().message.find("boot.toml:4"), std::string::npos) << bad_key.error().message;

  auto syntax = parse_boot_config("[[cc]]\nobject = \n", "boot.toml");
  ASSERT_FALSE(syntax);
  EXPECT_NE(syntax.error().message.find("boot.toml:2"), std::string::npos) << syntax.error().message;
}

}  // namespace
}  // namespace ccload
