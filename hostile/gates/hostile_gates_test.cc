// The hostile gates (label hostile): the whole server, at its default
// settings, against every hostile peer of the kit (hostile/client.h,
// mock_provider/hostile_llm.h, mock-mcp's hostile tools). For every case:
//  - the server is alive afterwards and answers /metrics within a second;
//  - the answer is the documented one (docs/reliability.md, "Hostile peers");
//  - no stored message is lost: a session stored before the case is whole;
//  - the peak heap and the peak resident memory over the case stay within
//    their budget above where they were when it began.
// Each case is one test, so a canary can run it alone with one limit
// lifted and show that it fails (hostile_canaries_test.cc).
//
//   GOOSE_GATE_REPORT_DIR   write every case's figures as <dir>/<test>.json

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <thread>

#include "core/base/http_connection.h"
#include "core/base/json.h"
#include "core/base/process_stats.h"
#include "core/base/resource_ledger.h"
#include "core/extensions/mcp_client.h"
#include "core/model/reply_stream.h"
#include "core/providers/openai_config.h"
#include "core/providers/openai_provider.h"
#include "core/providers/sse_parser.h"
#include "core/server/api_server.h"
#include "harness/api_client.h"
#include "harness/gate_report.h"
#include "harness/test_server.h"
#include "harness/test_util.h"
#include "hostile/client.h"
#include "hostile/gates/budgets.h"
#include "mock_provider/hostile_llm.h"
#include "mock_provider/script.h"
#include "scenarios/probe/peak_meter.h"

namespace goose::hostile {
namespace {

using namespace std::chrono_literals;
using testing::HttpAnswer;
using testing::TestServer;
using testing::TestServerOptions;

std::string TestName() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

// A session stored before the case, and what its file held.
struct Seed {
  std::string id;
  size_t messages = 0;
};

class HostileGate : public ::testing::Test {
 protected:
  void SetUp() override { goose::testing::MarkGateStarted(); }

  // The server with the scripted mock provider and in-process tools.
  void StartServer(TestServerOptions options = {}) {
    server_ = std::make_unique<TestServer>(std::move(options));
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
    victim_ = Victim{server_->port(), server_->api_key()};
  }

  // The server with an OpenAIProvider that talks to a hostile endpoint,
  // which answers the seed's two requests (reply, description) normally.
  void StartWithHostileProvider(mock::HostileLlmOptions llm) {
    llm.normal_replies = 2;
    Result<std::unique_ptr<mock::HostileLlm>> started = mock::HostileLlm::Start(llm);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    llm_ = std::move(started).value();
    OpenAIConfig config;
    config.scheme = "http";
    config.host = "127.0.0.1";
    config.port = llm_->port();
    config.model = "hostile";
    config.idle_timeout = 2s;  // the ping-only case proves the watchdog in seconds
    config.total_timeout = 10s;
    config.max_retries = 0;
    provider_ = std::make_unique<OpenAIProvider>(config);
    TestServerOptions options;
    options.provider = provider_.get();
    StartServer(std::move(options));
  }

  // The server with real stdio extensions: mock-mcp as "mcp", and a script
  // that calls `tool` with `arguments` once, then answers.
  void StartWithHostileExtension(const std::string& tool, const Json& arguments,
                                 int timeout_seconds = 2) {
    Json call = {{"name", "mcp__" + tool}, {"arguments", arguments}};
    Json script = Json::parse(R"({"turns": [
        {"messages": [{"text": "Seeded."}]},
        {"messages": [{"text": "Calling.", "tool_calls": []}]},
        {"messages": [{"text": "After the tool."}]}]})");
    script["turns"][1]["messages"][0]["tool_calls"].push_back(call);
    Result<mock::Script> parsed = mock::ParseScript(script, "hostile_extension");
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    TestServerOptions options;
    options.script = *parsed;
    options.stdio_extensions = true;
    StartServer(std::move(options));
    HttpAnswer added = server_->Post("/extensions/add", {{"type", "stdio"},
                                                         {"name", "mcp"},
                                                         {"cmd", GOOSE_MOCK_MCP_PATH},
                                                         {"args", Json::array()},
                                                         {"timeout", timeout_seconds}});
    ASSERT_EQ(added.status, 200) << JsonDump(added.body);
  }

