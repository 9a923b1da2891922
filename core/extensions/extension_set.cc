#include "core/extensions/extension_set.h"

#include <algorithm>
#include <optional>
#include <thread>

#include "core/base/failpoint.h"
#include "core/base/log.h"

namespace goose {

ExtensionSet::ExtensionSet(ExtensionSetOptions options) : options_(std::move(options)) {}

ExtensionSet::~ExtensionSet() { StopAll(); }

Result<ExtensionConfig> ExtensionSet::Resolve(const ExtensionConfig& config) const {
  Result<ExtensionConfig> resolved = config;
  if (config.type == ExtensionType::kBuiltin) {
    if (!options_.resolve_builtin) {
      return InvalidArgument("builtin extension " + config.name + " is not available");
    }
    resolved = options_.resolve_builtin(config);
    if (!resolved.ok()) return resolved.status();
    if (resolved->type != ExtensionType::kStdio) {
      return InvalidArgument("builtin extension " + config.name + " did not resolve to a command");
    }
  }
  if (Status admitted = options_.policy.Admit(*resolved); !admitted.ok()) return admitted;
  return resolved;
}

void ExtensionSet::Insert(Entry fresh) {
  // Started just as the set was interrupted: it goes the way of the rest.
  if (starting_.cancelled()) fresh->RequestStop();
  std::vector<Entry> replaced;
  {
    MutexLock lock(mu_);
    for (auto it = extensions_.begin(); it != extensions_.end();) {
      if ((*it)->key() == fresh->key()) {
        replaced.push_back(std::move(*it));
        it = extensions_.erase(it);
      } else {
        ++it;
      }
    }
    extensions_.push_back(std::move(fresh));
  }
  if (!replaced.empty()) {
    GOOSE_LOG(kInfo) << "extension " << replaced.front()->config().name
                     << " replaced by a new one of the same name";
    StopInParallel(std::move(replaced));
  }
}

Status ExtensionSet::Add(const ExtensionConfig& requested) {
  Result<ExtensionConfig> config = Resolve(requested);
  if (!config.ok()) return config.status();
  // Starting can take up to the timeout: outside the lock.
  Result<std::unique_ptr<StdioExtension>> started =
      StdioExtension::Start(*config, options_.stdio, &starting_);
  if (!started.ok()) return started.status();
  Insert(Entry(std::move(*started)));
  return Status::Ok();
}

Status ExtensionSet::AddAll(const std::vector<ExtensionConfig>& requested) {
  std::vector<ExtensionConfig> configs;
  for (const ExtensionConfig& c : requested) {
    Result<ExtensionConfig> config = Resolve(c);
    if (!config.ok()) return config.status();
    configs.push_back(std::move(*config));
  }
  std::vector<std::optional<Result<std::unique_ptr<StdioExtension>>>> started(configs.size());
  {
    std::vector<std::jthread> starters;
    for (size_t i = 0; i + 1 < configs.size(); ++i) {
      starters.emplace_back([&, i] {
        started[i].emplace(StdioExtension::Start(configs[i], options_.stdio, &starting_));
      });
    }
    // The last one on this thread; the others join at the end of the scope.
    if (!configs.empty()) {
      started.back().emplace(StdioExtension::Start(configs.back(), options_.stdio, &starting_));
    }
  }
  Status first_error;
  std::vector<Entry> up;
  for (auto& result : started) {
    if (result->ok()) {
      up.emplace_back(std::move(**result));
    } else if (first_error.ok()) {
      first_error = result->status();
    }
  }
  if (!first_error.ok()) {
    StopInParallel(std::move(up));
    return first_error;
  }
  for (Entry& e : up) Insert(std::move(e));
  return Status::Ok();
}

Status ExtensionSet::Remove(const std::string& name) {
  const std::string key = ExtensionKey(name);
  Entry removed;
  {
    MutexLock lock(mu_);
    auto it = std::find_if(extensions_.begin(), extensions_.end(), [&](const Entry& e) {
      return e->config().name == name || e->key() == key;
    });
    if (it == extensions_.end()) return NotFound("no extension named " + name);
    removed = std::move(*it);
    extensions_.erase(it);
  }
  StopInParallel({std::move(removed)});
  return Status::Ok();
}

void ExtensionSet::StopAll() {
  std::vector<Entry> all;
  {
    MutexLock lock(mu_);
    all.swap(extensions_);
  }
  StopInParallel(std::move(all));
}

void ExtensionSet::Interrupt() {
  starting_.Cancel();
  std::vector<Entry> all;
  {
    MutexLock lock(mu_);
    all = extensions_;
  }
  for (const Entry& e : all) e->RequestStop();
}

void ExtensionSet::StopInParallel(std::vector<Entry> entries) const {
  if (entries.empty()) return;
  for (const Entry& e : entries) e->RequestStop();
  const auto deadline = StdioExtension::Clock::now() + options_.stdio.spawn.stop_grace;
  for (const Entry& e : entries) e->AwaitStop(deadline);
  // A Call() in flight may still hold its entry; the process is gone
  // already, the object goes with the last reference.
}

std::vector<std::string> ExtensionSet::Names() const {
  MutexLock lock(mu_);
  std::vector<std::string> names;
  for (const Entry& e : extensions_) names.push_back(e->config().name);
  return names;
}

std::vector<ExtensionInfo> ExtensionSet::List() const {
  std::vector<Entry> entries;
  {
    MutexLock lock(mu_);
    entries = extensions_;
  }
  std::vector<ExtensionInfo> out;
  for (const Entry& e : entries) {
    ExtensionInfo info;
    info.name = e->config().name;
    info.key = e->key();
    info.health = e->health();
    info.tool_count = e->Tools()->size();
    out.push_back(std::move(info));
  }
  return out;
}

ToolList ExtensionSet::Tools() {
  std::vector<Entry> entries;
  {
    MutexLock lock(mu_);
    entries = extensions_;
  }
  std::vector<ToolSource> sources;
  sources.reserve(entries.size());
  for (const Entry& e : entries) {
    sources.push_back(ToolSource{e.get(), e->Tools(), e->health().ok()});
  }
  MutexLock lock(tools_mu_);
  if (tool_list_ != nullptr && sources == tool_sources_ &&
      !FailpointOn(Failpoint::kCopyToolLists)) {
    return tool_list_;
  }
  std::vector<ToolSpec> specs;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Entry& e = entries[i];
    if (!sources[i].healthy) {
      GOOSE_LOG(kDebug) << "tools of extension " << e->config().name
                        << " not offered: " << e->health().message();
      continue;
    }
    for (const McpTool& tool : *sources[i].tools) {
      specs.push_back(ToolSpec{e->key() + "__" + tool.name, tool.description, tool.input_schema});
    }
  }
  tool_sources_ = std::move(sources);
  tool_list_ = MakeToolList(std::move(specs));
  return tool_list_;
}

ExtensionSet::Entry ExtensionSet::Route(const std::string& tool_name, std::string* tool) const {
  MutexLock lock(mu_);
  Entry best;
  for (const Entry& e : extensions_) {
    const std::string prefix = e->key() + "__";
    if (tool_name.size() > prefix.size() && tool_name.compare(0, prefix.size(), prefix) == 0 &&
        (!best || e->key().size() > best->key().size())) {
      best = e;  // the longest key wins: "a__b__c" goes to "a__b" over "a"
    }
  }
  if (best) *tool = tool_name.substr(best->key().size() + 2);
  return best;
}

ToolResult<std::vector<Json>> ExtensionSet::Call(const ToolCall& call) {
  std::string tool;
  Entry extension = Route(call.name, &tool);
  if (!extension) {
    return ToolResult<std::vector<Json>>::Failure("Tool " + call.name +
                                                  " not found: no extension offers it");
  }
  Status health = extension->health();
  if (!health.ok()) {
    return ToolResult<std::vector<Json>>::Failure("Tool " + call.name +
                                                  " is unavailable: " + health.message());
  }
  return extension->Call(tool, call.arguments);
}

}  // namespace goose
