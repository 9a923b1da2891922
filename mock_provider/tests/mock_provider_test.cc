#include "mock_provider/mock_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

#include "core/base/resource_ledger.h"
#include "harness/test_util.h"
#include "mock_provider/tests/test_scripts.h"

namespace goose::mock {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MustParse;

// Generous bound for waits on another thread; never a timing assertion.

ProviderRequest Prompt(const std::string& text) {
  ProviderRequest req;
  req.conversation.push_back(Message::User(text));
  return req;
}

std::vector<std::string> Texts(const std::vector<Message>& messages) {
  std::vector<std::string> out;
  for (const Message& m : messages) out.push_back(m.Text());
  return out;
}

// Every item of a stream as one comparable string.
std::vector<std::string> ItemTrace(ReplyStream& stream) {
  std::vector<std::string> out;
  StreamItem item;
  while (stream.Next(&item)) {
    std::string s = item.message_id + "|";
    for (const Content& c : item.delta.content) s += JsonDump(ContentToJson(c));
    out.push_back(s);
  }
  return out;
}

// The ledger gauges a stream counts itself in, before and after.
struct StreamGauges {
  int64_t live = ResourceLedger::Global().Get(Gauge::kLiveStreams);
  int64_t bytes = ResourceLedger::Global().Get(Gauge::kStreamBufferedBytes);
};

constexpr char kThreeMessages[] = R"({"name": "three", "turns": [{"messages": [
    {"text": "First message.", "chunks": 3},
    {"text": "Second one, a bit longer.", "chunks": 5},
    {"text": "Third.", "chunks": 2}]}]})";

TEST(MockProviderTest, DrainsEveryMessageWithExactTexts) {
  MockProvider provider(MustParse(kThreeMessages));
  auto stream = provider.Stream(Prompt("hi"));
  DrainResult r = Drain(*stream);
  ASSERT_FALSE(r.error.has_value()) << r.error->ToString();
  EXPECT_THAT(Texts(r.messages),
              ElementsAre("First message.", "Second one, a bit longer.", "Third."));
  EXPECT_EQ(r.items, 10u);  // one item per chunk
  for (const Message& m : r.messages) EXPECT_EQ(m.role, Role::kAssistant);
  const MockStats s = provider.stats().Snapshot();
  EXPECT_EQ(s.streams_started, 1);
  EXPECT_EQ(s.streams_completed, 1);
  EXPECT_EQ(s.chunks_produced, 10);
  EXPECT_EQ(s.chunks_consumed, 10);
  EXPECT_EQ(s.requests, 1);
}

TEST(MockProviderTest, ItemsOfOneMessageShareAnIdAndMessagesDiffer) {
  MockProvider provider(MustParse(kThreeMessages));
  auto stream = provider.Stream(Prompt("hi"));
  std::vector<std::string> ids;
  StreamItem item;
  while (stream->Next(&item)) ids.push_back(item.message_id);
  EXPECT_THAT(ids, ElementsAre("mock-0-0", "mock-0-0", "mock-0-0", "mock-0-1", "mock-0-1",
                               "mock-0-1", "mock-0-1", "mock-0-1", "mock-0-2", "mock-0-2"));
}

TEST(MockProviderTest, AssemblesToolCallFromFragments) {
  MockProvider provider(MustParse(R"({"turns": [{"messages": [
      {"text": "Let me look.", "chunks": 2,
       "tool_calls": [{"id": "call_1", "name": "developer__shell",
                       "arguments": {"command": "ls -la", "timeout": 5}, "fragments": 4},
                      {"name": "developer__text_editor", "arguments": {"path": "/tmp/x"},
                       "fragments": 2}]}]}]})"));
  auto stream = provider.Stream(Prompt("list files"));
  DrainResult r = Drain(*stream);
  ASSERT_FALSE(r.error.has_value()) << r.error->ToString();
  EXPECT_EQ(r.items, 4u);  // two text chunks and one item per complete tool call
  ASSERT_EQ(r.messages.size(), 1u);
  const Message& m = r.messages[0];
  EXPECT_EQ(m.Text(), "Let me look.");
  std::vector<const ToolRequestContent*> calls = m.ToolRequests();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0]->id, "call_1");
  ASSERT_TRUE(calls[0]->tool_call.ok());
  EXPECT_EQ(calls[0]->tool_call.value->name, "developer__shell");
  EXPECT_EQ(calls[0]->tool_call.value->arguments, Json({{"command", "ls -la"}, {"timeout", 5}}));
  EXPECT_THAT(calls[1]->id, ::testing::StartsWith("call_"));
  ASSERT_TRUE(calls[1]->tool_call.ok());
  EXPECT_EQ(calls[1]->tool_call.value->arguments, Json({{"path", "/tmp/x"}}));
  // Produced counts every fragment.
  EXPECT_EQ(provider.stats().Snapshot().chunks_consumed, 2 + 4 + 2);
}

