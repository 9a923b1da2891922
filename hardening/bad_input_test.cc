// The bad-input corpus against the whole server over loopback: every bad
// request gets its documented status and a JSON error, misbehaving clients
// are answered or cut off within the read timeout, the server keeps
// serving, and nothing is written outside the sessions directory.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/model/session_id.h"
#include "hardening/bad_input_corpus.h"
#include "harness/server_test.h"

namespace goose::hardening {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class BadInputTest : public testing::ServerTest {
 protected:
  void StartServer() { ServerTest::StartServer(HardeningServerOptions()); }

  // Only the sessions directory in the root, and only session files in it
  // (no temp files once the server is idle).
  void ExpectNothingOutsideSessionsDir() {
    for (const auto& e : fs::directory_iterator(server().root())) {
      EXPECT_EQ(e.path().filename(), "sessions") << "written outside: " << e.path();
    }
    for (const auto& e : fs::directory_iterator(server().sessions_dir())) {
      const std::string name = e.path().filename().string();
      ASSERT_TRUE(name.size() > 6 && name.ends_with(".jsonl")) << name;
      EXPECT_TRUE(ValidateSessionId(name.substr(0, name.size() - 6)).ok()) << name;
    }
  }
};

TEST_F(BadInputTest, EveryBadRequestGetsItsStatusAndAJsonError) {
  StartServer();
  ASSERT_EQ(Post("/session/start", {{"prompt", "a good one first"}}).status, 200);
  SendBadRequests(server().stack().port(), ApiServerOptions{}.max_body_bytes);
  ExpectNothingOutsideSessionsDir();
  // Still whole: a good request after the corpus.
  auto [status, body] = Post("/session/start", {{"prompt", "and after"}});
  EXPECT_EQ(status, 200) << body.dump();
}

TEST_F(BadInputTest, HugeButAllowedPromptIsAnsweredAndStored) {
  StartServer();
  const std::string prompt(ApiServerOptions{}.max_body_bytes - 4096, 'p');
  auto [status, body] = Post("/session/start", {{"prompt", prompt}});
  ASSERT_EQ(status, 200) << body.dump().substr(0, 200);
  Result<Session> stored = server().stack().store().Read(body["session_id"].get<std::string>());
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->messages.front().Text(), prompt);
}

TEST_F(BadInputTest, MisbehavingClientsAreCutOffAndTheServerKeepsServing) {
  StartServer();  // read timeout 1 s
  RunMisbehavingClients(server().stack().port(), 2000, 20s);
  ExpectNothingOutsideSessionsDir();
}

}  // namespace
}  // namespace goose::hardening
