// RunHook: something that rides along a scenario's run without changing
// it, in the shape of Google Benchmark's MemoryManager (Start, Stop, then
// what it measured added to the result).
//
// The Runner tells every hook when the measured iterations start and end
// (a heap profile before and after; a foreign server's /metrics), offers
// each a pass of its own once the series are judged (heap attribution:
// more iterations with a profiler on, as Google Benchmark's memory pass
// re-runs the benchmark), and then asks each to report. A hook never makes
// a verdict: it adds findings, or an error when it could not do its job,
// and the judge (judge.h) decides.

#ifndef GOOSE_SCENARIOS_RUNNER_RUN_HOOK_H_
#define GOOSE_SCENARIOS_RUNNER_RUN_HOOK_H_

#include <functional>

#include "core/base/status.h"
#include "scenarios/runner/scenario_result.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

class RunHook {
 public:
  // Runs `n` more iterations of the scenario on the same target: set up
  // again, iterated, torn down.
  using RunIterations = std::function<Status(int n)>;

  virtual ~RunHook() = default;

  // After the baseline, before the first measured iteration.
  virtual void MeasuredStarting(Target& target) { (void)target; }
  // After the last measured iteration, before the settle wait.
  virtual void MeasuredFinished(Target& target) { (void)target; }
  // Once the series are judged (`judged` has no verdict yet), with the
  // target still up: a pass of the hook's own through `run`, if it wants.
  virtual void AfterJudged(const ScenarioResult& judged, const RunIterations& run) {
    (void)judged;
    (void)run;
  }
  // Adds what it found to `result` (result->findings) or, when it could
  // not do its job, an error (result->AddError).
  virtual void Report(ScenarioResult* result) = 0;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_RUN_HOOK_H_
