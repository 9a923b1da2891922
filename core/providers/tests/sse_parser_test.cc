#include "core/providers/sse_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace goose {

// Found by argument-dependent lookup, so it lives in goose, not in the
// anonymous namespace.
void PrintTo(const SseEvent& e, std::ostream* os) {
  *os << "{event=\"" << e.event << "\" data=\"" << e.data << "\" id=\"" << e.id << "\"}";
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Feeds `stream` cut at `cuts` (ascending offsets) and returns the events.
std::vector<SseEvent> ParseInSlices(std::string_view stream, const std::vector<size_t>& cuts) {
  SseParser parser;
  std::vector<SseEvent> events;
  size_t from = 0;
  for (size_t cut : cuts) {
    EXPECT_TRUE(parser.Feed(stream.substr(from, cut - from), &events).ok());
    from = cut;
  }
  EXPECT_TRUE(parser.Feed(stream.substr(from), &events).ok());
  return events;
}

// Every feature at once: "\r\n" and "\n" and "\r" line ends, a comment, a
// named event, multi-line data, an id, "data:" without a space, a 4-byte
// UTF-8 character (U+1F600) and a 3-byte one (U+20AC).
constexpr std::string_view kStream =
    ": keep-alive comment\r\n"
    "data: {\"text\":\"grin \xF0\x9F\x98\x80 euro \xE2\x82\xAC\"}\r\n"
    "\r\n"
    "event: update\n"
    "id: 42\n"
    "data: first line\n"
    "data:second line\n"
    "\n"
    "data: cr only\r"
    "\r"
    "data: [DONE]\n"
    "\n";

std::vector<SseEvent> Expected() {
  return {
      SseEvent{"", "{\"text\":\"grin \xF0\x9F\x98\x80 euro \xE2\x82\xAC\"}", ""},
      SseEvent{"update", "first line\nsecond line", "42"},
      SseEvent{"", "cr only", "42"},
      SseEvent{"", "[DONE]", "42"},
  };
}

TEST(SseParserTest, ParsesAWholeStream) { EXPECT_EQ(ParseInSlices(kStream, {}), Expected()); }

TEST(SseParserTest, EverySingleSplitPointGivesTheSameEvents) {
  for (size_t cut = 0; cut <= kStream.size(); ++cut) {
    EXPECT_EQ(ParseInSlices(kStream, {cut}), Expected()) << "split at " << cut;
  }
}

TEST(SseParserTest, EveryPairOfSplitPointsGivesTheSameEvents) {
  // Covers a cut inside the 4-byte character together with a cut between
  // "\r" and "\n", between two data lines, and so on.
  for (size_t a = 0; a <= kStream.size(); ++a) {
    for (size_t b = a; b <= kStream.size(); ++b) {
      ASSERT_EQ(ParseInSlices(kStream, {a, b}), Expected()) << "split at " << a << ", " << b;
    }
  }
}

TEST(SseParserTest, ByteByByteGivesTheSameEvents) {
  std::vector<size_t> cuts;
  for (size_t i = 1; i < kStream.size(); ++i) cuts.push_back(i);
  EXPECT_EQ(ParseInSlices(kStream, cuts), Expected());
}

TEST(SseParserTest, SplitInsideAFourByteCharacterKeepsItWhole) {
  const std::string stream = "data: \xF0\x9F\x98\x80\n\n";
  for (size_t cut = 7; cut <= 9; ++cut) {  // inside the character
    std::vector<SseEvent> events = ParseInSlices(stream, {cut});
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].data, "\xF0\x9F\x98\x80");
  }
}

TEST(SseParserTest, CommentsAndEventsWithoutDataAreNotDispatched) {
  SseParser parser;
  std::vector<SseEvent> events;
  ASSERT_TRUE(
      parser.Feed(": only a comment\n\nevent: named\n\nid: 7\n\nretry: 1500\n\n", &events).ok());
  EXPECT_THAT(events, IsEmpty());
  EXPECT_EQ(parser.retry_ms(), 1500);
  // The event name of an undispatched event does not leak into the next one,
  // the id does (it is the stream's last event id).
  ASSERT_TRUE(parser.Feed("data: x\n\n", &events).ok());
  EXPECT_THAT(events, ElementsAre(SseEvent{"", "x", "7"}));
}

