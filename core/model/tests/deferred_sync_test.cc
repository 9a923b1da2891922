#include "core/model/deferred_sync.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/base/failpoint.h"
#include "core/model/session_file.h"
#include "core/model/session_store.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using testing::ReadWholeFile;
using testing::ScopedTempDir;

Session OneMessageSession(const std::string& text) {
  Session s;
  s.messages.push_back(Message::User(text));
  return s;
}

TEST(FsyncPolicyTest, ParsesEveryNameAndRefusesOthers) {
  for (FsyncPolicy p : {FsyncPolicy::kAlways, FsyncPolicy::kBatch, FsyncPolicy::kNever}) {
    Result<FsyncPolicy> parsed = ParseFsyncPolicy(FsyncPolicyName(p));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, p);
  }
  Result<FsyncPolicy> bad = ParseFsyncPolicy("sometimes");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("sometimes"), std::string::npos);
}

// The session the file at `path` holds, serialized; "" when it does not parse.
std::string Stored(const std::filesystem::path& path) {
  Result<Session> s = ParseSessionFile(ReadWholeFile(path), path.string());
  return s.ok() ? SerializeSession(*s) : "";
}

// Whatever the policy, a write is renamed into place before Write returns:
// a reader (the goose CLI) sees it at once.
TEST(FsyncPolicyTest, EveryPolicyHasTheFileInPlaceWhenWriteReturns) {
  for (FsyncPolicy p : {FsyncPolicy::kAlways, FsyncPolicy::kBatch, FsyncPolicy::kNever}) {
    ScopedTempDir dir;
    SessionStore store(dir.path(), p);
    const Session session = OneMessageSession("hello " + std::string(FsyncPolicyName(p)));
    ASSERT_TRUE(store.Write("20261129_1", session).ok());
    EXPECT_EQ(Stored(dir.path() / "20261129_1.jsonl"), SerializeSession(session));
    EXPECT_EQ(store.deferred_sync() != nullptr, p == FsyncPolicy::kBatch);
    EXPECT_TRUE(store.Flush().ok());
  }
}

// Many writes cost few sync rounds, not one each.
TEST(DeferredSyncTest, CoalescesManyWritesIntoFewRounds) {
  ScopedTempDir dir;
  SessionStore store(dir.path(), FsyncPolicy::kBatch);
  constexpr int kWrites = 200;
  for (int i = 0; i < kWrites; ++i) {
    ASSERT_TRUE(store.Write("20261129_2", OneMessageSession("write " + std::to_string(i))).ok());
  }
  ASSERT_TRUE(store.Flush().ok());
  const DeferredSync& sync = *store.deferred_sync();
  EXPECT_GE(sync.rounds(), 1u);
  EXPECT_EQ(sync.writes_synced(), static_cast<uint64_t>(kWrites));
  EXPECT_LT(sync.rounds(), static_cast<uint64_t>(kWrites));
}

// The background thread syncs without anyone calling Flush.
TEST(DeferredSyncTest, BackgroundRoundRunsWithoutFlush) {
  ScopedTempDir dir;
  SessionStore store(dir.path(), FsyncPolicy::kBatch);
  ASSERT_TRUE(store.Write("20261129_3", OneMessageSession("x")).ok());
  const DeferredSync& sync = *store.deferred_sync();
  // Bounded wait for a condition: the round runs ~100 ms after the write.
  for (int i = 0; i < 1000 && sync.writes_synced() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(sync.writes_synced(), 1u);
  EXPECT_EQ(sync.rounds(), 1u);
}

// A file removed before its round (the session ended) is not an error; a
// delete is a write to the directory too.
TEST(DeferredSyncTest, RemovedFileAndDeleteAreNotErrors) {
  ScopedTempDir dir;
  SessionStore store(dir.path(), FsyncPolicy::kBatch);
  ASSERT_TRUE(store.Write("20261129_4", OneMessageSession("x")).ok());
  ASSERT_TRUE(store.Delete("20261129_4").ok());
  EXPECT_TRUE(store.Flush().ok());
  EXPECT_FALSE(store.Exists("20261129_4"));
  EXPECT_EQ(store.deferred_sync()->writes_synced(), 2u);
}

// A full disk still fails the write itself (507 at the server) under every
// policy, and leaves the stored file as it was.
TEST(DeferredSyncTest, DiskFullFailsTheWriteUnderEveryPolicy) {
  if (!kFailpointsCompiled) GTEST_SKIP() << "failpoints are compiled out";
  for (FsyncPolicy p : {FsyncPolicy::kAlways, FsyncPolicy::kBatch, FsyncPolicy::kNever}) {
    ScopedTempDir dir;
    SessionStore store(dir.path(), p);
    const Session kept = OneMessageSession("kept");
    ASSERT_TRUE(store.Write("20261129_5", kept).ok());
    ASSERT_TRUE(SetFailpoint(Failpoint::kDiskFull, true).ok());
    Status s = store.Write("20261129_5", OneMessageSession("lost"));
    ClearFailpoints();
    EXPECT_EQ(s.code(), StatusCode::kStorageFull) << FsyncPolicyName(p);
    EXPECT_EQ(Stored(dir.path() / "20261129_5.jsonl"), SerializeSession(kept));
  }
}

}  // namespace
}  // namespace goose
