#include "core/agent/agent.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <thread>

#include "core/agent/tests/fake_provider.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using testing::FakeAnswer;
using testing::FakeProvider;
using testing::TextItem;
using testing::ToolItem;

// Tools that echo their arguments and count calls.
class EchoTools : public ToolSet {
 public:
  ToolList Tools() override { return MakeToolList({ToolSpec{"ext__echo", "echoes", {}}}); }
  ToolResult<std::vector<Json>> Call(const ToolCall& call) override {
    ++calls;
    if (call.name != "ext__echo")
      return ToolResult<std::vector<Json>>::Failure("no tool " + call.name);
    return ToolResult<std::vector<Json>>::Success(
        {Json{{"type", "text"}, {"text", "echo:" + call.arguments.value("text", "")}}});
  }
  void Interrupt() override { ++interrupts; }
  int calls = 0;
  int interrupts = 0;
};

size_t Assistants(const std::vector<Message>& conversation) {
  size_t n = 0;
  for (const Message& m : conversation) n += m.role == Role::kAssistant ? 1 : 0;
  return n;
}

std::vector<Message> DrainAll(AgentReply& reply) {
  std::vector<Message> out;
  Message m;
  while (reply.Next(&m)) out.push_back(m);
  return out;
}

TEST(AgentTest, MultiMessageTurnYieldsEveryMessage) {
  FakeProvider provider([](const ProviderRequest&) -> FakeAnswer {
    return std::vector<StreamItem>{TextItem("m1", "Hel"), TextItem("m1", "lo"),
                                   TextItem("m2", "second"), TextItem("m3", "third")};
  });
  Agent agent(&provider, nullptr, {});
  auto reply = agent.Reply({Message::User("hi")});
  std::vector<Message> out = DrainAll(*reply);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].Text(), "Hello");
  EXPECT_EQ(out[1].Text(), "second");
  EXPECT_EQ(out[2].Text(), "third");
  EXPECT_FALSE(reply->error());
  EXPECT_EQ(reply->turns(), 1);
}

TEST(AgentTest, ToolLoopDispatchesAndFeedsResponsesBack) {
  std::vector<ProviderRequest> seen;
  FakeProvider provider([&](const ProviderRequest& r) -> FakeAnswer {
    seen.push_back(r);
    if (Assistants(r.conversation) == 0) {
      return std::vector<StreamItem>{TextItem("a", "calling"),
                                     ToolItem("a", "c1", "ext__echo", {{"text", "x"}}),
                                     ToolItem("a", "c2", "ext__echo", {{"text", "y"}})};
    }
    return std::vector<StreamItem>{TextItem("b", "done")};
  });
  auto tools = std::make_unique<EchoTools>();
  EchoTools* raw = tools.get();
  Agent agent(&provider, std::move(tools), {});
  auto reply = agent.Reply({Message::User("go")});
  std::vector<Message> out = DrainAll(*reply);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].role, Role::kAssistant);
  EXPECT_EQ(out[0].ToolRequests().size(), 2u);
  EXPECT_EQ(out[1].role, Role::kUser);
  ASSERT_EQ(out[1].content.size(), 2u);
  const auto& r1 = std::get<ToolResponseContent>(out[1].content[0]);
  EXPECT_EQ(r1.id, "c1");
  EXPECT_EQ(McpContentText(*r1.tool_result.value), "echo:x");
  EXPECT_EQ(out[2].Text(), "done");
  EXPECT_EQ(raw->calls, 2);
  ASSERT_EQ(seen.size(), 2u);
  ASSERT_NE(seen[0].tools, nullptr);
  EXPECT_EQ(seen[0].tools->size(), 1u);
  EXPECT_EQ(seen[1].conversation.size(), 3u);  // user, assistant, tool responses
  EXPECT_TRUE(seen[1].conversation.back().HasToolResponses());
}

