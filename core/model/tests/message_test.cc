#include "core/model/message.h"

#include <gtest/gtest.h>

namespace goose {
namespace {

Json RoundTrip(const Json& in) {
  Result<Message> m = MessageFromJson(in);
  EXPECT_TRUE(m.ok()) << m.status().ToString();
  return m.ok() ? MessageToJson(*m) : Json();
}

struct ContentCase {
  const char* name;
  const char* json;
  friend void PrintTo(const ContentCase& c, std::ostream* os) { *os << c.name; }
};

class ContentRoundTrip : public ::testing::TestWithParam<ContentCase> {};

TEST_P(ContentRoundTrip, SurvivesParseAndSerialiseUnchanged) {
  Json content = Json::parse(GetParam().json);
  Json message = {{"role", "assistant"}, {"created", 1741170000}, {"content", {content}}};
  EXPECT_EQ(RoundTrip(message), message);
}

INSTANTIATE_TEST_SUITE_P(
    EveryContentType, ContentRoundTrip,
    ::testing::Values(
        ContentCase{"text", R"({"type":"text","text":"hello"})"},
        ContentCase{"text_annotations",
                    R"({"type":"text","text":"hi","annotations":{"audience":["user"]}})"},
        ContentCase{"image", R"({"type":"image","data":"aGVsbG8=","mimeType":"image/png"})"},
        ContentCase{
            "tool_request_success",
            R"({"type":"toolRequest","id":"t1","toolCall":{"status":"success","value":{"name":"developer__shell","arguments":{"command":"ls","n":[1,2.5,null]}}}})"},
        ContentCase{
            "tool_request_error",
            R"({"type":"toolRequest","id":"t2","toolCall":{"status":"error","error":"Could not interpret tool use parameters"}})"},
        ContentCase{
            "tool_response_success",
            R"({"type":"toolResponse","id":"t1","toolResult":{"status":"success","value":[{"type":"text","text":"out"},{"type":"image","data":"AA==","mimeType":"image/png"},{"type":"resource","resource":{"uri":"file:///a","text":"x"}}]}})"},
        ContentCase{
            "tool_response_error",
            R"({"type":"toolResponse","id":"t1","toolResult":{"status":"error","error":"Execution failed"}})"},
        ContentCase{"thinking", R"({"type":"thinking","thinking":"hmm","signature":"c2ln"})"},
        ContentCase{"redacted_thinking", R"({"type":"redactedThinking","data":"opaque"})"},
        ContentCase{"context_length_exceeded",
                    R"({"type":"contextLengthExceeded","msg":"The context is too long"})"},
        ContentCase{"summarization_requested",
                    R"({"type":"summarizationRequested","msg":"summarize?"})"},
        ContentCase{
            "unknown_type",
            R"({"type":"frontendToolRequest","id":"f","toolCall":{"status":"success","value":{"name":"x","arguments":{}}},"future":[1]})"},
        ContentCase{
            "unknown_fields_everywhere",
            R"({"type":"toolRequest","id":"t3","x":1,"toolCall":{"status":"success","y":2,"value":{"name":"n","arguments":{},"z":3}}})"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MessageTest, ParsesTypedFields) {
  Json j = Json::parse(R"({"role":"assistant","created":42,"content":[
      {"type":"text","text":"a"},
      {"type":"toolRequest","id":"t1","toolCall":{"status":"success","value":{"name":"ext__tool","arguments":{"k":"v"}}}},
      {"type":"text","text":"b"}]})");
  Result<Message> m = MessageFromJson(j);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->role, Role::kAssistant);
  EXPECT_EQ(m->created, 42);
  ASSERT_EQ(m->content.size(), 3u);
  const auto requests = m->ToolRequests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0]->id, "t1");
  ASSERT_TRUE(requests[0]->tool_call.ok());
  EXPECT_EQ(requests[0]->tool_call.value->name, "ext__tool");
  EXPECT_EQ(requests[0]->tool_call.value->arguments, Json({{"k", "v"}}));
  EXPECT_TRUE(m->HasToolRequests());
  EXPECT_FALSE(m->HasToolResponses());
}

