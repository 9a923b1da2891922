// ExtensionPolicy: which commands /extensions/add may run.
//
// Whoever holds the API key can add a stdio extension, that is, run a
// command as the server's user. The policy narrows that (GOOSE_API_EXTENSIONS):
//
//   any      every command (goose's behaviour; the default)
//   off      none: every add is refused
//   a,b,...  only these commands: a name is looked up in the server's PATH
//            when the policy is made, a path is taken as written; a
//            requested command matches when it resolves (through the PATH
//            it would run with, its `envs` PATH included) to the same file.
//
// A builtin extension is judged by the command it resolves to (goose's
// `goose mcp <name>`), so "goose" in the list allows the builtins.
// Refusals are PermissionDenied (HTTP 403) and name the setting.
//
// Thread-safe: immutable after construction.

#ifndef GOOSE_CORE_EXTENSIONS_EXTENSION_POLICY_H_
#define GOOSE_CORE_EXTENSIONS_EXTENSION_POLICY_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/base/status.h"
#include "core/extensions/extension_config.h"

namespace goose {

class ExtensionPolicy {
 public:
  // Every command (the default).
  ExtensionPolicy() = default;
  static ExtensionPolicy Off();

  // Parses the setting: "any", "off", or a comma-separated list of
  // commands (names resolved through `path_var`). Errors name the setting.
  static Result<ExtensionPolicy> Parse(std::string_view setting, const std::string& path_var);

  // Ok when `config` (a stdio config; builtins resolved) may run; else
  // PermissionDenied with the reason.
  Status Admit(const ExtensionConfig& config) const;

  // "any", "off" or "only: a, b".
  std::string Describe() const;

 private:
  enum class Mode { kAny, kOff, kList };
  Mode mode_ = Mode::kAny;
  std::vector<std::string> commands_;  // canonical paths (kList)
  std::vector<std::string> written_;   // as the setting wrote them, for messages
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_EXTENSION_POLICY_H_
