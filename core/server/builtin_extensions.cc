#include "core/server/builtin_extensions.h"

namespace goose {

Result<ExtensionConfig> ResolveBuiltinExtension(const ExtensionConfig& config,
                                                const std::string& goose_cli) {
  const std::string key = ExtensionKey(config.name);
  if (key.empty() ||
      key.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_-") != std::string::npos) {
    return InvalidArgument("builtin extension name \"" + config.name + "\" is not a goose builtin");
  }
  ExtensionConfig stdio = config;
  stdio.type = ExtensionType::kStdio;
  stdio.cmd = goose_cli;
  stdio.args = {"mcp", key};
  return stdio;
}

}  // namespace goose
