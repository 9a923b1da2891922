#include "scenarios/mcp/mcp_scenario_base.h"

#include "scenarios/mcp/mcp_thresholds.h"

namespace goose::scenarios {

McpScenario::McpScenario(ScenarioInfo info, McpScenarioOptions options)
    : info_(std::move(info)), options_(std::move(options)) {}

ScenarioInfo McpScenario::McpInfo(std::string name, std::string description, std::string measures,
                                  int warmup, int iterations, bool fresh_servers) {
  ScenarioInfo info;
  info.name = std::move(name);
  info.description = std::move(description);
  info.measures = std::move(measures);
  info.warmup = warmup;
  info.iterations = iterations;
  info.heap_thresholds = McpThresholds();
  info.needs.fresh_servers = fresh_servers;
  return info;
}

Status McpScenario::Setup(Target& target) {
  Result<McpTarget*> mcp = AsMcp(target);
  if (!mcp.ok()) return mcp.status();
  mcp_ = *mcp;
  return script_.calls.empty() ? PrepareScript(*mcp_) : Status::Ok();
}

Result<McpTarget*> McpScenario::AsMcp(Target& target) {
  auto* mcp = dynamic_cast<McpTarget*>(&target);
  if (mcp == nullptr)
    return InvalidArgument("an MCP scenario runs on an MCP server (leakcheck mcp)");
  return mcp;
}

std::vector<Deviation> McpScenario::Deviations() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Deviation> out;
  for (const std::string& what : order_) out.push_back({what, findings_.at(what)});
  return out;
}

void McpScenario::Record(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  if (findings_[what]++ == 0) order_.push_back(what);
}

Status McpScenario::PrepareScript(McpTarget& target) {
  if (!options_.calls_file.empty()) {
    Result<CallScript> script = LoadCallScript(options_.calls_file);
    if (!script.ok()) return script.status();
    script_ = std::move(*script);
  } else {
    Result<std::vector<McpTool>> tools = target.server_info().capabilities.contains("tools")
                                             ? target.client().ListTools()
                                             : std::vector<McpTool>{};
    if (!tools.ok()) return tools.status();
    CallScript all = DefaultCallScript(target.server_info(), *tools);
    script_.source = all.source;
    // A tool that takes long (or never answers) would make every
    // iteration as slow: tried once, kept when it answers within a second.
    for (McpCall& call : all.calls) {
      if (call.method == "tools/call") {
        Result<Json> tried =
            target.client().Request(call.method, call.params, std::chrono::seconds(1));
        if (!tried.ok() && tried.status().code() == StatusCode::kDeadlineExceeded) {
          Record("default script: tools/call " + call.params.value("name", "") +
                 " left out (no answer within 1 s)");
          continue;
        }
      }
      script_.calls.push_back(std::move(call));
    }
  }
  info_.requests_per_iteration = static_cast<int>(script_.calls.size());
  return Status::Ok();
}

Status McpScenario::Send(McpClient& client, const McpCall& call, int i,
                         std::chrono::milliseconds timeout) {
  Result<Json> answer = client.Request(call.method, Instantiate(call.params, i), timeout);
  if (answer.ok()) return Status::Ok();
  // An answer that is a JSON-RPC error (Internal, "answered ... with
  // error"): the server's own word, a finding.
  if (answer.status().code() == StatusCode::kInternal &&
      answer.status().message().find(" with error ") != std::string::npos) {
    const std::string name = call.params.value("name", "");
    Record(call.method + (name.empty() ? "" : " " + name) + " answered with an error");
    return Status::Ok();
  }
  return Status(answer.status().code(), call.method + ": " + answer.status().message());
}

}  // namespace goose::scenarios
