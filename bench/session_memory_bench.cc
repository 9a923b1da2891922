// Session memory: what an idle live session costs on the heap.
//
// BM_IdleSessionHeap/messages:k makes M = 1000 live sessions (agent without tools,
// conversation of k messages of about 200 bytes) in a SessionRegistry, and
// divides the heap's growth by M. It does the same with empty
// conversations, so the conversation's own share is known too.
//
// Counters:
//   heap_per_session        bytes per live idle session with k messages (gated)
//   heap_per_empty_session  bytes per live session with no message
//   conversation_json_bytes the k messages' goose JSON size
//   heap_over_target        heap_per_session / (4096 + 1.2 * json bytes);
//                           the target is <= 1
//   heap_per_message        (with k > 0) extra bytes per stored message
//   message_heap_over_json  heap_per_message / JSON bytes per message (gated)

#include <benchmark/benchmark.h>

#include <string>

#include "bench/bench_util.h"
#include "scenarios/probe/heap_gauge.h"

namespace goose::bench {
namespace {

// Heap bytes per session of `count` live sessions holding `k` messages.
double HeapPerSession(int count, int k) {
  RegistryOptions options;
  options.max_sessions = static_cast<size_t>(count);
  IdleRegistry idle(options);
  const int64_t before = probe::HeapGauge::AllocatedBytes();
  for (int i = 0; i < count; ++i) {
    Session session;
    session.messages = MakeConversation(k);
    Result<SessionLease> lease =
        idle.registry().Create("20261129_" + std::to_string(100000 + i), std::move(session));
    if (!lease.ok()) return -1;
  }
  const int64_t after = probe::HeapGauge::AllocatedBytes();
  idle.registry().Shutdown();
  return static_cast<double>(after - before) / count;
}

void BM_IdleSessionHeap(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  constexpr int count = 1000;     // not an argument: the short pass and the full suite agree
  HeapPerSession(count / 10, k);  // warm-up: the allocator's first arenas and caches
  double with_messages = 0, empty = 0;
  for (auto _ : state) {
    with_messages = HeapPerSession(count, k);
    empty = HeapPerSession(count, 0);
    if (with_messages < 0 || empty < 0) {
      state.SkipWithError("the registry refused a session");
      return;
    }
  }
  const double json = static_cast<double>(ConversationJsonBytes(MakeConversation(k)));
  state.counters["heap_per_session"] = with_messages;
  state.counters["heap_per_empty_session"] = empty;
  state.counters["conversation_json_bytes"] = json;
  state.counters["heap_over_target"] = with_messages / (4096.0 + 1.2 * json);
  if (k > 0) {
    const double per_message = (with_messages - empty) / k;
    state.counters["heap_per_message"] = per_message;
    state.counters["message_heap_over_json"] = per_message / (json / k);
  }
}

}  // namespace

void RegisterSessionMemoryBenchmarks(const SuiteMode& mode) {
  for (int k : {0, 10, 100}) {
    if (mode.short_pass && k == 100) continue;
    benchmark::RegisterBenchmark("BM_IdleSessionHeap", BM_IdleSessionHeap)
        ->ArgName("messages")
        ->Arg(k)
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }
}

}  // namespace goose::bench
