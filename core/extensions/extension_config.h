// ExtensionConfig: what /extensions/add takes, as goose writes it.
//
//   {"type":"stdio","name":"developer","cmd":"npx",
//    "args":["-y","@modelcontextprotocol/server-everything"],
//    "envs":{"KEY":"value"},"timeout":300}
//   {"type":"builtin","name":"developer"}
//
// goose's other fields are accepted: "description", "env_keys" (names of
// variables the extension needs; the child inherits the server's
// environment, so they need no action here), "display_name", "bundled",
// "available_tools"; fields this code does not know (the request's
// "session_id", say) are ignored. A builtin names a command the server
// configures; ExtensionSetOptions::resolve_builtin maps it to a stdio
// config.

#ifndef GOOSE_CORE_EXTENSIONS_EXTENSION_CONFIG_H_
#define GOOSE_CORE_EXTENSIONS_EXTENSION_CONFIG_H_

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"

namespace goose {

// goose's DEFAULT_EXTENSION_TIMEOUT.
inline constexpr std::chrono::seconds kDefaultExtensionTimeout{300};

enum class ExtensionType { kStdio, kBuiltin };

struct ExtensionConfig {
  ExtensionType type = ExtensionType::kStdio;
  std::string name;
  std::string cmd;                          // stdio only
  std::vector<std::string> args;            // stdio only
  std::map<std::string, std::string> envs;  // added to the server's environment
  std::vector<std::string> env_keys;
  std::string description;
  // Per request, and for start-up (spawn + initialize + tools/list).
  std::chrono::milliseconds timeout = kDefaultExtensionTimeout;
};

// Parses goose's JSON. Errors are InvalidArgument naming the field:
// "name is missing", "type \"sse\" is not supported (stdio or builtin)",
// "args[1] must be a string", "envs.HOME must be a string",
// "timeout must be a positive number of seconds".
Result<ExtensionConfig> ExtensionConfigFromJson(const Json& json);

// The JSON goose would write for `config`.
Json ExtensionConfigToJson(const ExtensionConfig& config);

// goose's name_to_key: ASCII letters, digits, '_' and '-' kept, whitespace
// dropped, anything else '_', lower-cased. Tool names are
// "<key>__<tool>".
std::string ExtensionKey(std::string_view name);

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_EXTENSION_CONFIG_H_
