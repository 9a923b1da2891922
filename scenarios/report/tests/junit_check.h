// For a test that checks a JUnit file as a CI engine reads it: parsed by
// Python's xml.etree with the structural rules of junit_reader.py, and
// validated against junit.xsd by xmllint (Debian's libxml2-utils, which
// ci/install-deps installs).
//
//   if (std::string missing = MissingJunitTools(); !missing.empty())
//     GOOSE_SKIP_UNLESS_CI(missing);   // a failure under CI=true
//   const Json junit = ReadJunit(path);  // {"suites": [{"cases": [...]}]}
//
// The target defines GOOSE_JUNIT_CHECK_DIR (this folder) and links the
// library of scenarios/targets/run_program.h.

#ifndef GOOSE_SCENARIOS_REPORT_TESTS_JUNIT_CHECK_H_
#define GOOSE_SCENARIOS_REPORT_TESTS_JUNIT_CHECK_H_

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "core/base/json.h"
#include "scenarios/targets/run_program.h"

namespace goose::testing {

// "" when python3 and xmllint are both on PATH; else what is missing and
// how to install it.
inline std::string MissingJunitTools() {
  std::string missing;
  if (!scenarios::ProgramExists("python3")) missing += "python3 (apt-get install python3) ";
  if (!scenarios::ProgramExists("xmllint")) missing += "xmllint (apt-get install libxml2-utils) ";
  return missing.empty() ? "" : "not installed: " + missing + "(ci/install-deps installs both)";
}

// The file read by junit_reader.py, after xmllint validated it against
// junit.xsd. Fails the calling test, and returns null, when either says
// it is not a JUnit file.
inline Json ReadJunit(const std::filesystem::path& file) {
  const std::filesystem::path dir = GOOSE_JUNIT_CHECK_DIR;
  Result<scenarios::ProgramRun> valid = scenarios::RunToEnd(
      {"xmllint", "--noout", "--schema", (dir / "junit.xsd").string(), file.string()}, {},
      std::chrono::seconds(60));
  EXPECT_TRUE(valid.ok()) << valid.status().ToString();
  if (!valid.ok()) return nullptr;
  EXPECT_EQ(valid->status.exit_code, 0)
      << "xmllint: " << file << " is not valid against junit.xsd: " << valid->err_tail;
  Result<scenarios::ProgramRun> read = scenarios::RunToEnd(
      {"python3", (dir / "junit_reader.py").string(), file.string()}, {}, std::chrono::seconds(60));
  EXPECT_TRUE(read.ok()) << read.status().ToString();
  if (!read.ok()) return nullptr;
  EXPECT_EQ(read->status.exit_code, 0) << "junit_reader.py: " << read->err_tail;
  if (valid->status.exit_code != 0 || read->status.exit_code != 0) return nullptr;
  return Json::parse(read->out, nullptr, false);
}

// The test case of `junit` (ReadJunit's) with this name; null when none.
inline Json JunitCase(const Json& junit, const std::string& name) {
  if (!junit.is_object()) return nullptr;
  for (const Json& suite : junit.value("suites", Json::array())) {
    for (const Json& c : suite.value("cases", Json::array())) {
      if (c.value("name", "") == name) return c;
    }
  }
  return nullptr;
}

}  // namespace goose::testing

#endif  // GOOSE_SCENARIOS_REPORT_TESTS_JUNIT_CHECK_H_
