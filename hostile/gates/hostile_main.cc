// main() of hostile_gates (replaces gtest_main's):
//  - raises the open-file limit (a flood needs two descriptors a connection
//    with the server in this process);
//  - under AddressSanitizer re-executes itself once with the quarantine
//    capped at 16 MiB, so that resident memory measures the server rather
//    than ASan's 256 MiB of freed memory kept for use-after-free checks;
//  - counts its heap exactly (scenarios/probe/exact_heap.h: in dev by
//    re-executing itself once with the allocation counter preloaded), so
//    that every case's heap peak is exact, not sampled;
//  - switches the failpoints GOOSE_API_FAILPOINTS names (the canaries run
//    a case this way with one limit lifted);
//  - sets the allocator as goose-api's main does (memory_release.h), unless
//    keep_freed_memory is on, so that the server here gives memory back
//    as the real one does.

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/base/env.h"
#include "core/base/failpoint.h"
#include "core/base/memory_release.h"
#include "hostile/client.h"
#include "scenarios/probe/exact_heap.h"

int main(int argc, char** argv) {
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  if (goose::Status s = goose::ReexecOnceWithOption(argv, "ASAN_OPTIONS", "quarantine_size_mb=16",
                                                    "GOOSE_HOSTILE_QUARANTINE");
      !s.ok()) {
    std::fprintf(stderr, "hostile_gates: cannot re-execute with a smaller quarantine: %s\n",
                 s.message().c_str());
  }
#endif
  // Not fatal here: each gate fails on a heap it could only sample.
  if (goose::Status s = goose::probe::CountHeapExactly(argv); !s.ok()) {
    std::fprintf(stderr, "hostile_gates: the heap is not counted exactly: %s\n",
                 s.ToString().c_str());
  }
  ::signal(SIGPIPE, SIG_IGN);
  goose::hostile::RaiseOpenFileLimit();
  if (goose::Status s = goose::EnableFailpointsFromEnv(goose::ProcessEnv()); !s.ok()) {
    std::fprintf(stderr, "hostile_gates: %s\n", s.ToString().c_str());
    return 2;
  }
  if (!goose::FailpointOn(goose::Failpoint::kKeepFreedMemory)) {
    goose::ConfigureAllocatorForServer();
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