TEST(MockProviderTest, UsageOnTheLastItemScriptedOrDerived) {
  MockProvider provider(MustParse(R"({"turns": [
      {"messages": [{"text": "abc", "chunks": 3}], "usage": {"input_tokens": 12, "output_tokens": 34}},
      {"messages": [{"chunks": 2}]}]})"));
  auto stream = provider.Stream(Prompt("hi"));
  StreamItem item;
  std::vector<bool> has_usage;
  std::optional<TokenUsage> usage;
  while (stream->Next(&item)) {
    has_usage.push_back(item.usage.has_value());
    if (item.usage) usage = item.usage;
  }
  EXPECT_THAT(has_usage, ElementsAre(false, false, true));
  ASSERT_TRUE(usage.has_value());
  EXPECT_EQ(usage->input_tokens, 12);
  EXPECT_EQ(usage->output_tokens, 34);
  EXPECT_EQ(usage->total_tokens, 46);

  ProviderRequest second = Prompt("0123456789012345678");  // 19 bytes
  second.conversation.push_back(Message::Assistant("x"));  // 1 byte
  second.conversation.push_back(Message::User(""));
  auto derived = provider.Stream(second);
  DrainResult r = Drain(*derived);
  ASSERT_TRUE(r.usage.has_value());
  EXPECT_EQ(r.usage->input_tokens, 20 / 4 + 1);
  EXPECT_EQ(r.usage->output_tokens, 2);
}

TEST(MockProviderTest, EachFailureMapsToItsProviderError) {
  struct Case {
    const char* failure;
    ProviderErrorKind kind;
    int http_status;
    size_t items_before;
  };
  const Case cases[] = {
      {R"({"kind": "http_429", "retry_after_s": 3})", ProviderErrorKind::kRateLimited, 429, 0},
      {R"({"kind": "http_500"})", ProviderErrorKind::kServerError, 500, 0},
      {R"({"kind": "http_500", "status": 503})", ProviderErrorKind::kServerError, 503, 0},
      {R"({"kind": "context_length_exceeded"})", ProviderErrorKind::kContextLengthExceeded, 400, 0},
      {R"({"kind": "error_frame", "after_chunk": 2})", ProviderErrorKind::kServerError, 0, 2},
      {R"({"kind": "error_frame", "after_chunk": 1, "code": "context_length_exceeded"})",
       ProviderErrorKind::kContextLengthExceeded, 0, 1},
      {R"({"kind": "abrupt_close", "after_chunk": 3})", ProviderErrorKind::kTransport, 0, 3},
      {R"({"kind": "no_done"})", ProviderErrorKind::kTransport, 0, 4},
      {R"({"kind": "corrupt_frame", "after_chunk": 1})", ProviderErrorKind::kBadResponse, 0, 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.failure);
    const bool pre_stream = c.http_status != 0;
    const std::string messages = pre_stream ? "" : R"("messages": [{"chunks": 4}], )";
    MockProvider provider(MustParse(std::string(R"({"turns": [{)") + messages + R"("failure": )" +
                                    c.failure + "}]}"));
    auto stream = provider.Stream(Prompt("hi"));
    DrainResult r = Drain(*stream);
    EXPECT_EQ(r.items, c.items_before);
    ASSERT_TRUE(r.error.has_value());
    EXPECT_EQ(r.error->kind, c.kind) << r.error->ToString();
    EXPECT_EQ(r.error->http_status, c.http_status);
    EXPECT_FALSE(r.error->message.empty());
    const MockStats s = provider.stats().Snapshot();
    EXPECT_EQ(s.streams_failed, 1);
    EXPECT_TRUE(s.Settled());
    StreamItem item;
    EXPECT_FALSE(stream->Next(&item)) << "false stays false";
  }
  MockProvider rate_limited(
      MustParse(R"({"turns": [{"failure": {"kind": "http_429", "retry_after_s": 3}}]})"));
  auto stream = rate_limited.Stream(Prompt("hi"));
  DrainResult r = Drain(*stream);
  ASSERT_TRUE(r.error && r.error->retry_after);
  EXPECT_EQ(*r.error->retry_after, std::chrono::seconds(3));
}

