#include "mock_provider/turn_cursor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mock_provider/tests/test_scripts.h"

namespace goose::mock {
namespace {

using Kind = TurnEvent::Kind;
using testing::MustParse;

// A compact trace of a cursor: "c:<text>" chunks, "f<i>:<fragment>"
// fragments, "end<m>" message ends, "FAIL", "END".
std::vector<std::string> Trace(const ScriptedTurn& turn, uint64_t seed = 1) {
  TurnCursor cursor(turn, seed);
  std::vector<std::string> out;
  for (int guard = 0; guard < 1000; ++guard) {
    const TurnEvent& ev = cursor.Next();
    switch (ev.kind) {
      case Kind::kChunk:
        out.push_back(
            (ev.is_tool_fragment ? "f" + std::to_string(ev.tool_index) : std::string("c")) +
            (ev.duplicated ? "(dup)" : "") + ":" + std::string(ev.text));
        break;
      case Kind::kMessageEnd:
        out.push_back("end" + std::to_string(ev.message_index));
        break;
      case Kind::kFailure:
        out.push_back("FAIL");
        break;
      case Kind::kEnd:
        out.push_back("END");
        return out;
    }
  }
  return out;
}

TEST(TurnCursorTest, WalksMessagesChunksAndFragmentsInOrder) {
  const Script s = MustParse(R"({"turns": [{"messages": [
      {"text": "Hello there", "chunks": 2},
      {"text": "Look", "chunks": 1,
       "tool_calls": [{"id": "c1", "name": "a", "arguments": {"x": 1}, "fragments": 2},
                      {"id": "c2", "name": "b"}]}]}]})");
  EXPECT_THAT(Trace(s.turns[0]),
              ::testing::ElementsAre("c:Hello", "c: there", "end0", "c:Look", "f0:{\"x", "f0:\":1}",
                                     "f1:{}", "end1", "END"));
}

TEST(TurnCursorTest, MarksFirstLastAndToolFields) {
  const Script s = MustParse(R"({"turns": [{"messages": [
      {"text": "ab", "chunks": 2},
      {"tool_calls": [{"id": "c1", "name": "a", "fragments": 2}]}]}]})");
  TurnCursor cursor(s.turns[0], 1);
  const TurnEvent* ev = &cursor.Next();
  EXPECT_TRUE(ev->first_in_message);
  EXPECT_FALSE(ev->last_chunk);
  ev = &cursor.Next();
  EXPECT_FALSE(ev->first_in_message);
  EXPECT_EQ(cursor.Next().kind, Kind::kMessageEnd);
  ev = &cursor.Next();
  EXPECT_TRUE(ev->first_in_message);
  EXPECT_TRUE(ev->is_tool_fragment);
  EXPECT_TRUE(ev->first_fragment);
  EXPECT_FALSE(ev->last_fragment);
  EXPECT_EQ(ev->tool_id, "c1");
  EXPECT_EQ(ev->tool->name, "a");
  ev = &cursor.Next();
  EXPECT_TRUE(ev->last_fragment);
  EXPECT_TRUE(ev->last_chunk);
  const TurnEvent& end = cursor.Next();
  EXPECT_EQ(end.kind, Kind::kMessageEnd);
  EXPECT_TRUE(end.has_tool_calls);
  EXPECT_EQ(cursor.Next().kind, Kind::kEnd);
  EXPECT_EQ(cursor.Next().kind, Kind::kEnd);  // stays at the end
  EXPECT_EQ(cursor.chunks_delivered(), 4);
}

TEST(TurnCursorTest, DelaysAndSeededJitter) {
  const Script s = MustParse(R"({"turns": [{"time_to_first_chunk_ms": 100, "chunk_delay_ms": 10,
      "jitter_ms": 5, "messages": [{"chunks": 20, "chunk_size": 1}]}]})");
  std::vector<int64_t> first;
  std::vector<int64_t> second;
  for (std::vector<int64_t>* out : {&first, &second}) {
    TurnCursor cursor(s.turns[0], 77);
    for (const TurnEvent* ev = &cursor.Next(); ev->kind == Kind::kChunk; ev = &cursor.Next()) {
      out->push_back(ev->delay.count());
    }
  }
  ASSERT_EQ(first.size(), 20u);
  EXPECT_EQ(first, second);  // same seed, same jitter
  EXPECT_GE(first[0], 100);
  EXPECT_LE(first[0], 105);
  bool varied = false;
  for (size_t i = 1; i < first.size(); ++i) {
    EXPECT_GE(first[i], 10);
    EXPECT_LE(first[i], 15);
    varied |= first[i] != first[1];
  }
  EXPECT_TRUE(varied) << "jitter should vary over 19 chunks";
}

