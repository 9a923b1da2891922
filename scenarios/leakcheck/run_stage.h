// The run stage: every planned scenario, one after the other, each on a
// target of its own (StartTarget), through the gates' Runner with
// leakcheck's hooks. A skipped scenario becomes a skipped result; a
// target that does not start becomes an error result and ends the run
// (the environment is broken: every other scenario would fail the same
// way). The display is told each verdict once it is final.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_RUN_STAGE_H_
#define GOOSE_SCENARIOS_LEAKCHECK_RUN_STAGE_H_

#include <vector>

#include "core/base/status.h"
#include "scenarios/leakcheck/options.h"
#include "scenarios/leakcheck/plan.h"
#include "scenarios/leakcheck/progress.h"
#include "scenarios/runner/scenario_result.h"

namespace goose::leakcheck {

// For an attached server: that it is there and answers as goose-api, before
// anything runs. Ok for every other target. Errors say what to fix.
Status CheckAttachedTarget(const Plan& plan);

// One result per planned scenario, in order (fewer when a target did not
// start).
std::vector<scenarios::ScenarioResult> RunPlan(Plan& plan, const Options& options,
                                               ProgressDisplay& display);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_RUN_STAGE_H_
