#include "core/extensions/extension_config.h"

#include <gtest/gtest.h>

namespace goose {
namespace {

Result<ExtensionConfig> Parse(const char* text) {
  Result<Json> json = JsonParse(text, "test");
  EXPECT_TRUE(json.ok());
  return ExtensionConfigFromJson(*json);
}

TEST(ExtensionConfigTest, ParsesAStdioConfigAsGooseWritesIt) {
  auto config = Parse(R"({"type":"stdio","name":"Dev Tools","cmd":"npx",
      "args":["-y","@modelcontextprotocol/server-everything"],"envs":{"KEY":"v"},
      "env_keys":["OTHER"],"timeout":30,"description":"d","bundled":null,"session_id":"x"})");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->type, ExtensionType::kStdio);
  EXPECT_EQ(config->name, "Dev Tools");
  EXPECT_EQ(config->cmd, "npx");
  EXPECT_EQ(config->args,
            (std::vector<std::string>{"-y", "@modelcontextprotocol/server-everything"}));
  EXPECT_EQ(config->envs.at("KEY"), "v");
  EXPECT_EQ(config->env_keys, std::vector<std::string>{"OTHER"});
  EXPECT_EQ(config->timeout, std::chrono::seconds(30));
  EXPECT_EQ(config->description, "d");
}

TEST(ExtensionConfigTest, DefaultsAndFractionalTimeout) {
  auto config = Parse(R"({"type":"stdio","name":"a","cmd":"x"})");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->args.empty());
  EXPECT_TRUE(config->envs.empty());
  EXPECT_EQ(config->timeout, kDefaultExtensionTimeout);
  auto quick = Parse(R"({"type":"stdio","name":"a","cmd":"x","timeout":0.25})");
  ASSERT_TRUE(quick.ok());
  EXPECT_EQ(quick->timeout, std::chrono::milliseconds(250));
}

TEST(ExtensionConfigTest, ParsesBuiltin) {
  auto config = Parse(R"({"type":"builtin","name":"developer","display_name":"Developer"})");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->type, ExtensionType::kBuiltin);
  EXPECT_EQ(config->name, "developer");
  EXPECT_TRUE(config->cmd.empty());
}

TEST(ExtensionConfigTest, ErrorsNameTheField) {
  struct Case {
    const char* json;
    const char* message;
  };
  const Case cases[] = {
      {R"([])", "extension config must be a JSON object"},
      {R"({"name":"a","cmd":"x"})", "type is missing (stdio or builtin)"},
      {R"({"type":"sse","name":"a","uri":"http://x"})",
       "type \"sse\" is not supported (stdio or builtin)"},
      {R"({"type":"stdio","cmd":"x"})", "name is missing"},
      {R"({"type":"stdio","name":7,"cmd":"x"})", "name must be a string"},
      {R"({"type":"stdio","name":"!!","cmd":"x"})", ""},  // becomes "__": allowed
      {R"({"type":"stdio","name":"  ","cmd":"x"})",
       "name must hold at least one letter, digit, '_' or '-'"},
      {R"({"type":"stdio","name":"a"})", "cmd is missing"},
      {R"({"type":"stdio","name":"a","cmd":""})", "cmd must be a non-empty string"},
      {R"({"type":"stdio","name":"a","cmd":"x","args":["ok",3]})", "args[1] must be a string"},
      {R"({"type":"stdio","name":"a","cmd":"x","args":"-v"})", "args must be an array of strings"},
      {R"({"type":"stdio","name":"a","cmd":"x","envs":{"HOME":1}})", "envs.HOME must be a string"},
      {R"({"type":"stdio","name":"a","cmd":"x","envs":{"A=B":"1"}})",
       "envs has an invalid variable name \"A=B\""},
      {R"({"type":"stdio","name":"a","cmd":"x","timeout":0})",
       "timeout must be a positive number of seconds (at most 86400)"},
      {R"({"type":"stdio","name":"a","cmd":"x","timeout":-3})",
       "timeout must be a positive number of seconds (at most 86400)"},
      {R"({"type":"stdio","name":"a","cmd":"x","timeout":"10"})",
       "timeout must be a positive number of seconds"},
  };
  for (const Case& c : cases) {
    auto config = Parse(c.json);
    if (std::string(c.message).empty()) {
      EXPECT_TRUE(config.ok()) << c.json;
      continue;
    }
    ASSERT_FALSE(config.ok()) << c.json;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(config.status().message(), c.message) << c.json;
  }
}

TEST(ExtensionConfigTest, KeyFollowsGooseNameToKey) {
  EXPECT_EQ(ExtensionKey("Developer"), "developer");
  EXPECT_EQ(ExtensionKey("My Tools"), "mytools");
  EXPECT_EQ(ExtensionKey("git-hub_2"), "git-hub_2");
  EXPECT_EQ(ExtensionKey("a.b/c"), "a_b_c");
}

TEST(ExtensionConfigTest, RoundTripsThroughJson) {
  auto config =
      Parse(R"({"type":"stdio","name":"a","cmd":"x","args":["1"],"envs":{"K":"v"},"timeout":12})");
  ASSERT_TRUE(config.ok());
  Json json = ExtensionConfigToJson(*config);
  EXPECT_EQ(json["timeout"], 12);
  auto again = ExtensionConfigFromJson(json);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->cmd, "x");
  EXPECT_EQ(again->args, config->args);
  EXPECT_EQ(again->envs, config->envs);
  EXPECT_EQ(again->timeout, config->timeout);
}

}  // namespace
}  // namespace goose
