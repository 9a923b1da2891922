#include "mock_provider/script.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "harness/test_util.h"

namespace goose::mock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

Result<Script> Parse(const std::string& json) { return ParseScript(Json::parse(json), "fallback"); }

std::string ErrorOf(const std::string& json) {
  Result<Script> script = Parse(json);
  EXPECT_FALSE(script.ok()) << "expected an error for " << json;
  return script.ok() ? std::string() : script.status().message();
}

TEST(ScriptTest, ParsesEveryField) {
  Result<Script> script = Parse(R"({
    "name": "full", "description": "every field", "seed": 42, "loop": true,
    "turns": [
      {"time_to_first_chunk_ms": 5, "chunk_delay_ms": 2, "jitter_ms": 3,
       "messages": [
         {"text": "Hello, world", "chunks": 3},
         {"text": "abcdefghij", "chunk_size": 4},
         {"chunks": 2, "chunk_size": 5},
         {"text": "Calling", "chunks": 1,
          "tool_calls": [{"id": "call_x", "name": "developer__shell",
                          "arguments": {"command": "ls"}, "fragments": 3}]}
       ],
       "usage": {"input_tokens": 10, "output_tokens": 20, "total_tokens": 31},
       "failure": {"kind": "error_frame", "after_chunk": 4, "message": "boom", "code": "overloaded"}},
      {"failure": {"kind": "http_429", "retry_after_s": 7, "message": "slow down"}},
      {"failure": {"kind": "http_500", "status": 503}},
      {"failure": {"kind": "context_length_exceeded"}},
      {"messages": [{}], "failure": {"kind": "abrupt_close", "after_ms": 250}},
      {"messages": [{}], "failure": {"kind": "abrupt_close", "after_chunk": 1}},
      {"messages": [{}], "failure": {"kind": "no_done"}},
      {"messages": [{}], "failure": {"kind": "corrupt_frame", "after_chunk": 2}},
      {"messages": [{}], "failure": {"kind": "duplicate_frame", "after_chunk": 4}},
      {"messages": [{}], "failure": {"kind": "stall", "after_chunk": 3, "keepalive_ms": 0}}
    ]})");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  EXPECT_EQ(script->name, "full");
  EXPECT_EQ(script->seed, 42u);
  EXPECT_TRUE(script->loop);
  ASSERT_EQ(script->turns.size(), 10u);

  const ScriptedTurn& t = script->turns[0];
  EXPECT_EQ(t.time_to_first_chunk_ms, 5);
  EXPECT_EQ(t.chunk_delay_ms, 2);
  EXPECT_EQ(t.jitter_ms, 3);
  ASSERT_EQ(t.messages.size(), 4u);
  EXPECT_EQ(t.messages[0].text, "Hello, world");
  EXPECT_THAT(t.messages[0].text_chunk_ends, ElementsAre(4, 8, 12));
  EXPECT_THAT(t.messages[1].text_chunk_ends, ElementsAre(4, 8, 10));
  EXPECT_FALSE(t.messages[2].text.has_value());
  EXPECT_EQ(t.messages[2].generated_chunks, 2);
  EXPECT_EQ(t.messages[2].generated_chunk_size, 5);
  ASSERT_EQ(t.messages[3].tool_calls.size(), 1u);
  const ScriptedToolCall& call = t.messages[3].tool_calls[0];
  EXPECT_EQ(call.id, "call_x");
  EXPECT_EQ(call.name, "developer__shell");
  EXPECT_EQ(call.arguments, Json({{"command", "ls"}}));
  EXPECT_EQ(call.arguments_json, R"({"command":"ls"})");
  EXPECT_EQ(call.fragment_ends.size(), 3u);
  EXPECT_EQ(call.fragment_ends.back(), call.arguments_json.size());
  EXPECT_EQ(t.messages[3].chunk_count(), 4);
  EXPECT_EQ(t.chunk_count(), 3 + 3 + 2 + 4);
  ASSERT_TRUE(t.usage.has_value());
  EXPECT_EQ(t.usage->input_tokens, 10);
  EXPECT_EQ(t.usage->output_tokens, 20);
  EXPECT_EQ(t.usage->total_tokens, 31);
  EXPECT_EQ(t.failure.kind, FailureKind::kErrorFrame);
  EXPECT_EQ(t.failure.after_chunk, 4);
  EXPECT_EQ(t.failure.message, "boom");
  EXPECT_EQ(t.failure.code, "overloaded");

  EXPECT_EQ(script->turns[1].failure.kind, FailureKind::kHttp429);
  EXPECT_EQ(script->turns[1].failure.retry_after_s, 7);
  EXPECT_EQ(FailureMessage(script->turns[1].failure), "slow down");
  EXPECT_EQ(script->turns[2].failure.kind, FailureKind::kHttp500);
  EXPECT_EQ(script->turns[2].failure.status, 503);
  EXPECT_EQ(script->turns[3].failure.kind, FailureKind::kContextLengthExceeded);
  EXPECT_THAT(FailureMessage(script->turns[3].failure), HasSubstr("maximum context length"));
  EXPECT_EQ(script->turns[4].failure.kind, FailureKind::kAbruptClose);
  EXPECT_EQ(script->turns[4].failure.after_ms, 250);
  EXPECT_EQ(script->turns[5].failure.after_chunk, 1);
  EXPECT_FALSE(script->turns[5].failure.after_ms.has_value());
  EXPECT_EQ(script->turns[6].failure.kind, FailureKind::kNoDone);
  EXPECT_EQ(script->turns[7].failure.kind, FailureKind::kCorruptFrame);
  EXPECT_EQ(script->turns[8].failure.kind, FailureKind::kDuplicateFrame);
  EXPECT_EQ(script->turns[9].failure.kind, FailureKind::kStall);
  EXPECT_EQ(script->turns[9].failure.keepalive_ms, 0);
}