  // Stores a session of one exchange.
  Seed MakeSeed() {
    HttpAnswer started = server_->Post("/session/start", {{"prompt", "before the attack"}});
    EXPECT_EQ(started.status, 200) << JsonDump(started.body);
    Seed seed;
    seed.id = started.body.value("session_id", "");
    Result<Session> stored = server_->store().Read(seed.id);
    EXPECT_TRUE(stored.ok()) << stored.status().ToString();
    if (stored.ok()) seed.messages = stored->messages.size();
    return seed;
  }

  // The seed's file still holds every message it held.
  void ExpectSeedWhole(const Seed& seed) {
    Result<Session> stored = server_->store().Read(seed.id);
    ASSERT_TRUE(stored.ok()) << "the stored session is lost: " << stored.status().ToString();
    EXPECT_GE(stored->messages.size(), seed.messages) << "stored messages were lost";
    if (!stored->messages.empty()) {
      EXPECT_EQ(stored->messages.front().Text(), "before the attack");
    }
  }

  // /metrics on a fresh connection answers within a second.
  void ExpectAlive() {
    testing::ApiClient fresh("127.0.0.1", server_->port(), server_->api_key(), 5s);
    const auto start = std::chrono::steady_clock::now();
    HttpAnswer metrics = fresh.Get("/metrics");
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(metrics.status, 200) << "the server does not answer /metrics";
    EXPECT_LT(took, kAliveBound)
        << "/metrics took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
        << " ms";
  }

  // Runs `attack` between the meter's start and stop, then judges the peak
  // against the budget and reports it.
  template <typename Attack>
  void Measure(const std::string& limit, Attack attack,
               std::optional<Budget> case_budget = std::nullopt) {
    probe::PeakMeter meter;
    meter.Start();
    const auto start = std::chrono::steady_clock::now();
    attack();
    peak_ = meter.Stop();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const Budget budget = case_budget ? *case_budget : BaseBudget();
    const bool heap_ok = peak_.heap_peak < 0 || peak_.heap_rise() <= budget.heap_bytes;
    const bool rss_ok = peak_.rss_peak < 0 || peak_.rss_rise() <= budget.rss_bytes;
    EXPECT_TRUE(heap_ok && rss_ok)
        << "peak over budget (" << limit << "): " << peak_.ToString() << "; budget heap +"
        << budget.heap_bytes << " B, rss +" << budget.rss_bytes << " B (" << budget.reason << ")";
    measured_ = Json{{"limit", limit},
                     {"heap_rise", peak_.heap_rise()},
                     {"heap_peak", peak_.heap_peak},
                     {"heap_budget", budget.heap_bytes},
                     {"rss_rise", peak_.rss_rise()},
                     {"rss_peak", peak_.rss_peak},
                     {"rss_budget", budget.rss_bytes},
                     {"budget_reason", budget.reason},
                     {"samples", peak_.samples},
                     {"within_budget", heap_ok && rss_ok},
                     {"seconds", seconds}};
  }

  // Writes the case's figures, its answer and its verdict (any failure of
  // the case, not only the peak's) to GOOSE_GATE_REPORT_DIR.
  void TearDown() override {
    if (measured_.is_null()) return;  // no case ran: the started mark says so
    Json result = measured_;
    result["scenario"] = TestName();
    result["answer"] = answer_;
    result["preset"] = PresetName();
    result["heap_backend"] = std::string(HeapBackendName());
    result["verdict"] =
        HasFailure() ? (result["within_budget"] == true ? "failed" : "over") : "within";
    goose::testing::WriteGateReport(
        {{"test", TestName()}, {"kind", "peak"}, {"results", Json::array({result})}});
  }

