#include "bench/heap_memory_manager.h"

#include <algorithm>
#include <chrono>

#include "bench/alloc_counter.h"
#include "scenarios/probe/heap_gauge.h"

namespace goose::bench {

HeapMemoryManager::~HeapMemoryManager() {
  sampler_.request_stop();
  if (sampler_.joinable()) sampler_.join();
}

void HeapMemoryManager::Start() {
  start_heap_ = probe::HeapGauge::AllocatedBytes();
  peak_heap_.store(start_heap_);
  sampler_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      const int64_t now = probe::HeapGauge::AllocatedBytes();
      int64_t peak = peak_heap_.load(std::memory_order_relaxed);
      while (now > peak && !peak_heap_.compare_exchange_weak(peak, now)) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));  // sampling period
    }
  });
  start_allocs_ = AllocationCount();  // after the sampler's own allocation
}

void HeapMemoryManager::Stop(Result& result) {
  sampler_.request_stop();
  if (sampler_.joinable()) sampler_.join();
  const int64_t end_heap = probe::HeapGauge::AllocatedBytes();
  const int64_t peak = std::max(peak_heap_.load(), end_heap);
  result.num_allocs = AllocationCount() - start_allocs_;
  result.max_bytes_used = peak - start_heap_;
  result.net_heap_growth = end_heap - start_heap_;
}

}  // namespace goose::bench
