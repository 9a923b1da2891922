// The whole server (ServerStack) over HTTP on loopback, with the scripted
// mock provider in-process: everything goose-api must do, end to end.

#include <gtest/gtest.h>
#include <httplib.h>

#include <thread>

#include "core/base/resource_ledger.h"
#include "core/base/strings.h"
#include "core/server/server_stack.h"
#include "harness/server_test.h"
#include "harness/test_util.h"
#include "harness/tool_catalog.h"
#include "mock_provider/mock_provider.h"
#include "mock_provider/script.h"

namespace goose {
namespace {

using namespace std::chrono_literals;
using goose::testing::WaitUntil;

mock::Script MustParse(const std::string& json) {
  Result<mock::Script> s = mock::ParseScript(Json::parse(json), "test");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : mock::DefaultScript();
}

class ServerInProcessTest : public goose::testing::ServerTest {
 protected:
  void StartServer(mock::Script script, double ttl_seconds = 3600, size_t max_sessions = 100) {
    goose::testing::TestServerOptions options;
    options.script = std::move(script);
    options.stack.registry.ttl = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(ttl_seconds));
    options.stack.registry.max_sessions = max_sessions;
    ServerTest::StartServer(std::move(options));
  }

  ServerStack& stack() { return server().stack(); }
  mock::MockProvider& provider() { return *server().mock_provider(); }

  Session Stored(const std::string& id) {
    Result<Session> s = server().store().Read(id);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : Session{};
  }

  static std::string AssistantTexts(const std::vector<Message>& messages, size_t from) {
    std::string out;
    for (size_t i = from; i < messages.size(); ++i) {
      if (messages[i].role != Role::kAssistant || messages[i].Text().empty()) continue;
      AppendJoined(&out, "\n", messages[i].Text());
    }
    return out;
  }
};

TEST_F(ServerInProcessTest, MultiMessageReplyIsDrainedWholeAndPersisted) {
  StartServer(mock::DefaultScript());  // three messages of four chunks
  auto [status, body] = Post("/session/start", {{"prompt", "hello"}});
  ASSERT_EQ(status, 200) << body.dump();
  const std::string id = body["session_id"];
  Session s = Stored(id);
  ASSERT_EQ(s.messages.size(), 4u);  // prompt + three assistant messages
  EXPECT_EQ(body["message"], AssistantTexts(s.messages, 1));
  const std::string text = body["message"];
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  const mock::MockStats stats = provider().stats().Snapshot();
  EXPECT_TRUE(stats.Settled());
  EXPECT_EQ(stats.streams_cancelled, 0);
  EXPECT_EQ(stats.chunks_consumed, stats.chunks_produced);
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kLiveStreams), 0);
}

TEST_F(ServerInProcessTest, ToolLoopRunsToolsAndAnswersAfterThem) {
  StartServer(MustParse(R"({"loop": true, "turns": [
      {"messages": [{"text": "Let me look.", "chunks": 2},
                    {"text": "Running.", "tool_calls": [
                       {"name": "developer__shell", "arguments": {"command": "ls"}, "fragments": 3},
                       {"name": "ext__echo", "arguments": {"x": 1}}]}]},
      {"messages": [{"text": "Two files.", "chunks": 3}]}]})"));
  auto [status, body] = Post("/session/start", {{"prompt", "list"}});
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["message"], "Let me look.\nRunning.\nTwo files.");
  EXPECT_EQ(server().in_process_tools()->calls(), 2);
  Session s = Stored(body["session_id"]);
  ASSERT_EQ(s.messages.size(), 5u);  // prompt, 2 assistant, tool responses, answer
  EXPECT_TRUE(s.messages[3].HasToolResponses());
  const auto& r = std::get<ToolResponseContent>(s.messages[3].content[0]);
  EXPECT_EQ(McpContentText(*r.tool_result.value), "ran: ls");
}

TEST_F(ServerInProcessTest, ContextLengthIsSummarizedAndRetried) {
  StartServer(MustParse(R"({"turns": [
      {"messages": [{"text": "first answer"}]},
      {"failure": {"kind": "context_length_exceeded"}, "messages": []}]})"));
  auto [s1, b1] = Post("/session/start", {{"prompt", "one"}});
  ASSERT_EQ(s1, 200) << b1.dump();
  const std::string id = b1["session_id"];
  auto [s2, b2] = Post("/session/reply", {{"session_id", id}, {"prompt", "two"}});
  ASSERT_EQ(s2, 200) << b2.dump();
  EXPECT_EQ(b2["status"], "warning");
  EXPECT_EQ(b2["message"], "first answer");  // the retry on the summary is turn 0 again
  Session s = Stored(id);
  ASSERT_EQ(s.messages.size(), 3u);  // summary, prompt, answer
  EXPECT_NE(s.messages[0].Text().find("Summary of the conversation"), std::string::npos);
}

TEST_F(ServerInProcessTest, DescriptionIsGeneratedAndStored) {
  StartServer(MustParse(R"({"loop": true, "turns": [{"messages": [{"text": "Short title"}]}]})"));
  auto [status, body] = Post("/session/start", {{"prompt", "hi"}});
  ASSERT_EQ(status, 200);
  EXPECT_EQ(Stored(body["session_id"]).metadata.description, "Short title");
  auto [ls, list] = Get("/sessions/list");
  ASSERT_EQ(ls, 200);
  EXPECT_EQ(list["sessions"][0]["description"], "Short title");
}

