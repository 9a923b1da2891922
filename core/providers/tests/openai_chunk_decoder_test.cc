#include "core/providers/openai_chunk_decoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/providers/openai_completion_parser.h"

namespace goose {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Feeds every frame and returns the items; fails the test on an error.
std::vector<StreamItem> DecodeAll(OpenAIChunkDecoder& decoder,
                                  const std::vector<std::string>& frames) {
  std::vector<StreamItem> items;
  for (const std::string& frame : frames) {
    auto error = decoder.Decode(frame, &items);
    EXPECT_FALSE(error.has_value()) << frame << " -> " << error->ToString();
  }
  return items;
}

std::string Text(const StreamItem& item) {
  return item.delta.content.size() == 1 &&
                 std::holds_alternative<TextContent>(item.delta.content[0])
             ? std::get<TextContent>(item.delta.content[0]).text
             : "<not one text>";
}

const ToolRequestContent& Request(const StreamItem& item) {
  EXPECT_EQ(item.delta.content.size(), 1u);
  return std::get<ToolRequestContent>(item.delta.content.at(0));
}

std::string Chunk(const std::string& id, const Json& delta, const Json& finish = nullptr) {
  return JsonDump(Json{
      {"id", id},
      {"object", "chat.completion.chunk"},
      {"choices", Json::array({{{"index", 0}, {"delta", delta}, {"finish_reason", finish}}})}});
}

std::string ToolFragment(const std::string& id, int index, const std::string& call_id,
                         const std::string& name, const std::string& arguments) {
  Json call = {{"index", index}, {"function", {{"arguments", arguments}}}};
  if (!call_id.empty()) call["id"] = call_id;
  if (!name.empty()) call["function"]["name"] = name;
  return Chunk(id, Json{{"tool_calls", Json::array({call})}});
}

TEST(OpenAIChunkDecoderTest, TextDeltasBecomeItemsOfOneMessage) {
  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items =
      DecodeAll(decoder, {Chunk("c1", {{"role", "assistant"}, {"content", ""}}),
                          Chunk("c1", {{"content", "Hel"}}), Chunk("c1", {{"content", "lo"}}),
                          Chunk("c1", Json::object(), "stop"), "[DONE]"});
  ASSERT_EQ(items.size(), 2u);  // the empty first delta gives nothing
  EXPECT_EQ(Text(items[0]), "Hel");
  EXPECT_EQ(Text(items[1]), "lo");
  EXPECT_EQ(items[0].message_id, "c1");
  EXPECT_EQ(items[0].delta.role, Role::kAssistant);
  EXPECT_GT(items[0].delta.created, 0);
  EXPECT_TRUE(decoder.done());
}

TEST(OpenAIChunkDecoderTest, ChangeOfIdStartsANewMessage) {
  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items =
      DecodeAll(decoder, {Chunk("m1", {{"content", "first"}}), Chunk("m1", {{"content", " one"}}),
                          Chunk("m2", {{"content", "second"}}), "[DONE]"});
  MessageAssembler assembler;
  for (const StreamItem& item : items) assembler.Add(item);
  ASSERT_EQ(assembler.messages().size(), 2u);
  EXPECT_EQ(assembler.messages()[0].Text(), "first one");
  EXPECT_EQ(assembler.messages()[1].Text(), "second");
}

TEST(OpenAIChunkDecoderTest, InterleavedToolCallFragmentsAreAssembledByIndex) {
  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items =
      DecodeAll(decoder, {
                             Chunk("c1", {{"content", "Let me look."}}),
                             ToolFragment("c1", 0, "call_a", "developer__shell", ""),
                             ToolFragment("c1", 1, "call_b", "developer__text_editor", ""),
                             ToolFragment("c1", 0, "", "", "{\"comm"),
                             ToolFragment("c1", 1, "", "", "{\"path\":"),
                             ToolFragment("c1", 0, "", "", "and\":\"ls \\u00e9\"}"),
                             ToolFragment("c1", 1, "", "", "\"/tmp\",\"n\":2}"),
                         });
  ASSERT_EQ(items.size(), 1u);  // calls are held until the message finishes
  EXPECT_TRUE(decoder.HasPendingToolCalls());
  ASSERT_FALSE(decoder.Decode(Chunk("c1", Json::object(), "tool_calls"), &items).has_value());
  ASSERT_EQ(items.size(), 3u);
  const ToolRequestContent& a = Request(items[1]);
  const ToolRequestContent& b = Request(items[2]);
  EXPECT_EQ(a.id, "call_a");
  ASSERT_TRUE(a.tool_call.ok()) << a.tool_call.error;
  EXPECT_EQ(a.tool_call.value->name, "developer__shell");
  EXPECT_EQ(a.tool_call.value->arguments, (Json{{"command", "ls \xC3\xA9"}}));
  EXPECT_EQ(b.id, "call_b");
  ASSERT_TRUE(b.tool_call.ok()) << b.tool_call.error;
  EXPECT_EQ(b.tool_call.value->name, "developer__text_editor");
  EXPECT_EQ(b.tool_call.value->arguments, (Json{{"path", "/tmp"}, {"n", 2}}));
  EXPECT_EQ(items[1].message_id, "c1");
  EXPECT_FALSE(decoder.HasPendingToolCalls());
}

TEST(OpenAIChunkDecoderTest, ToolCallsAreFlushedByIdChangeAndByDone) {
  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items =
      DecodeAll(decoder, {ToolFragment("m1", 0, "call_1", "ext__one", "{}"),
                          Chunk("m2", {{"content", "next message"}}),
                          ToolFragment("m2", 0, "call_2", "ext__two", ""), "[DONE]"});
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].message_id, "m1");
  EXPECT_EQ(Request(items[0]).id, "call_1");
  EXPECT_EQ(items[1].message_id, "m2");
  EXPECT_EQ(Text(items[1]), "next message");
  EXPECT_EQ(items[2].message_id, "m2");
  ASSERT_TRUE(Request(items[2]).tool_call.ok());
  EXPECT_EQ(Request(items[2]).tool_call.value->arguments, Json::object());  // "" means {}
}

