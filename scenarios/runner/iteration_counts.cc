#include "scenarios/runner/iteration_counts.h"

#include <algorithm>

namespace goose::scenarios {

IterationCounts CountsFor(const ScenarioInfo& info, int warmup, int iterations, int min_warmup) {
  IterationCounts counts;
  counts.warmup = warmup >= 0 ? warmup : std::max(info.warmup, min_warmup);
  counts.iterations = std::max(2, iterations > 0 ? iterations : info.iterations);
  return counts;
}

}  // namespace goose::scenarios
