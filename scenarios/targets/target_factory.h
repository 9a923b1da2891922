// StartTarget: the one place every kind of target is built and started,
// for the gates' Runner and for leakcheck alike.
//
//   kInProcess  the server and the mock provider in this process (the gates)
//   kProcess    goose-api and mock-llm as programs (a scenario that kills
//               and restarts the server)
//   kCommand    any command line, with mock-llm, watched from outside
//               (leakcheck's builtin target is our goose-api as a command)
//   kAttach     a server already running (nothing started or stopped)
//   kMcp        a stdio MCP server (an extension), spoken to over its stdio

#ifndef GOOSE_SCENARIOS_TARGETS_TARGET_FACTORY_H_
#define GOOSE_SCENARIOS_TARGETS_TARGET_FACTORY_H_

#include <map>
#include <memory>
#include <string>

#include "core/base/status.h"
#include "scenarios/targets/attached_target.h"
#include "scenarios/targets/command_target.h"
#include "scenarios/targets/mcp_target.h"
#include "scenarios/targets/target.h"

namespace goose::scenarios {

struct TargetSpec {
  enum class Kind { kInProcess, kProcess, kCommand, kAttach, kMcp };
  Kind kind = Kind::kInProcess;
  // kProcess: added to goose-api's environment last (GOOSE_API_FAILPOINTS).
  std::map<std::string, std::string> extra_env;
  // kCommand: the command and how it is watched (its extra_env too).
  CommandTargetOptions command;
  // kAttach: where the server is and how to reach it.
  HttpEndpoint url;
  pid_t pid = 0;
  std::string api_key;
  HttpEndpoint mock_url;  // port 0: no mock to read
  // kMcp: the server's command and how it is watched.
  McpTargetOptions mcp;
};

// Builds the target `spec` names for a scenario that needs `requirements`
// and starts it (an attached one is validated instead). Errors say what
// did not start and why, quoting the program's output where there is one.
Result<std::unique_ptr<Target>> StartTarget(const TargetSpec& spec,
                                            TargetRequirements requirements);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_TARGETS_TARGET_FACTORY_H_
