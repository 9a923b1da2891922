// The hostile gates' canaries (label hostile): each lifts one limit (a
// lift_* failpoint, core/base/failpoint.h) or takes it 4x (raise_*), and
// runs a gate that proves that limit, as a child process; the gate must
// then fail, for the reason the limit exists. A limit whose gate still
// passed without it, or with it raised, would be a limit no test stands
// behind.

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "scenarios/targets/run_program.h"

namespace goose::hostile {
namespace {

using namespace std::chrono_literals;

struct Canary {
  const char* failpoint;
  const char* gate;          // HostileGate.<gate>, or a whole test name when it has a '.'
  const char* shows;         // in the failed gate's output ("" for a crash)
  const char* variant = "";  // when one failpoint has several gates: the test's name suffix
};

void PrintTo(const Canary& c, std::ostream* os) { *os << c.failpoint; }

class HostileCanary : public ::testing::TestWithParam<Canary> {};

TEST_P(HostileCanary, TheGateFailsWithoutItsLimit) {
  const Canary& c = GetParam();
  Result<scenarios::ProgramRun> run = scenarios::RunToEnd(
      {GOOSE_HOSTILE_GATES_PATH,
       std::string("--gtest_filter=") +
           (std::string_view(c.gate).find('.') == std::string_view::npos ? "HostileGate." : "") +
           c.gate},
      {{"GOOSE_API_FAILPOINTS", c.failpoint}, {"GOOSE_GATE_REPORT_DIR", ""}}, 300s);
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  const std::string tail =
      run->out.size() > 3000 ? run->out.substr(run->out.size() - 3000) : run->out;
  EXPECT_FALSE(run->timed_out) << tail;
  // The gate must fail as a test fails (exit 1), for the limit's reason: a
  // crash (a signal), a misspelled failpoint or a bad argument (exit 2) is
  // not the gate catching the lifted limit.
  ASSERT_NE(*c.shows, '\0') << "a canary must say what its gate's failure shows";
  EXPECT_EQ(run->status.signal, 0) << c.gate << " died by a signal with " << c.failpoint << ":\n"
                                   << tail;
  EXPECT_EQ(run->status.exit_code, 1) << c.gate << " with " << c.failpoint << " on:\n" << tail;
  EXPECT_NE(run->out.find(c.shows), std::string::npos)
      << c.gate << " did not fail for its limit (expected \"" << c.shows << "\"):\n"
      << tail;
}

const Canary kCanaries[] = {
    Canary{"lift_body_framing", "ChunkedBodyIsRefused", "peak over budget"},
    Canary{"lift_request_deadline", "TricklingClientsAreCutOffAndHoldNoWorker", "were not cut off"},
    Canary{"lift_connection_cap", "ConnectionFloodIsCappedAndKeyedRequestsStillServed",
           "over the cap"},
    Canary{"lift_head_limit", "HeaderWithoutEndIsCutAtTheHeadLimit", "peak over budget"},
    Canary{"lift_json_depth", "DeeplyNestedToolArgumentsAreAToolError",
           "were not refused as a tool error"},
    Canary{"lift_reply_limits", "EndlessTextFromTheProviderFailsTheReply", "peak over budget"},
    Canary{"lift_provider_head", "EndlessResponseHeadersFailTheReply", "peak over budget"},
    Canary{"lift_data_watchdog", "KeepAliveCommentsAloneTimeOut",
           "expected an answer naming \"only keep-alive comments\""},
    Canary{"lift_token_saturation", "TokenCountsAtInt64MaxSaturate", "did not saturate"},
    Canary{"lift_request_framing", "Rules/MisframedGate.IsRefusedWith400NamingTheRule/two_lengths",
           "expected an answer naming", "two_lengths"},
    Canary{"lift_request_framing", "Rules/MisframedGate.IsRefusedWith400NamingTheRule/folded_line",
           "expected an answer naming", "folded_line"},
    Canary{"lift_request_framing",
           "Rules/MisframedGate.IsRefusedWith400NamingTheRule/bare_line_feeds",
           "expected an answer naming", "bare_line_feeds"},
    Canary{"lift_close_linger", "PipelinedBurstIsAnsweredInOrderWithoutAReset",
           "the connection was reset"},
    Canary{"lift_mcp_line", "HugeToolResultIsAToolError", "peak over budget"},
    Canary{"lift_sse_line", "ALineWithoutNewlineFailsTheReply", "peak over budget", "no_newline"},
    Canary{"lift_sse_line", "OneHugeDeltaFailsTheReply", "peak over budget", "huge_delta"},
    // Each case of a lifted limit that fails in a second or two (the
    // flooding ones take 10-24 s each: docs/reliability.md).
    Canary{"lift_head_limit", "HeadJustOverTheHeadLimitIsRefused",
           "a head over GOOSE_API_MAX_HEADER_BYTES was not refused", "head_just_over"},
    Canary{"lift_json_depth", "DeepJsonBodyIsRefused", "peak over budget", "deep_body"},
    Canary{"lift_json_depth", "JsonOneLevelTooDeepIsRefused",
           "expected an answer naming \"GOOSE_API_MAX_JSON_DEPTH\"", "one_level_over"},
    Canary{"lift_json_depth", "DeeplyNestedChunkFailsTheReply", "peak over budget", "nested_chunk"},
    Canary{"lift_reply_limits", "OneToolCallOverTheLimitFailsTheReply",
           "expected an answer naming \"GOOSE_API_MAX_TOOL_CALLS\"", "one_tool_call_over"},
    Canary{"lift_provider_head", "ProviderHeadJustOverItsLimitFailsTheReply",
           "expected an answer naming \"head is larger than\"", "head_just_over"},
    Canary{"lift_mcp_line", "ExtensionLineWithoutEndIsAToolError", "peak over budget",
           "line_without_end"},
    Canary{"raise_body_limit", "WideValidJsonJustOverTheBodyLimitIsRefused",
           "expected an answer naming"},
    Canary{"raise_message_bytes", "EndlessTextFromTheProviderFailsTheReply", "peak over budget"},
    Canary{"raise_sse_line", "ALineWithoutNewlineFailsTheReply", "peak over budget", "no_newline"},
    Canary{"raise_sse_line", "OneHugeDeltaFailsTheReply", "peak over budget", "huge_delta"},
    Canary{"raise_mcp_line", "HugeToolResultIsAToolError", "peak over budget", "huge_result"},
    Canary{"raise_mcp_line", "ExtensionLineWithoutEndIsAToolError", "peak over budget",
           "line_without_end"},
    Canary{"raise_head_bytes", "HeadJustOverTheHeadLimitIsRefused",
           "a head over GOOSE_API_MAX_HEADER_BYTES was not refused"},
    Canary{"raise_provider_head", "ProviderHeadJustOverItsLimitFailsTheReply",
           "expected an answer naming \"head is larger than\""},
    // Seen since the heap peak is exact (+0.52 MiB over a 0.5 MiB budget,
    // five runs of five); sampled, it was missed.
    Canary{"raise_provider_head", "EndlessResponseHeadersFailTheReply", "peak over budget",
           "endless_headers"},
    Canary{"raise_connection_cap", "ConnectionFloodIsCappedAndKeyedRequestsStillServed",
           "over the cap"},
    Canary{"raise_answer_buffer", "SlowReadersOfALargeSessionHoldNoWorker", "peak over budget"},
    Canary{"raise_json_depth", "JsonOneLevelTooDeepIsRefused",
           "expected an answer naming \"GOOSE_API_MAX_JSON_DEPTH\""},
    Canary{"raise_tool_calls", "OneToolCallOverTheLimitFailsTheReply",
           "expected an answer naming \"GOOSE_API_MAX_TOOL_CALLS\""},
    Canary{"raise_request_deadline", "TricklingClientsAreCutOffAndHoldNoWorker",
           "were not cut off"},
    Canary{"lift_body_limit", "WideValidJsonJustOverTheBodyLimitIsRefused",
           "expected an answer naming \"GOOSE_API_MAX_BODY_BYTES\""},
    Canary{"raise_keep_alive_requests", "PipelinedBurstIsAnsweredInOrderWithoutAReset",
           "not closed after exactly the connection's allowance of answers"},
    Canary{"raise_provider_idle_timeout", "KeepAliveCommentsAloneTimeOut",
           "did not end the wait within"},
    Canary{"lift_extension_timeout", "ExtensionThatNeverAnswersACallIsAToolError",
           "did not end the wait within", "never_answers"},
    Canary{"lift_extension_timeout", "ExtensionThatNeverInitializesIsRefusedAtAdd",
           "did not end the wait within", "never_initializes"},
    Canary{"raise_extension_timeout", "ExtensionThatNeverAnswersACallIsAToolError",
           "did not end the wait within", "never_answers"},
    Canary{"raise_extension_timeout", "ExtensionThatNeverInitializesIsRefusedAtAdd",
           "did not end the wait within", "never_initializes"},
    Canary{"keep_notifications", "NotificationFloodIsAbsorbed", "peak over budget"},
    Canary{"lift_json_depth", "ToolResultOneLevelTooDeepIsAToolError",
           "no tool failure naming \"GOOSE_API_MAX_JSON_DEPTH\"", "tool_result_one_level_over"},
    Canary{"raise_json_depth", "ToolResultOneLevelTooDeepIsAToolError",
           "no tool failure naming \"GOOSE_API_MAX_JSON_DEPTH\"", "tool_result_one_level_over"},
    Canary{"write_on_worker", "SlowReadersOfALargeSessionHoldNoWorker",
           "held up by clients that do not read"},
    Canary{"lift_answer_budget", "SlowReadersOfALargeSessionHoldNoWorker", "peak over budget"},
    Canary{"answer_dom", "OneLargeAnswerPeaksAtItsSize", "peak over budget"},
#if !defined(GOOSE_HEAP_BACKEND_SANITIZER) && !defined(GOOSE_TSAN)
    // A sanitizer's allocator is never asked to give memory back
    // (memory_release.h): nothing for the failpoint to take away there.
    Canary{"keep_freed_memory", "SlowReadersOfALargeSessionHoldNoWorker",
           "stayed resident after their clients left"},
#endif
};

INSTANTIATE_TEST_SUITE_P(Limits, HostileCanary, ::testing::ValuesIn(kCanaries),
                         [](const ::testing::TestParamInfo<Canary>& info) {
                           return std::string(info.param.failpoint) +
                                  (*info.param.variant != '\0'
                                       ? std::string("_") + info.param.variant
                                       : "");
                         });

}  // namespace
}  // namespace goose::hostile
