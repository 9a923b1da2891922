// Hostile clients that ask for large answers: one read fast, and many that
// never read (GOOSE_API_MAX_ANSWER_BUFFER_BYTES).

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "core/base/process_stats.h"
#include "core/server/api_server.h"
#include "hostile/gates/hostile_gate.h"

namespace goose::hostile {
namespace {

using namespace std::chrono_literals;

// A stored session of five 900 KiB prompts (4.5 MiB), written as the
// server writes one; its id.
std::string StoreLargeSession(TestServer& server) {
  HttpAnswer started = server.Post("/session/start", {{"prompt", "a large session"}});
  EXPECT_EQ(started.status, 200) << JsonDump(started.body);
  const std::string id = started.body.value("session_id", "");
  Session session;
  for (int i = 0; i < 5; ++i) {
    std::string text(900 * 1024, static_cast<char>('a' + i));
    session.messages.push_back(i % 2 == 0 ? Message::User(std::move(text))
                                          : Message::Assistant(std::move(text)));
  }
  Status written = server.store().Write(id, session);
  EXPECT_TRUE(written.ok()) << written.ToString();
  return id;
}

// A figure of /metrics: at its top, or in its resources; -1 when the server
// did not answer or has no such figure.
int64_t MetricsFigure(const TestServer& server, const char* name, bool resource = false) {
  testing::ApiClient fresh("127.0.0.1", server.port(), server.api_key(), 2s);
  const Json body = fresh.Get("/metrics").body;
  if (!body.is_object()) return -1;
  const Json& from = resource ? body.value("resources", Json::object()) : body;
  return from.is_object() ? from.value(name, int64_t{-1}) : -1;
}

// The most /metrics on a fresh connection took over `probes` tries, one
// every `every` (ms); stops at the first one over `bound`, which decides.
int64_t SlowestMetrics(const TestServer& server, int probes, std::chrono::milliseconds every,
                       std::chrono::milliseconds bound) {
  int64_t slowest = 0;
  for (int i = 0; i < probes && slowest <= bound.count(); ++i) {
    testing::ApiClient fresh("127.0.0.1", server.port(), server.api_key(), 2s);
    const auto start = std::chrono::steady_clock::now();
    HttpAnswer metrics = fresh.Get("/metrics");
    const int64_t took = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
    slowest = std::max(slowest, metrics.status == 200 ? took : int64_t{2'000});
    std::this_thread::sleep_for(every);
  }
  return slowest;
}

// One answer of a 4.5 MiB session, read as fast as it comes: it costs its
// own size and a bounded buffer, not copies of the conversation.
TEST_F(HostileGate, OneLargeAnswerPeaksAtItsSize) {
  StartServer();
  const std::string id = StoreLargeSession(*server_);
  const std::string request = KeyedPost(victim_, "/session/get", JsonDump({{"session_id", id}}));
  const int64_t answer_bytes = 5 * 900 * 1024;
  Outcome out;
  Measure(
      "/session/get of a 4.5 MiB session (its size + 256 KiB)",
      [&] { out = LargeAnswer(victim_, request, 60s); }, AnswerBudgetFor(answer_bytes));
  answer_ = out.ToString() + ", " + std::to_string(out.bytes_received) + " bytes";
  EXPECT_EQ(out.status, 200) << out.ToString();
  EXPECT_GT(out.bytes_received, static_cast<uint64_t>(answer_bytes)) << out.ToString();
  ExpectAlive();
}

// 60 clients ask for that session and do not read: /metrics still answers
// within 100 ms every time (no worker waits for a reader), the bytes held
// for them stay within GOOSE_API_MAX_ANSWER_BUFFER_BYTES (the others are
// refused with 503), and their memory goes when they do. The server has 4
// workers, fewer than the answers the budget lets in: were a worker to
// wait for its reader, none would be left for /metrics.
TEST_F(HostileGate, SlowReadersOfALargeSessionHoldNoWorker) {
  TestServerOptions options;
  options.stack.http.limits.threads = 4;
  StartServer(std::move(options));
  const std::string id = StoreLargeSession(*server_);
  const std::string request = KeyedPost(victim_, "/session/get", JsonDump({{"session_id", id}}));
  const int64_t bound = static_cast<int64_t>(ApiServerOptions{}.max_answer_buffer_bytes);
  int64_t slowest = 0;
  int64_t buffered = -1;
  Measure(
      "GOOSE_API_MAX_ANSWER_BUFFER_BYTES (60 slow readers of 4.5 MiB)",
      [&] {
        SlowReaders readers(victim_, 60, request);
        EXPECT_EQ(readers.opened(), 60u);
        // Their requests answered (each answer built, queued or refused):
        // from now on the clients only hold what they do not read.
        const auto settled = std::chrono::steady_clock::now() + 10s;
        while (MetricsFigure(*server_, "pending_requests") != 0 &&
               std::chrono::steady_clock::now() < settled) {
          std::this_thread::sleep_for(10ms);
        }
        slowest = SlowestMetrics(*server_, 30, 100ms, kSlowReaderMetricsBound);
        buffered = MetricsFigure(*server_, "answer_bytes_buffered", true);
        readers.Sip(64);
        const auto statuses = readers.statuses();
        EXPECT_GT(std::count(statuses.begin(), statuses.end(), 503), 0)
            << "no answer was refused for the budget";
      },
      AnswerBudgetFor(bound + (16 << 20)));
  // Gone with them: the server notices each close, drops what it held and
  // gives the pages back (memory_release.h).
  const auto dropped = std::chrono::steady_clock::now() + 10s;
  while (MetricsFigure(*server_, "answer_bytes_buffered", true) != 0 &&
         std::chrono::steady_clock::now() < dropped) {
    std::this_thread::sleep_for(10ms);
  }
  // Given back within FreedMemory's interval (250 ms) of the last answer's
  // end: allowed 2 s.
  int64_t rss_after = ReadProcessStats().rss_bytes;
  for (int i = 0; i < 40 && kRssLeftAfterSlowReaders >= 0 &&
                  rss_after - peak_.rss_before > kRssLeftAfterSlowReaders;
       ++i) {
    std::this_thread::sleep_for(50ms);
    rss_after = ReadProcessStats().rss_bytes;
  }
  answer_ = "/metrics within " + std::to_string(slowest) + " ms; buffered " +
            std::to_string(buffered) + " B; rss after " +
            std::to_string((rss_after - peak_.rss_before) >> 10) + " KiB";
  measured_["metrics_slowest_ms"] = slowest;
  measured_["rss_after_rise"] = rss_after - peak_.rss_before;
  if (kRssLeftAfterSlowReaders >= 0) {
    EXPECT_LE(rss_after - peak_.rss_before, kRssLeftAfterSlowReaders)
        << "memory of the answers stayed resident after their clients left";
  }
  EXPECT_LE(slowest, kSlowReaderMetricsBound.count())
      << "/metrics was held up by clients that do not read";
  EXPECT_LE(buffered, bound) << "answer bytes buffered over the bound";
  ExpectAlive();
}

}  // namespace
}  // namespace goose::hostile
