// Helpers of the canary tests: a stdio MCP server started under
// McpClient (without the shim, so the child's pid is the server's own) and
// what /proc says it holds.

#ifndef GOOSE_MOCK_PROVIDER_MCP_TESTS_MCP_CANARY_TEST_UTIL_H_
#define GOOSE_MOCK_PROVIDER_MCP_TESTS_MCP_CANARY_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/base/process_stats.h"
#include "core/base/process_tree.h"
#include "core/extensions/child_process.h"
#include "core/extensions/mcp_client.h"

namespace goose::testing {

// Starts `argv` with `env` added and initializes it; nullptr (after a test
// failure) if either fails.
inline std::unique_ptr<McpClient> StartServer(const std::vector<std::string>& argv,
                                              const std::map<std::string, std::string>& env = {}) {
  SpawnOptions spawn;
  spawn.name = "canary";
  spawn.supervision = Supervision::kDirect;  // pid() is the server itself
  spawn.stop_grace = std::chrono::seconds(5);
  auto child = ChildProcess::Spawn(argv, env, spawn);
  EXPECT_TRUE(child.ok()) << child.status().ToString();
  if (!child.ok()) return nullptr;
  McpClientOptions options;
  options.timeout = std::chrono::seconds(30);
  auto client = std::make_unique<McpClient>(std::move(*child), options);
  auto info = client->Initialize();
  EXPECT_TRUE(info.ok()) << info.status().ToString();
  if (!info.ok()) return nullptr;
  return client;
}

// The series leakcheck counts, of one process.
struct Held {
  int64_t fds = -1;
  int64_t threads = -1;
  int64_t descendants = 0;  // live ones (zombies are not counted)
  int64_t rss_bytes = -1;
};

inline Held HeldBy(pid_t pid) {
  const ProcessStats stats = ReadProcessStats(pid);
  Held held;
  held.fds = stats.open_fds;
  held.threads = stats.threads;
  held.rss_bytes = stats.rss_bytes;
  for (const ProcStat& st : Descendants(pid)) {
    if (st.state != 'Z') ++held.descendants;
  }
  return held;
}

}  // namespace goose::testing

#endif  // GOOSE_MOCK_PROVIDER_MCP_TESTS_MCP_CANARY_TEST_UTIL_H_
