// Hostile clients' connections: a pipelined burst, trickling clients and a
// connection flood.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

#include "core/base/http_connection.h"
#include "core/base/resource_ledger.h"
#include "hostile/gates/hostile_gate.h"

namespace goose::hostile {
namespace {

using namespace std::chrono_literals;

// 2000 requests pipelined on one connection: answered in order up to the
// connection's allowance (1000), the last saying "Connection: close"; the
// rest is read and dropped while the answers in flight arrive, and the
// connection ends with a close, never a reset that loses them.
TEST_F(HostileGate, PipelinedBurstIsAnsweredInOrderWithoutAReset) {
  TestServerOptions options;
  const size_t allowance = options.stack.http.limits.keep_alive_max_requests;
  // An allowance raised 4x answers the whole burst and keeps the connection:
  // closed after 1 s idle instead of 5.
  options.stack.http.limits.keep_alive_timeout = 1s;
  StartServer(std::move(options));
  Outcome out;
  Measure("keep_alive_max_requests (pipelined)",
          [&] { out = PipelinedBurst(victim_, static_cast<int>(2 * allowance), 60s); });
  answer_ = out.ToString();
  EXPECT_EQ(out.status, 200) << out.ToString();
  EXPECT_FALSE(out.reset) << "the connection was reset: " << out.ToString();
  EXPECT_TRUE(out.closed) << out.ToString();
  EXPECT_EQ(static_cast<size_t>(out.answers), allowance)
      << "not closed after exactly the connection's allowance of answers: " << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, TricklingClientsAreCutOffAndHoldNoWorker) {
  StartServer();
  Seed seed = MakeSeed();
  Measure("GOOSE_API_READ_TIMEOUT_SECS (a whole request)", [&] {
    // 40 connections each trickling a byte of a request line every 2 s: the
    // server still answers at once, and closes them all within the read
    // timeout (10 s) and a few seconds of slack.
    ConnectionFlood flood(victim_, 40);
    for (int tick = 0; tick < 8; ++tick) {
      flood.TrickleOnce();
      ExpectAlive();
      std::this_thread::sleep_for(2s);
      if (flood.ClosedByServer() == flood.opened()) break;
    }
    EXPECT_EQ(flood.ClosedByServer(), flood.opened())
        << "trickling clients were not cut off within 16 s";
  });
  answer_ = "closed (408) within the read timeout";
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, ConnectionFloodIsCappedAndKeyedRequestsStillServed) {
  RaiseOpenFileLimit();
  StartServer();
  Seed seed = MakeSeed();
  const size_t cap = HttpLimits{}.max_connections;  // the default
  Measure("GOOSE_API_MAX_CONNECTIONS", [&] {
    ConnectionFlood flood(victim_, 4 * cap);
    // The oldest idle ones are closed to make room; keyed requests go on.
    ExpectAlive();
    HttpAnswer reply =
        server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "during a flood"}});
    EXPECT_EQ(reply.status, 200) << JsonDump(reply.body);
    EXPECT_LE(ResourceLedger::Global().Get(Gauge::kHttpConnections), static_cast<int64_t>(cap))
        << "open connections over the cap";
  });
  answer_ = "oldest idle connections closed at the cap; requests answered";
  ExpectAlive();
  ExpectSeedWhole(seed);
}

}  // namespace
}  // namespace goose::hostile
