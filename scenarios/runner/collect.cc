#include "scenarios/runner/collect.h"

#include <cmath>
#include <exception>

#include "scenarios/probe/heap_gauge.h"
#include "scenarios/probe/process_probe.h"
#include "scenarios/targets/wait.h"

namespace goose::scenarios {
namespace {

using Sample = std::array<double, kSeriesCount>;

double& At(Sample& s, Series series) { return s[static_cast<int>(series)]; }

// /proc readers can throw (libstdc++'s filebuf) when a process they read
// exits under them; a second read sees the settled tree.
template <typename Read>
auto ReadTwice(Read read) {
  try {
    return read();
  } catch (const std::exception&) {
    return read();
  }
}

void SampleLedger(const Target& target, Sample& s) {
  std::optional<LedgerSnapshot> ledger = target.Ledger();
  if (!ledger) return;
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
  const probe::ProcessSample process =
      ReadTwice([&] { return probe::ProcessProbe(target.pid()).Sample(); });
  At(s, Series::kRssBytes) = static_cast<double>(process.stats.rss_bytes);
  At(s, Series::kOpenFds) = static_cast<double>(process.stats.open_fds);
  At(s, Series::kThreads) = static_cast<double>(process.stats.threads);
  At(s, Series::kDescendants) =
      static_cast<double>(ReadTwice([&] { return target.Descendants(); }));
  SampleLedger(target, s);
  if (std::optional<mock::MockStats> stats = target.MockStats()) {
    At(s, Series::kMockStreamsLive) = static_cast<double>(stats->streams_live());
    At(s, Series::kMockChunksUnread) =
        static_cast<double>(stats->chunks_produced - stats->chunks_consumed);
  }
}

// No counted series of `now` is above `baseline`.
bool CountedAtRest(const Sample& now, const Sample& baseline) {
  for (int i = 0; i < kSeriesCount; ++i) {
    if (KindOf(static_cast<Series>(i)) != SeriesKind::kCounted) continue;
    if (std::isnan(now[i]) || std::isnan(baseline[i])) continue;
    if (now[i] > baseline[i]) return false;
  }
  return true;
}

// One run's state: the loop's buffers, allocated before it.
class Collection {
 public:
  Collection(Scenario& scenario, Target& target, const CollectOptions& options)
      : scenario_(scenario), target_(target), options_(options) {
    for (std::vector<double>& samples : out_.series.samples) {
      samples.reserve(static_cast<size_t>(options.counts.iterations));
    }
    out_.error.reserve(1024);
  }

  // How long a dying target's exit may take to be seen (above).
  static constexpr std::chrono::seconds kExitWait{1};

  Collected Run() {
    const Clock::time_point started = Clock::now();
    Step("setup", scenario_.Setup(target_));
    WarmUp();
    TakeBaseline();
    Measure();
    Settle();
    Status teardown = scenario_.Teardown(target_);
    Step("teardown", teardown);
    if (!out_.error.empty()) {
      // A server that died explains every error after it. Its sockets close
      // before its exit can be seen (the kernel closes files first): a
      // client's "no answer" can come a moment before the exit, so a dying
      // server is given a bounded moment to be seen gone.
      std::string gone;
      WaitUntil(
          [&] {
            gone = target_.ExitDescription();
            return !gone.empty();
          },
          kExitWait);
      if (!gone.empty()) {
        out_.error = "the target died during the run (" + gone + "); " + out_.error;
      }
    }
    out_.deviations = scenario_.Deviations();
    out_.violations = scenario_.Violations();
    out_.findings = scenario_.Findings();
    out_.seconds = std::chrono::duration<double>(Clock::now() - started).count();
    return std::move(out_);
  }

 private:
  void Step(const std::string& what, const Status& status) {
    if (!status.ok() && out_.error.empty()) out_.error = what + ": " + status.ToString();
  }

  void Report(RunProgress::Phase phase, int done, int total) {
    if (!options_.progress) return;
    RunProgress p;
    p.phase = phase;
    p.scenario = scenario_.info().name;
    p.done = done;
    p.total = total;
    p.heap_samples = out_.series.samples[static_cast<int>(Series::kHeapBytes)];
    options_.progress(p);
  }

  void WarmUp() {
    const int warmup = options_.counts.warmup;
    for (int i = 0; out_.error.empty() && i < warmup; ++i) {
      const int index = options_.first_index + i;
      Step("warm-up iteration " + std::to_string(index), scenario_.Iterate(target_, index));
      WaitForQuiet(target_, options_.settle_timeout);
      Report(RunProgress::Phase::kWarmup, i + 1, warmup);
    }
  }

  // At rest after the warm-up, and stable over two samples.
  void TakeBaseline() {
    TakeSample(target_, &baseline_);
    WaitUntil(
        [&] {
          TakeSample(target_, &now_);
          const bool same = CountedAtRest(now_, baseline_) && CountedAtRest(baseline_, now_);
          baseline_ = now_;
          return same;
        },
        std::chrono::milliseconds(1000));
    out_.series.baseline = baseline_;
  }

  // The peaks: a thread samples the heap (in this process) and the kernel
  // keeps the resident high-water mark.
  void Measure() {
    const int warmup = options_.counts.warmup;
    const int iterations = options_.counts.iterations;
    if (out_.error.empty()) Report(RunProgress::Phase::kMeasuring, 0, iterations);
    for (RunHook* hook : options_.hooks) hook->MeasuredStarting(target_);
    probe::PeakMeter peaks(target_.pid(), std::chrono::milliseconds(1));
    peaks.Start();
    for (int i = 0; out_.error.empty() && i < iterations; ++i) {
      const int index = options_.first_index + warmup + i;
      Step("iteration " + std::to_string(index), scenario_.Iterate(target_, index));
      if (!out_.error.empty()) break;
      WaitForQuiet(target_, options_.settle_timeout);
      TakeSample(target_, &now_);
      for (int k = 0; k < kSeriesCount; ++k) out_.series.samples[k].push_back(now_[k]);
      Report(RunProgress::Phase::kMeasured, i + 1, iterations);
    }
    out_.peak = peaks.Stop();
    for (RunHook* hook : options_.hooks) hook->MeasuredFinished(target_);
    if (out_.error.empty()) Report(RunProgress::Phase::kSettling, iterations, iterations);
  }

  // Counted series: a bounded wait for everything to come back.
  void Settle() {
    Sample settled{};
    WaitUntil(
        [&] {
          TakeSample(target_, &settled);
          return CountedAtRest(settled, baseline_);
        },
        options_.settle_timeout);
    out_.series.settled = settled;
  }

  Scenario& scenario_;
  Target& target_;
  const CollectOptions& options_;
  Collected out_;
  Sample baseline_{};
  Sample now_{};
};

}  // namespace

Collected Collect(Scenario& scenario, Target& target, const CollectOptions& options) {
  return Collection(scenario, target, options).Run();
}

Status RunPass(Scenario& scenario, Target& target, int first, int n,
               std::chrono::milliseconds settle_timeout) {
  Status status = scenario.Setup(target);
  for (int i = 0; status.ok() && i < n; ++i) {
    status = scenario.Iterate(target, first + i);
    WaitForQuiet(target, settle_timeout);
  }
  Status teardown = scenario.Teardown(target);
  return status.ok() ? teardown : status;
}

}  // namespace goose::scenarios
