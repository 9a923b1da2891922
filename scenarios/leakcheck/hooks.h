// The hooks leakcheck adds to a run (run_hook.h):
//
// ForeignMetrics: what the server's own GET /metrics said before and after
// the measured iterations, when it is not our ledger (the original
// goose-api counts session files there), reported as it is.
//
// HeapProfile (`leakcheck profile`): a heap profile of the server when the
// measured iterations start and when they end (Target::DumpHeapProfile),
// and google-pprof's diff of the two (heap_diff.h) in the report. A profile
// that cannot be taken or diffed is an error of the scenario. Also used by
// `leakcheck mcp --profile` for a native or Python server (gperftools'
// heap profiler preloaded, McpTarget::DumpHeapProfile).
//
// V8HeapSnapshots (`leakcheck mcp --profile`, a Node.js server): a V8 heap
// snapshot of each node process of the server when the measured
// iterations start and when they end (McpTarget::WriteHeapSnapshots), and
// the two compared by constructor (v8_heap_snapshot.h), per process, in the
// report: the groups that added the most bytes (with their counts), and
// the groups whose retained size grew most (what holds the growth).

#ifndef GOOSE_SCENARIOS_LEAKCHECK_HOOKS_H_
#define GOOSE_SCENARIOS_LEAKCHECK_HOOKS_H_

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "core/base/json.h"
#include "core/base/status.h"
#include "scenarios/runner/run_hook.h"
#include "scenarios/targets/mcp_target.h"

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

class V8HeapSnapshots : public scenarios::RunHook {
 public:
  // Snapshots go to `dir` (v8-before-<scenario>-<pid>.heapsnapshot, ...).
  V8HeapSnapshots(scenarios::McpTarget& target, std::filesystem::path dir, std::string scenario);

  void MeasuredStarting(scenarios::Target& target) override;
  void MeasuredFinished(scenarios::Target& target) override;
  void Report(scenarios::ScenarioResult* result) override;

  // How many groups the report lists per process: those that added the
  // most bytes, and those that hold the most more.
  static constexpr size_t kTopAdded = 10;
  static constexpr size_t kTopHolding = 5;

 private:
  using Files = std::map<pid_t, std::filesystem::path>;
  void Take(const std::string& tag, Files* into);

  scenarios::McpTarget& target_;
  const std::filesystem::path dir_;
  const std::string scenario_;
  Files before_, after_;
  std::string error_;
};

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_HOOKS_H_
