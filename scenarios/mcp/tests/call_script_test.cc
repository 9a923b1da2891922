// Call scripts: parsing, the per-iteration counter, the default script.

#include "scenarios/mcp/call_script.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace goose::scenarios {
namespace {

using ::testing::HasSubstr;

Json Parse(std::string_view text) {
  Result<Json> json = JsonParse(text, "test");
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return json.ok() ? *json : Json();
}

TEST(CallScript, ParsesRequestsAndTheirParams) {
  const Json script = Parse(R"({"requests": [
      {"method": "tools/call", "params": {"name": "echo", "arguments": {"message": "hi"}}},
      {"method": "ping"}]})");
  Result<CallScript> parsed = ParseCallScript(script, "s.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ASSERT_EQ(parsed->calls.size(), 2u);
  EXPECT_EQ(parsed->calls[0].method, "tools/call");
  EXPECT_EQ(parsed->calls[0].params["arguments"]["message"], "hi");
  EXPECT_EQ(parsed->calls[1].method, "ping");
  EXPECT_TRUE(parsed->calls[1].params.is_object());
}

TEST(CallScript, RefusesWhatIsNotARequestList) {
  for (const char* text : {R"([])", R"({"requests": []})", R"({"requests": [{"params": {}}]})",
                           R"({"requests": [{"method": "ping", "params": [1]}]})",
                           R"({"requests": [{"method": "initialize"}]})",
                           R"({"requests": [{"method": "notifications/cancelled"}]})"}) {
    Result<CallScript> parsed = ParseCallScript(Parse(text), "bad.json");
    EXPECT_FALSE(parsed.ok()) << text;
    if (!parsed.ok()) EXPECT_THAT(parsed.status().message(), HasSubstr("bad.json")) << text;
  }
}

TEST(CallScript, TheCounterMakesValuesUnique) {
  const Json params = Parse(
      R"({"name": "k-{{i}}", "list": ["{{i}}", "{{i%3}}", 7], "n": 5,
                              "left": "{{x}} and {{i", "bad": "{{i%0}}"})");
  const Json at = Instantiate(params, 7);
  EXPECT_EQ(at["name"], "k-7");
  EXPECT_EQ(at["list"][0], "7");
  EXPECT_EQ(at["list"][1], "1");
  EXPECT_EQ(at["list"][2], 7);
  EXPECT_EQ(at["n"], 5);
  EXPECT_EQ(at["left"], "{{x}} and {{i");  // not a counter: left as written
  EXPECT_EQ(at["bad"], "{{i%0}}");
}

TEST(CallScript, TheDefaultScriptCallsWhatTheServerAnnounces) {
  McpServerInfo server;
  server.capabilities = {{"tools", Json::object()}, {"prompts", Json::object()}};
  McpTool free_tool{"now", "", {{"type", "object"}, {"properties", Json::object()}}};
  McpTool needs_args{
      "add",
      "",
      {{"type", "object"}, {"properties", {{"a", {{"type", "number"}}}}}, {"required", {"a"}}}};
  const CallScript script = DefaultCallScript(server, {free_tool, needs_args});
  std::vector<std::string> methods;
  for (const McpCall& c : script.calls) methods.push_back(c.method);
  EXPECT_THAT(methods, ::testing::ElementsAre("tools/list", "prompts/list", "ping", "tools/call"));
  EXPECT_EQ(script.calls.back().params["name"], "now");
}

}  // namespace
}  // namespace goose::scenarios
