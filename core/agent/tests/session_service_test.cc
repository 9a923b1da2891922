#include "core/agent/session_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "core/agent/tests/fake_provider.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;
using testing::FakeAnswer;
using testing::FakeProvider;
using testing::TextItem;
using testing::ToolItem;

bool IsDescribe(const ProviderRequest& r) { return r.system.find("4 words") != std::string::npos; }
bool IsSummarize(const ProviderRequest& r) {
  return r.system.find("Summarize") != std::string::npos;
}

class SessionServiceTest : public ::testing::Test {
 protected:
  explicit SessionServiceTest() { Build(); }

  void Build(size_t max_sessions = 100) {
    service_.reset();
    registry_.reset();
    RegistryOptions options;
    options.max_sessions = max_sessions;
    registry_ = std::make_unique<SessionRegistry>(
        options,
        [this](const std::string&) -> Result<std::unique_ptr<Agent>> {
          return std::make_unique<Agent>(&provider_, nullptr, AgentOptions{});
        },
        [this](const std::string& id) {
          Result<Session> read = store_.ReadToResume(id);
          if (on_load_) on_load_(id);
          return read;
        });
    service_ = std::make_unique<SessionService>(registry_.get(), &store_);
  }

  // The default answer: three assistant messages of two chunks each.
  static FakeAnswer ThreeMessages(const ProviderRequest& r) {
    if (IsDescribe(r)) return std::vector<StreamItem>{TextItem("d", "Greeting chat")};
    if (IsSummarize(r)) return std::vector<StreamItem>{TextItem("s", "they talked")};
    return std::vector<StreamItem>{TextItem("1", "one"),   TextItem("1", "-a"),
                                   TextItem("2", "two"),   TextItem("2", "-b"),
                                   TextItem("3", "three"), TextItem("3", "-c")};
  }

  std::function<FakeAnswer(const ProviderRequest&)> answer_ = ThreeMessages;
  // Runs after the registry's loader read a file (a window tests use).
  std::function<void(const std::string&)> on_load_;
  FakeProvider provider_{[this](const ProviderRequest& r) { return answer_(r); }};
  goose::testing::ScopedTempDir dir_;
  SessionStore store_{dir_.path()};
  std::unique_ptr<SessionRegistry> registry_;
  std::unique_ptr<SessionService> service_;
};

TEST_F(SessionServiceTest, StartDrainsEveryMessageAndPersistsIt) {
  Result<ReplyOutcome> o = service_->Start("hello");
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->text, "one-a\ntwo-b\nthree-c");  // all three, not only the first
  EXPECT_EQ(o->new_messages.size(), 3u);
  Result<Session> stored = store_.Read(o->session_id);
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->messages.size(), 4u);
  EXPECT_EQ(stored->messages[0].Text(), "hello");
  EXPECT_EQ(stored->messages[3].Text(), "three-c");
  EXPECT_EQ(stored->metadata.description, "Greeting chat");
  EXPECT_EQ(stored->metadata.message_count, 4);
  EXPECT_FALSE(stored->metadata.working_dir.empty());
}

TEST_F(SessionServiceTest, DescriptionAfterFirstAndThirdPromptOnly) {
  int describes = 0;
  answer_ = [&](const ProviderRequest& r) -> FakeAnswer {
    if (IsDescribe(r))
      return std::vector<StreamItem>{TextItem("d", "desc " + std::to_string(++describes))};
    return std::vector<StreamItem>{TextItem("a", "ok")};
  };
  Result<ReplyOutcome> o = service_->Start("1");
  ASSERT_TRUE(o.ok());
  for (int i = 2; i <= 4; ++i) ASSERT_TRUE(service_->Reply(o->session_id, std::to_string(i)).ok());
  EXPECT_EQ(describes, 2);
  EXPECT_EQ(store_.Read(o->session_id)->metadata.description, "desc 2");
}

TEST_F(SessionServiceTest, ContextLengthSummarizesPersistsAndRetriesOnce) {
  Result<ReplyOutcome> o = service_->Start("first");
  ASSERT_TRUE(o.ok());
  int overflows = 0;
  answer_ = [&](const ProviderRequest& r) -> FakeAnswer {
    if (IsSummarize(r)) return std::vector<StreamItem>{TextItem("s", "SUMMARY")};
    if (IsDescribe(r)) return std::vector<StreamItem>{TextItem("d", "d")};
    if (r.conversation.size() > 2) {
      ++overflows;
      return ProviderError{ProviderErrorKind::kContextLengthExceeded, "too long", 400, {}};
    }
    return std::vector<StreamItem>{TextItem("a", "fits now")};
  };
  Result<ReplyOutcome> r = service_->Reply(o->session_id, "second");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->summarized);
  EXPECT_EQ(r->text, "fits now");
  EXPECT_EQ(overflows, 1);
  Result<Session> stored = store_.Read(o->session_id);
  ASSERT_EQ(stored->messages.size(), 3u);  // summary, prompt, answer
  EXPECT_NE(stored->messages[0].Text().find("SUMMARY"), std::string::npos);
  EXPECT_EQ(stored->messages[1].Text(), "second");
}

