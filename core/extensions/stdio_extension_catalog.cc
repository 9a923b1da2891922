#include "core/extensions/stdio_extension_catalog.h"

#include <algorithm>

#include "core/base/log.h"

namespace goose {
namespace {

// What a session's agent owns: its ExtensionSet, shared with the catalog
// only weakly (so Remove() can reach live sessions, and ending the session
// still stops the processes).
class SessionToolSet : public ToolSet {
 public:
  explicit SessionToolSet(std::shared_ptr<ExtensionSet> set) : set_(std::move(set)) {}
  ToolList Tools() override { return set_->Tools(); }
  ToolResult<std::vector<Json>> Call(const ToolCall& call) override { return set_->Call(call); }
  void Interrupt() override { set_->Interrupt(); }

 private:
  std::shared_ptr<ExtensionSet> set_;
};

}  // namespace

StdioExtensionCatalog::StdioExtensionCatalog(ExtensionSetOptions options)
    : options_(std::move(options)) {}

Status StdioExtensionCatalog::Add(const Json& body) {
  Result<ExtensionConfig> config = ExtensionConfigFromJson(body);
  if (!config.ok()) return config.status();
  {
    // The test start: an ExtensionSet of one, stopped when it goes, known
    // to Shutdown() while it waits.
    ExtensionSet probe(options_);
    {
      MutexLock lock(mu_);
      if (shut_down_) return Status(StatusCode::kUnavailable, "the server is shutting down");
      probes_.push_back(&probe);
    }
    Status started = probe.Add(*config);
    {
      MutexLock lock(mu_);
      probes_.erase(std::find(probes_.begin(), probes_.end(), &probe));
    }
    if (!started.ok()) return started;
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

void StdioExtensionCatalog::Shutdown() {
  std::vector<std::shared_ptr<ExtensionSet>> sessions;  // released after the lock
  MutexLock lock(mu_);
  shut_down_ = true;
  // Under the lock: a probe cannot unregister (and be destroyed) meanwhile.
  for (ExtensionSet* probe : probes_) probe->Interrupt();
  // Sessions' sets too: those still starting, and those whose calls are in
  // flight (the registry ends the sessions next).
  for (const std::weak_ptr<ExtensionSet>& w : live_sets_) {
    if (std::shared_ptr<ExtensionSet> set = w.lock()) sessions.push_back(std::move(set));
  }
  for (const auto& set : sessions) set->Interrupt();
}

Status StdioExtensionCatalog::Remove(const std::string& name) {
  const std::string key = ExtensionKey(name);
  std::vector<std::shared_ptr<ExtensionSet>> live;
  {
    MutexLock lock(mu_);
    auto it = std::find_if(configs_.begin(), configs_.end(), [&](const ExtensionConfig& c) {
      return c.name == name || ExtensionKey(c.name) == key;
    });
    if (it == configs_.end()) return NotFound("no extension named " + name);
    configs_.erase(it);
    for (auto w = live_sets_.begin(); w != live_sets_.end();) {
      if (auto set = w->lock()) {
        live.push_back(std::move(set));
        ++w;
      } else {
        w = live_sets_.erase(w);
      }
    }
  }
  // Removal reaches live sessions too: their processes of this extension
  // stop now (outside the lock), not when the session ends.
  for (const auto& set : live) (void)set->Remove(name);  // NotFound: that session never had it
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
  auto set = std::make_shared<ExtensionSet>(options_);
  {
    // Known before its starts, so that Shutdown() can interrupt them.
    MutexLock lock(mu_);
    if (shut_down_) return Status(StatusCode::kUnavailable, "the server is shutting down");
    live_sets_.erase(
        std::remove_if(live_sets_.begin(), live_sets_.end(),
                       [](const std::weak_ptr<ExtensionSet>& w) { return w.expired(); }),
        live_sets_.end());
    live_sets_.push_back(set);
  }
  if (Status s = set->AddAll(Configs()); !s.ok()) {
    GOOSE_LOG(kWarn) << "session " << session_id << ": " << s.message();
    return s;
  }
  return std::unique_ptr<ToolSet>(std::make_unique<SessionToolSet>(std::move(set)));
}

}  // namespace goose
