// AllocationCount: how many times this program called the global operator
// new (every C++ allocation: containers, strings, make_unique, ...).
//
// The benchmark binary replaces the global operator new/delete with thin
// wrappers over malloc/free that count calls (alloc_counter.cc). Only the
// count is added; the allocator underneath (glibc or tcmalloc) is the one
// the preset links, so the heap gauge still sees every byte. C code that
// calls malloc directly is not counted.

#ifndef GOOSE_BENCH_ALLOC_COUNTER_H_
#define GOOSE_BENCH_ALLOC_COUNTER_H_

#include <cstdint>

namespace goose::bench {

// Calls of any global operator new since the program started.
int64_t AllocationCount();

}  // namespace goose::bench

#endif  // GOOSE_BENCH_ALLOC_COUNTER_H_
