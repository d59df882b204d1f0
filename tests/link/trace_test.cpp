#include "trace.h"

#include <gtest/gtest.h>

using namespace ccbench::link;

TEST(Trace, ParsesMahimahiFormat) {
  auto t = parse_trace("0\n0\n5\n10\n", "t");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->ms.size(), 4u);
  EXPECT_EQ(t->period_ms(), 10u);
  EXPECT_EQ(t->average_bps(), 4u * 1500 * 8 * 100);
}

TEST(Trace, RejectsGarbageWithLineNumber) {
  auto t = parse_trace("1\nabc\n", "f.up");
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message.find("f.up:2"), std::string::npos) << t.error().message;
}

TEST(Trace, RejectsDecreasingAndEmpty) {
  EXPECT_FALSE(parse_trace("5\n3\n", "t"));
  EXPECT_FALSE(parse_trace("", "t"));
  EXPECT_FALSE(parse_trace("0\n0\n", "t"));  // zero period
}
