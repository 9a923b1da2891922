// A writer process is SIGKILLed mid-loop, many times; every session file
// that survives must parse whole and hold one complete version, and the
// temp files a killed writer leaves are removed by RemoveStaleTempFiles.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <sstream>

#include "core/base/unique_fd.h"
#include "core/model/session_store.h"
#include "harness/test_util.h"

namespace goose {
namespace {

namespace fs = std::filesystem;

constexpr int kKills = 60;  // writer processes killed, at least
// A kill lands inside a write in a few percent of rounds (fewer under a
// sanitizer, where building a version outside the write dominates): the
// rename test goes on killing until this many did, up to kMaxKills.
constexpr int kMinInterrupted = 2;
constexpr int kMaxKills = 1000;
#if defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN)
constexpr int kMaxTornTailKills = kKills;  // see the appender test's end
#else
constexpr int kMaxTornTailKills = kMaxKills;
#endif
constexpr int kSessions = 3;           // files the writer rewrites in turn
constexpr int kMaxDelayMicros = 4000;  // spread of the kill time after the writer starts

// Version v of a session: v messages, message i says "v:i", plus a long
// text so that a write spans many pages and can be cut mid-way.
Session Version(int v) {
  Session s;
  s.metadata.description = "version " + std::to_string(v);
  for (int i = 0; i < v; ++i) {
    s.messages.push_back(i % 2 ? Message::Assistant(std::to_string(v) + ":" + std::to_string(i) +
                                                    std::string(512, 'x'))
                               : Message::User(std::to_string(v) + ":" + std::to_string(i)));
  }
  return s;
}

[[noreturn]] void WriterLoop(const fs::path& dir, int started_fd) {
  SessionStore store(dir);
  bool told = false;
  for (int v = 1;; v = v % 400 + 1) {
    if (!store.Write("s" + std::to_string(v % kSessions), Version(v)).ok()) _exit(3);
    if (!told) {
      char c = 1;
      if (::write(started_fd, &c, 1) != 1) _exit(4);
      told = true;
    }
  }
}

// Forks a child running `loop` (which writes a byte to its fd once it has
// written a first file), waits for that byte, lets it run `delay_micros`
// more, and SIGKILLs it.
void StartAndKill(void (*loop)(const fs::path&, int), const fs::path& dir, int delay_micros) {
  int fds[2];
  ASSERT_EQ(::pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]), write_end(fds[1]);
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) loop(dir, write_end.get());
  write_end.Reset();
  char c = 0;
  ASSERT_EQ(::read(read_end.get(), &c, 1), 1) << "the writer did not start";
  ::usleep(static_cast<useconds_t>(delay_micros));
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the writer exited on its own: " << status;
}

void ExpectWholeVersion(const Session& s) {
  ASSERT_FALSE(s.messages.empty());
  const std::string text = s.messages[0].Text();
  const int v = std::stoi(text.substr(0, text.find(':')));
  EXPECT_EQ(static_cast<int>(s.messages.size()), v);
  EXPECT_EQ(s.metadata.description, "version " + std::to_string(v));
  for (size_t i = 0; i < s.messages.size(); ++i) {
    EXPECT_EQ(s.messages[i].Text().substr(0, text.find(':') + 1 + std::to_string(i).size()),
              std::to_string(v) + ":" + std::to_string(i));
  }
}

TEST(SessionStoreCrashTest, KilledWriterNeverLeavesATornFile) {
  testing::ScopedTempDir dir;
  SessionStore store(dir.path());
  std::mt19937 rng(20261129);
  std::uniform_int_distribution<int> delay(0, kMaxDelayMicros);
  int temps_seen = 0;

  for (int round = 0; round < kKills || (temps_seen < kMinInterrupted && round < kMaxKills);
       ++round) {
    ASSERT_NO_FATAL_FAILURE(StartAndKill(WriterLoop, dir.path(), delay(rng)));

    for (const auto& e : fs::directory_iterator(dir.path())) {
      const std::string name = e.path().filename().string();
      if (name.front() == '.') {
        ++temps_seen;
        continue;
      }
      const std::string id = name.substr(0, name.size() - 6);
      Result<Session> s = store.Read(id);
      ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.status().ToString();
      ExpectWholeVersion(*s);
    }
    Result<int> removed = store.RemoveStaleTempFiles();
    ASSERT_TRUE(removed.ok());
    for (const auto& e : fs::directory_iterator(dir.path())) {
      EXPECT_NE(e.path().filename().string().front(), '.') << "temp file left after cleanup";
    }
  }
  // The kills must land mid-write as often as the loop aims for, or this
  // test proves nothing.
  EXPECT_GE(temps_seen, kMinInterrupted)
      << "too few kills interrupted a write in " << kMaxKills << " rounds; widen kMaxDelayMicros";
  RecordProperty("interrupted_writes", temps_seen);
}

