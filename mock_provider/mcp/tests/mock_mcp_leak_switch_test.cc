// mock-mcp's leak switches, seen from outside as leakcheck sees them: each
// makes exactly its own series grow by one per tools/call (fds, threads,
// descendants, retained bytes) and leaves the others flat; the child
// switch's sleepers outlive the mock; --ignore-stdin-close keeps the mock
// running after its stdin closes, which it otherwise does not.

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/process_tree.h"
#include "core/extensions/mcp_client.h"
#include "core/extensions/tests/extension_test_util.h"
#include "mock_provider/mcp/tests/mcp_canary_test_util.h"

namespace goose {
namespace {

using namespace std::chrono_literals;

constexpr int kCalls = 5;
constexpr int64_t kBytesPerCall = 1 << 20;

std::unique_ptr<McpClient> StartMock(std::vector<std::string> flags) {
  std::vector<std::string> argv{testing::MockMcpPath()};
  argv.insert(argv.end(), flags.begin(), flags.end());
  return testing::StartServer(argv);
}

Json Stats(McpClient& client) {
  auto result = client.CallTool("stats", Json::object());
  EXPECT_TRUE(result.ok()) << result.error;
  return result.ok() ? Json::parse(McpContentText(*result.value)) : Json::object();
}

void CallEcho(McpClient& client, int times) {
  for (int i = 0; i < times; ++i) {
    auto result = client.CallTool("echo", {{"text", "call " + std::to_string(i)}});
    ASSERT_TRUE(result.ok()) << result.error;
    EXPECT_EQ(McpContentText(*result.value), "call " + std::to_string(i));
  }
}

// One switch and the growth it must cause after kCalls tools/call of echo;
// every series not named must stay flat.
struct LeakCase {
  std::string name;
  std::vector<std::string> flags;
  int64_t fds = 0;
  int64_t threads = 0;
  int64_t descendants = 0;
  int64_t retained_bytes = 0;
};

void PrintTo(const LeakCase& c, std::ostream* os) { *os << c.name; }

// What a switch that keeps no bytes may still add to the mock's resident
// memory over the calls: a sanitizer's runtime grows its own (shadow,
// quarantine; about 2 MB in 5 calls under asan), below the 4.5 MiB the
// bytes switch must show.
#if defined(GOOSE_HEAP_BACKEND_SANITIZER) || defined(GOOSE_TSAN)
constexpr int64_t kCleanRssAllowance = 4 * kBytesPerCall;
#else
constexpr int64_t kCleanRssAllowance = kBytesPerCall;
#endif
#if defined(GOOSE_TSAN)
constexpr bool kTsanBuild = true;
#else
constexpr bool kTsanBuild = false;
#endif

class LeakSwitchTest : public ::testing::TestWithParam<LeakCase> {};

TEST_P(LeakSwitchTest, GrowsItsOwnSeriesByOnePerCallAndNoOther) {
  const LeakCase& c = GetParam();
  auto client = StartMock(c.flags);
  ASSERT_NE(client, nullptr);
  const pid_t pid = client->child().pid();
  const testing::Held before = testing::HeldBy(pid);
  ASSERT_GE(before.fds, 0);
  ASSERT_GE(before.threads, 1);

  CallEcho(*client, kCalls);
  const testing::Held after = testing::HeldBy(pid);
  EXPECT_EQ(after.fds - before.fds, c.fds);
  // TSan's runtime starts a background thread of its own with the first
  // thread the program creates: one more, once.
  const int runtime_threads = kTsanBuild && c.threads > 0 ? 1 : 0;
  EXPECT_GE(after.threads - before.threads, c.threads);
  EXPECT_LE(after.threads - before.threads, c.threads + runtime_threads);
  EXPECT_EQ(after.descendants - before.descendants, c.descendants);

  const Json stats = Stats(*client);  // stats itself leaks nothing
  EXPECT_EQ(stats.value("retained_bytes", int64_t{-1}), c.retained_bytes);
  EXPECT_EQ(stats.value("leaked_fds", int64_t{-1}), c.fds);
  EXPECT_EQ(stats.value("leaked_threads", int64_t{-1}), c.threads);
  EXPECT_EQ(stats.value("leaked_children", int64_t{-1}), c.descendants);
  const int64_t rss_growth = testing::HeldBy(pid).rss_bytes - before.rss_bytes;
  RecordProperty("rss_growth", std::to_string(rss_growth));
  if (c.retained_bytes > 0) {
    EXPECT_GE(rss_growth, c.retained_bytes * 9 / 10);  // touched, so resident
  } else {
    EXPECT_LT(rss_growth, kCleanRssAllowance);
  }
  // A clean exit on EOF: joins the parked threads, frees the bytes.
  EXPECT_EQ(client->Stop(10s).ToString(), "exit code 0");
}

INSTANTIATE_TEST_SUITE_P(
    MockMcp, LeakSwitchTest,
    ::testing::Values(LeakCase{"none", {}},
                      LeakCase{"bytes",
                               {"--leak-bytes-per-call", std::to_string(kBytesPerCall)},
                               0,
                               0,
                               0,
                               kCalls* kBytesPerCall},
                      LeakCase{"fd", {"--leak-fd-per-call"}, kCalls},
                      LeakCase{"thread", {"--leak-thread-per-call"}, 0, kCalls},
                      LeakCase{"child", {"--leak-child-per-call"}, 0, 0, kCalls}),
    [](const ::testing::TestParamInfo<LeakCase>& info) { return info.param.name; });

// The sleepers are the orphans a client's shutdown checks look for: the
// mock exits on EOF and leaves them running. (A bare ChildProcess, not an
// McpClient: the client's reader reaps the exited mock at once, and reaping
// kills what is left in the mock's process group, the sleepers too.)
TEST(MockMcpLeakChildTest, SleepersOutliveTheMock) {
  SpawnOptions spawn;
  spawn.supervision = Supervision::kDirect;
  auto child = ChildProcess::Spawn({testing::MockMcpPath(), "--leak-child-per-call"}, {}, spawn);
  ASSERT_TRUE(child.ok()) << child.status().ToString();
  const pid_t pid = (*child)->pid();
  testing::LineReader reader((*child)->stdout_fd());
  for (int id = 1; id <= 2; ++id) {
    Json result = testing::RawCall(**child, reader, id, "echo", {{"text", "x"}});
    EXPECT_EQ(result["content"][0]["text"], "x") << result.dump();
  }
  std::vector<ProcessRef> sleepers = DescendantRefs(pid);
  ASSERT_EQ(sleepers.size(), 2u);
  const auto mock = testing::RefOf(pid);
  ASSERT_TRUE(mock.has_value());
  (*child)->RequestStop();  // closes stdin: the mock exits by itself
  ASSERT_TRUE(testing::WaitProcessExit(*mock));
  for (const ProcessRef& ref : sleepers) EXPECT_TRUE(IsRunning(ref)) << ref.pid;
  // Reaping kills what is left in the mock's process group: the sleepers.
  EXPECT_EQ((*child)->Stop(10s).ToString(), "exit code 0");
  for (const ProcessRef& ref : sleepers) EXPECT_TRUE(testing::WaitProcessExit(ref)) << ref.pid;
}

// How long the mock runs on after its stdin closed, bounded by `bound`.
bool RunsOnAfterStdinCloses(std::vector<std::string> flags, std::chrono::milliseconds bound) {
  auto client = StartMock(std::move(flags));
  EXPECT_NE(client, nullptr);
  if (client == nullptr) return false;
  auto ref = testing::RefOf(client->child().pid());
  EXPECT_TRUE(ref.has_value());
  client->child().RequestStop();
  return ref.has_value() && !testing::WaitProcessExit(*ref, bound);
}

TEST(MockMcpStdinCloseTest, ExitsWhenStdinClosesByDefault) {
  EXPECT_FALSE(RunsOnAfterStdinCloses({}, testing::kProcessExitBound));
}

TEST(MockMcpStdinCloseTest, IgnoreStdinCloseKeepsItRunning) {
  EXPECT_TRUE(RunsOnAfterStdinCloses({"--ignore-stdin-close"}, 500ms));
}

}  // namespace
}  // namespace goose
