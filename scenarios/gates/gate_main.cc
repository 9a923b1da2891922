// main() of leak_gates (replaces gtest_main's).
//
// Under the glibc heap backend, the gate re-executes itself once with
// glibc's per-thread cache (tcache) turned off. mallinfo2 counts chunks
// parked in a thread's tcache as in use, and the server's request threads
// fill their caches slowly (size class by size class, thread by thread),
// which shows up as ~100 B/iteration of false "growth" that fades over
// thousands of requests. Without the tcache, mallinfo2 measures what the
// program holds, and a clean gate's slope is exactly 0. tcmalloc's and the
// sanitizer allocator's counters exclude their caches already.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

int main(int argc, char** argv) {
#if defined(GOOSE_HEAP_BACKEND_GLIBC)
  if (std::getenv("GOOSE_GATE_TCACHE_OFF") == nullptr) {
    std::string tunables = "glibc.malloc.tcache_count=0";
    if (const char* old = std::getenv("GLIBC_TUNABLES"); old != nullptr && *old != '\0') {
      tunables = std::string(old) + ":" + tunables;
    }
    ::setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
    ::setenv("GOOSE_GATE_TCACHE_OFF", "1", 1);
    ::execv("/proc/self/exe", argv);
    // Not re-executed: go on with the tcache (the glibc gates may then
    // need a longer warm-up); say so.
    std::perror("leak_gates: cannot re-execute with the tcache off");
  }
#endif
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