TEST(AgentTest, StopsAtMaxTurns) {
  FakeProvider provider([](const ProviderRequest&) -> FakeAnswer {
    return std::vector<StreamItem>{ToolItem("a", "c", "ext__echo", Json::object())};
  });
  AgentOptions options;
  options.max_turns = 3;
  Agent agent(&provider, std::make_unique<EchoTools>(), options);
  auto reply = agent.Reply({Message::User("loop")});
  std::vector<Message> out = DrainAll(*reply);
  EXPECT_EQ(out.size(), 6u);  // 3 x (assistant + tool responses)
  EXPECT_TRUE(reply->hit_max_turns());
  EXPECT_FALSE(reply->error());
  EXPECT_EQ(provider.streams(), 3);
}

TEST(AgentTest, ToolRequestWithoutToolsGetsAnErrorResult) {
  FakeProvider provider([](const ProviderRequest& r) -> FakeAnswer {
    if (Assistants(r.conversation) == 0) {
      return std::vector<StreamItem>{ToolItem("a", "c", "ext__echo", Json::object())};
    }
    return std::vector<StreamItem>{TextItem("b", "ok")};
  });
  Agent agent(&provider, nullptr, {});
  auto reply = agent.Reply({Message::User("x")});
  std::vector<Message> out = DrainAll(*reply);
  ASSERT_EQ(out.size(), 3u);
  const auto& r = std::get<ToolResponseContent>(out[1].content[0]);
  EXPECT_FALSE(r.tool_result.ok());
  EXPECT_NE(r.tool_result.error.find("no tools"), std::string::npos);
}

TEST(AgentTest, ProviderErrorEndsTheReplyWithItsKind) {
  FakeProvider provider([](const ProviderRequest& r) -> FakeAnswer {
    if (Assistants(r.conversation) == 0) {
      return std::vector<StreamItem>{ToolItem("a", "c", "ext__echo", Json::object())};
    }
    return ProviderError{ProviderErrorKind::kServerError, "boom", 500, {}};
  });
  Agent agent(&provider, std::make_unique<EchoTools>(), {});
  auto reply = agent.Reply({Message::User("x")});
  std::vector<Message> out = DrainAll(*reply);
  EXPECT_EQ(out.size(), 2u);  // the first turn's messages still came out
  ASSERT_TRUE(reply->error());
  EXPECT_EQ(reply->error()->kind, ProviderErrorKind::kServerError);
}

TEST(AgentTest, CancelStopsBeforeTheNextTurn) {
  FakeProvider provider([](const ProviderRequest&) -> FakeAnswer {
    return std::vector<StreamItem>{ToolItem("a", "c", "ext__echo", Json::object())};
  });
  Agent agent(&provider, std::make_unique<EchoTools>(), {});
  auto reply = agent.Reply({Message::User("x")});
  Message m;
  ASSERT_TRUE(reply->Next(&m));
  reply->Cancel();
  ASSERT_TRUE(reply->Next(&m));  // the tool responses of the finished turn
  EXPECT_FALSE(reply->Next(&m));
  ASSERT_TRUE(reply->error());
  EXPECT_EQ(reply->error()->kind, ProviderErrorKind::kCancelled);
  EXPECT_EQ(provider.streams(), 1);
}

// A tool whose call blocks until the set is interrupted (or a minute).
class BlockingTools : public ToolSet {
 public:
  ToolList Tools() override { return MakeToolList({ToolSpec{"ext__hang", "hangs", {}}}); }
  ToolResult<std::vector<Json>> Call(const ToolCall&) override {
    MutexLock lock(mu_);
    ++calls_;
    const bool interrupted = cv_.wait_for(mu_, std::chrono::minutes(1),
                                          [&]() NO_THREAD_SAFETY_ANALYSIS { return interrupted_; });
    return ToolResult<std::vector<Json>>::Failure(interrupted ? "interrupted" : "timed out");
  }
  void Interrupt() override {
    MutexLock lock(mu_);
    interrupted_ = true;
    cv_.notify_all();
  }
  int calls() {
    MutexLock lock(mu_);
    return calls_;
  }

