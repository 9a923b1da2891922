// What every leak gate asserts of a Runner's result (runner.h), and the
// record it leaves for leakgate-report: the scenario gates
// (leak_gates_test.cc) and the hardening gates (hardening/) share them, so
// a canary means the same thing wherever it runs.
//
// GoogleTest fixtures only (header only: it reads the current test's name).

#ifndef GOOSE_SCENARIOS_GATES_GATE_EXPECTATIONS_H_
#define GOOSE_SCENARIOS_GATES_GATE_EXPECTATIONS_H_

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/base/failpoint.h"
#include "harness/gate_report.h"
#include "scenarios/runner/runner.h"
#include "scenarios/targets/heap_profile.h"

namespace goose::scenarios {

// Writes `results` as the running test's result for leakgate-report (a
// no-op without GOOSE_GATE_REPORT_DIR). `kind` is "gate" or "canary"; a
// canary names the series it must have failed.
inline void ReportGateResults(const std::vector<ScenarioResult>& results, const std::string& kind,
                              const std::string& expected_series = "") {
  Json out = {{"test", testing::GateTestName()}, {"kind", kind}, {"results", Json::array()}};
  if (!expected_series.empty()) out["expected_series"] = expected_series;
  for (const ScenarioResult& r : results) out["results"].push_back(r.ToJson());
  testing::WriteGateReport(out);
}

// A canary run under `failpoint` must have made the gate say "leak", for
// `series` (not merely for some other reason), without an error. Prints
// and reports the result.
inline void ExpectCanaryFailed(const ScenarioResult& r, Failpoint failpoint, Series series) {
  const std::string fault(FailpointName(failpoint));
  EXPECT_TRUE(r.error.empty()) << r.Describe();
  EXPECT_EQ(r.Verdict(), "leak") << "the " << fault << " canary did not make the gate fail:\n"
                                 << r.Describe();
  EXPECT_TRUE(r.Leaks(series)) << "the " << fault << " canary failed the gate, but not on "
                               << SeriesName(series) << ":\n"
                               << r.Describe();
  std::printf("[canary] %s under %s: %s\n", r.scenario.c_str(), fault.c_str(),
              r.Describe().c_str());
  ReportGateResults({r}, "canary", std::string(SeriesName(series)));
}

// Heap canaries under heapprof must name the growing site: the function
// that holds the failpoint's allocations (InjectRequestFaults), not any
// diff with a total.
inline void ExpectAttribution(const ScenarioResult& r) {
  if (!HeapProfilingAvailable()) return;
  EXPECT_NE(r.heap_profile_diff.find("Total:"), std::string::npos) << r.heap_profile_diff;
  EXPECT_NE(r.heap_profile_diff.find("InjectRequestFaults"), std::string::npos)
      << "the profile diff does not name the growing site:\n"
      << r.heap_profile_diff;
}

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_GATES_GATE_EXPECTATIONS_H_
