#include "harness/test_server.h"

#include <stdlib.h>

#include <system_error>

#include "core/extensions/stdio_extension_catalog.h"
#include "harness/tool_catalog.h"

namespace goose::testing {

TestServerOptions::TestServerOptions() {
  stack.api_key = kTestApiKey;
  stack.provider_name = "mock";
}

TestServer::TestServer(TestServerOptions options) : options_(std::move(options)) {
  std::string tmpl = (std::filesystem::temp_directory_path() / "goose-test-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) std::abort();  // no temp dir: nothing can run
  root_ = tmpl;
  if (options_.stack.sessions_dir.empty()) options_.stack.sessions_dir = root_ / "sessions";
  provider_ = options_.provider;
  if (provider_ == nullptr) {
    mock_ = std::make_unique<mock::MockProvider>(options_.script);
    provider_ = mock_.get();
  }
  if (options_.stdio_extensions) {
    auto stdio = std::make_unique<StdioExtensionCatalog>(options_.extensions);
    stdio_catalog_ = stdio.get();
    catalog_ = std::move(stdio);
  } else {
    auto tools = std::make_unique<InProcessToolCatalog>();
    in_process_tools_ = tools.get();
    catalog_ = std::move(tools);
  }
  stack_ = std::make_unique<ServerStack>(provider_, catalog_.get(), options_.stack);
}

TestServer::~TestServer() {
  Shutdown();
  stack_.reset();
  catalog_.reset();
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

Status TestServer::Start() {
  if (Status s = stack_->Start(); !s.ok()) return s;
  client_ =
      std::make_unique<ApiClient>("127.0.0.1", stack_->port(), api_key(), options_.client_timeout);
  return Status::Ok();
}

void TestServer::Shutdown() {
  client_.reset();
  if (stack_) stack_->Shutdown();
}

Status TestServer::Restart() {
  Shutdown();
  stack_.reset();
  stack_ = std::make_unique<ServerStack>(provider_, catalog_.get(), options_.stack);
  return Start();
}

HttpAnswer TestServer::Post(const std::string& path, const Json& body) {
  return client_ ? client_->Post(path, body) : HttpAnswer{};
}

HttpAnswer TestServer::Get(const std::string& path) {
  return client_ ? client_->Get(path) : HttpAnswer{};
}

int TestServer::port() const { return stack_->port(); }

std::string TestServer::base_url() const { return stack_->base_url(); }

}  // namespace goose::testing
