// Session file I/O: SessionStore writing a conversation of k messages and
// reading it back (k = 10, 100, 1000), in a temp directory.
// Counters: file_bytes, and bytes_per_s (kIsRate over the file's bytes).

#include <benchmark/benchmark.h>

#include <string>

#include "bench/bench_util.h"
#include "core/session_store.h"
#include "core/tests/test_util.h"

namespace goose::bench {
namespace {

constexpr const char* kId = "20261129_1";

Session Conversation(int k) {
  Session session;
  session.metadata.description = "benchmark session";
  session.messages = MakeConversation(k);
  return session;
}

void BM_SessionFileWrite(benchmark::State& state) {
  testing::ScopedTempDir dir;
  SessionStore store(dir.path());
  const Session session = Conversation(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  for (auto _ : state) {
    Status written = store.Write(kId, session, &bytes);
    if (!written.ok()) {
      state.SkipWithError(written.ToString().c_str());
      return;
    }
  }
  state.counters["file_bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_s"] =
      benchmark::Counter(static_cast<double>(bytes) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
}

void BM_SessionFileRead(benchmark::State& state) {
  testing::ScopedTempDir dir;
  SessionStore store(dir.path());
  const Session session = Conversation(static_cast<int>(state.range(0)));
  size_t bytes = 0;
  if (Status written = store.Write(kId, session, &bytes); !written.ok()) {
    state.SkipWithError(written.ToString().c_str());
    return;
  }
  for (auto _ : state) {
    Result<Session> read = store.Read(kId);
    if (!read.ok() || read->messages.size() != session.messages.size()) {
      state.SkipWithError("the session did not read back whole");
      return;
    }
    benchmark::DoNotOptimize(read);
  }
  state.counters["file_bytes"] = static_cast<double>(bytes);
  state.counters["bytes_per_s"] =
      benchmark::Counter(static_cast<double>(bytes) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
}

}  // namespace

void RegisterSessionFileBenchmarks(const SuiteMode& mode) {
  const double min_time = mode.short_pass ? 0.05 : 0.5;
  for (int k : {10, 100, 1000}) {
    benchmark::RegisterBenchmark("BM_SessionFileWrite", BM_SessionFileWrite)
        ->ArgName("messages")
        ->Arg(k)
        ->MinTime(min_time)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("BM_SessionFileRead", BM_SessionFileRead)
        ->ArgName("messages")
        ->Arg(k)
        ->MinTime(min_time)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace goose::bench
