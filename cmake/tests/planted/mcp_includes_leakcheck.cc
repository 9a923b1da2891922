// A scenarios/mcp file that reaches up into leakcheck, which runs the MCP
// scenarios: LayeringCheck.ScenariosMcpUpward* must refuse it.
#include "scenarios/leakcheck/plan.h"
#include "scenarios/mcp/mcp_scenario.h"
