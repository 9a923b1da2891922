// leakgate-report's verdicts where a CI engine shows results (--junit,
// --markdown): one JUnit test case per gate result and preset, and a
// Markdown summary.

#ifndef GOOSE_SCENARIOS_GATES_LEAKGATE_CI_H_
#define GOOSE_SCENARIOS_GATES_LEAKGATE_CI_H_

#include <string>
#include <vector>

#include "scenarios/gates/leakgate_verdicts.h"

namespace goose::gates {

// One <testsuite> per preset named "leakgate.<preset>", one <testcase>
// per judged result (classname "leakgate.<preset>", name the test, and
// "/<scenario>" when a test has several results): a gate that leaked or a
// hostile case over its budget is a <failure> whose message names the
// failing series with its slope, bounds and threshold (or the peak and
// its budget); a canary that did not flag its series is a <failure>
// saying so; a result that is an error, or a test that left no result,
// is an <error>. Each case's <system-out> says its preset and shard and
// has every judged figure.
std::string GateJunit(const GateVerdicts& v, const std::vector<std::string>& presets,
                      const std::string& created);

// The overall verdict, the verdict table (the terminal's rows), what
// failed, the worst slopes of the gates (not the canaries, which leak on
// purpose), the hostile table collapsed, and `html_link` (relative to the
// Markdown file; "" for none).
std::string GateMarkdown(const GateVerdicts& v, const std::string& subtitle,
                         const std::string& html_link);

}  // namespace goose::gates

#endif  // GOOSE_SCENARIOS_GATES_LEAKGATE_CI_H_
