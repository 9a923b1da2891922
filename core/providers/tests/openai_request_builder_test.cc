#include "core/providers/openai_request_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/providers/openai_request_writer.h"

namespace goose {
namespace {

Json ReadGolden(const std::string& name) {
  std::ifstream in(std::filesystem::path(GOOSE_PROVIDERS_TESTDATA_DIR) / name);
  std::ostringstream text;
  text << in.rdbuf();
  Result<Json> json = JsonParse(text.str(), name);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  return json.ok() ? *json : Json();
}

Message Make(Role role, std::vector<Content> content) {
  Message m;
  m.role = role;
  m.created = 1700000000;
  m.content = std::move(content);
  return m;
}

ToolRequestContent GoodRequest(std::string id, std::string name, Json arguments) {
  ToolRequestContent r;
  r.id = std::move(id);
  r.tool_call = ToolResult<ToolCall>::Success(ToolCall{std::move(name), std::move(arguments)});
  return r;
}

// A conversation with every content type goose has, and two tools.
ProviderRequest EveryContentType() {
  ProviderRequest request;
  request.system = "You are a helpful agent.";
  request.conversation.push_back(Make(Role::kUser, {TextContent{"List the files."}}));
  request.conversation.push_back(
      Make(Role::kUser, {TextContent{"What is in this picture?"},
                         ImageContent{"aGVsbG8=", "image/png"}, TextContent{""}}));
  ToolRequestContent failed;
  failed.id = "call_bad";
  failed.tool_call = ToolResult<ToolCall>::Failure(
      "Invalid parameters: Could not interpret tool use parameters for id call_bad: x");
  request.conversation.push_back(Make(
      Role::kAssistant, {ThinkingContent{"I should run ls.", "sig"},
                         RedactedThinkingContent{"opaque"}, TextContent{"Running ls."},
                         GoodRequest("call_1", "developer__shell", Json{{"command", "ls -la"}}),
                         GoodRequest("call_2", "odd.name/tool", Json::object()), failed}));
  ToolResponseContent ok;
  ok.id = "call_1";
  ok.tool_result = ToolResult<std::vector<Json>>::Success(
      {Json{{"type", "text"}, {"text", "a.txt"}},
       Json{{"type", "image"}, {"data", "cG5n"}, {"mimeType", "image/jpeg"}},
       Json{{"type", "resource"},
            {"resource", {{"uri", "file:///b.txt"}, {"text", "contents of b"}}}}});
  ToolResponseContent err;
  err.id = "call_2";
  err.tool_result = ToolResult<std::vector<Json>>::Failure("Execution failed: no such tool");
  request.conversation.push_back(Make(Role::kUser, {ok, err}));
  request.conversation.push_back(
      Make(Role::kAssistant,
           {TextContent{"Done: a.txt and b.txt."}, ContextLengthExceededContent{"too long"},
            SummarizationRequestedContent{"summarize"},
            UnknownContent{Json{{"type", "futureThing"}, {"x", 1}}}}));
  // Nothing left to send: skipped.
  request.conversation.push_back(Make(Role::kUser, {ThinkingContent{"hidden", ""}}));

  std::vector<ToolSpec> tools;
  tools.push_back(ToolSpec{"developer__shell", "Run a shell command",
                           Json{{"type", "object"},
                                {"properties", {{"command", {{"type", "string"}}}}},
                                {"required", Json::array({"command"})}}});
  tools.push_back(ToolSpec{"memory__remember", "Remember a fact", {}});
  tools.back().input_schema = Json{{"type", "object"}, {"properties", Json::object()}};
  request.tools = MakeToolList(std::move(tools));
  return request;
}

TEST(OpenAIRequestBuilderTest, MatchesTheGoldenRequest) {
  Json actual = BuildChatCompletionsRequest(EveryContentType(), "gpt-4o", /*stream=*/true);
  Json golden = ReadGolden("openai_request_golden.json");
  EXPECT_EQ(actual, golden) << "actual:\n" << actual.dump(2) << "\nexpected:\n" << golden.dump(2);
}

TEST(OpenAIRequestBuilderTest, NonStreamingHasNoStreamFields) {
  Json body = BuildChatCompletionsRequest(EveryContentType(), "m", /*stream=*/false);
  EXPECT_FALSE(body.contains("stream"));
  EXPECT_FALSE(body.contains("stream_options"));
  EXPECT_EQ(body["model"], "m");
}

TEST(OpenAIRequestBuilderTest, NoSystemPromptAndNoToolsLeaveThemOut) {
  ProviderRequest request;
  request.conversation.push_back(Message::User("hi"));
  Json body = BuildChatCompletionsRequest(request, "m", /*stream=*/true);
  EXPECT_FALSE(body.contains("tools"));
  EXPECT_EQ(body["messages"], (Json::array({{{"role", "user"}, {"content", "hi"}}})));
}

TEST(OpenAIRequestBuilderTest, ArgumentsAreSentAsJsonText) {
  ProviderRequest request;
  request.conversation.push_back(
      Make(Role::kAssistant, {GoodRequest("c", "t__x", Json{{"s", "\xC3\xA9"}, {"n", 1}})}));
  Json messages = BuildChatMessages(request);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0]["content"].is_null());
  const Json& arguments = messages[0]["tool_calls"][0]["function"]["arguments"];
  ASSERT_TRUE(arguments.is_string());
  EXPECT_EQ(Json::parse(arguments.get<std::string>()), (Json{{"s", "\xC3\xA9"}, {"n", 1}}));
}

}  // namespace
}  // namespace goose