TEST(OpenAIChunkDecoderTest, InvalidArgumentsBecomeAnErrorToolCall) {
  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items =
      DecodeAll(decoder, {ToolFragment("c1", 0, "call_x", "ext__tool", "{\"a\": tru"),
                          ToolFragment("c1", 1, "call_y", "ext__tool", "[1,2]"),
                          ToolFragment("c1", 2, "call_z", "bad name!", "{}"), "[DONE]"});
  ASSERT_EQ(items.size(), 3u);
  const ToolRequestContent& x = Request(items[0]);
  ASSERT_FALSE(x.tool_call.ok());
  EXPECT_THAT(x.tool_call.error,
              StartsWith("Invalid parameters: Could not interpret tool use parameters for id "
                         "call_x: "));
  const ToolRequestContent& y = Request(items[1]);
  ASSERT_FALSE(y.tool_call.ok());
  EXPECT_THAT(y.tool_call.error, HasSubstr("must be a JSON object"));
  const ToolRequestContent& z = Request(items[2]);
  ASSERT_FALSE(z.tool_call.ok());
  EXPECT_THAT(z.tool_call.error,
              StartsWith("Tool not found: The provided function name 'bad name!'"));
  // goose's JSON shape for the error.
  EXPECT_EQ(ContentToJson(x)["toolCall"]["status"], "error");
}

TEST(OpenAIChunkDecoderTest, FragmentsWithoutIndexFollowTheIds) {
  OpenAIChunkDecoder decoder;
  auto fragment = [](const std::string& call_id, const std::string& name, const std::string& args) {
    Json call = {{"function", {{"arguments", args}}}};
    if (!call_id.empty()) call["id"] = call_id;
    if (!name.empty()) call["function"]["name"] = name;
    return Chunk("c1", Json{{"tool_calls", Json::array({call})}});
  };
  std::vector<StreamItem> items =
      DecodeAll(decoder, {fragment("call_1", "t__a", "{\"x\":"), fragment("", "", "1}"),
                          fragment("call_2", "t__b", "{}"), "[DONE]"});
  ASSERT_EQ(items.size(), 2u);
  ASSERT_TRUE(Request(items[0]).tool_call.ok()) << Request(items[0]).tool_call.error;
  EXPECT_EQ(Request(items[0]).tool_call.value->arguments, (Json{{"x", 1}}));
  EXPECT_EQ(Request(items[1]).id, "call_2");
}

TEST(OpenAIChunkDecoderTest, UsageChunkBecomesAUsageItem) {
  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items = DecodeAll(
      decoder,
      {Chunk("c1", {{"content", "hi"}}), Chunk("c1", Json::object(), "stop"),
       R"({"id":"c1","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}})",
       "[DONE]"});
  ASSERT_EQ(items.size(), 2u);
  ASSERT_TRUE(items[1].usage.has_value());
  EXPECT_EQ(items[1].usage->input_tokens, 9);
  EXPECT_EQ(items[1].usage->output_tokens, 5);
  EXPECT_EQ(items[1].usage->total_tokens, 14);
  EXPECT_TRUE(items[1].delta.content.empty());
  MessageAssembler assembler;
  for (const StreamItem& item : items) assembler.Add(item);
  EXPECT_EQ(assembler.messages().size(), 1u);
  EXPECT_EQ(assembler.usage()->total_tokens, 14);
}

TEST(OpenAIChunkDecoderTest, ErrorFramesAreTyped) {
  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items;
  auto error = decoder.Decode(
      R"({"error":{"message":"This model's maximum context length is 4096 tokens","code":"context_length_exceeded"}})",
      &items);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ProviderErrorKind::kContextLengthExceeded);
  EXPECT_THAT(error->message, HasSubstr("maximum context length is 4096"));

  OpenAIChunkDecoder other;
  error =
      other.Decode(R"({"error":{"message":"upstream overloaded","type":"server_error"}})", &items);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ProviderErrorKind::kServerError);
  EXPECT_THAT(error->message, HasSubstr("upstream overloaded"));
  EXPECT_TRUE(items.empty());
}

