// Hostile extensions (mock-mcp's hostile tools): huge, deep and endless
// results, a notification flood, a call never answered, an initialize
// never answered.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "core/extensions/mcp_client.h"
#include "hostile/gates/hostile_gate.h"

namespace goose::hostile {
namespace {

using namespace std::chrono_literals;

// The seeded session, then a reply whose tool call meets the extension's
// misbehaviour: the reply is answered, the tool's failure stored.
void ExpectToolFailure(HostileGate* gate, TestServer& server, const Seed& seed,
                       const std::string& why) {
  Result<Session> stored = server.store().Read(seed.id);
  ASSERT_TRUE(stored.ok());
  bool failed = false;
  for (const Message& m : stored->messages) {
    if (!m.HasToolResponses()) continue;
    const auto& r = std::get<ToolResponseContent>(m.content[0]);
    failed = failed || (!r.tool_result.ok() && r.tool_result.error.find(why) != std::string::npos);
  }
  (void)gate;
  EXPECT_TRUE(failed) << "no tool failure naming \"" << why << "\" was stored";
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
  ExpectToolFailure(this, *server_, seed, "GOOSE_API_MAX_MCP_LINE_BYTES");
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
  ExpectToolFailure(this, *server_, seed, "GOOSE_API_MAX_JSON_DEPTH");
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
  ExpectToolFailure(this, *server_, seed, "did not answer");
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
  Result<Session> stored = server_->store().Read(seed.id);
  ASSERT_TRUE(stored.ok());
  bool answered = false;
  for (const Message& m : stored->messages) {
    if (!m.HasToolResponses()) continue;
    answered = answered || std::get<ToolResponseContent>(m.content[0]).tool_result.ok();
  }
  EXPECT_TRUE(answered) << "the tool's answer after the flood was lost";
}

TEST_F(HostileGate, ExtensionThatNeverAnswersACallIsAToolError) {
  StartWithHostileExtension("hang", Json::object());
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("the extension's timeout", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "use it"}});
  });
  ExpectAnswer(reply, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  ExpectToolFailure(this, *server_, seed, "did not answer");
}

TEST_F(HostileGate, ExtensionThatNeverInitializesIsRefusedAtAdd) {
  StartServer([] {
    TestServerOptions o;
    o.stdio_extensions = true;
    return o;
  }());
  HttpAnswer added;
  Measure("the extension's timeout", [&] {
    added = server_->Post("/extensions/add", {{"type", "stdio"},
                                              {"name", "silent"},
                                              {"cmd", GOOSE_MOCK_MCP_PATH},
                                              {"args", Json::array({"--ignore-initialize"})},
                                              {"timeout", 2}});
  });
  // The documented answer (docs/reliability.md): 504, saying the
  // extension did not initialize within its timeout, not just any error.
  ExpectAnswer(added, 504, "did not answer initialize within 2000 ms");
  EXPECT_EQ(added.body.value("status", ""), "error") << JsonDump(added.body);
  ExpectAlive();
}

}  // namespace
}  // namespace goose::hostile
