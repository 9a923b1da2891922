// SessionStore::Save: appends the new messages when the file is as this
// process left it, and rewrites it atomically in every other case.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

#include "core/base/failpoint.h"
#include "core/base/unique_fd.h"
#include "core/model/session_file.h"
#include "core/model/session_store.h"
#include "harness/test_util.h"

namespace goose {
namespace {

namespace fs = std::filesystem;
using testing::ReadWholeFile;
using testing::ScopedTempDir;
using testing::WriteWholeFile;

constexpr const char* kId = "20261129_append";

ino_t Inode(const fs::path& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

Message Numbered(int i, size_t padding = 0) {
  std::string text = std::to_string(i) + ":" + std::string(padding, 'p');
  return i % 2 ? Message::Assistant(text) : Message::User(text);
}

void ExpectSame(const Session& read, const Session& written) {
  ASSERT_EQ(read.messages.size(), written.messages.size());
  for (size_t i = 0; i < read.messages.size(); ++i) {
    EXPECT_EQ(MessageToJson(read.messages[i]), MessageToJson(written.messages[i])) << i;
  }
  EXPECT_EQ(read.metadata.description, written.metadata.description);
  EXPECT_EQ(read.metadata.message_count, static_cast<int64_t>(written.messages.size()));
}

class SessionStoreAppendTest : public ::testing::Test {
 protected:
  fs::path File() const { return dir_.path() / (std::string(kId) + ".jsonl"); }

  // The file of kId, read by `store`, holds session_ exactly.
  void ExpectStored(const SessionStore& store) const {
    Result<Session> read = store.Read(kId);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    ExpectSame(*read, session_);
  }
  void ExpectStored() const { ExpectStored(store_); }

  ScopedTempDir dir_;
  SessionStore store_{dir_.path(), FsyncPolicy::kNever};
  Session session_;
  FileMark mark_;
};

TEST_F(SessionStoreAppendTest, LaterSavesAppendInPlaceAndReadBackWhole) {
  session_.metadata.description = "appended";
  session_.messages = {Numbered(0), Numbered(1)};
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  const ino_t inode = Inode(File());
  const std::string first = ReadWholeFile(File());
  EXPECT_EQ(first.find('\n') + 1, kMetadataSlot) << "metadata line is padded";

  for (int i = 2; i < 40; ++i) {
    session_.messages.push_back(Numbered(i));
    session_.metadata.input_tokens = i;
    size_t bytes = 0;
    ASSERT_TRUE(store_.Save(kId, session_, &mark_, &bytes).ok());
    EXPECT_EQ(bytes, fs::file_size(File()));
  }
  EXPECT_EQ(Inode(File()), inode) << "a save rewrote the file instead of appending";
  // Everything after the metadata slot is the first write's messages, kept.
  const std::string now = ReadWholeFile(File());
  EXPECT_EQ(now.substr(kMetadataSlot, first.size() - kMetadataSlot), first.substr(kMetadataSlot));
  Result<Session> read = store_.Read(kId);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ExpectSame(*read, session_);
  EXPECT_EQ(read->metadata.input_tokens, 39);
  // The metadata line on disk has the count (goose's `session list` reads it).
  Result<std::vector<SessionInfo>> listed = store_.List();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].message_count, 40);
}

TEST_F(SessionStoreAppendTest, FileChangedByAnotherWriterIsRewrittenNotAppendedTo) {
  session_.messages = {Numbered(0), Numbered(1)};
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  // The goose CLI continues the session: a rename puts a new file in place.
  Session cli = session_;
  cli.messages.push_back(Message::User("from the cli"));
  ASSERT_TRUE(SessionStore(dir_.path(), FsyncPolicy::kNever).Write(kId, cli).ok());

  session_.messages.push_back(Numbered(2));
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  ExpectStored();  // this process's conversation, whole and once
}

TEST_F(SessionStoreAppendTest, FileEditedInPlaceIsRewritten) {
  session_.messages = {Numbered(0)};
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  {  // Same inode, one more line: only size and mtime tell.
    UniqueFd fd(::open(File().c_str(), O_WRONLY | O_APPEND));
    ASSERT_TRUE(fd.valid());
    const std::string line = JsonDump(MessageToJson(Message::User("edited"))) + "\n";
    ASSERT_EQ(::write(fd.get(), line.data(), line.size()), static_cast<ssize_t>(line.size()));
  }
  session_.messages.push_back(Numbered(1));
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  ExpectStored();
}

TEST_F(SessionStoreAppendTest, ReplacedConversationIsRewritten) {
  for (int i = 0; i < 6; ++i) session_.messages.push_back(Numbered(i));
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  // A summary replaces the conversation by one of the same length or longer.
  for (Message& m : session_.messages) m = Message::User("summarized " + m.Text());
  session_.messages.push_back(Numbered(6));
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  ExpectStored();
  // And shorter.
  session_.messages.resize(1);
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  ExpectStored();
}

TEST_F(SessionStoreAppendTest, MetadataLargerThanItsSlotIsWrittenWholeAndLaterSavesStillWork) {
  session_.messages = {Numbered(0)};
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  session_.metadata.description = std::string(2 * kMetadataSlot, 'd');
  session_.messages.push_back(Numbered(1));
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  EXPECT_FALSE(mark_.known()) << "a file without a slot cannot be appended to";
  session_.messages.push_back(Numbered(2));
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  ExpectStored();
  session_.metadata.description = "short again";
  session_.messages.push_back(Numbered(3));
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  EXPECT_TRUE(mark_.known());
  ExpectStored();
}

TEST_F(SessionStoreAppendTest, RemovedFileIsWrittenAgain) {
  session_.messages = {Numbered(0)};
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  ASSERT_TRUE(store_.Delete(kId).ok());
  session_.messages.push_back(Numbered(1));
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  ExpectStored();
}

TEST_F(SessionStoreAppendTest, AlwaysPolicyRewritesEverySave) {
  SessionStore durable(dir_.path(), FsyncPolicy::kAlways);
  session_.messages = {Numbered(0)};
  ASSERT_TRUE(durable.Save(kId, session_, &mark_).ok());
  const ino_t inode = Inode(File());
  session_.messages.push_back(Numbered(1));
  ASSERT_TRUE(durable.Save(kId, session_, &mark_).ok());
  EXPECT_NE(Inode(File()), inode);
  ExpectStored(durable);
}

TEST_F(SessionStoreAppendTest, FailedAppendLeavesTheFileAsItWas) {
  if (!kFailpointsCompiled) GTEST_SKIP() << "this build has no failpoints";
  session_.messages = {Numbered(0), Numbered(1)};
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  const std::string before = ReadWholeFile(File());
  session_.messages.push_back(Numbered(2));
  ASSERT_TRUE(SetFailpoint(Failpoint::kDiskFull, true).ok());
  Status failed = store_.Save(kId, session_, &mark_);
  ASSERT_TRUE(SetFailpoint(Failpoint::kDiskFull, false).ok());
  EXPECT_EQ(failed.code(), StatusCode::kStorageFull) << failed.ToString();
  EXPECT_EQ(ReadWholeFile(File()), before);
  // The next save stores everything.
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  ExpectStored();
}

// The file as a reader that honours the store's locking sees it: read
// whole under a shared flock.
std::string ReadLocked(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid() || ::flock(fd.get(), LOCK_SH) != 0) return {};
  std::string out;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd.get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// Readers run while appends of many pages each go on. Read always parses
// and holds a prefix of the conversation; a locked read never sees half of
// an append, nor messages without the metadata that counts them.
TEST_F(SessionStoreAppendTest, ConcurrentReadersNeverSeeHalfAnAppend) {
  session_.messages = {Numbered(0, 20000)};
  ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::jthread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        Status checked = [&]() -> Status {
          Result<Session> s = store_.Read(kId);
          if (!s.ok()) return s.status();
          for (size_t i = 0; i < s->messages.size(); ++i) {
            const std::string text = s->messages[i].Text();
            if (text.substr(0, text.find(':')) != std::to_string(i)) {
              return DataLoss("message " + std::to_string(i) + " is " + text.substr(0, 20));
            }
          }
          const std::string bytes = ReadLocked(File());
          if (bytes.empty() || bytes.back() != '\n') return DataLoss("half an append");
          const int64_t lines = std::count(bytes.begin(), bytes.end(), '\n') - 1;
          const int64_t counted =
              Json::parse(bytes.substr(0, bytes.find('\n'))).value("message_count", int64_t{-1});
          if (counted != lines) {
            return DataLoss("metadata counts " + std::to_string(counted) + " of " +
                            std::to_string(lines) + " messages");
          }
          return Status::Ok();
        }();
        ASSERT_TRUE(checked.ok()) << checked.ToString();
        ++reads;
      }
    });
  }
  for (int i = 1; i < 200; ++i) {
    session_.messages.push_back(Numbered(i, 20000));  // five pages per append
    ASSERT_TRUE(store_.Save(kId, session_, &mark_).ok());
  }
  done = true;
  readers.clear();
  EXPECT_GT(reads.load(), 0);
  ExpectStored();
}

}  // namespace
}  // namespace goose
