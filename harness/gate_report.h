// Where a gate test writes its results for leakgate-report, and the mark
// that it started.
//
// With GOOSE_GATE_REPORT_DIR set (ci/leakgate sets it), each gate test
// writes <dir>/<suite>.<test>.json ('/' of parameterized names as '_').
// MarkGateStarted() writes that file first with kind "incomplete"; the
// test's result replaces it. A test that crashed, aborted or was killed at
// its timeout leaves the mark, and leakgate-report fails the run naming it:
// a gate whose result is missing is never counted as passed.
//
// GoogleTest fixtures only (header only: it reads the current test's name).

#ifndef GOOSE_HARNESS_GATE_REPORT_H_
#define GOOSE_HARNESS_GATE_REPORT_H_

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "core/base/file_io.h"
#include "core/base/json.h"

namespace goose::testing {

// "<suite>.<test>" of the running test.
inline std::string GateTestName() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

// The running test's result file; nullopt when GOOSE_GATE_REPORT_DIR is unset.
inline std::optional<std::filesystem::path> GateReportFile() {
  const char* dir = std::getenv("GOOSE_GATE_REPORT_DIR");  // NOLINT(concurrency-mt-unsafe)
  if (dir == nullptr || *dir == '\0') return std::nullopt;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  std::string file = GateTestName();
  for (char& c : file) c = c == '/' ? '_' : c;
  return std::filesystem::path(dir) / (file + ".json");
}

// Writes `document` as the running test's result (no-op without the dir).
inline void WriteGateReport(const Json& document) {
  if (std::optional<std::filesystem::path> file = GateReportFile()) {
    (void)WriteFile(*file, JsonDump(document) + "\n");
  }
}

// The mark a test's result replaces; see the header comment.
inline void MarkGateStarted() {
  WriteGateReport({{"test", GateTestName()}, {"kind", "incomplete"}, {"results", Json::array()}});
}

}  // namespace goose::testing

#endif  // GOOSE_HARNESS_GATE_REPORT_H_
