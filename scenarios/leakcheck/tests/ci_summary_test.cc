// leakcheck's verdicts for CI: a report with a result of every verdict kind
// as JUnit (read as a CI engine reads it, junit_check.h) and as Markdown,
// and the files --junit and --markdown write.

#include "scenarios/leakcheck/ci_summary.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/test_util.h"
#include "scenarios/leakcheck/report.h"
#include "scenarios/report/markdown_summary.h"
#include "scenarios/report/tests/junit_check.h"
#include "scenarios/runner/scenario_result.h"

namespace goose::leakcheck {
namespace {

using scenarios::ScenarioResult;
using scenarios::Series;
using ::testing::HasSubstr;

ScenarioResult Named(const std::string& name) {
  scenarios::ScenarioInfo info;
  info.name = name;
  return scenarios::NotRunResult(info, "dev", "", "");
}

// A report of one result of each verdict kind, the leak with figures.
Json OneOfEachKind(const std::string& target_kind) {
  ScenarioResult leak = Named("stream_drainage");
  scenarios::SeriesResult& heap = leak.series[static_cast<int>(Series::kHeapBytes)];
  heap.samples = {0, 100, 200, 300};
  heap.growth.estimate = {96.5, 90.25, 101.0};
  heap.threshold = 32;
  heap.leak = true;
  leak.seconds = 3.5;
  ScenarioResult over = Named("concurrent_sessions");
  over.peak_budget = {1024, 1024, true, "test"};
  over.peak.heap_before = 0;
  over.peak.heap_peak = 4096;
  ScenarioResult error = Named("summarization");
  error.error = "setup: the target <did not answer>";
  const ScenarioResult skipped =
      scenarios::NotRunResult({.name = "server_sigkill"}, "dev", "", "needs our goose-api");
  Plan plan;
  plan.created = "2026-12-07T10:00:00Z";
  plan.target = {{"kind", target_kind}, {"command", "./server --flag"}};
  return BuildReport(plan, {Named("timeout_reaping"), leak, over, error, skipped});
}

class CiSummaryTest : public ::testing::Test {
 protected:
  goose::testing::ScopedTempDir dir_;
};

TEST_F(CiSummaryTest, JunitHasOneCasePerScenarioAndTheLeakWithItsNumbers) {
  if (std::string missing = goose::testing::MissingJunitTools(); !missing.empty()) {
    GOOSE_SKIP_UNLESS_CI(missing);
  }
  Options o;
  o.report_dir = dir_.path() / "report";
  o.junit_file = dir_.path() / "ci" / "leakcheck.xml";
  ASSERT_TRUE(WriteCiSummaries(o, OneOfEachKind("command")).ok());
  const Json junit = goose::testing::ReadJunit(o.junit_file);
  ASSERT_TRUE(junit.is_object());
  ASSERT_EQ(junit["suites"].size(), 1u);
  const Json& suite = junit["suites"][0];
  EXPECT_EQ(suite["name"], "leakcheck.command");
  EXPECT_EQ(suite["tests"], 5);
  EXPECT_EQ(suite["failures"], 2);
  EXPECT_EQ(suite["errors"], 1);
  EXPECT_EQ(suite["skipped"], 1);
  EXPECT_EQ(suite["properties"].value("target.command", ""), "./server --flag") << JsonDump(junit);

  const Json leak = goose::testing::JunitCase(junit, "stream_drainage");
  EXPECT_EQ(leak["classname"], "leakcheck.command");
  EXPECT_EQ(leak["outcome"], "failure");
  EXPECT_EQ(leak["type"], "leak");
  EXPECT_EQ(leak["message"],
            "leak: heap_bytes: slope 96.5 B/iteration, 99% bounds [90.25, 101], threshold 32 "
            "B/iteration");
  EXPECT_DOUBLE_EQ(leak["time"].get<double>(), 3.5);
  const Json over = goose::testing::JunitCase(junit, "concurrent_sessions");
  EXPECT_EQ(over["outcome"], "failure");
  EXPECT_EQ(over["type"], "over_budget");
  EXPECT_THAT(over["message"].get<std::string>(), HasSubstr("heap +0.003906 MiB (budget +"));
  const Json error = goose::testing::JunitCase(junit, "summarization");
  EXPECT_EQ(error["outcome"], "error");
  EXPECT_EQ(error["message"], "error: setup: the target <did not answer>");
  const Json skipped = goose::testing::JunitCase(junit, "server_sigkill");
  EXPECT_EQ(skipped["outcome"], "skipped");
  EXPECT_EQ(skipped["message"], "needs our goose-api");
  EXPECT_EQ(goose::testing::JunitCase(junit, "timeout_reaping")["outcome"], "passed");
}

TEST_F(CiSummaryTest, MarkdownHasTheTerminalRowsTheWorstSlopeAndARelativeLink) {
  const Json report = OneOfEachKind("builtin");
  Options o;
  o.report_dir = dir_.path() / "leakcheck-report";
  o.markdown_file = dir_.path() / "summary" / "leakcheck.md";
  ASSERT_TRUE(WriteCiSummaries(o, report).ok());
  const std::string md = goose::testing::ReadWholeFile(o.markdown_file);
  EXPECT_THAT(md, HasSubstr("## leakcheck: **LEAK**"));
  // Every row of the terminal table, cell by cell.
  for (const std::vector<std::string>& row : VerdictTableRows(report)) {
    std::string line = "|";
    for (const std::string& cell : row) line += " " + scenarios::MarkdownCell(cell) + " |";
    EXPECT_THAT(md, HasSubstr(line + "\n"));
  }
  EXPECT_THAT(md, HasSubstr("| stream_drainage | dev | heap_bytes | 96.5 B | \\[90.2 B, 101 B\\] | "
                            "32 B | 302% | leak |"));
  EXPECT_THAT(md, HasSubstr("- server_sigkill: skipped: needs our goose-api"));
  EXPECT_THAT(md, HasSubstr("(../leakcheck-report/report.html)"));
}

}  // namespace
}  // namespace goose::leakcheck
