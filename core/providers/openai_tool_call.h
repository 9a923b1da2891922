// One OpenAI tool call (id, function name, arguments as JSON text) as a goose
// toolRequest.
//
// Shared by the streaming decoder and the non-streaming response parser, so
// both treat bad calls as goose does (crates/goose/src/providers/formats/
// openai.rs): a function name with characters outside [a-zA-Z0-9_-] gives
//   toolCall {status:"error", error:"Tool not found: The provided function
//             name '<name>' had invalid characters, ..."}
// and arguments that are not a JSON object give
//   toolCall {status:"error", error:"Invalid parameters: Could not interpret
//             tool use parameters for id <id>: <why>"}
// The agent answers such a request with a tool error the model can read,
// instead of failing the whole reply. Empty (or whitespace-only) arguments
// mean "no arguments", {}.

#ifndef GOOSE_CORE_PROVIDERS_OPENAI_TOOL_CALL_H_
#define GOOSE_CORE_PROVIDERS_OPENAI_TOOL_CALL_H_

#include <string>
#include <string_view>

#include "core/model/message.h"

namespace goose {

ToolRequestContent ToolRequestFromOpenAI(std::string id, std::string name,
                                         std::string_view arguments_json);

// True when `name` matches goose's ^[a-zA-Z0-9_-]+$.
bool IsValidFunctionName(std::string_view name);

// goose's sanitize_function_name: every character outside [a-zA-Z0-9_-]
// becomes "_".
std::string SanitizeFunctionName(std::string_view name);

}  // namespace goose

#endif  // GOOSE_CORE_PROVIDERS_OPENAI_TOOL_CALL_H_
