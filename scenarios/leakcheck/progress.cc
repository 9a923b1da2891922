#include "scenarios/leakcheck/progress.h"

#include <cmath>

#include "core/base/strings.h"
#include "scenarios/probe/growth.h"

namespace goose::leakcheck {

std::string SlopeText(std::span<const double> samples) {
  if (samples.size() < 3 || !std::isfinite(samples.front())) return "-";
  const probe::SlopeEstimate e = probe::TheilSen(samples, 0.99);
  if (std::fabs(e.slope) >= 1024 * 1024)
    return FormatFixed(e.slope / (1024 * 1024), 2) + " MiB/iter";
  if (std::fabs(e.slope) >= 1024) return FormatFixed(e.slope / 1024, 1) + " KiB/iter";
  return FormatFixed(e.slope, 1) + " B/iter";
}

std::string ProgressDisplay::BarLine(const scenarios::RunProgress& p, int width) {
  using Phase = scenarios::RunProgress::Phase;
  const bool warm = p.phase == Phase::kWarmup;
  const int filled = p.total > 0 ? p.done * width / p.total : width;
  std::string line(p.scenario);
  line += warm ? "  warm-up  [" : "  measure  [";
  line += std::string(static_cast<size_t>(filled), warm ? '-' : '#');
  line += std::string(static_cast<size_t>(width - filled), '.');
  line += "]  " + std::to_string(p.done) + "/" + std::to_string(p.total);
  if (!warm) line += "  heap slope " + SlopeText(p.heap_samples);
  if (p.phase == Phase::kSettling) line += "  settling";
  return line;
}

scenarios::ProgressCallback ProgressDisplay::Callback() {
  return [this](const scenarios::RunProgress& p) { OnProgress(p); };
}

void ProgressDisplay::OnProgress(const scenarios::RunProgress& p) {
  using Phase = scenarios::RunProgress::Phase;
  if (terminal_) {
    // \033[K clears what a longer previous line left.
    std::fprintf(out_, "\r%s\033[K", BarLine(p).c_str());
    std::fflush(out_);
    bar_open_ = true;
    return;
  }
  if (p.phase == Phase::kMeasuring) {
    last_tenth_ = 0;
    std::fprintf(out_, "%.*s: measuring %d iterations\n", static_cast<int>(p.scenario.size()),
                 p.scenario.data(), p.total);
  } else if (p.phase == Phase::kMeasured && p.total > 0) {
    const int tenth = p.done * 10 / p.total;
    if (tenth > last_tenth_ && tenth < 10) {
      last_tenth_ = tenth;
      std::fprintf(out_, "%s\n", BarLine(p, 20).c_str());
    }
  } else if (p.phase == Phase::kSettling) {
    std::fprintf(out_, "%s\n", BarLine(p, 20).c_str());
  }
  std::fflush(out_);
}

void ProgressDisplay::EndBar() {
  if (bar_open_) std::fprintf(out_, "\n");
  bar_open_ = false;
}

void ProgressDisplay::ScenarioStarting(const std::string& name, const std::string& target) {
  EndBar();
  if (terminal_) {
    std::fprintf(out_, "%s: starting %s", name.c_str(), target.c_str());
    bar_open_ = true;
  } else {
    std::fprintf(out_, "%s: starting %s\n", name.c_str(), target.c_str());
  }
  std::fflush(out_);
}

void ProgressDisplay::ScenarioFinished(const scenarios::ScenarioResult& result) {
  if (terminal_) std::fprintf(out_, "\r\033[K");
  bar_open_ = false;
  const std::string leaking = Join(result.LeakingSeries(), ", ");
  if (!result.skipped_reason.empty()) {
    std::fprintf(out_, "%s: skipped: %s\n", result.scenario.c_str(), result.skipped_reason.c_str());
    std::fflush(out_);
    return;
  }
  std::fprintf(out_, "%s: %s after %d iterations in %.1f s%s%s\n", result.scenario.c_str(),
               result.Verdict().c_str(), result.iterations, result.seconds,
               leaking.empty() ? "" : " - leaking: ", leaking.c_str());
  if (!result.error.empty()) std::fprintf(out_, "  error: %s\n", result.error.c_str());
  std::fflush(out_);
}

void ProgressDisplay::Note(const std::string& line) {
  EndBar();
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

}  // namespace goose::leakcheck
