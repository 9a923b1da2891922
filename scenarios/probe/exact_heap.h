// ExactHeap: the highest live heap bytes of this process since Reset,
// exactly, where the allocator lets us hook it. A sampler (HeapGauge read
// every few hundred microseconds) misses a spike allocated and freed
// between two reads; a count kept on every allocation and free cannot.
//
// The back end is chosen by the preset, as HeapGauge's is
// (cmake/Instrumentation.cmake):
//  - dev (GOOSE_HEAP_BACKEND_GLIBC): glibc 2.36 has no malloc hooks, so
//    main() re-executes the program once with libleakcheck-alloc.so
//    preloaded (CountHeapExactly below), which counts into a page this
//    process then reads (scenarios/alloc_counter/alloc_page.h). A program
//    that does not do so has no exact source (Available() false).
//  - asan and tsan (GOOSE_HEAP_BACKEND_SANITIZER, GOOSE_TSAN): the
//    sanitizer allocator's malloc and free hooks; the free hook sizes the
//    block with __sanitizer_get_allocated_size (the size asked for, as the
//    malloc hook is told). TSan (LLVM 14) runs no malloc hook for
//    posix_memalign, aligned_alloc and memalign (aligned new is hooked;
//    tried): a free of such a block only makes live bytes dip.
//  - heapprof (GOOSE_HEAP_BACKEND_TCMALLOC): gperftools' new and delete
//    hooks, both sizing the block with MallocExtension::GetAllocatedSize,
//    so that an allocation and its free count the same bytes.
// main() sets the count up (CountHeapExactly, before any thread starts);
// the hooks do relaxed atomics only: no lock, no allocation.
//
// Live bytes count from when counting began, so a free of an older block
// makes them dip (even below zero); the peak is the highest live count
// since Reset. One peak per process: one meter at a time.

#ifndef GOOSE_SCENARIOS_PROBE_EXACT_HEAP_H_
#define GOOSE_SCENARIOS_PROBE_EXACT_HEAP_H_

#include <cstdint>
#include <string_view>

#include "core/base/status.h"

namespace goose::probe {

struct ExactHeap {
  // Whether this process's heap is counted exactly.
  static bool Available();
  // "alloc page" (dev), "sanitizer hooks", "tcmalloc hooks"; "" when none.
  static std::string_view Source();
  // Live bytes now, and the highest since Reset. REQUIRES: Available().
  static int64_t Live();
  static int64_t Peak();
  // Sets the peak to the live bytes now, and returns them.
  static int64_t Reset();
};

// For main() before any thread starts. dev: re-executes the program once
// with libleakcheck-alloc.so preloaded and a page file made for it (the new
// image maps the page and removes the file); returns only in the new image
// (Ok) or when that failed (the error; the program may go on, sampled).
// Other presets: Ok at once (their hooks need no help).
Status CountHeapExactly(char** argv);

}  // namespace goose::probe

#endif  // GOOSE_SCENARIOS_PROBE_EXACT_HEAP_H_
