// HeapMemoryManager: Google Benchmark's memory hook, backed by the heap
// gauge the leak gates use (scenarios/probe/heap_gauge.h).
//
// Google Benchmark runs each benchmark once more between Start() and
// Stop() (up to 16 iterations) and reports, per benchmark:
//   allocs_per_iter  operator new calls per iteration (alloc_counter.h)
//   max_bytes_used   peak heap above the level at Start(): the gauge is
//                    sampled every millisecond by a sampler thread, so a
//                    peak shorter than that can be missed
//   net_heap_growth  heap at Stop() minus heap at Start() (whole run, not
//                    per iteration; Google Benchmark does not tell the hook
//                    how many iterations ran)
// total_allocated_bytes is left unset: the gauge sees live bytes, not the
// sum of every allocation.
//
// Thread safety: Google Benchmark calls Start and Stop from its main
// thread; the sampler is an internal std::jthread.

#ifndef GOOSE_BENCH_HEAP_MEMORY_MANAGER_H_
#define GOOSE_BENCH_HEAP_MEMORY_MANAGER_H_

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <thread>

namespace goose::bench {

class HeapMemoryManager : public benchmark::MemoryManager {
 public:
  HeapMemoryManager() = default;
  // Stops the sampler if a run is still being recorded.
  ~HeapMemoryManager() override;
  HeapMemoryManager(const HeapMemoryManager&) = delete;
  HeapMemoryManager& operator=(const HeapMemoryManager&) = delete;

  // Reads the gauge and the allocation count, starts the peak sampler.
  void Start() override;
  // Stops the sampler and fills `result` (see above).
  void Stop(Result& result) override;
  void Stop(Result* result) override { Stop(*result); }

 private:
  int64_t start_heap_ = 0;
  int64_t start_allocs_ = 0;
  std::atomic<int64_t> peak_heap_{0};
  std::jthread sampler_;
};

}  // namespace goose::bench

#endif  // GOOSE_BENCH_HEAP_MEMORY_MANAGER_H_
