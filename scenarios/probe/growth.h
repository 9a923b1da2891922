// Growth statistics: is a series growing per iteration, and by how much?
//
// A leak gate samples a figure (heap bytes, RSS, fds...) after every
// measured iteration and asks whether it grows. The slope is Theil-Sen's
// (the median of the slopes between every pair of points): robust to the
// outliers a busy machine throws in (a GC-like allocator flush, a page
// fault burst) where a least-squares fit is not. Its confidence interval is
// Sen's (1968), from the normal approximation of Kendall's S. A series
// "leaks" when even the interval's lower bound is above the threshold: the
// verdict then holds with the stated confidence.

#ifndef GOOSE_SCENARIOS_PROBE_GROWTH_H_
#define GOOSE_SCENARIOS_PROBE_GROWTH_H_

#include <cstddef>
#include <span>
#include <string>

namespace goose::probe {

struct SlopeEstimate {
  double slope = 0;  // per iteration
  double lower = 0;  // confidence interval of the slope
  double upper = 0;
  double intercept = 0;  // median of y - slope * x: the fitted line is intercept + slope * x
  size_t points = 0;     // samples used
};

// Theil-Sen slope of y[i] over x = i, with a two-sided `confidence`
// interval. Series longer than `max_points` are first reduced to
// `max_points` block means (the pairwise step is quadratic); the slope is
// still per original iteration. REQUIRES: y.size() >= 2.
SlopeEstimate TheilSen(std::span<const double> y, double confidence = 0.95,
                       size_t max_points = 1000);

// The upper-tail z value for a two-sided confidence level (0.95 -> 1.96).
double NormalQuantileTwoSided(double confidence);

// kNotObservable: fewer than two samples, or a sample that is NaN (a
// build that cannot see the series, e.g. the heap under ThreadSanitizer):
// never reported as clean.
enum class Verdict { kClean, kLeak, kNotObservable };

struct GrowthVerdict {
  SlopeEstimate estimate;
  double threshold = 0;     // units per iteration
  double total_growth = 0;  // last sample minus first
  Verdict verdict = Verdict::kClean;
  std::string ToString() const;  // "slope 20.1 B/iter [18.7, 21.4] > 8: leak"
};

// Leak when estimate.lower > threshold.
GrowthVerdict JudgeGrowth(std::span<const double> y, double threshold, double confidence = 0.95);

}  // namespace goose::probe

#endif  // GOOSE_SCENARIOS_PROBE_GROWTH_H_
