#include "core/agent/session_registry.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/agent/tests/fake_provider.h"
#include "core/model/session_file.h"
#include "core/model/session_store.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;
using testing::FakeAnswer;
using testing::FakeProvider;
using testing::WaitUntil;

class SessionRegistryTest : public ::testing::Test {
 protected:
  std::unique_ptr<SessionRegistry> MakeRegistry(
      std::chrono::steady_clock::duration ttl, size_t max_sessions = 100,
      std::chrono::steady_clock::duration compact_after = RegistryOptions{}.compact_after) {
    RegistryOptions options;
    options.ttl = ttl;
    options.max_sessions = max_sessions;
    options.compact_after = compact_after;
    return std::make_unique<SessionRegistry>(
        options,
        [this](const std::string&) -> Result<std::unique_ptr<Agent>> {
          ++agents_made_;
          return std::make_unique<Agent>(&provider_, nullptr, AgentOptions{});
        },
        [this](const std::string& id) -> Result<Session> {
          ++loads_;
          if (id != "stored") return NotFound("no session " + id);
          Session s;
          s.messages = {Message::User("from disk")};
          return s;
        });
  }

  FakeProvider provider_{
      [](const ProviderRequest&) -> FakeAnswer { return std::vector<StreamItem>{}; }};
  std::atomic<int> agents_made_{0};
  std::atomic<int> loads_{0};
};

TEST_F(SessionRegistryTest, CreateAcquireEnd) {
  auto registry = MakeRegistry(1h);
  {
    Result<SessionLease> lease = registry->Create("a", Session{});
    ASSERT_TRUE(lease.ok());
    EXPECT_EQ((*lease)->id(), "a");
  }
  EXPECT_TRUE(registry->IsLive("a"));
  EXPECT_EQ(registry->Create("a", Session{}).status().code(), StatusCode::kAlreadyExists);
  EXPECT_TRUE(registry->Acquire("a").ok());
  EXPECT_EQ(agents_made_.load(), 1);
  EXPECT_TRUE(registry->End("a").ok());
  EXPECT_FALSE(registry->IsLive("a"));
  EXPECT_EQ(registry->End("a").code(), StatusCode::kNotFound);
  EXPECT_EQ(registry->Acquire("nope").status().code(), StatusCode::kNotFound);
}

TEST_F(SessionRegistryTest, CapAnswersResourceExhausted) {
  auto registry = MakeRegistry(1h, 2);
  ASSERT_TRUE(registry->Create("a", Session{}).ok());
  ASSERT_TRUE(registry->Create("b", Session{}).ok());
  Result<SessionLease> third = registry->Create("c", Session{});
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(third.status().message().find("GOOSE_API_MAX_SESSIONS"), std::string::npos);
  EXPECT_EQ(registry->Acquire("stored").status().code(), StatusCode::kResourceExhausted);
  ASSERT_TRUE(registry->End("a").ok());
  EXPECT_TRUE(registry->Create("c", Session{}).ok());
}

TEST_F(SessionRegistryTest, RehydratesStoredSessionOnce) {
  auto registry = MakeRegistry(1h);
  std::vector<std::jthread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      Result<SessionLease> lease = registry->Acquire("stored");
      if (lease.ok()) {
        MutexLock lock((*lease)->mu);
        if ((*lease)->Expand().ok() &&
            (*lease)->conversation().messages.at(0).Text() == "from disk") {
          ++ok;
        }
      }
    });
  }
  threads.clear();
  EXPECT_EQ(ok.load(), 8);
  EXPECT_EQ(registry->size(), 1u);
}