TEST(OpenAIChunkDecoderTest, MalformedFramesAreBadResponses) {
  const std::vector<std::string> frames = {
      "{not json",
      "[1,2]",
      R"({"id":"c","choices":{}})",
      R"({"id":"c","choices":[{"index":0,"delta":{"content":5}}]})",
      R"({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":"zero"}]}}]})",
      R"({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":{}}}]}}]})",
      R"({"id":"c","choices":[],"usage":7})",
      R"({"id":"c","choices":[{"index":1e999}]})",  // out_of_range, not parse_error
  };
  for (const std::string& frame : frames) {
    OpenAIChunkDecoder decoder;
    std::vector<StreamItem> items;
    auto error = decoder.Decode(frame, &items);
    ASSERT_TRUE(error.has_value()) << frame;
    EXPECT_EQ(error->kind, ProviderErrorKind::kBadResponse) << frame;
    EXPECT_THAT(error->message, HasSubstr("stream chunk 1")) << frame;
  }
}

TEST(OpenAIChunkDecoderTest, OversizedToolCallIsRefused) {
  OpenAIChunkDecoder decoder(OpenAIChunkDecoder::Limits{.max_tool_call_bytes = 100});
  std::vector<StreamItem> items;
  std::optional<ProviderError> error;
  error = decoder.Decode(ToolFragment("c", 0, "call", "t__a", ""), &items);
  for (int i = 0; i < 20 && !error; ++i) {
    error = decoder.Decode(ToolFragment("c", 0, "", "", "0123456789"), &items);
  }
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ProviderErrorKind::kLimitExceeded);
  EXPECT_NE(error->message.find("GOOSE_API_MAX_MESSAGE_BYTES"), std::string::npos)
      << error->message;
}

TEST(OpenAIChunkDecoderTest, TooManyToolCallIndexesAreRefused) {
  OpenAIChunkDecoder decoder(OpenAIChunkDecoder::Limits{.max_tool_calls = 3});
  std::vector<StreamItem> items;
  std::optional<ProviderError> error;
  for (int i = 0; i < 10 && !error; ++i) {
    error = decoder.Decode(ToolFragment("c", i, "call" + std::to_string(i), "t__a", "{}"), &items);
  }
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->kind, ProviderErrorKind::kLimitExceeded);
  EXPECT_NE(error->message.find("GOOSE_API_MAX_TOOL_CALLS"), std::string::npos) << error->message;
}

TEST(OpenAIChunkDecoderTest, OtherChoicesAndLaterFramesAreIgnored) {
  OpenAIChunkDecoder decoder;
  std::vector<StreamItem> items = DecodeAll(
      decoder,
      {R"({"id":"c","choices":[{"index":1,"delta":{"content":"other"}},{"index":0,"delta":{"content":"mine"}}]})",
       "[DONE]", "{garbage after done"});
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(Text(items[0]), "mine");
}

TEST(ChatCompletionParserTest, ParsesTextToolCallsAndUsage) {
  Result<Completion, ProviderError> c = ParseChatCompletion(R"({
    "id":"chatcmpl-1","object":"chat.completion",
    "choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant",
      "content":"Checking.","tool_calls":[{"id":"call_1","type":"function",
        "function":{"name":"developer__shell","arguments":"{\"command\":\"ls\"}"}}]}}],
    "usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}})");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  ASSERT_EQ(c->message.content.size(), 2u);
  EXPECT_EQ(c->message.Text(), "Checking.");
  const auto& request = std::get<ToolRequestContent>(c->message.content[1]);
  EXPECT_EQ(request.id, "call_1");
  ASSERT_TRUE(request.tool_call.ok()) << request.tool_call.error;
  EXPECT_EQ(request.tool_call.value->arguments, (Json{{"command", "ls"}}));
  EXPECT_EQ(c->usage->total_tokens, 7);
}

TEST(ChatCompletionParserTest, ErrorsAreTyped) {
  auto error_body =
      ParseChatCompletion(R"({"error":{"message":"nope","code":"context_length_exceeded"}})");
  ASSERT_FALSE(error_body.ok());
  EXPECT_EQ(error_body.error().kind, ProviderErrorKind::kContextLengthExceeded);
  EXPECT_EQ(ParseChatCompletion("not json").error().kind, ProviderErrorKind::kBadResponse);
  EXPECT_EQ(ParseChatCompletion(R"({"choices":[]})").error().kind, ProviderErrorKind::kBadResponse);
  EXPECT_EQ(ParseChatCompletion(R"({"choices":[{"message":{"content":3}}]})").error().kind,
            ProviderErrorKind::kBadResponse);
}

}  // namespace
}  // namespace goose
