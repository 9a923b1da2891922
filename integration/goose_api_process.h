// GooseApiProcessTest: goose-api as users run it, the binary, against
// mock-llm (the real OpenAIProvider over HTTP) with mock-mcp extensions,
// watched from a subreaper so that no process it leaves behind can hide.
// Shared by the binary's end-to-end tests and its security tests.

#ifndef GOOSE_INTEGRATION_GOOSE_API_PROCESS_H_
#define GOOSE_INTEGRATION_GOOSE_API_PROCESS_H_

#include <gtest/gtest.h>
#include <httplib.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "harness/test_util.h"
#include "integration/programs.h"
#include "scenarios/probe/orphan_watch.h"

namespace goose {
namespace testing {

constexpr const char* kKey = "binary-test-key";

class GooseApiProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string script = (dir_.path() / "tools.json").string();
    // Turn 0: two extensions, three tool calls in one message, one of which
    // leaves a grandchild in a new session (only a subreaper sees it).
    goose::testing::WriteWholeFile(script, R"({"name": "tools", "loop": true, "turns": [
      {"messages": [{"text": "Calling tools.", "tool_calls": [
          {"name": "alpha__echo", "arguments": {"text": "one"}, "fragments": 2},
          {"name": "beta__echo", "arguments": {"text": "two"}},
          {"name": "alpha__spawn_grandchild", "arguments": {"new_session": true, "seconds": 300}}]}]},
      {"messages": [{"text": "Done with tools.", "chunks": 3}]}]})");
    Result<RunningProgram> llm =
        StartProgram({ProgramPath("mock-llm"), "--port", "0", "--script", script}, {});
    ASSERT_TRUE(llm.ok()) << llm.status().ToString();
    llm_ = std::move(llm).value();
    StartServer({});
  }

  void StartServer(std::map<std::string, std::string> extra_env) {
    std::map<std::string, std::string> env = {
        {"GOOSE_API_KEY", kKey},
        {"GOOSE_API_PORT", "0"},
        {"GOOSE_API_SESSIONS_DIR", (dir_.path() / "sessions").string()},
        {"OPENAI_HOST", "http://127.0.0.1:" + std::to_string(llm_.port)},
        {"OPENAI_API_KEY", "unused"},
        {"GOOSE_API_MODEL", "tools"},
        {"GOOSE_API_LOG_LEVEL", "warn"}};
    for (auto& [k, v] : extra_env) {
      if (v.empty()) {
        env.erase(k);  // "" removes a default (GOOSE_API_KEY for open mode)
      } else {
        env[k] = v;
      }
    }
    Result<RunningProgram> api = StartProgram({ProgramPath("goose-api")}, env);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = std::move(api).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", api_.port);
    client_->set_tcp_nodelay(true);
    client_->set_read_timeout(60);
  }

  std::pair<int, Json> Post(const std::string& path, const Json& body) {
    auto res = client_->Post(path, {{"x-api-key", kKey}}, body.dump(), "application/json");
    if (!res) return {-1, Json()};
    return {res->status, Json::parse(res->body, nullptr, false)};
  }

  void AddExtensions() {
    for (const char* name : {"alpha", "beta"}) {
      auto [status, body] = Post("/extensions/add", {{"type", "stdio"},
                                                     {"name", name},
                                                     {"cmd", ProgramPath("mock-mcp")},
                                                     {"args", Json::array()},
                                                     {"timeout", 30}});
      ASSERT_EQ(status, 200) << body.dump();
    }
  }

  // Processes below goose-api: shims, mock-mcp, grandchildren.
  std::vector<probe::ProcessInfo> ServerTree() const {
    std::vector<probe::ProcessInfo> out;
    for (const ProcStat& p : goose::Descendants(api_.process->pid())) {
      out.push_back({p.pid, p.ppid, p.state, ""});
    }
    return out;
  }
  // Everything below this test except mock-llm and goose-api themselves.
  std::vector<probe::ProcessInfo> Strays() const {
    std::set<pid_t> ours = {llm_.process->pid()};
    if (api_.process) ours.insert(api_.process->pid());
    return watch_.Descendants(ours);
  }

  std::string StartSessionWithTools() {
    auto [status, body] = Post("/session/start", {{"prompt", "use the tools"}});
    EXPECT_EQ(status, 200) << body.dump();
    EXPECT_EQ(body["message"], "Calling tools.\nDone with tools.");
    return body.value("session_id", "");
  }

  probe::OrphanWatch watch_;  // first: every process below is re-parented here, not to init
  ScopedTempDir dir_;
  RunningProgram llm_;
  RunningProgram api_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace testing
}  // namespace goose

#endif  // GOOSE_INTEGRATION_GOOSE_API_PROCESS_H_