TEST(ScriptTest, AppliesDefaults) {
  Result<Script> script = Parse(R"({"turns": [{"messages": [
      {}, {"text": "0123456789ABCDEFGHIJ"}, {"tool_calls": [{"name": "t"}]}]}]})");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  EXPECT_EQ(script->name, "fallback");
  EXPECT_FALSE(script->seed.has_value());
  EXPECT_FALSE(script->loop);
  const ScriptedTurn& t = script->turns[0];
  EXPECT_EQ(t.time_to_first_chunk_ms, 0);
  EXPECT_EQ(t.chunk_delay_ms, 0);
  EXPECT_FALSE(t.usage.has_value());
  EXPECT_EQ(t.failure.kind, FailureKind::kNone);
  EXPECT_EQ(t.messages[0].generated_chunks, 4);
  EXPECT_EQ(t.messages[0].generated_chunk_size, 8);
  EXPECT_THAT(t.messages[1].text_chunk_ends, ElementsAre(8, 16, 20));  // chunk_size 8
  EXPECT_EQ(t.messages[2].text_chunks(), 0);                           // only a tool call: no text
  EXPECT_EQ(t.messages[2].tool_calls[0].arguments_json, "{}");
  EXPECT_EQ(t.messages[2].tool_calls[0].fragment_ends.size(), 1u);
}

TEST(ScriptTest, SplitsTextOnCodePointBoundaries) {
  // "é" is 2 bytes, "😀" 4: no chunk may cut one in half, none may be empty.
  Result<Script> script = Parse(R"({"turns": [{"messages": [
      {"text": "😀abc", "chunks": 4}, {"text": "éééé", "chunk_size": 3}]}]})");
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  EXPECT_THAT(script->turns[0].messages[0].text_chunk_ends, ElementsAre(4, 5, 6, 7));
  EXPECT_THAT(script->turns[0].messages[1].text_chunk_ends, ElementsAre(4, 8));
}

