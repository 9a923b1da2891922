// StdioExtensionCatalog: the server's extension list and the per-session
// sets made from it.

#include "core/extensions/stdio_extension_catalog.h"

#include <gtest/gtest.h>

#include <set>

#include "core/base/resource_ledger.h"
#include "core/extensions/tests/extension_test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;

Json MockConfig(const std::string& name, std::vector<std::string> args = {}) {
  return {{"type", "stdio"},
          {"name", name},
          {"cmd", testing::MockMcpPath()},
          {"args", args},
          {"envs", {{"MOCK_ID", name}}},
          {"timeout", 30}};
}

std::string CallText(ToolSet& tools, const std::string& name, Json args) {
  ToolCall call;
  call.name = name;
  call.arguments = std::move(args);
  auto result = tools.Call(call);
  return result.ok() ? McpContentText(*result.value) : "error: " + result.error;
}

TEST(StdioExtensionCatalogTest, AddTestStartsAndLeavesNothingRunning) {
  const int64_t children = testing::LedgerChildren();
  StdioExtensionCatalog catalog;
  ASSERT_TRUE(catalog.Add(MockConfig("alpha")).ok());
  EXPECT_EQ(catalog.Names(), std::vector<std::string>{"alpha"});
  EXPECT_EQ(testing::LedgerChildren(), children);
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
}

TEST(StdioExtensionCatalogTest, AddRefusesWhatCannotRun) {
  StdioExtensionCatalog catalog;
  Status bad_json = catalog.Add(Json{{"type", "stdio"}, {"name", "x"}});
  EXPECT_EQ(bad_json.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad_json.message(), "cmd is missing");

  Json missing = MockConfig("ghost");
  missing["cmd"] = "no-such-goose-command";
  EXPECT_EQ(catalog.Add(missing).message(),
            "extension ghost failed to start: cannot run no-such-goose-command: No such file or "
            "directory");

  Status quitter = catalog.Add(MockConfig("quitter", {"--exit-on-initialize", "5"}));
  EXPECT_NE(quitter.message().find("exit code 5"), std::string::npos) << quitter.message();
  EXPECT_NE(quitter.message().find("told to exit on initialize"), std::string::npos);

  Status builtin = catalog.Add(Json{{"type", "builtin"}, {"name", "developer"}});
  EXPECT_EQ(builtin.message(), "builtin extension developer is not available");
  EXPECT_TRUE(catalog.Names().empty());
}

TEST(StdioExtensionCatalogTest, EachSessionGetsItsOwnProcesses) {
  const int64_t children = testing::LedgerChildren();
  StdioExtensionCatalog catalog;
  ASSERT_TRUE(catalog.Add(MockConfig("alpha")).ok());
  ASSERT_TRUE(catalog.Add(MockConfig("beta")).ok());
  auto first = catalog.MakeToolSet("s1");
  auto second = catalog.MakeToolSet("s2");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(testing::LedgerChildren(), children + 4);
  std::set<std::string> names;
  for (const ToolSpec& t : *(*first)->Tools()) names.insert(t.name);
  EXPECT_TRUE(names.count("alpha__echo"));
  EXPECT_TRUE(names.count("beta__echo"));
  EXPECT_EQ(CallText(**first, "beta__getenv", {{"name", "MOCK_ID"}}), "beta");
  const std::string pid1 = CallText(**first, "alpha__stats", Json::object());
  const std::string pid2 = CallText(**second, "alpha__stats", Json::object());
  EXPECT_NE(Json::parse(pid1)["pid"], Json::parse(pid2)["pid"]);

  first->reset();  // the session ends
  EXPECT_EQ(testing::LedgerChildren(), children + 2);
  second->reset();
  EXPECT_EQ(testing::LedgerChildren(), children);
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
}

TEST(StdioExtensionCatalogTest, RemoveAndReplace) {
  StdioExtensionCatalog catalog;
  ASSERT_TRUE(catalog.Add(MockConfig("alpha")).ok());
  Json replacement = MockConfig("Alpha");
  replacement["envs"]["MOCK_ID"] = "replaced";
  ASSERT_TRUE(catalog.Add(replacement).ok());
  EXPECT_EQ(catalog.Names(), std::vector<std::string>{"Alpha"});
  auto tools = catalog.MakeToolSet("s");
  ASSERT_TRUE(tools.ok());
  EXPECT_EQ(CallText(**tools, "alpha__getenv", {{"name", "MOCK_ID"}}), "replaced");
  EXPECT_TRUE(catalog.Remove("alpha").ok());
  EXPECT_EQ(catalog.Remove("alpha").code(), StatusCode::kNotFound);
  EXPECT_TRUE(catalog.Names().empty());
  auto empty = catalog.MakeToolSet("t");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE((*empty)->Tools()->empty());
}

TEST(StdioExtensionCatalogTest, RemoveStopsTheExtensionInLiveSessions) {
  const int64_t children = testing::LedgerChildren();
  StdioExtensionCatalog catalog;
  ASSERT_TRUE(catalog.Add(MockConfig("alpha")).ok());
  ASSERT_TRUE(catalog.Add(MockConfig("beta")).ok());
  auto live = catalog.MakeToolSet("live");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(testing::LedgerChildren(), children + 2);
  ASSERT_TRUE(catalog.Remove("alpha").ok());
  EXPECT_EQ(testing::LedgerChildren(), children + 1);  // the live session's alpha stopped at once
  EXPECT_NE(CallText(**live, "alpha__echo", {{"text", "x"}}).find("error"), std::string::npos);
  EXPECT_EQ(CallText(**live, "beta__echo", {{"text", "x"}}), "x");
  live->reset();
  EXPECT_EQ(testing::LedgerChildren(), children);
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
  ASSERT_TRUE(catalog.Remove("beta").ok());  // no live set left to reach: fine
}

}  // namespace
}  // namespace goose
