// What a CI job says about a result that is not clean, from its JSON
// (ScenarioResult::ToJson(), scenarios/runner/scenario_result.h): the
// failing series with the slope, its bounds and the threshold, a peak over
// its budget, the error. The JUnit files of leakcheck and leakgate-report
// carry these as a failure's message and body. A field that is missing or
// mistyped prints as "-", never throws.

#ifndef GOOSE_SCENARIOS_REPORT_VERDICT_MESSAGE_H_
#define GOOSE_SCENARIOS_REPORT_VERDICT_MESSAGE_H_

#include <string>

#include "core/base/json.h"

namespace goose::scenarios {

// One series' figures: "heap_bytes: slope 4096 B/iteration, 99% bounds
// [3686.4, 4505.6], threshold 4 B/iteration" for a heap series;
// "live_streams: slope 1 /iteration, 99% bounds [0.9, 1.1], baseline 0,
// settled 39 (zero tolerance)" for a counted one. `confidence` is the
// result's "slope_confidence" (0.99 when it is not a number).
std::string SeriesFigures(const Json& series, const Json& confidence = Json());

// Where the result's heap threshold came from when it is the user's
// (leakcheck --thresholds FILE: the result has "heap_threshold_file"):
// "heap threshold 2048 B/iteration from FILE: REASON"; "" for a built-in
// threshold or a scenario's own.
std::string ThresholdFromFile(const Json& result);

// One line: why the result is not clean. "leak: " and the figures of
// every leaking series (and LeakSanitizer's reports; a heap threshold
// from a thresholds file with ThresholdFromFile's words); "over budget: " and
// the peaks against their budgets; "error: " and the error; "skipped: "
// and the reason; "" for a clean result.
std::string VerdictMessage(const Json& result);

// Every judged figure of the result, one per line: each heap and counted
// series (SeriesFigures, then its verdict), the peak and its budget, the
// error, the violations, LeakSanitizer's count.
std::string VerdictDetail(const Json& result);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_VERDICT_MESSAGE_H_
