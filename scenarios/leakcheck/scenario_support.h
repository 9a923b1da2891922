// Which targets each built-in scenario can run against, and why not.
//
// Some scenarios need what only our own harness can do: server_sigkill
// kills and restarts goose-api (ProcessTarget), so it runs on the builtin
// target only; timeout_reaping and extension_orphans must know the session
// TTL, which leakcheck tells a server it starts (--ttl-env) and an attached
// server's user states (--session-ttl); disconnects_and_failures and
// summarization need the mock provider to play their script, so not an
// attached server whose provider leakcheck does not control.

#ifndef GOOSE_SCENARIOS_LEAKCHECK_SCENARIO_SUPPORT_H_
#define GOOSE_SCENARIOS_LEAKCHECK_SCENARIO_SUPPORT_H_

#include <string>

#include "core/base/status.h"
#include "scenarios/leakcheck/options.h"

namespace goose::leakcheck {

struct ScenarioSupport {
  bool builtin = true;
  bool command = true;
  bool attach = true;
  bool attach_with_ttl = false;       // attach only when --session-ttl states the TTL
  bool needs_process_target = false;  // kills and restarts the server (builtin only)
  bool concurrency = false;           // takes --concurrency
  std::string why_not;                // why a target kind is refused, in words
};

// The row for a built-in scenario (every name of BuiltinScenarioNames()).
ScenarioSupport SupportOf(const std::string& scenario);

// Ok, or InvalidArgument saying why `scenario` cannot run against `kind`
// (with --concurrency when `concurrency` > 0; `ttl_stated`: --session-ttl
// was given) and what to do instead.
Status CheckSupported(const std::string& scenario, TargetKind kind, int concurrency,
                      bool ttl_stated = false);

// "builtin,command,attach" style list of the kinds a scenario supports.
std::string SupportedKinds(const std::string& scenario);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_SCENARIO_SUPPORT_H_
