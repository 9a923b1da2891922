// Runner: runs a Scenario against a Target and judges what grew, as named
// stages:
//
//   target   StartTarget (target_factory.h), from the scenario's needs
//   collect  Collect (collect.h): setup, warm-up, baseline, measured
//            iterations, settle, teardown; hooks ride along
//   judge    JudgeSeries (judge.h) against the thresholds (thresholds.h)
//   hooks    each hook's own pass (heap attribution) and report
//   shut     the target destroyed, then under asan
//            __lsan_do_recoverable_leak_check(): unreachable memory fails
//            the scenario that made it, shutdown included
//
// The verdict is the judge's (Decide), asked from the finished result.

#ifndef GOOSE_SCENARIOS_RUNNER_RUNNER_H_
#define GOOSE_SCENARIOS_RUNNER_RUNNER_H_

#include <chrono>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "scenarios/runner/collect.h"
#include "scenarios/runner/judge.h"
#include "scenarios/runner/run_hook.h"
#include "scenarios/runner/scenario.h"
#include "scenarios/runner/scenario_result.h"
#include "scenarios/runner/thresholds.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

struct RunOptions {
  int warmup = -1;      // -1: the scenario's default (iteration_counts.h)
  int iterations = -1;  // -1: the scenario's default
  // How long counted series may take to come back to their baseline.
  std::chrono::milliseconds settle_timeout{5000};
  // Under heapprof: where profiles go (empty: a temporary directory), and
  // whether a heap leak gets an attribution pass at all.
  std::filesystem::path profile_dir;
  bool attribute_heap_growth = true;
  int attribution_iterations = 30;  // at most; never more than were measured
  // A heap slope over its threshold is measured again over a second window
  // of as many iterations, and is a leak only when that window's slope is
  // over the threshold too (docs/leak-gates.md, "How a gate judges").
  bool confirm_heap_growth = true;
  std::string preset;           // for reports; empty: from GOOSE_PRESET or the backend
  ProgressCallback progress;    // optional
  std::vector<RunHook*> hooks;  // not owned; ride along every run
  // Heap threshold rows read before the scenario's and the built-in ones
  // (leakcheck --thresholds FILE; thresholds.h). Not owned: the caller
  // keeps them, and the strings they view, for the whole run.
  std::span<const ThresholdRow> user_thresholds;
};

class Runner {
 public:
  explicit Runner(RunOptions options = {}) : options_(std::move(options)) {}

  // Starts the target the scenario needs (in this process, or goose-api as
  // a program for separate_processes), runs, shuts it down.
  ScenarioResult Run(Scenario& scenario);
  // Runs against `target` (started), then destroys it before the
  // LeakSanitizer check, so what the server leaks at shutdown counts.
  ScenarioResult RunAndShutDown(Scenario& scenario, std::unique_ptr<Target> target);
  // Runs against a started target the caller keeps.
  ScenarioResult RunOn(Scenario& scenario, Target& target);

 private:
  // Everything but the LeakSanitizer check.
  ScenarioResult RunMeasured(Scenario& scenario, Target& target);

  RunOptions options_;
};

// The preset name reports carry: GOOSE_PRESET if set, else one derived
// from the heap backend ("dev", "asan", "heapprof", "tsan").
std::string PresetName();

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_RUNNER_H_
