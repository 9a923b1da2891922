// ClientScenario: what the built-in scenarios share: their info, the mock
// provider's script written inline as JSON, and their API clients (one, or
// several at once for the scenarios that have a concurrent form).

#ifndef GOOSE_SCENARIOS_LIB_CLIENT_SCENARIO_H_
#define GOOSE_SCENARIOS_LIB_CLIENT_SCENARIO_H_

#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "scenarios/lib/scenario.h"
#include "scenarios/lib/target.h"

namespace goose::scenarios {

// Adds mock-mcp as the stdio extension "mcp" through `client`.
Status AddMockMcpExtension(ApiClient& client);

class ClientScenario : public Scenario {
 public:
  const ScenarioInfo& info() const override { return info_; }
  // The script (parsed for the in-process mock, as JSON text for mock-llm),
  // then what Require() adds.
  TargetRequirements requirements() const final;
  // Connects the clients.
  Status Setup(Target& target) override;
  // Drops them.
  Status Teardown(Target& target) override;

 protected:
  // `script_json` is a mock script with its "name"; empty for the default.
  ClientScenario(ScenarioInfo info, std::string_view script_json);

  // What else the scenario needs of the server (a short TTL, stdio
  // extensions, real processes).
  virtual void Require(TargetRequirements& requirements) const;

  // The first client (REQUIRES: between Setup and Teardown).
  ApiClient& client() { return *clients_.front(); }
  // How many clients Setup connects. REQUIRES: clients >= 1, before Setup.
  void SetClients(int clients);
  int clients() const { return client_count_; }
  // Runs `work` on every client at once (the first on this thread) and
  // returns the first error. Allocates nothing that outlives it.
  Status OnEveryClient(Status (*work)(ApiClient&));

  ScenarioInfo info_;

 private:
  const std::string script_json_;
  int client_count_ = 1;
  std::vector<std::unique_ptr<ApiClient>> clients_;
  std::vector<Status> results_;
  std::vector<std::jthread> threads_;
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_LIB_CLIENT_SCENARIO_H_
