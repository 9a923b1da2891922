// HeapAttribution: the hook that names the allocation sites of a heap
// leak (heapprof preset, a server in this process).
//
// When the judged heap series leaks, it runs a pass of its own with
// gperftools' heap profiler on (as many iterations as were measured, at
// most `iterations`) and puts `google-pprof --base`'s top growing sites
// into the result (heap_profile.h). Elsewhere it does nothing. The
// profiler is on only during that pass, so it cannot disturb the measured
// iterations.

#ifndef GOOSE_SCENARIOS_RUNNER_HEAP_ATTRIBUTION_H_
#define GOOSE_SCENARIOS_RUNNER_HEAP_ATTRIBUTION_H_

#include <filesystem>
#include <string>

#include "scenarios/runner/run_hook.h"

namespace goose::scenarios {

class HeapAttribution : public RunHook {
 public:
  // `dir`: where the profiles go (empty: a temporary folder per scenario).
  HeapAttribution(const Target& target, std::filesystem::path dir, int iterations);

  void AfterJudged(const ScenarioResult& judged, const RunIterations& run) override;
  void Report(ScenarioResult* result) override;

 private:
  const bool in_process_;
  const std::filesystem::path dir_;
  const int iterations_;
  std::string diff_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_RUNNER_HEAP_ATTRIBUTION_H_
