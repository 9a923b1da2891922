// leakgate-report, the program whose exit status is the main command's
// verdict: from directories of gate results as the gates write them, a
// clean run passes, and a red gate, a canary that did not fire, a hostile
// case over its budget, a test that left no result, and no results at all
// each fail the run, named in the table. Shards of a preset, each in its
// own folder, merge into the verdicts of one run; the JUnit file reads as
// a CI engine reads it (junit_check.h) and names what failed with its
// numbers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "core/base/json.h"
#include "harness/test_util.h"
#include "scenarios/report/tests/junit_check.h"
#include "scenarios/report/tests/sample_report.h"
#include "scenarios/targets/run_program.h"

namespace goose {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Json Gate(const std::string& test, const std::string& verdict) {
  return {{"test", test},
          {"kind", "gate"},
          {"results",
           {{{"scenario", "stream_drainage"},
             {"preset", "dev"},
             {"verdict", verdict},
             {"iterations", 40},
             {"leaking_series", Json::array()}}}}};
}

Json Canary(const std::string& test, const std::string& expected, Json leaking) {
  return {{"test", test},
          {"kind", "canary"},
          {"expected_series", expected},
          {"results",
           {{{"scenario", "stream_drainage"},
             {"preset", "dev"},
             {"verdict", leaking.empty() ? "clean" : "leak"},
             {"leaking_series", std::move(leaking)}}}}};
}

Json Peak(const std::string& test, const std::string& verdict) {
  return {{"test", test},
          {"kind", "peak"},
          {"results",
           {{{"scenario", test},
             {"preset", "dev"},
             {"verdict", verdict},
             {"heap_rise", 1 << 20},
             {"heap_budget", 32 << 20},
             {"rss_rise", 2 << 20},
             {"rss_budget", 32 << 20}}}}};
}

// A gate that leaked, with every figure of a real result: heap_bytes at
// 4096 [3686.4, 4505.6] B/iteration against 4, live_streams growing.
Json LeakingGate(const std::string& test) {
  Json result = scenarios::testing::SampleResult("summarization", true);
  result["preset"] = "dev";
  return {{"test", test}, {"kind", "gate"}, {"results", Json::array({std::move(result)})}};
}

class LeakgateReportTest : public ::testing::Test {
 protected:
  void Add(const Json& result, const std::string& folder = "dev") {
    std::filesystem::create_directories(dir_.path() / folder);
    goose::testing::WriteWholeFile(
        (dir_.path() / folder / (result["test"].get<std::string>() + ".json")).string(),
        JsonDump(result));
  }

  // Runs the reporter over `inputs` ("dev=<dir>/dev" by default), writing
  // <stem>.json, .html, .xml and .md; its exit code and stdout+stderr.
  std::pair<int, std::string> Report(std::vector<std::string> inputs = {},
                                     const std::string& stem = "out") {
    if (inputs.empty()) {
      std::filesystem::create_directories(dir_.path() / "dev");
      inputs = {"dev=" + (dir_.path() / "dev").string()};
    }
    std::vector<std::string> argv = {GOOSE_LEAKGATE_REPORT_PATH,
                                     "--out",
                                     Path(stem + ".json"),
                                     "--html",
                                     Path(stem + ".html"),
                                     "--junit=" + Path(stem + ".xml"),
                                     "--markdown",
                                     Path(stem + ".md")};
    argv.insert(argv.end(), inputs.begin(), inputs.end());
    Result<scenarios::ProgramRun> run = scenarios::RunToEnd(argv, {}, std::chrono::seconds(60));
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    if (!run.ok()) return {-1, ""};
    EXPECT_EQ(run->status.signal, 0) << "leakgate-report crashed: " << run->err_tail;
    return {run->status.exit_code, run->out + run->err_tail};
  }