TEST(ScriptTest, BadScriptsNameTheField) {
  struct Case {
    const char* json;
    const char* error;
  };
  const Case cases[] = {
      {R"([])", "script must be an object"},
      {R"({})", "turns is missing"},
      {R"({"turns": []})", "turns must not be empty"},
      {R"({"turns": {}})", "turns must be an array"},
      {R"({"name": "", "turns": [{"messages": [{}]}]})", "name must be a non-empty string"},
      {R"({"loop": 1, "turns": [{"messages": [{}]}]})", "loop must be true or false"},
      {R"({"seed": -1, "turns": [{"messages": [{}]}]})", "seed must be a non-negative integer"},
      {R"({"turn": [], "turns": [{"messages": [{}]}]})", "turn is not a known field"},
      {R"({"turns": [{"messages": [{}]}, {"messages": [{}]},
                     {"messages": [{"chunks": 0}]}]})",
       "turns[2].messages[0].chunks must be a positive integer"},
      {R"({"turns": [{"messages": [{"chunk_size": "8"}]}]})",
       "turns[0].messages[0].chunk_size must be a positive integer"},
      {R"({"turns": [{"messages": [{"txt": "hi"}]}]})",
       "turns[0].messages[0].txt is not a known field"},
      {R"({"turns": [{"messages": [{"text": ""}]}]})",
       "turns[0].messages[0].text must be a non-empty string"},
      {R"({"turns": [{"messages": [{"text": "abc", "chunks": 4}]}]})",
       "turns[0].messages[0].chunks must be at most 3"},
      {R"({"turns": [{"messages": [{"text": "abc", "chunks": 2, "chunk_size": 1}]}]})",
       "turns[0].messages[0] sets both chunks and chunk_size"},
      {R"({"turns": [{"messages": []}]})", "turns[0].messages must not be empty"},
      {R"({"turns": [{}]})", "turns[0].messages is missing"},
      {R"({"turns": [{"messages": [{}], "chunk_delay_ms": -5}]})",
       "turns[0].chunk_delay_ms must be a non-negative integer"},
      {R"({"turns": [{"messages": [{"tool_calls": [{"arguments": {}}]}]}]})",
       "turns[0].messages[0].tool_calls[0].name is missing"},
      {R"({"turns": [{"messages": [{"tool_calls": [{"name": "t", "arguments": []}]}]}]})",
       "turns[0].messages[0].tool_calls[0].arguments must be an object"},
      {R"({"turns": [{"messages": [{"tool_calls": [{"name": "t", "fragments": 3}]}]}]})",
       "turns[0].messages[0].tool_calls[0].fragments must be at most 2"},
      {R"({"turns": [{"messages": [{}], "usage": {"input_tokens": "x"}}]})",
       "turns[0].usage.input_tokens must be a non-negative integer"},
      {R"({"turns": [{"messages": [{}], "failure": {}}]})", "turns[0].failure.kind is missing"},
      {R"({"turns": [{"messages": [{}], "failure": {"kind": "explode"}}]})",
       "turns[0].failure.kind must be one of http_429, http_500"},
      {R"({"turns": [{"messages": [{}], "failure": {"kind": "stall", "retry_after_s": 1}}]})",
       "turns[0].failure.retry_after_s does not apply to kind stall"},
      {R"({"turns": [{"messages": [{}], "failure": {"kind": "error_frame", "after_chunk": 5}}]})",
       "turns[0].failure.after_chunk must be at most 4 (the turn's chunk count)"},
      {R"({"turns": [{"messages": [{}], "failure": {"kind": "duplicate_frame", "after_chunk": 0}}]})",
       "turns[0].failure.after_chunk must be a positive integer"},
      {R"({"turns": [{"messages": [{}],
                      "failure": {"kind": "abrupt_close", "after_chunk": 1, "after_ms": 5}}]})",
       "turns[0].failure sets both after_chunk and after_ms"},
      {R"({"turns": [{"failure": {"kind": "http_500", "status": 404}}]})",
       "turns[0].failure.status must be between 500 and 599"},
      {R"({"turns": [{"messages": [{}], "failure": {"kind": "http_429"}}]})",
       "turns[0].messages must be empty for failure kind http_429"},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(ErrorOf(c.json), HasSubstr(c.error)) << c.json;
  }
}

