#include "scenarios/runner/scenario_result.h"

#include <cmath>
#include <sstream>

#include "scenarios/runner/judge.h"

namespace goose::scenarios {
namespace {

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

Json SeriesJson(const SeriesResult& s) {
  Json samples = Json::array();
  for (double v : s.samples) samples.push_back(Number(v));
  // A series this target cannot show has no slope (not a slope of 0).
  const bool observed = s.samples.size() >= 2 && std::isfinite(s.samples.front());
  auto slope = [&](double v) { return observed ? Number(v) : Json(nullptr); };
  return {{"name", SeriesName(s.series)},
          {"kind", s.kind == SeriesKind::kHeap      ? "heap"
                   : s.kind == SeriesKind::kCounted ? "counted"
                                                    : "info"},
          {"unit", SeriesUnit(s.series)},
          {"slope", slope(s.growth.estimate.slope)},
          {"slope_lower", slope(s.growth.estimate.lower)},
          {"slope_upper", slope(s.growth.estimate.upper)},
          {"total_growth", slope(s.growth.total_growth)},
          {"threshold", Number(s.threshold)},
          {"baseline", Number(s.baseline)},
          {"settled", Number(s.settled)},
          {"verdict", s.leak ? "leak" : "clean"},
          {"detail", s.detail},
          {"samples", std::move(samples)}};
}

}  // namespace

void ScenarioResult::AddError(const std::string& what) {
  error += (error.empty() ? "" : "; ") + what;
}

bool ScenarioResult::PeakWithinBudget() const {
  if (!peak_budget.judged) return true;
  const bool heap_ok = peak.heap_peak < 0 || peak.heap_rise() <= peak_budget.heap_bytes;
  const bool rss_ok = peak.rss_peak < 0 || peak.rss_rise() <= peak_budget.rss_bytes;
  return heap_ok && rss_ok;
}

std::string ScenarioResult::Verdict() const { return std::string(VerdictName(Decide(*this))); }

bool ScenarioResult::Passed() const { return Decide(*this) == Verdict::kClean; }

std::vector<std::string> ScenarioResult::LeakingSeries() const {
  std::vector<std::string> names;
  for (const SeriesResult& s : series) {
    if (s.leak) names.emplace_back(SeriesName(s.series));
  }
  if (lsan_leaks != 0) names.emplace_back("lsan");
  return names;
}

Json ScenarioResult::ToJson() const {
  Json out = {{"scenario", scenario},
              {"description", description},
              {"preset", preset},
              {"heap_backend", heap_backend},
              {"warmup", warmup},
              {"iterations", iterations},
              {"requests", requests},
              {"seconds", seconds},
              {"verdict", Verdict()},
              {"leaking_series", LeakingSeries()},
              {"error", error},
              {"lsan_leaks", lsan_leaks},
              {"slope_confidence", kSlopeConfidence},
              {"heap_threshold_reason", heap_threshold_reason},
              {"heap_profile_diff", heap_profile_diff},
              {"peak",
               {{"heap_rise", peak.heap_rise()},
                {"heap_peak", peak.heap_peak},
                {"rss_rise", peak.rss_rise()},
                {"rss_peak", peak.rss_peak},
                {"heap_budget", peak_budget.heap_bytes},
                {"rss_budget", peak_budget.rss_bytes},
                {"judged", peak_budget.judged},
                {"within_budget", PeakWithinBudget()},
                {"reason", std::string(peak_budget.reason)}}}};
  if (!heap_series.empty()) out["heap_series"] = heap_series;
  if (!heap_note.empty()) out["heap_note"] = heap_note;
  if (!heap_threshold_file.empty()) out["heap_threshold_file"] = heap_threshold_file;
  if (!skipped_reason.empty()) out["skipped_reason"] = skipped_reason;
  Json list = Json::array();
  for (const SeriesResult& s : series) list.push_back(SeriesJson(s));
  out["series"] = std::move(list);
  Json found = Json::array();
  for (const Deviation& d : deviations) found.push_back({{"what", d.what}, {"count", d.count}});
  out["deviations"] = std::move(found);
  out["violations"] = violations;
  for (const auto& [key, value] : findings.items()) out[key] = value;
  return out;
}

std::string ScenarioResult::Describe() const {
  std::ostringstream out;
  out << scenario << " [" << preset << ", " << heap_backend << "]: " << Verdict() << " after "
      << iterations << " iterations (" << requests << " requests), " << FormatValue(seconds)
      << " s\n";
  if (!skipped_reason.empty()) out << "  skipped: " << skipped_reason << "\n";
  if (!error.empty()) out << "  error: " << error << "\n";
  if (lsan_leaks != 0) out << "  LeakSanitizer: unreachable memory (report above)\n";
  for (const std::string& v : violations) out << "  violation: " << v << "\n";
  for (const SeriesResult& s : series) {
    if (s.kind == SeriesKind::kInfo) continue;
    out << "  " << (s.leak ? "LEAK " : "     ") << SeriesName(s.series) << ": " << s.detail << "\n";
  }
  out << "  " << (PeakWithinBudget() ? "     " : "OVER ") << "peak: " << peak.ToString()
      << (peak_budget.judged
              ? "; budget heap +" + FormatValue(static_cast<double>(peak_budget.heap_bytes)) +
                    " B, rss +" + FormatValue(static_cast<double>(peak_budget.rss_bytes)) + " B"
              : std::string("; recorded, not judged"))
      << "\n";
  for (const Deviation& d : deviations) {
    out << "  deviation (" << d.count << "x): " << d.what << "\n";
  }
  if (!heap_profile_diff.empty()) out << heap_profile_diff;
  return out.str();
}

ScenarioResult NotRunResult(const ScenarioInfo& info, const std::string& preset,
                            const std::string& error, const std::string& skipped_reason) {
  ScenarioResult r;
  r.scenario = info.name;
  r.description = info.description;
  r.preset = preset;
  r.error = error;
  r.skipped_reason = skipped_reason;
  for (int k = 0; k < kSeriesCount; ++k) {
    r.series[k].series = static_cast<Series>(k);
    r.series[k].kind = KindOf(r.series[k].series);
  }
  return r;
}

}  // namespace goose::scenarios