// An end that arrives while a stored session is being brought back (its
// file read, its agent made) refuses the copy under the registry's lock:
// no other request can take a copy of an ended session in between (CI saw
// a reply begun after an end answered through such a copy).
TEST_F(SessionRegistryTest, ACopyOfAnEndedSessionIsNeverPublished) {
  const int64_t agents_before = ResourceLedger::Global().Get(Gauge::kAgents);
  auto registry = MakeRegistry(1h);
  // The end "arrives" once the copy's agent exists: just before publishing.
  auto ended = [&] { return agents_made_.load() > 0; };
  bool rehydrated = true;
  Result<SessionLease> lease = registry->Acquire("stored", &rehydrated, ended);
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().code(), StatusCode::kNotFound) << lease.status().ToString();
  EXPECT_FALSE(rehydrated);
  EXPECT_FALSE(registry->IsLive("stored"));
  EXPECT_EQ(registry->size(), 0u);
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kAgents), agents_before);  // its agent is gone
  // Not ended: published as before.
  EXPECT_TRUE(registry->Acquire("stored", &rehydrated, [] { return false; }).ok());
  EXPECT_TRUE(rehydrated);
}

TEST_F(SessionRegistryTest, ReaperEndsIdleSessionsWithoutTraffic) {
  const int64_t sessions_before = ResourceLedger::Global().Get(Gauge::kSessions);
  const int64_t agents_before = ResourceLedger::Global().Get(Gauge::kAgents);
  auto registry = MakeRegistry(100ms);
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(registry->Create("s" + std::to_string(i), Session{}).ok());
  EXPECT_EQ(registry->size(), 20u);
  // No request arrives: the reaper alone must end them, promptly.
  EXPECT_TRUE(WaitUntil([&] { return registry->size() == 0; }, 5s));
  EXPECT_EQ(registry->reaped(), 20u);
  // The map empties first; the reaper then destroys the sessions outside its lock.
  EXPECT_TRUE(WaitUntil([&] {
    return ResourceLedger::Global().Get(Gauge::kSessions) == sessions_before &&
           ResourceLedger::Global().Get(Gauge::kAgents) == agents_before;
  }));
}

TEST_F(SessionRegistryTest, BusySessionIsNotReapedAndIdleTimeRestartsOnRelease) {
  auto registry = MakeRegistry(50ms);
  Result<SessionLease> lease = registry->Create("busy", Session{});
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(registry->ReapExpired(std::chrono::steady_clock::now() + 1h), 0u);
  EXPECT_TRUE(registry->IsLive("busy"));
  *lease = SessionLease();  // release
  const auto released = std::chrono::steady_clock::now();
  EXPECT_EQ(registry->ReapExpired(released + 10ms), 0u);  // idle only 10ms
  EXPECT_TRUE(WaitUntil([&] { return !registry->IsLive("busy"); }, 5s));
}

// The sweep follows the expiry order exactly: a session used again moves
// later, an ended one leaves the index, a busy one is never in it.
TEST_F(SessionRegistryTest, SweepEndsExactlyTheExpiredInExpiryOrder) {
  auto registry = MakeRegistry(1h);
  for (const char* id : {"a", "b", "c", "d"}) ASSERT_TRUE(registry->Create(id, Session{}).ok());
  const auto mid = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() <= mid) {
  }  // the clock moves on: everything below happens after `mid`
  ASSERT_TRUE(registry->Acquire("a").ok());  // used again: expires after mid + 1h
  ASSERT_TRUE(registry->End("b").ok());
  Result<SessionLease> busy = registry->Acquire("c");
  ASSERT_TRUE(busy.ok());
  EXPECT_EQ(registry->ReapExpired(mid + 1h), 1u);  // only "d"
  EXPECT_FALSE(registry->IsLive("d"));
  EXPECT_TRUE(registry->IsLive("a"));
  EXPECT_TRUE(registry->IsLive("c"));
  EXPECT_EQ(registry->ReapExpired(mid + 3h), 1u);  // "a"; "c" is still busy
  *busy = SessionLease();
  EXPECT_EQ(registry->ReapExpired(std::chrono::steady_clock::now() + 2h), 1u);  // "c"
  EXPECT_EQ(registry->size(), 0u);
  EXPECT_EQ(registry->reaped(), 3u);
}

