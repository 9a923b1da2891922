// How many warm-up and measured iterations a scenario runs: one rule, used
// by the gates' Runner and by leakcheck's plan alike, so what is announced
// is what runs.

#ifndef GOOSE_SCENARIOS_RUNNER_ITERATION_COUNTS_H_
#define GOOSE_SCENARIOS_RUNNER_ITERATION_COUNTS_H_

#include "scenarios/runner/scenario.h"

namespace goose::scenarios {

struct IterationCounts {
  int warmup = 0;
  int iterations = 0;  // measured
  int total() const { return warmup + iterations; }
};

// `warmup` and `iterations` as asked (negative: the scenario's defaults;
// iterations 0 too). A warm-up that was not asked for is at least
// `min_warmup`; at least 2 iterations are measured (a slope needs two
// points). CountsFor(info, c.warmup, c.iterations) == c for any result c.
IterationCounts CountsFor(const ScenarioInfo& info, int warmup, int iterations, int min_warmup = 0);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_ITERATION_COUNTS_H_
