// The official `openai` npm client (ci/node_modules, pinned 6.49.0) against
// mock-llm: streams content and a tool call, and meets a 429 and an error
// frame. Fails (never skips) without node or ci/node_modules.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "core/base/json.h"
#include "harness/test_util.h"
#include "mock_provider/mock_llm_server.h"
#include "mock_provider/tests/http_test_util.h"
#include "mock_provider/tests/subprocess.h"

namespace goose::mock {
namespace {

using ::testing::ElementsAre;
using testing::MustParse;

constexpr auto kNodeTimeout = std::chrono::seconds(60);  // bound, not a timing assertion
constexpr char kInstallHint[] = "run `ci/install-deps --npm` to install node and ci/node_modules";

class OpenAIClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> node = testing::FindInPath("node");
    ASSERT_TRUE(node.has_value()) << "node is not on PATH; " << kInstallHint;
    node_ = *node;
    node_modules_ = std::filesystem::path(GOOSE_SOURCE_DIR) / "ci/node_modules";
    ASSERT_TRUE(std::filesystem::exists(node_modules_ / "openai/package.json"))
        << node_modules_ / "openai"
        << " is missing; " << kInstallHint;
    const Json package =
        Json::parse(goose::testing::ReadWholeFile(node_modules_ / "openai/package.json"));
    EXPECT_EQ(package["version"], "6.49.0") << "the pinned client; " << kInstallHint;

    server_ = testing::StartServer({
        MustParse(R"({"name": "tools", "turns": [{"chunk_delay_ms": 1, "messages": [
            {"text": "I will list the files.", "chunks": 4},
            {"text": "Running ls.", "chunks": 2,
             "tool_calls": [{"id": "call_ls", "name": "developer__shell",
                             "arguments": {"command": "ls -la"}, "fragments": 4}]}],
            "usage": {"input_tokens": 30, "output_tokens": 12}}]})"),
        MustParse(R"({"name": "limited", "turns": [{"failure": {"kind": "http_429"}}]})"),
        MustParse(R"({"name": "broken", "turns": [{"messages": [{"chunks": 4}],
            "failure": {"kind": "error_frame", "after_chunk": 2, "message": "upstream broke"}}]})"),
    });
    ASSERT_NE(server_, nullptr);
  }

  // Runs the node client against `model`; its one line of JSON output.
  Json RunClient(const std::string& model) {
    const std::string script =
        std::string(GOOSE_SOURCE_DIR) + "/mock_provider/tests/openai_client_stream.mjs";
    testing::Subprocess node(node_,
                             {script, node_modules_.string(), server_->base_url() + "/v1", model});
    EXPECT_TRUE(node.running());
    const int code = node.Finish(kNodeTimeout);
    EXPECT_EQ(code, 0) << "node failed: " << node.stderr_text();
    Result<Json> out = JsonParse(node.stdout_text(), "node output");
    EXPECT_TRUE(out.ok()) << node.stdout_text() << node.stderr_text();
    return out.ok() ? *out : Json();
  }

  std::string node_;
  std::filesystem::path node_modules_;
  std::unique_ptr<MockLlmServer> server_;
};

TEST_F(OpenAIClientTest, StreamsContentAndAToolCall) {
  const Json out = RunClient("tools");
  ASSERT_FALSE(out.contains("error")) << out.dump();
  ASSERT_EQ(out["ids"].size(), 2u) << "one id per scripted message: " << out.dump();
  const std::string first = out["ids"][0];
  const std::string second = out["ids"][1];
  EXPECT_EQ(out["roles"], Json::array({"assistant", "assistant"}));
  EXPECT_EQ(out["content"][first], "I will list the files.");
  EXPECT_EQ(out["content"][second], "Running ls.");
  const Json& call = out["tool_calls"][second + "#0"];
  EXPECT_EQ(call["id"], "call_ls");
  EXPECT_EQ(call["name"], "developer__shell");
  EXPECT_EQ(Json::parse(call["arguments"].get<std::string>()), Json({{"command", "ls -la"}}));
  EXPECT_EQ(out["finish_reasons"], Json::array({"stop", "tool_calls"}));
  EXPECT_EQ(out["usage"]["prompt_tokens"], 30);
  EXPECT_EQ(out["usage"]["completion_tokens"], 12);
  EXPECT_EQ(out["usage"]["total_tokens"], 42);
  EXPECT_EQ(out["chunks"],
            4 + 1 + 2 + 4 + 1 + 1);  // content, finish, content, fragments, finish, usage

  // What the client sent, from the server's side.
  const std::vector<Json> journal = server_->journal().Entries();
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0]["model"], "tools");
  EXPECT_EQ(journal[0]["stream"], true);
  EXPECT_EQ(journal[0]["messages"][0]["content"], "list the files");
  EXPECT_EQ(journal[0]["tools"][0]["function"]["name"], "developer__shell");
  EXPECT_TRUE(server_->stats().WaitUntilSettled(std::chrono::seconds(30)));
  EXPECT_EQ(server_->stats().Snapshot().streams_completed, 1);
}

TEST_F(OpenAIClientTest, RateLimitArrivesAsA429Error) {
  const Json out = RunClient("limited");
  ASSERT_TRUE(out.contains("error")) << out.dump();
  EXPECT_EQ(out["error"]["status"], 429);
  EXPECT_EQ(out["error"]["code"], "rate_limit_exceeded");
}

TEST_F(OpenAIClientTest, ErrorFrameMidStreamRaises) {
  const Json out = RunClient("broken");
  ASSERT_TRUE(out.contains("error")) << out.dump();
  EXPECT_THAT(out["error"]["message"].get<std::string>(), ::testing::HasSubstr("upstream broke"));
  EXPECT_EQ(out["chunks"], 2);  // the chunks before the error frame arrived
}

}  // namespace
}  // namespace goose::mock
