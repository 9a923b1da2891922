#include "scenarios/leakcheck/run_stage.h"

#include <memory>
#include <optional>

#include "scenarios/leakcheck/hooks.h"
#include "scenarios/runner/runner.h"

namespace goose::leakcheck {
namespace {

using scenarios::ScenarioResult;
using scenarios::Target;

// The planned warm-up when the started target's heap is the one planned;
// else the same rule for the heap it has (the exact counter did not take,
// say), and a note saying so.
void Replan(PlannedScenario& p, const Target& target, const Options& o, ProgressDisplay& display) {
  const std::string_view kind = target.external_heap_kind();
  if (p.heap_kind.empty() || kind.empty() || kind == p.heap_kind) return;
  p.heap_kind = std::string(kind);
  const scenarios::IterationCounts counts = PlanCounts(p.scenario->info(), o, p.heap_kind);
  if (counts.warmup == p.counts.warmup) return;
  p.counts = counts;
  display.Note(p.scenario->info().name + ": the heap series is " + p.heap_kind + ", so " +
               std::to_string(p.counts.warmup) + " warm-up iterations");
}

ScenarioResult RunOne(PlannedScenario& p, std::unique_ptr<Target> target, const Plan& plan,
                      const Options& o, ProgressDisplay& display) {
  const std::string& name = p.scenario->info().name;
  if (const std::string note = target->heap_note(); !note.empty()) {
    display.Note(name + ": " + note);
  }
  Replan(p, *target, o, display);
  if (const std::string note = TtlNote(p, o); !note.empty()) display.Note(note);

  ForeignMetrics metrics(*target);
  HeapProfile profile(*target, plan.report_dir, name);
  auto* mcp = dynamic_cast<scenarios::McpTarget*>(target.get());
  std::optional<V8HeapSnapshots> snapshots;
  scenarios::RunOptions run;
  run.warmup = p.counts.warmup;
  run.iterations = p.counts.iterations;
  run.progress = display.Callback();
  run.user_thresholds = plan.thresholds.rows();
  run.hooks.push_back(&metrics);
  const bool attribute =
      plan.command == Command::kProfile || (plan.command == Command::kMcp && o.mcp_profile);
  if (attribute && mcp != nullptr && target->external_heap_kind() == "v8") {
    snapshots.emplace(*mcp, plan.report_dir, name);
    run.hooks.push_back(&*snapshots);
  } else if (attribute) {
    if (Status s = profile.Probe(); !s.ok()) {
      return scenarios::NotRunResult(p.scenario->info(), scenarios::PresetName(),
                                     "heap profile: " + s.message(), "");
    }
    run.hooks.push_back(&profile);
  }
  return scenarios::Runner(run).RunAndShutDown(*p.scenario, std::move(target));
}

void ShowProfile(const ScenarioResult& result, const Plan& plan, ProgressDisplay& display) {
  if (const Json& v8 = result.findings.value("v8_heap_growth", Json(nullptr)); v8.is_string()) {
    display.Note("V8 heap growth by constructor (snapshots in " + plan.report_dir.string() +
                 "):\n" + v8.get<std::string>());
  }
  const Json& sites = result.findings.value("heap_profile_diff", Json(nullptr));
  if (!sites.is_string()) return;
  const std::filesystem::path text =
      plan.report_dir / result.findings.value("heap_profile_text", std::string());
  display.Note("top growing allocation sites (" + text.string() + "):\n" +
               sites.get<std::string>());
}

}  // namespace

Status CheckAttachedTarget(const Plan& plan) {
  for (const PlannedScenario& p : plan.scenarios) {
    if (p.target.kind != scenarios::TargetSpec::Kind::kAttach) continue;
    Result<std::unique_ptr<Target>> attached = StartTarget(p.target, p.scenario->requirements());
    return attached.ok() ? Status::Ok() : attached.status();
  }
  return Status::Ok();
}

std::vector<ScenarioResult> RunPlan(Plan& plan, const Options& options, ProgressDisplay& display) {
  std::vector<ScenarioResult> results;
  for (PlannedScenario& p : plan.scenarios) {
    const scenarios::ScenarioInfo& info = p.scenario->info();
    if (!p.skipped_reason.empty()) {
      results.push_back(
          scenarios::NotRunResult(info, scenarios::PresetName(), "", p.skipped_reason));
      display.ScenarioFinished(results.back());
      continue;
    }
    display.ScenarioStarting(info.name, plan.target_text);
    Result<std::unique_ptr<Target>> target = StartTarget(p.target, p.scenario->requirements());
    if (!target.ok()) {
      results.push_back(
          scenarios::NotRunResult(info, scenarios::PresetName(),
                                  "cannot start the target: " + target.status().message(), ""));
      display.ScenarioFinished(results.back());
      break;  // the environment is broken: every other scenario would fail the same way
    }
    results.push_back(RunOne(p, std::move(*target), plan, options, display));
    display.ScenarioFinished(results.back());
    ShowProfile(results.back(), plan, display);
  }
  return results;
}

}  // namespace goose::leakcheck