namespace goose {
namespace {

// The writer's text, and the builder's document dumped: the same bytes.
void ExpectWriterMatchesBuilder(const ProviderRequest& request, const std::string& what) {
  for (bool stream : {true, false}) {
    ByteQueue written;
    WriteChatCompletionsRequest(request, "gpt-test \"model\"", stream, &written);
    EXPECT_EQ(written.ToString(),
              JsonDump(BuildChatCompletionsRequest(request, "gpt-test \"model\"", stream)))
        << what << (stream ? " (stream)" : "");
  }
}

TEST(OpenAIRequestWriterTest, WritesWhatTheBuilderDumps) {
  ExpectWriterMatchesBuilder(EveryContentType(), "every content type");
  ExpectWriterMatchesBuilder(ProviderRequest{}, "nothing");

  ProviderRequest odd;
  odd.conversation.push_back(
      Make(Role::kUser, {TextContent{"tab\t \"quote\" \\ \x01 \xC3\xA9 \xFF"}}));
  odd.conversation.push_back(Make(Role::kUser, {ImageContent{"AAAA", "image/gif"}}));  // image only
  odd.conversation.push_back(
      Make(Role::kAssistant, {GoodRequest("c1", "x__y", Json{{"a", {1, 2.5, nullptr}}})}));
  ToolResponseContent items;
  items.id = "c1";
  items.tool_result = ToolResult<std::vector<Json>>::Success(
      {Json("not an object"), Json{{"type", "text"}}, Json{{"type", "resource"}},
       Json{{"type", "resource"}, {"resource", "flat"}}, Json{{"type", "image"}},
       Json{{"type", 5}, {"text", "typed oddly"}}});
  odd.conversation.push_back(Make(Role::kUser, {TextContent{"and then"}, items}));
  odd.conversation.push_back(Make(Role::kAssistant, {TextContent{"a"}, TextContent{"b"}}));
  ToolResponseContent empty;
  empty.id = "c2";
  empty.tool_result = ToolResult<std::vector<Json>>::Success({});
  odd.conversation.push_back(Make(Role::kAssistant, {empty}));
  odd.tools = MakeToolList({});
  ExpectWriterMatchesBuilder(odd, "odd content");

  ProviderRequest large;
  large.system = std::string(100, 's');
  for (int i = 0; i < 3; ++i) {
    large.conversation.push_back(Make(Role::kUser, {TextContent{std::string(3 << 20, 'x')}}));
  }
  ExpectWriterMatchesBuilder(large, "large messages");
}

TEST(OpenAIRequestWriterTest, EachMessageIsABlockOfItsOwn) {
  ProviderRequest request;
  for (int i = 0; i < 4; ++i) {
    request.conversation.push_back(Make(Role::kUser, {TextContent{std::string(1 << 20, 'x')}}));
  }
  ByteQueue written;
  WriteChatCompletionsRequest(request, "m", true, &written);
  // The head, four messages (with the commas between them in small
  // blocks), the tail: no block holds more than one message.
  for (std::string_view view : written.Views()) EXPECT_LT(view.size(), (1u << 20) + 64);
  // Each message's block is sized for its text (a sixteenth to spare), not
  // grown by doubling.
  EXPECT_LT(written.bytes_held(), 4 * ((1u << 20) * 17 / 16 + 64) + 4 * ByteQueue::kBlockBytes);
}

}  // namespace
}  // namespace goose
