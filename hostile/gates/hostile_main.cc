// main() of hostile_gates (replaces gtest_main's):
//  - raises the open-file limit (a flood needs two descriptors a connection
//    with the server in this process);
//  - under AddressSanitizer re-executes itself once with the quarantine
//    capped at 16 MiB, so that resident memory measures the server rather
//    than ASan's 256 MiB of freed memory kept for use-after-free checks;
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

int main(int argc, char** argv) {
#if defined(GOOSE_HEAP_BACKEND_SANITIZER)
  if (std::getenv("GOOSE_HOSTILE_QUARANTINE") == nullptr) {
    std::string options = "quarantine_size_mb=16";
    if (const char* old = std::getenv("ASAN_OPTIONS"); old != nullptr && *old != '\0') {
      options = std::string(old) + ":" + options;
    }
    ::setenv("ASAN_OPTIONS", options.c_str(), 1);
    ::setenv("GOOSE_HOSTILE_QUARANTINE", "1", 1);
    ::execv("/proc/self/exe", argv);
    std::perror("hostile_gates: cannot re-execute with a smaller quarantine");
  }
#endif
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
