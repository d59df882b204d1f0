#include "stats.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace ccbench::run {

double t95(size_t dof) {
  // Two-sided 95% (upper 0.975) quantiles; beyond 30 the normal approximation is within 2%.
  static const double table[] = {0,      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201, 2.179,  2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080, 2.074,  2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof == 0) return 0;
  if (dof <= 30) return table[dof];
  if (dof <= 60) return 2.000;
  if (dof <= 120) return 1.980;
  return 1.960;
}

double mean(const std::vector<double> &xs) {
  if (xs.empty()) return 0;
  return std::accumulate(xs.begin(), xs.end(), 0.0) / static_cast<double>(xs.size());
}

double percentile_sorted(const std::vector<double> &sorted, double p) {
  if (sorted.empty()) return 0;
  const double pos = std::clamp(p, 0.0, 100.0) / 100.0 * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<size_t>(std::floor(pos));
  const size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - static_cast<double>(lo));
}

double percentile(std::vector<double> xs, double p) {
  std::sort(xs.begin(), xs.end());
  return percentile_sorted(xs, p);
}

Summary summarize(std::vector<double> xs) {
  Summary s;
  s.n = xs.size();
  if (xs.empty()) return s;
  std::sort(xs.begin(), xs.end());
  s.mean = mean(xs);
  s.median = percentile_sorted(xs, 50);
  s.ci_lo = s.ci_hi = s.mean;
  if (s.n < 2) return s;
  double ss = 0;
  for (double x : xs) ss += (x - s.mean) * (x - s.mean);
  s.sd = std::sqrt(ss / static_cast<double>(s.n - 1));
  const double half = t95(s.n - 1) * s.sd / std::sqrt(static_cast<double>(s.n));
  s.ci_lo = s.mean - half;
  s.ci_hi = s.mean + half;
  return s;
}

double jain_index(const std::vector<double> &xs) {
  double sum = 0, sq = 0;
  for (double x : xs) {
    sum += x;
    sq += x * x;
  }
  if (xs.empty() || sq == 0) return 0;
  return sum * sum / (static_cast<double>(xs.size()) * sq);
}

std::optional<Ratio> ratio_of_means(const std::vector<double> &a, const std::vector<double> &b) {
  if (a.empty() || b.empty()) return std::nullopt;
  const Summary sa = summarize(a), sb = summarize(b);
  if (sb.mean == 0) return std::nullopt;
  Ratio r;
  r.value = sa.mean / sb.mean;
  const size_t dof = std::min(sa.n, sb.n) - 1;
  if (dof == 0) return r;  // one run each: a point, no interval
  const double t = t95(dof);
  const double va = sa.sd * sa.sd / static_cast<double>(sa.n);  // variance of each mean
  const double vb = sb.sd * sb.sd / static_cast<double>(sb.n);
  const double g = t * t * vb / (sb.mean * sb.mean);
  if (g >= 1) return r;  // the denominator's CI includes 0: unbounded
  const double half = t / std::abs(sb.mean) * std::sqrt(va * (1 - g) + r.value * r.value * vb);
  r.lo = (r.value - half) / (1 - g);
  r.hi = (r.value + half) / (1 - g);
  r.bounded = true;
  return r;
}

std::optional<double> trajectory_distance(const std::vector<double> &a, const std::vector<double> &b) {
  const size_t n = std::min(a.size(), b.size());
  if (n == 0) return std::nullopt;
  double diff = 0, level = 0;
  for (size_t i = 0; i < n; ++i) {
    diff += std::abs(a[i] - b[i]);
    level += (a[i] + b[i]) / 2;
  }
  if (level == 0) return std::nullopt;
  return diff / level;
}

}  // namespace ccbench::run
