#include "scenarios/gates/leakgate_verdicts.h"

#include <algorithm>

#include "core/base/strings.h"
#include "scenarios/report/report_text.h"

namespace goose::gates {
namespace {

using scenarios::FixedOrDash;
using scenarios::HeapSlopeText;

// `json[key]`, or null when `json` is not an object or has no such key: a
// result written by an older or a crashed gate must not crash the report.
const Json& Field(const Json& json, const char* key) {
  static const Json kNull;
  if (!json.is_object()) return kNull;
  auto it = json.find(key);
  return it == json.end() ? kNull : *it;
}

std::string Mib(const Json& bytes) {
  return bytes.is_number() && bytes.get<double>() >= 0
             ? FixedOrDash(Json(bytes.get<double>() / (1 << 20)))
             : "-";
}

// The row's leading cells: the preset, and the shard when sharded.
Cells Lead(const Json& run, const Json& result, bool sharded) {
  const std::string preset = result.value("preset", run.value("preset", ""));
  if (!sharded) return {preset};
  return {preset, run.value("shard", "")};
}

Cells Joined(Cells lead, const Cells& rest) {
  lead.insert(lead.end(), rest.begin(), rest.end());
  return lead;
}

GateOutcome OutcomeOf(const Json& run, const Json& result, bool ok) {
  GateOutcome o;
  o.preset = run.value("preset", "");
  o.shard = run.value("shard", "");
  o.test = run.value("test", "?");
  o.kind = run.value("kind", "");
  o.expected_series = run.value("expected_series", "");
  o.result = result;
  o.ok = ok;
  return o;
}

std::string FailureName(const Json& run, const Json& result) {
  return run.value("test", "?") + " (" + result.value("preset", run.value("preset", "?")) + ")";
}

void JudgePeaks(const Json& run, bool sharded, GateVerdicts* v) {
  for (const Json& r : Field(run, "results")) {
    const std::string verdict = r.value("verdict", "");
    const bool within = verdict == "within";
    if (!within) v->failures.push_back(FailureName(run, r));
    if (verdict == "over") v->peak_over = true;
    v->peaks.push_back(r);
    v->outcomes.push_back(OutcomeOf(run, r, within));
    v->peak_rows.push_back(Joined(
        Lead(run, r, sharded),
        {r.value("scenario", ""), Mib(Field(r, "heap_rise")) + " / " + Mib(Field(r, "heap_budget")),
         Mib(Field(r, "rss_rise")) + " / " + Mib(Field(r, "rss_budget")),
         within ? "within" : "OVER", FixedOrDash(Field(r, "seconds")) + "s"}));
  }
}

// A test that wrote its started mark and no result: it crashed, was
// killed at its timeout, or failed before it measured. Never a pass.
void JudgeIncomplete(const Json& run, bool sharded, GateVerdicts* v) {
  v->failures.push_back(run.value("test", "?") + " (no result)");
  v->outcomes.push_back(OutcomeOf(run, Json::object(), false));
  Cells lead = sharded ? Cells{run.value("preset", "-"), run.value("shard", "-")}
                       : Cells{run.value("preset", "-")};
  v->rows.push_back(
      Joined(lead, {"-", run.value("test", "?"), "-", "-", "-", "no result", "FAIL", "-"}));
}

// A gate must be clean; a canary must leak, in its expected series.
void JudgeGateOrCanary(const Json& run, const std::string& kind, bool sharded, GateVerdicts* v) {
  const std::string expected = run.value("expected_series", "");
  for (const Json& r : Field(run, "results")) {
    std::string slope = "-", counted;
    for (const Json& s : Field(r, "series")) {
      if (Field(s, "kind") == "heap" && Field(s, "slope").is_number()) slope = HeapSlopeText(s);
      if (Field(s, "kind") == "counted" && Field(s, "verdict") == "leak") {
        AppendJoined(&counted, ",", Field(s, "name").get<std::string>());
      }
    }
    if (r.value("lsan_leaks", 0) != 0) AppendJoined(&counted, ",", "lsan");
    const std::string verdict = r.value("verdict", "");
    bool ok = verdict == "clean";
    if (kind != "gate") {
      const Json& leaking = Field(r, "leaking_series");
      ok = verdict == "leak" &&
           std::find(leaking.begin(), leaking.end(), Json(expected)) != leaking.end();
    }
    if (!ok) v->failures.push_back(FailureName(run, r));
    if (kind == "gate" && verdict == "leak") v->gate_leaked = true;
    v->outcomes.push_back(OutcomeOf(run, r, ok));
    Json annotated = r;
    annotated["gate"] = ok ? "pass" : "FAIL";
    annotated["note"] =
        run.value("test", "?") +
        (kind == "gate" ? std::string(": must be clean") : ": canary, must leak in " + expected);
    v->html_results.push_back(std::move(annotated));
    v->rows.push_back(
        Joined(Lead(run, r, sharded),
               {kind, r.value("scenario", ""), std::to_string(r.value("iterations", 0)), slope,
                counted.empty() ? "-" : counted, verdict, ok ? "pass" : "FAIL",
                FixedOrDash(Field(r, "seconds")) + "s"}));
  }
}

}  // namespace

// Peaks first, then the tests without a result, then gates and canaries:
// the order of the tables and of the failures.
GateVerdicts JudgeGateRuns(const Json& runs, bool sharded) {
  GateVerdicts v;
  const Cells lead = sharded ? Cells{"preset", "shard"} : Cells{"preset"};
  v.head = Joined(lead, {"kind", "scenario", "iters", "heap slope B/iter [99% bound] vs threshold",
                         "counted grown", "verdict", "gate", "time"});
  v.peak_head = Joined(
      lead, {"hostile case", "heap peak MiB / budget", "rss peak MiB / budget", "verdict", "time"});
  for (const Json& run : runs) {
    if (run.value("kind", "") == "peak") JudgePeaks(run, sharded, &v);
  }
  for (const Json& run : runs) {
    if (run.value("kind", "") == "incomplete") JudgeIncomplete(run, sharded, &v);
  }
  for (const Json& run : runs) {
    const std::string kind = run.value("kind", "");
    if (kind != "peak" && kind != "incomplete") JudgeGateOrCanary(run, kind, sharded, &v);
  }
  return v;
}

}  // namespace goose::gates
