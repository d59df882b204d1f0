// What ccload reads from an object file before loading anything: its CCs, their names and flags,
// and the tunables and counters described by BTF.
#include <gtest/gtest.h>

#include <algorithm>

#include "builtin_ccs.h"
#include "cc_object.h"

namespace ccload {
namespace {

const std::pair<Variable, std::string> *find_var(const std::vector<std::pair<Variable, std::string>> &vars,
                                                 const std::string &name) {
  auto it = std::find_if(vars.begin(), vars.end(), [&](const auto &v) { return v.first.name == name; });
  return it == vars.end() ? nullptr : &*it;
}

TEST(ObjectDiscovery, EveryBuiltinHoldsOneNamedCc) {
  for (const auto &b : builtin_ccs()) {
    auto obj = CcObject::open(b.name);
    ASSERT_TRUE(obj) << b.name << ": " << obj.error().message;
    auto ccs = obj->congestion_controls();
    ASSERT_EQ(ccs.size(), 1u) << b.name;
    EXPECT_TRUE(validate_cc_name(ccs[0].name)) << ccs[0].name;
    EXPECT_EQ(obj->source(), std::string("builtin:") + b.name);
  }
}

TEST(ObjectDiscovery, DctcpDeclaresThatItNeedsEcn) {
  auto obj = CcObject::open("bpf_dctcp");
  ASSERT_TRUE(obj);
  EXPECT_EQ(obj->congestion_controls()[0].name, "bpf_dctcp");
  EXPECT_EQ(obj->congestion_controls()[0].flags & 0x2, 0x2u) << "TCP_CONG_NEEDS_ECN";
}

TEST(ObjectDiscovery, CubicTunablesComeFromBtfWithTheirTypesAndDefaults) {
  auto obj = CcObject::open("bpf_cubic");
  ASSERT_TRUE(obj);
  auto vars = obj->variables();
  const auto *beta = find_var(vars, "beta");
  ASSERT_TRUE(beta);
  EXPECT_EQ(beta->first.section, "data.tunables");
  EXPECT_EQ(beta->first.kind, ValueKind::Signed);
  EXPECT_EQ(beta->first.size, 4u);
  EXPECT_EQ(beta->second, "717");
  EXPECT_TRUE(beta->first.is_tunable());
  const auto *counter = find_var(vars, "stat_loss_events");
  ASSERT_TRUE(counter);
  EXPECT_EQ(counter->first.section, "bss");
  EXPECT_FALSE(counter->first.is_tunable());
  EXPECT_EQ(counter->second, "0");
}

TEST(ObjectDiscovery, DctcpFallbackIsAStringTunable) {
  auto obj = CcObject::open("bpf_dctcp");
  ASSERT_TRUE(obj);
  auto vars = obj->variables();
  const auto *fallback = find_var(vars, "fallback_cc");
  ASSERT_TRUE(fallback);
  EXPECT_EQ(fallback->first.kind, ValueKind::String);
  EXPECT_EQ(fallback->first.type_name, "char[16]");
  EXPECT_EQ(fallback->second, "reno");
}

TEST(ObjectDiscovery, RenameChangesTheRegisteredName) {
  auto obj = CcObject::open("bpf_qdelay");
  ASSERT_TRUE(obj);
  ASSERT_TRUE(obj->rename("bpf_qdelay", "qd_test"));
  EXPECT_EQ(obj->congestion_controls()[0].name, "qd_test");
  EXPECT_FALSE(obj->rename("qd_test", "a_name_of_16_chr"));
  EXPECT_FALSE(obj->rename("nosuch", "x"));
}

TEST(ObjectDiscovery, UnknownSpecIsExplained) {
  auto obj = CcObject::open("bpf_nosuch");
  ASSERT_FALSE(obj);
  EXPECT_NE(obj.error().message.find("neither a built-in"), std::string::npos);
  EXPECT_NE(obj.error().hint.find("bpf_cubic"), std::string::npos);
}

TEST(ObjectDiscovery, DataMapNames) {
  EXPECT_EQ(data_map_section(".data.tunables"), "data.tunables");
  EXPECT_EQ(data_map_section("bpf_cub.bss"), "bss");
  EXPECT_EQ(data_map_pin_name(".data.tunables"), "data_tunables");
  EXPECT_EQ(data_map_pin_name("bpf_cub.data"), "data");
}

}  // namespace
}  // namespace ccload
