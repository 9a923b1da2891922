#include "scenarios/lib/target.h"

#include <utility>

#include "harness/test_server.h"

namespace goose::scenarios {

struct InProcessTarget::Parts {
  std::unique_ptr<testing::TestServer> server;
};

std::string MockMcpPath() { return GOOSE_MOCK_MCP_PATH; }

std::unique_ptr<ApiClient> ConnectTo(const Target& target, std::chrono::milliseconds read_timeout) {
  return std::make_unique<ApiClient>(target.host(), target.port(), target.api_key(), read_timeout);
}

InProcessTarget::InProcessTarget(TargetRequirements requirements)
    : requirements_(std::move(requirements)), api_key_("gate-key") {}

InProcessTarget::~InProcessTarget() {
  if (parts_ && parts_->server) parts_->server->Shutdown();
  parts_.reset();
  KillStrayDescendants();
}

Status InProcessTarget::Start() {
  testing::TestServerOptions options;
  options.script = requirements_.script;
  options.stdio_extensions = requirements_.stdio_extensions;
  options.stack.registry.ttl = requirements_.session_ttl;
  options.stack.registry.max_sessions = requirements_.max_sessions;
  options.stack.http.limits.threads = requirements_.server_threads;
  options.stack.api_key = api_key_;
  parts_ = std::make_unique<Parts>();
  parts_->server = std::make_unique<testing::TestServer>(std::move(options));
  sessions_dir_ = parts_->server->sessions_dir();
  return parts_->server->Start();
}

int InProcessTarget::port() const { return parts_ && parts_->server ? parts_->server->port() : -1; }

std::optional<LedgerSnapshot> InProcessTarget::Ledger() const {
  return ResourceLedger::Global().Snapshot();
}

std::optional<mock::MockStats> InProcessTarget::MockStats() const {
  if (!parts_ || !parts_->server) return std::nullopt;
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
