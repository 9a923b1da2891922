// mock-llm over HTTP, OpenAI protocol: exact SSE shapes, errors, failures,
// disconnects, journal and stats.

#include "mock_provider/mock_llm_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "harness/test_util.h"
#include "mock_provider/tests/http_test_util.h"

namespace goose::mock {
namespace {

using testing::ChatRequest;
using ::testing::ElementsAre;
using testing::GetJson;
using ::testing::HasSubstr;
using testing::MustParse;
using testing::ParseSse;
using testing::Post;
using testing::SseFrame;
using testing::StartServer;

constexpr char kChat[] = "/v1/chat/completions";

// The JSON of every data frame but [DONE]; sets *done when [DONE] was last.
std::vector<Json> DataFrames(const std::string& body, bool* done) {
  std::vector<Json> out;
  *done = false;
  for (const SseFrame& f : ParseSse(body)) {
    if (f.comment_only) continue;
    EXPECT_FALSE(*done) << "a frame after [DONE]";
    if (f.data == "[DONE]") {
      *done = true;
      continue;
    }
    out.push_back(Json::parse(f.data));
  }
  return out;
}

constexpr char kShape[] = R"({"name": "shape", "turns": [{"messages": [
    {"text": "Hello there", "chunks": 2},
    {"text": "Checking.", "chunks": 1,
     "tool_calls": [{"id": "call_1", "name": "developer__shell",
                     "arguments": {"command": "ls -la"}, "fragments": 3}]}],
    "usage": {"input_tokens": 11, "output_tokens": 7}}]})";

TEST(MockLlmServerTest, StreamsChatCompletionChunksExactly) {
  auto server = StartServer({MustParse(kShape)});
  ASSERT_NE(server, nullptr);
  testing::HttpResult r = Post(server->port(), kChat, ChatRequest("shape", "hi", true));
  ASSERT_EQ(r.error, httplib::Error::Success);
  ASSERT_EQ(r.status, 200);
  bool done = false;
  std::vector<Json> frames = DataFrames(r.body, &done);
  EXPECT_TRUE(done);
  // 2 text + finish, 1 text + 3 fragments + finish, usage.
  ASSERT_EQ(frames.size(), 9u) << r.body;
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(frames[i]["object"], "chat.completion.chunk");
    EXPECT_EQ(frames[i]["model"], "shape");
    EXPECT_TRUE(frames[i]["created"].is_number_integer());
    ASSERT_EQ(frames[i]["choices"].size(), 1u);
    EXPECT_EQ(frames[i]["choices"][0]["index"], 0);
  }
  const std::string id0 = frames[0]["id"];
  const std::string id1 = frames[3]["id"];
  EXPECT_THAT(id0, ::testing::MatchesRegex("chatcmpl-[0-9]+-0"));
  EXPECT_THAT(id1, ::testing::MatchesRegex("chatcmpl-[0-9]+-1"));
  auto delta = [&](size_t i) { return frames[i]["choices"][0]["delta"]; };
  auto finish = [&](size_t i) { return frames[i]["choices"][0]["finish_reason"]; };

  EXPECT_EQ(delta(0), Json({{"role", "assistant"}, {"content", "Hello"}}));
  EXPECT_EQ(delta(1), Json({{"content", " there"}}));
  EXPECT_TRUE(finish(1).is_null());
  EXPECT_EQ(delta(2), Json::object());
  EXPECT_EQ(finish(2), "stop");
  EXPECT_EQ(frames[2]["id"], id0);

  EXPECT_EQ(delta(3), Json({{"role", "assistant"}, {"content", "Checking."}}));
  Json first_fragment = delta(4);
  std::string arguments = first_fragment["tool_calls"][0]["function"]["arguments"];
  EXPECT_FALSE(arguments.empty());
  first_fragment["tool_calls"][0]["function"]["arguments"] = "";
  EXPECT_EQ(first_fragment, Json::parse(R"({"tool_calls": [{"index": 0, "id": "call_1",
      "type": "function", "function": {"name": "developer__shell", "arguments": ""}}]})"));
  for (size_t i : {5u, 6u}) {
    const Json call = delta(i)["tool_calls"][0];
    EXPECT_EQ(call["index"], 0);
    EXPECT_FALSE(call.contains("id"));
    EXPECT_FALSE(call["function"].contains("name"));
    arguments += call["function"]["arguments"].get<std::string>();
    EXPECT_EQ(frames[i]["id"], id1);
  }
  EXPECT_EQ(Json::parse(arguments), Json({{"command", "ls -la"}}));
  EXPECT_EQ(finish(7), "tool_calls");

  EXPECT_EQ(frames[8]["choices"], Json::array());
  EXPECT_EQ(frames[8]["usage"],
            Json({{"prompt_tokens", 11}, {"completion_tokens", 7}, {"total_tokens", 18}}));

  EXPECT_TRUE(server->stats().WaitUntilSettled(goose::testing::kTestWait));
  const MockStats s = server->stats().Snapshot();
  EXPECT_EQ(s.streams_completed, 1);
  EXPECT_EQ(s.chunks_produced, 6);
  EXPECT_EQ(s.chunks_consumed, 6);
}

