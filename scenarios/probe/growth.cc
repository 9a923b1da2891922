#include "scenarios/probe/growth.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <vector>

namespace goose::probe {
namespace {

// Acklam's rational approximation of the standard normal quantile
// (relative error below 1.2e-9), enough for confidence bounds.
double NormalQuantile(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  const double lo = 0.02425, hi = 1 - lo;
  if (p < lo) {
    double q = std::sqrt(-2 * std::log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > hi) return -NormalQuantile(1 - p);
  double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double OrderStatistic(std::vector<double>& v, size_t k) {
  k = std::min(k, v.size() - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

double NormalQuantileTwoSided(double confidence) { return NormalQuantile(0.5 + confidence / 2); }

SlopeEstimate TheilSen(std::span<const double> y, double confidence, size_t max_points) {
  assert(y.size() >= 2);
  // Reduce long series to block means; x of a block is its centre.
  std::vector<double> xs, ys;
  const size_t n_in = y.size();
  const size_t block = (n_in + max_points - 1) / max_points;
  for (size_t start = 0; start < n_in; start += block) {
    const size_t end = std::min(n_in, start + block);
    double sum = 0;
    for (size_t i = start; i < end; ++i) sum += y[i];
    xs.push_back((static_cast<double>(start) + static_cast<double>(end - 1)) / 2);
    ys.push_back(sum / static_cast<double>(end - start));
  }
  const size_t n = xs.size();
  SlopeEstimate out;
  out.points = n_in;
  if (n < 2) return out;

  std::vector<double> slopes;
  slopes.reserve(n * (n - 1) / 2);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) slopes.push_back((ys[j] - ys[i]) / (xs[j] - xs[i]));
  }
  const size_t big_n = slopes.size();
  std::vector<double> work = slopes;
  // Median of the pairwise slopes.
  if (big_n % 2 == 1) {
    out.slope = OrderStatistic(work, big_n / 2);
  } else {
    double hi = OrderStatistic(work, big_n / 2);
    double lo =
        *std::max_element(work.begin(), work.begin() + static_cast<std::ptrdiff_t>(big_n / 2));
    out.slope = (lo + hi) / 2;
  }
  // Sen's interval: ranks (N -/+ C) / 2 with C = z * sqrt(var(S)).
  const double nn = static_cast<double>(n);
  const double var_s = nn * (nn - 1) * (2 * nn + 5) / 18;
  const double c = NormalQuantileTwoSided(confidence) * std::sqrt(var_s);
  const double m1 = (static_cast<double>(big_n) - c) / 2;
  const double m2 = (static_cast<double>(big_n) + c) / 2;
  const size_t lower_rank = m1 <= 1 ? 0 : static_cast<size_t>(std::floor(m1)) - 1;
  const size_t upper_rank = std::min(big_n - 1, static_cast<size_t>(std::ceil(m2)));
  work = slopes;
  out.lower = OrderStatistic(work, lower_rank);
  out.upper = OrderStatistic(work, upper_rank);

  std::vector<double> residuals(n);
  for (size_t i = 0; i < n; ++i) residuals[i] = ys[i] - out.slope * xs[i];
  out.intercept = OrderStatistic(residuals, n / 2);
  return out;
}

std::string GrowthVerdict::ToString() const {
  char buf[160];
  std::snprintf(buf, sizeof buf, "slope %.2f/iter [%.2f, %.2f] vs threshold %.2f: %s",
                estimate.slope, estimate.lower, estimate.upper, threshold,
                verdict == Verdict::kLeak    ? "leak"
                : verdict == Verdict::kClean ? "clean"
                                             : "not observable");
  return buf;
}

GrowthVerdict JudgeGrowth(std::span<const double> y, double threshold, double confidence) {
  GrowthVerdict v;
  v.threshold = threshold;
  v.verdict = Verdict::kNotObservable;
  if (y.size() < 2 || std::any_of(y.begin(), y.end(), [](double x) { return std::isnan(x); })) {
    return v;
  }
  v.estimate = TheilSen(y, confidence);
  v.total_growth = y.back() - y.front();
  v.verdict = v.estimate.lower > threshold ? Verdict::kLeak : Verdict::kClean;
  return v;
}

}  // namespace goose::probe
