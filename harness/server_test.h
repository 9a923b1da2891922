// ServerTest: a GoogleTest fixture around one TestServer.
//
//   class MyTest : public goose::testing::ServerTest {};
//   TEST_F(MyTest, Works) {
//     StartServer();
//     EXPECT_EQ(Post("/session/start", {{"prompt", "hi"}}).status, 200);
//   }

#ifndef GOOSE_HARNESS_SERVER_TEST_H_
#define GOOSE_HARNESS_SERVER_TEST_H_

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness/test_server.h"

namespace goose::testing {

class ServerTest : public ::testing::Test {
 protected:
  // Starts a fresh server (after stopping one already running).
  void StartServer(TestServerOptions options = {}) {
    server_.reset();
    server_ = std::make_unique<TestServer>(std::move(options));
    Status started = server_->Start();
    ASSERT_TRUE(started.ok()) << started.ToString();
  }

  TestServer& server() { return *server_; }
  HttpAnswer Post(const std::string& path, const Json& body) { return server_->Post(path, body); }
  HttpAnswer Get(const std::string& path) { return server_->Get(path); }

  std::unique_ptr<TestServer> server_;
};

}  // namespace goose::testing

#endif  // GOOSE_HARNESS_SERVER_TEST_H_
