// The statistics a report rests on: summaries over runs with Student-t confidence intervals,
// percentiles, Jain's fairness index, Fieller intervals for ratios of means, and the distance
// between two cwnd trajectories. Pure functions, tested without the kernel.
#pragma once
#include "common.h"

#include <optional>
#include <vector>

namespace ccbench::run {

// Over N runs: the 95% CI is mean +- t(0.975, N-1) * sd / sqrt(N). With N = 1 it is the point.
struct Summary {
  size_t n = 0;
  double mean = 0, median = 0, sd = 0, ci_lo = 0, ci_hi = 0;
};
Summary summarize(std::vector<double> xs);

// The two-sided 95% quantile of Student's t with `dof` degrees of freedom (dof >= 1).
double t95(size_t dof);

// Linear interpolation between closest ranks (numpy's default). `sorted` ascending, p in [0,100].
double percentile_sorted(const std::vector<double> &sorted, double p);
double percentile(std::vector<double> xs, double p);
double mean(const std::vector<double> &xs);

// (sum x)^2 / (n sum x^2): 1 when all flows get the same, 1/n when one gets everything.
double jain_index(const std::vector<double> &xs);

// mean(a) / mean(b) with Fieller's 95% interval for independent samples (dof = min(na, nb) - 1).
// bounded is false when the denominator's mean is not clearly away from zero (the interval is
// then the whole line, or two half-lines: "too noisy to say").
struct Ratio {
  double value = 0;
  double lo = 0, hi = 0;
  bool bounded = false;
  bool within_noise() const { return !bounded || (lo <= 1.0 && 1.0 <= hi); }
};
std::optional<Ratio> ratio_of_means(const std::vector<double> &a, const std::vector<double> &b);

// Mean absolute difference of two time-aligned series (sample i with sample i, up to the shorter
// one), divided by the mean of both: 0 for identical trajectories, 0.1 for "10% apart on average".
std::optional<double> trajectory_distance(const std::vector<double> &a, const std::vector<double> &b);

}  // namespace ccbench::run
