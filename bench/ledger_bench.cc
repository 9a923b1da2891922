// What counting a resource in the ledger costs: the ledger stays on in
// release builds, so an entry must be a few nanoseconds.

#include <benchmark/benchmark.h>

#include "core/base/resource_ledger.h"

namespace goose {
namespace {

void BM_LedgerEntry(benchmark::State& state) {
  for (auto _ : state) {
    LedgerEntry entry(Gauge::kLiveStreams);
    benchmark::DoNotOptimize(&entry);
  }
}
BENCHMARK(BM_LedgerEntry)->ThreadRange(1, 2);

void BM_LedgerBytesAdd(benchmark::State& state) {
  LedgerBytes bytes(Gauge::kStreamBufferedBytes);
  for (auto _ : state) {
    bytes.Add(64);
    bytes.Add(-64);
  }
}
BENCHMARK(BM_LedgerBytesAdd)->ThreadRange(1, 2);

void BM_LedgerSnapshot(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(ResourceLedger::Global().Snapshot());
}
BENCHMARK(BM_LedgerSnapshot);

}  // namespace
}  // namespace goose

BENCHMARK_MAIN();
