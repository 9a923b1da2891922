// A call script: the requests `leakcheck mcp` repeats against an MCP
// server, once per iteration, in order.
//
//   {"requests": [
//     {"method": "tools/call", "params": {"name": "echo",
//                                         "arguments": {"message": "hi {{i}}"}}},
//     {"method": "resources/read", "params": {"uri": "demo://resource/{{i}}"}},
//     {"method": "ping"}
//   ]}
//
// "{{i}}" in any string of a request's params becomes the iteration's
// number (warm-up and measured together, from 0), so values can be made
// unique per iteration; "{{i%N}}" becomes it modulo N (values that repeat,
// e.g. a bounded set of keys). Methods are sent as they are written; an
// answer that is a JSON-RPC error is a finding, not a failure of the run.

#ifndef GOOSE_SCENARIOS_MCP_CALL_SCRIPT_H_
#define GOOSE_SCENARIOS_MCP_CALL_SCRIPT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/extensions/mcp_client.h"

namespace goose::scenarios {

struct McpCall {
  std::string method;
  Json params = Json::object();
};

struct CallScript {
  std::vector<McpCall> calls;
  std::string source;  // the file, or "default script"
};

// Parses a script (see the file comment). Errors say which request is
// wrong and why.
Result<CallScript> ParseCallScript(const Json& script, const std::string& source);
Result<CallScript> LoadCallScript(const std::filesystem::path& file);

// The default script for a server: tools/list, resources/list and
// prompts/list where its capabilities announce them, ping, and a
// tools/call of every tool whose input schema requires no argument.
CallScript DefaultCallScript(const McpServerInfo& server, const std::vector<McpTool>& tools);

// `params` with "{{i}}" and "{{i%N}}" replaced in every string.
Json Instantiate(const Json& params, int iteration);

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_MCP_CALL_SCRIPT_H_
