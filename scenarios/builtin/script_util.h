// Scripts for the scenarios, written inline as JSON and parsed once.

#ifndef GOOSE_SCENARIOS_BUILTIN_SCRIPT_UTIL_H_
#define GOOSE_SCENARIOS_BUILTIN_SCRIPT_UTIL_H_

#include <string_view>

#include "mock_provider/script.h"

namespace goose::scenarios {

// Parses a script the scenario author wrote (its name is its "name"). A
// bad script is a bug in the scenario: it aborts with the parser's message.
mock::Script ScenarioScript(std::string_view json);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_BUILTIN_SCRIPT_UTIL_H_
