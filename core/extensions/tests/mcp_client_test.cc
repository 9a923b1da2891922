// McpClient against mock-mcp: the protocol, every tool, timeouts, crashes,
// malformed and flooding servers, server->client requests.

#include "core/extensions/mcp_client.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "core/base/resource_ledger.h"
#include "core/extensions/tests/extension_test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<McpClient> StartMock(std::vector<std::string> flags = {},
                                     std::chrono::milliseconds timeout = 30s,
                                     size_t max_line_bytes = 16 << 20) {
  std::vector<std::string> argv{testing::MockMcpPath()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  SpawnOptions spawn;
  spawn.name = "mock";
  spawn.stop_grace = 5s;
  auto child = ChildProcess::Spawn(argv, {{"MOCK_ID", "m1"}}, spawn);
  EXPECT_TRUE(child.ok()) << child.status().ToString();
  if (!child.ok()) return nullptr;
  McpClientOptions options;
  options.timeout = timeout;
  options.max_line_bytes = max_line_bytes;
  return std::make_unique<McpClient>(std::move(*child), options);
}

std::unique_ptr<McpClient> StartInitialized(std::vector<std::string> flags = {},
                                            std::chrono::milliseconds timeout = 30s,
                                            size_t max_line_bytes = 16 << 20) {
  auto client = StartMock(std::move(flags), timeout, max_line_bytes);
  if (client == nullptr) return nullptr;
  auto info = client->Initialize();
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  return client;
}

Json Stats(McpClient& client) {
  auto result = client.CallTool("stats", Json::object());
  EXPECT_TRUE(result.ok()) << result.error;
  return result.ok() ? Json::parse(McpContentText(*result.value)) : Json::object();
}

int64_t RssBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      int64_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
    status.ignore(1 << 20, '\n');
  }
  return -1;
}

TEST(McpClientTest, InitializesWithTheLatestVersion) {
  auto client = StartMock();
  ASSERT_NE(client, nullptr);
  auto info = client->Initialize();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->protocol_version, "2025-06-18");
  EXPECT_EQ(info->server_info["name"], "mock-mcp");
  EXPECT_TRUE(info->capabilities.contains("tools"));
  EXPECT_FALSE(info->instructions.empty());
  EXPECT_TRUE(client->health().ok());
}

TEST(McpClientTest, AcceptsAnOlderSupportedVersion) {
  auto client = StartMock({"--protocol-version", "2024-11-05"});
  ASSERT_NE(client, nullptr);
  auto info = client->Initialize();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->protocol_version, "2024-11-05");
}

TEST(McpClientTest, RefusesAnUnsupportedVersion) {
  auto client = StartMock({"--protocol-version", "1999-01-01"});
  ASSERT_NE(client, nullptr);
  auto info = client->Initialize();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(),
            "extension mock speaks MCP protocol version 1999-01-01; this client speaks "
            "2024-11-05, 2025-03-26, 2025-06-18");
}

TEST(McpClientTest, ListsEveryToolAcrossPages) {
  auto whole = StartInitialized();
  auto paged = StartInitialized({"--page-size", "5"});
  ASSERT_NE(whole, nullptr);
  ASSERT_NE(paged, nullptr);
  auto all = whole->ListTools();
  auto pages = paged->ListTools();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  ASSERT_TRUE(pages.ok()) << pages.status().ToString();
  std::vector<std::string> names_all;
  std::vector<std::string> names_paged;
  for (const McpTool& t : *all) names_all.push_back(t.name);
  for (const McpTool& t : *pages) names_paged.push_back(t.name);
  EXPECT_EQ(names_all, names_paged);
  const std::set<std::string> expected = {"echo",          "sleep",        "spawn_grandchild",
                                          "open_files",    "allocate",     "crash",
                                          "hang",          "fail",         "getenv",
                                          "write_stderr",  "change_tools", "big_result",
                                          "nested_result", "endless_line", "notify",
                                          "stats"};
  EXPECT_EQ(std::set<std::string>(names_all.begin(), names_all.end()), expected);
  EXPECT_EQ((*all)[0].input_schema["required"][0], "text");
  // 16 tools in pages of 5: four tools/list requests.
  EXPECT_EQ(Stats(*paged)["tools_list_requests"], 4);
  EXPECT_EQ(Stats(*whole)["tools_list_requests"], 1);
}

