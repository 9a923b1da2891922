// Giving memory a program has freed back to the system.
//
// glibc keeps what is freed in its arenas for reuse: only the top of the
// main heap is trimmed on its own (M_TRIM_THRESHOLD), so the pages of other
// arenas, and those below a chunk still in use, stay resident. After a
// large conversation ends its megabytes stay in RSS (measured before this:
// a 36 MiB session left the server at 191 MiB with its heap back at 0).
// ReleaseFreeMemory() asks the allocator to return every whole free page:
// glibc's malloc_trim(0) (MADV_DONTNEED on the free pages of every arena),
// gperftools' MallocExtension::ReleaseFreeMemory(). Under ASan and TSan it
// does nothing: their allocators manage their own memory.
//
// Not everything free is trimmable, though. glibc raises its mmap threshold
// each time a large mmapped block is freed (up to 32 MiB) and its trim
// threshold with it (to 64 MiB), and malloc_trim() does not shrink the top
// of a thread arena's heap: after a 36 MiB conversation, 50-90 MiB stayed
// in the top chunks of two worker arenas whatever was trimmed (measured,
// docs/reliability.md). ConfigureAllocatorForServer() sets both on purpose
// at start: blocks of 1 MiB and more (conversation text, request and
// provider bodies) are mmapped and unmapped when freed, and an arena's top
// is trimmed past 4 MiB.
//
// FreedMemory decides when. Code that has just freed a large amount at once
// (a session's conversation, as its LiveSession goes) notes it; once
// `threshold` bytes have been noted and `min_interval` has passed since the
// last release, the thread that noted them releases (milliseconds for a
// heap of hundreds of MiB), so small sessions never pay for it and a large
// one is given back as it ends. Thread-safe.

#ifndef GOOSE_CORE_BASE_MEMORY_RELEASE_H_
#define GOOSE_CORE_BASE_MEMORY_RELEASE_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace goose {

// Returns the allocator's free pages to the system; false when this build's
// allocator is not asked (a sanitizer's).
bool ReleaseFreeMemory();

// The glibc thresholds a server sets at start (see above); nothing under
// other allocators. Call before the first thread starts.
inline constexpr int kServerMmapThreshold = 1 << 20;
inline constexpr int kServerTrimThreshold = 4 << 20;
void ConfigureAllocatorForServer();

class FreedMemory {
 public:
  FreedMemory(int64_t threshold, std::chrono::milliseconds min_interval);

  // Notes `bytes` just freed; releases when due (see above).
  void Note(int64_t bytes);
  // Whether enough was noted and waits for min_interval to pass; then
  // ReleaseIfDue() releases it (for a caller with a timer of its own: the
  // HTTP server's waiting room, after answers it held are gone).
  bool waiting() const;
  void ReleaseIfDue();
  // Releases done so far.
  int64_t releases() const { return releases_.load(); }

  // The process's: 4 MiB, at most every 250 ms.
  static FreedMemory& Process();

 private:
  using Clock = std::chrono::steady_clock;

  const int64_t threshold_;
  const std::chrono::milliseconds min_interval_;
  std::atomic<int64_t> pending_{0};
  std::atomic<int64_t> releases_{0};
  std::mutex mu_;                   // one release at a time
  Clock::time_point last_release_;  // guarded by mu_
};

}  // namespace goose

#endif  // GOOSE_CORE_BASE_MEMORY_RELEASE_H_