TEST(MockProviderTest, AbruptCloseAfterMsCutsAWaitShort) {
  // The first chunk is due in an hour; the close after 20 ms comes first.
  MockProvider provider(MustParse(R"({"turns": [{"time_to_first_chunk_ms": 3600000,
      "messages": [{"chunks": 4}], "failure": {"kind": "abrupt_close", "after_ms": 20}}]})"));
  DrainResult r = Drain(*provider.Stream(Prompt("hi")));
  EXPECT_EQ(r.items, 0u);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->kind, ProviderErrorKind::kTransport);
  EXPECT_THAT(r.error->message, HasSubstr("after 20 ms"));
  EXPECT_EQ(provider.stats().Snapshot().streams_failed, 1);
}

TEST(MockProviderTest, DuplicateFrameDeliversChunkKTwice) {
  MockProvider provider(MustParse(R"({"turns": [{"messages": [{"text": "abcd", "chunks": 4}],
      "failure": {"kind": "duplicate_frame", "after_chunk": 2}}]})"));
  auto stream = provider.Stream(Prompt("hi"));
  DrainResult r = Drain(*stream);
  EXPECT_FALSE(r.error.has_value());
  EXPECT_THAT(Texts(r.messages), ElementsAre("abbcd"));
  EXPECT_EQ(provider.stats().Snapshot().streams_completed, 1);
  EXPECT_EQ(provider.stats().Snapshot().chunks_consumed, 5);
}

TEST(MockProviderTest, SameSeedSameItemsDifferentSeedDifferentText) {
  const char* kGenerated = R"({"turns": [{"messages": [{"chunks": 5}, {"chunks": 3,
      "tool_calls": [{"name": "t", "arguments": {"a": 1}}]}]}]})";
  MockProviderOptions seed7;
  seed7.seed = 7;
  MockProvider a(MustParse(kGenerated), seed7);
  MockProvider b(MustParse(kGenerated), seed7);
  MockProviderOptions seed8;
  seed8.seed = 8;
  MockProvider c(MustParse(kGenerated), seed8);
  const auto trace_a = ItemTrace(*a.Stream(Prompt("hello")));
  EXPECT_EQ(trace_a, ItemTrace(*b.Stream(Prompt("hello"))));
  EXPECT_EQ(trace_a, ItemTrace(*a.Stream(Prompt("hello"))));
  EXPECT_NE(trace_a, ItemTrace(*c.Stream(Prompt("hello"))));
  EXPECT_NE(trace_a, ItemTrace(*a.Stream(Prompt("other prompt"))));
  EXPECT_EQ(trace_a.size(), 5u + 3u + 1u);
}

// A conversation's next request after `turns` replies, following the agent
// loop: each reply is appended, then a new user message.
ProviderRequest Continue(ProviderRequest req, const std::vector<Message>& reply) {
  for (const Message& m : reply) req.conversation.push_back(m);
  req.conversation.push_back(Message::User("and then?"));
  return req;
}