TEST_F(SessionServiceTest, SecondOverflowIsAnErrorAndKeepsTheSummary) {
  Result<ReplyOutcome> o = service_->Start("first");
  ASSERT_TRUE(o.ok());
  answer_ = [&](const ProviderRequest& r) -> FakeAnswer {
    if (IsSummarize(r)) return std::vector<StreamItem>{TextItem("s", "S")};
    return ProviderError{ProviderErrorKind::kContextLengthExceeded, "still too long", 400, {}};
  };
  Result<ReplyOutcome> r = service_->Reply(o->session_id, "second");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kProviderFailed);
}

TEST_F(SessionServiceTest, ProviderFailureLeavesTheFileAsItWas) {
  Result<ReplyOutcome> o = service_->Start("first");
  ASSERT_TRUE(o.ok());
  const std::string before = goose::testing::ReadWholeFile(*store_.PathFor(o->session_id));
  answer_ = [](const ProviderRequest&) -> FakeAnswer {
    return ProviderError{ProviderErrorKind::kServerError, "upstream 500", 500, {}};
  };
  Result<ReplyOutcome> r = service_->Reply(o->session_id, "second");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kProviderFailed);
  EXPECT_NE(r.status().message().find("upstream 500"), std::string::npos);
  EXPECT_EQ(goose::testing::ReadWholeFile(*store_.PathFor(o->session_id)), before);
}

TEST_F(SessionServiceTest, FailedStartLeavesNoLiveSession) {
  answer_ = [](const ProviderRequest&) -> FakeAnswer {
    return ProviderError{ProviderErrorKind::kTransport, "refused", 0, {}};
  };
  EXPECT_FALSE(service_->Start("x").ok());
  EXPECT_EQ(registry_->size(), 0u);
  EXPECT_TRUE(store_.List()->empty());
}

TEST_F(SessionServiceTest, ConcurrentRepliesToOneSessionLoseNothing) {
  answer_ = [](const ProviderRequest& r) -> FakeAnswer {
    if (IsDescribe(r)) return std::vector<StreamItem>{TextItem("d", "d")};
    return std::vector<StreamItem>{TextItem("a", "re:" + r.conversation.back().Text())};
  };
  Result<ReplyOutcome> o = service_->Start("p0");
  ASSERT_TRUE(o.ok());
  constexpr int kThreads = 4, kEach = 10;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kEach; ++i) {
          EXPECT_TRUE(
              service_->Reply(o->session_id, "t" + std::to_string(t) + "-" + std::to_string(i))
                  .ok());
        }
      });
    }
  }
  Result<Session> stored = store_.Read(o->session_id);
  ASSERT_EQ(stored->messages.size(), 2u + 2u * kThreads * kEach);
  // Every prompt is followed by its own answer: replies never interleaved.
  for (size_t i = 0; i + 1 < stored->messages.size(); i += 2) {
    EXPECT_EQ(stored->messages[i + 1].Text(), "re:" + stored->messages[i].Text());
  }
}

TEST_F(SessionServiceTest, ContinuesAGooseCliSessionAfterRestart) {
  std::filesystem::copy_file(goose::testing::TestData("goose_cli_full.jsonl"),
                             dir_.path() / "20250305_113223.jsonl");
  Build();  // a fresh registry: nothing live, as after a restart
  Result<ReplyOutcome> r = service_->Reply("20250305_113223", "and now?");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Result<Session> stored = store_.Read("20250305_113223");
  ASSERT_EQ(stored->messages.size(), 4u + 1u + 3u);
  EXPECT_EQ(stored->messages[0].extra["id"], "msg_1");  // goose's fields survive
  EXPECT_EQ(stored->metadata.description, "List project files");
  EXPECT_EQ(stored->metadata.total_tokens, 1234);
}

TEST_F(SessionServiceTest, UnknownAndInvalidIds) {
  EXPECT_EQ(service_->Reply("0b7c3c6e-1111-4222-8333-444455556666", "x").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(service_->Reply("../etc", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(service_->End("nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->Get("nope").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(service_->Summarize("a/b").status().code(), StatusCode::kInvalidArgument);
}

TEST_F(SessionServiceTest, SummarizeReplacesTheConversation) {
  Result<ReplyOutcome> o = service_->Start("hello");
  ASSERT_TRUE(o.ok());
  Result<std::string> summary = service_->Summarize(o->session_id);
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(*summary, "they talked");
  Result<SessionView> view = service_->Get(o->session_id);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->session.messages.size(), 1u);
}

TEST_F(SessionServiceTest, EndReleasesTheAgentAndKeepsTheFile) {
  const int64_t agents_before = ResourceLedger::Global().Get(Gauge::kAgents);
  Result<ReplyOutcome> o = service_->Start("hello");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kAgents), agents_before + 1);
  ASSERT_TRUE(service_->End(o->session_id).ok());
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kAgents), agents_before);
  EXPECT_TRUE(store_.Exists(o->session_id));  // for goose's CLI
  // Ended for the life of the process, as goose-api (which deletes the
  // file) answers: a reply, a summary and a second end find no session;
  // the stored conversation can still be read.
  const std::string gone = "Session not found: session " + o->session_id + " was ended";
  Result<ReplyOutcome> reply = service_->Reply(o->session_id, "again");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(reply.status().message(), gone);
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kAgents), agents_before);  // not rehydrated
  EXPECT_EQ(service_->Summarize(o->session_id).status().message(), gone);
  EXPECT_EQ(service_->End(o->session_id).message(), gone);
  EXPECT_TRUE(service_->Get(o->session_id).ok());
}

