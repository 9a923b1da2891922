// What this process holds right now, read from the allocator and /proc.
//
// Used by GET /metrics and, through scenarios/probe, by the leak gates.
// The heap figure comes from the allocator the build links: glibc's
// mallinfo2, gperftools' MallocExtension, or the sanitizer allocator.

#ifndef GOOSE_CORE_BASE_PROCESS_STATS_H_
#define GOOSE_CORE_BASE_PROCESS_STATS_H_

#include <sys/types.h>

#include <cstdint>
#include <string_view>

namespace goose {

// Bytes the program has allocated and not freed; -1 when this build cannot
// see them (ThreadSanitizer's allocator is invisible to mallinfo2): a
// heap judged there would always look flat, so callers say "not
// observable" instead.
int64_t HeapAllocatedBytes();
// "glibc", "tcmalloc", "sanitizer" or "tsan".
std::string_view HeapBackendName();

struct ProcessStats {
  int64_t rss_bytes = -1;  // -1 when unreadable
  int64_t pss_bytes = -1;
  int64_t open_fds = -1;
  int64_t threads = -1;
  int64_t children = -1;  // direct children, live or zombie
  int64_t zombies = -1;   // direct children that exited and were not reaped
};

// Stats of process `pid` (0 = this process). Fields that cannot be read
// stay -1.
ProcessStats ReadProcessStats(pid_t pid = 0);

}  // namespace goose

#endif  // GOOSE_CORE_BASE_PROCESS_STATS_H_