  // Records the answer for the report and checks it: `status`, and a
  // message naming `names`.
  void ExpectAnswer(const Outcome& outcome, int status, const std::string& names = "") {
    answer_ = std::to_string(outcome.status) + " " + outcome.body.substr(0, 160);
    EXPECT_EQ(outcome.status, status) << outcome.ToString();
    if (!names.empty()) {
      EXPECT_NE(outcome.body.find(names), std::string::npos)
          << "expected an answer naming \"" << names << "\": " << outcome.ToString();
    }
  }
  void ExpectAnswer(const HttpAnswer& answer, int status, const std::string& names = "") {
    const std::string body = JsonDump(answer.body);
    answer_ = std::to_string(answer.status) + " " + body.substr(0, 160);
    EXPECT_EQ(answer.status, status) << body;
    if (!names.empty()) {
      EXPECT_NE(body.find(names), std::string::npos)
          << "expected an answer naming \"" << names << "\": " << body;
    }
  }

  std::unique_ptr<mock::HostileLlm> llm_;
  std::unique_ptr<OpenAIProvider> provider_;
  std::unique_ptr<TestServer> server_;
  Victim victim_;
  probe::PeakFigures peak_;
  Json measured_;
  std::string answer_;
};

// --- Clients --------------------------------------------------------------

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

TEST_F(HostileGate, ChunkedBodyWithoutKeyIsRefusedBeforeItsBody) {
  StartServer();
  Seed seed = MakeSeed();
  Outcome out;
  Measure("key checked before any body is read",
          [&] { out = ChunkedBodyWithoutEnd(victim_, /*keyed=*/false, 256 << 20, 30s); });
  ExpectAnswer(out, 401, "x-api-key");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, ChunkedBodyIsRefused) {
  StartServer();
  Seed seed = MakeSeed();
  Outcome out;
  Measure("no chunked request bodies",
          [&] { out = ChunkedBodyWithoutEnd(victim_, /*keyed=*/true, 256 << 20, 30s); });
  ExpectAnswer(out, 411, "Transfer-Encoding");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

class CompressionBombGate : public HostileGate, public ::testing::WithParamInterface<Encoding> {};

TEST_P(CompressionBombGate, IsRefusedBeforeInflating) {
  StartServer();
  Seed seed = MakeSeed();
  const std::string body = BombBody(GetParam(), 1ull << 30);  // 1 GiB inflated
  Outcome out;
  Measure("no compressed request bodies",
          [&] { out = CompressionBomb(victim_, GetParam(), body); });
  ExpectAnswer(out, 415, "Content-Encoding");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

INSTANTIATE_TEST_SUITE_P(Encodings, CompressionBombGate,
                         ::testing::Values(Encoding::kGzip, Encoding::kDeflate, Encoding::kBrotli),
                         [](const ::testing::TestParamInfo<Encoding>& info) {
                           return std::string(EncodingName(info.param)) == "br"
                                      ? std::string("brotli")
                                      : std::string(EncodingName(info.param));
                         });

TEST_F(HostileGate, PostWithoutLengthIsRefused) {
  StartServer();
  Outcome out;
  Measure("POST needs a Content-Length", [&] { out = PostWithoutLength(victim_, 64 << 20, 15s); });
  ExpectAnswer(out, 411, "Content-Length");
  ExpectAlive();
}

TEST_F(HostileGate, RequestLineWithoutEndIsCutAtTheHeadLimit) {
  StartServer();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_HEADER_BYTES", [&] { out = RequestLineWithoutEnd(victim_, 256 << 20, 30s); },
      LimitBudget(kHeadBytesRule, HttpLimits{}.max_header_bytes));
  ExpectAnswer(out, 431);
  EXPECT_LT(out.bytes_sent, 16u << 20) << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, HeaderWithoutEndIsCutAtTheHeadLimit) {
  StartServer();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_HEADER_BYTES", [&] { out = HeaderWithoutEnd(victim_, 256 << 20, 30s); },
      LimitBudget(kHeadBytesRule, HttpLimits{}.max_header_bytes));
  ExpectAnswer(out, 431);
  EXPECT_LT(out.bytes_sent, 16u << 20) << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, ManyHeadersAreCutAtTheHeadLimit) {
  StartServer();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_HEADER_BYTES", [&] { out = ManyHeaders(victim_, 10'000'000, 30s); },
      LimitBudget(kHeadBytesRule, HttpLimits{}.max_header_bytes));
  ExpectAnswer(out, 431);
  ExpectAlive();
}

