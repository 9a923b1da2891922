// What the MCP scenarios share (mcp_scenario.h): their info, the call
// script, one request sent and its answer judged, and the findings.

#ifndef GOOSE_SCENARIOS_MCP_MCP_SCENARIO_BASE_H_
#define GOOSE_SCENARIOS_MCP_MCP_SCENARIO_BASE_H_

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "scenarios/mcp/call_script.h"
#include "scenarios/mcp/mcp_scenario.h"

namespace goose::scenarios {

class McpScenario : public Scenario {
 public:
  const ScenarioInfo& info() const override { return info_; }
  TargetRequirements requirements() const override { return {}; }
  std::vector<Deviation> Deviations() const override;
  // Takes the target as an MCP server and prepares the script.
  Status Setup(Target& target) override;
  Status Teardown(Target&) override { return Status::Ok(); }

 protected:
  McpScenario(ScenarioInfo info, McpScenarioOptions options);

  // An MCP scenario's info, with the MCP heap thresholds.
  // `fresh_servers`: it starts servers of its own (ScenarioNeeds).
  static ScenarioInfo McpInfo(std::string name, std::string description, std::string measures,
                              int warmup, int iterations, bool fresh_servers = false);
  // The server (REQUIRES: between Setup and Teardown).
  McpTarget& mcp() { return *mcp_; }

  // The target as an MCP server, or an error for any other kind.
  static Result<McpTarget*> AsMcp(Target& target);
  // The script: the options' file, or the default for this server without
  // the tools that do not answer within a second (said as a finding).
  // Sets requests_per_iteration.
  Status PrepareScript(McpTarget& target);
  // Sends `call` for iteration `i`: Ok on any answer (an error answer is
  // recorded); an error when none came (timeout, the server exited).
  Status Send(McpClient& client, const McpCall& call, int i,
              std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // Counts `what` as a finding.
  void Record(const std::string& what);

  ScenarioInfo info_;
  const McpScenarioOptions options_;
  CallScript script_;

 private:
  McpTarget* mcp_ = nullptr;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> findings_;  // guarded by mu_
  std::vector<std::string> order_;           // first seen first
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_MCP_MCP_SCENARIO_BASE_H_
