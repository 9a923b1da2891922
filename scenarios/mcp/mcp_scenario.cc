#include "scenarios/mcp/mcp_scenario.h"

namespace goose::scenarios {

// Defined beside their scenarios.
std::unique_ptr<Scenario> MakeMcpCallsScenario(const McpScenarioOptions& options);
std::unique_ptr<Scenario> MakeMcpCancelScenario(const McpScenarioOptions& options);
std::unique_ptr<Scenario> MakeMcpConcurrencyScenario(const McpScenarioOptions& options);
std::unique_ptr<Scenario> MakeMcpShutdownScenario(const McpScenarioOptions& options);
std::unique_ptr<Scenario> MakeMcpWrapperScenario(const McpScenarioOptions& options);

std::vector<std::string> McpScenarioNames() {
  return {"calls", "cancel", "concurrency", "shutdown", "wrapper"};
}

std::unique_ptr<Scenario> MakeMcpScenario(const std::string& name,
                                          const McpScenarioOptions& options) {
  if (name == "calls") return MakeMcpCallsScenario(options);
  if (name == "cancel") return MakeMcpCancelScenario(options);
  if (name == "concurrency") return MakeMcpConcurrencyScenario(options);
  if (name == "shutdown") return MakeMcpShutdownScenario(options);
  if (name == "wrapper") return MakeMcpWrapperScenario(options);
  return nullptr;
}

}  // namespace goose::scenarios
