#include "core/base/memory_release.h"

#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
#include <gperftools/malloc_extension.h>
#elif defined(GOOSE_HEAP_BACKEND_GLIBC) && !defined(GOOSE_TSAN)
#include <malloc.h>
#endif

#include "core/base/failpoint.h"

namespace goose {

bool ReleaseFreeMemory() {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  MallocExtension::instance()->ReleaseFreeMemory();
  return true;
#elif defined(GOOSE_HEAP_BACKEND_GLIBC) && !defined(GOOSE_TSAN)
  ::malloc_trim(0);
  return true;
#else
  return false;
#endif
}

void ConfigureAllocatorForServer() {
#if defined(GOOSE_HEAP_BACKEND_GLIBC) && !defined(GOOSE_TSAN)
  // Fixed values also turn glibc's dynamic thresholds off.
  ::mallopt(M_MMAP_THRESHOLD, kServerMmapThreshold);
  ::mallopt(M_TRIM_THRESHOLD, kServerTrimThreshold);
#endif
}

FreedMemory::FreedMemory(int64_t threshold, std::chrono::milliseconds min_interval)
    : threshold_(threshold), min_interval_(min_interval) {}

void FreedMemory::Note(int64_t bytes) {
  if (bytes <= 0) return;
  if (pending_.fetch_add(bytes) + bytes < threshold_) return;
  ReleaseIfDue();
}

bool FreedMemory::waiting() const { return pending_.load() >= threshold_; }

void FreedMemory::ReleaseIfDue() {
  if (pending_.load() < threshold_) return;
  std::unique_lock<std::mutex> lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is releasing
  const Clock::time_point now = Clock::now();
  if (now - last_release_ < min_interval_) return;  // kept pending for the next note
  last_release_ = now;
  pending_.store(0);
  if (FailpointOn(Failpoint::kKeepFreedMemory)) return;
  if (ReleaseFreeMemory()) releases_.fetch_add(1);
}

FreedMemory& FreedMemory::Process() {
  static FreedMemory* const process = new FreedMemory(4 << 20, std::chrono::milliseconds(250));
  return *process;
}

}  // namespace goose
