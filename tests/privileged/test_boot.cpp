// `ccload boot` (what ccload-boot.service runs): registers what the configuration lists, applies
// its tunables, and is idempotent, since a service restart runs it again.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "ccload_cli.h"
#include "kernel_ccs.h"
#include "test_ccs.h"

namespace ccload::test {
namespace {

namespace fs = std::filesystem;

// Unregisters the test CC however the test ends.
struct UnregisterAtExit {
  std::string name;
  ~UnregisterAtExit() { ccload({"unregister", name}); }
};

TEST(Boot, RegistersAppliesTunablesAndIsIdempotent) {
  const std::string name = test_cc_name("boot");
  UnregisterAtExit guard{name};
  const fs::path config = fs::temp_directory_path() / ("ccload-boot-" + std::to_string(getpid()) + ".toml");
  std::ofstream(config) << "[[cc]]\nobject = \"bpf_qdelay\"\nname = \"" << name
                        << "\"\nset = { target_delay_us = 3000 }\n";

  auto first = ccload({"boot", "--config", config});
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  ASSERT_EQ(first.json["entries"].size(), 1u);
  EXPECT_EQ(first.json["entries"][0]["status"], "registered");
  EXPECT_TRUE(is_available(name));

  auto second = ccload({"boot", "--config", config});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(second.json["entries"][0]["status"], "already registered");

  EXPECT_EQ(show_value(name, "tunables", "target_delay_us"), "3000");
  fs::remove(config);
}

TEST(Boot, ConfigErrorsNameTheLineAndRegisterNothing) {
  const std::string name = test_cc_name("bootx");
  const fs::path config = fs::temp_directory_path() / ("ccload-bootx-" + std::to_string(getpid()) + ".toml");
  std::ofstream(config) << "[[cc]]\nobject = \"bpf_qdelay\"\nname = \"" << name << "\"\nalow = true\n";
  auto r = ccload({"boot", "--config", config});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.error_message().find(":4:"), std::string::npos) << r.out;
  EXPECT_FALSE(is_available(name));
  fs::remove(config);
}

}  // namespace
}  // namespace ccload::test
