// Which targets a scenario can run on, derived from what it needs
// (ScenarioNeeds, declared in its own info):
//
//   separate_processes  it kills and restarts our goose-api: builtin only
//   session_ttl         it waits for the reaper: a started server is told
//                       the TTL (--ttl-env); an attached one's is stated
//                       with --session-ttl, or it cannot run there
//   scripted_provider   it needs the mock provider to play its script:
//                       not an attached server, whose provider is its own
//   concurrency         it takes --concurrency

#ifndef GOOSE_SCENARIOS_LEAKCHECK_SCENARIO_SUPPORT_H_
#define GOOSE_SCENARIOS_LEAKCHECK_SCENARIO_SUPPORT_H_

#include <string>

#include "core/base/status.h"
#include "scenarios/leakcheck/options.h"
#include "scenarios/runner/scenario.h"

namespace goose::leakcheck {

struct ScenarioSupport {
  bool builtin = true;
  bool command = true;
  bool attach = true;
  bool attach_with_ttl = false;  // attach only when --session-ttl states the TTL
  std::string why_not;           // why a target kind is refused, in words
};

ScenarioSupport SupportOf(const scenarios::ScenarioNeeds& needs);

// Ok, or InvalidArgument saying why the scenario cannot run against `kind`
// (with --concurrency when `concurrency` > 0; `ttl_stated`: --session-ttl
// was given) and what to do instead.
Status CheckSupported(const scenarios::ScenarioInfo& info, TargetKind kind, int concurrency,
                      bool ttl_stated = false);

// "builtin,command,attach" style list of the kinds a scenario supports.
std::string SupportedKinds(const scenarios::ScenarioNeeds& needs);

}  // namespace goose::leakcheck

#endif  // GOOSE_SCENARIOS_LEAKCHECK_SCENARIO_SUPPORT_H_
