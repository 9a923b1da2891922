// The heap thresholds of the MCP scenarios, per heap series (mcp_target.h),
// read before the built-in table (ScenarioInfo::heap_thresholds).

#ifndef GOOSE_SCENARIOS_MCP_MCP_THRESHOLDS_H_
#define GOOSE_SCENARIOS_MCP_MCP_THRESHOLDS_H_

#include <span>

#include "scenarios/runner/thresholds.h"

namespace goose::scenarios {

std::span<const ThresholdRow> McpThresholds();

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_MCP_MCP_THRESHOLDS_H_