TEST(MockProviderTest, InterleavingsDoNotChangePerConversationAnswers) {
  const char* kScript = R"({"turns": [{"messages": [{"chunks": 3}, {"chunks": 2}]},
                                      {"messages": [{"chunks": 4}]},
                                      {"messages": [{"chunks": 2, "tool_calls": [{"name": "t"}]}]}]})";
  // Sequentially: conversation A to its end, then B.
  auto play = [&](MockProvider& provider, const std::string& prompt) {
    std::vector<std::vector<std::string>> answers;
    ProviderRequest req = Prompt(prompt);
    for (int turn = 0; turn < 3; ++turn) {
      auto stream = provider.Stream(req);
      answers.push_back(ItemTrace(*stream));
      auto again = provider.Stream(req);
      req = Continue(req, Drain(*again).messages);
    }
    return answers;
  };
  MockProvider sequential(MustParse(kScript));
  const auto a_alone = play(sequential, "conversation A");
  const auto b_alone = play(sequential, "conversation B");
  EXPECT_NE(a_alone, b_alone);

  // Concurrently, many times over, on a fresh provider.
  MockProvider shared(MustParse(kScript));
  std::vector<std::vector<std::vector<std::string>>> results(8);
  {
    std::vector<std::jthread> threads;
    for (size_t i = 0; i < results.size(); ++i) {
      threads.emplace_back(
          [&, i] { results[i] = play(shared, i % 2 == 0 ? "conversation A" : "conversation B"); });
    }
  }
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i], i % 2 == 0 ? a_alone : b_alone) << "thread " << i;
  }
}

TEST(MockProviderTest, TurnIsTheNumberOfAssistantTurnsInTheConversation) {
  MockProvider provider(MustParse(R"({"turns": [{"messages": [{"text": "zero"}]},
      {"messages": [{"text": "one"}, {"text": "one-b"}]}, {"messages": [{"text": "two"}]}]})"));
  ProviderRequest req = Prompt("hi");
  EXPECT_THAT(Texts(Drain(*provider.Stream(req)).messages), ElementsAre("zero"));
  req.conversation.push_back(Message::Assistant("zero"));
  req.conversation.push_back(Message::User("tool result"));
  EXPECT_THAT(Texts(Drain(*provider.Stream(req)).messages), ElementsAre("one", "one-b"));
  // A multi-message reply counts as one turn.
  req.conversation.push_back(Message::Assistant("one"));
  req.conversation.push_back(Message::Assistant("one-b"));
  req.conversation.push_back(Message::User("next"));
  EXPECT_THAT(Texts(Drain(*provider.Stream(req)).messages), ElementsAre("two"));
}

TEST(MockProviderTest, ExhaustedScriptSaysSoAndLoopWraps) {
  const std::string kTurns = R"("turns": [{"messages": [{"text": "only"}]}])";
  MockProvider once(MustParse("{" + kTurns + "}"));
  ProviderRequest req = Prompt("hi");
  req.conversation.push_back(Message::Assistant("only"));
  req.conversation.push_back(Message::User("more"));
  DrainResult r = Drain(*once.Stream(req));
  EXPECT_TRUE(r.messages.empty()) << "never made-up text";
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->kind, ProviderErrorKind::kScriptExhausted);
  EXPECT_THAT(r.error->message, HasSubstr("exhausted"));
  EXPECT_EQ(once.stats().Snapshot().streams_failed, 1);

  MockProvider looping(MustParse(R"({"loop": true, )" + kTurns + "}"));
  r = Drain(*looping.Stream(req));
  EXPECT_FALSE(r.error.has_value());
  EXPECT_THAT(Texts(r.messages), ElementsAre("only"));
}

TEST(MockProviderTest, CompleteJoinsMessagesAndToolCalls) {
  MockProvider provider(MustParse(R"({"turns": [{"messages": [
      {"text": "Summary part one.", "chunks": 2},
      {"text": "Part two.", "tool_calls": [{"id": "c9", "name": "t", "arguments": {"k": "v"}}]}],
      "usage": {"input_tokens": 5, "output_tokens": 6}}]})"));
  Result<Completion, ProviderError> c = provider.Complete(Prompt("summarize"));
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->message.role, Role::kAssistant);
  EXPECT_EQ(c->message.Text(), "Summary part one.\nPart two.");
  ASSERT_EQ(c->message.ToolRequests().size(), 1u);
  EXPECT_EQ(c->message.ToolRequests()[0]->id, "c9");
  ASSERT_TRUE(c->usage.has_value());
  EXPECT_EQ(c->usage->output_tokens, 6);

  MockProvider failing(
      MustParse(R"({"turns": [{"failure": {"kind": "context_length_exceeded"}}]})"));
  Result<Completion, ProviderError> f = failing.Complete(Prompt("summarize"));
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().kind, ProviderErrorKind::kContextLengthExceeded);
}

