// Load gate: C concurrent clients over many sessions at once, starting,
// replying, ending and leaving sessions to a reaper with a short TTL (so
// sessions are reaped and rehydrated under load). Every round must finish
// within a generous bound (no deadlock); afterwards every session file
// holds exactly the messages that were sent (no lost message), and heap,
// fds and threads are flat across rounds.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "hardening/bad_input_corpus.h"
#include "hardening/heap_verdict.h"
#include "harness/server_test.h"
#include "harness/test_util.h"
#include "scenarios/probe/growth.h"
#include "scenarios/probe/heap_gauge.h"
#include "scenarios/probe/process_probe.h"

namespace goose::hardening {
namespace {

using namespace std::chrono_literals;
using goose::testing::WaitUntil;

constexpr int kClients = 8;
constexpr int kSessionsPerClient = 2;
constexpr int kRepliesPerSession = 4;
constexpr int kLoadRounds = 6;
// The default mock script answers every prompt with three messages.
constexpr size_t kMessagesPerTurn = 1 + 3;
constexpr double kLoadHeapBytesPerRound = 16 * 1024;

class LoadGateTest : public testing::ServerTest {
 protected:
  // One client: its sessions, their replies, then ends the first and
  // leaves the others to the reaper. Records turns per session id.
  void Client(int port, std::map<std::string, int>* turns, std::mutex* mu,
              std::atomic<int>* failures) {
    httplib::Client http("127.0.0.1", port);
    http.set_tcp_nodelay(true);
    http.set_read_timeout(60);
    auto post = [&](const std::string& path, const Json& body) -> Json {
      auto res = http.Post(path, {{"x-api-key", kKey}}, body.dump(), "application/json");
      if (!res || res->status != 200) {
        ++*failures;
        return Json();
      }
      return Json::parse(res->body, nullptr, false);
    };
    std::vector<std::string> ids;
    for (int s = 0; s < kSessionsPerClient; ++s) {
      Json started = post("/session/start", {{"prompt", "start"}});
      if (!started.is_object() || !started.contains("session_id")) continue;
      ids.push_back(started["session_id"].get<std::string>());
    }
    for (int r = 0; r < kRepliesPerSession; ++r) {
      for (const std::string& id : ids) {
        if (post("/session/reply", {{"session_id", id}, {"prompt", "reply " + std::to_string(r)}})
                .is_object()) {
          std::lock_guard<std::mutex> lock(*mu);
          ++(*turns)[id];
        }
      }
    }
    for (const std::string& id : ids) {
      std::lock_guard<std::mutex> lock(*mu);
      ++(*turns)[id];  // the start
    }
    if (!ids.empty()) post("/session/end", {{"session_id", ids.front()}});
  }
};

TEST_F(LoadGateTest, ConcurrentClientsLoseNoMessageAndLeaveNothingBehind) {
  testing::TestServerOptions options;
  options.stack.registry.ttl = std::chrono::milliseconds(300);
  options.stack.http.limits.request_timeout = std::chrono::seconds(10);
  StartServer(std::move(options));
  const int port = server().port();
  probe::ProcessProbe self;
  std::vector<double> heap;
  ProcessStats base;
  int requests = 0;
  for (int round = 0; round <= kLoadRounds && !HasFailure(); ++round) {
    std::map<std::string, int> turns;
    std::mutex mu;
    std::atomic<int> failures{0};
    std::atomic<int> done{0};
    {
      std::vector<std::jthread> clients;
      for (int c = 0; c < kClients; ++c) {
        clients.emplace_back([&] {
          Client(port, &turns, &mu, &failures);
          ++done;
        });
      }
      // No deadlock: the round ends within a bound far above its cost.
      ASSERT_TRUE(WaitUntil([&] { return done.load() == kClients; }, 180s))
          << "round " << round << ": only " << done.load() << " of " << kClients
          << " clients finished";
    }
    EXPECT_EQ(failures.load(), 0) << "round " << round;
    requests += kClients * kSessionsPerClient * (2 + kRepliesPerSession);
    // No lost message: each file holds every turn that was answered.
    for (const auto& [id, n] : turns) {
      Result<Session> s = server().stack().store().Read(id);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      EXPECT_EQ(s->messages.size(), static_cast<size_t>(n) * kMessagesPerTurn) << id;
    }
    // The reaper ends what the clients left; then resources settle.
    EXPECT_TRUE(WaitUntil([&] { return server().stack().registry().size() == 0; }, 30s))
        << server().stack().registry().size() << " sessions never reaped";
    if (round == 0) {  // warm-up round: the baseline is taken after it
      base = self.Sample().stats;
      continue;
    }
    const bool settled = WaitUntil(
        [&] {
          ProcessStats now = self.Sample().stats;
          return now.open_fds <= base.open_fds && now.threads <= base.threads;
        },
        20s);
    const ProcessStats now = self.Sample().stats;
    EXPECT_TRUE(settled) << "round " << round << ": fds " << base.open_fds << " -> " << now.open_fds
                         << ", threads " << base.threads << " -> " << now.threads;
    heap.push_back(HeapSample());
  }
  ASSERT_EQ(heap.size(), static_cast<size_t>(kLoadRounds));
  probe::GrowthVerdict v = probe::JudgeGrowth(heap, kLoadHeapBytesPerRound);
  ExpectHeapFlat(v, "load gate");
  RecordProperty("requests", requests);
  RecordProperty("clients", kClients);
  std::printf("load gate: %d clients, %d requests over %d sessions, heap %s\n", kClients, requests,
              (kLoadRounds + 1) * kClients * kSessionsPerClient, v.ToString().c_str());
}

}  // namespace
}  // namespace goose::hardening
