// Extension faults over HTTP: the whole server (ServerStack) with the real
// stdio extension catalog running mock-mcp, and a scripted model that calls
// the extension's tools. A child that crashes, hangs, floods stdout, writes
// malformed lines or ignores SIGTERM: the reply still comes (the fault is a
// tool error, or is skipped) within a bound well above the extension's 2 s
// timeout and far below the client's 60 s (a reply that waited on the hung
// child shows), and ending the session leaves no child process, no
// extension and no descendant at all: the test is the subreaper of
// everything the server starts (OrphanWatch), so a grandchild that escaped
// its extension is seen too, not only the server's own ledger.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "core/base/resource_ledger.h"
#include "harness/test_server.h"
#include "harness/test_util.h"
#include "mock_provider/script.h"
#include "scenarios/probe/orphan_watch.h"

namespace goose::hardening {
namespace {

using namespace std::chrono_literals;
using goose::testing::WaitUntil;

// How long a reply with a faulty 2 s extension may take: the timeout, the
// stop of the child (its grace) and slack for a loaded machine; far below
// the client's 60 s, which a reply waiting on a hung child would reach.
constexpr auto kReplyBound = 20s;

struct ExtensionFault {
  const char* name;
  std::vector<std::string> flags;  // mock-mcp's command line
  const char* tool;                // what the model calls
  Json arguments;
  bool tool_succeeds;  // else the tool response is an error
};

class ExtensionFaultsTest : public ::testing::TestWithParam<int> {};

std::vector<ExtensionFault> Faults() {
  return {
      {"crash", {}, "mock__crash", Json{{"signal", 9}}, false},
      {"hang", {}, "mock__hang", Json{{"stop_serving", true}}, false},
      {"flood", {"--flood"}, "mock__echo", Json{{"text", "through the flood"}}, true},
      {"malformed", {"--malformed"}, "mock__echo", Json{{"text", "past bad lines"}}, true},
      {"ignores_sigterm",
       {"--ignore-sigterm", "--linger"},
       "mock__echo",
       Json{{"text", "x"}},
       true},
  };
}

TEST_P(ExtensionFaultsTest, FaultIsHandledWithinTheTimeoutAndCleanedUp) {
  const ExtensionFault fault = Faults()[static_cast<size_t>(GetParam())];
  SCOPED_TRACE(fault.name);
  Json call = Json::object();
  call["name"] = fault.tool;
  call["arguments"] = fault.arguments;
  Json script = Json::parse(R"({"loop": true, "turns": [
      {"messages": [{"text": "Calling.", "tool_calls": []}]},
      {"messages": [{"text": "After the tool."}]}]})");
  script["turns"][0]["messages"][0]["tool_calls"].push_back(call);
  Result<mock::Script> parsed = mock::ParseScript(script, fault.name);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  probe::OrphanWatch watch;  // before the server: its children are watched from the start
  testing::TestServerOptions options;
  options.script = *parsed;
  options.stdio_extensions = true;
  options.client_timeout = 60s;  // far above the 2 s extension timeout: a hang shows
  {
    testing::TestServer server(std::move(options));
    ASSERT_TRUE(server.Start().ok());
    auto post = [&](const std::string& path, const Json& body) { return server.Post(path, body); };
    Json args = Json::array();
    for (const std::string& f : fault.flags) args.push_back(f);
    auto [added, added_body] = post("/extensions/add", {{"type", "stdio"},
                                                        {"name", "mock"},
                                                        {"cmd", GOOSE_MOCK_MCP_PATH},
                                                        {"args", args},
                                                        {"timeout", 2}});
    ASSERT_EQ(added, 200) << added_body.dump();
    const auto asked = std::chrono::steady_clock::now();
    auto [status, body] = post("/session/start", {{"prompt", "use the tool"}});
    const auto took = std::chrono::steady_clock::now() - asked;
    ASSERT_EQ(status, 200) << body.dump();
    EXPECT_LT(took, kReplyBound)
        << "the reply waited "
        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
        << " ms on a faulty extension (its timeout: 2 s)";
    EXPECT_EQ(body.value("message", ""), "Calling.\nAfter the tool.");
    const std::string id = body.value("session_id", "");
    Result<Session> stored = server.store().Read(id);
    ASSERT_TRUE(stored.ok()) << stored.status().ToString();
    bool saw_response = false;
    for (const Message& m : stored->messages) {
      if (!m.HasToolResponses()) continue;
      saw_response = true;
      const auto& r = std::get<ToolResponseContent>(m.content[0]);
      EXPECT_EQ(r.tool_result.ok(), fault.tool_succeeds) << MessageToJson(m).dump();
    }
    EXPECT_TRUE(saw_response);
    auto [ended, ended_body] = post("/session/end", {{"session_id", id}});
    EXPECT_EQ(ended, 200) << ended_body.dump();
  }
  const auto& ledger = ResourceLedger::Global();
  EXPECT_TRUE(WaitUntil(
      [&] {
        return ledger.Get(Gauge::kChildProcesses) == 0 && ledger.Get(Gauge::kExtensions) == 0;
      },
      20s))
      << "children " << ledger.Get(Gauge::kChildProcesses) << ", extensions "
      << ledger.Get(Gauge::kExtensions);
  EXPECT_TRUE(WaitUntil(
      [&] {
        watch.ReapZombies();
        return watch.Descendants().empty();
      },
      20s))
      << "left behind:\n"
      << probe::OrphanWatch::Describe(watch.Descendants());
  watch.KillAndReapAll();
}

INSTANTIATE_TEST_SUITE_P(Faults, ExtensionFaultsTest, ::testing::Range(0, 5),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(Faults()[static_cast<size_t>(info.param)].name);
                         });

}  // namespace
}  // namespace goose::hardening
