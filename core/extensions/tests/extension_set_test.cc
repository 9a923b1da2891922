// ExtensionSet with mock-mcp extensions: prefixed tool names, routing,
// errors, removal, replacement, failures at start, crashes, shutdown.

#include "core/extensions/extension_set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "core/base/resource_ledger.h"
#include "core/extensions/tests/extension_test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;

ExtensionConfig Mock(const std::string& name, std::vector<std::string> flags = {},
                     std::map<std::string, std::string> envs = {}) {
  ExtensionConfig config;
  config.name = name;
  config.cmd = testing::MockMcpPath();
  config.args = std::move(flags);
  config.envs = std::move(envs);
  config.timeout = 30s;
  return config;
}

ExtensionSetOptions Options(std::chrono::milliseconds grace = 5s) {
  ExtensionSetOptions options;
  options.stdio.spawn.stop_grace = grace;
  return options;
}

std::set<std::string> ToolNames(ExtensionSet& set) {
  std::set<std::string> names;
  for (const ToolSpec& spec : *set.Tools()) names.insert(spec.name);
  return names;
}

ToolResult<std::vector<Json>> CallTool(ExtensionSet& set, const std::string& name, Json args) {
  ToolCall call;
  call.name = name;
  call.arguments = std::move(args);
  return set.Call(call);
}

pid_t ServerPid(ExtensionSet& set, const std::string& extension) {
  auto stats = CallTool(set, extension + "__stats", Json::object());
  EXPECT_TRUE(stats.ok()) << stats.error;
  return stats.ok() ? Json::parse(McpContentText(*stats.value))["pid"].get<pid_t>() : -1;
}

int64_t Extensions() { return ResourceLedger::Global().Get(Gauge::kExtensions); }
TEST(ExtensionSetTest, OffersPrefixedToolsAndRoutesCalls) {
  const int64_t before = Extensions();
  ExtensionSet set(Options());
  ASSERT_TRUE(set.Add(Mock("Alpha", {}, {{"MOCK_ID", "a"}})).ok());
  ASSERT_TRUE(set.Add(Mock("beta", {"--page-size", "3"}, {{"MOCK_ID", "b"}})).ok());
  EXPECT_EQ(Extensions(), before + 2);
  EXPECT_EQ(set.Names(), (std::vector<std::string>{"Alpha", "beta"}));

  std::set<std::string> names = ToolNames(set);
  EXPECT_EQ(names.size(), 32u);  // mock-mcp offers 16 tools
  EXPECT_TRUE(names.count("alpha__echo"));
  EXPECT_TRUE(names.count("beta__spawn_grandchild"));
  for (const ToolSpec& spec : *set.Tools()) {
    EXPECT_EQ(spec.input_schema["type"], "object") << spec.name;
  }

  EXPECT_EQ(testing::ResultText(CallTool(set, "alpha__getenv", {{"name", "MOCK_ID"}})), "a");
  EXPECT_EQ(testing::ResultText(CallTool(set, "beta__getenv", {{"name", "MOCK_ID"}})), "b");
  EXPECT_EQ(testing::ResultText(CallTool(set, "beta__echo", {{"text", "routed"}})), "routed");
}

TEST(ExtensionSetTest, UnknownToolsAreErrorResults) {
  ExtensionSet set(Options());
  ASSERT_TRUE(set.Add(Mock("alpha")).ok());
  auto no_extension = CallTool(set, "gamma__echo", Json::object());
  ASSERT_FALSE(no_extension.ok());
  EXPECT_EQ(no_extension.error, "Tool gamma__echo not found: no extension offers it");
  auto no_prefix = CallTool(set, "echo", Json::object());
  ASSERT_FALSE(no_prefix.ok());
  auto no_tool = CallTool(set, "alpha__nope", Json::object());
  ASSERT_FALSE(no_tool.ok());
  EXPECT_EQ(no_tool.error,
            "extension alpha answered tools/call with error -32602: Unknown tool: nope");
  auto tool_error = CallTool(set, "alpha__fail", {{"message", "as asked"}});
  ASSERT_FALSE(tool_error.ok());
  EXPECT_EQ(tool_error.error, "as asked");
}

TEST(ExtensionSetTest, RemoveStopsTheExtension) {
  const int64_t before = Extensions();
  ExtensionSet set(Options());
  ASSERT_TRUE(set.Add(Mock("alpha")).ok());
  ASSERT_TRUE(set.Add(Mock("beta")).ok());
  EXPECT_EQ(ToolNames(set).size(), 32u);  // listed before the removal, too
  auto server = testing::RefOf(ServerPid(set, "alpha"));
  ASSERT_TRUE(server.has_value());
  ASSERT_TRUE(set.Remove("alpha").ok());
  EXPECT_TRUE(testing::WaitProcessExit(*server));
  EXPECT_EQ(set.Names(), std::vector<std::string>{"beta"});
  for (const std::string& name : ToolNames(set)) EXPECT_EQ(name.rfind("beta__", 0), 0u) << name;
  auto gone = CallTool(set, "alpha__echo", {{"text", "x"}});
  EXPECT_FALSE(gone.ok());
  Status again = set.Remove("alpha");
  EXPECT_EQ(again.code(), StatusCode::kNotFound);
  EXPECT_EQ(again.message(), "no extension named alpha");
  EXPECT_EQ(Extensions(), before + 1);
}

