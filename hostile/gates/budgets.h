// The budgets of the hostile gates: how far above where it began a case
// may take the server's heap and resident memory, per build, with why.

#ifndef GOOSE_HOSTILE_GATES_BUDGETS_H_
#define GOOSE_HOSTILE_GATES_BUDGETS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace goose::hostile {

// /metrics must answer within this on a fresh connection, whatever a peer
// does (a bound on the server being held up, not a speed target).
inline constexpr std::chrono::milliseconds kAliveBound{1'000};

// /metrics must answer within this while clients that do not read hold
// large answers (docs/reliability.md): the waiting room, not a worker,
// waits for them. Measured 3-16 ms in dev on a loaded 2-core machine;
// ThreadSanitizer runs the server 5-15 times slower, so 500 ms there (a
// worker held by a reader holds it for seconds: the canary).
#if defined(GOOSE_TSAN)
inline constexpr std::chrono::milliseconds kSlowReaderMetricsBound{500};
#else
inline constexpr std::chrono::milliseconds kSlowReaderMetricsBound{100};
#endif

// Resident memory above the case's start once the slow readers are gone:
// 8 MiB; under ASan its quarantine (16 MiB, capped by the gates' main)
// keeps freed memory resident on purpose: 24 MiB. ThreadSanitizer's
// allocator is not asked to give memory back (memory_release.h): not
// judged there (-1).
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
inline constexpr int64_t kRssLeftAfterSlowReaders = 24 << 20;
#elif defined(GOOSE_TSAN)
inline constexpr int64_t kRssLeftAfterSlowReaders = -1;
#else
inline constexpr int64_t kRssLeftAfterSlowReaders = 8 << 20;
#endif

struct Budget {
  int64_t heap_bytes = 0;
  int64_t rss_bytes = 0;
  std::string reason;
};

// The budget of this build.
//  - Heap: 32 MiB above the start of the case, in every build: the aim of
//    the limits at their defaults (a message of 2 MiB, a reply of 4 MiB, a
//    request body of 1 MiB, an SSE event of 4 MiB, an MCP line of 4 MiB,
//    with the copies a reply makes of them) with room to spare; a lifted
//    limit goes far past it (hundreds of MiB).
//  - Resident memory: the same 32 MiB for glibc and tcmalloc. ASan keeps
//    freed memory in its quarantine (capped at 16 MiB by the gates' main)
//    and adds shadow memory (an eighth of what is touched): 64 MiB.
//    ThreadSanitizer's shadow is larger still, and its heap is invisible to
//    mallinfo2: 128 MiB, and the heap is not judged.
inline Budget CurrentBudget() {
  constexpr int64_t kMiB = 1 << 20;
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  return {32 * kMiB, 64 * kMiB, "asan: rss includes a 16 MiB quarantine and shadow memory"};
#elif defined(GOOSE_TSAN)
  return {32 * kMiB, 128 * kMiB, "tsan: heap not observable; rss includes tsan's shadow"};
#else
  return {32 * kMiB, 32 * kMiB, "32 MiB above the start of the case"};
#endif
}

// The budget of a case whose answer is `bytes` large: the answer itself,
// 256 KiB of working room, and the base every case measures (1 MiB of heap:
// the test's own client and the server's per-request objects; resident
// memory rounds to pages and arenas, 8 MiB; the sanitizers' rss as above).
inline Budget AnswerBudgetFor(int64_t bytes) {
  constexpr int64_t kMiB = 1 << 20;
  const int64_t heap = bytes + 256 * 1024 + kMiB;
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  return {heap, bytes + 64 * kMiB, "the answer + 256 KiB + 1 MiB base; asan rss + 64 MiB"};
#elif defined(GOOSE_TSAN)
  return {heap, bytes + 128 * kMiB, "the answer + 256 KiB + 1 MiB base; tsan rss + 128 MiB"};
#else
  return {heap, bytes + 8 * kMiB, "the answer + 256 KiB + 1 MiB base (rss: + 8 MiB)"};
#endif
}

// The preset this binary was built in, as ci/test names it.
inline std::string PresetName() {
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  return "asan";
#elif defined(GOOSE_TSAN)
  return "tsan";
#elif defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  return "heapprof";
#else
  return "dev";
#endif
}

}  // namespace goose::hostile

#endif  // GOOSE_HOSTILE_GATES_BUDGETS_H_