// --- Cancellation and destruction at every point ---------------------------

constexpr char kLongTurn[] = R"({"turns": [{"messages": [
    {"text": "abcdef", "chunks": 6},
    {"tool_calls": [{"name": "t", "arguments": {"long": "0123456789"}, "fragments": 5}]},
    {"chunks": 10}]}]})";

// `abandoned`: the consumer left chunks behind (not so for a stall).
void ExpectCancelledAndGaugesRestored(MockProvider& provider, const StreamGauges& before,
                                      bool abandoned = true) {
  const StreamGauges after;
  EXPECT_EQ(after.live, before.live);
  EXPECT_EQ(after.bytes, before.bytes);
  const MockStats s = provider.stats().Snapshot();
  EXPECT_EQ(s.streams_started, 1);
  EXPECT_EQ(s.streams_cancelled, 1);
  EXPECT_EQ(s.streams_completed + s.streams_failed, 0);
  if (abandoned) EXPECT_LT(s.chunks_consumed, s.chunks_produced);
}

TEST(MockProviderCancelTest, DestroyBeforeFirstChunk) {
  const StreamGauges before;
  MockProvider provider(MustParse(kLongTurn));
  {
    auto stream = provider.Stream(Prompt("hi"));
    EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kLiveStreams), before.live + 1);
  }
  ExpectCancelledAndGaugesRestored(provider, before);
}

TEST(MockProviderCancelTest, DestroyMidMessage) {
  const StreamGauges before;
  MockProvider provider(MustParse(kLongTurn));
  {
    auto stream = provider.Stream(Prompt("hi"));
    StreamItem item;
    ASSERT_TRUE(stream->Next(&item));
    ASSERT_TRUE(stream->Next(&item));
  }
  ExpectCancelledAndGaugesRestored(provider, before);
  EXPECT_EQ(provider.stats().Snapshot().chunks_consumed, 2);
}

TEST(MockProviderCancelTest, DestroyMidToolCallAndInGeneratedText) {
  for (int items : {6, 8}) {  // after the text / inside the generated message
    SCOPED_TRACE(items);
    const StreamGauges before;
    MockProvider provider(MustParse(kLongTurn));
    {
      auto stream = provider.Stream(Prompt("hi"));
      StreamItem item;
      for (int i = 0; i < items; ++i) ASSERT_TRUE(stream->Next(&item));
      if (items == 8) {  // holds a generated chunk and a tool id
        EXPECT_GT(ResourceLedger::Global().Get(Gauge::kStreamBufferedBytes), before.bytes);
      }
    }
    ExpectCancelledAndGaugesRestored(provider, before);
  }
}

TEST(MockProviderCancelTest, CancelFromAnotherThreadWakesALongDelay) {
  const StreamGauges before;
  // A delay far beyond the test timeout: only Cancel() can end the wait.
  MockProvider provider(MustParse(
      R"({"turns": [{"time_to_first_chunk_ms": 3600000, "messages": [{"chunks": 3}]}]})"));
  {
    auto stream = provider.Stream(Prompt("hi"));
    std::jthread canceller([&] { stream->Cancel(); });
    StreamItem item;
    EXPECT_FALSE(stream->Next(&item));
    ASSERT_TRUE(stream->error().has_value());
    EXPECT_EQ(stream->error()->kind, ProviderErrorKind::kCancelled);
  }
  ExpectCancelledAndGaugesRestored(provider, before);
}

TEST(MockProviderCancelTest, CancelDuringAStallFromAnotherThread) {
  const StreamGauges before;
  MockProvider provider(MustParse(R"({"turns": [{"messages": [{"chunks": 4}],
      "failure": {"kind": "stall", "after_chunk": 2}}]})"));
  {
    auto stream = provider.Stream(Prompt("hi"));
    StreamItem item;
    ASSERT_TRUE(stream->Next(&item));
    ASSERT_TRUE(stream->Next(&item));
    std::jthread consumer([&] {
      StreamItem stalled;
      EXPECT_FALSE(stream->Next(&stalled));  // blocks in the stall
      EXPECT_EQ(stream->error()->kind, ProviderErrorKind::kCancelled);
    });
    stream->Cancel();
    consumer.join();
    EXPECT_TRUE(provider.stats().WaitUntil(
        [](const MockStats& s) { return s.streams_cancelled == 1; }, goose::testing::kTestWait));
  }
  ExpectCancelledAndGaugesRestored(provider, before, /*abandoned=*/false);
}

