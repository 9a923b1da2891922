// mock-llm over HTTP, Anthropic Messages protocol.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/test_util.h"
#include "mock_provider/mock_llm_server.h"
#include "mock_provider/tests/http_test_util.h"

namespace goose::mock {
namespace {

using ::testing::ElementsAre;
using testing::MustParse;
using testing::ParseSse;
using testing::Post;
using testing::SseFrame;
using testing::StartServer;

constexpr char kMessages[] = "/v1/messages";

constexpr char kScript[] = R"({"name": "claude-mock", "turns": [{"messages": [
    {"text": "Hello there", "chunks": 2},
    {"text": "Checking.", "chunks": 1,
     "tool_calls": [{"id": "toolu_1", "name": "developer__shell",
                     "arguments": {"command": "ls"}, "fragments": 2}]}],
    "usage": {"input_tokens": 21, "output_tokens": 9}}]})";

Json MessagesRequest(bool stream) {
  return Json{{"model", "claude-mock"},
              {"max_tokens", 1024},
              {"system", "be brief"},
              {"stream", stream},
              {"messages", Json::array({Json{{"role", "user"}, {"content", "hi"}}})}};
}

TEST(AnthropicServerTest, StreamsTheMessagesEventSequence) {
  auto server = StartServer({MustParse(kScript)});
  testing::HttpResult r = Post(server->port(), kMessages, MessagesRequest(true));
  ASSERT_EQ(r.error, httplib::Error::Success);
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> events;
  std::vector<Json> data;
  for (const SseFrame& f : ParseSse(r.body)) {
    events.push_back(f.event);
    data.push_back(Json::parse(f.data));
    EXPECT_EQ(data.back()["type"], f.event) << "event name matches data.type";
  }
  EXPECT_THAT(events,
              ElementsAre("message_start", "ping", "content_block_start", "content_block_delta",
                          "content_block_delta", "content_block_stop", "content_block_start",
                          "content_block_delta", "content_block_stop", "content_block_start",
                          "content_block_delta", "content_block_delta", "content_block_stop",
                          "message_delta", "message_stop"));
  const Json& start = data[0]["message"];
  EXPECT_EQ(start["role"], "assistant");
  EXPECT_EQ(start["model"], "claude-mock");
  EXPECT_EQ(start["content"], Json::array());
  EXPECT_EQ(start["usage"]["input_tokens"], 21);

  EXPECT_EQ(data[2]["index"], 0);
  EXPECT_EQ(data[2]["content_block"], Json({{"type", "text"}, {"text", ""}}));
  EXPECT_EQ(data[3]["delta"], Json({{"type", "text_delta"}, {"text", "Hello"}}));
  EXPECT_EQ(data[4]["delta"]["text"], " there");
  EXPECT_EQ(data[5]["index"], 0);
  EXPECT_EQ(data[6]["index"], 1);
  EXPECT_EQ(data[7]["delta"]["text"], "Checking.");
  EXPECT_EQ(data[9]["index"], 2);
  EXPECT_EQ(data[9]["content_block"], Json({{"type", "tool_use"},
                                            {"id", "toolu_1"},
                                            {"name", "developer__shell"},
                                            {"input", Json::object()}}));
  std::string partial;
  for (size_t i : {10u, 11u}) {
    EXPECT_EQ(data[i]["index"], 2);
    EXPECT_EQ(data[i]["delta"]["type"], "input_json_delta");
    partial += data[i]["delta"]["partial_json"].get<std::string>();
  }
  EXPECT_EQ(Json::parse(partial), Json({{"command", "ls"}}));
  EXPECT_EQ(data[13]["delta"]["stop_reason"], "tool_use");
  EXPECT_EQ(data[13]["usage"]["output_tokens"], 9);

  EXPECT_TRUE(server->stats().WaitUntilSettled(goose::testing::kTestWait));
  EXPECT_EQ(server->stats().Snapshot().streams_completed, 1);
  const std::vector<Json> journal = server->journal().Entries();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["protocol"], "anthropic");
  EXPECT_EQ(journal[0]["system"], "be brief");
}

TEST(AnthropicServerTest, NonStreamingMessageHoldsTheSameBlocks) {
  auto server = StartServer({MustParse(kScript)});
  testing::HttpResult r = Post(server->port(), kMessages, MessagesRequest(false));
  ASSERT_EQ(r.status, 200);
  const Json body = Json::parse(r.body);
  EXPECT_EQ(body["type"], "message");
  EXPECT_EQ(body["stop_reason"], "tool_use");
  EXPECT_EQ(body["content"], Json::parse(R"([
      {"type": "text", "text": "Hello there"},
      {"type": "text", "text": "Checking."},
      {"type": "tool_use", "id": "toolu_1", "name": "developer__shell",
       "input": {"command": "ls"}}])"));
  EXPECT_EQ(body["usage"], Json({{"input_tokens", 21}, {"output_tokens", 9}}));
}

TEST(AnthropicServerTest, ErrorsInAnthropicShape) {
  auto server = StartServer({
      MustParse(
          R"({"name": "rl", "turns": [{"failure": {"kind": "http_429", "retry_after_s": 4}}]})"),
      MustParse(R"({"name": "mid", "turns": [{"messages": [{"chunks": 3}],
          "failure": {"kind": "error_frame", "after_chunk": 1}}]})"),
  });
  Json req = MessagesRequest(true);
  req["model"] = "rl";
  testing::HttpResult rl = Post(server->port(), kMessages, req);
  EXPECT_EQ(rl.status, 429);
  const Json err = Json::parse(rl.body);
  EXPECT_EQ(err["type"], "error");
  EXPECT_EQ(err["error"]["type"], "rate_limit_error");

  req["model"] = "mid";
  testing::HttpResult mid = Post(server->port(), kMessages, req);
  const std::vector<SseFrame> frames = ParseSse(mid.body);
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames.back().event, "error");
  EXPECT_EQ(Json::parse(frames.back().data)["error"]["type"], "api_error");
  for (const SseFrame& f : frames) EXPECT_NE(f.event, "message_stop");

  httplib::Client client("127.0.0.1", server->port());
  client.set_tcp_nodelay(true);
  auto bad = client.Post(kMessages, R"({"model": "rl", "messages": 5})", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Json::parse(bad->body)["error"]["type"], "invalid_request_error");
}

TEST(AnthropicServerTest, ToolResultStartsTheNextTurn) {
  auto server = StartServer({MustParse(R"({"name": "claude-mock", "turns": [
      {"messages": [{"text": "t0"}]}, {"messages": [{"text": "t1"}]}]})")});
  Json req = MessagesRequest(false);
  req["messages"].push_back(Json::parse(
      R"({"role": "assistant", "content": [{"type": "tool_use", "id": "a", "name": "x", "input": {}}]})"));
  req["messages"].push_back(Json::parse(
      R"({"role": "user", "content": [{"type": "tool_result", "tool_use_id": "a", "content": "ok"}]})"));
  testing::HttpResult r = Post(server->port(), kMessages, req);
  EXPECT_EQ(Json::parse(r.body)["content"][0]["text"], "t1");
}

}  // namespace
}  // namespace goose::mock
