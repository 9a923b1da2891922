#include "hostile/gates/hostile_gate.h"

#include <chrono>
#include <string>

#include "core/base/process_stats.h"
#include "core/providers/openai_config.h"
#include "harness/test_util.h"
#include "mock_provider/script.h"

namespace goose::hostile {

using namespace std::chrono_literals;

std::string TestName() {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::string(info->test_suite_name()) + "." + info->name();
}

void HostileGate::StartServer(TestServerOptions options) {
  server_ = std::make_unique<TestServer>(std::move(options));
  Status started = server_->Start();
  ASSERT_TRUE(started.ok()) << started.ToString();
  victim_ = Victim{server_->port(), server_->api_key()};
}

void HostileGate::StartWithHostileProvider(mock::HostileLlmOptions llm,
                                           std::chrono::milliseconds idle_timeout) {
  llm.normal_replies = 2;
  Result<std::unique_ptr<mock::HostileLlm>> started = mock::HostileLlm::Start(llm);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  llm_ = std::move(started).value();
  OpenAIConfig config;
  config.scheme = "http";
  config.host = "127.0.0.1";
  config.port = llm_->port();
  config.model = "hostile";
  config.idle_timeout = idle_timeout;
  config.total_timeout = 10s;
  config.max_retries = 0;
  provider_ = std::make_unique<OpenAIProvider>(config);
  TestServerOptions options;
  options.provider = provider_.get();
  StartServer(std::move(options));
}

void HostileGate::StartWithHostileExtension(const std::string& tool, const Json& arguments,
                                            int timeout_seconds,
                                            std::chrono::seconds client_timeout) {
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
  options.client_timeout = client_timeout;
  StartServer(std::move(options));
  HttpAnswer added = server_->Post("/extensions/add", {{"type", "stdio"},
                                                       {"name", "mcp"},
                                                       {"cmd", GOOSE_MOCK_MCP_PATH},
                                                       {"args", Json::array()},
                                                       {"timeout", timeout_seconds}});
  ASSERT_EQ(added.status, 200) << JsonDump(added.body);
}

Seed HostileGate::MakeSeed() {
  HttpAnswer started = server_->Post("/session/start", {{"prompt", "before the attack"}});
  EXPECT_EQ(started.status, 200) << JsonDump(started.body);
  Seed seed;
  seed.id = started.body.value("session_id", "");
  Result<Session> stored = server_->store().Read(seed.id);
  EXPECT_TRUE(stored.ok()) << stored.status().ToString();
  if (stored.ok()) seed.messages = stored->messages.size();
  return seed;
}

void HostileGate::ExpectSeedWhole(const Seed& seed) {
  Result<Session> stored = server_->store().Read(seed.id);
  ASSERT_TRUE(stored.ok()) << "the stored session is lost: " << stored.status().ToString();
  EXPECT_GE(stored->messages.size(), seed.messages) << "stored messages were lost";
  if (!stored->messages.empty()) {
    EXPECT_EQ(stored->messages.front().Text(), "before the attack");
  }
}

void HostileGate::ExpectAlive() {
  testing::ApiClient fresh("127.0.0.1", server_->port(), server_->api_key(), 5s);
  const auto start = std::chrono::steady_clock::now();
  HttpAnswer metrics = fresh.Get("/metrics");
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(metrics.status, 200) << "the server does not answer /metrics";
  EXPECT_LT(took, kAliveBound)
      << "/metrics took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
      << " ms";
}

TimedAnswer HostileGate::MeasurePost(const std::string& limit, const std::string& path,
                                     const Json& body, std::optional<Budget> case_budget) {
  TimedAnswer timed;
  Measure(
      limit,
      [&] {
        const auto start = std::chrono::steady_clock::now();
        timed.answer = server_->Post(path, body);
        timed.took = std::chrono::steady_clock::now() - start;
      },
      case_budget);
  return timed;
}

TimedAnswer HostileGate::MeasureReply(const std::string& limit, const Seed& seed,
                                      std::optional<Budget> case_budget) {
  return MeasurePost(limit, "/session/reply", {{"session_id", seed.id}, {"prompt", "go on"}},
                     case_budget);
}

void HostileGate::ExpectEndedByTimeout(const std::string& timeout_name,
                                       std::chrono::milliseconds timeout,
                                       std::chrono::steady_clock::duration took) {
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const milliseconds bound = TimeoutBound(timeout);
  measured_["timeout_ms"] = timeout.count();
  measured_["ended_after_ms"] = duration_cast<milliseconds>(took).count();
  EXPECT_LT(took, bound) << timeout_name << " (" << timeout.count()
                         << " ms) did not end the wait within " << bound.count() << " ms: it took "
                         << duration_cast<milliseconds>(took).count() << " ms";
}

void HostileGate::TearDown() {
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

void HostileGate::ExpectAnswer(const Outcome& outcome, int status, const std::string& names) {
  answer_ = std::to_string(outcome.status) + " " + outcome.body.substr(0, 160);
  EXPECT_EQ(outcome.status, status) << outcome.ToString();
  if (!names.empty()) {
    EXPECT_NE(outcome.body.find(names), std::string::npos)
        << "expected an answer naming \"" << names << "\": " << outcome.ToString();
  }
}

void HostileGate::ExpectAnswer(const HttpAnswer& answer, int status, const std::string& names) {
  const std::string body = JsonDump(answer.body);
  answer_ = std::to_string(answer.status) + " " + body.substr(0, 160);
  EXPECT_EQ(answer.status, status) << body;
  if (!names.empty()) {
    EXPECT_NE(body.find(names), std::string::npos)
        << "expected an answer naming \"" << names << "\": " << body;
  }
}

}  // namespace goose::hostile
