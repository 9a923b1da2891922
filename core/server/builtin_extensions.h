// Builtin extensions: goose's own MCP servers (developer, memory,
// computercontroller, ...), which goose runs as `goose mcp <name>`.
//
// /extensions/add {"type":"builtin","name":"developer"} becomes the stdio
// extension `<goose CLI> mcp developer`. The goose CLI is GOOSE_API_GOOSE_CLI
// (default "goose", found through PATH); a machine without it gets a clear
// error when the extension is added, not a session that fails later.

#ifndef GOOSE_CORE_SERVER_BUILTIN_EXTENSIONS_H_
#define GOOSE_CORE_SERVER_BUILTIN_EXTENSIONS_H_

#include <string>

#include "core/base/status.h"
#include "core/extensions/extension_config.h"

namespace goose {

// The stdio config that runs builtin `config.name` through `goose_cli`.
// InvalidArgument for a name that is not a plain word (it becomes argv).
Result<ExtensionConfig> ResolveBuiltinExtension(const ExtensionConfig& config,
                                                const std::string& goose_cli);

}  // namespace goose

#endif  // GOOSE_CORE_SERVER_BUILTIN_EXTENSIONS_H_
