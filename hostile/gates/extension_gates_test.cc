// Hostile extensions (mock-mcp's hostile tools): huge, deep and endless
// results, a notification flood, a call never answered, an initialize
// never answered.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/extensions/mcp_client.h"
#include "hostile/gates/hostile_gate.h"

namespace goose::hostile {
namespace {

using namespace std::chrono_literals;

// What the seeded session's stored tool responses say: ok, or the error.
struct StoredToolResult {
  bool ok = false;
  std::string error;
};
std::vector<StoredToolResult> StoredToolResults(TestServer& server, const Seed& seed) {
  std::vector<StoredToolResult> results;
  Result<Session> stored = server.store().Read(seed.id);
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
  if (!stored.ok()) return results;
  for (const Message& m : stored->messages) {
    if (!m.HasToolResponses()) continue;
    const auto& r = std::get<ToolResponseContent>(m.content[0]);
    results.push_back({r.tool_result.ok(), r.tool_result.error});
  }
  return results;
}

// The seeded session, then a reply whose tool call meets the extension's
// misbehaviour: the reply is answered, the tool's failure stored.
void ExpectToolFailure(TestServer& server, const Seed& seed, const std::string& why) {
  bool failed = false;
  for (const StoredToolResult& r : StoredToolResults(server, seed)) {
    failed = failed || (!r.ok && r.error.find(why) != std::string::npos);
  }
  EXPECT_TRUE(failed) << "no tool failure naming \"" << why << "\" was stored";
}

// The tool's answer was stored as a success; else `lost` says what failed.
void ExpectToolSuccess(TestServer& server, const Seed& seed, const std::string& lost) {
  bool answered = false;
  for (const StoredToolResult& r : StoredToolResults(server, seed)) answered = answered || r.ok;
  EXPECT_TRUE(answered) << lost;
}

TEST_F(HostileGate, HugeToolResultIsAToolError) {
  // A timeout that is not the point: the limit must fail the call the
  // moment the line passes it, not after 300 MB were read.
  StartWithHostileExtension("big_result", {{"bytes", 300'000'000}}, /*timeout_seconds=*/60);
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "GOOSE_API_MAX_MCP_LINE_BYTES",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "use it"}});
      },
      LimitBudget(kMcpLineRule, McpClientOptions{}.max_line_bytes));
  ExpectAnswer(reply, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  ExpectToolFailure(*server_, seed, "GOOSE_API_MAX_MCP_LINE_BYTES");
}

TEST_F(HostileGate, DeeplyNestedToolResultIsAToolError) {
  StartWithHostileExtension("nested_result", {{"depth", 300'000}}, /*timeout_seconds=*/60);
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "GOOSE_API_MAX_JSON_DEPTH",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "use it"}});
      },
      DepthBudget());
  ExpectAnswer(reply, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  ExpectToolFailure(*server_, seed, "GOOSE_API_MAX_JSON_DEPTH");
}

// The objects of nested_result's answer around its nested value: the line,
// its result and structuredContent.
constexpr int kAnswerObjects = 3;

// A result one level deeper than GOOSE_API_MAX_JSON_DEPTH is a tool error
// naming it; one at the limit is taken: the limit pinned from both sides by
// its default, as for bodies (JsonOneLevelTooDeepIsRefused). The result
// above is refused at any limit, and walked into a crash without one.
TEST_F(HostileGate, ToolResultOneLevelTooDeepIsAToolError) {
  StartWithHostileExtension("nested_result",
                            {{"depth", kDefaultJsonDepthLimit + 1 - kAnswerObjects}});
  Seed seed = MakeSeed();
  ExpectAnswer(MeasureReply("GOOSE_API_MAX_JSON_DEPTH (a result one level over it)", seed).answer,
               200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  ExpectToolFailure(*server_, seed, "GOOSE_API_MAX_JSON_DEPTH");
}

TEST_F(HostileGate, ToolResultAtTheDepthLimitIsTaken) {
  StartWithHostileExtension("nested_result", {{"depth", kDefaultJsonDepthLimit - kAnswerObjects}});
  Seed seed = MakeSeed();
  ExpectAnswer(MeasureReply("GOOSE_API_MAX_JSON_DEPTH (a result at it)", seed).answer, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  ExpectToolSuccess(*server_, seed, "a result at the depth limit was refused");
}

TEST_F(HostileGate, ExtensionLineWithoutEndIsAToolError) {
  StartWithHostileExtension("endless_line", Json::object());
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "GOOSE_API_MAX_MCP_LINE_BYTES",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "use it"}});
      },
      LimitBudget(kMcpLineRule, McpClientOptions{}.max_line_bytes));
  ExpectAnswer(reply, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  // Bytes without an id: only the call's timeout can end it.
  ExpectToolFailure(*server_, seed, "did not answer");
}

TEST_F(HostileGate, NotificationFloodIsAbsorbed) {
  // 100,000 notifications (10 MB) before the answer; a timeout that is not
  // the point here (parsing them takes seconds under a sanitizer).
  StartWithHostileExtension("notify", {{"count", 100'000}}, /*timeout_seconds=*/120);
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("notifications are not kept", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "use it"}});
  });
  ExpectAnswer(reply, 200, "After the tool.");
  ExpectAlive();
  ExpectSeedWhole(seed);
  ExpectToolSuccess(*server_, seed, "the tool's answer after the flood was lost");
}

// An extension's timeout (1 s here, the shortest it takes) ends what waits
// on it: a call never answered, an initialize never answered, within
// TimeoutBound of it. The client waits 5 s: the gate's own deadline, which a
// lifted timeout runs into.
constexpr int kExtensionTimeoutSeconds = 1;
constexpr auto kGateDeadline = 5s;

TEST_F(HostileGate, ExtensionThatNeverAnswersACallIsAToolError) {
  StartWithHostileExtension("hang", Json::object(), kExtensionTimeoutSeconds, kGateDeadline);
  Seed seed = MakeSeed();
  const TimedAnswer reply = MeasureReply("the extension's timeout", seed);
  ExpectAnswer(reply.answer, 200);
  ExpectEndedByTimeout("the extension's timeout", std::chrono::seconds(kExtensionTimeoutSeconds),
                       reply.took);
  ExpectAlive();
  ExpectSeedWhole(seed);
  ExpectToolFailure(*server_, seed, "did not answer");
}

TEST_F(HostileGate, ExtensionThatNeverInitializesIsRefusedAtAdd) {
  StartServer([] {
    TestServerOptions o;
    o.stdio_extensions = true;
    o.client_timeout = kGateDeadline;
    return o;
  }());
  const TimedAnswer added = MeasurePost("the extension's timeout", "/extensions/add",
                                        {{"type", "stdio"},
                                         {"name", "silent"},
                                         {"cmd", GOOSE_MOCK_MCP_PATH},
                                         {"args", Json::array({"--ignore-initialize"})},
                                         {"timeout", kExtensionTimeoutSeconds}});
  ExpectEndedByTimeout("the extension's timeout", std::chrono::seconds(kExtensionTimeoutSeconds),
                       added.took);
  // The documented answer (docs/reliability.md): 504, saying the
  // extension did not initialize within its timeout, not just any error.
  ExpectAnswer(added.answer, 504,
               "did not answer initialize within " +
                   std::to_string(kExtensionTimeoutSeconds * 1000) + " ms");
  EXPECT_TRUE(added.answer.body.is_object() && added.answer.body.value("status", "") == "error")
      << JsonDump(added.answer.body);
  ExpectAlive();
}

}  // namespace
}  // namespace goose::hostile
