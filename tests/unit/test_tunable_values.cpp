// Parsing and range-checking of `ccload set` values against BTF types.
#include <gtest/gtest.h>

#include <cstring>

#include "tunables.h"

namespace ccload {
namespace {

Variable var(const char *name, ValueKind kind, uint32_t size, const char *type, uint32_t offset = 0) {
  Variable v;
  v.name = name;
  v.kind = kind;
  v.size = size;
  v.type_name = type;
  v.offset = offset;
  v.section = "data.tunables";
  return v;
}

TEST(TunableValues, ParsesAssignments) {
  auto kv = parse_assignment("beta=819");
  ASSERT_TRUE(kv);
  EXPECT_EQ(kv->first, "beta");
  EXPECT_EQ(kv->second, "819");
  EXPECT_TRUE(parse_assignment("fallback_cc="));  // an empty string is a value
  EXPECT_FALSE(parse_assignment("beta"));
  EXPECT_FALSE(parse_assignment("=5"));
}

TEST(TunableValues, SignedIntRoundTripsAndRefusesOutOfRange) {
  std::vector<uint8_t> value(8, 0);
  auto v = var("beta", ValueKind::Signed, 4, "int", 4);
  ASSERT_TRUE(encode_value(v, "-717", value));
  EXPECT_EQ(format_value(v, value), "-717");
  EXPECT_TRUE(encode_value(v, "2147483647", value));
  auto too_big = encode_value(v, "2147483648", value);
  ASSERT_FALSE(too_big);
  EXPECT_NE(too_big.error().message.find("-2147483648..2147483647"), std::string::npos);
  EXPECT_FALSE(encode_value(v, "12abc", value));
  EXPECT_FALSE(encode_value(v, "", value));
  EXPECT_EQ(format_value(v, value), "2147483647") << "a refused value must not change the map";
}

TEST(TunableValues, UnsignedRefusesNegativeAndAcceptsHex) {
  std::vector<uint8_t> value(4, 0);
  auto v = var("shift_g", ValueKind::Unsigned, 4, "__u32");
  EXPECT_FALSE(encode_value(v, "-1", value));
  ASSERT_TRUE(encode_value(v, "0x10", value));
  EXPECT_EQ(format_value(v, value), "16");
  auto u8 = var("small", ValueKind::Unsigned, 1, "__u8");
  EXPECT_TRUE(encode_value(u8, "255", value));
  EXPECT_FALSE(encode_value(u8, "256", value));
}

TEST(TunableValues, BoolsAndStrings) {
  std::vector<uint8_t> value(20, 0);
  auto b = var("enabled", ValueKind::Bool, 1, "bool");
  ASSERT_TRUE(encode_value(b, "on", value));
  EXPECT_EQ(format_value(b, value), "true");
  ASSERT_TRUE(encode_value(b, "0", value));
  EXPECT_EQ(format_value(b, value), "false");
  EXPECT_FALSE(encode_value(b, "maybe", value));

  auto s = var("fallback_cc", ValueKind::String, 16, "char[16]", 4);
  ASSERT_TRUE(encode_value(s, "cubic", value));
  EXPECT_EQ(format_value(s, value), "cubic");
  EXPECT_FALSE(encode_value(s, "sixteen_chars_xx", value)) << "no room for the terminating NUL";
  EXPECT_EQ(format_value(s, value), "cubic");
}

TEST(TunableValues, UnsupportedTypesAreRefusedByName) {
  std::vector<uint8_t> value(16, 0);
  auto v = var("state", ValueKind::Unsupported, 16, "struct foo");
  auto r = encode_value(v, "1", value);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("struct foo"), std::string::npos);
}

TEST(TunableValues, DescribeListsOnlyTunables) {
  auto a = var("beta", ValueKind::Signed, 4, "int");
  auto c = var("stat_x", ValueKind::Unsigned, 8, "__u64");
  c.section = "bss";
  EXPECT_EQ(describe_variables({a, c}, true), "beta (int)");
  EXPECT_EQ(describe_variables({c}, true), "none");
}

}  // namespace
}  // namespace ccload
