// goose-api as users run it, end to end: tool loops over two extensions,
// and no process left behind by end, remove, reaping, SIGTERM or SIGKILL.

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <set>

#include "integration/goose_api_process.h"

namespace goose {
namespace {

using namespace std::chrono_literals;
using goose::testing::ProgramPath;
using goose::testing::RunningProgram;
using goose::testing::ScopedTempDir;
using goose::testing::StartProgram;
using goose::testing::WaitUntil;

using goose::testing::kKey;
using GooseApiBinaryTest = goose::testing::GooseApiProcessTest;

TEST_F(GooseApiBinaryTest, ToolLoopWithTwoExtensionsOverHttp) {
  AddExtensions();
  const std::string id = StartSessionWithTools();
  auto [status, got] = Post("/session/get", {{"session_id", id}});
  ASSERT_EQ(status, 200);
  const Json& messages = got["messages"];
  ASSERT_EQ(messages.size(), 4u);  // prompt, tool calls, tool responses, answer
  const Json& responses = messages[2]["content"];
  ASSERT_EQ(responses.size(), 3u);
  EXPECT_EQ(responses[0]["toolResult"]["value"][0]["text"], "one");
  EXPECT_EQ(responses[1]["toolResult"]["value"][0]["text"], "two");
  EXPECT_EQ(responses[2]["toolResult"]["status"], "success");
  // What the server offered the model: prefixed tools of both extensions.
  auto journal = httplib::Client("127.0.0.1", llm_.port).Get("/mock/requests");
  ASSERT_TRUE(journal);
  const Json requests = Json::parse(journal->body)["requests"];
  int streamed = 0;
  for (const Json& request : requests) {
    if (request["stream"] != true) continue;  // the description is a one-shot call
    ++streamed;
    std::set<std::string> offered;
    for (const Json& t : request["tools"]) offered.insert(t["function"]["name"].get<std::string>());
    EXPECT_TRUE(offered.count("alpha__echo") && offered.count("beta__echo")) << request.dump();
  }
  EXPECT_EQ(streamed, 2);  // the tool turn and the answer after it
  // Every stream the provider started was drained to its end.
  auto stats = httplib::Client("127.0.0.1", llm_.port).Get("/mock/stats");
  const Json s = Json::parse(stats->body);
  EXPECT_EQ(s["streams_cancelled"], 0) << s.dump();
  EXPECT_EQ(s["chunks_consumed"], s["chunks_produced"]) << s.dump();
}

TEST_F(GooseApiBinaryTest, EndingTheSessionLeavesNoProcess) {
  AddExtensions();
  const std::string id = StartSessionWithTools();
  EXPECT_GE(ServerTree().size(), 5u);  // 2 shims, 2 mock-mcp, 1 grandchild
  ASSERT_EQ(Post("/session/end", {{"session_id", id}}).first, 200);
  EXPECT_TRUE(WaitUntil([&] { return ServerTree().empty(); }, 20s))
      << probe::OrphanWatch::Describe(ServerTree());
  EXPECT_TRUE(Strays().empty()) << probe::OrphanWatch::Describe(Strays());
  auto metrics = client_->Get("/metrics", {{"x-api-key", kKey}});
  const Json m = Json::parse(metrics->body)["resources"];
  EXPECT_EQ(m["child_processes"], 0);
  EXPECT_EQ(m["extensions"], 0);
  EXPECT_EQ(m["zombies"], 0);
}

TEST_F(GooseApiBinaryTest, RemovingAnExtensionStopsItsProcesses) {
  AddExtensions();
  StartSessionWithTools();  // alpha holds the grandchild
  const size_t before = ServerTree().size();
  auto res =
      client_->Post("/extensions/remove", {{"x-api-key", kKey}}, "\"alpha\"", "application/json");
  ASSERT_TRUE(res && res->status == 200);
  // alpha's shim, mock-mcp and grandchild go; beta's shim and mock-mcp stay.
  EXPECT_TRUE(WaitUntil([&] { return ServerTree().size() == 2; }, 20s))
      << before << " before; now:\n"
      << probe::OrphanWatch::Describe(ServerTree());
  EXPECT_TRUE(Strays().size() == 2) << probe::OrphanWatch::Describe(Strays());
}

TEST_F(GooseApiBinaryTest, ReapedSessionLeavesNoProcess) {
  StartServer({{"GOOSE_API_SESSION_TIMEOUT_SECS", "0.5"}});
  AddExtensions();
  StartSessionWithTools();
  // No more requests: the reaper ends the session, its agent stops the tree.
  EXPECT_TRUE(WaitUntil([&] { return ServerTree().empty(); }, 20s))
      << probe::OrphanWatch::Describe(ServerTree());
  EXPECT_TRUE(Strays().empty()) << probe::OrphanWatch::Describe(Strays());
}

TEST_F(GooseApiBinaryTest, SigtermEndsEverythingAndExitsZero) {
  AddExtensions();
  StartSessionWithTools();
  ASSERT_EQ(::kill(api_.process->pid(), SIGTERM), 0);
  std::optional<ExitStatus> exit;
  EXPECT_TRUE(WaitUntil([&] { return (exit = api_.process->TryReap()).has_value(); }, 30s));
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(*exit, (ExitStatus{0, 0})) << exit->ToString() << "\n" << api_.process->StderrTail();
  watch_.ReapZombies({llm_.process->pid()});
  EXPECT_TRUE(WaitUntil([&] { return Strays().empty(); }, 20s))
      << probe::OrphanWatch::Describe(Strays());
  // The session file is whole and holds the reply.
  api_.process.reset();
  StartServer({});
  auto list = client_->Get("/sessions/list", {{"x-api-key", kKey}});
  ASSERT_TRUE(list);
  EXPECT_EQ(Json::parse(list->body)["sessions"][0]["message_count"], 4);
}

TEST_F(GooseApiBinaryTest, SigkillOfTheServerLeavesNoProcess) {
  AddExtensions();
  StartSessionWithTools();
  ASSERT_GE(ServerTree().size(), 5u);
  ASSERT_EQ(::kill(api_.process->pid(), SIGKILL), 0);
  EXPECT_TRUE(WaitUntil([&] { return api_.process->TryReap().has_value(); }, 20s));
  // The shims see their parent die and kill their trees; whatever they
  // orphan comes to us (the subreaper) and must exit by itself.
  EXPECT_TRUE(WaitUntil(
      [&] {
        watch_.ReapZombies({llm_.process->pid()});
        return Strays().empty();
      },
      20s))
      << probe::OrphanWatch::Describe(Strays());
}

}  // namespace
}  // namespace goose
