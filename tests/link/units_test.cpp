#include "units.h"

#include <gtest/gtest.h>

using namespace ccbench::link;

TEST(Units, RatesAreSiBits) {
  EXPECT_EQ(*parse_rate("rate", "100mbit"), 100'000'000u);
  EXPECT_EQ(*parse_rate("rate", "1.5gbit"), 1'500'000'000u);
  EXPECT_EQ(*parse_rate("rate", "64kbit"), 64'000u);
  EXPECT_EQ(*parse_rate("rate", "10Gbit"), 10'000'000'000u);
}

TEST(Units, UnknownRateUnitNamesTheChoices) {
  auto r = parse_rate("rate", "10mbps");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("--rate: unknown unit 'mbps'"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("mbit"), std::string::npos);
}

TEST(Units, Durations) {
  EXPECT_EQ(*parse_duration("rtt", "40ms"), 40'000'000);
  EXPECT_EQ(*parse_duration("rtt", "200us"), 200'000);
  EXPECT_EQ(*parse_duration("rtt", "1.5s"), 1'500'000'000);
  EXPECT_EQ(*parse_duration("rtt", "0"), 0);
  EXPECT_FALSE(parse_duration("rtt", "40"));
  EXPECT_FALSE(parse_duration("rtt", "-1ms"));
  EXPECT_FALSE(parse_duration("rtt", "ms"));
}

TEST(Units, Sizes) {
  auto p = parse_size("buffer", "200pkt");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->unit, Size::Unit::packets);
  EXPECT_EQ(p->value, 200);
  auto b = parse_size("buffer", "256kb");
  EXPECT_EQ(b->unit, Size::Unit::bytes);
  EXPECT_EQ(b->value, 256000);
  EXPECT_EQ(parse_size("buffer", "1kib")->value, 1024);
  EXPECT_EQ(parse_size("buffer", "1.5bdp")->unit, Size::Unit::bdp);
  EXPECT_FALSE(parse_size("buffer", "3 furlongs"));
}

TEST(Units, Percentages) {
  EXPECT_DOUBLE_EQ(*parse_percent("loss", "0.5%"), 0.005);
  EXPECT_DOUBLE_EQ(*parse_percent("loss", "100%"), 1.0);
  EXPECT_FALSE(parse_percent("loss", "0.5"));
  EXPECT_FALSE(parse_percent("loss", "101%"));
  EXPECT_FALSE(parse_percent("loss", "-1%"));
}

TEST(Units, Formatting) {
  EXPECT_EQ(format_rate(100'000'000), "100mbit");
  EXPECT_EQ(format_rate(10'000'000'000), "10gbit");
  EXPECT_EQ(format_duration(40'000'000), "40ms");
  EXPECT_EQ(format_duration(500'000), "500us");
}
