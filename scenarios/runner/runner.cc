#include "scenarios/runner/runner.h"

#include <cstdlib>
#include <string>

#include "scenarios/probe/heap_gauge.h"
#include "scenarios/runner/heap_attribution.h"
#include "scenarios/runner/iteration_counts.h"
#include "scenarios/runner/thresholds.h"
#include "scenarios/targets/target_factory.h"

#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
#include <sanitizer/lsan_interface.h>
#endif

namespace goose::scenarios {
namespace {

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

// Under asan: unreachable memory is attributed to this scenario, not to
// process exit. 0 elsewhere.
int RecoverableLeakCheck() {
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  return __lsan_do_recoverable_leak_check();
#else
  return 0;
#endif
}

// An external server's heap series (PSS, live malloc bytes) has
// thresholds of its own; a server in this process is judged by this
// process's allocator.
std::string HeapKind(const Target& target) {
  return target.heap_observable() || target.external_heap_kind().empty()
             ? std::string(probe::HeapGauge::Backend())
             : std::string(target.external_heap_kind());
}

// The heap slope of `result` was over its threshold: measures a second
// window of as many iterations (no warm-up, the hooks left out: they
// measured the first) and judges its slope alone. A leak grows in both
// windows; a one-time step does not grow again (a cache or a container
// reaching a new high-water mark when a loaded machine overlapped requests
// more than the warm-up did), and is then reported, not judged a leak.
// The iterations it ran.
int ConfirmHeapGrowth(Scenario& scenario, Target& target, const CollectOptions& collect,
                      int first_index, const HeapThreshold& heap, ScenarioResult* result) {
  CollectOptions again = collect;
  again.counts.warmup = 0;
  again.hooks = {};
  again.progress = nullptr;
  again.first_index = first_index;
  Collected second = Collect(scenario, target, again);
  SeriesResult& first = result->series[static_cast<int>(Series::kHeapBytes)];
  const std::string window = std::to_string(again.counts.iterations) + " iterations";
  if (!second.error.empty()) {
    first.detail += "; not measured again (" + second.error + ")";
    return again.counts.iterations;
  }
  SeriesResult next =
      JudgeSeries(std::move(second.series), heap)[static_cast<int>(Series::kHeapBytes)];
  if (next.leak) {
    first.detail += "; again over a second window of " + window + ": " + next.detail;
  } else {
    const std::string was = first.detail;
    first = std::move(next);
    first.detail += " over a second window of " + window + "; the first read " + was +
                    ": a step that did not grow again, not a leak";
  }
  return again.counts.iterations;
}

}  // namespace

std::string PresetName() {
  if (const char* p = std::getenv("GOOSE_PRESET"); p != nullptr && *p != '\0') return p;
  if (kThreadSanitizerBuild) return "tsan";
  const std::string_view backend = probe::HeapGauge::Backend();
  if (backend == "sanitizer") return "asan";
  if (backend == "tcmalloc") return "heapprof";
  return "dev";
}

ScenarioResult Runner::Run(Scenario& scenario) {
  TargetSpec spec;
  spec.kind = scenario.info().needs.separate_processes ? TargetSpec::Kind::kProcess
                                                       : TargetSpec::Kind::kInProcess;
  Result<std::unique_ptr<Target>> target = StartTarget(spec, scenario.requirements());
  if (!target.ok()) {
    return NotRunResult(scenario.info(), options_.preset.empty() ? PresetName() : options_.preset,
                        "cannot start the target: " + target.status().ToString(), "");
  }
  return RunAndShutDown(scenario, std::move(*target));
}

ScenarioResult Runner::RunAndShutDown(Scenario& scenario, std::unique_ptr<Target> target) {
  ScenarioResult result = RunMeasured(scenario, *target);
  target.reset();  // the server shuts down here: what it leaks at shutdown counts too
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
  const IterationCounts counts = CountsFor(info, options_.warmup, options_.iterations);
  const std::string heap_kind = HeapKind(target);

  HeapAttribution attribution(target, options_.profile_dir, options_.attribution_iterations);
  std::vector<RunHook*> hooks = options_.hooks;
  if (options_.attribute_heap_growth) hooks.push_back(&attribution);

  CollectOptions collect;
  collect.counts = counts;
  collect.settle_timeout = options_.settle_timeout;
  collect.progress = options_.progress;
  collect.hooks = hooks;
  Collected collected = Collect(scenario, target, collect);
  // After Setup(): a scenario may learn there how many requests an
  // iteration makes (an MCP call script).
  HeapThreshold heap =
      HeapThresholdFor(info.name, heap_kind, info.heap_thresholds, options_.user_thresholds);
  if (heap.per_request) heap.bytes_per_iteration *= std::max(1, info.requests_per_iteration);

  ScenarioResult result;
  result.scenario = info.name;
  result.description = info.description;
  result.preset = options_.preset.empty() ? PresetName() : options_.preset;
  result.heap_backend = heap_kind;
  result.heap_series = HeapSeriesName(target);
  result.heap_note = target.heap_note();
  result.warmup = counts.warmup;
  result.iterations = counts.iterations;
  result.requests = counts.iterations * info.requests_per_iteration;
  result.heap_threshold_reason = std::string(heap.reason);
  result.heap_threshold_file = std::string(heap.file);
  result.series = JudgeSeries(std::move(collected.series), heap);
  result.peak = collected.peak;
  result.peak_budget = PeakBudgetFor(info.name, heap_kind, target.pid() == 0);
  result.error = std::move(collected.error);
  result.deviations = std::move(collected.deviations);
  result.violations = std::move(collected.violations);
  result.findings = std::move(collected.findings);
  result.seconds = collected.seconds;

  int next = counts.total();
  if (options_.confirm_heap_growth && result.error.empty() && result.Leaks(Series::kHeapBytes)) {
    result.confirm_iterations = ConfirmHeapGrowth(scenario, target, collect, next, heap, &result);
    next += result.confirm_iterations;
  }
  for (RunHook* hook : hooks) {
    if (!result.error.empty()) break;  // nothing to attribute in a run that failed
    hook->AfterJudged(result, [&](int n) {
      const int first = next;
      next += n;
      return RunPass(scenario, target, first, n, options_.settle_timeout);
    });
  }
  for (RunHook* hook : hooks) hook->Report(&result);
  return result;
}

}  // namespace goose::scenarios