TEST(MockLlmServerTest, NoUsageChunkUnlessAskedFor) {
  auto server = StartServer({MustParse(kShape)});
  testing::HttpResult r =
      Post(server->port(), kChat, ChatRequest("shape", "hi", true, /*include_usage=*/false));
  bool done = false;
  std::vector<Json> frames = DataFrames(r.body, &done);
  EXPECT_TRUE(done);
  ASSERT_EQ(frames.size(), 8u);
  for (const Json& f : frames) EXPECT_FALSE(f.contains("usage"));
}

TEST(MockLlmServerTest, NonStreamingJoinsMessages) {
  auto server = StartServer({MustParse(kShape)});
  testing::HttpResult r = Post(server->port(), kChat, ChatRequest("shape", "hi", false));
  ASSERT_EQ(r.status, 200);
  const Json body = Json::parse(r.body);
  EXPECT_EQ(body["object"], "chat.completion");
  EXPECT_EQ(body["model"], "shape");
  const Json& choice = body["choices"][0];
  EXPECT_EQ(choice["finish_reason"], "tool_calls");
  EXPECT_EQ(choice["message"]["role"], "assistant");
  EXPECT_EQ(choice["message"]["content"], "Hello there\nChecking.");
  EXPECT_EQ(choice["message"]["tool_calls"],
            Json::parse(R"([{"id": "call_1", "type": "function", "function":
                {"name": "developer__shell", "arguments": "{\"command\":\"ls -la\"}"}}])"));
  EXPECT_EQ(body["usage"]["total_tokens"], 18);
  EXPECT_EQ(server->stats().Snapshot().streams_completed, 1);
}

TEST(MockLlmServerTest, ListsModels) {
  auto server = StartServer({MustParse(kShape)});
  const Json models = GetJson(server->port(), "/v1/models");
  EXPECT_EQ(models["object"], "list");
  std::vector<std::string> ids;
  for (const Json& m : models["data"]) {
    EXPECT_EQ(m["object"], "model");
    ids.push_back(m["id"]);
  }
  EXPECT_THAT(ids, ElementsAre("default", "shape"));
}

TEST(MockLlmServerTest, ChoosesScriptByHeaderThenModelThenDefault) {
  auto server =
      StartServer({MustParse(R"({"name": "a", "turns": [{"messages": [{"text": "from a"}]}]})"),
                   MustParse(R"({"name": "b", "turns": [{"messages": [{"text": "from b"}]}]})")});
  auto content = [&](const std::string& model, const httplib::Headers& headers) {
    testing::HttpResult r = Post(server->port(), kChat, ChatRequest(model, "hi", false), headers);
    return Json::parse(r.body)["choices"][0]["message"]["content"];
  };
  EXPECT_EQ(content("a", {}), "from a");
  EXPECT_EQ(content("a", {{"x-mock-script", "b"}}), "from b");
  EXPECT_EQ(content("gpt-4o", {}).get<std::string>().size(), 3u * 4u * 8u + 2u);  // default
  testing::HttpResult unknown =
      Post(server->port(), kChat, ChatRequest("a", "hi", false), {{"x-mock-script", "zzz"}});
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(Json::parse(unknown.body)["error"]["code"], "script_not_found");
}

