#include "core/server/server_stack.h"

#include "core/base/failpoint.h"
#include "core/base/log.h"

namespace goose {
namespace {
ApiContext MakeContext(SessionService* service, SessionRegistry* registry,
                       ExtensionCatalog* catalog, const Provider& provider,
                       const ServerStackOptions& options, AnswerBudget* answer_budget) {
  ApiContext c;
  c.answer_budget = answer_budget;
  c.service = service;
  c.registry = registry;
  c.extensions = catalog;
  c.provider_name = options.provider_name;
  c.model = provider.model();
  c.api_key = options.api_key;
  return c;
}

// GOOSE_API_MAX_ANSWER_BUFFER_BYTES, taken as 4x its value under the
// raise_answer_buffer failpoint (its canary, docs/reliability.md).
size_t AnswerBufferLimit(const ApiServerOptions& options) {
  return RaisedLimit(Failpoint::kRaiseAnswerBuffer, options.max_answer_buffer_bytes);
}
}  // namespace

ServerStack::ServerStack(Provider* provider, ExtensionCatalog* catalog, ServerStackOptions options)
    : provider_(provider),
      catalog_(catalog),
      options_(std::move(options)),
      answer_budget_(AnswerBufferLimit(options_.http)),
      store_(options_.sessions_dir, options_.fsync),
      registry_(
          options_.registry,
          [this](const std::string& id) -> Result<std::unique_ptr<Agent>> {
            Result<std::unique_ptr<ToolSet>> tools = catalog_->MakeToolSet(id);
            if (!tools.ok()) return tools.status();
            return std::make_unique<Agent>(provider_, std::move(tools).value(), options_.agent);
          },
          [this](const std::string& id) { return store_.ReadToResume(id); }),
      service_(&registry_, &store_),
      routes_(MakeContext(&service_, &registry_, catalog_, *provider_, options_, &answer_budget_)),
      server_(&routes_, options_.http, &answer_budget_) {}

ServerStack::~ServerStack() { Shutdown(); }

Status ServerStack::Start() {
  if (Status s = store_.EnsureDir(); !s.ok()) return s;
  Result<int> removed = store_.RemoveStaleTempFiles();
  if (!removed.ok()) return removed.status();
  if (*removed > 0) {
    GOOSE_LOG(kInfo) << "cleaned " << *removed << " file(s) left by interrupted writes";
  }
  return server_.Start();
}

std::string ServerStack::base_url() const {
  return "http://" + options_.http.host + ":" + std::to_string(server_.port());
}

void ServerStack::Shutdown() {
  // First what waits on peers: extension test starts, then every session's
  // reply (its provider stream, its tool calls); then the listener, whose
  // in-flight requests can now finish.
  catalog_->Shutdown();
  registry_.Shutdown();
  server_.Stop();
  if (Status s = store_.Flush(); !s.ok()) {
    GOOSE_LOG(kError) << "session files may not survive a power loss: " << s.message();
  }
}

}  // namespace goose