// The appending writer (SessionStore::Save, what the server does after
// every reply) killed again and again: every file parses, and holds the
// first n messages of its conversation, each whole.
[[noreturn]] void AppenderLoop(const fs::path& dir, int started_fd) {
  SessionStore store(dir, FsyncPolicy::kNever);
  bool told = false;
  for (int conversation = 0;; ++conversation) {
    const std::string id = "a" + std::to_string(conversation % kSessions);
    Session s;
    s.metadata.description = "appended";
    FileMark mark;
    for (int i = 0; i < 60; ++i) {
      // Every third message spans many pages, so a kill can cut it.
      const std::string text = std::to_string(i) + ":" + std::string(i % 3 ? 16 : 40000, 'y');
      s.messages.push_back(i % 2 ? Message::Assistant(text) : Message::User(text));
      if (!store.Save(id, s, &mark).ok()) _exit(3);
      if (!told) {
        char c = 1;
        if (::write(started_fd, &c, 1) != 1) _exit(4);
        told = true;
      }
    }
  }
}

TEST(SessionStoreCrashTest, KilledAppenderLeavesEveryStoredMessageWhole) {
  testing::ScopedTempDir dir;
  SessionStore store(dir.path());
  std::mt19937 rng(20261130);
  std::uniform_int_distribution<int> delay(0, kMaxDelayMicros);
  int stale_counts = 0;  // kills between a message append and its metadata
  int torn_tails = 0;    // kills inside an append
  for (int round = 0; round < kKills || (torn_tails < kMinInterrupted && round < kMaxTornTailKills);
       ++round) {
    ASSERT_NO_FATAL_FAILURE(StartAndKill(AppenderLoop, dir.path(), delay(rng)));

    for (const auto& e : fs::directory_iterator(dir.path())) {
      const std::string name = e.path().filename().string();
      if (name.front() == '.') continue;  // a temp file of a first write
      const std::string bytes = testing::ReadWholeFile(e.path());
      torn_tails += !bytes.empty() && bytes.back() != '\n';
      Result<Session> s = store.Read(name.substr(0, name.size() - 6));
      ASSERT_TRUE(s.ok()) << "round " << round << ": " << s.status().ToString();
      const Json metadata = Json::parse(bytes.substr(0, bytes.find('\n')));
      stale_counts +=
          metadata.value("message_count", int64_t{0}) != static_cast<int64_t>(s->messages.size());
      for (size_t i = 0; i < s->messages.size(); ++i) {
        const std::string text = s->messages[i].Text();
        ASSERT_EQ(text.substr(0, text.find(':')), std::to_string(i)) << name << " round " << round;
        EXPECT_EQ(text.size(), std::to_string(i).size() + 1 + (i % 3 ? 16 : 40000));
      }
    }
    // The start-up cleanup cuts a torn tail back to the last whole line:
    // goose's CLI (1.0.x) refuses a file whose last line is cut.
    ASSERT_TRUE(store.RemoveStaleTempFiles().ok());
    for (const auto& e : fs::directory_iterator(dir.path())) {
      if (e.path().filename().string().front() == '.') continue;
      const std::string bytes = testing::ReadWholeFile(e.path());
      EXPECT_EQ(bytes.back(), '\n') << e.path() << " still ends inside a line after cleanup";
      Result<Session> s = store.Read(e.path().stem().string());
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      for (const std::string& line : testing::SplitFileLines(bytes).whole) {
        EXPECT_TRUE(Json::accept(line))
            << "a line goose's reader would refuse: " << line.substr(0, 80);
      }
    }
  }
  // Kills inside the append protocol: torn lines (a write cut short) and
  // stale counts (messages written, metadata not yet); the loop runs until
  // it has seen enough torn ones. A stale count never loses a message: the
  // reader counts the lines (asserted above).
#if defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN)
  // Under a sanitizer the code around a write dominates an append, and a
  // kill almost never lands inside the write (0 in 1000 kills under asan):
  // the count is recorded; the cut itself is proven in every build by
  // SessionStoreTest.ATornLastLineIsCutBackAtStart.
#else
  EXPECT_GE(torn_tails, kMinInterrupted)
      << "too few kills landed inside an append in " << kMaxTornTailKills << " rounds";
#endif
  RecordProperty("stale_counts", stale_counts);
  RecordProperty("torn_tails", torn_tails);
}

}  // namespace
}  // namespace goose
