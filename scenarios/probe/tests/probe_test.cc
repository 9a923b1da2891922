#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <thread>

#include "core/base/memory_release.h"
#include "core/base/unique_fd.h"
#include "scenarios/probe/heap_gauge.h"
#include "scenarios/probe/orphan_watch.h"
#include "scenarios/probe/peak_meter.h"
#include "scenarios/probe/process_probe.h"

namespace goose::probe {
namespace {

TEST(HeapGaugeTest, SeesAnAllocationAndItsRelease) {
  const int64_t before = HeapGauge::AllocatedBytes();
  if (before < 0) GTEST_SKIP() << "mallinfo2 does not see TSan's heap (its hooks do: exact_heap.h)";
  auto* block = new char[1 << 20];
  block[0] = 1;
  asm volatile("" : : "r"(block) : "memory");  // keep the allocation
  const int64_t during = HeapGauge::AllocatedBytes();
  delete[] block;
  const int64_t after = HeapGauge::AllocatedBytes();
  EXPECT_GE(during - before, 1 << 20);
  EXPECT_LT(after - before, 4096);
  EXPECT_FALSE(HeapGauge::Backend().empty());
}

TEST(ProcessProbeTest, CountsFdsAndThreads) {
  // A runtime may start a thread of its own with the first thread a process
  // starts (ThreadSanitizer's background thread): one started and joined
  // first, so only the test's thread differs below.
  std::thread([] {}).join();
  ProcessProbe probe;
  const ProcessSample before = probe.Sample();
  EXPECT_GT(before.stats.rss_bytes, 0);
  UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  UniqueFd b(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  // A thread that runs until it is told to stop, so it is there when sampled.
  std::atomic<bool> started{false};
  std::jthread t([&started](std::stop_token stop) {
    started = true;
    while (!stop.stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  while (!started) std::this_thread::yield();
  const ProcessSample during = probe.Sample();
  EXPECT_EQ(during.stats.open_fds, before.stats.open_fds + 2);
  EXPECT_EQ(during.stats.threads, before.stats.threads + 1);
  t.request_stop();
  t.join();
  a.Reset();
  b.Reset();
  const ProcessSample after = probe.Sample();
  EXPECT_EQ(after.stats.open_fds, before.stats.open_fds);
  EXPECT_EQ(after.stats.threads, before.stats.threads);
}

TEST(OrphanWatchTest, CatchesASetsidGrandchildWhoseParentDied) {
  OrphanWatch watch;
  ASSERT_TRUE(watch.Descendants().empty()) << OrphanWatch::Describe(watch.Descendants());
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::fork() == 0) {
      ::setsid();  // out of our session and group: only a subreaper still sees it
      ::execlp("sleep", "sleep", "600", static_cast<char*>(nullptr));
      _exit(127);
    }
    _exit(0);  // the parent dies, orphaning the grandchild
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  std::vector<ProcessInfo> left;
  for (int i = 0; i < 500; ++i) {  // the re-parenting is immediate; the exec may lag
    left = watch.Descendants();
    if (!left.empty() && left[0].command.find("sleep") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(left.size(), 1u) << OrphanWatch::Describe(left);
  EXPECT_EQ(left[0].ppid, ::getpid());  // re-parented to us, not to init
  EXPECT_EQ(watch.KillAndReapAll(), 1);
  EXPECT_TRUE(watch.Descendants().empty()) << OrphanWatch::Describe(watch.Descendants());
}

// A spike far shorter than any sampling gap (64 MiB touched and freed at
// once) is in the resident peak, which the kernel keeps exactly; and a
// meter started after it does not report it again.
TEST(PeakMeterTest, TheResidentPeakSeesAShortSpikeAndStartsAgainAtStart) {
  // Freed pages an allocator kept from earlier tests (tcmalloc keeps spans)
  // would make the spike's rise smaller: given back first.
  ReleaseFreeMemory();
  PeakMeter meter;
  meter.Start();
  {
    constexpr size_t kSpike = 64 << 20;
    std::unique_ptr<char[]> spike(new char[kSpike]);
    for (size_t at = 0; at < kSpike; at += 4096) spike[at] = 1;
  }  // freed (an mmapped block: unmapped at once)
  const PeakFigures with_spike = meter.Stop();
  ASSERT_GE(with_spike.rss_peak, 0) << "VmHWM could not be reset here";
  EXPECT_GE(with_spike.rss_rise(), 60 << 20) << with_spike.ToString();

  meter.Start();
  const PeakFigures after = meter.Stop();
  EXPECT_LT(after.rss_rise(), 8 << 20)
      << "the earlier spike was reported again: " << after.ToString();
}

}  // namespace
}  // namespace goose::probe
