// The leak gates: each scenario must come out clean on clean code, and,
// run as a canary under the failpoint that re-creates its bug, must fail
// for the right reason (the expected series leaks). A gate whose canary
// cannot make it fail is a defect.
//
// Environment:
//   GOOSE_GATE_REPORT_DIR  write every result as <dir>/<test>.json
//   GOOSE_GATE_REPEAT=N    run each clean gate N times and count the
//                          runs flagged (the false-positive measurement)
//   GOOSE_GATE_ITERATIONS  override every clean gate's measured iterations

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <vector>

#include "core/base/failpoint.h"
#include "harness/gate_report.h"
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/gates/gate_expectations.h"
#include "scenarios/probe/heap_gauge.h"
#include "scenarios/runner/runner.h"
#include "scenarios/runner/thresholds.h"
#include "scenarios/targets/heap_profile.h"

#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
// Every scenario ends with __lsan_do_recoverable_leak_check(), so leaks are
// reported by the scenario that made them. The exit-time check would
// report a canary's deliberate leak a second time and fail its process.
extern "C" const char* __lsan_default_options() { return "leak_check_at_exit=0"; }
#endif

namespace goose::scenarios {
namespace {

int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

class LeakGate : public ::testing::Test {
 protected:
  void SetUp() override {
    ClearFailpoints();
    goose::testing::MarkGateStarted();
  }
  void TearDown() override { ClearFailpoints(); }

  // A clean gate: every run must pass. With GOOSE_GATE_REPEAT=N, N runs and
  // the number flagged is printed (the false-positive rate).
  void ExpectClean(const std::string& name) {
    const int repeat = std::max(1, EnvInt("GOOSE_GATE_REPEAT", 1));
    RunOptions options;
    options.iterations = EnvInt("GOOSE_GATE_ITERATIONS", -1);
    std::vector<ScenarioResult> results;
    int flagged = 0;
    for (int run = 0; run < repeat; ++run) {
      std::unique_ptr<Scenario> scenario = MakeBuiltinScenario(name);
      ASSERT_NE(scenario, nullptr) << name;
      ScenarioResult r = Runner(options).Run(*scenario);
      if (!r.Passed()) ++flagged;
      EXPECT_TRUE(r.Passed()) << "run " << run << ": " << r.Describe();
      results.push_back(std::move(r));
    }
    const ScenarioResult& last = results.back();
    std::printf("[gate] %s %s: %d of %d runs flagged; last: heap %s; %.2f s\n", name.c_str(),
                last.preset.c_str(), flagged, repeat, last[Series::kHeapBytes].detail.c_str(),
                last.seconds);
    ReportGateResults(results, "gate");
  }

