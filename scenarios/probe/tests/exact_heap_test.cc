// The exact heap peak (exact_heap.h) and the sampler it replaces where the
// allocator can be counted (peak_meter.h). probe_main.cc counts the heap.

#include "scenarios/probe/exact_heap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <thread>

#include "scenarios/probe/peak_meter.h"

namespace goose::probe {
namespace {

constexpr int64_t kMiB = 1 << 20;
// What else the allocator may count on the way (an mmapped block's page and
// header): far below any spike here.
constexpr int64_t kSlack = 64 << 10;

// A block touched page by page, so that it is really there.
std::unique_ptr<char[]> Touched(int64_t bytes) {
  std::unique_ptr<char[]> block(new char[static_cast<size_t>(bytes)]);
  for (int64_t at = 0; at < bytes; at += 4096) block[static_cast<size_t>(at)] = 1;
  asm volatile("" : : "r"(block.get()) : "memory");  // keep the allocation
  return block;
}

// 8 MiB allocated, touched and freed at once, with no sleep: no sampler
// could promise to see it; the exact peak sees it to the byte.
TEST(ExactHeapTest, SeesAShortSpikeExactly) {
  PeakMeter meter;
  ASSERT_TRUE(meter.heap_exact()) << "no exact heap in this preset (probe_main.cc)";
  EXPECT_TRUE(meter.heap_observable());
  EXPECT_FALSE(ExactHeap::Source().empty());
  meter.Start();
  Touched(8 * kMiB).reset();
  const PeakFigures spike = meter.Stop();
  EXPECT_TRUE(spike.heap_exact);
  EXPECT_EQ(spike.samples, 0);
  EXPECT_GE(spike.heap_rise(), 8 * kMiB) << spike.ToString();
  EXPECT_LT(spike.heap_rise(), 8 * kMiB + kSlack) << spike.ToString();

  meter.Start();  // the spike is not reported again
  const PeakFigures after = meter.Stop();
  EXPECT_LT(after.heap_rise(), kSlack) << after.ToString();
}

// Blocks allocated before Start() and freed during the stretch make live
// bytes dip below the start; the peak is still the highest live count since
// Start(), never the new block's size alone.
TEST(ExactHeapTest, FreesOfOlderBlocksDoNotMakeThePeakWrong) {
  auto older = Touched(4 * kMiB);
  PeakMeter meter;
  ASSERT_TRUE(meter.heap_exact());
  meter.Start();
  const int64_t start = ExactHeap::Live();
  older.reset();
  EXPECT_LE(ExactHeap::Live(), start - 4 * kMiB);
  Touched(2 * kMiB).reset();  // stays under the start
  const PeakFigures under = meter.Stop();
  EXPECT_LT(under.heap_rise(), kSlack) << under.ToString();

  older = Touched(4 * kMiB);
  meter.Start();
  older.reset();
  Touched(6 * kMiB).reset();  // 2 MiB over the start
  const PeakFigures over = meter.Stop();
  EXPECT_GE(over.heap_rise(), 2 * kMiB) << over.ToString();
  EXPECT_LT(over.heap_rise(), 2 * kMiB + kSlack) << over.ToString();
}

// The sampler, kept where nothing counts the heap: a spike held for a few
// of its periods is seen.
TEST(PeakMeterTest, TheSamplerSeesASpikeHeldForSomePeriods) {
  PeakMeter meter(0, std::chrono::microseconds(500), HeapReading::kSampled);
  EXPECT_FALSE(meter.heap_exact());
  if (!meter.heap_observable()) GTEST_SKIP() << "nothing samples the heap here (tsan)";
  meter.Start();
  {
    auto spike = Touched(8 * kMiB);
    const int64_t taken = meter.samples();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (meter.samples() < taken + 3 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  }
  const PeakFigures held = meter.Stop();
  EXPECT_FALSE(held.heap_exact);
  EXPECT_GE(held.samples, 3);
  EXPECT_GE(held.heap_rise(), 8 * kMiB) << held.ToString();
}

}  // namespace
}  // namespace goose::probe