TEST(McpClientTest, CallsEachTool) {
  auto client = StartInitialized();
  ASSERT_NE(client, nullptr);
  const pid_t server = Stats(*client)["pid"].get<pid_t>();

  EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", "héllo"}})), "héllo");
  EXPECT_EQ(testing::ResultText(client->CallTool("sleep", {{"ms", 20}})), "slept 20 ms");
  EXPECT_EQ(testing::ResultText(client->CallTool("getenv", {{"name", "MOCK_ID"}})), "m1");

  const int fds_before = testing::CountOpenFdsOf(server);
  EXPECT_EQ(testing::ResultText(client->CallTool("open_files", {{"n", 7}})),
            "holding 7 open files");
  EXPECT_EQ(testing::CountOpenFdsOf(server), fds_before + 7);

  const int64_t rss_before = RssBytes(server);
  EXPECT_EQ(testing::ResultText(client->CallTool("allocate", {{"bytes", 32 << 20}})),
            "holding 33554432 bytes");
  EXPECT_GE(RssBytes(server) - rss_before, 30 << 20);

  auto fail = client->CallTool("fail", {{"message", "no luck"}});
  ASSERT_FALSE(fail.ok());
  EXPECT_EQ(fail.error, "no luck");

  auto unknown = client->CallTool("nope", Json::object());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error,
            "extension mock answered tools/call with error -32602: Unknown tool: nope");

  EXPECT_EQ(testing::ResultText(
                client->CallTool("write_stderr", {{"text", "to the log"}, {"repeat", 2}})),
            "wrote 2 lines");
  EXPECT_TRUE(testing::WaitUntil([&] {
    return client->child().StderrTail().find("to the log\nto the log\n") != std::string::npos;
  }));

  auto spawned = client->CallTool("spawn_grandchild", {{"new_session", true}});
  ASSERT_TRUE(spawned.ok()) << spawned.error;
  auto grandchild = testing::RefOf(std::stoi(McpContentText(*spawned.value).substr(4)));
  ASSERT_TRUE(grandchild.has_value());
  EXPECT_TRUE(IsRunning(*grandchild));

  EXPECT_TRUE(client->health().ok());
  client->Stop(5s);
  EXPECT_TRUE(testing::WaitProcessExit(*grandchild));
  EXPECT_EQ(client->health().code(), StatusCode::kCancelled);
}

TEST(McpClientTest, TimedOutCallFailsAndLaterCallsWork) {
  auto client = StartInitialized({}, 300ms);
  ASSERT_NE(client, nullptr);
  auto hung = client->CallTool("hang", Json::object());
  ASSERT_FALSE(hung.ok());
  EXPECT_EQ(hung.error, "extension mock did not answer tools/call within 300 ms");
  EXPECT_TRUE(client->health().ok());
  EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", "after"}})), "after");
  // A sleep longer than the timeout times out too; its late answer is dropped.
  EXPECT_FALSE(client->CallTool("sleep", {{"ms", 600}}).ok());
  EXPECT_EQ(testing::ResultText(client->CallTool("sleep", {{"ms", 500}})).rfind("error: ", 0), 0u);
  EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", "still"}})), "still");
}

