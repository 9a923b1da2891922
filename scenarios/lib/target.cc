#include "scenarios/lib/target.h"

#include <stdlib.h>

#include <utility>

#include "core/extensions/stdio_extension_catalog.h"
#include "core/server/server_stack.h"
#include "mock_provider/mock_provider.h"
#include "scenarios/lib/gate_tools.h"

namespace goose::scenarios {

struct InProcessTarget::Parts {
  std::unique_ptr<mock::MockProvider> provider;
  std::unique_ptr<ExtensionCatalog> catalog;
  std::unique_ptr<ServerStack> stack;
};

std::string MockMcpPath() { return GOOSE_MOCK_MCP_PATH; }

InProcessTarget::InProcessTarget(TargetRequirements requirements)
    : requirements_(std::move(requirements)), api_key_("gate-key") {}

InProcessTarget::~InProcessTarget() {
  if (parts_ && parts_->stack) parts_->stack->Shutdown();
  parts_.reset();
  KillStrayDescendants();
  if (!sessions_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(sessions_dir_, ec);
  }
}

Status InProcessTarget::Start() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "goose-gate-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return Status(StatusCode::kIoError, "cannot make a temporary sessions directory " + tmpl);
  }
  sessions_dir_ = tmpl;
  parts_ = std::make_unique<Parts>();
  parts_->provider = std::make_unique<mock::MockProvider>(requirements_.script);
  if (requirements_.stdio_extensions) {
    parts_->catalog = std::make_unique<StdioExtensionCatalog>();
  } else {
    parts_->catalog = std::make_unique<GateToolCatalog>();
  }
  ServerStackOptions options;
  options.sessions_dir = sessions_dir_;
  options.registry.ttl = requirements_.session_ttl;
  options.registry.max_sessions = requirements_.max_sessions;
  options.http.threads = requirements_.server_threads;
  options.api_key = api_key_;
  options.provider_name = "mock";
  parts_->stack =
      std::make_unique<ServerStack>(parts_->provider.get(), parts_->catalog.get(), options);
  return parts_->stack->Start();
}

int InProcessTarget::port() const { return parts_ && parts_->stack ? parts_->stack->port() : -1; }

std::optional<LedgerSnapshot> InProcessTarget::Ledger() const {
  return ResourceLedger::Global().Snapshot();
}

std::optional<mock::MockStats> InProcessTarget::MockStats() const {
  if (!parts_ || !parts_->provider) return std::nullopt;
  return parts_->provider->stats().Snapshot();
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
