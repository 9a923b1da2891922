#include "core/base/process_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "core/base/process_tree.h"

#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
#include <gperftools/malloc_extension.h>
#elif defined(GOOSE_HEAP_BACKEND_SANITIZER)
#include <sanitizer/allocator_interface.h>
#else
#include <malloc.h>
#endif

namespace goose {
namespace {

std::string ProcDir(pid_t pid) {
  return pid == 0 ? std::string("/proc/self") : "/proc/" + std::to_string(pid);
}

int64_t CountDirEntries(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return -1;
  int64_t n = 0;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n;
}

// "Rss:  1234 kB" lines of smaps_rollup.
void ReadSmapsRollup(const std::string& dir, ProcessStats* out) {
  // The first line names the rolled-up range; then "Key:  <n> kB" lines.
  // libstdc++'s filebuf throws when read(2) fails, as it does with ESRCH
  // once the process exits mid-read: that just means "unreadable".
  try {
    std::ifstream in(dir + "/smaps_rollup");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("Rss:", 0) == 0)
        out->rss_bytes = std::strtoll(line.c_str() + 4, nullptr, 10) * 1024;
      if (line.rfind("Pss:", 0) == 0)
        out->pss_bytes = std::strtoll(line.c_str() + 4, nullptr, 10) * 1024;
    }
  } catch (const std::exception&) {
  }
}

// Children of `pid`: every process whose /proc/<p>/stat names it as
// parent (ListProcesses reads with read(2), which tolerates a process that
// exits mid-scan).
void CountChildren(pid_t pid, ProcessStats* out) {
  const pid_t parent = pid == 0 ? ::getpid() : pid;
  out->children = 0;
  out->zombies = 0;
  for (const ProcStat& p : ListProcesses()) {
    if (p.ppid != parent) continue;
    ++out->children;
    if (p.state == 'Z') ++out->zombies;
  }
}

}  // namespace

int64_t HeapAllocatedBytes() {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  size_t bytes = 0;
  MallocExtension::instance()->GetNumericProperty("generic.current_allocated_bytes", &bytes);
  return static_cast<int64_t>(bytes);
#elif defined(GOOSE_HEAP_BACKEND_SANITIZER)
  return static_cast<int64_t>(__sanitizer_get_current_allocated_bytes());
#elif defined(GOOSE_TSAN)
  return -1;  // mallinfo2 does not see ThreadSanitizer's allocator
#else
  const struct mallinfo2 info = ::mallinfo2();
  return static_cast<int64_t>(info.uordblks + info.hblkhd);
#endif
}

std::string_view HeapBackendName() {
#if defined(GOOSE_HEAP_BACKEND_TCMALLOC)
  return "tcmalloc";
#elif defined(GOOSE_HEAP_BACKEND_SANITIZER)
  return "sanitizer";
#elif defined(GOOSE_TSAN)
  return "tsan";
#else
  return "glibc";
#endif
}

ProcessStats ReadProcessStats(pid_t pid) {
  ProcessStats out;
  const std::string dir = ProcDir(pid);
  ReadSmapsRollup(dir, &out);
  const int64_t fds = CountDirEntries(dir + "/fd");
  // Opening /proc/self/fd holds one fd of its own while counting.
  out.open_fds = (fds >= 0 && pid == 0) ? fds - 1 : fds;
  out.threads = CountDirEntries(dir + "/task");
  CountChildren(pid, &out);
  return out;
}

}  // namespace goose