TEST(McpClientTest, CrashFailsThePendingCallAtOnce) {
  // A timeout far beyond the test's bound: the pending call must end by the
  // crash, not by its timeout.
  auto client = StartInitialized({}, std::chrono::minutes(10));
  ASSERT_NE(client, nullptr);
  auto pending = std::async(std::launch::async, [&] {
    return client->CallTool("sleep", {{"ms", 600000}});
  });
  ASSERT_TRUE(goose::testing::WaitUntil([&] { return client->pending_requests() == 1; }));
  auto crash = client->CallTool("crash", Json::object());
  ASSERT_FALSE(crash.ok());
  EXPECT_EQ(crash.error, "extension mock exited (signal 9 (SIGKILL))");
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  auto slept = pending.get();
  ASSERT_FALSE(slept.ok());
  EXPECT_EQ(slept.error, "extension mock exited (signal 9 (SIGKILL))");
  EXPECT_EQ(client->health().code(), StatusCode::kUnavailable);
  auto later = client->CallTool("echo", {{"text", "x"}});
  ASSERT_FALSE(later.ok());
  EXPECT_EQ(later.error, "extension mock exited (signal 9 (SIGKILL))");
  // The crash was reaped right away.
  EXPECT_EQ(client->child().TryReap(), (ExitStatus{0, SIGKILL}));
}

TEST(McpClientTest, ExitMessageQuotesStderr) {
  auto client = StartMock({"--exit-on-initialize", "3"});
  ASSERT_NE(client, nullptr);
  auto info = client->Initialize();
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(),
            "extension mock exited (exit code 3); stderr: mock-mcp: fatal: told to exit on "
            "initialize (--exit-on-initialize)");
}

TEST(McpClientTest, MalformedLinesAreSkipped) {
  auto client = StartInitialized({"--malformed"});
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", std::to_string(i)}})),
              std::to_string(i));
  }
  EXPECT_GE(client->skipped_lines(), 6u);  // initialize + 5 calls
  EXPECT_TRUE(client->health().ok());
}

TEST(McpClientTest, FloodIsSkippedWithinTheLineBound) {
  const size_t cap = 64 * 1024;
  auto client = StartInitialized({"--flood-bytes", std::to_string(4 << 20)}, 60s, cap);
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", "through"}})), "through");
  }
  EXPECT_GE(client->skipped_lines(), 4u);  // the 2 MiB line of each answer
  EXPECT_LE(client->reader_high_water(), cap);
}

// An answer too long or too deep to use fails its call at once, naming the
// limit, however long the call's timeout; the client keeps working.
TEST(McpClientTest, OverlongAnswerFailsItsCallWhenItPassesTheLimit) {
  auto client = StartInitialized({}, std::chrono::minutes(10), 64 * 1024);
  ASSERT_NE(client, nullptr);
  // 64 MiB, far more than the reader would take in before a 10-minute
  // timeout under any build; the call must end at the first 64 KiB.
  auto big = client->CallTool("big_result", {{"bytes", 64 << 20}});
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error,
            "extension mock answered with a line longer than GOOSE_API_MAX_MCP_LINE_BYTES (65536)");
  EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", "after"}})), "after");
}

