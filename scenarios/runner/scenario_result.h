// ScenarioResult: everything one run of a scenario found, and its verdict.
//
// The facts (samples, slopes, baselines, peaks, errors, LeakSanitizer's
// count, what the hooks found) are filled in by the runner's stages; the
// verdict is never stored: Verdict() asks the judge (judge.h) each time, so
// the terminal, report.json and report.html cannot disagree about it.

#ifndef GOOSE_SCENARIOS_RUNNER_SCENARIO_RESULT_H_
#define GOOSE_SCENARIOS_RUNNER_SCENARIO_RESULT_H_

#include <array>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "scenarios/probe/growth.h"
#include "scenarios/probe/peak_meter.h"
#include "scenarios/runner/scenario.h"
#include "scenarios/runner/series.h"
#include "scenarios/runner/thresholds.h"

namespace goose::scenarios {

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
  std::string heap_series;   // what the heap series is, in words (HeapSeriesName)
  std::string heap_note;     // why the heap is not watched as asked ("" when it is)
  int warmup = 0;
  int iterations = 0;
  int requests = 0;  // measured requests (iterations x requests per iteration)
  // Iterations of the second window that measured the heap again
  // (RunOptions::confirm_heap_growth); 0 when the first was within its
  // threshold.
  int confirm_iterations = 0;
  double seconds = 0;
  std::array<SeriesResult, kSeriesCount> series;
  std::string error;           // what could not be done ("" when nothing)
  std::string skipped_reason;  // not run at all, and why ("" when it ran)
  int lsan_leaks = 0;          // non-zero: LeakSanitizer found unreachable memory
  std::string heap_threshold_reason;
  // The thresholds file the heap threshold came from ("" for a built-in
  // row or the scenario's own): leakcheck --thresholds.
  std::string heap_threshold_file;
  std::string heap_profile_diff;  // heapprof: the top growing sites
  // Answers that differed from our goose-api's (lenient runs only).
  std::vector<Deviation> deviations;
  // What the scenario found wrong that is not a growth (Scenario::Violations).
  std::vector<std::string> violations;
  // The highest heap and resident memory over the measured iterations, and
  // the budget they are held to (thresholds.h).
  probe::PeakFigures peak;
  PeakBudget peak_budget;
  // What the hooks found (run_hook.h), as report fields: merged into
  // ToJson() as they are.
  Json findings = Json::object();

  // Adds `what` to error (a second error follows the first after "; ").
  void AddError(const std::string& what);
  // Whether the peaks stayed within a judged budget (true when not judged).
  bool PeakWithinBudget() const;

  const SeriesResult& operator[](Series s) const { return series[static_cast<int>(s)]; }
  bool Leaks(Series s) const { return (*this)[s].leak; }
  // The judge's verdict (judge.h): "clean", "leak", "over_budget", "error"
  // or "skipped".
  std::string Verdict() const;
  // Verdict() is "clean".
  bool Passed() const;
  // Names of the leaking series ("lsan" for LeakSanitizer's report).
  std::vector<std::string> LeakingSeries() const;
  // Every sample, slope, bound, threshold, finding and the verdict.
  Json ToJson() const;
  // A multi-line account for a failure message.
  std::string Describe() const;
};

// A result for a scenario that did not run: an error (it could not start)
// or skipped (it cannot run on this target), with the reason.
ScenarioResult NotRunResult(const ScenarioInfo& info, const std::string& preset,
                            const std::string& error, const std::string& skipped_reason);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_SCENARIO_RESULT_H_