TEST_F(ServerInProcessTest, IdleSessionsAreReapedWithoutTraffic) {
  const LedgerSnapshot before = ResourceLedger::Global().Snapshot();
  StartServer(mock::DefaultScript(), /*ttl_seconds=*/0.3);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Post("/session/start", {{"prompt", "x"}}).status, 200);
  EXPECT_EQ(stack().registry().size(), 5u);
  // No request from here on: only the reaper can end them.
  EXPECT_TRUE(WaitUntil([&] { return stack().registry().size() == 0; }, 10s));
  // The map empties first; the reaper then destroys the sessions outside its lock.
  EXPECT_TRUE(WaitUntil([&] {
    const LedgerSnapshot now = ResourceLedger::Global().Snapshot();
    return now[Gauge::kAgents] == before[Gauge::kAgents] &&
           now[Gauge::kSessions] == before[Gauge::kSessions] &&
           now[Gauge::kConversationBytes] == before[Gauge::kConversationBytes];
  }));
  auto [ms, metrics] = Get("/metrics");
  EXPECT_EQ(metrics["sessions_reaped"], 5);
}

TEST_F(ServerInProcessTest, CapAnswers503AndFreesWithEnd) {
  StartServer(mock::DefaultScript(), 3600, 2);
  auto a = Post("/session/start", {{"prompt", "a"}});
  ASSERT_EQ(Post("/session/start", {{"prompt", "b"}}).status, 200);
  auto [status, body] = Post("/session/start", {{"prompt", "c"}});
  EXPECT_EQ(status, 503);
  EXPECT_EQ(body["status"], "error");
  ASSERT_EQ(Post("/session/end", {{"session_id", a.body["session_id"]}}).status, 200);
  EXPECT_EQ(Post("/session/start", {{"prompt", "c"}}).status, 200);
}

TEST_F(ServerInProcessTest, SessionsSurviveARestart) {
  StartServer(mock::DefaultScript());
  auto [status, body] = Post("/session/start", {{"prompt", "before restart"}});
  ASSERT_EQ(status, 200);
  const std::string id = body["session_id"];
  ASSERT_TRUE(server().Restart().ok());  // a new server on the same directory
  EXPECT_FALSE(stack().registry().IsLive(id));
  auto [s2, b2] = Post("/session/reply", {{"session_id", id}, {"prompt", "after restart"}});
  ASSERT_EQ(s2, 200) << b2.dump();
  Session s = Stored(id);
  ASSERT_EQ(s.messages.size(), 8u);
  EXPECT_EQ(s.messages[0].Text(), "before restart");
  EXPECT_EQ(s.messages[4].Text(), "after restart");
}

TEST_F(ServerInProcessTest, ConcurrentRepliesToOneSessionLoseNoMessage) {
  StartServer(mock::DefaultScript());
  auto [status, body] = Post("/session/start", {{"prompt", "p"}});
  ASSERT_EQ(status, 200);
  const std::string id = body["session_id"];
  constexpr int kClients = 4, kEach = 5;
  {
    std::vector<std::jthread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        httplib::Client client("127.0.0.1", stack().port());
        client.set_tcp_nodelay(true);
        client.set_read_timeout(60);
        for (int i = 0; i < kEach; ++i) {
          auto res = client.Post("/session/reply", {{"x-api-key", goose::testing::kTestApiKey}},
                                 Json{{"session_id", id},
                                      {"prompt", "c" + std::to_string(c) + "-" + std::to_string(i)}}
                                     .dump(),
                                 "application/json");
          EXPECT_TRUE(res && res->status == 200);
        }
      });
    }
  }
  Session s = Stored(id);
  EXPECT_EQ(s.messages.size(), 4u * (1 + kClients * kEach));
  size_t prompts = 0;
  for (const Message& m : s.messages) prompts += m.role == Role::kUser ? 1 : 0;
  EXPECT_EQ(prompts, 1u + kClients * kEach);
}

TEST_F(ServerInProcessTest, ProviderFailuresAreErrorsAndTheServerKeepsServing) {
  StartServer(MustParse(R"({"turns": [
      {"messages": [{"text": "ok"}]},
      {"messages": [{"chunks": 4}], "failure": {"kind": "error_frame", "after_chunk": 2, "message": "upstream broke"}}]})"));
  auto [s1, b1] = Post("/session/start", {{"prompt", "one"}});
  ASSERT_EQ(s1, 200);
  auto [s2, b2] = Post("/session/reply", {{"session_id", b1["session_id"]}, {"prompt", "two"}});
  EXPECT_EQ(s2, 500);
  EXPECT_NE(b2["message"].get<std::string>().find("upstream broke"), std::string::npos)
      << b2.dump();
  EXPECT_EQ(Stored(b1["session_id"]).messages.size(), 2u);  // nothing of the failed reply kept
  EXPECT_TRUE(provider().stats().Snapshot().Settled());
  EXPECT_EQ(Get("/sessions/list").status, 200);
}

TEST_F(ServerInProcessTest, ShutdownCancelsAStalledReplyAndReturnsTheLedgerToZero) {
  const LedgerSnapshot before = ResourceLedger::Global().Snapshot();
  StartServer(MustParse(
      R"({"turns": [{"messages": [{"chunks": 4}], "failure": {"kind": "stall", "after_chunk": 1}}]})"));
  std::jthread stuck([&] {
    httplib::Client client("127.0.0.1", stack().port());
    client.set_read_timeout(60);
    auto res = client.Post("/session/start", {{"x-api-key", goose::testing::kTestApiKey}},
                           R"({"prompt":"hang"})", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 503);  // cancelled by the shutdown
  });
  ASSERT_TRUE(WaitUntil([&] { return provider().stats().Snapshot().streams_started == 1; }, 10s));
  stack().Shutdown();
  stuck.join();
  mock::MockStats stats = provider().stats().Snapshot();
  server_.reset();
  EXPECT_EQ(stats.streams_cancelled, 1);
  EXPECT_EQ(ResourceLedger::Global().Snapshot().values, before.values);
}

}  // namespace
}  // namespace goose
