// The plan: leakcheck's options in; every scenario to run (configured),
// its target, its warm-up and measured iterations, and every note out,
// each decided once. A scenario the target cannot run is planned as
// skipped, with the reason; an explicit choice it cannot run is an error.
// No I/O: starting targets is the run stage's job (run_stage.h).

#ifndef GOOSE_SCENARIOS_LEAKCHECK_PLAN_H_
#define GOOSE_SCENARIOS_LEAKCHECK_PLAN_H_

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "scenarios/leakcheck/options.h"
#include "scenarios/leakcheck/threshold_file.h"
#include "scenarios/runner/iteration_counts.h"
#include "scenarios/runner/scenario.h"
#include "scenarios/targets/target_factory.h"

namespace goose::leakcheck {

struct PlannedScenario {
  std::unique_ptr<scenarios::Scenario> scenario;  // concurrency, leniency and TTL set
  scenarios::TargetSpec target;
  // The heap series the target is expected to give ("malloc", "pss", or
  // "" for none), which sets the least warm-up.
  std::string heap_kind;
  scenarios::IterationCounts counts;
  std::string skipped_reason;  // non-empty: not run
};

struct Plan {
  Command command = Command::kRun;
  std::string target_text;  // "our goose-api", "`CMD`", "URL (pid N)"
  Json target;              // the report's target object
  Json environment;         // the report's environment object
  std::string created;      // UTC, when planned
  std::filesystem::path report_dir;
  std::vector<PlannedScenario> scenarios;
  // --thresholds: the file's rows, read before each scenario's own and
  // the built-in ones; kept here for the whole run (the runner views
  // them). Empty without the option; set by the caller (LoadThresholdFile),
  // since planning reads no file.
  ThresholdFile thresholds;
};

// Errors: InvalidArgument for a chosen scenario the target cannot run,
// saying why and what to do.
Result<Plan> MakePlan(const Options& options);

// The warm-up and measured iterations of `info` on a target whose heap
// series is `heap_kind`: as asked, else the scenario's, with at least the
// warm-up an external heap series needs (a fresh server's PSS rises while
// its malloc arenas fill; live malloc bytes while first requests load what
// they use). The one rule: the plan, a re-plan for a target whose heap
// turned out otherwise, and the notes all use it.
scenarios::IterationCounts PlanCounts(const scenarios::ScenarioInfo& info, const Options& options,
                                      std::string_view heap_kind);

// What to say before `planned` runs: the TTL it waits out when the target
// cannot be told a shorter one (from planned.counts, so it says what
// runs). Empty when there is nothing to say.
std::string TtlNote(const PlannedScenario& planned, const Options& options);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_PLAN_H_
