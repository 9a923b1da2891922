// Session file I/O: SessionStore writing a conversation of k messages and
// reading it back (k = 10, 100, 1000), in a temp directory; and Save
// appending one reply (four messages) to a conversation of k messages,
// which should cost the same whatever k is.
// Counters: file_bytes, and bytes_per_s (kIsRate over the file's bytes).

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "core/model/session_store.h"
#include "harness/test_util.h"

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

// One iteration = Save of a reply's four new messages. Every 64 replies the
// conversation goes back to k messages (a rewrite, outside the timing).
void BM_SessionFileAppend(benchmark::State& state) {
  testing::ScopedTempDir dir;
  SessionStore store(dir.path(), FsyncPolicy::kNever);
  const Session start = Conversation(static_cast<int>(state.range(0)));
  const std::vector<Message> reply = MakeConversation(4);
  Session session;
  FileMark mark;
  int replies = 64;
  for (auto _ : state) {
    if (replies == 64) {
      state.PauseTiming();
      session = start;
      mark = FileMark{};
      Status written = store.Save(kId, session, &mark);
      state.ResumeTiming();
      if (!written.ok()) {
        state.SkipWithError(written.ToString().c_str());
        return;
      }
      replies = 0;
    }
    session.messages.insert(session.messages.end(), reply.begin(), reply.end());
    Status saved = store.Save(kId, session, &mark);
    if (!saved.ok()) {
      state.SkipWithError(saved.ToString().c_str());
      return;
    }
    ++replies;
  }
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
    benchmark::RegisterBenchmark("BM_SessionFileAppend", BM_SessionFileAppend)
        ->ArgName("messages")
        ->Arg(k)
        ->MinTime(min_time)
        ->Unit(benchmark::kMicrosecond);
  }
}

}  // namespace goose::bench
