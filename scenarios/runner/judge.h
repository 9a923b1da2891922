// The judge: the only place a verdict is made, from a run's samples and
// the thresholds.
//
//  - heap: Theil-Sen slope with a kSlopeConfidence interval; leak when the
//    lower bound exceeds the threshold of thresholds.h.
//  - counted (streams, sessions, agents, children, extensions, fds,
//    threads, descendants, mock streams): leak when the value after the
//    settle wait is above the baseline taken at rest after the warm-up.
//  - info: a slope for the report, never judged.
//  - the whole scenario: skipped when it did not run; else error when
//    anything could not be done; else leak when a series leaks,
//    LeakSanitizer reported unreachable memory or the scenario saw a
//    violation (a server that outlives its client); else over_budget when a
//    judged peak passed its budget; else clean.

#ifndef GOOSE_SCENARIOS_RUNNER_JUDGE_H_
#define GOOSE_SCENARIOS_RUNNER_JUDGE_H_

#include <array>
#include <string_view>
#include <vector>

#include "scenarios/runner/scenario_result.h"
#include "scenarios/runner/series.h"
#include "scenarios/runner/thresholds.h"

namespace goose::scenarios {

enum class Verdict { kClean, kLeak, kOverBudget, kError, kSkipped };

// "clean", "leak", "over_budget", "error", "skipped".
std::string_view VerdictName(Verdict verdict);

// The measured samples of every series (one vector per series, one value
// per measured iteration), the baseline at rest after the warm-up and the
// values after the settle wait.
struct SeriesSamples {
  std::array<std::vector<double>, kSeriesCount> samples;
  std::array<double, kSeriesCount> baseline{};
  std::array<double, kSeriesCount> settled{};
};

// Every series judged: samples, slope, threshold (`heap` for the heap
// series), leak flag and the reason in words.
std::array<SeriesResult, kSeriesCount> JudgeSeries(SeriesSamples samples,
                                                   const HeapThreshold& heap);

// The verdict of a whole result, from its facts (see the file comment).
Verdict Decide(const ScenarioResult& result);

// The verdict of many results together: leak over over_budget over error
// over clean; skipped ones do not count, and none judged at all is error.
Verdict DecideAll(const std::vector<Verdict>& verdicts);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_JUDGE_H_
