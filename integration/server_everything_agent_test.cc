// The official MCP reference server (@modelcontextprotocol/server-everything,
// pinned in ci/package.json) as an extension of a real session: the mock
// provider's scripted tool calls reach it through the agent, its answers come
// back as tool responses, and ending the session leaves none of its
// processes (npx -> sh -> node) behind.

#include <gtest/gtest.h>

#include "core/extensions/tests/extension_test_util.h"
#include "harness/test_server.h"
#include "harness/test_util.h"
#include "mock_provider/script.h"

namespace goose {
namespace {

using namespace std::chrono_literals;

TEST(ServerEverythingAgentTest, ScriptedToolCallsReachTheReferenceServer) {
  const std::string ci_dir = std::string(GOOSE_SOURCE_DIR) + "/ci";
  ASSERT_TRUE(std::filesystem::exists(ci_dir + "/node_modules/.bin/mcp-server-everything"))
      << "run ci/install-deps --npm to install the interop packages";
  Result<mock::Script> script = mock::ParseScript(Json::parse(R"({"loop": true, "turns": [
      {"messages": [{"text": "Asking the reference server.", "tool_calls": [
          {"name": "everything__echo", "arguments": {"message": "hello"}, "fragments": 3},
          {"name": "everything__get-sum", "arguments": {"a": 2, "b": 3}}]}]},
      {"messages": [{"text": "It answered."}]}]})"),
                                                  "everything");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  goose::testing::TestServerOptions options;
  options.script = *script;
  options.stdio_extensions = true;
  options.extensions.stdio.spawn.working_dir = ci_dir;  // npx finds the pinned package there
  options.client_timeout = 120s;
  goose::testing::TestServer server(std::move(options));
  ASSERT_TRUE(server.Start().ok());

  auto [added, added_body] =
      server.Post("/extensions/add", Json::parse(R"({"type":"stdio","name":"everything","cmd":"npx",
      "args":["--no-install","mcp-server-everything","stdio"],"timeout":60})"));
  ASSERT_EQ(added, 200) << added_body.dump();

  auto [started, body] = server.Post("/session/start", {{"prompt", "use the reference server"}});
  ASSERT_EQ(started, 200) << body.dump();
  EXPECT_EQ(body["message"], "Asking the reference server.\nIt answered.");
  Result<Session> stored = server.store().Read(body["session_id"].get<std::string>());
  ASSERT_TRUE(stored.ok());
  ASSERT_EQ(stored->messages.size(), 4u);
  const Message& responses = stored->messages[2];
  ASSERT_EQ(responses.content.size(), 2u);
  const auto& echo = std::get<ToolResponseContent>(responses.content[0]);
  ASSERT_TRUE(echo.tool_result.ok()) << echo.tool_result.error;
  EXPECT_EQ(McpContentText(*echo.tool_result.value), "Echo: hello");
  const auto& sum = std::get<ToolResponseContent>(responses.content[1]);
  ASSERT_TRUE(sum.tool_result.ok()) << sum.tool_result.error;
  EXPECT_NE(McpContentText(*sum.tool_result.value).find('5'), std::string::npos);
  EXPECT_FALSE(goose::testing::LiveDescendantsOfSelf().empty());

  ASSERT_EQ(server.Post("/session/end", {{"session_id", body["session_id"]}}).status, 200);
  EXPECT_TRUE(goose::testing::WaitUntil(
      [] { return goose::testing::LiveDescendantsOfSelf().empty(); }, 20s));
  server.Shutdown();
  EXPECT_TRUE(goose::testing::LiveDescendantsOfSelf().empty());
}

}  // namespace
}  // namespace goose
