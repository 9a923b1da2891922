// mcp_fixture.py (the Python stdio MCP server, python/) under McpClient:
// the protocol it answers, its exit on stdin's close (and the switch that
// breaks it), and its byte leak seen in the RSS, with PYTHONMALLOC=malloc as
// leakcheck runs Python.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/extensions/mcp_client.h"
#include "core/extensions/tests/extension_test_util.h"
#include "mock_provider/mcp/tests/mcp_canary_test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<McpClient> StartFixture(std::vector<std::string> flags = {}) {
  std::vector<std::string> argv{"python3", GOOSE_MCP_FIXTURE_PATH};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return testing::StartServer(argv, {{"PYTHONMALLOC", "malloc"}});
}

// RSS growth over `calls` echo calls, after a few to warm the interpreter.
int64_t RssGrowthOverCalls(std::vector<std::string> flags, int calls) {
  auto client = StartFixture(std::move(flags));
  EXPECT_NE(client, nullptr);
  if (client == nullptr) return -1;
  auto echo = [&](int i) {
    auto result = client->CallTool("echo", {{"text", "call " + std::to_string(i)}});
    EXPECT_TRUE(result.ok()) << result.error;
  };
  for (int i = 0; i < 5; ++i) echo(i);
  const int64_t before = testing::HeldBy(client->child().pid()).rss_bytes;
  for (int i = 0; i < calls; ++i) echo(i);
  const int64_t after = testing::HeldBy(client->child().pid()).rss_bytes;
  EXPECT_EQ(client->Stop(10s).ToString(), "exit code 0");
  return after - before;
}

TEST(McpFixtureTest, AnswersTheProtocol) {
  auto client = StartFixture();
  ASSERT_NE(client, nullptr);

  auto tools = client->ListTools();
  ASSERT_TRUE(tools.ok()) << tools.status().ToString();
  ASSERT_EQ(tools->size(), 1u);
  EXPECT_EQ((*tools)[0].name, "echo");

  auto echo = client->CallTool("echo", {{"text", "hello fixture"}});
  ASSERT_TRUE(echo.ok()) << echo.error;
  EXPECT_EQ(McpContentText(*echo.value), "hello fixture");
  EXPECT_FALSE(client->CallTool("echo", Json::object()).ok());  // isError: no text

  auto resources = client->Request("resources/list", Json::object());
  ASSERT_TRUE(resources.ok()) << resources.status().ToString();
  ASSERT_EQ((*resources)["resources"].size(), 1u);
  const std::string uri = (*resources)["resources"][0]["uri"];
  EXPECT_EQ(uri, "fixture://greeting");
  auto read = client->Request("resources/read", {{"uri", uri}});
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ((*read)["contents"][0]["text"], "Hello from mcp_fixture.");

  auto prompts = client->Request("prompts/list", Json::object());
  ASSERT_TRUE(prompts.ok()) << prompts.status().ToString();
  EXPECT_EQ((*prompts)["prompts"][0]["name"], "greet");
  auto prompt =
      client->Request("prompts/get", {{"name", "greet"}, {"arguments", {{"name", "Ann"}}}});
  ASSERT_TRUE(prompt.ok()) << prompt.status().ToString();
  EXPECT_EQ((*prompt)["messages"][0]["content"]["text"], "Please greet Ann.");

  EXPECT_TRUE(client->Request("logging/setLevel", {{"level", "debug"}}).ok());
  EXPECT_TRUE(client->Request("ping", Json::object()).ok());
  auto unknown = client->Request("no/such/method", Json::object());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().ToString().find("-32601"), std::string::npos)
      << unknown.status().ToString();

  EXPECT_EQ(client->Stop(10s).ToString(), "exit code 0");  // exits on stdin's EOF
}

TEST(McpFixtureTest, InitializeEchoesASupportedVersionElseTheLatest) {
  for (const char* asked : {"2024-11-05", "2025-03-26", "2025-06-18", "1999-01-01"}) {
    auto client = StartFixture();
    ASSERT_NE(client, nullptr);
    auto info =
        client->Request("initialize", {{"protocolVersion", asked},
                                       {"capabilities", Json::object()},
                                       {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    const std::string expected = std::string(asked) == "1999-01-01" ? "2025-06-18" : asked;
    EXPECT_EQ((*info)["protocolVersion"], expected);
    for (const char* capability : {"tools", "resources", "prompts", "logging"})
      EXPECT_TRUE((*info)["capabilities"].contains(capability)) << capability;
  }
}

TEST(McpFixtureTest, IgnoreStdinCloseKeepsItRunningUntilSigterm) {
  auto client = StartFixture({"--ignore-stdin-close"});
  ASSERT_NE(client, nullptr);
  auto ref = testing::RefOf(client->child().pid());
  ASSERT_TRUE(ref.has_value());
  client->child().RequestStop();
  EXPECT_FALSE(testing::WaitProcessExit(*ref, 500ms));
  EXPECT_EQ(client->Stop(10s).ToString(), "signal 15 (SIGTERM)");
}

TEST(McpFixtureTest, LeakBytesPerCallGrowsTheRss) {
  constexpr int kEchoCalls = 50;
  const int64_t leaking = RssGrowthOverCalls({"--leak-bytes-per-call", "65536"}, kEchoCalls);
  EXPECT_GE(leaking, 2 << 20);  // 50 x 64 KiB = 3.1 MiB kept
  const int64_t clean = RssGrowthOverCalls({}, kEchoCalls);
  RecordProperty("rss_growth_leaking", std::to_string(leaking));
  RecordProperty("rss_growth_clean", std::to_string(clean));
  EXPECT_GE(clean, -(1 << 20));
  EXPECT_LT(clean, 1 << 20);
}

}  // namespace
}  // namespace goose