TEST(MockLlmServerTest, PreStreamFailuresInOpenAIErrorShape) {
  auto server = StartServer({
      MustParse(
          R"({"name": "rl", "turns": [{"failure": {"kind": "http_429", "retry_after_s": 2}}]})"),
      MustParse(R"({"name": "ise", "turns": [{"failure": {"kind": "http_500"}}]})"),
      MustParse(
          R"({"name": "unavailable", "turns": [{"failure": {"kind": "http_500", "status": 503}}]})"),
      MustParse(R"({"name": "ctx", "turns": [{"failure": {"kind": "context_length_exceeded"}}]})"),
  });
  for (bool stream : {true, false}) {
    SCOPED_TRACE(stream);
    testing::HttpResult rl = Post(server->port(), kChat, ChatRequest("rl", "hi", stream));
    EXPECT_EQ(rl.status, 429);
    auto retry_after = rl.headers.find("retry-after");  // header names are case-insensitive
    ASSERT_NE(retry_after, rl.headers.end());
    EXPECT_EQ(retry_after->second, "2");
    Json err = Json::parse(rl.body)["error"];
    EXPECT_EQ(err["code"], "rate_limit_exceeded");
    EXPECT_TRUE(err["message"].is_string());
    EXPECT_TRUE(err.contains("type") && err.contains("param"));

    testing::HttpResult ise = Post(server->port(), kChat, ChatRequest("ise", "hi", stream));
    EXPECT_EQ(ise.status, 500);
    EXPECT_EQ(Json::parse(ise.body)["error"]["type"], "server_error");
    EXPECT_EQ(Post(server->port(), kChat, ChatRequest("unavailable", "hi", stream)).status, 503);

    testing::HttpResult ctx = Post(server->port(), kChat, ChatRequest("ctx", "hi", stream));
    EXPECT_EQ(ctx.status, 400);
    err = Json::parse(ctx.body)["error"];
    EXPECT_EQ(err["code"], "context_length_exceeded");
    EXPECT_EQ(err["type"], "invalid_request_error");
    EXPECT_THAT(err["message"].get<std::string>(), HasSubstr("maximum context length"));
  }
  const MockStats s = server->stats().Snapshot();
  EXPECT_EQ(s.streams_failed, 8);
  EXPECT_TRUE(s.Settled());
}

TEST(MockLlmServerTest, ExhaustedScriptAndBadRequests) {
  auto server =
      StartServer({MustParse(R"({"name": "once", "turns": [{"messages": [{"text": "x"}]}]})")});
  Json req = ChatRequest("once", "hi", true);
  req["messages"].push_back(Json{{"role", "assistant"}, {"content", "x"}});
  req["messages"].push_back(Json{{"role", "user"}, {"content", "again"}});
  testing::HttpResult r = Post(server->port(), kChat, req);
  EXPECT_EQ(r.status, 400);
  Json err = Json::parse(r.body)["error"];
  EXPECT_EQ(err["code"], "script_exhausted");
  EXPECT_THAT(err["message"].get<std::string>(), HasSubstr("script \"once\" is exhausted"));

  httplib::Client client("127.0.0.1", server->port());
  client.set_tcp_nodelay(true);
  auto bad = client.Post(kChat, "{not json", "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_EQ(Json::parse(bad->body)["error"]["code"], "invalid_request");
  auto no_messages = client.Post(kChat, R"({"model": "once"})", "application/json");
  ASSERT_TRUE(no_messages);
  EXPECT_THAT(Json::parse(no_messages->body)["error"]["message"].get<std::string>(),
              HasSubstr("messages must be an array"));
  auto no_route = client.Get("/v2/nothing");
  ASSERT_TRUE(no_route);
  EXPECT_EQ(no_route->status, 404);
  EXPECT_TRUE(Json::parse(no_route->body).contains("error"));
  EXPECT_EQ(server->stats().Snapshot().requests, 3);
}

TEST(MockLlmServerTest, TurnFollowsTheConversation) {
  auto server = StartServer({MustParse(R"({"name": "turns", "turns": [
      {"messages": [{"text": "t0"}]}, {"messages": [{"text": "t1"}]}]})")});
  Json req = ChatRequest("turns", "hi", false);
  req["messages"].push_back(
      Json{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", Json::array()}});
  req["messages"].push_back(Json{{"role", "tool"}, {"tool_call_id", "c"}, {"content", "out"}});
  testing::HttpResult r = Post(server->port(), kChat, req);
  EXPECT_EQ(Json::parse(r.body)["choices"][0]["message"]["content"], "t1");
}

// --- Mid-stream failures --------------------------------------------------

struct StreamOutcomeCase {
  std::string failure;
  size_t content_frames;  // frames with content or tool_calls in their delta
  bool done;              // [DONE] arrived
  bool clean_end;         // the HTTP response ended properly
};

TEST(MockLlmServerTest, EveryMidStreamFailure) {
  const std::vector<StreamOutcomeCase> cases = {
      {R"({"kind": "error_frame", "after_chunk": 2})", 2, false, true},
      {R"({"kind": "abrupt_close", "after_chunk": 1})", 1, false, false},
      {R"({"kind": "no_done"})", 4, false, true},
      {R"({"kind": "duplicate_frame", "after_chunk": 3})", 5, true, true},
  };
  for (const StreamOutcomeCase& c : cases) {
    SCOPED_TRACE(c.failure);
    auto server = StartServer({MustParse(R"({"name": "f", "turns": [{"messages": [
        {"text": "abcd", "chunks": 4}], "failure": )" +
                                         c.failure + "}]}")});
    testing::HttpResult r = Post(server->port(), kChat, ChatRequest("f", "hi", true));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.error == httplib::Error::Success, c.clean_end) << httplib::to_string(r.error);
    bool done = false;
    std::vector<Json> frames = DataFrames(r.body, &done);
    EXPECT_EQ(done, c.done);
    size_t content = 0;
    for (const Json& f : frames) {
      if (f.contains("choices") && !f["choices"].empty() &&
          f["choices"][0]["delta"].contains("content")) {
        ++content;
      }
    }
    EXPECT_EQ(content, c.content_frames) << r.body;
    EXPECT_TRUE(server->stats().WaitUntilSettled(goose::testing::kTestWait));
    const MockStats s = server->stats().Snapshot();
    const bool completes = c.failure.find("duplicate") != std::string::npos;
    EXPECT_EQ(s.streams_failed, completes ? 0 : 1);
    EXPECT_EQ(s.streams_completed, completes ? 1 : 0);
  }
}

