#include "core/extensions/extension_policy.h"

#include <algorithm>
#include <filesystem>

#include "core/base/strings.h"
#include "core/extensions/child_process.h"

namespace goose {
namespace {

// The file a path names, symlinks followed, so that two spellings of one
// program compare equal.
std::string Canonical(const std::string& path) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : canonical.string();
}

}  // namespace

ExtensionPolicy ExtensionPolicy::Off() {
  ExtensionPolicy policy;
  policy.mode_ = Mode::kOff;
  return policy;
}

Result<ExtensionPolicy> ExtensionPolicy::Parse(std::string_view setting,
                                               const std::string& path_var) {
  const std::string value = Lower(Trim(setting));
  if (value.empty() || value == "any") return ExtensionPolicy();
  if (value == "off") return Off();
  ExtensionPolicy policy;
  policy.mode_ = Mode::kList;
  for (const std::string& command : SplitCommaList(setting)) {
    Result<std::string> resolved = ResolveCommand(command, path_var);
    if (!resolved.ok()) {
      return InvalidArgument("GOOSE_API_EXTENSIONS lists " + command +
                             ", which cannot be run: " + resolved.status().message());
    }
    policy.commands_.push_back(Canonical(*resolved));
    policy.written_.push_back(command);
  }
  if (policy.commands_.empty()) {
    return InvalidArgument("GOOSE_API_EXTENSIONS must be any, off or a list of commands");
  }
  return policy;
}

Status ExtensionPolicy::Admit(const ExtensionConfig& config) const {
  switch (mode_) {
    case Mode::kAny:
      return Status::Ok();
    case Mode::kOff:
      return PermissionDenied(
          "extensions are turned off on this server (GOOSE_API_EXTENSIONS=off)");
    case Mode::kList:
      break;
  }
  // Resolved as Spawn will: through its own PATH, else the server's.
  Result<std::string> resolved = ResolveCommand(config.cmd, CommandSearchPath(config.envs));
  if (resolved.ok() &&
      std::find(commands_.begin(), commands_.end(), Canonical(*resolved)) != commands_.end()) {
    return Status::Ok();
  }
  return PermissionDenied("the command " + config.cmd + " of extension " + config.name +
                          " is not allowed on this server (GOOSE_API_EXTENSIONS allows " +
                          Describe() + ")");
}

std::string ExtensionPolicy::Describe() const {
  switch (mode_) {
    case Mode::kAny:
      return "any";
    case Mode::kOff:
      return "off";
    case Mode::kList:
      break;
  }
  return "only: " + Join(written_, ", ");
}

}  // namespace goose
