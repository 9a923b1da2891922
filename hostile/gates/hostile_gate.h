// HostileGate: the fixture every hostile gate runs in (label hostile). For
// every case:
//  - the server is alive afterwards and answers /metrics within a second;
//  - the answer is the documented one (docs/reliability.md, "Hostile peers");
//  - no stored message is lost: a session stored before the case is whole;
//  - the peak heap and the peak resident memory over the case stay within
//    their budget above where they were when it began.
// The cases are by peer: client_*_gates_test.cc, provider_gates_test.cc,
// extension_gates_test.cc. Each case is one test, so a canary can run it
// alone with one limit lifted and show that it fails
// (hostile_canaries_test.cc).
//
//   GOOSE_GATE_REPORT_DIR   write every case's figures as <dir>/<test>.json

#ifndef GOOSE_HOSTILE_GATES_HOSTILE_GATE_H_
#define GOOSE_HOSTILE_GATES_HOSTILE_GATE_H_

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "core/base/json.h"
#include "core/providers/openai_provider.h"
#include "harness/api_client.h"
#include "harness/gate_report.h"
#include "harness/test_server.h"
#include "hostile/client.h"
#include "hostile/gates/budgets.h"
#include "mock_provider/hostile_llm.h"
#include "scenarios/probe/exact_heap.h"
#include "scenarios/probe/peak_meter.h"

namespace goose::hostile {

using testing::HttpAnswer;
using testing::TestServer;
using testing::TestServerOptions;

// "HostileGate.<case>" of the test running.
std::string TestName();

// How long a case whose wait `timeout` ends may take in all: twice the
// timeout and half a second (a loaded machine, a sanitizer). A timeout of
// 1 s gives 2.5 s; raised 4x it answers after 4 s.
inline std::chrono::milliseconds TimeoutBound(std::chrono::milliseconds timeout) {
  return 2 * timeout + std::chrono::milliseconds(500);
}

// An answer and how long it took.
struct TimedAnswer {
  HttpAnswer answer;
  std::chrono::steady_clock::duration took{};
};

// A session stored before the case, and what its file held.
struct Seed {
  std::string id;
  size_t messages = 0;
};

class HostileGate : public ::testing::Test {
 protected:
  void SetUp() override { goose::testing::MarkGateStarted(); }

  // The server with the scripted mock provider and in-process tools.
  void StartServer(TestServerOptions options = {});

  // The server with an OpenAIProvider that talks to a hostile endpoint,
  // which answers the seed's two requests (reply, description) normally.
  // The provider's idle timeout (GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS) is
  // `idle_timeout`: seconds, so that the ping-only case proves the watchdog
  // in seconds.
  void StartWithHostileProvider(mock::HostileLlmOptions llm,
                                std::chrono::milliseconds idle_timeout = std::chrono::seconds(2));

  // The server with real stdio extensions: mock-mcp as "mcp", and a script
  // that calls `tool` with `arguments` once, then answers. The extension's
  // timeout is `timeout_seconds`; the test's client waits `client_timeout`
  // for an answer (the gate's own deadline).
  void StartWithHostileExtension(const std::string& tool, const Json& arguments,
                                 int timeout_seconds = 2,
                                 std::chrono::seconds client_timeout = std::chrono::seconds(30));

  // Stores a session of one exchange.
  Seed MakeSeed();

  // The seed's file still holds every message it held.
  void ExpectSeedWhole(const Seed& seed);

  // /metrics on a fresh connection answers within a second.
  void ExpectAlive();

  // Runs `attack` between the meter's start and stop, then judges the peak
  // against the budget and reports it.
  template <typename Attack>
  void Measure(const std::string& limit, Attack attack,
               std::optional<Budget> case_budget = std::nullopt);

  // POST `path` with `body`, measured as Measure() does: its answer.
  TimedAnswer MeasurePost(const std::string& limit, const std::string& path, const Json& body,
                          std::optional<Budget> case_budget = std::nullopt);
  // A reply to the seeded session, measured: its answer.
  TimedAnswer MeasureReply(const std::string& limit, const Seed& seed,
                           std::optional<Budget> case_budget = std::nullopt);

  // A wait that `timeout` ends took `took`: within TimeoutBound(timeout),
  // so that the timeout raised 4x, or lifted, fails the case.
  void ExpectEndedByTimeout(const std::string& timeout_name, std::chrono::milliseconds timeout,
                            std::chrono::steady_clock::duration took);

  // Writes the case's figures, its answer and its verdict (any failure of
  // the case, not only the peak's) to GOOSE_GATE_REPORT_DIR.
  void TearDown() override;

  // Records the answer for the report and checks it: `status`, and a
  // message naming `names`.
  void ExpectAnswer(const Outcome& outcome, int status, const std::string& names = "");
  void ExpectAnswer(const HttpAnswer& answer, int status, const std::string& names = "");

  std::unique_ptr<mock::HostileLlm> llm_;
  std::unique_ptr<OpenAIProvider> provider_;
  std::unique_ptr<TestServer> server_;
  Victim victim_;
  probe::PeakFigures peak_;
  Json measured_;
  std::string answer_;
};

template <typename Attack>
void HostileGate::Measure(const std::string& limit, Attack attack,
                          std::optional<Budget> case_budget) {
  probe::PeakMeter meter;
  meter.Start();
  const auto start = std::chrono::steady_clock::now();
  attack();
  peak_ = meter.Stop();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Budget budget = case_budget ? *case_budget : BaseBudget();
  const bool heap_ok = peak_.heap_peak < 0 || peak_.heap_rise() <= budget.heap_bytes;
  const bool rss_ok = peak_.rss_peak < 0 || peak_.rss_rise() <= budget.rss_bytes;
  // A sampled heap can miss a spike; an RSS mark not reset is no peak.
  EXPECT_TRUE(peak_.heap_exact) << "the heap peak was sampled, not counted (hostile_main.cc)";
  EXPECT_TRUE(peak_.rss_mark_reset) << "VmHWM could not be reset: the resident peak is unknown";
  EXPECT_TRUE(heap_ok && rss_ok) << "peak over budget (" << limit << "): " << peak_.ToString()
                                 << "; budget heap +" << budget.heap_bytes << " B, rss +"
                                 << budget.rss_bytes << " B (" << budget.reason << ")";
  const std::string heap_source =
      peak_.heap_exact ? std::string(probe::ExactHeap::Source()) : "sampled";
  measured_ = Json{{"limit", limit},
                   {"heap_rise", peak_.heap_rise()},
                   {"heap_peak", peak_.heap_peak},
                   {"heap_budget", budget.heap_bytes},
                   {"heap_exact", peak_.heap_exact},
                   {"heap_source", heap_source},
                   {"rss_rise", peak_.rss_rise()},
                   {"rss_peak", peak_.rss_peak},
                   {"rss_budget", budget.rss_bytes},
                   {"rss_mark_reset", peak_.rss_mark_reset},
                   {"budget_reason", budget.reason},
                   {"samples", peak_.samples},
                   {"within_budget", heap_ok && rss_ok},
                   {"seconds", seconds}};
}

}  // namespace goose::hostile

#endif  // GOOSE_HOSTILE_GATES_HOSTILE_GATE_H_
