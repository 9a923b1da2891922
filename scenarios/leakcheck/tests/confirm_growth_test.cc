// The runner's second window (RunOptions::confirm_heap_growth): a heap
// slope over its threshold is measured again over as many iterations, and
// is a leak only when it grows there too. The heap here is a figure the
// scenario sets on a fake target (its "external heap"), so the test does
// not depend on any allocator.

#include <gtest/gtest.h>

#include <string>

#include "scenarios/leakcheck/tests/fake_target.h"
#include "scenarios/runner/runner.h"

namespace goose::leakcheck {
namespace {

using scenarios::Series;

class HeapFigureTarget : public FakeTarget {
 public:
  std::optional<double> ExternalHeapBytes() const override { return bytes; }
  std::string_view external_heap_kind() const override { return "pss"; }
  double bytes = 1 << 20;
};

constexpr int kWarmup = 5;
constexpr int kIterations = 20;

// Adds `per_iteration` bytes to the target's heap on every iteration
// numbered below `grows_until`.
class GrowingScenario : public CountingScenario {
 public:
  GrowingScenario(double per_iteration, int grows_until)
      : CountingScenario(Info()), per_iteration_(per_iteration), grows_until_(grows_until) {}
  Status Iterate(scenarios::Target& target, int i) override {
    if (i < grows_until_) static_cast<HeapFigureTarget&>(target).bytes += per_iteration_;
    return CountingScenario::Iterate(target, i);
  }

 private:
  static scenarios::ScenarioInfo Info() {
    scenarios::ScenarioInfo info;
    info.name = "confirm_growth";
    info.warmup = kWarmup;
    info.iterations = kIterations;
    return info;
  }
  double per_iteration_;
  int grows_until_;
};

const scenarios::ThresholdRow kRows[] = {
    {"confirm_growth", "*", {100, "the test's threshold"}},
};

scenarios::ScenarioResult RunWith(GrowingScenario& scenario, bool confirm) {
  HeapFigureTarget target;
  scenarios::RunOptions options;
  options.confirm_heap_growth = confirm;
  options.attribute_heap_growth = false;
  options.settle_timeout = std::chrono::milliseconds(100);
  options.user_thresholds = kRows;
  return scenarios::Runner(options).RunOn(scenario, target);
}

TEST(ConfirmHeapGrowthTest, GrowthThatGoesOnIsALeakInBothWindows) {
  GrowingScenario scenario(1000, 1 << 30);
  const scenarios::ScenarioResult r = RunWith(scenario, true);
  EXPECT_TRUE(r.Leaks(Series::kHeapBytes)) << r.Describe();
  EXPECT_NE(r[Series::kHeapBytes].detail.find("again over a second window of 20 iterations"),
            std::string::npos)
      << r.Describe();
  EXPECT_EQ(scenario.iterations(), kWarmup + 2 * kIterations);
  EXPECT_EQ(r.confirm_iterations, kIterations);
}

// A cache that fills during the first window and then stays: over its
// threshold there, flat in the second, so not a leak, and said so.
TEST(ConfirmHeapGrowthTest, GrowthThatStoppedIsNotALeak) {
  GrowingScenario scenario(1000, kWarmup + kIterations);
  const scenarios::ScenarioResult r = RunWith(scenario, true);
  EXPECT_FALSE(r.Leaks(Series::kHeapBytes)) << r.Describe();
  EXPECT_NE(r[Series::kHeapBytes].detail.find("did not grow again, not a leak"), std::string::npos)
      << r.Describe();
  EXPECT_EQ(scenario.iterations(), kWarmup + 2 * kIterations);
}

TEST(ConfirmHeapGrowthTest, WithoutTheSecondWindowTheFirstDecides) {
  GrowingScenario scenario(1000, kWarmup + kIterations);
  const scenarios::ScenarioResult r = RunWith(scenario, false);
  EXPECT_TRUE(r.Leaks(Series::kHeapBytes)) << r.Describe();
  EXPECT_EQ(scenario.iterations(), kWarmup + kIterations);
}

TEST(ConfirmHeapGrowthTest, ACleanRunHasNoSecondWindow) {
  GrowingScenario scenario(0, 0);
  const scenarios::ScenarioResult r = RunWith(scenario, true);
  EXPECT_FALSE(r.Leaks(Series::kHeapBytes)) << r.Describe();
  EXPECT_EQ(scenario.iterations(), kWarmup + kIterations);
  EXPECT_EQ(r.confirm_iterations, 0);
}

}  // namespace
}  // namespace goose::leakcheck