TEST(MockLlmServerTest, ErrorFrameCarriesAnOpenAIError) {
  auto server = StartServer({MustParse(R"({"name": "f", "turns": [{"messages": [{"chunks": 4}],
      "failure": {"kind": "error_frame", "after_chunk": 1, "code": "context_length_exceeded",
                  "message": "too long now"}}]})")});
  testing::HttpResult r = Post(server->port(), kChat, ChatRequest("f", "hi", true));
  bool done = false;
  std::vector<Json> frames = DataFrames(r.body, &done);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[1]["error"]["code"], "context_length_exceeded");
  EXPECT_EQ(frames[1]["error"]["message"], "too long now");
}

TEST(MockLlmServerTest, DuplicateFrameIsByteIdentical) {
  auto server = StartServer({MustParse(R"({"name": "d", "turns": [{"messages": [
      {"text": "abcd", "chunks": 4}], "failure": {"kind": "duplicate_frame", "after_chunk": 2}}]})")});
  testing::HttpResult r = Post(server->port(), kChat, ChatRequest("d", "hi", true));
  std::vector<SseFrame> frames = ParseSse(r.body);
  ASSERT_GE(frames.size(), 3u);
  EXPECT_EQ(frames[1].data, frames[2].data);
  EXPECT_EQ(server->stats().Snapshot().chunks_consumed, 5);
}

TEST(MockLlmServerTest, CorruptFrameThenTheRest) {
  auto server = StartServer({MustParse(R"({"name": "c", "turns": [{"messages": [
      {"text": "abcd", "chunks": 4}], "failure": {"kind": "corrupt_frame", "after_chunk": 1}}]})")});
  testing::HttpResult r = Post(server->port(), kChat, ChatRequest("c", "hi", true));
  std::vector<SseFrame> frames = ParseSse(r.body);
  ASSERT_GE(frames.size(), 3u);
  EXPECT_FALSE(JsonParse(frames[1].data, "frame").ok()) << frames[1].data;
  EXPECT_TRUE(JsonParse(frames[0].data, "frame").ok());
  EXPECT_EQ(frames.back().data, "[DONE]");
  EXPECT_TRUE(server->stats().WaitUntilSettled(goose::testing::kTestWait));
  EXPECT_EQ(server->stats().Snapshot().streams_failed, 1);
}

TEST(MockLlmServerTest, AbruptCloseAfterMs) {
  auto server =
      StartServer({MustParse(R"({"name": "t", "turns": [{"time_to_first_chunk_ms": 3600000,
      "messages": [{"chunks": 4}], "failure": {"kind": "abrupt_close", "after_ms": 30}}]})")});
  testing::HttpResult r = Post(server->port(), kChat, ChatRequest("t", "hi", true));
  EXPECT_NE(r.error, httplib::Error::Success);
  EXPECT_TRUE(r.body.empty());
  EXPECT_TRUE(server->stats().WaitUntilSettled(goose::testing::kTestWait));
  EXPECT_EQ(server->stats().Snapshot().streams_failed, 1);
}

