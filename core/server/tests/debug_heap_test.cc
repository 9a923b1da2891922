// GET /debug/heap on a running goose-api (heapprof builds only): the
// profile is what google-pprof reads, and what requests between two
// profiles kept shows in their diff, named by its allocation site.
//
// The server runs as a process with failpoint retain_heap, which keeps 64
// bytes per request reachable in InjectRequestFaults (core/base/failpoint.cc):
// a known site the diff must name.

#include "core/server/debug_heap.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include "core/extensions/child_process.h"
#include "harness/test_util.h"

namespace goose {
namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kKey = "debug-heap-test-key";
// Generous for a loaded 2-core machine; a healthy run takes a second.
constexpr auto kStartTimeout = std::chrono::seconds(30);
constexpr auto kPprofTimeout = std::chrono::seconds(120);

// Reads `child`'s stdout until `done(output)` or EOF or the deadline.
std::string ReadStdout(ChildProcess& child, Clock::time_point deadline,
                       const std::function<bool(const std::string&)>& done) {
  std::string out;
  char buffer[16384];
  while (Clock::now() < deadline && !done(out)) {
    pollfd pfd{child.stdout_fd(), POLLIN, 0};
    if (::poll(&pfd, 1, 100) <= 0) continue;
    const ssize_t n = ::read(child.stdout_fd(), buffer, sizeof buffer);
    if (n > 0) {
      out.append(buffer, static_cast<size_t>(n));
    } else if (n == 0) {
      break;
    }
  }
  return out;
}

// A goose-api process on a free port, with `env` added to the usual
// settings (no provider is ever called).
class ServerProcess {
 public:
  explicit ServerProcess(const std::map<std::string, std::string>& extra_env) {
    std::map<std::string, std::string> env = {{"GOOSE_API_KEY", kKey},
                                              {"GOOSE_API_PORT", "0"},
                                              {"GOOSE_API_SESSIONS_DIR", dir_.path().string()},
                                              {"OPENAI_HOST", "http://127.0.0.1:9"},
                                              {"OPENAI_API_KEY", "unused"},
                                              {"GOOSE_API_LOG_LEVEL", "warn"}};
    for (const auto& [k, v] : extra_env) env[k] = v;
    SpawnOptions options;
    options.name = "goose-api";
    Result<std::unique_ptr<ChildProcess>> spawned =
        ChildProcess::Spawn({GOOSE_API_PATH}, env, options);
    if (!spawned.ok()) {
      ADD_FAILURE() << spawned.status().ToString();
      return;
    }
    child_ = std::move(spawned).value();
    const std::string out =
        ReadStdout(*child_, Clock::now() + kStartTimeout,
                   [](const std::string& s) { return s.find('\n') != std::string::npos; });
    std::smatch m;
    if (!std::regex_search(out, m, std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))) {
      ADD_FAILURE() << "goose-api did not start: " << out << child_->StderrShortTail();
      return;
    }
    client_ = std::make_unique<httplib::Client>("127.0.0.1", std::stoi(m[1]));
    client_->set_tcp_nodelay(true);
    client_->set_read_timeout(std::chrono::seconds(30));
  }
  ~ServerProcess() {
    client_.reset();
    // EOF on stdin, then SIGTERM to its group: goose-api shuts down cleanly.
    if (child_) child_->AwaitStop(Clock::now() + std::chrono::seconds(10));
  }

  bool started() const { return client_ != nullptr; }
  httplib::Client& client() { return *client_; }
  const std::filesystem::path& dir() const { return dir_.path(); }

  // GET /debug/heap with the key; the body, or "" after a failed test check.
  std::string Profile() {
    httplib::Result r = client_->Get("/debug/heap", {{"x-api-key", kKey}});
    if (!r) {
      ADD_FAILURE() << "GET /debug/heap: " << httplib::to_string(r.error());
      return "";
    }
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type").rfind("text/plain", 0), 0u);
    return r->body;
  }

 private:
  testing::ScopedTempDir dir_;
  std::unique_ptr<ChildProcess> child_;
  std::unique_ptr<httplib::Client> client_;
};