TEST(MockProviderCancelTest, DestroyDuringAStallBeforeAnyChunk) {
  const StreamGauges before;
  MockProvider provider(MustParse(R"({"turns": [{"messages": [{"chunks": 4}],
      "failure": {"kind": "stall", "after_chunk": 0}}]})"));
  {
    auto stream = provider.Stream(Prompt("hi"));
    // Whether Cancel() lands before or during the blocked Next(), it ends it.
    std::jthread canceller([&] { stream->Cancel(); });
    StreamItem item;
    EXPECT_FALSE(stream->Next(&item));
  }
  ExpectCancelledAndGaugesRestored(provider, before, /*abandoned=*/false);
}

TEST(MockProviderCancelTest, CancelAfterTheEndChangesNothing) {
  MockProvider provider(MustParse(kThreeMessages));
  auto stream = provider.Stream(Prompt("hi"));
  Drain(*stream);
  stream->Cancel();
  stream.reset();
  const MockStats s = provider.stats().Snapshot();
  EXPECT_EQ(s.streams_completed, 1);
  EXPECT_EQ(s.streams_cancelled, 0);
}

TEST(MockStatsTest, ResetForgetsStreamsThatStartedBefore) {
  MockProvider provider(MustParse(kThreeMessages));
  auto old_stream = provider.Stream(Prompt("hi"));
  provider.stats().Reset();
  EXPECT_EQ(provider.stats().Snapshot().streams_started, 0);
  old_stream.reset();  // its cancel belongs to the old epoch
  const MockStats s = provider.stats().Snapshot();
  EXPECT_EQ(s.streams_cancelled, 0);
  EXPECT_TRUE(s.Settled());
  Drain(*provider.Stream(Prompt("hi")));
  EXPECT_EQ(provider.stats().Snapshot().streams_completed, 1);
  EXPECT_TRUE(provider.stats().WaitUntilSettled(goose::testing::kTestWait));
}

TEST(MockStatsTest, WaitUntilSeesAStreamEndedOnAnotherThread) {
  MockProvider provider(MustParse(
      R"({"turns": [{"chunk_delay_ms": 1, "messages": [{"chunks": 20, "chunk_size": 1}]}]})"));
  auto stream = provider.Stream(Prompt("hi"));
  EXPECT_FALSE(provider.stats().Snapshot().Settled());
  std::jthread consumer([&] { Drain(*stream); });
  EXPECT_TRUE(provider.stats().WaitUntilSettled(goose::testing::kTestWait));
  EXPECT_EQ(provider.stats().Snapshot().streams_completed, 1);
}

// Not a timed assertion: drains a 100k-chunk stream and reports the rate
// (the brief asks for >= 1,000,000 chunks/s in the dev preset).
TEST(MockProviderThroughputTest, DrainsAHundredThousandChunks) {
  constexpr int kChunks = 100000;
  MockProvider provider(MustParse(R"({"turns": [{"messages": [{"chunks": )" +
                                  std::to_string(kChunks) + R"(, "chunk_size": 8}]}]})"));
  auto stream = provider.Stream(Prompt("throughput"));
  const auto start = std::chrono::steady_clock::now();
  DrainResult r = Drain(*stream);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(r.error.has_value());
  EXPECT_EQ(r.items, static_cast<size_t>(kChunks));
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_EQ(r.messages[0].Text().size(), static_cast<size_t>(kChunks) * 8);
  const double rate = kChunks / seconds;
  std::cout << "in-process drain: " << kChunks << " chunks in " << seconds * 1000
            << " ms = " << static_cast<int64_t>(rate) << " chunks/s\n";
  RecordProperty("chunks_per_second", std::to_string(static_cast<int64_t>(rate)));
}

}  // namespace
}  // namespace goose::mock