Session TwoMessages() {
  Session s;
  s.metadata.description = "kept";
  s.messages = {Message::User("one"), Message::Assistant("two")};
  s.messages[1].extra = Json{{"unknownField", 1}};
  // A fixed time: two calls a second apart must make the same bytes.
  for (Message& m : s.messages) m.created = 1700000000;
  return s;
}

std::string Bytes(const Session& s) { return SerializeSession(s); }

// An idle session's conversation is compacted once due, never while busy,
// and comes back identical when used again.
TEST_F(SessionRegistryTest, IdleConversationIsCompactedAndComesBackIdentical) {
  auto registry = MakeRegistry(1h, 100, 5s);
  ASSERT_TRUE(registry->Create("c", TwoMessages()).ok());
  ASSERT_TRUE(registry->Create("empty", Session{}).ok());
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(registry->CompactIdle(now + 1s), 0u);  // not idle long enough
  {
    Result<SessionLease> busy = registry->Acquire("c");
    ASSERT_TRUE(busy.ok());
    EXPECT_EQ(registry->CompactIdle(now + 1h), 0u);  // busy; an empty one has nothing to compact
  }
  EXPECT_EQ(registry->CompactIdle(std::chrono::steady_clock::now() + 10s), 1u);
  Result<SessionLease> lease = registry->Acquire("c");
  ASSERT_TRUE(lease.ok());
  LiveSession& s = **lease;
  MutexLock lock(s.mu);
  EXPECT_TRUE(s.compacted());
  ASSERT_TRUE(s.Expand().ok());
  EXPECT_EQ(Bytes(s.conversation()), Bytes(TwoMessages()));
  EXPECT_FALSE(s.compacted());
  EXPECT_EQ(s.conversation().metadata.description, "kept");
}

// The reaper thread compacts on its own, without traffic.
TEST_F(SessionRegistryTest, ReaperCompactsIdleSessions) {
  auto registry = MakeRegistry(1h, 100, 50ms);
  ASSERT_TRUE(registry->Create("c", TwoMessages()).ok());
  EXPECT_TRUE(WaitUntil([&] { return registry->compactions() == 1; }, 5s));
  Result<SessionLease> lease = registry->Acquire("c");
  ASSERT_TRUE(lease.ok());
  MutexLock lock((*lease)->mu);
  EXPECT_TRUE((*lease)->compacted());
}

TEST_F(SessionRegistryTest, EndWhileBusyDestroysAgentWhenLeaseIsReleased) {
  const int64_t agents_before = ResourceLedger::Global().Get(Gauge::kAgents);
  auto registry = MakeRegistry(1h);
  Result<SessionLease> lease = registry->Create("x", Session{});
  ASSERT_TRUE(lease.ok());
  ASSERT_TRUE(registry->End("x").ok());
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kAgents), agents_before + 1);  // still in use
  *lease = SessionLease();
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kAgents), agents_before);
}

TEST_F(SessionRegistryTest, ShutdownEndsEverythingAndRefusesNewWork) {
  const int64_t sessions_before = ResourceLedger::Global().Get(Gauge::kSessions);
  auto registry = MakeRegistry(1h);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(registry->Create(std::to_string(i), Session{}).ok());
  registry->Shutdown();
  EXPECT_EQ(registry->size(), 0u);
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kSessions), sessions_before);
  EXPECT_EQ(registry->Create("late", Session{}).status().code(), StatusCode::kUnavailable);
  registry->Shutdown();  // idempotent
}

TEST_F(SessionRegistryTest, FailedAgentFactoryLeavesNothingLive) {
  RegistryOptions options;
  SessionRegistry registry(
      options,
      [](const std::string&) -> Result<std::unique_ptr<Agent>> {
        return Status(StatusCode::kInternal, "extension failed to start");
      },
      [](const std::string& id) -> Result<Session> { return NotFound(id); });
  Result<SessionLease> lease = registry.Create("a", Session{});
  ASSERT_FALSE(lease.ok());
  EXPECT_EQ(lease.status().message(), "extension failed to start");
  EXPECT_EQ(registry.size(), 0u);
}

}  // namespace
}  // namespace goose