TEST(TurnCursorTest, GeneratedTextIsSeededAndSized) {
  const Script s = MustParse(R"({"turns": [{"messages": [{"chunks": 6, "chunk_size": 7}]}]})");
  const std::vector<std::string> a = Trace(s.turns[0], 5);
  const std::vector<std::string> b = Trace(s.turns[0], 5);
  const std::vector<std::string> c = Trace(s.turns[0], 6);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  ASSERT_EQ(a.size(), 8u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(a[i].size(), 2u + 7u) << a[i];  // "c:" + 7 bytes
}

TEST(TurnCursorTest, SeededToolIdsDependOnTheTurnSeed) {
  const Script s = MustParse(R"({"turns": [{"messages": [{"tool_calls": [{"name": "t"}]}]}]})");
  TurnCursor a(s.turns[0], 1);
  TurnCursor b(s.turns[0], 2);
  const std::string id_a(a.Next().tool_id);
  const std::string id_b(b.Next().tool_id);
  EXPECT_THAT(id_a, ::testing::MatchesRegex("call_[0-9a-f]{16}"));
  EXPECT_NE(id_a, id_b);
  TurnCursor again(s.turns[0], 1);
  EXPECT_EQ(std::string(again.Next().tool_id), id_a);
}

TEST(TurnCursorTest, PlacesFailuresAfterChunkK) {
  auto trace_with = [&](const std::string& failure) {
    const Script s = MustParse(R"({"turns": [{"messages": [{"text": "abcd", "chunks": 4}],
                                              "failure": )" +
                               failure + "}]}");
    return Trace(s.turns[0]);
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(trace_with(R"({"kind": "error_frame", "after_chunk": 2})"),
              ElementsAre("c:a", "c:b", "FAIL", "END"));
  EXPECT_THAT(trace_with(R"({"kind": "stall", "after_chunk": 0})"), ElementsAre("FAIL", "END"));
  EXPECT_THAT(trace_with(R"({"kind": "abrupt_close", "after_chunk": 4})"),
              ElementsAre("c:a", "c:b", "c:c", "c:d", "FAIL", "END"));
  // A corrupt frame does not end the stream.
  EXPECT_THAT(trace_with(R"({"kind": "corrupt_frame", "after_chunk": 1})"),
              ElementsAre("c:a", "FAIL", "c:b", "c:c", "c:d", "end0", "END"));
  EXPECT_THAT(trace_with(R"({"kind": "duplicate_frame", "after_chunk": 3})"),
              ElementsAre("c:a", "c:b", "c:c", "c(dup):c", "c:d", "end0", "END"));
  // Time- and end-based failures are the player's business.
  EXPECT_THAT(trace_with(R"({"kind": "no_done"})"),
              ElementsAre("c:a", "c:b", "c:c", "c:d", "end0", "END"));
}

TEST(TurnCursorTest, PlannedChunksFollowTheFailure) {
  auto planned = [](const std::string& failure) {
    const Script s =
        MustParse(R"({"turns": [{"messages": [{"chunks": 5}], "failure": )" + failure + "}]}");
    return PlannedChunks(s.turns[0]);
  };
  EXPECT_EQ(planned(R"({"kind": "error_frame", "after_chunk": 2})"), 2);
  EXPECT_EQ(planned(R"({"kind": "stall", "after_chunk": 3})"), 3);
  EXPECT_EQ(planned(R"({"kind": "duplicate_frame", "after_chunk": 3})"), 6);
  EXPECT_EQ(planned(R"({"kind": "corrupt_frame", "after_chunk": 3})"), 5);
  EXPECT_EQ(planned(R"({"kind": "no_done"})"), 5);
  const Script pre = MustParse(R"({"turns": [{"failure": {"kind": "http_429"}}]})");
  EXPECT_EQ(PlannedChunks(pre.turns[0]), 0);
}

TEST(TurnCursorTest, LastChunkMarksTheDuplicateWhenTheLastChunkIsDuplicated) {
  const Script s = MustParse(R"({"turns": [{"messages": [{"text": "ab", "chunks": 2}],
      "failure": {"kind": "duplicate_frame", "after_chunk": 2}}]})");
  TurnCursor cursor(s.turns[0], 1);
  EXPECT_FALSE(cursor.Next().last_chunk);
  EXPECT_FALSE(cursor.Next().last_chunk);
  const TurnEvent& dup = cursor.Next();
  EXPECT_TRUE(dup.duplicated);
  EXPECT_TRUE(dup.last_chunk);
}

TEST(SelectTurnTest, ChoosesByAssistantTurnsAndWrapsOnlyWithLoop) {
  Script s = MustParse(R"({"name": "two", "turns": [{"messages": [{"text": "a"}]},
                                                     {"messages": [{"text": "b"}]}]})");
  std::string why;
  EXPECT_EQ(SelectTurn(s, 0, &why), &s.turns[0]);
  EXPECT_EQ(SelectTurn(s, 1, &why), &s.turns[1]);
  EXPECT_EQ(SelectTurn(s, 2, &why), nullptr);
  EXPECT_THAT(why, ::testing::HasSubstr("script \"two\" is exhausted"));
  s.loop = true;
  EXPECT_EQ(SelectTurn(s, 2, &why), &s.turns[0]);
  EXPECT_EQ(SelectTurn(s, 5, &why), &s.turns[1]);
}

TEST(SelectTurnTest, TurnSeedDependsOnConversationAndTurnOnly) {
  EXPECT_EQ(TurnSeed(1, "hello", 0), TurnSeed(1, "hello", 0));
  EXPECT_NE(TurnSeed(1, "hello", 0), TurnSeed(1, "hello", 1));
  EXPECT_NE(TurnSeed(1, "hello", 0), TurnSeed(1, "hullo", 0));
  EXPECT_NE(TurnSeed(1, "hello", 0), TurnSeed(2, "hello", 0));
}

TEST(ResolveUsageTest, ScriptedOrDerived) {
  const Script s = MustParse(R"({"turns": [
      {"messages": [{"chunks": 3}]},
      {"messages": [{"chunks": 3}], "usage": {"input_tokens": 7}}]})");
  TokenUsage derived = ResolveUsage(s.turns[0], 40);
  EXPECT_EQ(derived.input_tokens, 11);  // 40 / 4 + 1
  EXPECT_EQ(derived.output_tokens, 3);  // one per chunk
  EXPECT_EQ(derived.total_tokens, 14);
  TokenUsage scripted = ResolveUsage(s.turns[1], 40);
  EXPECT_EQ(scripted.input_tokens, 7);
  EXPECT_EQ(scripted.total_tokens, 10);
}

}  // namespace
}  // namespace goose::mock
