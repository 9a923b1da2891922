// JUnit XML, the test-result format CI engines show (GitHub Actions through
// a reporter action, GitLab's `artifacts:reports:junit`, Jenkins): the
// verdicts of leakcheck and leakgate-report as test cases.
//
//   <testsuites name tests failures errors skipped time>
//     <testsuite name tests failures errors skipped time [timestamp] [hostname]>
//       <properties><property name value/>...</properties>     (when any)
//       <testcase classname name time>
//         <failure message type>TEXT</failure>     a leak or a budget overrun
//         <error message type>TEXT</error>         could not be judged
//         <skipped message/>                       not run here
//         <system-out>TEXT</system-out>            (when any)
//       </testcase>
//     </testsuite>
//   </testsuites>
//
// That is the subset every reader takes (the Ant/Jenkins schema's
// elements, no extensions); scenarios/report/tests/junit.xsd is its schema.

#ifndef GOOSE_SCENARIOS_REPORT_JUNIT_XML_H_
#define GOOSE_SCENARIOS_REPORT_JUNIT_XML_H_

#include <string>
#include <utility>
#include <vector>

namespace goose::scenarios {

struct JunitCase {
  enum class Outcome { kPassed, kFailure, kError, kSkipped };

  std::string classname;  // e.g. "leakcheck.builtin", "leakgate.asan"
  std::string name;       // the scenario or the gate test
  double seconds = 0;
  Outcome outcome = Outcome::kPassed;
  std::string message;  // the failure's, error's or skip's one-line reason
  std::string type;     // the failure's or error's kind ("leak", "over_budget", ...)
  std::string text;     // the failure's or error's body: every figure
  std::string system_out;
};

struct JunitSuite {
  std::string name;
  std::string timestamp;  // ISO 8601, "" for none
  std::string hostname;   // "" for none
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<JunitCase> cases;
};

// The whole document: an XML declaration, then <testsuites> named `name`
// holding `suites`, with every count and time summed. Every string goes
// through XmlEscape (xml_text.h).
std::string RenderJunit(const std::string& name, const std::vector<JunitSuite>& suites);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_REPORT_JUNIT_XML_H_