// A head 1 KiB under GOOSE_API_MAX_HEADER_BYTES is served and one 1 KiB
// over it is refused with 431: the limit pinned from both sides (the
// flooding cases above are cut by the waiting room's look at the socket,
// which holds nothing a raised limit would show).
TEST_F(HostileGate, HeadUnderTheHeadLimitIsServed) {
  StartServer();
  const size_t limit = HttpLimits{}.max_header_bytes;
  Outcome out;
  Measure("GOOSE_API_MAX_HEADER_BYTES (a head 1 KiB under it)", [&] {
    out = LargeAnswer(victim_, KeyedGetOfHeadSize(victim_, "/metrics", limit - 1024), 10s);
  });
  answer_ = out.ToString();
  EXPECT_EQ(out.status, 200) << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, HeadJustOverTheHeadLimitIsRefused) {
  StartServer();
  const size_t limit = HttpLimits{}.max_header_bytes;
  Outcome out;
  Measure("GOOSE_API_MAX_HEADER_BYTES (a head 1 KiB over it)", [&] {
    out = LargeAnswer(victim_, KeyedGetOfHeadSize(victim_, "/metrics", limit + 1024), 10s);
  });
  answer_ = out.ToString();
  EXPECT_EQ(out.status, 431) << "a head over GOOSE_API_MAX_HEADER_BYTES was not refused: "
                             << out.ToString();
  ExpectAlive();
}

// RFC 9112 framing: a head the server could frame one way and a proxy the
// other is refused with 400 by the waiting room, before any worker parses
// it; the answer names the rule. Bare LFs are refused at once, not after
// the request deadline (a 408 then).
class MisframedGate : public HostileGate, public ::testing::WithParamInterface<Misframing> {};

TEST_P(MisframedGate, IsRefusedWith400NamingTheRule) {
  StartServer();
  Seed seed = MakeSeed();
  Outcome out;
  Measure("RFC 9112 framing", [&] { out = Misframed(victim_, GetParam()); });
  const char* names = GetParam() == Misframing::kTwoLengths   ? "conflicting Content-Length"
                      : GetParam() == Misframing::kFoldedLine ? "obs-fold"
                                                              : "bare LF";
  ExpectAnswer(out, 400, names);
  ExpectAlive();
  ExpectSeedWhole(seed);
}

INSTANTIATE_TEST_SUITE_P(Rules, MisframedGate,
                         ::testing::Values(Misframing::kTwoLengths, Misframing::kFoldedLine,
                                           Misframing::kBareLineFeeds),
                         [](const ::testing::TestParamInfo<Misframing>& info) {
                           return std::string(MisframingName(info.param));
                         });

