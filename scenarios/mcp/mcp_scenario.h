// The MCP scenarios of `leakcheck mcp`, each a Scenario the Runner runs on
// an McpTarget (mcp_target.h):
//
//   calls        the call script, once per iteration
//   cancel       every call of the script cancelled as soon as it is sent
//                (notifications/cancelled), then a ping as a barrier
//   concurrency  the script sent from several threads at once, answers
//                matched by id
//   shutdown     fresh servers, each given a run of the script (and, on
//                every other start, logging/setLevel and a resource
//                subscription, where servers start timers), then ended as
//                the specification says a client should: stdin closed,
//                SIGTERM, SIGKILL; how each ended and what it left running
//   wrapper      fresh servers ended as a client that signals only its
//                direct child would (SIGTERM first): does the real server
//                behind a launcher (npx, uvx, sh -c) keep running?
//
// The series are the Runner's: the heap (per runtime, mcp_target.h), fds,
// threads and descendants of the server. An answer that is a JSON-RPC
// error is a finding (a Deviation), not an error of the run; a request
// with no answer is. A shutdown that needed a signal, or left a process
// running, is a violation (the scenario fails) unless `strict_shutdown` is
// off, when it is a finding.

#ifndef GOOSE_SCENARIOS_MCP_MCP_SCENARIO_H_
#define GOOSE_SCENARIOS_MCP_MCP_SCENARIO_H_

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "scenarios/runner/scenario.h"
#include "scenarios/targets/mcp_target.h"

namespace goose::scenarios {

struct McpScenarioOptions {
  std::filesystem::path calls_file;  // empty: the default script (call_script.h)
  McpTargetOptions target;           // how shutdown and wrapper start fresh servers
  bool strict_shutdown = true;
  int clients = 8;  // concurrency: threads sending at once
  // How long a server may take to exit after each step of a shutdown.
  std::chrono::milliseconds shutdown_grace{std::chrono::seconds(2)};
};

// Every MCP scenario's name, in the order above.
std::vector<std::string> McpScenarioNames();
// nullptr for an unknown name.
std::unique_ptr<Scenario> MakeMcpScenario(const std::string& name,
                                          const McpScenarioOptions& options);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_MCP_MCP_SCENARIO_H_
