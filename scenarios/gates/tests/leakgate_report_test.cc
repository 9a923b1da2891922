// leakgate-report, the program whose exit status is the main command's
// verdict: from directories of gate results as the gates write them, a
// clean run passes, and a red gate, a canary that did not fire, a hostile
// case over its budget, a test that left no result, and no results at all
// each fail the run, named in the table.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/base/json.h"
#include "harness/test_util.h"
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

class LeakgateReportTest : public ::testing::Test {
 protected:
  void Add(const Json& result) {
    std::filesystem::create_directories(dir_.path() / "dev");
    goose::testing::WriteWholeFile(
        (dir_.path() / "dev" / (result["test"].get<std::string>() + ".json")).string(),
        JsonDump(result));
  }

  // Runs the reporter over dev=<dir>/dev; its exit code and stdout+stderr.
  std::pair<int, std::string> Report() {
    std::filesystem::create_directories(dir_.path() / "dev");
    Result<scenarios::ProgramRun> run = scenarios::RunToEnd(
        {GOOSE_LEAKGATE_REPORT_PATH, "--out", (dir_.path() / "out.json").string(), "--html",
         (dir_.path() / "out.html").string(), "dev=" + (dir_.path() / "dev").string()},
        {}, std::chrono::seconds(60));
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    if (!run.ok()) return {-1, ""};
    EXPECT_EQ(run->status.signal, 0) << "leakgate-report crashed: " << run->err_tail;
    return {run->status.exit_code, run->out + run->err_tail};
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

}  // namespace
}  // namespace goose
