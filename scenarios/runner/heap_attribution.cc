#include "scenarios/runner/heap_attribution.h"

#include <unistd.h>

#include <algorithm>

#include "scenarios/targets/heap_profile.h"

namespace goose::scenarios {

HeapAttribution::HeapAttribution(const Target& target, std::filesystem::path dir, int iterations)
    : in_process_(target.heap_observable()), dir_(std::move(dir)), iterations_(iterations) {}

void HeapAttribution::AfterJudged(const ScenarioResult& judged, const RunIterations& run) {
  if (!in_process_ || !judged.Leaks(Series::kHeapBytes) || !HeapProfilingAvailable()) return;
  std::filesystem::path dir = dir_;
  if (dir.empty()) {
    dir = std::filesystem::temp_directory_path() /
          ("goose-gate-heap-" + judged.scenario + "-" + std::to_string(::getpid()));
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  // As many iterations as were measured, at most iterations_: a short
  // canary run stays short. A failing iteration still leaves a profile.
  const int passes = std::min(iterations_, judged.iterations);
  Result<std::string> diff = ProfileGrowth(dir, [&] { (void)run(passes); });
  diff_ = diff.ok() ? "top growing allocation sites (google-pprof --base, " + dir.string() +
                          "):\n" + *diff
                    : "no heap profile diff: " + diff.status().ToString();
}

void HeapAttribution::Report(ScenarioResult* result) { result->heap_profile_diff = diff_; }

}  // namespace goose::scenarios
