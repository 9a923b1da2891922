// Real gates, sharded the way a CI matrix runs them: leak_gates runs a few
// gates and canaries once whole and once as two GoogleTest shards
// (GTEST_TOTAL_SHARDS / GTEST_SHARD_INDEX), each into its own folder, one
// after the other; leakgate-report merges the shards into the verdicts of
// the whole run. A real canary's leaking result planted as a gate in one
// shard makes the merged verdict a leak, and its JUnit test case names
// the series with their numbers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/base/file_io.h"
#include "core/base/json.h"
#include "harness/test_util.h"
#include "scenarios/report/tests/junit_check.h"
#include "scenarios/targets/run_program.h"

namespace goose {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Two clean gates and two canaries, about 15 s in dev.
constexpr const char* kFilter =
    "LeakGate.StreamDrainage:LeakGate.ConcurrentSessions:"
    "LeakGate.CanaryStreamDrainageUnderPartialDrain:LeakGate.CanaryConcurrentSessionsUnderLeakFd";
constexpr const char* kCanary = "LeakGate.CanaryStreamDrainageUnderPartialDrain";

class LeakgateShardsTest : public ::testing::Test {
 protected:
  // Runs the gates (one shard of `total`, or all when total is 0) into
  // <dir>/<folder>.
  void RunGates(const std::string& folder, int total = 0, int index = 0) {
    std::map<std::string, std::string> env = {{"GOOSE_GATE_REPORT_DIR", Path(folder)}};
    if (total > 0) {
      env["GTEST_TOTAL_SHARDS"] = std::to_string(total);
      env["GTEST_SHARD_INDEX"] = std::to_string(index);
    }
    fs::create_directories(Path(folder));
    Result<scenarios::ProgramRun> run =
        scenarios::RunToEnd({GOOSE_LEAK_GATES_PATH, std::string("--gtest_filter=") + kFilter}, env,
                            std::chrono::seconds(300));
    ASSERT_TRUE(run.ok()) << run.status().ToString();
    ASSERT_EQ(run->status.exit_code, 0) << run->out << run->err_tail;
  }

  // Runs leakgate-report over `inputs`, writing <stem>.json and .xml.
  int Report(const std::vector<std::string>& inputs, const std::string& stem) {
    std::vector<std::string> argv = {GOOSE_LEAKGATE_REPORT_PATH, "--out", Path(stem + ".json"),
                                     "--junit", Path(stem + ".xml")};
    argv.insert(argv.end(), inputs.begin(), inputs.end());
    Result<scenarios::ProgramRun> run = scenarios::RunToEnd(argv, {}, std::chrono::seconds(60));
    EXPECT_TRUE(run.ok()) << run.status().ToString();
    return run.ok() ? run->status.exit_code : -1;
  }

  // Each test's verdicts in a merged report: "<test> <kind> <scenario>
  // <verdict>", in the report's order.
  std::vector<std::string> Verdicts(const std::string& stem) {
    std::vector<std::string> lines;
    const Json out = Json::parse(goose::testing::ReadWholeFile(Path(stem + ".json")));
    for (const Json& run : out["runs"]) {
      for (const Json& r : run["results"]) {
        lines.push_back(run.value("test", "") + " " + run.value("kind", "") + " " +
                        r.value("scenario", "") + " " + r.value("verdict", ""));
      }
    }
    return lines;
  }

  std::string Path(const std::string& name) const { return (dir_.path() / name).string(); }

  goose::testing::ScopedTempDir dir_;
};

TEST_F(LeakgateShardsTest, ShardsRunOneByOneMergeIntoTheVerdictsOfOneRun) {
  if (std::string missing = goose::testing::MissingJunitTools(); !missing.empty()) {
    GOOSE_SKIP_UNLESS_CI(missing);
  }
  ASSERT_NO_FATAL_FAILURE(RunGates("whole"));
  ASSERT_NO_FATAL_FAILURE(RunGates("shard1", 2, 0));
  ASSERT_NO_FATAL_FAILURE(RunGates("shard2", 2, 1));
  for (const std::string shard : {"shard1", "shard2"}) {
    EXPECT_FALSE(fs::is_empty(Path(shard))) << shard << " ran no test";
  }
  const std::string whole = "dev=" + Path("whole");
  const std::vector<std::string> shards = {"dev:1of2=" + Path("shard1"),
                                           "dev:2of2=" + Path("shard2")};
  EXPECT_EQ(Report({whole}, "whole"), 0);
  EXPECT_EQ(Report(shards, "merged"), 0);
  EXPECT_EQ(Verdicts("merged"), Verdicts("whole"));
  EXPECT_EQ(Verdicts("merged").size(), 4u);
  const Json merged = Json::parse(goose::testing::ReadWholeFile(Path("merged.json")));
  EXPECT_EQ(merged["verdict"], "clean");

  // Plant the canary's real leak, as a gate, in the shard it did not run in.
  const std::string from =
      fs::exists(fs::path(Path("shard1")) / (std::string(kCanary) + ".json")) ? "shard1" : "shard2";
  const std::string into = from == "shard1" ? "shard2" : "shard1";
  Json planted = Json::parse(
      goose::testing::ReadWholeFile(fs::path(Path(from)) / (std::string(kCanary) + ".json")));
  planted["test"] = "LeakGate.PlantedLeak";
  planted["kind"] = "gate";
  planted.erase("expected_series");
  goose::testing::WriteWholeFile(fs::path(Path(into)) / "LeakGate.PlantedLeak.json",
                                 JsonDump(planted));
  EXPECT_EQ(Report(shards, "planted"), 1);
  const Json out = Json::parse(goose::testing::ReadWholeFile(Path("planted.json")));
  EXPECT_EQ(out["verdict"], "leak");
  ASSERT_EQ(out["failures"].size(), 1u) << JsonDump(out["failures"]);
  EXPECT_THAT(out["failures"][0].get<std::string>(), HasSubstr("LeakGate.PlantedLeak"));

  const Json junit = goose::testing::ReadJunit(Path("planted.xml"));
  const Json failed = goose::testing::JunitCase(junit, "LeakGate.PlantedLeak");
  ASSERT_TRUE(failed.is_object()) << JsonDump(junit);
  EXPECT_EQ(failed["classname"], "leakgate.dev");
  EXPECT_EQ(failed["outcome"], "failure");
  const std::string message = failed["message"];
  EXPECT_THAT(message, HasSubstr("live_streams: slope "));
  EXPECT_THAT(message, HasSubstr("99% bounds ["));
  EXPECT_THAT(failed["system_out"].get<std::string>(),
              HasSubstr(std::string("shard: ") + (into == "shard1" ? "1of2" : "2of2")));
}

}  // namespace
}  // namespace goose