 private:
  Mutex mu_;
  std::condition_variable_any cv_;
  int calls_ GUARDED_BY(mu_) = 0;
  bool interrupted_ GUARDED_BY(mu_) = false;
};

TEST(AgentTest, CancelReachesAToolCallInFlight) {
  FakeProvider provider([](const ProviderRequest&) -> FakeAnswer {
    return std::vector<StreamItem>{ToolItem("a", "c", "ext__hang", Json::object())};
  });
  auto tools = std::make_unique<BlockingTools>();
  BlockingTools* raw = tools.get();
  Agent agent(&provider, std::move(tools), {});
  auto reply = agent.Reply({Message::User("x")});
  std::vector<Message> out;
  std::jthread runner([&] { out = DrainAll(*reply); });
  ASSERT_TRUE(goose::testing::WaitUntil([&] { return raw->calls() == 1; }));
  const auto cancelled_at = std::chrono::steady_clock::now();
  reply->Cancel();
  runner.join();
  // Well inside the tool's minute: the cancel ended the call, not a timeout.
  EXPECT_LT(std::chrono::steady_clock::now() - cancelled_at, std::chrono::seconds(30));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<ToolResponseContent>(out[1].content[0]).tool_result.error, "interrupted");
  ASSERT_TRUE(reply->error());
  EXPECT_EQ(reply->error()->kind, ProviderErrorKind::kCancelled);
}

TEST(AgentTest, DescribeTrimsToOneShortLine) {
  FakeProvider provider([](const ProviderRequest& r) -> FakeAnswer {
    EXPECT_NE(r.system.find("4 words or less"), std::string::npos);
    return std::vector<StreamItem>{TextItem("d", "\"Fix the build.\"\nextra")};
  });
  Agent agent(&provider, nullptr, {});
  Result<std::string, ProviderError> d = agent.Describe({Message::User("fix it")});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, "Fix the build");
}

TEST(AgentTest, SummarizeSendsATranscript) {
  std::string transcript;
  FakeProvider provider([&](const ProviderRequest& r) -> FakeAnswer {
    transcript = r.conversation.at(0).Text();
    return std::vector<StreamItem>{TextItem("s", "short summary")};
  });
  Agent agent(&provider, nullptr, {});
  Message call = Message::Assistant("calling");
  call.content.emplace_back(
      ToolRequestContent{"c", ToolResult<ToolCall>::Success(ToolCall{"ext__ls", {{"p", 1}}})});
  Result<std::string, ProviderError> s =
      agent.Summarize({Message::User("question"), call, Message::Assistant("answer")});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(*s, "short summary");
  EXPECT_NE(transcript.find("user: question"), std::string::npos);
  EXPECT_NE(transcript.find("[called tool ext__ls with {\"p\":1}]"), std::string::npos);
  EXPECT_NE(transcript.find("assistant: answer"), std::string::npos);
  std::vector<Message> replaced = SummarizedConversation(*s);
  ASSERT_EQ(replaced.size(), 1u);
  EXPECT_NE(replaced[0].Text().find("short summary"), std::string::npos);
}

TEST(AgentTest, AgentsAndStreamsAreCountedInTheLedger) {
  const LedgerSnapshot before = ResourceLedger::Global().Snapshot();
  {
    FakeProvider provider([](const ProviderRequest&) -> FakeAnswer {
      return std::vector<StreamItem>{TextItem("a", "x")};
    });
    Agent agent(&provider, nullptr, {});
    EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kAgents), before[Gauge::kAgents] + 1);
    auto reply = agent.Reply({Message::User("x")});
    DrainAll(*reply);
    EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kLiveStreams), before[Gauge::kLiveStreams]);
  }
  EXPECT_EQ(ResourceLedger::Global().Snapshot().values, before.values);
}

}  // namespace
}  // namespace goose
