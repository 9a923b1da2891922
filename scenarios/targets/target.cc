#include "scenarios/targets/target.h"

#include <utility>

#include "harness/test_server.h"

namespace goose::scenarios {

struct InProcessTarget::Parts {
  testing::TestServerOptions options;
  std::unique_ptr<testing::TestServer> server;
};

std::string MockMcpPath() { return GOOSE_MOCK_MCP_PATH; }

std::unique_ptr<ApiClient> ConnectTo(const Target& target, std::chrono::milliseconds read_timeout) {
  return std::make_unique<ApiClient>(target.host(), target.port(), target.api_key(), read_timeout);
}

InProcessTarget::InProcessTarget(TargetRequirements requirements)
    : api_key_("gate-key"), parts_(std::make_unique<Parts>()) {
  testing::TestServerOptions& options = parts_->options;
  options.script = std::move(requirements.script);
  options.stdio_extensions = requirements.stdio_extensions;
  options.stack.registry.ttl = requirements.session_ttl;
  options.stack.registry.max_sessions = requirements.max_sessions;
  options.stack.http.limits.threads = requirements.server_threads;
  options.stack.api_key = api_key_;
}

InProcessTarget::InProcessTarget(testing::TestServerOptions options)
    : api_key_(options.stack.api_key), parts_(std::make_unique<Parts>()) {
  parts_->options = std::move(options);
}

InProcessTarget::~InProcessTarget() {
  if (parts_->server) parts_->server->Shutdown();
  parts_.reset();
  KillStrayDescendants();
}

Status InProcessTarget::Start() {
  parts_->server = std::make_unique<testing::TestServer>(parts_->options);
  sessions_dir_ = parts_->server->sessions_dir();
  return parts_->server->Start();
}

testing::TestServer& InProcessTarget::server() { return *parts_->server; }

int InProcessTarget::port() const { return parts_->server ? parts_->server->port() : -1; }

std::optional<LedgerSnapshot> InProcessTarget::Ledger() const {
  return ResourceLedger::Global().Snapshot();
}

std::optional<mock::MockStats> InProcessTarget::MockStats() const {
  if (!parts_->server || parts_->server->mock_provider() == nullptr) return std::nullopt;
  return parts_->server->mock_provider()->stats().Snapshot();
}

int64_t InProcessTarget::Descendants() const {
  return static_cast<int64_t>(orphans_.Descendants().size());
}

int InProcessTarget::KillStrayDescendants() {
  // In-process, every descendant of the harness is the server's doing: the
  // extension children it owns right now are killed too, which only ever
  // happens after the gate has measured.
  return orphans_.KillAndReapAll();
}

}  // namespace goose::scenarios
