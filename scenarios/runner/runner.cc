#include "scenarios/runner/runner.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "scenarios/probe/heap_gauge.h"
#include "scenarios/probe/process_probe.h"
#include "scenarios/runner/thresholds.h"
#include "scenarios/targets/heap_profile.h"
#include "scenarios/targets/process_target.h"
#include "scenarios/targets/wait.h"

#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
#include <sanitizer/lsan_interface.h>
#endif

namespace goose::scenarios {
namespace {

using Sample = std::array<double, kSeriesCount>;

double& At(Sample& s, Series series) { return s[static_cast<int>(series)]; }

// Reads every series. Allocates only transiently (the /proc readers), so
// the heap after it is what it was before.
void TakeSample(const Target& target, Sample* out) {
  Sample& s = *out;
  s.fill(NAN);
  if (target.heap_observable()) {
    const int64_t heap = probe::HeapGauge::AllocatedBytes();
    if (heap >= 0) At(s, Series::kHeapBytes) = static_cast<double>(heap);  // else unseen (tsan)
  } else if (std::optional<double> heap = target.ExternalHeapBytes()) {
    At(s, Series::kHeapBytes) = *heap;
  }
  if (std::optional<Target::SessionFiles> files = target.SessionFilesNow()) {
    At(s, Series::kSessionFiles) = static_cast<double>(files->files);
    At(s, Series::kSessionFileBytes) = static_cast<double>(files->bytes);
  }
  // /proc readers can throw (libstdc++'s filebuf) when a process they
  // read exits under them; a second read sees the settled tree.
  probe::ProcessSample process;
  try {
    process = probe::ProcessProbe(target.pid()).Sample();
  } catch (const std::exception&) {
    process = probe::ProcessProbe(target.pid()).Sample();
  }
  At(s, Series::kRssBytes) = static_cast<double>(process.stats.rss_bytes);
  At(s, Series::kOpenFds) = static_cast<double>(process.stats.open_fds);
  At(s, Series::kThreads) = static_cast<double>(process.stats.threads);
  try {
    At(s, Series::kDescendants) = static_cast<double>(target.Descendants());
  } catch (const std::exception&) {
    At(s, Series::kDescendants) = static_cast<double>(target.Descendants());
  }
  if (std::optional<LedgerSnapshot> ledger = target.Ledger()) {
    const LedgerSnapshot& l = *ledger;
    At(s, Series::kLiveStreams) = l[Gauge::kLiveStreams];
    At(s, Series::kStreamBufferedBytes) = l[Gauge::kStreamBufferedBytes];
    At(s, Series::kProviderConnections) = l[Gauge::kProviderConnections];
    At(s, Series::kAgents) = l[Gauge::kAgents];
    At(s, Series::kSessions) = l[Gauge::kSessions];
    At(s, Series::kConversationBytes) = l[Gauge::kConversationBytes];
    At(s, Series::kChildProcesses) = l[Gauge::kChildProcesses];
    At(s, Series::kExtensions) = l[Gauge::kExtensions];
    At(s, Series::kPendingRequests) = l[Gauge::kPendingRequests];
  }
  if (std::optional<mock::MockStats> stats = target.MockStats()) {
    At(s, Series::kMockStreamsLive) = static_cast<double>(stats->streams_live());
    At(s, Series::kMockChunksUnread) =
        static_cast<double>(stats->chunks_produced - stats->chunks_consumed);
  }
}

// Counted series of `now` that are above `baseline`.
bool CountedAtRest(const Sample& now, const Sample& baseline) {
  for (int i = 0; i < kSeriesCount; ++i) {
    if (KindOf(static_cast<Series>(i)) != SeriesKind::kCounted) continue;
    if (std::isnan(now[i]) || std::isnan(baseline[i])) continue;
    if (now[i] > baseline[i]) return false;
  }
  return true;
}

std::string Format(double v) {
  std::ostringstream out;
  out.precision(6);
  out << v;
  return out.str();
}

}  // namespace

// Under ThreadSanitizer the heap backend is glibc's, as in dev.
constexpr bool kThreadSanitizerBuild =
#if defined(__SANITIZE_THREAD__)
    true;
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
    true;
#else
    false;
#endif
#else
    false;
#endif

std::string PresetName() {
  if (const char* p = std::getenv("GOOSE_PRESET"); p != nullptr && *p != '\0') return p;
  if (kThreadSanitizerBuild) return "tsan";
  const std::string_view backend = probe::HeapGauge::Backend();
  if (backend == "sanitizer") return "asan";
  if (backend == "tcmalloc") return "heapprof";
  return "dev";
}

namespace {

// Under asan: unreachable memory is attributed to this scenario, not to
// process exit. 0 elsewhere.
int RecoverableLeakCheck() {
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  return __lsan_do_recoverable_leak_check();
#else
  return 0;
#endif
}

}  // namespace

ScenarioResult Runner::Run(Scenario& scenario) {
  ScenarioResult result;
  {
    const TargetRequirements requirements = scenario.requirements();
    std::unique_ptr<Target> target;
    Status started;
    if (requirements.separate_processes) {
      auto t = std::make_unique<ProcessTarget>(requirements);
      started = t->Start();
      target = std::move(t);
    } else {
      auto t = std::make_unique<InProcessTarget>(requirements);
      started = t->Start();
      target = std::move(t);
    }
    if (!started.ok()) {
      result.scenario = scenario.info().name;
      result.error = "cannot start the target: " + started.ToString();
      return result;
    }
    result = RunMeasured(scenario, *target);
  }  // the server shuts down here: what it leaks at shutdown counts too
  result.lsan_leaks = RecoverableLeakCheck();
  return result;
}

ScenarioResult Runner::RunOn(Scenario& scenario, Target& target) {
  ScenarioResult result = RunMeasured(scenario, target);
  result.lsan_leaks = RecoverableLeakCheck();
  return result;
}

ScenarioResult Runner::RunMeasured(Scenario& scenario, Target& target) {
  const ScenarioInfo& info = scenario.info();
  const int warmup = options_.warmup >= 0 ? options_.warmup : info.warmup;
  const int iterations =
      std::max(2, options_.iterations > 0 ? options_.iterations : info.iterations);
  // An external server's heap series (PSS) has thresholds of its own.
  const std::string heap_kind = target.heap_observable() || target.external_heap_kind().empty()
                                    ? std::string(probe::HeapGauge::Backend())
                                    : std::string(target.external_heap_kind());
  HeapThreshold heap_threshold = HeapThresholdFor(info.name, heap_kind, info.heap_thresholds);
  if (heap_threshold.per_request) {
    heap_threshold.bytes_per_iteration *= std::max(1, info.requests_per_iteration);
  }

  ScenarioResult result;
  result.scenario = info.name;
  result.description = info.description;
  result.preset = options_.preset.empty() ? PresetName() : options_.preset;
  result.heap_backend = heap_kind;
  result.warmup = warmup;
  result.iterations = iterations;
  result.requests = iterations * info.requests_per_iteration;
  result.heap_threshold_reason = std::string(heap_threshold.reason);
  // Every buffer the loop writes is allocated here, before it.
  for (int i = 0; i < kSeriesCount; ++i) {
    SeriesResult& s = result.series[i];
    s.series = static_cast<Series>(i);
    s.kind = KindOf(s.series);
    s.samples.reserve(static_cast<size_t>(iterations));
  }
  auto report = [&](RunProgress::Phase phase, int done, int total) {
    if (!options_.progress) return;
    RunProgress p;
    p.phase = phase;
    p.scenario = info.name;
    p.done = done;
    p.total = total;
    p.heap_samples = result.series[static_cast<int>(Series::kHeapBytes)].samples;
    options_.progress(p);
  };
  std::string error;
  error.reserve(1024);
  const Clock::time_point started = Clock::now();

  Status status = scenario.Setup(target);
  if (!status.ok()) error = "setup: " + status.ToString();
  for (int i = 0; error.empty() && i < warmup; ++i) {
    status = scenario.Iterate(target, i);
    if (!status.ok()) error = "warm-up iteration " + std::to_string(i) + ": " + status.ToString();
    WaitForQuiet(target, options_.settle_timeout);
    report(RunProgress::Phase::kWarmup, i + 1, warmup);
  }

  // Baseline: at rest after the warm-up, and stable over two samples.
  Sample baseline{}, now{};
  TakeSample(target, &baseline);
  WaitUntil(
      [&] {
        TakeSample(target, &now);
        const bool same = CountedAtRest(now, baseline) && CountedAtRest(baseline, now);
        baseline = now;
        return same;
      },
      std::chrono::milliseconds(1000));

  if (error.empty()) report(RunProgress::Phase::kMeasuring, 0, iterations);
  // The peaks of the measured iterations: a thread samples the heap (in
  // this process) and the kernel keeps the resident high-water mark.
  probe::PeakMeter peaks(target.pid(), std::chrono::milliseconds(1));
  peaks.Start();
  for (int i = 0; error.empty() && i < iterations; ++i) {
    status = scenario.Iterate(target, warmup + i);
    if (!status.ok()) {
      error = "iteration " + std::to_string(warmup + i) + ": " + status.ToString();
      break;
    }
    WaitForQuiet(target, options_.settle_timeout);
    TakeSample(target, &now);
    for (int k = 0; k < kSeriesCount; ++k) result.series[k].samples.push_back(now[k]);
    report(RunProgress::Phase::kMeasured, i + 1, iterations);
  }
  result.peak = peaks.Stop();
  result.peak_budget = PeakBudgetFor(info.name, heap_kind, target.pid() == 0);
  if (error.empty()) report(RunProgress::Phase::kSettling, iterations, iterations);

  // Counted series: bounded settle wait for everything to come back.
  Sample settled{};
  WaitUntil(
      [&] {
        TakeSample(target, &settled);
        return CountedAtRest(settled, baseline);
      },
      options_.settle_timeout);

  for (int k = 0; k < kSeriesCount; ++k) {
    SeriesResult& s = result.series[k];
    s.baseline = baseline[k];
    s.settled = settled[k];
    const bool usable = s.samples.size() >= 2 && !std::isnan(s.samples.front());
    if (s.kind == SeriesKind::kHeap) {
      s.threshold = heap_threshold.bytes_per_iteration;
      if (usable) {
        s.growth = probe::JudgeGrowth(s.samples, s.threshold, kSlopeConfidence);
        s.leak = s.growth.verdict == probe::Verdict::kLeak;
        s.detail = s.growth.ToString();
      } else {
        s.detail = "not observable";
      }
    } else if (s.kind == SeriesKind::kCounted) {
      if (usable) s.growth = probe::JudgeGrowth(s.samples, 0, kSlopeConfidence);
      if (std::isnan(s.baseline) || std::isnan(s.settled)) {
        s.detail = "not observable";
      } else {
        s.leak = s.settled > s.baseline;
        s.detail = (s.leak ? "grew from " : "at rest: ") + Format(s.baseline) +
                   (s.leak ? " to " + Format(s.settled) + " after the settle wait"
                           : " -> " + Format(s.settled));
      }
    } else if (usable) {
      s.growth = probe::JudgeGrowth(s.samples, INFINITY, kSlopeConfidence);
      s.detail = "info: " + s.growth.ToString();
    }
  }

  if (error.empty() && result[Series::kHeapBytes].leak && options_.attribute_heap_growth &&
      target.heap_observable() && HeapProfilingAvailable()) {
    std::filesystem::path dir = options_.profile_dir;
    if (dir.empty()) {
      dir = std::filesystem::temp_directory_path() /
            ("goose-gate-heap-" + info.name + "-" + std::to_string(::getpid()));
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    int i = warmup + iterations;
    Result<std::string> diff = ProfileGrowth(dir, [&] {
      // As many iterations as were measured, at most attribution_iterations:
      // a short canary run stays short.
      const int passes = std::min(options_.attribution_iterations, iterations);
      for (int n = 0; n < passes; ++n) {
        (void)scenario.Iterate(target, i++);
        WaitForQuiet(target, options_.settle_timeout);
      }
    });
    result.heap_profile_diff = diff.ok() ? "top growing allocation sites (google-pprof --base, " +
                                               dir.string() + "):\n" + *diff
                                         : "no heap profile diff: " + diff.status().ToString();
  }

  status = scenario.Teardown(target);
  if (!status.ok() && error.empty()) error = "teardown: " + status.ToString();
  result.error = error;
  result.deviations = scenario.Deviations();
  result.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return result;
}

bool ScenarioResult::Passed() const { return Verdict() == "clean"; }

bool ScenarioResult::PeakWithinBudget() const {
  if (!peak_budget.judged) return true;
  const bool heap_ok = peak.heap_peak < 0 || peak.heap_rise() <= peak_budget.heap_bytes;
  const bool rss_ok = peak.rss_peak < 0 || peak.rss_rise() <= peak_budget.rss_bytes;
  return heap_ok && rss_ok;
}

std::string ScenarioResult::Verdict() const {
  if (!error.empty()) return "error";
  if (lsan_leaks != 0) return "leak";
  for (const SeriesResult& s : series) {
    if (s.leak) return "leak";
  }
  if (!PeakWithinBudget()) return "over_budget";
  return "clean";
}

std::vector<std::string> ScenarioResult::LeakingSeries() const {
  std::vector<std::string> names;
  for (const SeriesResult& s : series) {
    if (s.leak) names.emplace_back(SeriesName(s.series));
  }
  if (lsan_leaks != 0) names.emplace_back("lsan");
  return names;
}

namespace {

Json Number(double v) { return std::isfinite(v) ? Json(v) : Json(nullptr); }

}  // namespace

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
  Json list = Json::array();
  for (const SeriesResult& s : series) {
    Json samples = Json::array();
    for (double v : s.samples) samples.push_back(Number(v));
    // A series this target cannot show has no slope (not a slope of 0).
    const bool observed = s.samples.size() >= 2 && std::isfinite(s.samples.front());
    auto slope = [&](double v) { return observed ? Number(v) : Json(nullptr); };
    list.push_back({{"name", SeriesName(s.series)},
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
                    {"samples", std::move(samples)}});
  }
  out["series"] = std::move(list);
  Json found = Json::array();
  for (const Deviation& d : deviations) found.push_back({{"what", d.what}, {"count", d.count}});
  out["deviations"] = std::move(found);
  return out;
}

std::string ScenarioResult::Describe() const {
  std::ostringstream out;
  out << scenario << " [" << preset << ", " << heap_backend << "]: " << Verdict() << " after "
      << iterations << " iterations (" << requests << " requests), " << Format(seconds) << " s\n";
  if (!error.empty()) out << "  error: " << error << "\n";
  if (lsan_leaks != 0) out << "  LeakSanitizer: unreachable memory (report above)\n";
  for (const SeriesResult& s : series) {
    if (s.kind == SeriesKind::kInfo) continue;
    out << "  " << (s.leak ? "LEAK " : "     ") << SeriesName(s.series) << ": " << s.detail << "\n";
  }
  out << "  " << (PeakWithinBudget() ? "     " : "OVER ") << "peak: " << peak.ToString()
      << (peak_budget.judged
              ? "; budget heap +" + Format(static_cast<double>(peak_budget.heap_bytes)) +
                    " B, rss +" + Format(static_cast<double>(peak_budget.rss_bytes)) + " B"
              : std::string("; recorded, not judged"))
      << "\n";
  for (const Deviation& d : deviations) {
    out << "  deviation (" << d.count << "x): " << d.what << "\n";
  }
  if (!heap_profile_diff.empty()) out << heap_profile_diff;
  return out.str();
}

}  // namespace goose::scenarios
