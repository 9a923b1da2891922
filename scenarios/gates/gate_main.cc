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

#include <cstdio>

#include "core/base/env.h"

int main(int argc, char** argv) {
#if defined(GOOSE_HEAP_BACKEND_GLIBC)
  // Not re-executed: go on with the tcache (the glibc gates may then need a
  // longer warm-up); say so.
  if (goose::Status s = goose::ReexecOnceWithOption(
          argv, "GLIBC_TUNABLES", "glibc.malloc.tcache_count=0", "GOOSE_GATE_TCACHE_OFF");
      !s.ok()) {
    std::fprintf(stderr, "leak_gates: cannot re-execute with the tcache off: %s\n",
                 s.message().c_str());
  }
#endif
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