TEST(SseParserTest, FieldSyntaxFollowsTheSpec) {
  SseParser parser;
  std::vector<SseEvent> events;
  ASSERT_TRUE(parser
                  .Feed("data\n"               // no colon: empty value
                        "data:  two spaces\n"  // only one space is dropped
                        "unknown: ignored\n"
                        "data: a: b\n"  // only the first colon splits
                        "\n",
                        &events)
                  .ok());
  EXPECT_THAT(events, ElementsAre(SseEvent{"", "\n two spaces\na: b", ""}));
}

TEST(SseParserTest, EmptyDataLineGivesAnEventWithEmptyData) {
  SseParser parser;
  std::vector<SseEvent> events;
  ASSERT_TRUE(parser.Feed("data:\n\n", &events).ok());
  EXPECT_THAT(events, ElementsAre(SseEvent{"", "", ""}));
}

TEST(SseParserTest, ByteOrderMarkAtTheStartIsSkippedEvenWhenSplit) {
  const std::string stream =
      "\xEF\xBB\xBF"
      "data: x\n\n";
  for (size_t cut = 0; cut <= 4; ++cut) {
    EXPECT_THAT(ParseInSlices(stream, {cut}), ElementsAre(SseEvent{"", "x", ""}));
  }
}

TEST(SseParserTest, ReportsAPartialEvent) {
  SseParser parser;
  std::vector<SseEvent> events;
  EXPECT_FALSE(parser.HasPartialEvent());
  ASSERT_TRUE(parser.Feed("data: complete\n\ndata: cut", &events).ok());
  EXPECT_TRUE(parser.HasPartialEvent());
  EXPECT_EQ(parser.buffered_bytes(), std::string("data: cut").size());
  ASSERT_TRUE(parser.Feed("\n", &events).ok());
  EXPECT_TRUE(parser.HasPartialEvent());  // the line is done, the event is not
  ASSERT_TRUE(parser.Feed("\n", &events).ok());
  EXPECT_FALSE(parser.HasPartialEvent());
  EXPECT_EQ(parser.buffered_bytes(), 0u);
  EXPECT_EQ(events.size(), 2u);
}

TEST(SseParserTest, OverlongLineFailsAndStaysFailed) {
  SseParser parser(SseParser::Limits{.max_line_bytes = 64, .max_event_bytes = 1024});
  std::vector<SseEvent> events;
  ASSERT_TRUE(parser.Feed("data: ok\n\n", &events).ok());
  Status s = parser.Feed("data: " + std::string(100, 'x'), &events);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("longer than 64 bytes"));
  EXPECT_EQ(parser.Feed("\n\ndata: more\n\n", &events).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(events.size(), 1u);  // only the event before the bad line
  EXPECT_EQ(parser.buffered_bytes(), 0u);
}

TEST(SseParserTest, OverlongLineSpreadOverManySlicesFails) {
  SseParser parser(SseParser::Limits{.max_line_bytes = 64, .max_event_bytes = 1024});
  std::vector<SseEvent> events;
  Status s;
  for (int i = 0; i < 100 && s.ok(); ++i) s = parser.Feed("xxxx", &events);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_LE(parser.buffered_bytes(), 64u);
}

TEST(SseParserTest, OversizeEventFails) {
  SseParser parser(SseParser::Limits{.max_line_bytes = 64, .max_event_bytes = 100});
  std::vector<SseEvent> events;
  Status s;
  for (int i = 0; i < 20 && s.ok(); ++i) s = parser.Feed("data: 0123456789\n", &events);
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("event's data"));
  EXPECT_THAT(events, IsEmpty());
}

TEST(SseParserTest, RandomGarbageNeverGrowsPastTheLimits) {
  const SseParser::Limits limits{.max_line_bytes = 256, .max_event_bytes = 1024};
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 64);
  for (int round = 0; round < 200; ++round) {
    SseParser parser(limits);
    std::vector<SseEvent> events;
    for (int slice = 0; slice < 50; ++slice) {
      std::string bytes(static_cast<size_t>(length(rng)), '\0');
      for (char& c : bytes) {
        // Mostly line ends, colons and letters, so lines and fields do form.
        int b = byte(rng);
        c = b < 40 ? '\n' : b < 60 ? '\r' : b < 80 ? ':' : b < 120 ? 'd' : static_cast<char>(b);
      }
      if (!parser.Feed(bytes, &events).ok()) break;
      ASSERT_LE(parser.buffered_bytes(), limits.max_line_bytes + limits.max_event_bytes + 256);
    }
    for (const SseEvent& e : events) ASSERT_LE(e.data.size(), limits.max_event_bytes);
  }
}

}  // namespace
}  // namespace goose
