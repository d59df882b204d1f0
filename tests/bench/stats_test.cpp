#include <gtest/gtest.h>

#include <cmath>

#include "stats.h"

using namespace ccbench::run;

TEST(Stats, SummaryUsesStudentT) {
  // mean 2, sd 1, n 3: half-width t(0.975, 2) * 1 / sqrt(3) = 4.303 / 1.732
  const Summary s = summarize({1, 2, 3});
  EXPECT_DOUBLE_EQ(s.mean, 2);
  EXPECT_DOUBLE_EQ(s.median, 2);
  EXPECT_DOUBLE_EQ(s.sd, 1);
  EXPECT_NEAR(s.ci_hi - s.mean, 4.303 / std::sqrt(3.0), 1e-9);
  EXPECT_NEAR(s.mean - s.ci_lo, 4.303 / std::sqrt(3.0), 1e-9);
}

TEST(Stats, SingleRunHasAPointInterval) {
  const Summary s = summarize({5});
  EXPECT_EQ(s.n, 1u);
  EXPECT_EQ(s.ci_lo, 5);
  EXPECT_EQ(s.ci_hi, 5);
}

TEST(Stats, TQuantiles) {
  EXPECT_NEAR(t95(1), 12.706, 1e-3);
  EXPECT_NEAR(t95(9), 2.262, 1e-3);
  EXPECT_NEAR(t95(1000), 1.96, 1e-3);
}

TEST(Stats, PercentilesInterpolateLikeNumpy) {
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 50), 2.5);
  EXPECT_DOUBLE_EQ(percentile({10, 0, 5}, 0), 0);
  EXPECT_DOUBLE_EQ(percentile({10, 0, 5}, 100), 10);
  EXPECT_NEAR(percentile({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 95), 9.55, 1e-12);
}

TEST(Stats, JainIndex) {
  EXPECT_DOUBLE_EQ(jain_index({5, 5, 5, 5}), 1.0);
  EXPECT_DOUBLE_EQ(jain_index({1, 0, 0, 0}), 0.25);
  EXPECT_NEAR(jain_index({1, 2}), 9.0 / 10.0, 1e-12);
}

TEST(Stats, FiellerIntervalContainsOneForEqualSamples) {
  auto r = ratio_of_means({10, 11, 9, 10}, {10, 9, 11, 10});
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->value, 1.0);
  ASSERT_TRUE(r->bounded);
  EXPECT_LT(r->lo, 1.0);
  EXPECT_GT(r->hi, 1.0);
  EXPECT_TRUE(r->within_noise());
}

TEST(Stats, FiellerIntervalExcludesOneForClearDifference) {
  auto r = ratio_of_means({20, 21, 19, 20}, {10, 9, 11, 10});
  ASSERT_TRUE(r);
  EXPECT_DOUBLE_EQ(r->value, 2.0);
  ASSERT_TRUE(r->bounded);
  EXPECT_GT(r->lo, 1.5);
  EXPECT_LT(r->hi, 2.6);
  EXPECT_FALSE(r->within_noise());
}

TEST(Stats, FiellerIsUnboundedWhenTheDenominatorMayBeZero) {
  auto r = ratio_of_means({1, 2, 3}, {0.1, 5, -4});
  ASSERT_TRUE(r);
  EXPECT_FALSE(r->bounded);
  EXPECT_TRUE(r->within_noise());
  EXPECT_FALSE(ratio_of_means({1, 2}, {0, 0}));
}

TEST(Stats, TrajectoryDistance) {
  EXPECT_DOUBLE_EQ(*trajectory_distance({1, 2, 3}, {1, 2, 3}), 0.0);
  // |10-12| + |10-8| = 4 over a level of 20: 0.2; the longer series is cut to the shorter one.
  EXPECT_DOUBLE_EQ(*trajectory_distance({10, 10, 99}, {12, 8}), 0.2);
  EXPECT_FALSE(trajectory_distance({}, {1}));
}
