// ServerFixture: the whole goose-api server (ServerStack) in-process over
// the scripted MockProvider and the in-process tool catalog, with its
// sessions directory inside a temp root, so a test can prove that nothing
// is written anywhere else.

#ifndef GOOSE_HARDENING_SERVER_FIXTURE_H_
#define GOOSE_HARDENING_SERVER_FIXTURE_H_

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>

#include "core/server/server_stack.h"
#include "core/tests/test_util.h"
#include "integration/in_process_tools.h"
#include "mock_provider/mock_provider.h"
#include "mock_provider/script.h"

namespace goose::hardening {

inline constexpr const char* kKey = "hardening-key-0123456789";

class ServerFixture : public ::testing::Test {
 protected:
  // Starts the server. `tune` may change the options before the start.
  template <typename Tune>
  void StartServer(Tune tune) {
    provider_ = std::make_unique<mock::MockProvider>(mock::DefaultScript());
    ServerStackOptions options;
    options.sessions_dir = sessions_dir();
    options.api_key = kKey;
    options.provider_name = "mock";
    options.http.read_timeout = std::chrono::seconds(1);
    tune(options);
    stack_ = std::make_unique<ServerStack>(provider_.get(), &catalog_, options);
    Status s = stack_->Start();
    ASSERT_TRUE(s.ok()) << s.ToString();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", stack_->port());
    client_->set_tcp_nodelay(true);
    client_->set_read_timeout(30);
  }
  void StartServer() {
    StartServer([](ServerStackOptions&) {});
  }

  std::filesystem::path sessions_dir() const { return root_.path() / "sessions"; }
  const std::filesystem::path& root() const { return root_.path(); }

  // POST with the key; status and parsed body (-1 when no answer came).
  std::pair<int, Json> Post(const std::string& path, const Json& body) {
    auto res = client_->Post(path, {{"x-api-key", kKey}}, body.dump(), "application/json");
    if (!res) return {-1, Json()};
    return {res->status, Json::parse(res->body, nullptr, false)};
  }

  goose::testing::ScopedTempDir root_;
  goose::testing::InProcessCatalog catalog_;
  std::unique_ptr<mock::MockProvider> provider_;
  std::unique_ptr<ServerStack> stack_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace goose::hardening

#endif  // GOOSE_HARDENING_SERVER_FIXTURE_H_
