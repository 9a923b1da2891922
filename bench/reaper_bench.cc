// Reaper: the cost of a sweep, and how soon an expired session's memory is
// given back.
//
// BM_ReaperSweep/sessions:N  N idle live sessions (4 messages each) in a
//   SessionRegistry. Timed (manual time): the sweep of one ReapExpired() at
//   a time past every TTL, which takes all N out of the registry (the time
//   it holds the registry mutex, SessionRegistry::last_sweep_duration; the
//   issue's target is under 50 ms at 100k). Counters: sweep_all_expired_ms
//   (the timed figure), end_all_expired_ms (the whole call: the sweep plus
//   destroying the N sessions afterwards, in the calling thread with no
//   lock held), sweep_none_expired_ms (a sweep that ends nothing, what the
//   reaper pays while sessions are live), fill_ms (creating the N sessions).
//
// BM_ReapFreeLatency  2000 sessions with a 300 ms TTL and the registry's own
//   reaper thread. Counters: free_after_expiry_ms, from the last session's
//   expiry to the registry being empty and the heap back within 5% of its
//   level before the sessions (target: under 1000); heap_left_per_session, what stays after
//   the reaper ended them all (gated, 0 within noise).

#include <benchmark/benchmark.h>

#include <chrono>
#include <string>
#include <thread>

#include "bench/bench_util.h"
#include "scenarios/probe/heap_gauge.h"

namespace goose::bench {
namespace {

using Clock = std::chrono::steady_clock;

double Millis(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string SessionId(int i) { return "20261129_" + std::to_string(1000000 + i); }

// Fills `registry` with `count` idle sessions of 4 messages. False when one
// was refused.
bool Fill(SessionRegistry& registry, int count) {
  const std::vector<Message> conversation = MakeConversation(4);
  for (int i = 0; i < count; ++i) {
    Session session;
    session.messages = conversation;
    if (!registry.Create(SessionId(i), std::move(session)).ok()) return false;
  }
  return true;
}

void BM_ReaperSweep(benchmark::State& state) {
  const int count = static_cast<int>(state.range(0));
  double none_ms = 0, all_ms = 0, end_all_ms = 0, fill_ms = 0;
  for (auto _ : state) {
    RegistryOptions options;
    options.ttl = std::chrono::hours(1);  // the reaper thread never fires on its own
    options.max_sessions = static_cast<size_t>(count);
    IdleRegistry idle(options);
    const Clock::time_point filling = Clock::now();
    if (!Fill(idle.registry(), count)) {
      state.SkipWithError("the registry refused a session");
      return;
    }
    fill_ms = Millis(Clock::now() - filling);
    const Clock::time_point t0 = Clock::now();
    const size_t none = idle.registry().ReapExpired(Clock::now());
    const Clock::time_point t1 = Clock::now();
    const size_t all = idle.registry().ReapExpired(Clock::now() + std::chrono::hours(2));
    const Clock::time_point t2 = Clock::now();
    if (none != 0 || all != static_cast<size_t>(count)) {
      state.SkipWithError("ReapExpired ended the wrong number of sessions");
      return;
    }
    none_ms = Millis(t1 - t0);
    const Clock::duration sweep = idle.registry().last_sweep_duration();
    all_ms = Millis(sweep);
    end_all_ms = Millis(t2 - t1);
    state.SetIterationTime(std::chrono::duration<double>(sweep).count());
  }
  state.counters["sweep_none_expired_ms"] = none_ms;
  state.counters["sweep_all_expired_ms"] = all_ms;
  state.counters["end_all_expired_ms"] = end_all_ms;
  state.counters["fill_ms"] = fill_ms;
}

void BM_ReapFreeLatency(benchmark::State& state) {
  constexpr int count = 2000;  // not an argument: the short pass and the full suite agree
  constexpr auto kTtl = std::chrono::milliseconds(300);
  double free_ms = -1, left_per_session = 0;
  for (auto _ : state) {
    RegistryOptions options;
    options.ttl = kTtl;
    options.max_sessions = static_cast<size_t>(count);
    IdleRegistry idle(options);
    const int64_t before = probe::HeapGauge::AllocatedBytes();
    if (!Fill(idle.registry(), count)) {
      state.SkipWithError("the registry refused a session");
      return;
    }
    const Clock::time_point expiry = Clock::now() + kTtl;  // of the last session made
    const int64_t held = probe::HeapGauge::AllocatedBytes() - before;
    // Poll the gauge (reading it allocates nothing) until the sessions'
    // memory is back; give up after 30 s.
    const Clock::time_point give_up = expiry + std::chrono::seconds(30);
    int64_t now_bytes = held;
    while (Clock::now() < give_up) {
      now_bytes = probe::HeapGauge::AllocatedBytes() - before;
      if (idle.registry().size() == 0 && now_bytes <= held / 20) break;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    const Clock::time_point freed = Clock::now();
    if (now_bytes > held / 20) {
      state.SkipWithError("the sessions' memory was not freed within 30 s of their expiry");
      return;
    }
    free_ms = Millis(freed - expiry);
    // What stays: once every session has left the registry, wait for the
    // heap to settle (the reaper may still be destroying the last ones).
    int64_t last = -1;
    for (int i = 0;
         i < 200 && (idle.registry().size() != 0 || probe::HeapGauge::AllocatedBytes() != last);
         ++i) {
      last = probe::HeapGauge::AllocatedBytes();
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    left_per_session = static_cast<double>(probe::HeapGauge::AllocatedBytes() - before) / count;
    state.SetIterationTime(std::chrono::duration<double>(freed - expiry).count());
  }
  state.counters["free_after_expiry_ms"] = free_ms;
  state.counters["heap_left_per_session"] = left_per_session;
}

}  // namespace

void RegisterReaperBenchmarks(const SuiteMode& mode) {
  for (int count : {10000, 100000}) {
    // 100k sessions hold ~300 MB and take seconds to make, so only the full
    // suite measures them.
    if (mode.short_pass && count > 10000) continue;
    benchmark::RegisterBenchmark("BM_ReaperSweep", BM_ReaperSweep)
        ->ArgName("sessions")
        ->Arg(count)
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  benchmark::RegisterBenchmark("BM_ReapFreeLatency", BM_ReapFreeLatency)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace goose::bench
