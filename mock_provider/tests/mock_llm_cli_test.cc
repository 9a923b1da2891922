// The mock-llm binary: its ready line, its signals, its errors.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <regex>

#include "core/base/json.h"
#include "harness/test_util.h"
#include "mock_provider/tests/subprocess.h"

namespace goose::mock {
namespace {

using ::testing::HasSubstr;
using testing::Subprocess;

std::string ScriptPath(const std::string& name) {
  return std::string(GOOSE_SOURCE_DIR) + "/mock_provider/scripts/" + name;
}

TEST(MockLlmCliTest, PrintsOneReadyLineServesAndExitsZeroOnSigterm) {
  for (int signal_number : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(signal_number);
    Subprocess child(MOCK_LLM_BINARY,
                     {"--port", "0", "--script", ScriptPath("tool_loop.json"), "--seed", "3"});
    ASSERT_TRUE(child.running());
    std::optional<std::string> line = child.ReadStdoutLine(goose::testing::kTestWait);
    ASSERT_TRUE(line.has_value()) << "no ready line";
    std::smatch m;
    ASSERT_TRUE(std::regex_match(*line, m,
                                 std::regex(R"(mock-llm listening on http://127\.0\.0\.1:(\d+))")))
        << *line;
    const int port = std::stoi(m[1]);
    ASSERT_GT(port, 0);

    httplib::Client client("127.0.0.1", port);
    client.set_tcp_nodelay(true);
    auto models = client.Get("/v1/models");
    ASSERT_TRUE(models);
    EXPECT_THAT(models->body, HasSubstr("\"tool_loop\""));
    auto chat =
        client.Post("/v1/chat/completions",
                    R"({"model": "tool_loop", "messages": [{"role": "user", "content": "hi"}]})",
                    "application/json");
    ASSERT_TRUE(chat);
    EXPECT_EQ(Json::parse(chat->body)["choices"][0]["finish_reason"], "tool_calls");
    client.stop();

    child.Signal(signal_number);
    EXPECT_EQ(child.Finish(goose::testing::kTestWait), 0) << child.stderr_text();
    EXPECT_EQ(child.stdout_text(), "") << "exactly one line on stdout";
  }
}

TEST(MockLlmCliTest, BadScriptExitsTwoNamingFileAndField) {
  goose::testing::ScopedTempDir dir;
  const std::string bad = (dir.path() / "broken.json").string();
  goose::testing::WriteWholeFile(
      bad, R"({"turns": [{"messages": [{}]}, {"messages": [{}]}, {"messages": [{"chunks": 0}]}]})");
  Subprocess child(MOCK_LLM_BINARY, {"--script", bad});
  ASSERT_TRUE(child.running());
  EXPECT_EQ(child.Finish(goose::testing::kTestWait), 2);
  EXPECT_THAT(child.stderr_text(),
              HasSubstr(bad + ": turns[2].messages[0].chunks must be a positive integer"));
  EXPECT_EQ(child.stdout_text(), "");
}

TEST(MockLlmCliTest, HelpAndBadArguments) {
  Subprocess help(MOCK_LLM_BINARY, {"--help"});
  EXPECT_EQ(help.Finish(goose::testing::kTestWait), 0);
  EXPECT_THAT(help.stdout_text(), HasSubstr("--journal-size"));
  EXPECT_THAT(help.stdout_text(), HasSubstr("--script FILE"));

  Subprocess bad_port(MOCK_LLM_BINARY, {"--port", "http"});
  EXPECT_EQ(bad_port.Finish(goose::testing::kTestWait), 2);
  EXPECT_THAT(bad_port.stderr_text(), HasSubstr("--port must be a non-negative integer"));

  Subprocess unknown(MOCK_LLM_BINARY, {"--frobnicate", "1"});
  EXPECT_EQ(unknown.Finish(goose::testing::kTestWait), 2);
  EXPECT_THAT(unknown.stderr_text(), HasSubstr("unknown option --frobnicate"));
}

}  // namespace
}  // namespace goose::mock
