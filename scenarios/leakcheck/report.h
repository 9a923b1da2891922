// The leakcheck report: the JSON document html_report.h describes
// (report.json), its HTML rendering (report.html), and the verdict table
// printed on stdout.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_REPORT_H_
#define GOOSE_SCENARIOS_LEAKCHECK_REPORT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "scenarios/leakcheck/options.h"
#include "scenarios/leakcheck/plan.h"
#include "scenarios/runner/scenario_result.h"

namespace goose::leakcheck {

// The whole document, a pure function of the plan and the results: title,
// created, verdict over every result (judge.h's DecideAll: leak over
// over_budget over error over clean; skipped results do not count),
// environment, target, and results (ScenarioResult::ToJson()). The
// terminal table (VerdictTable), report.json and report.html all render
// this one document.
Json BuildReport(const Plan& plan, const std::vector<scenarios::ScenarioResult>& results);

// The exit status for a report: kExitLeak on a leak or a peak over its
// budget, kExitUsage on an error, else kExitClean.
int ExitStatusOf(const Json& report);

// Writes DIR/report.json and DIR/report.html (making DIR). Errors name
// the file.
Status WriteReport(const std::filesystem::path& dir, const Json& report);

// One row per result: scenario, verdict, heap series and slope with its
// bound against the threshold, the leaking series, iterations, seconds;
// then each result's error, violations, skip reason and heap threshold
// from a --thresholds file (with its reason), the findings, and the
// overall verdict.
std::string VerdictTable(const Json& report);

// The table's heading and rows alone (VerdictTable prints them; the
// Markdown summary shows the same rows).
std::vector<std::string> VerdictTableHead();
std::vector<std::vector<std::string>> VerdictTableRows(const Json& report);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_REPORT_H_