TEST(MockLlmServerTest, NonStreamingMidStreamFailures) {
  auto server = StartServer({
      MustParse(
          R"({"name": "err", "turns": [{"messages": [{"chunks": 2}], "failure": {"kind": "error_frame", "after_chunk": 1}}]})"),
      MustParse(
          R"({"name": "corrupt", "turns": [{"messages": [{"chunks": 2}], "failure": {"kind": "corrupt_frame"}}]})"),
      MustParse(
          R"({"name": "abrupt", "turns": [{"messages": [{"chunks": 2}], "failure": {"kind": "abrupt_close", "after_chunk": 1}}]})"),
  });
  EXPECT_EQ(Post(server->port(), kChat, ChatRequest("err", "hi", false)).status, 500);
  testing::HttpResult corrupt = Post(server->port(), kChat, ChatRequest("corrupt", "hi", false));
  EXPECT_EQ(corrupt.status, 200);
  EXPECT_FALSE(JsonParse(corrupt.body, "body").ok());
  testing::HttpResult abrupt = Post(server->port(), kChat, ChatRequest("abrupt", "hi", false));
  EXPECT_NE(abrupt.error, httplib::Error::Success);
  EXPECT_TRUE(server->stats().WaitUntilSettled(goose::testing::kTestWait));
  EXPECT_EQ(server->stats().Snapshot().streams_failed, 3);
}

// --- Consumers that go away -----------------------------------------------

TEST(MockLlmServerTest, ClientDisconnectMidStreamCountsAsCancelled) {
  auto server = StartServer({MustParse(R"({"name": "long", "turns": [{"chunk_delay_ms": 2,
      "messages": [{"chunks": 5000, "chunk_size": 4}]}]})")});
  testing::HttpResult r =
      Post(server->port(), kChat, ChatRequest("long", "hi", true), {}, [](const std::string& body) {
        return ParseSse(body).size() < 3;  // hang up after 3 frames
      });
  EXPECT_EQ(r.error, httplib::Error::Canceled);
  EXPECT_TRUE(server->stats().WaitUntil([](const MockStats& s) { return s.streams_cancelled == 1; },
                                        goose::testing::kTestWait));
  const MockStats s = server->stats().Snapshot();
  EXPECT_EQ(s.streams_completed, 0);
  EXPECT_TRUE(s.Settled());
  EXPECT_LT(s.chunks_consumed, s.chunks_produced);
  EXPECT_GE(s.chunks_consumed, 3);
}

TEST(MockLlmServerTest, ClientDisconnectDuringStallCountsAsCancelled) {
  auto server = StartServer({MustParse(R"({"name": "stall", "turns": [{"messages": [{"chunks": 4}],
      "failure": {"kind": "stall", "after_chunk": 1, "keepalive_ms": 10}}]})")});
  testing::HttpResult r = Post(server->port(), kChat, ChatRequest("stall", "hi", true), {},
                               [](const std::string& body) {
                                 // Hang up once a keep-alive shows the stall began.
                                 return body.find(": keep-alive") == std::string::npos;
                               });
  EXPECT_EQ(r.error, httplib::Error::Canceled);
  bool done = false;
  EXPECT_EQ(DataFrames(r.body, &done).size(), 1u);
  EXPECT_TRUE(server->stats().WaitUntil([](const MockStats& s) { return s.streams_cancelled == 1; },
                                        goose::testing::kTestWait));
  EXPECT_TRUE(server->stats().Snapshot().Settled());
}

TEST(MockLlmServerTest, StopEndsAStallInProgress) {
  auto server = StartServer({MustParse(R"({"name": "stall", "turns": [{"messages": [{"chunks": 2}],
      "failure": {"kind": "stall", "after_chunk": 0, "keepalive_ms": 0}}]})")});
  testing::HttpResult r;
  std::jthread client([&] { r = Post(server->port(), kChat, ChatRequest("stall", "hi", true)); });
  ASSERT_TRUE(server->stats().WaitUntil([](const MockStats& s) { return s.streams_started == 1; },
                                        goose::testing::kTestWait));
  server->Stop();  // must not hang on the silent stall
  client.join();
  EXPECT_NE(r.error, httplib::Error::Success);
  const MockStats s = server->stats().Snapshot();
  EXPECT_EQ(s.streams_cancelled, 1);
  EXPECT_TRUE(s.Settled());
}

