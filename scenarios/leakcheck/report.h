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

namespace goose::leakcheck {

// Where and what leakcheck ran: preset, heap backend of leakcheck's own
// build, compiler, library versions, kernel, machine, cpu count.
Json EnvironmentJson();

// {"kind": "builtin"|"command"|"attach", "command", "url", "pid", ...}.
Json TargetJson(const Options& options, const std::string& builtin_command);

// The whole document: title, created (UTC), verdict over `results`
// ("error" if any result has an error, else "leak" if any leaks, else
// "clean"), environment, target, results (ScenarioResult::ToJson() plus
// "heap_series" and, from profile, "heap_profile_svg"), and notes
// (skipped scenarios and why).
Json BuildReport(const Json& target, const std::vector<Json>& results,
                 const std::vector<std::string>& notes);

// The exit status for a report: kExitUsage on an error, kExitLeak on a
// leak, else kExitClean.
int ExitStatusOf(const Json& report);

// Writes DIR/report.json and DIR/report.html (making DIR). Errors name
// the file.
Status WriteReport(const std::filesystem::path& dir, const Json& report);

// One row per result: scenario, verdict, heap series and slope with its
// bound against the threshold, the leaking series, iterations, seconds.
std::string VerdictTable(const Json& report);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_REPORT_H_
