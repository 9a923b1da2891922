// Helpers shared by the extension tests: paths of the programs under test,
// fd and process counting from /proc, bounded waits on process exit, and a
// line reader for raw child stdout. (WaitUntil comes from test_util.h.)

#ifndef GOOSE_CORE_EXTENSIONS_TESTS_EXTENSION_TEST_UTIL_H_
#define GOOSE_CORE_EXTENSIONS_TESTS_EXTENSION_TEST_UTIL_H_

#include <dirent.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/base/json.h"
#include "core/base/process_tree.h"
#include "core/base/resource_ledger.h"
#include "core/base/unique_fd.h"
#include "core/extensions/child_process.h"
#include "core/extensions/mcp_client.h"
#include "harness/test_util.h"

namespace goose::testing {

using Clock = std::chrono::steady_clock;

// Generous bounds for a busy 2-core machine (and ASan): waits end as soon
// as their condition holds; these only decide when a test gives up.
inline constexpr auto kProcessExitBound = std::chrono::seconds(20);
inline constexpr auto kReadBound = std::chrono::seconds(20);

inline std::string MockMcpPath() { return GOOSE_MOCK_MCP_PATH; }

// Child processes counted by the ledger now.
inline int64_t LedgerChildren() { return ResourceLedger::Global().Get(Gauge::kChildProcesses); }

// A tool result's text, or "error: <why>".
inline std::string ResultText(const ToolResult<std::vector<Json>>& result) {
  return result.ok() ? McpContentText(*result.value) : "error: " + result.error;
}
inline std::string SourceDir() { return GOOSE_SOURCE_DIR; }

// Entries of /proc/self/fd (the directory's own fd excluded).
inline int CountOpenFds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return -1;
  int n = 0;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n - 1;
}

inline int CountOpenFdsOf(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return -1;
  int n = 0;
  while (dirent* e = ::readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(dir);
  return n;
}

inline std::optional<ProcessRef> RefOf(pid_t pid) {
  auto st = ReadProcStat(pid);
  if (!st) return std::nullopt;
  return ProcessRef{pid, st->start_time};
}

// Waits (bounded) until `ref` has exited; true if it did. Uses a pidfd, so
// it wakes on the exit itself; a process already gone counts as exited.
inline bool WaitProcessExit(const ProcessRef& ref,
                            std::chrono::milliseconds bound = kProcessExitBound) {
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, ref.pid, 0)));
  if (!pidfd.valid()) return true;
  if (!IsRunning(ref)) return true;  // the pid may already name someone else
  pollfd fd = {pidfd.get(), POLLIN, 0};
  return ::poll(&fd, 1, static_cast<int>(bound.count())) > 0;
}

// Descendants of this test process that are not zombies.
inline std::vector<ProcStat> LiveDescendantsOfSelf() {
  std::vector<ProcStat> out;
  for (const ProcStat& st : Descendants(::getpid())) {
    if (st.state != 'Z') out.push_back(st);
  }
  return out;
}

// Zombie children of this process.
inline std::vector<pid_t> ZombieChildrenOfSelf() {
  std::vector<pid_t> out;
  for (const ProcStat& st : ListProcesses()) {
    if (st.ppid == ::getpid() && st.state == 'Z') out.push_back(st.pid);
  }
  return out;
}

// Reads newline-terminated lines from a non-blocking fd, with a deadline.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}

  // The next line without "\n", or nullopt at EOF or after `bound`.
  std::optional<std::string> Next(std::chrono::milliseconds bound = kReadBound) {
    const auto deadline = Clock::now() + bound;
    for (;;) {
      size_t nl = buffer_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p = {fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::read(fd_, buf, sizeof buf);
      if (n == 0) return std::nullopt;
      if (n > 0) buffer_.append(buf, static_cast<size_t>(n));
    }
  }

  // Everything until EOF (or `bound`).
  std::string ReadAll(std::chrono::milliseconds bound = kReadBound) {
    std::string out;
    while (auto line = Next(bound)) out += *line + "\n";
    out += buffer_;
    buffer_.clear();
    return out;
  }

 private:
  int fd_;
  std::string buffer_;
};

// Speaks raw JSON-RPC to a mock-mcp child (no McpClient), for the
// ChildProcess tests: sends one tools/call and returns its result.
inline Json RawCall(ChildProcess& child, LineReader& reader, int id, const std::string& tool,
                    Json arguments) {
  Json request = {{"jsonrpc", "2.0"},
                  {"id", id},
                  {"method", "tools/call"},
                  {"params", {{"name", tool}, {"arguments", std::move(arguments)}}}};
  Status sent = child.WriteStdin(JsonDump(request) + "\n", Clock::now() + kReadBound);
  if (!sent.ok()) return Json{{"send_error", sent.ToString()}};
  while (auto line = reader.Next()) {
    Result<Json> parsed = JsonParse(*line, "answer");
    if (parsed.ok() && parsed->value("id", Json()) == Json(id)) return (*parsed)["result"];
  }
  return Json{{"read_error", "no answer"}};
}

}  // namespace goose::testing

#endif  // GOOSE_CORE_EXTENSIONS_TESTS_EXTENSION_TEST_UTIL_H_
