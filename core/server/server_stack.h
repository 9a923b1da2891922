// ServerStack: a whole goose-api server assembled from its parts.
//
// Session store, registry (with its reaper), service, routes and the HTTP
// listener, wired together over a provider and an extension catalog that
// the caller owns. `goose-api` runs one; integration tests and leak gates
// run the same one in-process over the mock provider.

#ifndef GOOSE_CORE_SERVER_SERVER_STACK_H_
#define GOOSE_CORE_SERVER_SERVER_STACK_H_

#include <filesystem>
#include <memory>
#include <string>

#include "core/agent/agent.h"
#include "core/agent/session_registry.h"
#include "core/agent/session_service.h"
#include "core/model/extension_catalog.h"
#include "core/model/provider.h"
#include "core/model/session_store.h"
#include "core/server/api_routes.h"
#include "core/server/api_server.h"

namespace goose {

struct ServerStackOptions {
  std::filesystem::path sessions_dir;
  FsyncPolicy fsync = FsyncPolicy::kBatch;
  RegistryOptions registry;
  AgentOptions agent;
  ApiServerOptions http;
  std::string api_key;  // empty: open (callers check it is loopback)
  std::string provider_name = "openai";
};

class ServerStack {
 public:
  // REQUIRES: provider and catalog outlive the stack.
  ServerStack(Provider* provider, ExtensionCatalog* catalog, ServerStackOptions options);
  // Shuts down if still running.
  ~ServerStack();
  ServerStack(const ServerStack&) = delete;
  ServerStack& operator=(const ServerStack&) = delete;

  // Prepares the sessions directory (creates it, removes temp files of
  // crashed writers) and starts listening.
  Status Start();
  int port() const { return server_.port(); }
  std::string base_url() const;

  // Cancels running replies, ends every session (their extensions stop),
  // stops accepting, waits for in-flight requests and makes every session
  // write durable (SessionStore::Flush). Idempotent.
  void Shutdown();

  SessionStore& store() { return store_; }
  SessionRegistry& registry() { return registry_; }
  SessionService& service() { return service_; }
  const ApiRoutes& routes() const { return routes_; }

 private:
  Provider* const provider_;
  ExtensionCatalog* const catalog_;
  const ServerStackOptions options_;
  AnswerBudget answer_budget_;
  SessionStore store_;
  SessionRegistry registry_;
  SessionService service_;
  ApiRoutes routes_;
  ApiServer server_;
};

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_SERVER_STACK_H_