  std::string Path(const std::string& name) const { return (dir_.path() / name).string(); }
  std::string Input(const std::string& label, const std::string& folder) const {
    std::filesystem::create_directories(dir_.path() / folder);
    return label + "=" + Path(folder);
  }
  Json Output(const std::string& stem = "out") const {
    return Json::parse(goose::testing::ReadWholeFile(dir_.path() / (stem + ".json")));
  }

  // The failures the report names (its JSON; stderr says the same).
  std::string Failures() {
    const Json out = Json::parse(goose::testing::ReadWholeFile(dir_.path() / "out.json"));
    return JsonDump(out["failures"]);
  }

  void AddCleanRun() {
    Add(Gate("LeakGate.StreamDrainage", "clean"));
    Add(Canary("LeakGate.CanaryStreamDrainageUnderPartialDrain", "live_streams",
               Json::array({"live_streams", "heap_bytes"})));
    Add(Peak("HostileGate.ChunkedBodyIsRefused", "within"));
  }

  goose::testing::ScopedTempDir dir_;
};

TEST_F(LeakgateReportTest, ACleanRunPasses) {
  AddCleanRun();
  auto [code, text] = Report();
  EXPECT_EQ(code, 0) << text;
  EXPECT_THAT(text, Not(HasSubstr("FAIL"))) << text;
  const Json out = Json::parse(goose::testing::ReadWholeFile(dir_.path() / "out.json"));
  EXPECT_EQ(out["passed"], true);
  EXPECT_TRUE(std::filesystem::exists(dir_.path() / "out.html"));
}

TEST_F(LeakgateReportTest, ARedGateFailsTheRun) {
  AddCleanRun();
  Add(Gate("LeakGate.Summarization", "leak"));
  auto [code, text] = Report();
  EXPECT_EQ(code, 1) << text;
  EXPECT_EQ(Failures(), "[\"LeakGate.Summarization (dev)\"]");
  EXPECT_THAT(text, HasSubstr("FAIL"));
}

TEST_F(LeakgateReportTest, ACanaryThatDidNotFireFailsTheRun) {
  AddCleanRun();
  Add(Canary("LeakGate.CanaryTimeoutReapingUnderNoReap", "sessions", Json::array()));
  auto [code, text] = Report();
  EXPECT_EQ(code, 1) << text;
  EXPECT_EQ(Failures(), "[\"LeakGate.CanaryTimeoutReapingUnderNoReap (dev)\"]");
}

TEST_F(LeakgateReportTest, ACanaryThatFiredOnAnotherSeriesFailsTheRun) {
  AddCleanRun();
  Add(Canary("LeakGate.CanaryExtensionOrphansUnderLeakChild", "child_processes",
             Json::array({"open_fds"})));
  auto [code, text] = Report();
  EXPECT_EQ(code, 1) << text;
  EXPECT_EQ(Failures(), "[\"LeakGate.CanaryExtensionOrphansUnderLeakChild (dev)\"]");
}

TEST_F(LeakgateReportTest, AHostileCaseOverItsBudgetFailsTheRun) {
  AddCleanRun();
  Add(Peak("HostileGate.OneHugeDeltaFailsTheReply", "over"));
  auto [code, text] = Report();
  EXPECT_EQ(code, 1) << text;
  EXPECT_THAT(text, HasSubstr("OVER"));
  EXPECT_EQ(Failures(), "[\"HostileGate.OneHugeDeltaFailsTheReply (dev)\"]");
}

TEST_F(LeakgateReportTest, ATestThatLeftNoResultFailsTheRun) {
  AddCleanRun();
  // What harness/gate_report.h's started mark leaves when a test crashes.
  Add({{"test", "LeakGate.ServerSigkill"}, {"kind", "incomplete"}, {"results", Json::array()}});
  auto [code, text] = Report();
  EXPECT_EQ(code, 1) << text;
  EXPECT_EQ(Failures(), "[\"LeakGate.ServerSigkill (no result)\"]");
  EXPECT_THAT(text, HasSubstr("no result"));
}

TEST_F(LeakgateReportTest, NoResultsAtAllFailTheRun) {
  auto [code, text] = Report();
  EXPECT_EQ(code, 1) << text;
  const Json out = Json::parse(goose::testing::ReadWholeFile(dir_.path() / "out.json"));
  EXPECT_EQ(out["passed"], false);
}

// --- shards -------------------------------------------------------------

// A run of every kind of result, each a <test>.json as the gates write it.
std::vector<Json> MixedRun() {
  return {Gate("LeakGate.StreamDrainage", "clean"),
          Gate("LeakGate.TimeoutReaping", "clean"),
          Canary("LeakGate.CanaryStreamDrainageUnderPartialDrain", "live_streams",
                 Json::array({"live_streams", "heap_bytes"})),
          Canary("LeakGate.CanaryTimeoutReapingUnderNoReap", "sessions", Json::array({"sessions"})),
          Peak("HostileGate.ChunkedBodyIsRefused", "within"),
          Peak("HostileGate.OneHugeDeltaFailsTheReply", "within"),
          Gate("LeakGate.Summarization", "clean")};
}

// `document` without the shard tags the merge adds.
Json WithoutShards(Json document) {
  for (Json& run : document["runs"]) {
    run.erase("shard");
    for (Json& r : run["results"]) r.erase("shard");
  }
  return document;
}

// Each test case of a JUnit file (ReadJunit's) as "classname name outcome
// message".
std::vector<std::string> CaseLines(const Json& junit) {
  std::vector<std::string> lines;
  for (const Json& suite : junit.value("suites", Json::array())) {
    for (const Json& c : suite["cases"]) {
      lines.push_back(c.value("classname", "") + " " + c.value("name", "") + " " +
                      c.value("outcome", "") + " " + c.value("message", ""));
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

TEST_F(LeakgateReportTest, ShardsMergeIntoTheVerdictsOfOneRun) {
  if (std::string missing = goose::testing::MissingJunitTools(); !missing.empty()) {
    GOOSE_SKIP_UNLESS_CI(missing);
  }
  const std::vector<Json> run = MixedRun();
  for (size_t i = 0; i < run.size(); ++i) {
    Add(run[i], "single");
    Add(run[i], "shard" + std::to_string(i % 3 + 1));  // round robin, as ctest -I 1,0,3 does
  }
  auto [single_code, single_text] = Report({Input("dev", "single")}, "single");
  auto [merged_code, merged_text] = Report(
      {Input("dev:1of3", "shard1"), Input("dev:2of3", "shard2"), Input("dev:3of3", "shard3")},
      "merged");
  EXPECT_EQ(single_code, 0) << single_text;
  EXPECT_EQ(merged_code, single_code) << merged_text;
  const Json single = Output("single"), merged = Output("merged");
  EXPECT_EQ(merged["verdict"], "clean");
  // The same results, in the same order, judged alike: only the tags differ.
  EXPECT_EQ(JsonDump(WithoutShards(merged)["runs"]), JsonDump(single["runs"]));
  EXPECT_EQ(merged["failures"], single["failures"]);
  EXPECT_EQ(merged["passed"], single["passed"]);
  EXPECT_EQ(CaseLines(goose::testing::ReadJunit(Path("merged.xml"))),
            CaseLines(goose::testing::ReadJunit(Path("single.xml"))));
  // Each result says where it came from: the JSON, the table, the HTML.
  for (const Json& r : merged["runs"]) EXPECT_TRUE(r.contains("shard")) << JsonDump(r);
  EXPECT_THAT(merged_text, HasSubstr("2of3"));
  const std::string html = goose::testing::ReadWholeFile(Path("merged.html"));
  EXPECT_THAT(html, HasSubstr("<th>shard</th>"));
  EXPECT_THAT(html, HasSubstr("<td>3of3</td>"));
}

TEST_F(LeakgateReportTest, APlantedLeakInOneShardMakesTheMergedVerdictALeak) {
  if (std::string missing = goose::testing::MissingJunitTools(); !missing.empty()) {
    GOOSE_SKIP_UNLESS_CI(missing);
  }
  const std::vector<Json> run = MixedRun();
  for (size_t i = 0; i < run.size(); ++i) {
    if (run[i]["test"] != "LeakGate.Summarization")
      Add(run[i], "shard" + std::to_string(i % 2 + 1));
  }
  Add(LeakingGate("LeakGate.Summarization"), "shard2");
  auto [code, text] = Report({Input("dev:1of2", "shard1"), Input("dev:2of2", "shard2")});
  EXPECT_EQ(code, 1) << text;
  const Json out = Output();
  EXPECT_EQ(out["verdict"], "leak");
  EXPECT_EQ(out["passed"], false);
  EXPECT_EQ(Failures(), "[\"LeakGate.Summarization (dev)\"]");

  // The JUnit file: the failing case with its series and numbers.
  const Json junit = goose::testing::ReadJunit(Path("out.xml"));
  const Json failed = goose::testing::JunitCase(junit, "LeakGate.Summarization");
  ASSERT_TRUE(failed.is_object()) << JsonDump(junit);
  EXPECT_EQ(failed["classname"], "leakgate.dev");
  EXPECT_EQ(failed["outcome"], "failure");
  EXPECT_EQ(failed["type"], "leak");
  const std::string message = failed["message"];
  EXPECT_THAT(message, HasSubstr("heap_bytes: slope 4096 B/iteration, 99% bounds "
                                 "[3686.4, 4505.6], threshold 4 B/iteration"));
  EXPECT_THAT(message, HasSubstr("live_streams: slope 1 /iteration"));
  EXPECT_THAT(failed["system_out"].get<std::string>(), HasSubstr("shard: 2of2"));
  EXPECT_EQ(junit["suites"][0]["failures"], 1);
  EXPECT_EQ(junit["suites"][0]["tests"], static_cast<int>(run.size()));

  // The Markdown summary: the verdict, the row, the worst slope, the link.
  const std::string md = goose::testing::ReadWholeFile(Path("out.md"));
  EXPECT_THAT(md, HasSubstr("## leak gates: **LEAK**"));
  EXPECT_THAT(md, HasSubstr("| dev | 2of2 | gate | summarization |"));
  EXPECT_THAT(md, HasSubstr("| summarization | dev | heap_bytes | 4 KiB |"));
  EXPECT_THAT(md, HasSubstr("[out.html](out.html)"));
}

TEST_F(LeakgateReportTest, ATestInTwoShardsWithDifferentResultsIsAnError) {
  Add(Gate("LeakGate.StreamDrainage", "clean"), "shard1");
  Add(Gate("LeakGate.StreamDrainage", "leak"), "shard2");
  auto [code, text] = Report({Input("dev:1of2", "shard1"), Input("dev:2of2", "shard2")});
  EXPECT_EQ(code, 2) << text;
  EXPECT_THAT(text, HasSubstr("LeakGate.StreamDrainage of preset dev is in shard 1of2"));
  EXPECT_THAT(text, HasSubstr("and in shard 2of2"));
  EXPECT_THAT(text, HasSubstr("with different results"));
  EXPECT_FALSE(std::filesystem::exists(Path("out.json")));
}

TEST_F(LeakgateReportTest, ATestInTwoShardsWithIdenticalResultsCountsOnce) {
  Add(Gate("LeakGate.StreamDrainage", "clean"), "shard1");
  Add(Gate("LeakGate.StreamDrainage", "clean"), "shard2");
  auto [code, text] = Report({Input("dev:1of2", "shard1"), Input("dev:2of2", "shard2")});
  EXPECT_EQ(code, 0) << text;
  const Json out = Output();
  ASSERT_EQ(out["runs"].size(), 1u);
  EXPECT_EQ(out["runs"][0]["shard"], "1of2, 2of2");
}

TEST_F(LeakgateReportTest, AMissingShardFolderIsAnError) {
  Add(Gate("LeakGate.StreamDrainage", "clean"), "shard1");
  auto [code, text] = Report({Input("dev:1of2", "shard1"), "dev:2of2=" + Path("never-written")});
  EXPECT_NE(code, 0) << text;
  EXPECT_THAT(text, HasSubstr("dev:2of2"));
  EXPECT_THAT(text, HasSubstr("does not exist"));
}

TEST_F(LeakgateReportTest, AnInputWithoutPresetOrShardIsRefused) {
  for (const std::string& bad :
       std::vector<std::string>{"dev:=" + Path("x"), ":1of2=" + Path("x"), "dev=", "dev"}) {
    auto [code, text] = Report({bad});
    EXPECT_EQ(code, 2) << bad << ": " << text;
    EXPECT_THAT(text, HasSubstr("usage: leakgate-report")) << bad;
  }
}

// Every way a result can fail, as JUnit: a canary that did not fire, a
// test without a result, a hostile case over its budget, a gate that
// could not be judged.
TEST_F(LeakgateReportTest, TheJunitFileNamesEveryKindOfFailure) {
  if (std::string missing = goose::testing::MissingJunitTools(); !missing.empty()) {
    GOOSE_SKIP_UNLESS_CI(missing);
  }
  AddCleanRun();
  Add(Canary("LeakGate.CanaryTimeoutReapingUnderNoReap", "sessions", Json::array()));
  Add({{"test", "LeakGate.ServerSigkill"}, {"kind", "incomplete"}, {"results", Json::array()}});
  Add(Peak("HostileGate.OneHugeDeltaFailsTheReply", "over"));
  Json error = Gate("LeakGate.ExtensionOrphans", "error");
  error["results"][0]["error"] = "the server did not answer <POST /session/start> \x1b[31m";
  Add(error);
  auto [code, text] = Report();
  EXPECT_EQ(code, 1) << text;
  const Json junit = goose::testing::ReadJunit(Path("out.xml"));
  ASSERT_TRUE(junit.is_object());
  EXPECT_EQ(junit["suites"][0]["name"], "leakgate.dev");
  EXPECT_EQ(junit["suites"][0]["failures"], 2);
  EXPECT_EQ(junit["suites"][0]["errors"], 2);

  const Json canary = goose::testing::JunitCase(junit, "LeakGate.CanaryTimeoutReapingUnderNoReap");
  EXPECT_EQ(canary["outcome"], "failure");
  EXPECT_THAT(canary["message"].get<std::string>(),
              HasSubstr("canary must leak in sessions; it did not (verdict clean)"));
  const Json missing = goose::testing::JunitCase(junit, "LeakGate.ServerSigkill");
  EXPECT_EQ(missing["outcome"], "error");
  EXPECT_THAT(missing["message"].get<std::string>(), HasSubstr("no result"));
  const Json over = goose::testing::JunitCase(junit, "HostileGate.OneHugeDeltaFailsTheReply");
  EXPECT_EQ(over["outcome"], "failure");
  EXPECT_EQ(over["type"], "over_budget");
  EXPECT_THAT(over["message"].get<std::string>(),
              HasSubstr("heap peak +1.00 MiB (budget +32.00 MiB)"));
  const Json broken = goose::testing::JunitCase(junit, "LeakGate.ExtensionOrphans");
  EXPECT_EQ(broken["outcome"], "error");
  // Escaped, and the ANSI escape (not allowed in XML 1.0) replaced.
  EXPECT_THAT(broken["message"].get<std::string>(),
              HasSubstr("did not answer <POST /session/start> \xEF\xBF\xBD[31m"));
  const Json passed = goose::testing::JunitCase(junit, "LeakGate.StreamDrainage");
  EXPECT_EQ(passed["outcome"], "passed");
}

}  // namespace
}  // namespace goose
