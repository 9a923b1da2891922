// The benchmark gate: compares a Google Benchmark JSON run with the
// reference figures in bench/baselines/ and says which gated figure got
// worse than its tolerance allows.
//
// A baseline file (JSON):
//   {"command": "ci/bench --refresh", "date": "2026-11-29T07:00:00Z",
//    "spread": "how the tolerances were chosen",
//    "figures": [{"name": "reply_over_floor",
//                 "benchmark": "BM_RoundTrip/tools:0/real_time/threads:1",
//                 "counter": "reply_over_floor", "baseline": 1.31,
//                 "better": "lower", "tolerance": {"relative": 0.5, "absolute": 0.1},
//                 "gate": true, "target": 1.5}, ...]}
// A figure regresses when it is worse than baseline by more than
// relative * |baseline| + absolute ("lower" is better: now > limit;
// "higher": now < limit). "gate": false figures are shown, never fail.
// "target" (optional) is the bound, shown as met or missed.
//
// Benchmark names are matched after dropping the parts that only say how
// long a run was (min_time:, iterations:, repeats:), so the short pass and
// the full suite share one baseline. Several runs of one benchmark
// (repetitions) count as their median.

#ifndef GOOSE_BENCH_COMPARE_BENCH_COMPARE_H_
#define GOOSE_BENCH_COMPARE_BENCH_COMPARE_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"

namespace goose::bench {

struct GateFigure {
  std::string name;       // what the table and the verdict call it
  std::string benchmark;  // normalized benchmark name (see above)
  std::string counter;    // a counter of that benchmark, or "real_time"/"cpu_time"
  double baseline = 0;
  bool lower_is_better = true;
  double relative = 0;  // tolerance, fraction of |baseline|
  double absolute = 0;  // tolerance, in the figure's unit
  bool gate = true;
  std::optional<double> target;

  // The worst value that still passes.
  double Limit() const;
};

struct Baseline {
  std::string command;
  std::string date;
  std::vector<GateFigure> figures;
  Json document;  // the whole file, kept for RefreshBaseline
};

// Errors name the figure and field that is wrong.
Result<Baseline> ParseBaseline(const Json& json);

// "BM_X/a:1/min_time:0.500/real_time" -> "BM_X/a:1/real_time".
std::string NormalizeBenchmarkName(const std::string& name);

// Figures of one run: normalized benchmark name -> counter -> value
// (median over repetitions). Benchmarks that failed are listed in `errors`.
struct RunFigures {
  std::map<std::string, std::map<std::string, double>> values;
  std::map<std::string, std::string> errors;  // benchmark -> error message
};
Result<RunFigures> ParseRun(const Json& google_benchmark_json);

struct FigureResult {
  GateFigure figure;
  std::optional<double> now;  // nullopt: not in the run (a failure when gated)
  std::string missing_reason;
  bool regressed = false;  // gated and worse than Limit(), or missing
};

struct Comparison {
  std::vector<FigureResult> rows;
  bool passed() const;
  // Names of the figures that failed the gate.
  std::vector<std::string> failed() const;
};

Comparison Compare(const Baseline& baseline, const RunFigures& run);

// The table (figure, baseline, now, change, limit, target, verdict) and a
// last line "gate: PASSED" or "gate: FAILED: <figure>, ...".
std::string FormatComparison(const Comparison& comparison);

// The baseline with every figure's value replaced by the run's, and the
// command and date replaced. Error naming the figure when the run lacks a
// gated one; an ungated figure the run lacks keeps its old value.
Result<Json> RefreshBaseline(const Baseline& baseline, const RunFigures& run,
                             const std::string& command, const std::string& date);

}  // namespace goose::bench

#endif  // GOOSE_BENCH_COMPARE_BENCH_COMPARE_H_
