// Collect: one run of a scenario on a target, and every sample it takes.
//
// Always in this order: Setup(); the warm-up iterations (discarded:
// caches, thread pools and allocator arenas fill up); the baseline, at rest
// and stable over two samples; the measured iterations, every series
// sampled after each one while the peaks are metered; the settle wait
// (bounded: until every counted series is back at or below its baseline);
// Teardown(). A failed step ends the iterations, never the order: the
// settle wait and Teardown() still run. Hooks (run_hook.h) are told when
// the measured iterations start and end.
//
// Every buffer the loop writes is allocated before it and the HTTP client
// is reused, so the harness adds nothing to the heap it measures: a clean
// scenario's heap slope in this process is exactly 0.

#ifndef GOOSE_SCENARIOS_RUNNER_COLLECT_H_
#define GOOSE_SCENARIOS_RUNNER_COLLECT_H_

#include <chrono>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/probe/peak_meter.h"
#include "scenarios/runner/iteration_counts.h"
#include "scenarios/runner/judge.h"
#include "scenarios/runner/run_hook.h"
#include "scenarios/runner/scenario.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

// What the runner is doing, for a progress display (leakcheck's bar).
struct RunProgress {
  enum class Phase {
    kWarmup,     // a warm-up iteration finished
    kMeasuring,  // the baseline is taken; measured iterations start next
    kMeasured,   // a measured iteration finished and was sampled
    kSettling,   // the last measured iteration finished; settle wait next
  };
  Phase phase = Phase::kWarmup;
  std::string_view scenario;
  int done = 0;   // iterations of this phase finished
  int total = 0;  // iterations of this phase
  // The heap series' samples so far (measured iterations only).
  std::span<const double> heap_samples;
};

// Called on the runner's thread; must not throw. The runner builds the
// event without allocating; what the callback does is its own business
// (it runs between iterations, never while one is measured).
using ProgressCallback = std::function<void(const RunProgress&)>;

struct CollectOptions {
  IterationCounts counts;
  // How long counted series may take to come back to their baseline.
  std::chrono::milliseconds settle_timeout{5000};
  ProgressCallback progress;        // optional
  std::span<RunHook* const> hooks;  // not owned
  int first_index = 0;              // the number Iterate() gets for the first iteration
};

struct Collected {
  SeriesSamples series;
  probe::PeakFigures peak;
  std::string error;  // the first step that failed, and why ("" when none)
  std::vector<Deviation> deviations;
  std::vector<std::string> violations;
  Json findings = Json::object();
  double seconds = 0;
};

Collected Collect(Scenario& scenario, Target& target, const CollectOptions& options);

// Runs `n` iterations numbered from `first` with the scenario set up and
// torn down around them (a hook's own pass). The first error, if any.
Status RunPass(Scenario& scenario, Target& target, int first, int n,
               std::chrono::milliseconds settle_timeout);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_COLLECT_H_