TEST(McpClientTest, TooDeepAnswerFailsItsCallWithTheReason) {
  auto client = StartInitialized({}, std::chrono::minutes(10));
  ASSERT_NE(client, nullptr);
  auto deep = client->CallTool("nested_result", {{"depth", 10'000}});
  ASSERT_FALSE(deep.ok());
  EXPECT_NE(deep.error.find("extension mock answered with a line that is not JSON-RPC: "),
            std::string::npos)
      << deep.error;
  EXPECT_NE(deep.error.find("GOOSE_API_MAX_JSON_DEPTH"), std::string::npos) << deep.error;
  EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", "after"}})), "after");
}

TEST(McpClientTest, AnswersServerRequestsAndIgnoresNotifications) {
  auto client = StartInitialized({"--chatty"});
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", "x"}})), "x");
  // Before each answer: a roots/list and a ping request (initialize too).
  EXPECT_EQ(client->answered_server_requests(), 8u);
  Json stats = Stats(*client);
  EXPECT_EQ(stats["client_errors"], 4);   // roots/list: method not found
  EXPECT_EQ(stats["client_replies"], 4);  // ping: empty result
  EXPECT_EQ(client->skipped_lines(), 0u);
}

// A request reads its own answer when no other thread is reading, and then
// hands out the answers of the others too: a quick call made while a slow
// one waits (and reads) returns at once, and calls from many threads each
// get their own answer.
TEST(McpClientTest, ConcurrentCallsEachGetTheirOwnAnswer) {
  auto client = StartInitialized();
  ASSERT_NE(client, nullptr);
  auto slow = std::async(std::launch::async, [&] {
    return client->CallTool("sleep", {{"ms", 3000}});
  });
  ASSERT_TRUE(goose::testing::WaitUntil([&] { return client->pending_requests() == 1; }));
  EXPECT_EQ(testing::ResultText(client->CallTool("echo", {{"text", "quick"}})), "quick");
  EXPECT_EQ(slow.wait_for(std::chrono::seconds(0)), std::future_status::timeout);

  std::vector<std::future<std::string>> callers;
  for (int t = 0; t < 6; ++t) {
    callers.push_back(std::async(std::launch::async, [&client, t] {
      std::string wrong;
      for (int i = 0; i < 50; ++i) {
        const std::string text = std::to_string(t) + ":" + std::to_string(i);
        const std::string got = testing::ResultText(client->CallTool("echo", {{"text", text}}));
        if (got != text) wrong += got + " for " + text + "; ";
      }
      return wrong;
    }));
  }
  for (auto& caller : callers) EXPECT_EQ(caller.get(), "");
  ASSERT_EQ(slow.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  EXPECT_TRUE(slow.get().ok());
  EXPECT_EQ(client->pending_requests(), 0u);
}

// A request takes the lead for its answer before it writes; when the child
// is not reading its stdin because it is writing its stdout (here 4 MiB of
// garbage lines after its first read, with the rest of a 1 MiB request
// still coming),
// the request must let the reader thread drain that stdout, or both sides
// wait for each other until the timeout (which would leave the client
// unusable: a message timed out half-sent).
TEST(McpClientTest, ARequestThatFillsStdinLetsTheReaderDrainStdout) {
  auto client = StartMock({"--flood-on-first-read", std::to_string(4 << 20)}, 10s, 64 * 1024);
  ASSERT_NE(client, nullptr);
  // The first message, and far more than the pipe holds.
  Result<Json> listed = client->Request("tools/list", {{"padding", std::string(1 << 20, 'p')}});
  EXPECT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_TRUE(client->health().ok()) << client->health().ToString();
  EXPECT_GE(client->skipped_lines(), 4000u);  // the garbage lines, read and skipped
}

TEST(McpClientTest, NoticesAChangedToolList) {
  auto client = StartInitialized();
  ASSERT_NE(client, nullptr);
  EXPECT_FALSE(client->TakeToolsChanged());
  EXPECT_EQ(testing::ResultText(client->CallTool("change_tools", Json::object())),
            "tool extra added");
  EXPECT_TRUE(client->TakeToolsChanged());
  EXPECT_FALSE(client->TakeToolsChanged());
  auto tools = client->ListTools();
  ASSERT_TRUE(tools.ok());
  EXPECT_EQ(tools->back().name, "extra");
}

TEST(McpClientTest, StopEndsABlockedCallPromptly) {
  auto client = StartInitialized({}, std::chrono::minutes(10));
  ASSERT_NE(client, nullptr);
  auto pending =
      std::async(std::launch::async, [&] { return client->CallTool("hang", Json::object()); });
  client->Stop(5s);
  ASSERT_EQ(pending.wait_for(std::chrono::seconds(60)), std::future_status::ready);
  auto result = pending.get();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error, "extension mock was stopped");
}

TEST(McpClientTest, UnresponsiveServerIsStoppedAndCounted) {
  const int64_t before = ResourceLedger::Global().Get(Gauge::kChildProcesses);
  {
    auto client = StartInitialized({"--ignore-sigterm"}, 300ms);
    ASSERT_NE(client, nullptr);
    EXPECT_FALSE(client->CallTool("hang", {{"stop_serving", true}}).ok());
    EXPECT_FALSE(client->CallTool("echo", {{"text", "x"}}).ok());
    EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kChildProcesses), before + 1);
  }
  EXPECT_EQ(ResourceLedger::Global().Get(Gauge::kChildProcesses), before);
  EXPECT_TRUE(testing::LiveDescendantsOfSelf().empty());
}

}  // namespace
}  // namespace goose
