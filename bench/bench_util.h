// Helpers shared by the benchmarks: the suite's mode (short pass or full),
// conversations of a given length, a registry whose agents talk to a
// trivial in-process provider, and latency percentiles.

#ifndef GOOSE_BENCH_BENCH_UTIL_H_
#define GOOSE_BENCH_BENCH_UTIL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/agent/session_registry.h"
#include "core/model/message.h"
#include "core/model/session.h"
#include "mock_provider/mock_provider.h"

namespace goose::bench {

// Which arguments the benchmarks register with: the short pass (the CTest
// `bench` test, well under a minute) or the full suite (ci/bench).
struct SuiteMode {
  bool short_pass = false;
};

// Each file registers its benchmarks for the mode (called from main).
void RegisterRoundTripBenchmarks(const SuiteMode& mode);
void RegisterDrainBenchmarks(const SuiteMode& mode);
void RegisterSessionMemoryBenchmarks(const SuiteMode& mode);
void RegisterReaperBenchmarks(const SuiteMode& mode);
void RegisterSessionFileBenchmarks(const SuiteMode& mode);
void RegisterToolCallBenchmarks(const SuiteMode& mode);

// `k` alternating user/assistant text messages of about 200 bytes each
// (deterministic text, distinct per message).
std::vector<Message> MakeConversation(int k);
// Bytes of the messages' goose JSON (what a session file line holds).
int64_t ConversationJsonBytes(const std::vector<Message>& messages);

// A session registry whose agents have no tools and a mock provider that
// is never called (the sessions stay idle). Owns the provider.
class IdleRegistry {
 public:
  explicit IdleRegistry(RegistryOptions options);
  SessionRegistry& registry() { return *registry_; }

 private:
  mock::MockProvider provider_;
  std::unique_ptr<SessionRegistry> registry_;
};

// A script for a tool loop through mock-mcp (an extension named "mcp"):
// turn 0 asks for its echo tool in its second message, turn 1 answers in
// two messages; it loops, so every prompt repeats the pair.
mock::Script ToolLoopScript();

// The p-th percentile (0..100, nearest rank) of `values`; 0 when empty.
// Sorts `values`.
double Percentile(std::vector<double>& values, double p);

}  // namespace goose::bench

#endif  // GOOSE_BENCH_BENCH_UTIL_H_
