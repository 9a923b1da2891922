// The core's OpenAIProvider (the real HTTP client) driven by mock-llm: a
// multi-message turn arrives as separate messages, and the server's drain
// accounting sees a drained stream complete and an abandoned one cancelled.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "core/base/resource_ledger.h"
#include "core/providers/openai_config.h"
#include "core/providers/openai_provider.h"
#include "harness/test_util.h"
#include "mock_provider/mock_llm_server.h"
#include "mock_provider/tests/http_test_util.h"

namespace goose::mock {
namespace {

using ::testing::ElementsAre;
using testing::MustParse;

OpenAIConfig ConfigFor(const MockLlmServer& server, const std::string& model) {
  OpenAIConfig config;
  config.scheme = "http";
  config.host = "127.0.0.1";
  config.port = server.port();
  config.base_path = "/v1/chat/completions";
  config.api_key = "mock-key";
  config.model = model;
  config.max_retries = 0;
  return config;
}

ProviderRequest Prompt(const std::string& text) {
  ProviderRequest req;
  req.conversation.push_back(Message::User(text));
  return req;
}

TEST(CoreProviderInteropTest, MultiMessageTurnArrivesAsSeparateMessages) {
  auto server = testing::StartServer({MustParse(R"({"name": "multi", "turns": [{"messages": [
      {"text": "First message.", "chunks": 3},
      {"text": "Second message.", "chunks": 2},
      {"text": "Running ls.", "tool_calls": [{"id": "call_ls", "name": "developer__shell",
                                              "arguments": {"command": "ls"}, "fragments": 3}]}],
      "usage": {"input_tokens": 9, "output_tokens": 8}}]})")});
  ASSERT_NE(server, nullptr);
  OpenAIProvider provider(ConfigFor(*server, "multi"));
  std::unique_ptr<ReplyStream> stream = provider.Stream(Prompt("hi"));
  DrainResult r = Drain(*stream);
  stream.reset();
  ASSERT_FALSE(r.error.has_value()) << r.error->ToString();
  ASSERT_EQ(r.messages.size(), 3u);
  EXPECT_EQ(r.messages[0].Text(), "First message.");
  EXPECT_EQ(r.messages[1].Text(), "Second message.");
  EXPECT_EQ(r.messages[2].Text(), "Running ls.");
  std::vector<const ToolRequestContent*> calls = r.messages[2].ToolRequests();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0]->id, "call_ls");
  ASSERT_TRUE(calls[0]->tool_call.ok()) << JsonDump(MessageToJson(r.messages[2]));
  EXPECT_EQ(calls[0]->tool_call.value->arguments, Json({{"command", "ls"}}));
  ASSERT_TRUE(r.usage.has_value());
  EXPECT_EQ(r.usage->input_tokens, 9);
  EXPECT_EQ(r.usage->output_tokens, 8);

  ASSERT_TRUE(server->stats().WaitUntilSettled(goose::testing::kTestWait));
  const MockStats s = server->stats().Snapshot();
  EXPECT_EQ(s.streams_completed, 1);
  EXPECT_EQ(s.chunks_consumed, s.chunks_produced);
}

TEST(CoreProviderInteropTest, AbandonedStreamIsSeenAsCancelled) {
  const int64_t live_before = ResourceLedger::Global().Get(Gauge::kLiveStreams);
  auto server = testing::StartServer({MustParse(R"({"name": "long", "turns": [{
      "chunk_delay_ms": 2, "messages": [{"chunks": 5000, "chunk_size": 4}]}]})")});
  OpenAIProvider provider(ConfigFor(*server, "long"));
  {
    std::unique_ptr<ReplyStream> stream = provider.Stream(Prompt("hi"));
    StreamItem item;
    ASSERT_TRUE(stream->Next(&item));  // take the first item, then walk away
  }
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kLiveStreams), live_before);
  EXPECT_TRUE(server->stats().WaitUntil([](const MockStats& s) { return s.streams_cancelled == 1; },
                                        goose::testing::kTestWait));
  const MockStats s = server->stats().Snapshot();
  EXPECT_EQ(s.streams_completed, 0);
  EXPECT_LT(s.chunks_consumed, s.chunks_produced);
}

TEST(CoreProviderInteropTest, CancelDuringAStallReachesTheServer) {
  auto server = testing::StartServer({MustParse(R"({"name": "stall", "turns": [{
      "messages": [{"chunks": 4}], "failure": {"kind": "stall", "after_chunk": 1}}]})")});
  OpenAIProvider provider(ConfigFor(*server, "stall"));
  std::unique_ptr<ReplyStream> stream = provider.Stream(Prompt("hi"));
  StreamItem item;
  ASSERT_TRUE(stream->Next(&item));
  std::jthread canceller([&] { stream->Cancel(); });
  EXPECT_FALSE(stream->Next(&item));
  ASSERT_TRUE(stream->error().has_value());
  EXPECT_EQ(stream->error()->kind, ProviderErrorKind::kCancelled);
  canceller.join();
  stream.reset();
  EXPECT_TRUE(server->stats().WaitUntil([](const MockStats& s) { return s.streams_cancelled == 1; },
                                        goose::testing::kTestWait));
}

TEST(CoreProviderInteropTest, ScriptedFailuresMapToTypedErrors) {
  auto server = testing::StartServer({
      MustParse(R"({"name": "ctx", "turns": [{"failure": {"kind": "context_length_exceeded"}}]})"),
      MustParse(
          R"({"name": "rl", "turns": [{"failure": {"kind": "http_429", "retry_after_s": 1}}]})"),
      MustParse(
          R"({"name": "nodone", "turns": [{"messages": [{"chunks": 2}], "failure": {"kind": "no_done"}}]})"),
      MustParse(
          R"({"name": "corrupt", "turns": [{"messages": [{"chunks": 2}], "failure": {"kind": "corrupt_frame", "after_chunk": 1}}]})"),
      MustParse(R"({"name": "exhausted", "turns": [{"messages": [{"text": "x"}]}]})"),
  });
  auto error_of = [&](const std::string& model, ProviderRequest req) {
    OpenAIProvider provider(ConfigFor(*server, model));
    DrainResult r = Drain(*provider.Stream(req));
    EXPECT_TRUE(r.error.has_value()) << model;
    return r.error.value_or(ProviderError{});
  };
  EXPECT_EQ(error_of("ctx", Prompt("hi")).kind, ProviderErrorKind::kContextLengthExceeded);
  const ProviderError rl = error_of("rl", Prompt("hi"));
  EXPECT_EQ(rl.kind, ProviderErrorKind::kRateLimited);
  EXPECT_EQ(rl.retry_after, std::chrono::milliseconds(1000));
  EXPECT_EQ(error_of("nodone", Prompt("hi")).kind, ProviderErrorKind::kTransport);
  EXPECT_EQ(error_of("corrupt", Prompt("hi")).kind, ProviderErrorKind::kBadResponse);
  ProviderRequest later = Prompt("hi");
  later.conversation.push_back(Message::Assistant("x"));
  later.conversation.push_back(Message::User("again"));
  const ProviderError exhausted = error_of("exhausted", later);
  EXPECT_THAT(exhausted.message, ::testing::HasSubstr("exhausted"));
}

}  // namespace
}  // namespace goose::mock
