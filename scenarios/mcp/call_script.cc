#include "scenarios/mcp/call_script.h"

#include <charconv>

#include "core/base/file_io.h"

namespace goose::scenarios {
namespace {

// `text` with every "{{i}}" and "{{i%N}}" replaced.
std::string Expand(const std::string& text, int iteration) {
  std::string out;
  size_t at = 0;
  while (true) {
    const size_t open = text.find("{{i", at);
    const size_t close = open == std::string::npos ? open : text.find("}}", open);
    if (close == std::string::npos) break;
    const std::string_view inner(text.data() + open + 3, close - open - 3);
    int value = iteration;
    bool ok = inner.empty();
    if (!ok && inner.front() == '%') {
      int modulo = 0;
      const auto [end, ec] = std::from_chars(inner.data() + 1, inner.data() + inner.size(), modulo);
      ok = ec == std::errc() && end == inner.data() + inner.size() && modulo > 0;
      if (ok) value = iteration % modulo;
    }
    out.append(text, at, open - at);
    out += ok ? std::to_string(value) : text.substr(open, close + 2 - open);
    at = close + 2;
  }
  return out + text.substr(at);
}

bool RequiresArguments(const Json& schema) {
  const Json& required = schema.is_object() ? schema.value("required", Json::array()) : Json();
  return required.is_array() && !required.empty();
}

}  // namespace

Result<CallScript> ParseCallScript(const Json& script, const std::string& source) {
  const Json* requests =
      script.is_object() && script.contains("requests") ? &script["requests"] : nullptr;
  if (requests == nullptr || !requests->is_array() || requests->empty()) {
    return InvalidArgument(source +
                           ": a call script is {\"requests\": [...]} with at least one "
                           "request");
  }
  CallScript out;
  out.source = source;
  for (size_t i = 0; i < requests->size(); ++i) {
    const Json& r = (*requests)[i];
    const std::string where = source + ": request " + std::to_string(i + 1);
    if (!r.is_object() || !r.contains("method") || !r["method"].is_string()) {
      return InvalidArgument(where + " has no \"method\" string");
    }
    McpCall call;
    call.method = r["method"].get<std::string>();
    if (call.method == "initialize" || call.method.rfind("notifications/", 0) == 0) {
      return InvalidArgument(where + ": " + call.method +
                             " is leakcheck's to send, not the script's");
    }
    if (r.contains("params")) {
      if (!r["params"].is_object()) return InvalidArgument(where + ": \"params\" is not an object");
      call.params = r["params"];
    }
    out.calls.push_back(std::move(call));
  }
  return out;
}

Result<CallScript> LoadCallScript(const std::filesystem::path& file) {
  Result<Json> script = ReadJsonFile(file);
  if (!script.ok()) return script.status();
  return ParseCallScript(*script, file.string());
}

CallScript DefaultCallScript(const McpServerInfo& server, const std::vector<McpTool>& tools) {
  CallScript out;
  out.source = "default script";
  const Json& caps = server.capabilities;
  if (caps.contains("tools")) out.calls.push_back({"tools/list", Json::object()});
  if (caps.contains("resources")) out.calls.push_back({"resources/list", Json::object()});
  if (caps.contains("prompts")) out.calls.push_back({"prompts/list", Json::object()});
  out.calls.push_back({"ping", Json::object()});
  for (const McpTool& tool : tools) {
    if (RequiresArguments(tool.input_schema)) continue;
    out.calls.push_back({"tools/call", {{"name", tool.name}, {"arguments", Json::object()}}});
  }
  return out;
}

Json Instantiate(const Json& params, int iteration) {
  if (params.is_string()) return Expand(params.get<std::string>(), iteration);
  if (params.is_array() || params.is_object()) {
    Json out = params;
    for (auto& [key, value] : out.items()) value = Instantiate(value, iteration);
    return out;
  }
  return params;
}

}  // namespace goose::scenarios
