#include "core/extensions/stdio_extension_catalog.h"

#include <algorithm>

#include "core/log.h"

namespace goose {

StdioExtensionCatalog::StdioExtensionCatalog(ExtensionSetOptions options)
    : options_(std::move(options)) {}

Status StdioExtensionCatalog::Add(const Json& body) {
  Result<ExtensionConfig> config = ExtensionConfigFromJson(body);
  if (!config.ok()) return config.status();
  {
    // The test start: an ExtensionSet of one, stopped when it goes.
    ExtensionSet probe(options_);
    if (Status started = probe.Add(*config); !started.ok()) return started;
  }
  const std::string key = ExtensionKey(config->name);
  MutexLock lock(mu_);
  auto same = std::find_if(configs_.begin(), configs_.end(),
                           [&](const ExtensionConfig& c) { return ExtensionKey(c.name) == key; });
  if (same != configs_.end()) {
    *same = std::move(*config);
  } else {
    configs_.push_back(std::move(*config));
  }
  return Status::Ok();
}

Status StdioExtensionCatalog::Remove(const std::string& name) {
  const std::string key = ExtensionKey(name);
  MutexLock lock(mu_);
  auto it = std::find_if(configs_.begin(), configs_.end(), [&](const ExtensionConfig& c) {
    return c.name == name || ExtensionKey(c.name) == key;
  });
  if (it == configs_.end()) return NotFound("no extension named " + name);
  configs_.erase(it);
  return Status::Ok();
}

std::vector<std::string> StdioExtensionCatalog::Names() const {
  MutexLock lock(mu_);
  std::vector<std::string> names;
  for (const ExtensionConfig& c : configs_) names.push_back(c.name);
  return names;
}

std::vector<ExtensionConfig> StdioExtensionCatalog::Configs() const {
  MutexLock lock(mu_);
  return configs_;
}

Result<std::unique_ptr<ToolSet>> StdioExtensionCatalog::MakeToolSet(const std::string& session_id) {
  auto set = std::make_unique<ExtensionSet>(options_);
  if (Status s = set->AddAll(Configs()); !s.ok()) {
    GOOSE_LOG(kWarn) << "session " << session_id << ": " << s.message();
    return s;
  }
  return std::unique_ptr<ToolSet>(std::move(set));
}

}  // namespace goose