// google-pprof's --text output for `args`; fails the test when it fails.
std::string Pprof(std::vector<std::string> args) {
  std::vector<std::string> argv = {"google-pprof", "--text", "--show_bytes"};
  argv.insert(argv.end(), args.begin(), args.end());
  SpawnOptions options;
  options.supervision = Supervision::kDirect;
  options.stderr_log.log = false;
  Result<std::unique_ptr<ChildProcess>> spawned = ChildProcess::Spawn(argv, {}, options);
  if (!spawned.ok()) {
    ADD_FAILURE() << spawned.status().ToString();
    return "";
  }
  ChildProcess& child = **spawned;
  child.RequestStop();
  const Clock::time_point deadline = Clock::now() + kPprofTimeout;
  std::string out = ReadStdout(child, deadline, [](const std::string&) { return false; });
  const ExitStatus status = child.AwaitStop(std::max(deadline, Clock::now()));
  EXPECT_EQ(status, ExitStatus{}) << "google-pprof: " << child.StderrShortTail();
  return out;
}

void Save(const std::filesystem::path& path, const std::string& bytes) {
  testing::WriteWholeFile(path, bytes);
}

TEST(DebugHeap, ServesASampledProfileByDefaultAndRequiresTheKey) {
  ASSERT_TRUE(DebugHeapAvailable()) << "this test is built in tcmalloc builds only";
  ServerProcess server({});
  ASSERT_TRUE(server.started());
  httplib::Result unauthorized = server.client().Get("/debug/heap");
  ASSERT_TRUE(unauthorized);
  EXPECT_EQ(unauthorized->status, 401);

  // goose-api re-executed itself with sampling on (or kept the period the
  // environment gave it).
  const char* inherited = std::getenv("TCMALLOC_SAMPLE_PARAMETER");
  const std::string period =
      inherited != nullptr ? inherited : std::to_string(kDefaultHeapSamplePeriod);
  const std::string profile = server.Profile();
  EXPECT_EQ(profile.rfind("heap profile:", 0), 0u) << profile.substr(0, 400);
  EXPECT_NE(profile.find("@ heap_v2/" + period), std::string::npos) << profile.substr(0, 400);
  EXPECT_NE(profile.find("MAPPED_LIBRARIES:"), std::string::npos);

  // google-pprof reads it (it exits 1 on a profile it cannot parse). An
  // idle server may have no sampled allocation yet, so the text may be
  // empty; the next test checks what it says.
  Save(server.dir() / "one.heap", profile);
  Pprof({GOOSE_API_PATH, (server.dir() / "one.heap").string()});
}

TEST(DebugHeap, WhatRequestsKeptBetweenTwoProfilesShowsInTheirDiff) {
  // A short sample period so 64-byte allocations are seen after a few
  // thousand requests (at the default 512 KiB it would take ~100,000).
  ServerProcess server(
      {{"GOOSE_API_FAILPOINTS", "retain_heap"}, {"TCMALLOC_SAMPLE_PARAMETER", "4096"}});
  ASSERT_TRUE(server.started());
  const std::string before = server.Profile();
  constexpr int kRequests = 3000;  // x 64 B kept: ~190 KiB, ~47 samples expected
  for (int i = 0; i < kRequests; ++i) {
    httplib::Result r = server.client().Get("/provider/config", {{"x-api-key", kKey}});
    ASSERT_TRUE(r) << "request " << i;
    ASSERT_EQ(r->status, 200);
  }
  const std::string after = server.Profile();
  Save(server.dir() / "before.heap", before);
  Save(server.dir() / "after.heap", after);

  const std::string diff = Pprof({"--base=" + (server.dir() / "before.heap").string(),
                                  GOOSE_API_PATH, (server.dir() / "after.heap").string()});
  std::smatch total;
  ASSERT_TRUE(std::regex_search(diff, total, std::regex("^Total: (-?\\d+) B"))) << diff;
  // 3000 x 64 B at least, give or take sampling; far above noise.
  EXPECT_GT(std::stoll(total[1]), 64 * kRequests / 2) << diff;
  EXPECT_NE(diff.find("InjectRequestFaults"), std::string::npos) << diff;
}

}  // namespace
}  // namespace goose
