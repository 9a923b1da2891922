// AllocPage: the 4096-byte page that an allocation counter preloaded into a
// foreign server (libleakcheck-alloc.so, preload.cc) shares with leakcheck,
// which reads it (alloc_counter_page.h).
//
// leakcheck creates the file (zeroed, then version and magic written) and
// names it in the target's LEAKCHECK_ALLOC_PAGE. The preloaded library maps
// it MAP_SHARED and claims it by a CAS of owner_pid from 0 to its pid; only
// the owner counts (a child of the target that inherited LD_PRELOAD finds
// the page claimed by another pid and only forwards). An owner that
// re-execs finds its own pid there: it zeroes the counters and bumps
// exec_generation.
//
// Every field is a lock-free 64-bit atomic (the same representation as the
// integer, so both sides may place the struct over the mapping). The owner
// updates them relaxed (read-modify-writes, or loads and stores while it has
// a single thread); the reader loads with acquire. The fields are
// independent counters, so a snapshot is not atomic as a whole: read it when
// the target is quiet (after an iteration).
//
// Counting is by malloc_usable_size(): what the allocator handed out, not
// what was asked for, measured on allocation and again on free, so frees and
// reallocs are exact whatever size the program requested. live_bytes is
// signed: a free of a block allocated before counting began (not seen) makes
// it dip below what it was.
//
// There is no "foreign frees" field: telling a block the counter saw from
// one it did not would need a header in every block or a set of live
// pointers, which the hot path cannot afford.

#ifndef GOOSE_SCENARIOS_ALLOC_COUNTER_ALLOC_PAGE_H_
#define GOOSE_SCENARIOS_ALLOC_COUNTER_ALLOC_PAGE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace goose::scenarios {

// "LKALLOC1" read as a little-endian integer.
inline constexpr uint64_t kAllocPageMagic = 0x31434f4c4c414b4cULL;
inline constexpr uint64_t kAllocPageVersion = 1;
inline constexpr size_t kAllocPageSize = 4096;
// The variable that names the page file in the target's environment.
inline constexpr const char* kAllocPageEnv = "LEAKCHECK_ALLOC_PAGE";

// What the hot path updates, on a cache line of its own.
struct alignas(64) AllocCounters {
  std::atomic<int64_t> live_bytes{0};       // usable bytes allocated and not freed
  std::atomic<int64_t> peak_live_bytes{0};  // the highest live_bytes seen
  std::atomic<uint64_t> allocations{0};     // blocks handed out (realloc of a block: not one)
  std::atomic<uint64_t> frees{0};           // blocks given back (realloc to 0 bytes: one)
};

struct AllocPage {
  std::atomic<uint64_t> magic{0};            // kAllocPageMagic once the page is ready
  std::atomic<uint64_t> version{0};          // kAllocPageVersion
  std::atomic<int64_t> owner_pid{0};         // the process that counts; 0 = unclaimed
  std::atomic<uint64_t> exec_generation{0};  // +1 each time the owner re-execs
  AllocCounters counters;
};

static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(sizeof(std::atomic<uint64_t>) == sizeof(uint64_t));
static_assert(sizeof(std::atomic<int64_t>) == sizeof(int64_t));
static_assert(sizeof(AllocPage) <= kAllocPageSize);
// The layout is the protocol: these offsets are version 1.
static_assert(offsetof(AllocPage, magic) == 0);
static_assert(offsetof(AllocPage, version) == 8);
static_assert(offsetof(AllocPage, owner_pid) == 16);
static_assert(offsetof(AllocPage, exec_generation) == 24);
static_assert(offsetof(AllocPage, counters) == 64);
static_assert(offsetof(AllocCounters, live_bytes) == 0);
static_assert(offsetof(AllocCounters, peak_live_bytes) == 8);
static_assert(offsetof(AllocCounters, allocations) == 16);
static_assert(offsetof(AllocCounters, frees) == 24);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_ALLOC_COUNTER_ALLOC_PAGE_H_