  // A canary: under `failpoint`, the gate must say "leak" for `series`.
  ScenarioResult ExpectCanary(const std::string& name, Failpoint failpoint, Series series,
                              int warmup, int iterations) {
    std::unique_ptr<Scenario> scenario = MakeBuiltinScenario(name);
    EXPECT_NE(scenario, nullptr) << name;
    if (scenario == nullptr) return {};
    EXPECT_TRUE(SetFailpoint(failpoint, true).ok());
    RunOptions options;
    options.warmup = warmup;
    options.iterations = iterations;
    ScenarioResult r = Runner(options).Run(*scenario);
    ClearFailpoints();
    ExpectCanaryFailed(r, failpoint, series);
    return r;
  }
};

// --- clean gates -------------------------------------------------------

TEST_F(LeakGate, StreamDrainage) { ExpectClean("stream_drainage"); }
TEST_F(LeakGate, DisconnectsAndFailures) { ExpectClean("disconnects_and_failures"); }
TEST_F(LeakGate, TimeoutReaping) { ExpectClean("timeout_reaping"); }
TEST_F(LeakGate, ExtensionOrphans) { ExpectClean("extension_orphans"); }
TEST_F(LeakGate, ConcurrentSessions) { ExpectClean("concurrent_sessions"); }
TEST_F(LeakGate, Summarization) { ExpectClean("summarization"); }
TEST_F(LeakGate, ServerSigkill) { ExpectClean("server_sigkill"); }

// --- canaries ----------------------------------------------------------

TEST_F(LeakGate, CanaryStreamDrainageUnderPartialDrain) {
  ScenarioResult r =
      ExpectCanary("stream_drainage", Failpoint::kPartialDrain, Series::kLiveStreams, 2, 10);
  EXPECT_TRUE(r.Leaks(Series::kMockStreamsLive)) << r.Describe();
  EXPECT_TRUE(r.Leaks(Series::kMockChunksUnread)) << r.Describe();
}

TEST_F(LeakGate, CanaryTimeoutReapingUnderNoReap) {
  ScenarioResult r = ExpectCanary("timeout_reaping", Failpoint::kNoReap, Series::kSessions, 1, 3);
  EXPECT_TRUE(r.Leaks(Series::kAgents)) << r.Describe();
}

TEST_F(LeakGate, CanaryExtensionOrphansUnderLeakChild) {
  ExpectCanary("extension_orphans", Failpoint::kLeakChild, Series::kDescendants, 1, 2);
}

TEST_F(LeakGate, CanaryConcurrentSessionsUnderLeakFd) {
  ExpectCanary("concurrent_sessions", Failpoint::kLeakFd, Series::kOpenFds, 1, 5);
}

TEST_F(LeakGate, CanaryConcurrentSessionsUnderLeakThread) {
  ExpectCanary("concurrent_sessions", Failpoint::kLeakThread, Series::kThreads, 1, 5);
}

TEST_F(LeakGate, CanarySummarizationUnderRetainHeap) {
  ScenarioResult r =
      ExpectCanary("summarization", Failpoint::kRetainHeap, Series::kHeapBytes, 3, 25);
  ExpectAttribution(r);
  EXPECT_EQ(r.lsan_leaks, 0) << "retained bytes are reachable: only the growth gate sees them";
}

TEST_F(LeakGate, CanaryServerSigkillUnderLeakChild) {
  ExpectCanary("server_sigkill", Failpoint::kLeakChild, Series::kDescendants, 1, 2);
}

// --- sensitivity -------------------------------------------------------

// One leaked (still reachable) 8-byte allocation per request must be
// flagged within 2,000 requests. The leak is a test-only hook on the
// gate's own client, so it is exactly 8 bytes, once per request.
TEST_F(LeakGate, SensitivityEightBytesPerRequest) {
  constexpr int kMaxRequests = 2000;
  std::vector<void*> kept;
  kept.reserve(4 * kMaxRequests);
  std::mutex kept_mu;
  testing::SetRequestHook([&] {
    std::lock_guard<std::mutex> lock(kept_mu);
    if (kept.size() < kept.capacity()) kept.push_back(std::malloc(8));
  });
  std::unique_ptr<Scenario> scenario = MakeBuiltinScenario("stream_drainage");
  const int per_iteration = scenario->info().requests_per_iteration;
  RunOptions options;
  options.iterations = scenario->info().iterations;
  options.attribute_heap_growth = false;
  ScenarioResult r = Runner(options).Run(*scenario);
  testing::SetRequestHook(nullptr);
  for (void* p : kept) std::free(p);
  ASSERT_LE(r.requests, kMaxRequests);
  EXPECT_TRUE(r.Leaks(Series::kHeapBytes)) << r.Describe();
  // The first prefix of the measured iterations at which the verdict flips.
  const std::vector<double>& heap = r[Series::kHeapBytes].samples;
  const double threshold = r[Series::kHeapBytes].threshold;
  int flagged_at = -1;
  for (size_t n = 5; n <= heap.size(); n += 5) {
    std::span<const double> prefix(heap.data(), n);
    if (probe::JudgeGrowth(prefix, threshold, kSlopeConfidence).verdict == probe::Verdict::kLeak) {
      flagged_at = static_cast<int>(n);
      break;
    }
  }
  std::printf(
      "[sensitivity] %s: 8 B/request leak: %s; flagged after %d measured iterations "
      "(%d requests, %d warm-up requests before)\n",
      r.preset.c_str(), r[Series::kHeapBytes].detail.c_str(), flagged_at,
      flagged_at * per_iteration, r.warmup * per_iteration);
  EXPECT_GT(flagged_at, 0);
  ReportGateResults({r}, "sensitivity", "heap_bytes");
}

// Last on purpose: the bytes leak_heap loses stay lost for the life of
// the process, so every later LeakSanitizer check in the same process
// would report them again. ctest runs each test in its own process; this
// order keeps a direct run of the whole binary right too.
TEST_F(LeakGate, CanaryDisconnectsAndFailuresUnderLeakHeap) {
  ScenarioResult r =
      ExpectCanary("disconnects_and_failures", Failpoint::kLeakHeap, Series::kHeapBytes, 3, 25);
  ExpectAttribution(r);
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  EXPECT_NE(r.lsan_leaks, 0) << "LeakSanitizer did not see the unreachable bytes";
#endif
}

}  // namespace
}  // namespace goose::scenarios
