#include "scenarios/probe/growth.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace goose::probe {
namespace {

std::vector<double> Series(size_t n, double slope, double noise, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<double> dist(0, noise);
  std::vector<double> y(n);
  for (size_t i = 0; i < n; ++i)
    y[i] = 1e6 + slope * static_cast<double>(i) + (noise > 0 ? dist(rng) : 0);
  return y;
}

TEST(GrowthTest, NormalQuantile) {
  EXPECT_NEAR(NormalQuantileTwoSided(0.95), 1.959964, 1e-5);
  EXPECT_NEAR(NormalQuantileTwoSided(0.99), 2.575829, 1e-5);
}

TEST(GrowthTest, FlatSeriesIsCleanWithZeroSlope) {
  std::vector<double> y(500, 4096.0);
  GrowthVerdict v = JudgeGrowth(y, 0.5);
  EXPECT_EQ(v.estimate.slope, 0);
  EXPECT_EQ(v.estimate.lower, 0);
  EXPECT_EQ(v.verdict, Verdict::kClean);
}

TEST(GrowthTest, SteadyLeakIsFlaggedWithTightBounds) {
  // One 8-byte leak per request shows as ~20 B/request in the allocator's
  // counters (DESIGN.md); with 200 B of jitter per sample.
  std::vector<double> y = Series(2000, 20, 200, 1);
  GrowthVerdict v = JudgeGrowth(y, 8);
  EXPECT_EQ(v.verdict, Verdict::kLeak) << v.ToString();
  EXPECT_NEAR(v.estimate.slope, 20, 1.5);
  EXPECT_LT(v.estimate.lower, v.estimate.slope);
  EXPECT_GT(v.estimate.upper, v.estimate.slope);
  EXPECT_NEAR(v.total_growth, 20 * 1999, 2000);
}

TEST(GrowthTest, AnUnseenSeriesIsNotObservableNeverClean) {
  std::vector<double> y = Series(50, 0, 0, 1);
  y[10] = std::nan("");
  EXPECT_EQ(JudgeGrowth(y, 0.5).verdict, Verdict::kNotObservable);
  EXPECT_EQ(JudgeGrowth(std::vector<double>{1.0}, 0.5).verdict, Verdict::kNotObservable);
  EXPECT_NE(JudgeGrowth(y, 0.5).ToString().find("not observable"), std::string::npos);
}

TEST(GrowthTest, OutliersDoNotMoveTheSlope) {
  std::vector<double> y = Series(400, 0, 0, 1);
  for (size_t i = 7; i < y.size(); i += 50) y[i] += 1e6;  // allocator flushes, page-fault bursts
  GrowthVerdict v = JudgeGrowth(y, 0.5);
  EXPECT_EQ(v.estimate.slope, 0);
  EXPECT_EQ(v.verdict, Verdict::kClean);
}

TEST(GrowthTest, LongSeriesAreReducedButKeepTheirPerIterationSlope) {
  std::vector<double> y = Series(10000, 3, 50, 2);
  SlopeEstimate e = TheilSen(y);
  EXPECT_NEAR(e.slope, 3, 0.1);
  EXPECT_EQ(e.points, 10000u);
  EXPECT_NEAR(e.intercept, 1e6, 100);
}

// The bound is what keeps clean runs clean: over many noise-only series the
// lower bound exceeds zero in about (1 - confidence) / 2 of them.
TEST(GrowthTest, FalsePositiveRateMatchesTheConfidence) {
  int flagged = 0;
  constexpr int kRuns = 400;
  for (int run = 0; run < kRuns; ++run) {
    std::vector<double> y = Series(200, 0, 100, 1000 + run);
    if (JudgeGrowth(y, 0).verdict == Verdict::kLeak) ++flagged;
  }
  EXPECT_LT(flagged, kRuns * 5 / 100) << flagged << " of " << kRuns;  // expected ~2.5%
  EXPECT_GT(flagged, 0) << "the interval is wider than stated";
}

}  // namespace
}  // namespace goose::probe
