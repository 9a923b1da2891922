// main() of probe_tests (replaces gtest_main's): counts this process's heap
// exactly (exact_heap.h; in dev by re-executing with the allocation counter
// preloaded), so that the exact peak is tested in every preset.

#include <gtest/gtest.h>

#include <cstdio>

#include "scenarios/probe/exact_heap.h"

int main(int argc, char** argv) {
  if (goose::Status s = goose::probe::CountHeapExactly(argv); !s.ok()) {
    std::fprintf(stderr, "probe_tests: the heap is not counted exactly: %s\n",
                 s.ToString().c_str());
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
