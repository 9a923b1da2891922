// HeapGauge: bytes allocated and not freed, from the allocator this build
// links (glibc mallinfo2 in dev/tsan, the sanitizer allocator in asan,
// gperftools' MallocExtension in heapprof). One interface; the backend is
// chosen by the preset at compile time (see core/base/process_stats.h).
//
// Reading it allocates nothing, so a gate may sample it in a tight loop
// without disturbing what it measures.

#ifndef GOOSE_SCENARIOS_PROBE_HEAP_GAUGE_H_
#define GOOSE_SCENARIOS_PROBE_HEAP_GAUGE_H_

#include <cmath>
#include <cstdint>
#include <string_view>

#include "core/base/process_stats.h"

namespace goose::probe {

struct HeapGauge {
  static int64_t AllocatedBytes() { return HeapAllocatedBytes(); }
  // The same as a sample for JudgeGrowth: NaN where the heap cannot be
  // seen (tsan), so the verdict is "not observable", never "clean".
  static double Sample() {
    const int64_t bytes = HeapAllocatedBytes();
    return bytes >= 0 ? static_cast<double>(bytes) : std::nan("");
  }
  static std::string_view Backend() { return HeapBackendName(); }
};

}  // namespace goose::probe

#endif  // GOOSE_SCENARIOS_PROBE_HEAP_GAUGE_H_
