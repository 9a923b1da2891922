// ReleaseFreeMemory gives free pages back (RSS falls), and FreedMemory
// releases only once enough was freed, at most once per interval.

#include "core/base/memory_release.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/base/process_stats.h"

namespace goose {
namespace {

using namespace std::chrono_literals;

TEST(FreedMemory, ReleasesOnceEnoughWasFreedAtMostOncePerInterval) {
  FreedMemory freed(/*threshold=*/4 << 20, /*min_interval=*/200ms);
  freed.Note(1 << 20);
  freed.Note(2 << 20);
  freed.Note(0);
  freed.Note(-5);
  EXPECT_EQ(freed.releases(), 0) << "3 MiB is under the threshold";
  freed.Note(1 << 20);
  const int64_t expected = ReleaseFreeMemory() ? 1 : 0;  // a sanitizer's allocator: never
  EXPECT_EQ(freed.releases(), expected);
  freed.Note(8 << 20);
  EXPECT_EQ(freed.releases(), expected) << "released again within the interval";
  std::this_thread::sleep_for(250ms);
  freed.Note(1);  // what waited is released now
  EXPECT_EQ(freed.releases(), 2 * expected);
}

#if defined(GOOSE_HEAP_BACKEND_GLIBC) && !defined(GOOSE_TSAN)
int64_t ResidentBytes() { return ReadProcessStats().rss_bytes; }

// 64 MiB in 64 KiB blocks (under glibc's mmap threshold, so they come from
// the heap), freed below a block still in use (so glibc cannot trim the
// top itself): resident until released.
TEST(ReleaseFreeMemory, GivesFreedHeapPagesBack) {
  constexpr size_t kBlock = 64 << 10;
  constexpr size_t kBlocks = 1024;
  std::vector<std::unique_ptr<char[]>> blocks;
  for (size_t i = 0; i < kBlocks; ++i) {
    blocks.emplace_back(new char[kBlock]);
    for (size_t at = 0; at < kBlock; at += 4096) blocks.back()[at] = 1;  // resident
  }
  // The last block stays: above the others. A small pin allocated now
  // could land in a hole an earlier test left lower in the heap, and glibc
  // would then trim the freed blocks at once.
  const std::unique_ptr<char[]> pin = std::move(blocks.back());
  blocks.pop_back();
  const int64_t full = ResidentBytes();
  blocks.clear();
  const int64_t freed = ResidentBytes();
  ASSERT_TRUE(ReleaseFreeMemory());
  const int64_t released = ResidentBytes();
  // glibc gives some back as the blocks are freed, not all: the release
  // returns the rest.
  const std::string figures = "resident: " + std::to_string(full) + " with the blocks, " +
                              std::to_string(freed) + " after free, " + std::to_string(released) +
                              " after the release";
  EXPECT_GT(full - released, 56 << 20) << figures;
  EXPECT_GT(freed - released, 16 << 20) << figures;
}
#endif

}  // namespace
}  // namespace goose