// 2000 requests pipelined on one connection: answered in order up to the
// connection's allowance (1000), the last saying "Connection: close"; the
// rest is read and dropped while the answers in flight arrive, and the
// connection ends with a close, never a reset that loses them.
TEST_F(HostileGate, PipelinedBurstIsAnsweredInOrderWithoutAReset) {
  TestServerOptions options;
  const size_t allowance = options.stack.http.limits.keep_alive_max_requests;
  StartServer(std::move(options));
  Outcome out;
  Measure("keep_alive_max_requests (pipelined)",
          [&] { out = PipelinedBurst(victim_, static_cast<int>(2 * allowance), 60s); });
  answer_ = out.ToString();
  EXPECT_EQ(out.status, 200) << out.ToString();
  EXPECT_FALSE(out.reset) << "the connection was reset: " << out.ToString();
  EXPECT_TRUE(out.closed) << out.ToString();
  EXPECT_EQ(static_cast<size_t>(out.answers), allowance) << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, DeepJsonBodyIsRefused) {
  StartServer();
  Seed seed = MakeSeed();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_JSON_DEPTH", [&] { out = DeepJson(victim_, 500'000); }, DepthBudget());
  ExpectAnswer(out, 400, "GOOSE_API_MAX_JSON_DEPTH");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

// JSON one level deeper than GOOSE_API_MAX_JSON_DEPTH is refused naming
// it; at the limit it is parsed (and refused for its fields, an array is
// not a request): the limit pinned from both sides, by its default.
TEST_F(HostileGate, JsonOneLevelTooDeepIsRefused) {
  StartServer();
  Outcome out;
  Measure("GOOSE_API_MAX_JSON_DEPTH (one level over it)",
          [&] { out = DeepJson(victim_, kDefaultJsonDepthLimit + 1); });
  ExpectAnswer(out, 400, "GOOSE_API_MAX_JSON_DEPTH");
  ExpectAlive();
}

TEST_F(HostileGate, JsonAtTheDepthLimitIsParsed) {
  StartServer();
  Outcome out;
  Measure("GOOSE_API_MAX_JSON_DEPTH (at it)",
          [&] { out = DeepJson(victim_, kDefaultJsonDepthLimit); });
  ExpectAnswer(out, 400);
  EXPECT_EQ(out.body.find("GOOSE_API_MAX_JSON_DEPTH"), std::string::npos)
      << "JSON at the depth limit was refused for its depth: " << out.ToString();
  ExpectAlive();
}

TEST_F(HostileGate, WideValidJsonAtTheBodyLimitIsServed) {
  StartServer();
  Outcome out;
  Measure(
      "GOOSE_API_MAX_BODY_BYTES (a body that large, parsed)",
      [&] { out = WideJson(victim_, (1 << 20) - 1024); },
      LimitBudget(kBodyBytesRule, ApiServerOptions{}.max_body_bytes));
  ExpectAnswer(out, 200);
  ExpectAlive();
}

// Just over the body limit: refused with 413 on its length, before the
// body is read (with the case above, the limit is pinned from both sides:
// raised or lowered, one of the two fails).
TEST_F(HostileGate, WideValidJsonJustOverTheBodyLimitIsRefused) {
  StartServer();
  Outcome out;
  Measure("GOOSE_API_MAX_BODY_BYTES (a body just over it)",
          [&] { out = WideJson(victim_, (1 << 20) + 1024); });
  ExpectAnswer(out, 413, "GOOSE_API_MAX_BODY_BYTES");
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

// --- Providers ------------------------------------------------------------

mock::HostileLlmOptions Mode(mock::HostileMode mode, uint64_t size = 0) {
  mock::HostileLlmOptions o;
  o.mode = mode;
  o.size = size;
  o.hostile_replies = 1;
  o.max_bytes = 512ull << 20;  // a canary (limit lifted) must end too
  return o;
}

TEST_F(HostileGate, EndlessTextFromTheProviderFailsTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kEndlessText));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "GOOSE_API_MAX_MESSAGE_BYTES",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
      },
      LimitBudget(kMessageBytesRule, ReplyLimits{}.max_message_bytes));
  ExpectAnswer(reply, 502, "GOOSE_API_MAX_MESSAGE_BYTES");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, OneHugeDeltaFailsTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kHugeDelta, 256ull << 20));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "an SSE line at most 1 MiB",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
      },
      LimitBudget(kSseLineRule, SseParser::Limits{}.max_line_bytes));
  ExpectAnswer(reply, 502, "line");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, DeeplyNestedToolArgumentsAreAToolError) {
  StartWithHostileProvider(Mode(mock::HostileMode::kNestedArguments, 300'000));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "GOOSE_API_MAX_JSON_DEPTH",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
      },
      DepthBudget());
  ExpectAnswer(reply, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  Result<Session> stored = server_->store().Read(seed.id);
  ASSERT_TRUE(stored.ok());
  bool refused = false;
  for (const Message& m : stored->messages) {
    for (const ToolRequestContent* r : m.ToolRequests()) {
      refused =
          refused || (!r->tool_call.ok() &&
                      r->tool_call.error.find("GOOSE_API_MAX_JSON_DEPTH") != std::string::npos);
    }
  }
  EXPECT_TRUE(refused) << "the nested arguments were not refused as a tool error";
}

TEST_F(HostileGate, DeeplyNestedChunkFailsTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kNestedContent, 300'000));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "GOOSE_API_MAX_JSON_DEPTH",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
      },
      DepthBudget());
  ExpectAnswer(reply, 500, "GOOSE_API_MAX_JSON_DEPTH");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, UnboundedToolCallIndexesFailTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kManyToolIndexes, 200'000));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("GOOSE_API_MAX_TOOL_CALLS", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
  });
  ExpectAnswer(reply, 502, "GOOSE_API_MAX_TOOL_CALLS");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

