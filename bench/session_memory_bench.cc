// Session memory: what an idle live session costs on the heap.
//
// BM_IdleSessionHeap/messages:k makes M = 1000 live sessions (agent without tools,
// conversation of k messages of about 200 bytes) in a SessionRegistry, and
// divides the heap's growth by M, once right after the sessions were
// released (fresh) and once after SessionRegistry::CompactIdle, what the
// reaper does to a session idle for RegistryOptions::compact_after (5 s by
// default): an idle session. It does the same with empty conversations, so
// the conversation's own share is known too.
//
// Counters:
//   heap_per_session        bytes per live idle (compacted) session with k messages (gated)
//   heap_per_session_fresh  the same right after its reply, before compaction
//   heap_per_empty_session  bytes per live session with no message
//   conversation_json_bytes the k messages' goose JSON size
//   heap_over_target        heap_per_session / (4096 + 1.2 * json bytes);
//                           the target is <= 1
//   heap_per_message        (with k > 0) extra bytes per stored message
//   message_heap_over_json  heap_per_message / JSON bytes per message (gated)
//   fresh_message_heap_over_json  the same before compaction (Message objects)

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>

#include "bench/bench_util.h"
#include "scenarios/probe/heap_gauge.h"

namespace goose::bench {
namespace {

struct SessionHeap {
  double fresh = -1;      // bytes per session just released
  double compacted = -1;  // bytes per session idle past compact_after
};

// Heap bytes per session of `count` live sessions holding `k` messages,
// fresh and once idle long enough to be compacted.
SessionHeap HeapPerSession(int count, int k) {
  RegistryOptions options;
  options.max_sessions = static_cast<size_t>(count);
  options.ttl = std::chrono::hours(2);
  // Far away, so the reaper thread leaves them alone; CompactIdle below
  // does what it would do after an hour.
  options.compact_after = std::chrono::hours(1);
  IdleRegistry idle(options);
  SessionHeap out;
  const int64_t before = probe::HeapGauge::AllocatedBytes();
  for (int i = 0; i < count; ++i) {
    Session session;
    session.messages = MakeConversation(k);
    Result<SessionLease> lease =
        idle.registry().Create("20261129_" + std::to_string(100000 + i), std::move(session));
    if (!lease.ok()) return out;
  }
  out.fresh = static_cast<double>(probe::HeapGauge::AllocatedBytes() - before) / count;
  idle.registry().CompactIdle(std::chrono::steady_clock::now() + options.compact_after);
  out.compacted = static_cast<double>(probe::HeapGauge::AllocatedBytes() - before) / count;
  idle.registry().Shutdown();
  return out;
}

void BM_IdleSessionHeap(benchmark::State& state) {
  const int k = static_cast<int>(state.range(0));
  constexpr int count = 1000;     // not an argument: the short pass and the full suite agree
  HeapPerSession(count / 10, k);  // warm-up: the allocator's first arenas and caches
  SessionHeap with_messages, empty;
  for (auto _ : state) {
    with_messages = HeapPerSession(count, k);
    empty = HeapPerSession(count, 0);
    if (with_messages.compacted < 0 || empty.compacted < 0) {
      state.SkipWithError("the registry refused a session");
      return;
    }
  }
  const double json = static_cast<double>(ConversationJsonBytes(MakeConversation(k)));
  state.counters["heap_per_session"] = with_messages.compacted;
  state.counters["heap_per_session_fresh"] = with_messages.fresh;
  state.counters["heap_per_empty_session"] = empty.compacted;
  state.counters["conversation_json_bytes"] = json;
  state.counters["heap_over_target"] = with_messages.compacted / (4096.0 + 1.2 * json);
  if (k > 0) {
    const double per_message = (with_messages.compacted - empty.compacted) / k;
    state.counters["heap_per_message"] = per_message;
    state.counters["message_heap_over_json"] = per_message / (json / k);
    state.counters["fresh_message_heap_over_json"] =
        (with_messages.fresh - empty.fresh) / k / (json / k);
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