TEST(MessageTest, TextConcatenatesOnlyTextItemsWithNewlines) {
  Message m = Message::Assistant("first");
  m.content.emplace_back(ThinkingContent{"not text", "s"});
  m.content.emplace_back(TextContent{"second"});
  EXPECT_EQ(m.Text(), "first\nsecond");
  EXPECT_EQ(Message{}.Text(), "");
}

TEST(MessageTest, ConstructorsStampRoleAndTime) {
  const int64_t before = NowUnixSeconds();
  Message u = Message::User("q");
  EXPECT_EQ(u.role, Role::kUser);
  EXPECT_GE(u.created, before);
  EXPECT_EQ(Message::Assistant("a").role, Role::kAssistant);
}

TEST(MessageTest, McpContentTextJoinsTextItems) {
  std::vector<Json> items = {Json{{"type", "text"}, {"text", "a"}},
                             Json{{"type", "image"}, {"data", "x"}, {"mimeType", "image/png"}},
                             Json{{"type", "text"}, {"text", "b"}}, Json("stray")};
  EXPECT_EQ(McpContentText(items), "a\nb");
}

TEST(MessageTest, ModelledFieldWinsOverStrayExtra) {
  Message m = Message::User("real");
  m.extra["role"] = "assistant";  // a stray copy must not override the model
  EXPECT_EQ(MessageToJson(m)["role"], "user");
}

struct BadCase {
  const char* name;
  const char* json;
  const char* error;  // a substring the error must contain
  friend void PrintTo(const BadCase& c, std::ostream* os) { *os << c.name; }
};

class MessageParseError : public ::testing::TestWithParam<BadCase> {};

TEST_P(MessageParseError, NamesTheField) {
  Result<Message> m = MessageFromJson(Json::parse(GetParam().json));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(m.status().message().find(GetParam().error), std::string::npos) << m.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Malformed, MessageParseError,
    ::testing::Values(
        BadCase{"not_object", R"([1])", "must be an object"},
        BadCase{"missing_role", R"({"created":1,"content":[]})", "role is missing"},
        BadCase{"bad_role", R"({"role":"system","created":1,"content":[]})", "role must be"},
        BadCase{"created_string", R"({"role":"user","created":"1","content":[]})",
                "created must be an integer"},
        BadCase{"content_object", R"({"role":"user","created":1,"content":{}})",
                "content must be an array"},
        BadCase{"text_number",
                R"({"role":"user","created":1,"content":[{"type":"text","text":5}]})",
                "content[0].text must be a string"},
        BadCase{"no_type", R"({"role":"user","created":1,"content":[{"text":"x"}]})",
                "content[0].type must be a string"},
        BadCase{
            "bad_status",
            R"({"role":"user","created":1,"content":[{"type":"text","text":"ok"},{"type":"toolRequest","id":"a","toolCall":{"status":"maybe"}}]})",
            "content[1].toolCall.status must be"},
        BadCase{
            "tool_name_missing",
            R"({"role":"user","created":1,"content":[{"type":"toolRequest","id":"a","toolCall":{"status":"success","value":{"arguments":{}}}}]})",
            "content[0].toolCall.value.name is missing"},
        BadCase{
            "tool_result_not_list",
            R"({"role":"user","created":1,"content":[{"type":"toolResponse","id":"a","toolResult":{"status":"success","value":"x"}}]})",
            "content[0].toolResult.value must be an array"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(JsonTest, DumpReplacesInvalidUtf8InsteadOfThrowing) {
  Json j = {{"text", std::string("ok\xff\xfe")}};
  std::string out;
  ASSERT_NO_THROW(out = JsonDump(j));
  EXPECT_NE(out.find("ok"), std::string::npos);
}

TEST(JsonTest, ParseReportsWhatAndWhere) {
  Result<Json> j = JsonParse("{\"a\":", "request body");
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("request body is not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace goose