TEST(ExtensionSetTest, AddingTheSameNameReplacesTheOldOne) {
  ExtensionSet set(Options());
  ASSERT_TRUE(set.Add(Mock("alpha", {}, {{"MOCK_ID", "old"}})).ok());
  auto old_server = testing::RefOf(ServerPid(set, "alpha"));
  ASSERT_TRUE(old_server.has_value());
  ASSERT_TRUE(set.Add(Mock("alpha", {}, {{"MOCK_ID", "new"}})).ok());
  EXPECT_TRUE(testing::WaitProcessExit(*old_server));
  EXPECT_EQ(set.Names(), std::vector<std::string>{"alpha"});
  EXPECT_EQ(testing::ResultText(CallTool(set, "alpha__getenv", {{"name", "MOCK_ID"}})), "new");
}

TEST(ExtensionSetTest, FailureToStartNamesTheCause) {
  const int64_t children = testing::LedgerChildren();
  const int64_t extensions = Extensions();
  ExtensionSet set(Options());
  ExtensionConfig missing = Mock("ghost");
  missing.cmd = "no-such-goose-command";
  Status not_found = set.Add(missing);
  EXPECT_EQ(not_found.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(not_found.message(),
            "extension ghost failed to start: cannot run no-such-goose-command: No such file or "
            "directory");

  Status exited = set.Add(Mock("quitter", {"--exit-on-initialize", "3"}));
  EXPECT_EQ(exited.code(), StatusCode::kUnavailable);
  EXPECT_EQ(exited.message(),
            "extension quitter failed to initialize: extension quitter exited (exit code 3); "
            "stderr: mock-mcp: fatal: told to exit on initialize (--exit-on-initialize)");

  ExtensionConfig silent = Mock("silent", {"--ignore-initialize"});
  silent.timeout = 500ms;
  Status timed_out = set.Add(silent);
  EXPECT_EQ(timed_out.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(timed_out.message(),
            "extension silent failed to initialize: extension silent did not answer initialize "
            "within 500 ms");

  EXPECT_TRUE(set.Names().empty());
  EXPECT_EQ(testing::LedgerChildren(), children);
  EXPECT_EQ(Extensions(), extensions);
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
}

TEST(ExtensionSetTest, CrashedExtensionIsReportedNotHung) {
  ExtensionSet set(Options());
  ASSERT_TRUE(set.Add(Mock("alpha")).ok());
  ASSERT_TRUE(set.Add(Mock("beta")).ok());
  EXPECT_EQ(ToolNames(set).size(), 32u);  // listed before the crash, too
  auto crash = CallTool(set, "alpha__crash", Json::object());
  ASSERT_FALSE(crash.ok());
  EXPECT_EQ(crash.error, "extension alpha exited (signal 9 (SIGKILL))");
  auto later = CallTool(set, "alpha__echo", {{"text", "x"}});
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error,
            "Tool alpha__echo is unavailable: extension alpha exited (signal 9 (SIGKILL))");
  for (const std::string& name : ToolNames(set)) EXPECT_EQ(name.rfind("beta__", 0), 0u) << name;
  auto list = set.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_FALSE(list[0].health.ok());
  EXPECT_TRUE(list[1].health.ok());
  EXPECT_EQ(testing::ResultText(CallTool(set, "beta__echo", {{"text", "fine"}})), "fine");
}

TEST(ExtensionSetTest, ToolListFollowsTheServersChanges) {
  ExtensionSet set(Options());
  ASSERT_TRUE(set.Add(Mock("alpha")).ok());
  EXPECT_FALSE(ToolNames(set).count("alpha__extra"));
  EXPECT_EQ(testing::ResultText(CallTool(set, "alpha__change_tools", Json::object())),
            "tool extra added");
  EXPECT_TRUE(ToolNames(set).count("alpha__extra"));
  EXPECT_EQ(testing::ResultText(CallTool(set, "alpha__extra", Json::object())), "extra");
}

// Every reply asks for the tool list: an unchanged one is handed out again,
// not rebuilt, and any change (an extension added, changing its tools,
// crashing, removed) gives a new list with the change in it.
TEST(ExtensionSetTest, ToolListIsSharedUntilSomethingChanges) {
  ExtensionSet set(Options());
  ASSERT_TRUE(set.Add(Mock("alpha")).ok());
  const ToolList one = set.Tools();
  ASSERT_NE(one, nullptr);
  EXPECT_EQ(one->size(), 16u);
  EXPECT_EQ(set.Tools(), one);

  ASSERT_TRUE(set.Add(Mock("beta")).ok());
  const ToolList two = set.Tools();
  EXPECT_NE(two, one);
  EXPECT_EQ(two->size(), 32u);
  EXPECT_EQ(set.Tools(), two);

  EXPECT_EQ(testing::ResultText(CallTool(set, "beta__change_tools", Json::object())),
            "tool extra added");
  const ToolList changed = set.Tools();
  EXPECT_NE(changed, two);
  EXPECT_EQ(changed->size(), 33u);
  EXPECT_EQ(set.Tools(), changed);

  EXPECT_FALSE(CallTool(set, "alpha__crash", Json::object()).ok());
  const ToolList crashed = set.Tools();
  EXPECT_NE(crashed, changed);
  EXPECT_EQ(crashed->size(), 17u);
  for (const ToolSpec& spec : *crashed) EXPECT_EQ(spec.name.rfind("beta__", 0), 0u) << spec.name;

  ASSERT_TRUE(set.Remove("beta").ok());
  EXPECT_TRUE(set.Tools()->empty());
  EXPECT_EQ(changed->size(), 33u);  // a list handed out earlier stays as it was
}

TEST(ExtensionSetTest, BuiltinsResolveThroughTheServersMapping) {
  ExtensionConfig builtin;
  builtin.type = ExtensionType::kBuiltin;
  builtin.name = "developer";
  {
    ExtensionSet without(Options());
    Status refused = without.Add(builtin);
    EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(refused.message(), "builtin extension developer is not available");
  }
  ExtensionSetOptions options = Options();
  options.resolve_builtin = [](const ExtensionConfig& config) -> Result<ExtensionConfig> {
    ExtensionConfig resolved = Mock(config.name);
    return resolved;
  };
  ExtensionSet set(options);
  ASSERT_TRUE(set.Add(builtin).ok());
  EXPECT_TRUE(ToolNames(set).count("developer__echo"));
}

// Several stubborn extensions (ignore EOF and SIGTERM) are all gone after
// the set is destroyed, grandchildren included.
TEST(ExtensionSetTest, DestructionStopsEveryExtension) {
  const int64_t children = testing::LedgerChildren();
  const int64_t extensions = Extensions();
  std::vector<ProcessRef> processes;
  {
    ExtensionSet set(Options(300ms));
    for (const char* name : {"one", "two", "three"}) {
      ASSERT_TRUE(set.Add(Mock(name, {"--ignore-sigterm", "--linger"})).ok());
      auto spawned =
          CallTool(set, std::string(name) + "__spawn_grandchild", {{"new_session", true}});
      ASSERT_TRUE(spawned.ok()) << spawned.error;
      auto grandchild = testing::RefOf(std::stoi(McpContentText(*spawned.value).substr(4)));
      ASSERT_TRUE(grandchild.has_value());
      processes.push_back(*grandchild);
      auto server = testing::RefOf(ServerPid(set, name));
      ASSERT_TRUE(server.has_value());
      processes.push_back(*server);
    }
    EXPECT_EQ(Extensions(), extensions + 3);
  }
  for (const ProcessRef& ref : processes) EXPECT_TRUE(testing::WaitProcessExit(ref)) << ref.pid;
  EXPECT_EQ(testing::LedgerChildren(), children);
  EXPECT_EQ(Extensions(), extensions);
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
  EXPECT_TRUE(testing::ZombieChildrenOfSelf().empty());
}

TEST(ExtensionSetTest, StopAllEndsABlockedCall) {
  ExtensionSet set(Options());
  ExtensionConfig config = Mock("alpha");
  config.timeout = std::chrono::minutes(10);
  ASSERT_TRUE(set.Add(config).ok());
  ToolResult<std::vector<Json>> result;
  std::thread caller([&] { result = CallTool(set, "alpha__hang", Json::object()); });
  set.StopAll();
  caller.join();
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(set.Names().empty());
}

}  // namespace
}  // namespace goose

namespace goose {
namespace {

TEST(ExtensionSetTest, AddAllStartsEveryOneOrNone) {
  const int64_t children = testing::LedgerChildren();
  ExtensionSet set(Options());
  ASSERT_TRUE(set.AddAll({Mock("one"), Mock("two"), Mock("three")}).ok());
  EXPECT_EQ(set.Names(), (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_EQ(ToolNames(set).size(), 48u);  // 16 tools each

  ExtensionSet other(Options());
  Status failed = other.AddAll({Mock("fine"), Mock("quitter", {"--exit-on-initialize", "4"})});
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.message().find("exit code 4"), std::string::npos) << failed.message();
  EXPECT_TRUE(other.Names().empty());
  EXPECT_EQ(testing::LedgerChildren(), children + 3);
}

}  // namespace
}  // namespace goose
