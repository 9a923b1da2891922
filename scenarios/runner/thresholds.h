// Every leak-gate threshold, in one table: per scenario and per heap
// backend (glibc, tcmalloc, sanitizer), with the reason for each value in
// thresholds.cc.
//
// A heap series leaks when the lower confidence bound of its Theil-Sen
// slope exceeds the threshold (bytes per measured iteration). Counted
// series have no threshold: their tolerance is zero net growth after the
// settle wait (runner.h).

#ifndef GOOSE_SCENARIOS_RUNNER_THRESHOLDS_H_
#define GOOSE_SCENARIOS_RUNNER_THRESHOLDS_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace goose::scenarios {

struct HeapThreshold {
  double bytes_per_iteration = 0;
  std::string_view reason;
  // When set, bytes_per_iteration is an allowance per request: the runner
  // multiplies it by the scenario's requests per iteration (leaks are per
  // request; so is the bounded growth of an interpreter's caches).
  bool per_request = false;
  // The thresholds file the row came from (leakcheck --thresholds); empty
  // for the built-in rows and a scenario's own.
  std::string_view file = {};
};

// One row of a threshold table: `scenario` and `backend` are names or "*".
struct ThresholdRow {
  std::string_view scenario;
  std::string_view backend;
  HeapThreshold threshold;
};

// The threshold for `scenario` under heap backend `backend` (as
// HeapGauge::Backend() names it, or an external server's heap kind). The
// user's rows (`user`: leakcheck --thresholds FILE) are read first, then
// the scenario's own (`own`: a scenario defined outside this folder keeps
// its table beside it, ScenarioInfo::heap_thresholds), then the built-in
// table; first match wins. No match: the default row, whose reason says
// so. The returned views point into the rows: they live as long as those.
HeapThreshold HeapThresholdFor(std::string_view scenario, std::string_view backend,
                               std::span<const ThresholdRow> own = {},
                               std::span<const ThresholdRow> user = {});

// Every heap backend name a threshold row can match: the in-process
// allocators (HeapGauge::Backend(): glibc, tcmalloc, sanitizer, tsan) and
// the heap kinds of a server watched from outside (malloc, pss,
// pss-tcmalloc, pss-sanitizer, v8).
std::span<const std::string_view> HeapBackendNames();

// How far above where they began a scenario's measured iterations may take
// the server's heap and resident memory (its peak-memory gate). Judged for
// a server in this process; for one watched from outside the peak of its
// resident memory is recorded, not judged (`judged` false).
struct PeakBudget {
  int64_t heap_bytes = 0;
  int64_t rss_bytes = 0;
  bool judged = false;
  std::string_view reason;
};
PeakBudget PeakBudgetFor(std::string_view scenario, std::string_view backend, bool in_process);

// The confidence level of the slope interval the verdicts use.
inline constexpr double kSlopeConfidence = 0.99;

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_THRESHOLDS_H_
