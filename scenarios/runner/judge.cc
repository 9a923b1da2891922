#include "scenarios/runner/judge.h"

#include <cmath>

namespace goose::scenarios {
namespace {

void JudgeHeap(SeriesResult& s, bool usable, const HeapThreshold& heap) {
  s.threshold = heap.bytes_per_iteration;
  if (!usable) {
    s.detail = "not observable";
    return;
  }
  s.growth = probe::JudgeGrowth(s.samples, s.threshold, kSlopeConfidence);
  s.leak = s.growth.verdict == probe::Verdict::kLeak;
  s.detail = s.growth.ToString();
}

void JudgeCounted(SeriesResult& s, bool usable) {
  if (usable) s.growth = probe::JudgeGrowth(s.samples, 0, kSlopeConfidence);
  if (std::isnan(s.baseline) || std::isnan(s.settled)) {
    s.detail = "not observable";
    return;
  }
  s.leak = s.settled > s.baseline;
  s.detail = s.leak ? "grew from " + FormatValue(s.baseline) + " to " + FormatValue(s.settled) +
                          " after the settle wait"
                    : "at rest: " + FormatValue(s.baseline) + " -> " + FormatValue(s.settled);
}

}  // namespace

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kClean:
      return "clean";
    case Verdict::kLeak:
      return "leak";
    case Verdict::kOverBudget:
      return "over_budget";
    case Verdict::kError:
      return "error";
    case Verdict::kSkipped:
      return "skipped";
  }
  return "error";
}

std::array<SeriesResult, kSeriesCount> JudgeSeries(SeriesSamples samples,
                                                   const HeapThreshold& heap) {
  std::array<SeriesResult, kSeriesCount> out;
  for (int k = 0; k < kSeriesCount; ++k) {
    SeriesResult& s = out[k];
    s.series = static_cast<Series>(k);
    s.kind = KindOf(s.series);
    s.samples = std::move(samples.samples[k]);
    s.baseline = samples.baseline[k];
    s.settled = samples.settled[k];
    const bool usable = s.samples.size() >= 2 && !std::isnan(s.samples.front());
    if (s.kind == SeriesKind::kHeap) {
      JudgeHeap(s, usable, heap);
    } else if (s.kind == SeriesKind::kCounted) {
      JudgeCounted(s, usable);
    } else if (usable) {
      s.growth = probe::JudgeGrowth(s.samples, INFINITY, kSlopeConfidence);
      s.detail = "info: " + s.growth.ToString();
    }
  }
  return out;
}

Verdict Decide(const ScenarioResult& result) {
  if (!result.skipped_reason.empty()) return Verdict::kSkipped;
  if (!result.error.empty()) return Verdict::kError;
  if (result.lsan_leaks != 0 || !result.violations.empty()) return Verdict::kLeak;
  for (const SeriesResult& s : result.series) {
    if (s.leak) return Verdict::kLeak;
  }
  if (!result.PeakWithinBudget()) return Verdict::kOverBudget;
  return Verdict::kClean;
}

Verdict DecideAll(const std::vector<Verdict>& verdicts) {
  // A leak found anywhere is the verdict, whatever else failed: a CI job
  // must read it as a leak, not as a broken setup.
  bool judged = false, leak = false, over = false, error = false;
  for (Verdict v : verdicts) {
    judged = judged || v != Verdict::kSkipped;
    leak = leak || v == Verdict::kLeak;
    over = over || v == Verdict::kOverBudget;
    error = error || v == Verdict::kError;
  }
  if (leak) return Verdict::kLeak;
  if (over) return Verdict::kOverBudget;
  if (error || !judged) return Verdict::kError;
  return Verdict::kClean;
}

}  // namespace goose::scenarios
