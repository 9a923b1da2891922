// The hooks leakcheck adds to a run (run_hook.h):
//
// ForeignMetrics: what the server's own GET /metrics said before and after
// the measured iterations, when it is not our ledger (the original
// goose-api counts session files there), reported as it is.
//
// HeapProfile (`leakcheck profile`): a heap profile of the server when the
// measured iterations start and when they end (Target::DumpHeapProfile),
// and google-pprof's diff of the two (heap_diff.h) in the report. A profile
// that cannot be taken or diffed is an error of the scenario.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_HOOKS_H_
#define GOOSE_SCENARIOS_LEAKCHECK_HOOKS_H_

#include <filesystem>
#include <optional>
#include <string>

#include "core/base/json.h"
#include "core/base/status.h"
#include "scenarios/runner/run_hook.h"

namespace goose::leakcheck {

class ForeignMetrics : public scenarios::RunHook {
 public:
  explicit ForeignMetrics(scenarios::Target& target) : target_(target) {}

  void MeasuredStarting(scenarios::Target& target) override { before_ = target.ForeignMetrics(); }
  void Report(scenarios::ScenarioResult* result) override;

 private:
  scenarios::Target& target_;
  std::optional<Json> before_;
};

class HeapProfile : public scenarios::RunHook {
 public:
  // Profiles go to `dir` (heap-before-<scenario>.heap, ...).
  HeapProfile(scenarios::Target& target, std::filesystem::path dir, std::string scenario);

  // One profile now: whether the target can be profiled at all (before
  // anything runs). Errors say what to use instead.
  Status Probe();

  void MeasuredStarting(scenarios::Target& target) override;
  void MeasuredFinished(scenarios::Target& target) override;
  void Report(scenarios::ScenarioResult* result) override;

 private:
  void Take(scenarios::Target& target, std::string* into);

  const std::filesystem::path dir_;
  const std::string scenario_;
  scenarios::Target& target_;
  std::string binary_;  // the server's executable, for google-pprof's symbols
  std::string before_, after_, error_;
};

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_HOOKS_H_