TEST(ScriptTest, LoadScriptFileNamesTheFileAndField) {
  goose::testing::ScopedTempDir dir;
  const auto bad = dir.path() / "bad.json";
  goose::testing::WriteWholeFile(
      bad, R"({"turns": [{"messages": [{}]}, {"messages": [{}]}, {"messages": [{"chunks": 0}]}]})");
  Result<Script> script = LoadScriptFile(bad);
  ASSERT_FALSE(script.ok());
  EXPECT_EQ(script.status().message(),
            bad.string() + ": turns[2].messages[0].chunks must be a positive integer");

  const auto syntax = dir.path() / "syntax.json";
  goose::testing::WriteWholeFile(syntax, R"({"turns": [)");
  script = LoadScriptFile(syntax);
  ASSERT_FALSE(script.ok());
  EXPECT_THAT(script.status().message(), StartsWith(syntax.string() + " is not valid JSON"));

  script = LoadScriptFile(dir.path() / "missing.json");
  ASSERT_FALSE(script.ok());
  EXPECT_THAT(script.status().message(), HasSubstr("missing.json: cannot read script file"));

  const auto good = dir.path() / "tool_loop.json";
  goose::testing::WriteWholeFile(good, R"({"turns": [{"messages": [{"text": "ok"}]}]})");
  script = LoadScriptFile(good);
  ASSERT_TRUE(script.ok()) << script.status().ToString();
  EXPECT_EQ(script->name, "tool_loop");  // the file's stem
}

TEST(ScriptTest, ShippedScriptsParse) {
  const std::filesystem::path dir =
      std::filesystem::path(GOOSE_SOURCE_DIR) / "mock_provider/scripts";
  int parsed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    Result<Script> script = LoadScriptFile(entry.path());
    EXPECT_TRUE(script.ok()) << script.status().ToString();
    ++parsed;
  }
  EXPECT_GE(parsed, 11) << "default, tool loop and one script per failure kind";
}

TEST(ScriptTest, DefaultScriptLoopsSeveralMessagesOfSeveralChunks) {
  const Script script = DefaultScript();
  EXPECT_EQ(script.name, "default");
  EXPECT_TRUE(script.loop);
  ASSERT_EQ(script.turns.size(), 1u);
  ASSERT_EQ(script.turns[0].messages.size(), 3u);
  for (const ScriptedMessage& m : script.turns[0].messages) EXPECT_EQ(m.text_chunks(), 4);
}

TEST(ScriptLibraryTest, FindsByNameAndRejectsDuplicates) {
  ScriptLibrary library;
  EXPECT_EQ(library.Default()->name, "default");
  EXPECT_EQ(library.Find("nope"), nullptr);
  ASSERT_TRUE(library.Add(*Parse(R"({"name": "a", "turns": [{"messages": [{}]}]})")).ok());
  EXPECT_EQ(library.Find("a")->name, "a");
  Status again = library.Add(*Parse(R"({"name": "a", "turns": [{"messages": [{}]}]})"));
  EXPECT_FALSE(again.ok());
  EXPECT_THAT(again.message(), HasSubstr("two scripts are named \"a\""));
  // A script named "default" replaces the built-in one.
  ASSERT_TRUE(
      library.Add(*Parse(R"({"name": "default", "turns": [{"messages": [{"text": "x"}]}]})")).ok());
  EXPECT_FALSE(library.Default()->loop);
  EXPECT_EQ(library.All().size(), 2u);
}

}  // namespace
}  // namespace goose::mock