// --- Journal, stats, reset ------------------------------------------------

TEST(MockLlmServerTest, JournalRecordsWhatEachRequestCarried) {
  auto server = StartServer({MustParse(kShape)}, /*journal_size=*/2);
  Json req = ChatRequest("shape", "first", true);
  req["tools"] = Json::parse(R"([{"type": "function", "function": {"name": "developer__shell",
      "description": "run", "parameters": {"type": "object"}}}])");
  Post(server->port(), kChat, req, {{"x-mock-script", "shape"}});
  Post(server->port(), kChat, ChatRequest("other-model", "second", false));
  Post(server->port(), kChat, ChatRequest("shape", "third", false));
  const Json journal = GetJson(server->port(), "/mock/requests");
  EXPECT_EQ(journal["capacity"], 2);
  EXPECT_EQ(journal["dropped"], 1);
  ASSERT_EQ(journal["requests"].size(), 2u);
  const Json& second = journal["requests"][0];
  EXPECT_EQ(second["model"], "other-model");
  EXPECT_EQ(second["script"], "default");
  EXPECT_EQ(second["stream"], false);
  EXPECT_EQ(second["turn"], 0);
  EXPECT_EQ(second["protocol"], "openai");
  EXPECT_EQ(second["path"], kChat);
  EXPECT_EQ(second["messages"], Json::parse(R"([{"role": "user", "content": "second"}])"));
  EXPECT_EQ(second["tools"], Json::array());
  EXPECT_LT(second["seq"].get<int>(), journal["requests"][1]["seq"].get<int>());

  auto big = StartServer({MustParse(kShape)});
  Post(big->port(), kChat, req, {{"x-mock-script", "shape"}});
  const std::vector<Json> entries = big->journal().Entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["tools"], req["tools"]);
  EXPECT_EQ(entries[0]["x_mock_script"], "shape");
  EXPECT_EQ(entries[0]["stream"], true);
}

TEST(MockLlmServerTest, StatsEndpointAndReset) {
  auto server = StartServer({MustParse(kShape)});
  Post(server->port(), kChat, ChatRequest("shape", "hi", true));
  ASSERT_TRUE(server->stats().WaitUntilSettled(goose::testing::kTestWait));
  Json stats = GetJson(server->port(), "/mock/stats");
  EXPECT_EQ(stats["streams_started"], 1);
  EXPECT_EQ(stats["streams_completed"], 1);
  EXPECT_EQ(stats["streams_cancelled"], 0);
  EXPECT_EQ(stats["streams_failed"], 0);
  EXPECT_EQ(stats["streams_live"], 0);
  EXPECT_EQ(stats["chunks_produced"], 6);
  EXPECT_EQ(stats["chunks_consumed"], 6);
  EXPECT_EQ(stats["requests"], 1);

  httplib::Client client("127.0.0.1", server->port());
  client.set_tcp_nodelay(true);
  auto reset = client.Post("/mock/reset");
  ASSERT_TRUE(reset);
  EXPECT_EQ(reset->status, 200);
  stats = GetJson(server->port(), "/mock/stats");
  EXPECT_EQ(stats["streams_started"], 0);
  EXPECT_EQ(stats["requests"], 0);
  EXPECT_EQ(GetJson(server->port(), "/mock/requests")["requests"], Json::array());
}

TEST(MockLlmServerTest, ConcurrentConversationsGetTheirOwnAnswers) {
  auto server = StartServer({});
  auto answer = [&](const std::string& prompt) {
    return Json::parse(Post(server->port(), kChat, ChatRequest("x", prompt, false))
                           .body)["choices"][0]["message"]["content"];
  };
  const Json alone_a = answer("conversation A");
  const Json alone_b = answer("conversation B");
  EXPECT_NE(alone_a, alone_b);
  std::vector<Json> results(8);
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < results.size(); ++i) {
      threads.emplace_back(
          [&, i] { results[i] = answer(i % 2 == 0 ? "conversation A" : "conversation B"); });
    }
  }
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i], i % 2 == 0 ? alone_a : alone_b);
  }
}

}  // namespace
}  // namespace goose::mock