// An end that lands while a reply is reading the session back from its
// file: the copy that read makes must not live on (two live copies would
// both write the file).
TEST_F(SessionServiceTest, EndWhileTheFileIsReadLeavesNoLiveCopy) {
  Result<ReplyOutcome> o = service_->Start("hello");
  ASSERT_TRUE(o.ok());
  ASSERT_EQ(registry_->ReapExpired(std::chrono::steady_clock::now() + std::chrono::hours(2)), 1u);
  on_load_ = [&](const std::string& id) {
    on_load_ = nullptr;
    EXPECT_TRUE(service_->End(id).ok());
  };
  Result<ReplyOutcome> reply = service_->Reply(o->session_id, "again");
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.status().code(), StatusCode::kNotFound) << reply.status().ToString();
  EXPECT_EQ(registry_->size(), 0u);
  EXPECT_EQ(store_.Read(o->session_id)->messages.size(), 4u);  // as it was
}

// Replies racing an end, many times over (under tsan in CI): every reply
// answered is whole in the file, every reply after the end is 404, and at
// most one live copy of the session ever exists.
TEST_F(SessionServiceTest, EndRacingRepliesLosesNoAnsweredMessage) {
  answer_ = [](const ProviderRequest& r) -> FakeAnswer {
    if (IsDescribe(r)) return std::vector<StreamItem>{TextItem("d", "d")};
    return std::vector<StreamItem>{TextItem("a", "re:" + r.conversation.back().Text())};
  };
  for (int round = 0; round < 20; ++round) {
    Result<ReplyOutcome> o = service_->Start("p0");
    ASSERT_TRUE(o.ok());
    if (round % 2 == 1) registry_->ReapExpired(std::chrono::steady_clock::now() + 2h);
    std::atomic<int> answered{0};
    std::atomic<bool> ended{false};
    std::set<std::string> ok_prompts;
    Mutex ok_mu;
    {
      std::vector<std::jthread> threads;
      for (int t = 0; t < 3; ++t) {
        threads.emplace_back([&, t] {
          for (int i = 0; i < 8; ++i) {
            const bool after_end = ended.load();
            const std::string prompt = "r" + std::to_string(t) + "-" + std::to_string(i);
            Result<ReplyOutcome> r = service_->Reply(o->session_id, prompt);
            if (r.ok()) {
              EXPECT_FALSE(after_end) << "a reply that began after the end was answered";
              MutexLock lock(ok_mu);
              ok_prompts.insert(prompt);
              ++answered;
            } else {
              EXPECT_TRUE(r.status().code() == StatusCode::kNotFound ||
                          r.status().code() == StatusCode::kCancelled)
                  << r.status().ToString();
            }
            EXPECT_LE(registry_->size(), 1u);
          }
        });
      }
      threads.emplace_back([&] {
        while (answered.load() < round % 5) std::this_thread::yield();
        EXPECT_TRUE(service_->End(o->session_id).ok());
        ended.store(true);
      });
    }
    EXPECT_EQ(registry_->size(), 0u);
    Result<Session> stored = store_.Read(o->session_id);
    ASSERT_TRUE(stored.ok());
    std::set<std::string> in_file;
    for (size_t i = 0; i + 1 < stored->messages.size(); i += 2) {
      EXPECT_EQ(stored->messages[i + 1].Text(), "re:" + stored->messages[i].Text());
      in_file.insert(stored->messages[i].Text());
    }
    MutexLock lock(ok_mu);
    for (const std::string& p : ok_prompts) {
      EXPECT_EQ(in_file.count(p), 1u) << p << " was answered but is not in the file";
    }
  }
}

TEST_F(SessionServiceTest, ASessionNotEndedResumesFromItsFile) {
  Result<ReplyOutcome> o = service_->Start("hello");
  ASSERT_TRUE(o.ok());
  // Reaped (idle), not ended: the next reply brings it back from its file.
  ASSERT_EQ(registry_->ReapExpired(std::chrono::steady_clock::now() + std::chrono::hours(2)), 1u);
  Result<ReplyOutcome> reply = service_->Reply(o->session_id, "again");
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
}

}  // namespace
}  // namespace goose
