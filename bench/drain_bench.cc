// Stream drain: how fast a reply stream is consumed to its end.
//
//   BM_DrainInProcess  the mock provider's in-process stream (no I/O): the
//                      cost of ReplyStream, StreamItem and the assembler
//   BM_DrainSse        OpenAIProvider reading mock-llm's SSE over loopback
//                      (MockLlmServer in this process)
//
// One iteration drains one reply of one message of `chunks` 16-byte text
// chunks. Counters: chunks_per_s and bytes_per_s (text bytes), and
// heap_growth_per_stream (heap after the run minus before, over the streams
// drained; 0 within noise when a drained stream leaves nothing behind).

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench/bench_util.h"
#include "core/base/json.h"
#include "core/model/provider.h"
#include "core/model/reply_stream.h"
#include "core/providers/openai_provider.h"
#include "mock_provider/mock_llm_server.h"
#include "mock_provider/mock_provider.h"
#include "mock_provider/script.h"
#include "scenarios/probe/heap_gauge.h"

namespace goose::bench {
namespace {

constexpr int kChunkBytes = 16;

mock::Script DrainScript(int64_t chunks) {
  Json json = {{"name", "bench_drain"},
               {"loop", true},
               {"turns", {{{"messages", {{{"chunks", chunks}, {"chunk_size", kChunkBytes}}}}}}}};
  Result<mock::Script> script = mock::ParseScript(json, "bench_drain");
  if (!script.ok()) std::abort();  // built here: cannot fail unless the format changed
  return *script;
}

ProviderRequest DrainRequest() {
  ProviderRequest request;
  request.conversation.push_back(Message::User("Tell me everything."));
  return request;
}

// Drains one stream per iteration from `provider`; sets the counters.
void DrainLoop(benchmark::State& state, Provider& provider) {
  const int64_t chunks = state.range(0);
  const ProviderRequest request = DrainRequest();
  {  // warm-up: first connection, first allocations of every size
    std::unique_ptr<ReplyStream> stream = provider.Stream(request);
    DrainResult warm = Drain(*stream);
    if (warm.error) {
      state.SkipWithError(("warm-up failed: " + warm.error->ToString()).c_str());
      return;
    }
  }
  int64_t text_bytes = 0;
  int64_t streams = 0;
  const int64_t heap_before = probe::HeapGauge::AllocatedBytes();
  for (auto _ : state) {
    std::unique_ptr<ReplyStream> stream = provider.Stream(request);
    DrainResult result = Drain(*stream);
    if (result.error) {
      state.SkipWithError(result.error->ToString().c_str());
      break;
    }
    for (const Message& m : result.messages) text_bytes += static_cast<int64_t>(m.Text().size());
    ++streams;
  }
  const int64_t heap_after = probe::HeapGauge::AllocatedBytes();
  state.counters["chunks_per_s"] =
      benchmark::Counter(static_cast<double>(streams * chunks), benchmark::Counter::kIsRate);
  state.counters["bytes_per_s"] = benchmark::Counter(
      static_cast<double>(text_bytes), benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
  if (streams > 0) {
    state.counters["heap_growth_per_stream"] =
        static_cast<double>(heap_after - heap_before) / static_cast<double>(streams);
  }
}

void BM_DrainInProcess(benchmark::State& state) {
  mock::MockProvider provider(DrainScript(state.range(0)));
  DrainLoop(state, provider);
}

void BM_DrainSse(benchmark::State& state) {
  mock::MockLlmServerOptions options;
  options.scripts.push_back(DrainScript(state.range(0)));
  Result<std::unique_ptr<mock::MockLlmServer>> server = mock::MockLlmServer::Start(options);
  if (!server.ok()) {
    state.SkipWithError(("mock-llm did not start: " + server.status().ToString()).c_str());
    return;
  }
  OpenAIConfig config;
  config.scheme = "http";
  config.host = "127.0.0.1";
  config.port = (*server)->port();
  config.model = "bench_drain";  // mock-llm plays the script named like the model
  config.max_retries = 0;
  OpenAIProvider provider(config);
  DrainLoop(state, provider);
}

}  // namespace

void RegisterDrainBenchmarks(const SuiteMode& mode) {
  const double min_time = mode.short_pass ? 0.2 : 2.0;
  benchmark::RegisterBenchmark("BM_DrainInProcess", BM_DrainInProcess)
      ->ArgName("chunks")
      ->Arg(1000)
      ->MinTime(min_time)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_DrainSse", BM_DrainSse)
      ->ArgName("chunks")
      ->Arg(1000)
      ->MinTime(min_time)
      ->UseRealTime()
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace goose::bench
