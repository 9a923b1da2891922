#include "scenarios/leakcheck/leakcheck.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/base/json.h"
#include "core/base/log.h"
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/leakcheck/ci_summary.h"
#include "scenarios/leakcheck/plan.h"
#include "scenarios/leakcheck/progress.h"
#include "scenarios/leakcheck/report.h"
#include "scenarios/leakcheck/run_stage.h"
#include "scenarios/leakcheck/scenario_support.h"
#include "scenarios/leakcheck/threshold_file.h"
#include "scenarios/mcp/mcp_scenario.h"

namespace goose::leakcheck {
namespace {

int ListScenarios(std::FILE* out) {
  std::fprintf(out, "%-26s %-22s %-11s %s\n", "scenario", "targets", "concurrency",
               "what it does / what it measures");
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    const scenarios::ScenarioInfo info = scenarios::MakeBuiltinScenario(name)->info();
    std::fprintf(out, "%-26s %-22s %-11s %s\n", name.c_str(), SupportedKinds(info.needs).c_str(),
                 info.needs.concurrency ? "yes" : "no", info.description.c_str());
    std::fprintf(out, "%-26s %-22s %-11s measures: %s\n", "", "", "", info.measures.c_str());
    if (const std::string why = SupportOf(info.needs).why_not; !why.empty()) {
      std::fprintf(out, "%-26s %-22s %-11s not everywhere: %s\n", "", "", "", why.c_str());
    }
  }
  for (const std::string& name : scenarios::McpScenarioNames()) {
    const scenarios::ScenarioInfo info =
        scenarios::MakeMcpScenario(name, scenarios::McpScenarioOptions{})->info();
    std::fprintf(out, "%-26s %-22s %-11s %s\n", name.c_str(), "mcp",
                 name == "concurrency" ? "yes" : "no", info.description.c_str());
    std::fprintf(out, "%-26s %-22s %-11s measures: %s\n", "", "", "", info.measures.c_str());
  }
  std::fprintf(out,
               "\ntargets: builtin = our goose-api + mock-llm (the default); command = --target "
               "'CMD ARGS' with mock-llm; attach = --url URL --pid PID (attach*: only with "
               "--session-ttl SECS, the TTL the attached server reaps after); mcp = leakcheck "
               "mcp -- CMD ARGS, a stdio MCP server\n");
  return kExitClean;
}

// The report written, the verdict table (or report.json) printed; the exit
// status of the whole run.
int Publish(const Json& report, const Options& o, std::FILE* out, std::FILE* err) {
  if (Status s = WriteReport(o.report_dir, report); !s.ok()) {
    std::fprintf(err, "leakcheck: %s\n", s.message().c_str());
    return kExitUsage;
  }
  if (Status s = WriteCiSummaries(o, report); !s.ok()) {
    std::fprintf(err, "leakcheck: %s\n", s.message().c_str());
    return kExitUsage;
  }
  std::fprintf(out, "%s",
               o.json ? (JsonDump(report) + "\n").c_str() : VerdictTable(report).c_str());
  const std::filesystem::path dir = std::filesystem::absolute(o.report_dir);
  std::string also;
  if (!o.junit_file.empty()) also += ", JUnit " + std::filesystem::absolute(o.junit_file).string();
  if (!o.markdown_file.empty()) {
    also += ", Markdown " + std::filesystem::absolute(o.markdown_file).string();
  }
  std::fprintf(err, "report: %s and %s%s\n", (dir / "report.json").c_str(),
               (dir / "report.html").c_str(), also.c_str());
  const int status = ExitStatusOf(report);
  if (status == kExitUsage) {
    std::fprintf(err,
                 "leakcheck: a scenario could not finish (the error is above and in the report); "
                 "fix the target or the environment and run again\n");
  }
  return status;
}

// The plan, with the --thresholds file's rows, for a target that is there.
Result<Plan> Prepare(const Options& o) {
  Result<Plan> plan = MakePlan(o);
  if (!plan.ok()) return plan.status();
  if (!o.thresholds_file.empty()) {
    const std::vector<std::string> known = o.command == Command::kMcp
                                               ? scenarios::McpScenarioNames()
                                               : scenarios::BuiltinScenarioNames();
    Result<ThresholdFile> thresholds = LoadThresholdFile(o.thresholds_file, known);
    if (!thresholds.ok()) return thresholds.status();
    plan->thresholds = std::move(*thresholds);
  }
  if (Status s = CheckAttachedTarget(*plan); !s.ok()) return s;
  return plan;
}

}  // namespace

int RunLeakcheck(const Options& o, std::FILE* out, std::FILE* err, bool err_is_terminal) {
  if (o.command == Command::kHelp) {
    std::fprintf(out, "%s", UsageText().c_str());
    return kExitClean;
  }
  if (o.command == Command::kList) return ListScenarios(out);

  Result<Plan> plan = Prepare(o);
  if (!plan.ok()) {
    std::fprintf(err, "leakcheck: %s\n", plan.status().message().c_str());
    return kExitUsage;
  }
  // The MCP client's own log (a server's stderr lines, each exit by a
  // signal the shutdown scenarios send) would bury the progress display;
  // the report and error messages quote what matters.
  if (o.command == Command::kMcp && std::getenv("GOOSE_API_LOG_LEVEL") == nullptr) {
    SetLogLevel(LogLevel::kError);
  }
  ProgressDisplay display(err, err_is_terminal);
  const std::vector<scenarios::ScenarioResult> results = RunPlan(*plan, o, display);
  return Publish(BuildReport(*plan, results), o, out, err);
}

}  // namespace goose::leakcheck
