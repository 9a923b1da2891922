// leakgate-report's judgement of the merged gate results (leakgate_inputs.h):
// a gate must be clean, a canary must leak in its expected series, a
// hostile case must stay within its budget, and a test that left only its
// started mark failed. Every output (the terminal tables, the JSON, the
// HTML page, the JUnit file, the Markdown summary) renders these.

#ifndef GOOSE_SCENARIOS_GATES_LEAKGATE_VERDICTS_H_
#define GOOSE_SCENARIOS_GATES_LEAKGATE_VERDICTS_H_

#include <string>
#include <vector>

#include "core/base/json.h"

namespace goose::gates {

using Cells = std::vector<std::string>;

// One judged result: a gate's or canary's scenario result, a hostile
// case, or a test without a result.
struct GateOutcome {
  std::string preset;            // the input's preset
  std::string shard;             // "" when not sharded
  std::string test;              // "LeakGate.StreamDrainage"
  std::string kind;              // gate, canary, peak, incomplete
  std::string expected_series;   // a canary's
  Json result = Json::object();  // the scenario result (empty for incomplete)
  bool ok = false;
};

struct GateVerdicts {
  std::vector<GateOutcome> outcomes;  // peaks, then incomplete, then gates and canaries
  Cells head, peak_head;              // with a "shard" column when sharded
  std::vector<Cells> rows;            // gates, canaries and tests without a result
  std::vector<Cells> peak_rows;       // the hostile cases' peaks
  Json failures = Json::array();      // "<test> (<preset>)" of each that failed
  Json peaks = Json::array();         // the hostile cases' results
  Json html_results = Json::array();  // each gate or canary result with "gate" and "note"
  bool gate_leaked = false;           // a gate (not a canary) leaked
  bool peak_over = false;             // a hostile case went over its budget

  bool passed() const { return failures.empty() && !rows.empty(); }
  // clean when passed; else leak when a gate leaked, over_budget when a
  // hostile case went over its budget, else error.
  std::string verdict() const {
    if (passed()) return "clean";
    if (gate_leaked) return "leak";
    return peak_over ? "over_budget" : "error";
  }
};

GateVerdicts JudgeGateRuns(const Json& runs, bool sharded);

}  // namespace goose::gates

#endif  // GOOSE_SCENARIOS_GATES_LEAKGATE_VERDICTS_H_
