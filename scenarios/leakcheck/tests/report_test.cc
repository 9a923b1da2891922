// One verdict everywhere: for every kind of verdict, and for a heap
// profile that could not be taken, the terminal (the progress line and the
// verdict table), report.json and report.html say the same.

#include "scenarios/leakcheck/report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <map>

#include "scenarios/leakcheck/ci_summary.h"
#include "scenarios/leakcheck/hooks.h"
#include "scenarios/leakcheck/progress.h"
#include "scenarios/leakcheck/tests/fake_target.h"
#include "scenarios/report/html_report.h"
#include "scenarios/runner/judge.h"
#include "scenarios/runner/runner.h"

namespace goose::leakcheck {
namespace {

using scenarios::ScenarioResult;
using scenarios::Series;
using ::testing::HasSubstr;
using ::testing::Not;

ScenarioResult Result(const std::string& name) {
  scenarios::ScenarioInfo info;
  info.name = name;
  return scenarios::NotRunResult(info, "dev", "", "");
}

// A result of each verdict kind, as the runner's stages leave them.
std::map<std::string, ScenarioResult> OneOfEachKind() {
  std::map<std::string, ScenarioResult> r;
  r["clean"] = Result("a_clean_one");
  r["leak"] = Result("a_leaking_one");
  r["leak"].series[static_cast<int>(Series::kOpenFds)].leak = true;
  r["over_budget"] = Result("an_over_budget_one");
  r["over_budget"].peak_budget = {1024, 1024, true, "test"};
  r["over_budget"].peak.heap_before = 0;
  r["over_budget"].peak.heap_peak = 4096;
  r["error"] = Result("an_error");
  r["error"].error = "setup: unavailable";
  r["skipped"] = scenarios::NotRunResult({.name = "a_skipped_one"}, "dev", "", "not here");
  return r;
}

// What the progress display prints for `result`.
std::string TerminalLine(const ScenarioResult& result) {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  ProgressDisplay(out, /*terminal=*/false).ScenarioFinished(result);
  std::fclose(out);
  std::string line(text, size);
  std::free(text);
  return line;
}

// The verdict the verdict table gives `scenario` (its second column).
std::string TableVerdict(const std::string& table, const std::string& scenario) {
  const size_t at = table.find("\n" + scenario + " ");
  if (at == std::string::npos) return "";
  size_t start = table.find_first_not_of(' ', at + 1 + scenario.size());
  return table.substr(start, table.find(' ', start) - start);
}

// The badge of `scenario`'s row in report.html's verdict table.
std::string HtmlVerdict(const std::string& html, const std::string& scenario) {
  const size_t row = html.find(">" + scenario + "</a>");
  if (row == std::string::npos) return "";
  const std::string badge = "<span class=\"badge v-";
  const size_t at = html.find(badge, row);
  return html.substr(at + badge.size(), html.find('"', at + badge.size()) - at - badge.size());
}

void ExpectOneVerdict(const ScenarioResult& result, const std::string& expected) {
  EXPECT_EQ(result.Verdict(), expected);
  const std::string line = TerminalLine(result);
  EXPECT_THAT(line, HasSubstr(result.scenario + ": " + expected)) << line;
  Plan plan;
  const Json report = BuildReport(plan, {result});
  EXPECT_EQ(report["results"][0]["verdict"], expected);
  EXPECT_EQ(TableVerdict(VerdictTable(report), result.scenario), expected) << VerdictTable(report);
  EXPECT_EQ(HtmlVerdict(scenarios::RenderHtmlReport(report), result.scenario), expected);
}

TEST(Report, EveryVerdictKindReadsTheSameEverywhere) {
  for (const auto& [kind, result] : OneOfEachKind()) {
    SCOPED_TRACE(kind);
    ExpectOneVerdict(result, kind);
  }
}

TEST(Report, AFailedHeapProfileIsAnErrorEverywhere) {
  FakeTarget target;  // answers no profile
  HeapProfile profile(target, ::testing::TempDir(), "stream_drainage");
  profile.MeasuredStarting(target);
  profile.MeasuredFinished(target);
  ScenarioResult result = Result("stream_drainage");
  profile.Report(&result);
  EXPECT_THAT(result.error, HasSubstr("heap profile: the target has no GET /debug/heap"));
  ExpectOneVerdict(result, "error");
  Plan plan;
  EXPECT_EQ(ExitStatusOf(BuildReport(plan, {result})), kExitUsage);
}

// The same through the Runner: the hook's error reaches the result before
// any output is made of it, and the run itself goes on to the end.
TEST(Report, AHeapProfileThatFailsInARunIsAnErrorEverywhere) {
  FakeTarget target;  // answers no profile
  HeapProfile profile(target, ::testing::TempDir(), "counted");
  scenarios::ScenarioInfo info;
  info.name = "counted";
  info.warmup = 1;
  info.iterations = 3;
  CountingScenario scenario(info);
  scenarios::RunOptions run;
  run.settle_timeout = std::chrono::milliseconds(10);
  run.hooks.push_back(&profile);
  const ScenarioResult result = scenarios::Runner(run).RunOn(scenario, target);
  EXPECT_EQ(scenario.iterations(), 4);
  EXPECT_THAT(result.error, HasSubstr("heap profile: the target has no GET /debug/heap"));
  ExpectOneVerdict(result, "error");
}

TEST(Report, VerdictOfTheWholeRunAndItsExitStatus) {
  std::map<std::string, ScenarioResult> r = OneOfEachKind();
  Plan plan;
  auto verdict = [&](std::vector<ScenarioResult> results) {
    return BuildReport(plan, results)["verdict"].get<std::string>();
  };
  // A leak found anywhere is the verdict, in either order: a CI job must
  // read a leak as a leak even when another scenario could not finish.
  EXPECT_EQ(verdict({r["clean"], r["leak"]}), "leak");
  EXPECT_EQ(verdict({r["leak"], r["error"]}), "leak");
  EXPECT_EQ(verdict({r["error"], r["over_budget"]}), "over_budget");
  EXPECT_EQ(verdict({r["clean"], r["error"]}), "error");
  EXPECT_EQ(verdict({r["clean"], r["skipped"]}), "clean");
  EXPECT_EQ(verdict({r["skipped"]}), "error");  // nothing judged
  EXPECT_EQ(verdict({}), "error");
  EXPECT_EQ(ExitStatusOf(BuildReport(plan, {r["leak"]})), kExitLeak);
  EXPECT_EQ(ExitStatusOf(BuildReport(plan, {r["over_budget"]})), kExitLeak);
  EXPECT_EQ(ExitStatusOf(BuildReport(plan, {r["error"]})), kExitUsage);
  EXPECT_EQ(ExitStatusOf(BuildReport(plan, {r["clean"], r["skipped"]})), kExitClean);
  EXPECT_THAT(VerdictTable(BuildReport(plan, {r["skipped"]})),
              HasSubstr("a_skipped_one: skipped: not here"));
}

TEST(Report, DeviationsAreListedWithTheirCounts) {
  ScenarioResult result = Result("disconnects_and_failures");
  result.deviations = {{"POST /session/reply answered 200", 60},
                       {"a reply's message starts with \"Reply: \"", 3}};
  Plan plan;
  const Json r = BuildReport(plan, {result});
  EXPECT_EQ(ExitStatusOf(r), kExitClean);  // findings, not errors
  EXPECT_THAT(VerdictTable(r),
              HasSubstr("disconnects_and_failures: deviation (60x): POST /session/reply answered "
                        "200"));
  EXPECT_THAT(VerdictTable(r), HasSubstr("deviation (3x): a reply's message starts with"));
}

// A heap threshold from --thresholds FILE: every view names the file and
// the reason, with the threshold it set; a built-in one names no file.
TEST(Report, AThresholdFromAFileIsNamedWithItsReasonEverywhere) {
  ScenarioResult clean = Result("stream_drainage");
  clean.heap_threshold_reason = "our server caches 2 KiB per session";
  clean.heap_threshold_file = "mine.json";
  clean.series[static_cast<int>(Series::kHeapBytes)].threshold = 2048;
  ScenarioResult leak = Result("concurrent_sessions");
  leak.heap_threshold_reason = "sessions <keep> a little";
  leak.heap_threshold_file = "mine.json";
  scenarios::SeriesResult& heap = leak.series[static_cast<int>(Series::kHeapBytes)];
  heap.samples = {0, 100, 200, 300};
  heap.growth.estimate = {96.5, 90.25, 101.0};
  heap.threshold = 32;
  heap.leak = true;
  ScenarioResult built_in = Result("summarization");
  built_in.heap_threshold_reason = "the built-in row";
  Plan plan;
  plan.target = {{"kind", "builtin"}, {"thresholds", "mine.json"}};
  const Json report = BuildReport(plan, {clean, leak, built_in});
  const std::string clean_text =
      "heap threshold 2048 B/iteration from mine.json: our server caches 2 KiB per session";
  const std::string leak_text =
      "heap threshold 32 B/iteration from mine.json: sessions <keep> a little";
  EXPECT_EQ(report["results"][0]["heap_threshold_file"], "mine.json");
  EXPECT_FALSE(report["results"][2].contains("heap_threshold_file"));

  const std::string table = VerdictTable(report);
  EXPECT_THAT(table, HasSubstr("stream_drainage: " + clean_text + "\n"));
  EXPECT_THAT(table, HasSubstr("concurrent_sessions: " + leak_text + "\n"));
  EXPECT_THAT(table, Not(HasSubstr("summarization: heap threshold")));

  const std::string html = scenarios::RenderHtmlReport(report);
  EXPECT_THAT(html, HasSubstr(clean_text));
  EXPECT_THAT(html, HasSubstr("sessions &lt;keep&gt; a little"));
  EXPECT_THAT(html, HasSubstr("heap threshold: the built-in row"));

  const std::string junit = ReportJunit(report);
  EXPECT_THAT(junit, HasSubstr(clean_text));  // the clean case's system-out
  EXPECT_THAT(junit, HasSubstr("threshold 32 B/iteration (heap threshold 32 B/iteration from "
                               "mine.json: sessions &lt;keep&gt; a little)"));
  EXPECT_THAT(junit, HasSubstr("name=\"target.thresholds\" value=\"mine.json\""));

  const std::string md = ReportMarkdown(report, "");
  EXPECT_THAT(md, HasSubstr("stream_drainage: " + clean_text));
  EXPECT_THAT(md, HasSubstr("concurrent_sessions: leak: heap_bytes: slope 96.5 B/iteration"));
}

}  // namespace
}  // namespace goose::leakcheck
