// leakcheck's plan: counts decided once, by one rule, and the note about a
// TTL waited out says how many iterations then run.

#include "scenarios/leakcheck/plan.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <regex>

#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/leakcheck/progress.h"
#include "scenarios/leakcheck/report.h"
#include "scenarios/leakcheck/run_stage.h"
#include "scenarios/leakcheck/tests/fake_target.h"
#include "scenarios/runner/runner.h"

namespace goose::leakcheck {
namespace {

using ::testing::HasSubstr;

Options CommandOptions() {
  Options o;
  o.command = Command::kRun;
  o.target = TargetKind::kCommand;
  o.target_command = "srv";
  o.target_argv = {"srv"};
  return o;
}

// The number N in "... in each of its N iterations ...".
int AnnouncedIterations(const std::string& note) {
  std::smatch m;
  if (!std::regex_search(note, m, std::regex("each of its ([0-9]+) iterations"))) return -1;
  return std::stoi(m[1]);
}

TEST(Plan, CountsAreTheRunnersOwn) {
  // Whatever the plan decides, the Runner given those counts runs them:
  // the one rule (CountsFor) maps its own output to itself.
  Options o = CommandOptions();
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    const scenarios::ScenarioInfo info = scenarios::MakeBuiltinScenario(name)->info();
    for (const char* heap : {"", "malloc", "pss"}) {
      const scenarios::IterationCounts c = PlanCounts(info, o, heap);
      const scenarios::IterationCounts again = scenarios::CountsFor(info, c.warmup, c.iterations);
      EXPECT_EQ(again.warmup, c.warmup) << name << " " << heap;
      EXPECT_EQ(again.iterations, c.iterations) << name << " " << heap;
    }
  }
  // An external PSS series is warmed up longer than the scenario's default.
  const scenarios::ScenarioInfo drain = scenarios::MakeBuiltinScenario("stream_drainage")->info();
  EXPECT_GT(PlanCounts(drain, o, "pss").warmup, drain.warmup);
  o.warmup = 3;
  EXPECT_EQ(PlanCounts(drain, o, "pss").warmup, 3);  // asked for: as asked
}

TEST(Plan, TtlNoteAnnouncesWhatRuns) {
  Options o = CommandOptions();
  o.ttl_env = "";  // the target cannot be told: its TTL is waited out
  o.session_ttl = 30;
  Result<Plan> plan = MakePlan(o);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  bool noted = false;
  for (const PlannedScenario& p : plan->scenarios) {
    const std::string note = TtlNote(p, o);
    if (note.empty()) continue;
    noted = true;
    EXPECT_EQ(AnnouncedIterations(note), p.counts.total()) << note;
  }
  EXPECT_TRUE(noted) << "timeout_reaping and extension_orphans wait out a 30 s TTL";

  // And the runner, given the planned counts, iterates exactly that often
  // (a scenario that waits for a reaper, on a target that does nothing).
  scenarios::ScenarioInfo info;
  info.name = "reaping_like";
  info.warmup = 3;
  info.iterations = 30;
  info.needs.session_ttl = true;
  PlannedScenario p;
  p.scenario = std::make_unique<CountingScenario>(info);
  p.counts = PlanCounts(info, o, "pss");
  const std::string note = TtlNote(p, o);
  ASSERT_THAT(note, HasSubstr("waits out"));
  scenarios::RunOptions run;
  run.warmup = p.counts.warmup;
  run.iterations = p.counts.iterations;
  run.settle_timeout = std::chrono::milliseconds(10);
  FakeTarget target;
  scenarios::ScenarioResult result = scenarios::Runner(run).RunOn(*p.scenario, target);
  EXPECT_EQ(static_cast<CountingScenario&>(*p.scenario).iterations(), AnnouncedIterations(note));
  EXPECT_EQ(result.warmup + result.iterations, AnnouncedIterations(note));
}

// The run stage itself: the note it prints before a scenario that waits
// out a TTL counts the iterations the scenario then sees, and the report
// says the same (an in-process server as the target: nothing waits).
TEST(RunStage, TheTtlNoteItPrintsCountsWhatRuns) {
  Options o = CommandOptions();
  o.ttl_env = "";
  o.session_ttl = 30;
  scenarios::ScenarioInfo info;
  info.name = "reaping_like";
  info.warmup = 3;
  info.iterations = 30;
  info.needs.session_ttl = true;
  auto counting = std::make_unique<CountingScenario>(info);
  const CountingScenario& scenario = *counting;
  Plan plan;
  plan.report_dir = ::testing::TempDir();
  PlannedScenario p;
  p.scenario = std::move(counting);
  p.target.kind = scenarios::TargetSpec::Kind::kInProcess;
  p.counts = PlanCounts(info, o, "");
  plan.scenarios.push_back(std::move(p));

  char* text = nullptr;
  size_t size = 0;
  std::FILE* err = open_memstream(&text, &size);
  std::vector<scenarios::ScenarioResult> results;
  {
    ProgressDisplay display(err, /*terminal=*/false);
    results = RunPlan(plan, o, display);
  }
  std::fclose(err);
  const std::string shown(text, size);
  std::free(text);
  ASSERT_EQ(results.size(), 1u) << shown;
  EXPECT_EQ(results[0].error, "") << shown;
  const int announced = AnnouncedIterations(shown);
  ASSERT_GT(announced, 0) << shown;
  // Plus a second window when this process's heap (the in-process target's)
  // rose over its threshold in the first: the output it wrote grows it.
  EXPECT_EQ(scenario.iterations(), announced + results[0].confirm_iterations) << shown;
  const Json report = BuildReport(plan, results);
  const Json& ran = report["results"][0];
  EXPECT_EQ(ran["warmup"].get<int>() + ran["iterations"].get<int>(), announced) << shown;
}

TEST(Plan, ScenariosATargetCannotRunAreSkippedWithTheReason) {
  Options o = CommandOptions();
  Result<Plan> plan = MakePlan(o);
  ASSERT_TRUE(plan.ok());
  bool sigkill_skipped = false;
  for (const PlannedScenario& p : plan->scenarios) {
    if (p.scenario->info().name == "server_sigkill") {
      sigkill_skipped = true;
      EXPECT_THAT(p.skipped_reason, HasSubstr("restarts our goose-api"));
    } else {
      EXPECT_EQ(p.skipped_reason, "") << p.scenario->info().name;
    }
  }
  EXPECT_TRUE(sigkill_skipped);
  // Chosen explicitly, it is an error that says why.
  o.scenarios = {"server_sigkill"};
  Result<Plan> refused = MakePlan(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("builtin"));
}

// --extension reaches every scenario whose sessions run an extension: the
// extension added through the API, the one in goose's config file, and a
// script that calls none of mock-mcp's tools; the others are untouched.
TEST(Plan, TheUserExtensionReachesEveryExtensionScenario) {
  Options o = CommandOptions();
  o.extension_command = "node srv.js --x";
  o.extension_argv = {"node", "srv.js", "--x"};
  Result<Plan> plan = MakePlan(o);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  EXPECT_EQ(plan->target.value("extension", ""), "node srv.js --x");
  EXPECT_THAT(plan->target_text, HasSubstr("with the extension `node srv.js --x`"));
  int with_extension = 0;
  for (const PlannedScenario& p : plan->scenarios) {
    const scenarios::TargetRequirements r = p.scenario->requirements();
    if (!p.scenario->info().needs.extension) {
      EXPECT_TRUE(r.extension.is_mock_mcp) << p.scenario->info().name;
      continue;
    }
    ++with_extension;
    EXPECT_FALSE(r.extension.is_mock_mcp) << p.scenario->info().name;
    EXPECT_EQ(r.extension.cmd, "node") << p.scenario->info().name;
    EXPECT_EQ(r.extension.args, (std::vector<std::string>{"srv.js", "--x"}));
    EXPECT_EQ(r.script_json.find("spawn_grandchild"), std::string::npos)
        << p.scenario->info().name << " would call mock-mcp's tool on the user's extension";
    EXPECT_EQ(ExtensionConfig(r.extension)["cmd"], "node");
  }
  EXPECT_EQ(with_extension, 3);

  // Without it, mock-mcp and its helpers.
  Result<Plan> plain = MakePlan(CommandOptions());
  ASSERT_TRUE(plain.ok());
  for (const PlannedScenario& p : plain->scenarios) {
    const scenarios::TargetRequirements r = p.scenario->requirements();
    EXPECT_TRUE(r.extension.is_mock_mcp);
    EXPECT_EQ(r.extension.cmd, scenarios::MockMcpPath());
  }
}

TEST(Plan, AnExtensionNoChosenScenarioRunsIsRefused) {
  Options o = CommandOptions();
  o.extension_command = "srv";
  o.extension_argv = {"srv"};
  o.scenarios = {"stream_drainage"};
  Result<Plan> plan = MakePlan(o);
  ASSERT_FALSE(plan.ok());
  EXPECT_THAT(plan.status().message(), HasSubstr("none of the chosen ones runs"));
}

}  // namespace
}  // namespace goose::leakcheck
