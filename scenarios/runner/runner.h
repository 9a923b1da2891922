// Runner: runs a Scenario against a Target and judges what grew.
//
// Warm-up iterations (discarded: caches, thread pools and allocator
// arenas fill up), then N measured iterations, sampling every series
// (series.h) after each one. All sample buffers are allocated before the
// loop and the HTTP client is reused, so the harness itself adds nothing to
// the heap it measures: a clean scenario's heap slope is exactly 0.
//
// Verdicts:
//  - heap: Theil-Sen slope with a kSlopeConfidence interval; leak when the
//    lower bound exceeds the threshold of thresholds.h.
//  - counted (streams, sessions, agents, children, extensions, fds,
//    threads, descendants, mock streams): the baseline is taken after the
//    warm-up once the server is at rest; after the last iteration the
//    runner polls (bounded by settle_timeout) until every counted series is
//    back at or below its baseline; whatever is still above it leaks.
//  - under asan, __lsan_do_recoverable_leak_check() once the scenario is
//    over (after Teardown(), and for Run() after the server shut down):
//    unreachable memory fails the scenario that made it.
//  - under heapprof, a heap leak triggers an attribution pass: more
//    iterations with the gperftools heap profiler on, a dump at their start
//    and end, and `google-pprof --text --base` naming the top growing
//    allocation sites in the result (heap_profile.h).

#ifndef GOOSE_SCENARIOS_RUNNER_RUNNER_H_
#define GOOSE_SCENARIOS_RUNNER_RUNNER_H_

#include <array>
#include <chrono>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "scenarios/probe/growth.h"
#include "scenarios/probe/peak_meter.h"
#include "scenarios/runner/scenario.h"
#include "scenarios/runner/series.h"
#include "scenarios/runner/thresholds.h"
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

struct RunOptions {
  int warmup = -1;      // -1: the scenario's default
  int iterations = -1;  // -1: the scenario's default
  // How long counted series may take to come back to their baseline.
  std::chrono::milliseconds settle_timeout{5000};
  // Under heapprof: where profiles go (empty: a temporary directory), and
  // whether a heap leak gets an attribution pass at all.
  std::filesystem::path profile_dir;
  bool attribute_heap_growth = true;
  int attribution_iterations = 30;  // at most; never more than were measured
  std::string preset;               // for reports; empty: from GOOSE_PRESET or the backend
  ProgressCallback progress;        // optional
};

struct SeriesResult {
  Series series = Series::kHeapBytes;
  SeriesKind kind = SeriesKind::kInfo;
  std::vector<double> samples;  // one per measured iteration
  double baseline = 0;          // after warm-up, at rest
  double settled = 0;           // after the settle wait (counted series)
  probe::GrowthVerdict growth;  // slope over the samples (every kind)
  double threshold = 0;         // heap: bytes per iteration; counted: 0 net growth
  bool leak = false;
  std::string detail;  // why, in words
};

struct ScenarioResult {
  std::string scenario;
  std::string description;
  std::string preset;
  std::string heap_backend;  // the allocator, or "pss" for an external server's heap series
  int warmup = 0;
  int iterations = 0;
  int requests = 0;  // measured requests (iterations x requests per iteration)
  double seconds = 0;
  std::array<SeriesResult, kSeriesCount> series;
  std::string error;   // setup/iterate/teardown failure ("" when none)
  int lsan_leaks = 0;  // non-zero: LeakSanitizer found unreachable memory
  std::string heap_threshold_reason;
  std::string heap_profile_diff;  // heapprof: the top growing sites
  // Answers that differed from our goose-api's (lenient runs only).
  std::vector<Deviation> deviations;
  // The highest heap and resident memory over the measured iterations, and
  // the budget they are held to (thresholds.h).
  probe::PeakFigures peak;
  PeakBudget peak_budget;
  // Whether the peaks stayed within a judged budget (true when not judged).
  bool PeakWithinBudget() const;

  const SeriesResult& operator[](Series s) const { return series[static_cast<int>(s)]; }
  bool Leaks(Series s) const { return (*this)[s].leak; }
  // No error, no leaking series, no LSan report.
  bool Passed() const;
  // "error" on an error, "leak" when any series leaks or LSan reported,
  // "over_budget" when a judged peak passed its budget, else "clean".
  std::string Verdict() const;
  // Names of the leaking series.
  std::vector<std::string> LeakingSeries() const;
  // Every sample, slope, bound, threshold and verdict.
  Json ToJson() const;
  // A multi-line account for a failure message.
  std::string Describe() const;
};

class Runner {
 public:
  explicit Runner(RunOptions options = {}) : options_(std::move(options)) {}

  // Starts the target the scenario requires (InProcessTarget, or
  // ProcessTarget for separate_processes), runs it, shuts it down.
  ScenarioResult Run(Scenario& scenario);
  // Runs against a started target the caller owns.
  ScenarioResult RunOn(Scenario& scenario, Target& target);

 private:
  // Everything but the LeakSanitizer check.
  ScenarioResult RunMeasured(Scenario& scenario, Target& target);

  RunOptions options_;
};

// The preset name reports carry: GOOSE_PRESET if set, else one derived
// from the heap backend ("dev", "asan", "heapprof").
std::string PresetName();

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_RUNNER_H_
