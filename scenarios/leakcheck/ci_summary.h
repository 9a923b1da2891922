// leakcheck's verdicts where a CI engine shows results (--junit FILE,
// --markdown FILE): the report (report.h's document) as JUnit XML, one
// test case per scenario, and as a Markdown summary.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_CI_SUMMARY_H_
#define GOOSE_SCENARIOS_LEAKCHECK_CI_SUMMARY_H_

#include <filesystem>
#include <string>

#include "core/base/json.h"
#include "core/base/status.h"
#include "scenarios/leakcheck/options.h"

namespace goose::leakcheck {

// One <testsuite> named "leakcheck.<target kind>" (builtin, command,
// attach, mcp), one <testcase> per result with classname
// "leakcheck.<target kind>" and the scenario as its name: clean passes; a
// leak or a peak over its budget is a <failure> whose message names the
// failing series with its slope, bounds and threshold (verdict_message.h)
// and whose body has every judged figure; an error is an <error>; a
// skipped scenario is <skipped/> with the reason. A heap threshold from a
// --thresholds file is named with its reason in the case's <system-out>
// (and in a heap leak's message).
std::string ReportJunit(const Json& report);

// The overall verdict, the verdict table (the terminal's rows), the
// errors and skips, each heap threshold from a --thresholds file with its
// reason, the worst slopes, and `html_link` (the report page,
// relative to the Markdown file) when not empty.
std::string ReportMarkdown(const Json& report, const std::string& html_link);

// Writes o.junit_file and o.markdown_file when set (making their
// folders); the Markdown links o.report_dir/report.html relative to its
// own folder. Errors name the file.
Status WriteCiSummaries(const Options& o, const Json& report);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_CI_SUMMARY_H_
