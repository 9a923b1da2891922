// TestServer: the whole goose-api server (ServerStack) in this process,
// wired once for every test, gate and benchmark that needs a running one
// (the way Envoy's integration tests share one base around FakeUpstream).
//
// It owns what the server runs on: the scripted MockProvider (or a provider
// the caller brings, e.g. an OpenAIProvider pointed at mock-llm), a tool
// catalog (two in-process tools, or real stdio extensions), a temp root
// holding the sessions directory, and a keep-alive HTTP client that sends
// the API key. Destruction shuts the server down (ending every session and
// stopping its extensions) and removes the temp root.
//
//   TestServer server;                         // mock provider, in-process tools
//   ASSERT_TRUE(server.Start().ok());
//   HttpAnswer a = server.Post("/session/start", {{"prompt", "hi"}});

#ifndef GOOSE_HARNESS_TEST_SERVER_H_
#define GOOSE_HARNESS_TEST_SERVER_H_

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/extensions/extension_set.h"
#include "core/model/provider.h"
#include "core/server/server_stack.h"
#include "harness/api_client.h"
#include "mock_provider/mock_provider.h"
#include "mock_provider/script.h"

namespace goose {
class StdioExtensionCatalog;
}  // namespace goose

namespace goose::testing {

class InProcessToolCatalog;

// The key a TestServer requires unless told otherwise.
inline constexpr const char* kTestApiKey = "test-key-0123456789";

struct TestServerOptions {
  TestServerOptions();

  // The in-process mock provider's script; ignored when `provider` is set.
  mock::Script script = mock::DefaultScript();
  // A provider the caller owns and keeps alive longer than the server.
  Provider* provider = nullptr;
  // Real stdio extensions (StdioExtensionCatalog with `extensions`) instead
  // of the two in-process tools.
  bool stdio_extensions = false;
  ExtensionSetOptions extensions;
  // Everything else of the server. An empty sessions_dir means
  // "<temp root>/sessions"; the api_key is kTestApiKey ("" runs open).
  ServerStackOptions stack;
  // The client's wait for an answer.
  std::chrono::seconds client_timeout{30};
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  // Prepares the sessions directory and starts listening on a free
  // loopback port.
  Status Start();
  // Ends every session and stops the server. Idempotent. The client's
  // keep-alive connection is closed first, so the server need not wait out
  // its idle timeout; requests after this answer -1.
  void Shutdown();
  // Stops the server and starts a new one on the same sessions directory,
  // provider and tools (what a restarted goose-api finds).
  Status Restart();

  int port() const;
  std::string base_url() const;
  const std::string& api_key() const { return options_.stack.api_key; }
  // The temp root (removed on destruction); the sessions directory is in it
  // unless the options named another.
  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& sessions_dir() const { return options_.stack.sessions_dir; }

  ServerStack& stack() { return *stack_; }
  SessionStore& store() { return stack_->store(); }
  ExtensionCatalog& catalog() { return *catalog_; }
  // The mock provider; nullptr when the caller brought a provider.
  mock::MockProvider* mock_provider() { return mock_.get(); }
  // The in-process tools; nullptr with stdio extensions.
  InProcessToolCatalog* in_process_tools() { return in_process_tools_; }
  // The stdio catalog; nullptr with in-process tools.
  StdioExtensionCatalog* stdio_catalog() { return stdio_catalog_; }

  // Requests through a keep-alive client, with the key when there is one.
  HttpAnswer Post(const std::string& path, const Json& body);
  HttpAnswer Get(const std::string& path);

 private:
  TestServerOptions options_;
  std::filesystem::path root_;
  std::unique_ptr<mock::MockProvider> mock_;
  Provider* provider_ = nullptr;
  std::unique_ptr<ExtensionCatalog> catalog_;
  InProcessToolCatalog* in_process_tools_ = nullptr;
  StdioExtensionCatalog* stdio_catalog_ = nullptr;
  std::unique_ptr<ServerStack> stack_;
  std::unique_ptr<ApiClient> client_;
};

}  // namespace goose::testing

#endif  // GOOSE_HARNESS_TEST_SERVER_H_
