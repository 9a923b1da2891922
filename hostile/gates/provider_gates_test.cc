// Hostile providers: endless text, huge deltas and lines, deep JSON,
// unbounded tool calls, INT64_MAX tokens, keep-alive comments alone,
// endless heads.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>

#include "core/model/reply_stream.h"
#include "core/providers/openai_config.h"
#include "core/providers/sse_parser.h"
#include "hostile/gates/hostile_gate.h"

namespace goose::hostile {
namespace {

using namespace std::chrono_literals;

mock::HostileLlmOptions Mode(mock::HostileMode mode, uint64_t size = 0) {
  mock::HostileLlmOptions o;
  o.mode = mode;
  o.size = size;
  o.hostile_replies = 1;
  o.max_bytes = 512ull << 20;  // a canary (limit lifted) must end too
  return o;
}

TEST_F(HostileGate, EndlessTextFromTheProviderFailsTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kEndlessText));
  Seed seed = MakeSeed();
  const HttpAnswer reply =
      MeasureReply("GOOSE_API_MAX_MESSAGE_BYTES", seed,
                   LimitBudget(kMessageBytesRule, ReplyLimits{}.max_message_bytes))
          .answer;
  ExpectAnswer(reply, 502, "GOOSE_API_MAX_MESSAGE_BYTES");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, OneHugeDeltaFailsTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kHugeDelta, 256ull << 20));
  Seed seed = MakeSeed();
  const HttpAnswer reply =
      MeasureReply("an SSE line at most 1 MiB", seed,
                   LimitBudget(kSseLineRule, SseParser::Limits{}.max_line_bytes))
          .answer;
  ExpectAnswer(reply, 502, "line");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, DeeplyNestedToolArgumentsAreAToolError) {
  StartWithHostileProvider(Mode(mock::HostileMode::kNestedArguments, 300'000));
  Seed seed = MakeSeed();
  const HttpAnswer reply = MeasureReply("GOOSE_API_MAX_JSON_DEPTH", seed, DepthBudget()).answer;
  ExpectAnswer(reply, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  Result<Session> stored = server_->store().Read(seed.id);
  ASSERT_TRUE(stored.ok());
  bool refused = false;
  for (const Message& m : stored->messages) {
    for (const ToolRequestContent* r : m.ToolRequests()) {
      refused =
          refused || (!r->tool_call.ok() &&
                      r->tool_call.error.find("GOOSE_API_MAX_JSON_DEPTH") != std::string::npos);
    }
  }
  EXPECT_TRUE(refused) << "the nested arguments were not refused as a tool error";
}

TEST_F(HostileGate, DeeplyNestedChunkFailsTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kNestedContent, 300'000));
  Seed seed = MakeSeed();
  const HttpAnswer reply = MeasureReply("GOOSE_API_MAX_JSON_DEPTH", seed, DepthBudget()).answer;
  ExpectAnswer(reply, 500, "GOOSE_API_MAX_JSON_DEPTH");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, UnboundedToolCallIndexesFailTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kManyToolIndexes, 200'000));
  Seed seed = MakeSeed();
  const HttpAnswer reply = MeasureReply("GOOSE_API_MAX_TOOL_CALLS", seed).answer;
  ExpectAnswer(reply, 502, "GOOSE_API_MAX_TOOL_CALLS");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

// One tool call over GOOSE_API_MAX_TOOL_CALLS in one turn fails the reply:
// the limit pinned by its default (the flood above fails at any limit).
TEST_F(HostileGate, OneToolCallOverTheLimitFailsTheReply) {
  StartWithHostileProvider(
      Mode(mock::HostileMode::kManyToolIndexes, ReplyLimits{}.max_tool_calls + 1));
  Seed seed = MakeSeed();
  const HttpAnswer reply = MeasureReply("GOOSE_API_MAX_TOOL_CALLS (one over it)", seed).answer;
  ExpectAnswer(reply, 502, "GOOSE_API_MAX_TOOL_CALLS");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, TokenCountsAtInt64MaxSaturate) {
  StartWithHostileProvider(Mode(mock::HostileMode::kMaxTokens));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("token arithmetic saturates", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "count"}});
  });
  ExpectAnswer(reply, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  Result<Session> stored = server_->store().Read(seed.id);
  ASSERT_TRUE(stored.ok());
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(stored->metadata.accumulated_total_tokens.value_or(0), max)
      << "accumulated token counts did not saturate";
  EXPECT_EQ(stored->metadata.accumulated_input_tokens.value_or(0), max)
      << "accumulated token counts did not saturate";
}

// Keep-alive comments without data end the reply when the idle timeout
// passes (1 s here, the shortest GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS
// takes), not at a later deadline: within TimeoutBound of it.
TEST_F(HostileGate, KeepAliveCommentsAloneTimeOut) {
  constexpr std::chrono::milliseconds kIdleTimeout = 1s;
  StartWithHostileProvider(Mode(mock::HostileMode::kPingOnly), kIdleTimeout);
  Seed seed = MakeSeed();
  const TimedAnswer reply =
      MeasureReply("GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS counts data, not comments", seed);
  ExpectAnswer(reply.answer, 500, "only keep-alive comments");
  ExpectEndedByTimeout("GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS", kIdleTimeout, reply.took);
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, EndlessResponseHeadersFailTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kEndlessHeaders));
  Seed seed = MakeSeed();
  const HttpAnswer reply =
      MeasureReply("a provider answer's head at most 64 KiB", seed,
                   LimitBudget(kProviderHeadRule, OpenAIConfig{}.max_head_bytes))
          .answer;
  ExpectAnswer(reply, 500, "head is larger than");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

// A provider answer whose head is 1 KiB under its limit is taken, one 1 KiB
// over it fails the reply: the limit pinned from both sides (the endless
// head above holds too little for a heap budget to see it raised).
TEST_F(HostileGate, ProviderHeadUnderItsLimitIsTaken) {
  StartWithHostileProvider(
      Mode(mock::HostileMode::kEndlessHeaders, OpenAIConfig{}.max_head_bytes - 1024));
  Seed seed = MakeSeed();
  const HttpAnswer reply =
      MeasureReply("a provider answer's head at most 64 KiB (1 KiB under it)", seed).answer;
  ExpectAnswer(reply, 200, "a large head");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, ProviderHeadJustOverItsLimitFailsTheReply) {
  StartWithHostileProvider(
      Mode(mock::HostileMode::kEndlessHeaders, OpenAIConfig{}.max_head_bytes + 1024));
  Seed seed = MakeSeed();
  const HttpAnswer reply =
      MeasureReply("a provider answer's head at most 64 KiB (1 KiB over it)", seed).answer;
  ExpectAnswer(reply, 500, "head is larger than");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, ALineWithoutNewlineFailsTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kNoNewline));
  Seed seed = MakeSeed();
  const HttpAnswer reply =
      MeasureReply("an SSE line at most 1 MiB", seed,
                   LimitBudget(kSseLineRule, SseParser::Limits{}.max_line_bytes))
          .answer;
  ExpectAnswer(reply, 502, "line");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

}  // namespace
}  // namespace goose::hostile
