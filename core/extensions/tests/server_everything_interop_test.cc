// The MCP client against the official reference server,
// @modelcontextprotocol/server-everything (pinned in ci/package.json,
// installed by ci/install-deps --npm), started the way goose users start
// it: through npx, which makes a tree (npm -> sh -> node). After Stop()
// no process of that tree may remain.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "core/base/resource_ledger.h"
#include "core/extensions/extension_set.h"
#include "core/extensions/mcp_client.h"
#include "core/extensions/tests/extension_test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;

std::string CiDir() { return testing::SourceDir() + "/ci"; }
std::string ServerScript() { return CiDir() + "/node_modules/.bin/mcp-server-everything"; }

class ServerEverythingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    struct stat st;
    ASSERT_EQ(::stat(ServerScript().c_str(), &st), 0)
        << ServerScript() << " is missing: run ci/install-deps --npm";
  }
};

// The sum tool is "get-sum" in current releases, "add" in older ones.
std::string SumTool(const std::vector<McpTool>& tools) {
  for (const McpTool& t : tools) {
    if (t.name == "get-sum" || t.name == "add") return t.name;
  }
  return "";
}

void ExerciseServer(McpClient& client) {
  auto info = client.Initialize();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->protocol_version, "2025-06-18");
  EXPECT_TRUE(info->server_info.contains("name"));

  auto tools = client.ListTools();
  ASSERT_TRUE(tools.ok()) << tools.status().ToString();
  EXPECT_TRUE(
      std::any_of(tools->begin(), tools->end(), [](const McpTool& t) { return t.name == "echo"; }));
  const std::string sum = SumTool(*tools);
  ASSERT_FALSE(sum.empty()) << "no add/get-sum tool";

  auto echo = client.CallTool("echo", {{"message", "hello from goose"}});
  ASSERT_TRUE(echo.ok()) << echo.error;
  EXPECT_EQ(McpContentText(*echo.value), "Echo: hello from goose");

  auto added = client.CallTool(sum, {{"a", 2}, {"b", 3}});
  ASSERT_TRUE(added.ok()) << added.error;
  EXPECT_NE(McpContentText(*added.value).find('5'), std::string::npos)
      << McpContentText(*added.value);

  auto bad = client.CallTool(sum, {{"a", "two"}});  // schema violation: an error, not a hang
  EXPECT_FALSE(bad.ok());
  EXPECT_TRUE(client.health().ok());
}

TEST_F(ServerEverythingTest, ThroughNpxAndTheWholeTreeIsGoneAfterStop) {
  const int64_t children = ResourceLedger::Global().Get(Gauge::kChildProcesses);
  SpawnOptions spawn;
  spawn.working_dir = CiDir();  // where the pinned package is installed
  auto child =
      ChildProcess::Spawn({"npx", "--no-install", "mcp-server-everything", "stdio"}, {}, spawn);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  const pid_t root = (*child)->pid();
  McpClientOptions options;
  options.name = "everything";
  options.timeout = 60s;
  McpClient client(std::move(*child), options);
  ExerciseServer(client);

  std::vector<ProcStat> tree = Descendants(root);
  EXPECT_GE(tree.size(), 2u);  // npm exec ... -> (sh ->) node
  std::vector<ProcessRef> refs;
  for (const ProcStat& st : tree) refs.push_back({st.pid, st.start_time});

  client.Stop(5s);
  for (const ProcessRef& ref : refs) EXPECT_FALSE(IsRunning(ref)) << "pid " << ref.pid;
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kChildProcesses), children);
}

TEST_F(ServerEverythingTest, ThroughNodeDirectly) {
  SpawnOptions spawn;
  spawn.supervision = Supervision::kDirect;
  auto child = ChildProcess::Spawn({"node", ServerScript(), "stdio"}, {}, spawn);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  auto node = testing::RefOf((*child)->pid());
  ASSERT_TRUE(node.has_value());
  McpClientOptions options;
  options.timeout = 60s;
  McpClient client(std::move(*child), options);
  ExerciseServer(client);
  client.Stop(5s);
  EXPECT_FALSE(IsRunning(*node));
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
}

TEST_F(ServerEverythingTest, AsAnExtensionOfASet) {
  Result<Json> body = JsonParse(R"({"type":"stdio","name":"everything","cmd":"npx",
      "args":["--no-install","mcp-server-everything","stdio"],"envs":{},"timeout":60})",
                                "config");
  ASSERT_TRUE(body.ok());
  auto config = ExtensionConfigFromJson(*body);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ExtensionSetOptions options;
  options.stdio.spawn.working_dir = CiDir();
  {
    ExtensionSet set(options);
    Status added = set.Add(*config);
    ASSERT_TRUE(added.ok()) << added.ToString();
    const ToolList tools = set.Tools();
    EXPECT_TRUE(std::any_of(tools->begin(), tools->end(),
                            [](const ToolSpec& t) { return t.name == "everything__echo"; }));
    ToolCall call;
    call.name = "everything__echo";
    call.arguments = {{"message", "via the set"}};
    auto echo = set.Call(call);
    ASSERT_TRUE(echo.ok()) << echo.error;
    EXPECT_EQ(McpContentText(*echo.value), "Echo: via the set");
  }
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
}

}  // namespace
}  // namespace goose