// One tool call over GOOSE_API_MAX_TOOL_CALLS in one turn fails the reply:
// the limit pinned by its default (the flood above fails at any limit).
TEST_F(HostileGate, OneToolCallOverTheLimitFailsTheReply) {
  StartWithHostileProvider(
      Mode(mock::HostileMode::kManyToolIndexes, ReplyLimits{}.max_tool_calls + 1));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("GOOSE_API_MAX_TOOL_CALLS (one over it)", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
  });
  ExpectAnswer(reply, 502, "GOOSE_API_MAX_TOOL_CALLS");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, TokenCountsAtInt64MaxSaturate) {
  StartWithHostileProvider(Mode(mock::HostileMode::kMaxTokens));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("token arithmetic saturates", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "count"}});
  });
  ExpectAnswer(reply, 200);
  ExpectAlive();
  ExpectSeedWhole(seed);
  Result<Session> stored = server_->store().Read(seed.id);
  ASSERT_TRUE(stored.ok());
  const int64_t max = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(stored->metadata.accumulated_total_tokens.value_or(0), max)
      << "accumulated token counts did not saturate";
  EXPECT_EQ(stored->metadata.accumulated_input_tokens.value_or(0), max)
      << "accumulated token counts did not saturate";
}

TEST_F(HostileGate, KeepAliveCommentsAloneTimeOut) {
  StartWithHostileProvider(Mode(mock::HostileMode::kPingOnly));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("GOOSE_API_PROVIDER_IDLE_TIMEOUT_SECS counts data, not comments", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
  });
  ExpectAnswer(reply, 500, "only keep-alive comments");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, EndlessResponseHeadersFailTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kEndlessHeaders));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "a provider answer's head at most 64 KiB",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
      },
      LimitBudget(kProviderHeadRule, OpenAIConfig{}.max_head_bytes));
  ExpectAnswer(reply, 500, "head is larger than");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

// A provider answer whose head is 1 KiB under its limit is taken, one 1 KiB
// over it fails the reply: the limit pinned from both sides (the endless
// head above holds too little for a heap budget to see it raised).
TEST_F(HostileGate, ProviderHeadUnderItsLimitIsTaken) {
  StartWithHostileProvider(
      Mode(mock::HostileMode::kEndlessHeaders, OpenAIConfig{}.max_head_bytes - 1024));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("a provider answer's head at most 64 KiB (1 KiB under it)", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
  });
  ExpectAnswer(reply, 200, "a large head");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, ProviderHeadJustOverItsLimitFailsTheReply) {
  StartWithHostileProvider(
      Mode(mock::HostileMode::kEndlessHeaders, OpenAIConfig{}.max_head_bytes + 1024));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure("a provider answer's head at most 64 KiB (1 KiB over it)", [&] {
    reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
  });
  ExpectAnswer(reply, 500, "head is larger than");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

TEST_F(HostileGate, ALineWithoutNewlineFailsTheReply) {
  StartWithHostileProvider(Mode(mock::HostileMode::kNoNewline));
  Seed seed = MakeSeed();
  HttpAnswer reply;
  Measure(
      "an SSE line at most 1 MiB",
      [&] {
        reply = server_->Post("/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}});
      },
      LimitBudget(kSseLineRule, SseParser::Limits{}.max_line_bytes));
  ExpectAnswer(reply, 502, "line");
  ExpectAlive();
  ExpectSeedWhole(seed);
}

// --- Extensions -----------------------------------------------------------

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
