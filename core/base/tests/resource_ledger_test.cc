#include "core/base/resource_ledger.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace goose {
namespace {

int64_t Agents() { return ResourceLedger::Global().Get(Gauge::kAgents); }

TEST(ResourceLedgerTest, EntryCountsInAndOut) {
  const int64_t before = Agents();
  {
    LedgerEntry a(Gauge::kAgents);
    LedgerEntry b(Gauge::kAgents);
    EXPECT_EQ(Agents(), before + 2);
  }
  EXPECT_EQ(Agents(), before);
}

TEST(ResourceLedgerTest, MovedEntryCountsOnce) {
  const int64_t before = Agents();
  {
    LedgerEntry a(Gauge::kAgents);
    LedgerEntry b(std::move(a));
    EXPECT_EQ(Agents(), before + 1);
    LedgerEntry c(Gauge::kAgents);
    c = std::move(b);  // c's own unit is released, b's moves in
    EXPECT_EQ(Agents(), before + 1);
    std::vector<LedgerEntry> v;
    for (int i = 0; i < 100; ++i) v.emplace_back(Gauge::kAgents);  // reallocation moves
    EXPECT_EQ(Agents(), before + 101);
  }
  EXPECT_EQ(Agents(), before);
}

TEST(ResourceLedgerTest, ReleaseIsIdempotent) {
  const int64_t before = Agents();
  LedgerEntry a(Gauge::kAgents);
  a.Release();
  a.Release();
  EXPECT_EQ(Agents(), before);
}

TEST(ResourceLedgerTest, BytesFollowSetAndClearOnDestruction) {
  const Gauge g = Gauge::kStreamBufferedBytes;
  const int64_t before = ResourceLedger::Global().Get(g);
  {
    LedgerBytes bytes(g);
    bytes.Add(100);
    bytes.Set(40);
    EXPECT_EQ(bytes.bytes(), 40);
    EXPECT_EQ(ResourceLedger::Global().Get(g), before + 40);
  }
  EXPECT_EQ(ResourceLedger::Global().Get(g), before);
}

TEST(ResourceLedgerTest, ConcurrentEntriesBalance) {
  const int64_t before = Agents();
  std::vector<std::jthread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 20000; ++i) LedgerEntry e(Gauge::kAgents);
    });
  }
  threads.clear();  // joins
  EXPECT_EQ(Agents(), before);
}

TEST(ResourceLedgerTest, SnapshotNamesEveryGaugeDistinctly) {
  std::set<std::string_view> names;
  for (int i = 0; i < kGaugeCount; ++i) {
    std::string_view n = GaugeName(static_cast<Gauge>(i));
    EXPECT_NE(n, "unknown");
    names.insert(n);
  }
  EXPECT_EQ(names.size(), static_cast<size_t>(kGaugeCount));
  LedgerSnapshot s;
  EXPECT_TRUE(s.AllZero());
  s.values[2] = 1;
  EXPECT_FALSE(s.AllZero());
}

}  // namespace
}  // namespace goose
