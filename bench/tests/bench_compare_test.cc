// The gate's comparison logic, on hand-made runs and baselines.

#include "bench/compare/bench_compare.h"

#include <gtest/gtest.h>

namespace goose::bench {
namespace {

Json BaselineJson() {
  return Json::parse(R"({
    "command": "ci/bench --refresh", "date": "2026-11-29T07:00:00Z",
    "figures": [
      {"name": "ratio", "benchmark": "BM_A/x:1/real_time", "counter": "ratio",
       "baseline": 1.2, "better": "lower", "tolerance": {"relative": 0.25}, "target": 1.5},
      {"name": "rate", "benchmark": "BM_B", "counter": "per_s",
       "baseline": 1000, "better": "higher", "tolerance": {"relative": 0.5}},
      {"name": "growth", "benchmark": "BM_A/x:1/real_time", "counter": "growth",
       "baseline": 0, "tolerance": {"absolute": 16}},
      {"name": "shown", "benchmark": "BM_B", "counter": "ms", "baseline": 5, "gate": false}
    ]})");
}

Json RunJson(double ratio, double per_s, double growth, bool repeat = false) {
  Json run = {{"benchmarks", Json::array()}};
  auto a = [&](double r) {
    return Json{{"name", "BM_A/x:1/min_time:0.500/real_time"},
                {"run_type", "iteration"},
                {"ratio", r},
                {"growth", growth}};
  };
  run["benchmarks"].push_back(a(ratio));
  if (repeat) {
    run["benchmarks"].push_back(a(ratio * 10));  // an outlier: the median ignores it
    run["benchmarks"].push_back(a(ratio));
  }
  run["benchmarks"].push_back(
      Json{{"name", "BM_B/iterations:1"}, {"run_type", "iteration"}, {"per_s", per_s}, {"ms", 99}});
  run["benchmarks"].push_back(Json{{"name", "BM_B_mean"}, {"run_type", "aggregate"}, {"per_s", 0}});
  return run;
}

Comparison CompareJson(const Json& baseline, const Json& run) {
  Result<Baseline> b = ParseBaseline(baseline);
  EXPECT_TRUE(b.ok()) << b.status().ToString();
  Result<RunFigures> r = ParseRun(run);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return Compare(*b, *r);
}

TEST(BenchCompareTest, NormalizesRunLengthOutOfNames) {
  EXPECT_EQ(NormalizeBenchmarkName("BM_A/x:1/min_time:0.500/real_time/threads:4"),
            "BM_A/x:1/real_time/threads:4");
  EXPECT_EQ(NormalizeBenchmarkName("BM_B/iterations:1/repeats:3/manual_time"), "BM_B/manual_time");
  EXPECT_EQ(NormalizeBenchmarkName("BM_C"), "BM_C");
}

TEST(BenchCompareTest, WithinToleranceEverythingPasses) {
  const Comparison c = CompareJson(BaselineJson(), RunJson(1.45, 600, 10));
  EXPECT_TRUE(c.passed()) << FormatComparison(c);
  EXPECT_NE(FormatComparison(c).find("gate: PASSED"), std::string::npos);
}

TEST(BenchCompareTest, EachWorseFigureFailsByName) {
  Comparison c = CompareJson(BaselineJson(), RunJson(1.6, 1000, 0));
  EXPECT_EQ(c.failed(), std::vector<std::string>{"ratio"});
  c = CompareJson(BaselineJson(), RunJson(1.2, 499, 0));
  EXPECT_EQ(c.failed(), std::vector<std::string>{"rate"});
  c = CompareJson(BaselineJson(), RunJson(1.2, 1000, 17));
  EXPECT_EQ(c.failed(), std::vector<std::string>{"growth"});
  EXPECT_NE(FormatComparison(c).find("gate: FAILED: growth"), std::string::npos);
}

TEST(BenchCompareTest, UngatedFigureNeverFails) {
  const Comparison c = CompareJson(BaselineJson(), RunJson(1.2, 1000, 0));
  ASSERT_EQ(c.rows.size(), 4u);
  EXPECT_EQ(*c.rows[3].now, 99);
  EXPECT_FALSE(c.rows[3].regressed);
}

TEST(BenchCompareTest, RepetitionsCountAsTheirMedian) {
  const Comparison c = CompareJson(BaselineJson(), RunJson(1.3, 1000, 0, /*repeat=*/true));
  EXPECT_TRUE(c.passed()) << FormatComparison(c);
  EXPECT_DOUBLE_EQ(*c.rows[0].now, 1.3);
}

TEST(BenchCompareTest, MissingOrFailedBenchmarkFailsTheGate) {
  Json run = RunJson(1.2, 1000, 0);
  run["benchmarks"].erase(0);
  Comparison c = CompareJson(BaselineJson(), run);
  EXPECT_EQ(c.failed(), (std::vector<std::string>{"ratio", "growth"}));
  EXPECT_NE(c.rows[0].missing_reason.find("not in the run"), std::string::npos);

  run = RunJson(1.2, 1000, 0);
  run["benchmarks"][1]["error_occurred"] = true;
  run["benchmarks"][1]["error_message"] = "server did not start";
  c = CompareJson(BaselineJson(), run);
  EXPECT_EQ(c.failed(), std::vector<std::string>{"rate"});
  EXPECT_NE(c.rows[1].missing_reason.find("server did not start"), std::string::npos);
}

TEST(BenchCompareTest, BadBaselineIsRefusedWithTheField) {
  Json bad = BaselineJson();
  bad["figures"][1].erase("counter");
  Result<Baseline> b = ParseBaseline(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("figures[1].counter"), std::string::npos);
  bad = BaselineJson();
  bad["figures"][0]["better"] = "sideways";
  EXPECT_FALSE(ParseBaseline(bad).ok());
}

TEST(BenchCompareTest, RefreshTakesTheRunsValuesAndKeepsTolerances) {
  Result<Baseline> b = ParseBaseline(BaselineJson());
  ASSERT_TRUE(b.ok());
  Result<RunFigures> r = ParseRun(RunJson(1.1, 2000, 3));
  ASSERT_TRUE(r.ok());
  Result<Json> refreshed = RefreshBaseline(*b, *r, "ci/bench --refresh", "2026-12-01T00:00:00Z");
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().ToString();
  EXPECT_EQ((*refreshed)["date"], "2026-12-01T00:00:00Z");
  EXPECT_DOUBLE_EQ((*refreshed)["figures"][0]["baseline"].get<double>(), 1.1);
  EXPECT_DOUBLE_EQ((*refreshed)["figures"][1]["baseline"].get<double>(), 2000);
  EXPECT_DOUBLE_EQ((*refreshed)["figures"][0]["tolerance"]["relative"].get<double>(), 0.25);
  Json partial = RunJson(1.1, 2000, 3);
  partial["benchmarks"].erase(0);
  r = ParseRun(partial);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(RefreshBaseline(*b, *r, "x", "y").ok());  // "ratio" is gated
  partial = RunJson(1.1, 2000, 3);
  partial["benchmarks"][1].erase("ms");  // "shown" is not
  r = ParseRun(partial);
  ASSERT_TRUE(r.ok());
  refreshed = RefreshBaseline(*b, *r, "x", "y");
  ASSERT_TRUE(refreshed.ok()) << refreshed.status().ToString();
  EXPECT_DOUBLE_EQ((*refreshed)["figures"][3]["baseline"].get<double>(), 5);
}

}  // namespace
}  // namespace goose::bench
