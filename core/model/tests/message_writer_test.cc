// WriteMessageJson must give exactly the bytes of JsonDump(MessageToJson()):
// the session files it writes are read by goose's CLI and compared by the
// append check's hash, so one differing byte would make every append a
// rewrite or break a resume. Each case below is one way the two could part.

#include "core/model/message_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/model/message.h"
#include "core/model/session.h"

namespace goose {
namespace {

std::string Direct(const Message& m) {
  std::string out = "prefix:";  // appends, never overwrites
  WriteMessageJson(m, &out);
  return out.substr(7);
}

void ExpectSameAsDom(const Message& m) { EXPECT_EQ(Direct(m), JsonDump(MessageToJson(m))); }

Message WithText(std::string text) {
  Message m = Message::Assistant(std::move(text));
  m.created = 1700000000;
  return m;
}

TEST(MessageWriterTest, EveryContentTypeIsWrittenAsTheDomWritesIt) {
  Message m = WithText("hello");
  m.content.emplace_back(ImageContent{"aGVsbG8=", "image/png"});
  ToolCall call;
  call.name = "developer__shell";
  call.arguments = {{"command", "ls -la"}, {"z", {1, 2.5, nullptr, true}}};
  m.content.emplace_back(ToolRequestContent{"call_1", ToolResult<ToolCall>::Success(call)});
  m.content.emplace_back(
      ToolRequestContent{"call_2", ToolResult<ToolCall>::Failure("no such tool")});
  m.content.emplace_back(ToolResponseContent{
      "call_1", ToolResult<std::vector<Json>>::Success({{{"type", "text"}, {"text", "a\nb"}}})});
  m.content.emplace_back(
      ToolResponseContent{"call_2", ToolResult<std::vector<Json>>::Failure("it broke")});
  m.content.emplace_back(ToolResponseContent{"call_3", ToolResult<std::vector<Json>>::Success({})});
  m.content.emplace_back(ThinkingContent{"let me think", "sig"});
  m.content.emplace_back(RedactedThinkingContent{"xyz"});
  m.content.emplace_back(ContextLengthExceededContent{"too long"});
  m.content.emplace_back(SummarizationRequestedContent{"summarize"});
  m.content.emplace_back(UnknownContent{{{"type", "futureThing"}, {"b", 1}, {"a", {2}}}});
  ExpectSameAsDom(m);
  m.role = Role::kUser;
  m.created = -5;
  ExpectSameAsDom(m);
  m.content.clear();
  ExpectSameAsDom(m);
}

// Unknown fields go between the model's in key order; a model field wins
// over an extra field of the same name.
TEST(MessageWriterTest, ExtraFieldsMergeInKeyOrderAndTheModelWins) {
  Message m = WithText("x");
  m.extra = {{"aaa", 1},   {"content", "shadowed"}, {"cz", {{"n", nullptr}}},
             {"id", "m1"}, {"role", "shadowed"},    {"zzz", "last"},
             {"", 0},      {"\u00e9t\u00e9", true}, {"Role", 2}};
  auto& text = std::get<TextContent>(m.content[0]);
  text.extra = {{"annotations", {{"audience", {"user"}}}}, {"type", "shadowed"}, {"u", 1}};
  ToolCall call;
  call.name = "t";
  call.extra = {{"a", 1}, {"b", 2}, {"name", "shadowed"}};
  ToolResult<ToolCall> result = ToolResult<ToolCall>::Success(call);
  result.extra = {{"s", 1}, {"status", "shadowed"}, {"w", 2}};
  m.content.emplace_back(ToolRequestContent{"id", result, {{"meta", {{"k", "v"}}}}});
  ExpectSameAsDom(m);
}

TEST(MessageWriterTest, StringsAreEscapedAsNlohmannEscapesThem) {
  std::string every_byte;
  for (int c = 0; c < 0x80; ++c) every_byte.push_back(static_cast<char>(c));
  for (const std::string& s : {
           std::string("quote \" backslash \\ slash / tab \t newline \n cr \r"),
           std::string("bell \a backspace \b formfeed \f vt \v esc \x1b del \x7f"),
           std::string("nul \0 inside", 13),
           every_byte,
           std::string("\u00e9\u20ac\U0001F600 two, three and four bytes"),
           std::string("\xc3"),                    // truncated two-byte sequence
           std::string("ab\xe2\x82"),              // truncated three-byte sequence at the end
           std::string("\xc0\xaf overlong"),       // overlong '/'
           std::string("\xed\xa0\x80 surrogate"),  // U+D800
           std::string("\xf4\x90\x80\x80 above U+10FFFF"),
           std::string("\xff\xfe bytes that are never UTF-8"),
           std::string("ok \xe2\x82\xac then bad \x80 then ok \xc3\xa9"),
       }) {
    SCOPED_TRACE(s);
    ExpectSameAsDom(WithText(s));
    std::string out;
    JsonStringTo(s, &out);
    EXPECT_EQ(out, JsonDump(Json(s)));
  }
}

TEST(MessageWriterTest, JsonValuesInsideAreDumpedAsTheDomDumpsThem) {
  ToolCall call;
  call.name = "n";
  call.arguments = Json::parse(
      R"({"f":1.5e300,"i":-9223372036854775808,"u":18446744073709551615,"s":"\u0001","o":{},"a":[]})");
  Message m = WithText("");
  m.content.emplace_back(ToolRequestContent{"i", ToolResult<ToolCall>::Success(call)});
  ExpectSameAsDom(m);
}

// The metadata line: every field, missing and present, with unknown fields
// between the model's and one that the model's own value must win over.
TEST(MessageWriterTest, MetadataIsWrittenAsTheDomWritesIt) {
  auto expect_same = [](const SessionMetadata& m, int64_t count) {
    std::string direct = "prefix:";
    WriteMetadataJson(m, count, &direct);
    SessionMetadata counted = m;
    counted.message_count = count;
    EXPECT_EQ(direct.substr(7), JsonDump(MetadataToJson(counted)));
  };
  SessionMetadata m;
  expect_same(m, 0);
  m.working_dir = "/home/u/\xc3\xa9t\xc3\xa9 \"quoted\"";
  m.description = std::string("\xff not UTF-8\n");
  m.schedule_id = "daily";
  m.message_count = 99;  // replaced by the count given
  m.total_tokens = 10;
  m.input_tokens = -3;
  m.output_tokens = INT64_MAX;
  m.accumulated_total_tokens = INT64_MIN;
  m.accumulated_input_tokens = 0;
  expect_same(m, 7);
  m.extra = {
      {"aaa", 1}, {"description", "the extra loses"}, {"m", {{"n", nullptr}}}, {"zzz", "last"}};
  expect_same(m, 123456789);
}

}  // namespace
}  // namespace goose
