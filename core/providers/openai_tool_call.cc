#include "core/providers/openai_tool_call.h"

#include <algorithm>
#include <cctype>

#include "core/base/json.h"

namespace goose {
namespace {

bool IsFunctionNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

}  // namespace

bool IsValidFunctionName(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), IsFunctionNameChar);
}

std::string SanitizeFunctionName(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (!IsFunctionNameChar(c)) c = '_';
  }
  return out;
}

ToolRequestContent ToolRequestFromOpenAI(std::string id, std::string name,
                                         std::string_view arguments_json) {
  ToolRequestContent request;
  request.id = std::move(id);
  if (!IsValidFunctionName(name)) {
    request.tool_call = ToolResult<ToolCall>::Failure(
        "Tool not found: The provided function name '" + name +
        "' had invalid characters, it must match this regex [a-zA-Z0-9_-]+");
    return request;
  }
  Json arguments = Json::object();
  if (!IsBlank(arguments_json)) {
    Result<Json> parsed = JsonParse(arguments_json, "the arguments");
    std::string why;
    if (!parsed.ok()) {
      why = parsed.status().message();
    } else if (parsed->is_null()) {
      // "null" means no arguments, like "".
    } else if (!parsed->is_object()) {
      why = "the arguments must be a JSON object, not " + std::string(parsed->type_name());
    } else {
      arguments = std::move(parsed).value();
    }
    if (!why.empty()) {
      request.tool_call = ToolResult<ToolCall>::Failure(
          "Invalid parameters: Could not interpret tool use parameters for id " + request.id +
          ": " + why);
      return request;
    }
  }
  request.tool_call =
      ToolResult<ToolCall>::Success(ToolCall{std::move(name), std::move(arguments)});
  return request;
}

}  // namespace goose
