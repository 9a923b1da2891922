// ExtensionSet: the extensions of one agent, offered as one ToolSet.
//
// Tools() lists the tools of every healthy extension as
// "<extension key>__<tool>" (goose's form, key = ExtensionKey(name)), and
// hands out the same list until an extension comes, goes, fails or changes
// its tools (each reply of a session asks for it); Call()
// routes a call by that prefix and returns the tool's MCP content, or an
// error result for an unknown tool, an unknown or failed extension, a
// timeout or the tool's own error. Add() starts an extension (replacing
// one of the same name, as goose does), Remove() stops one, StopAll() and
// the destructor stop all of them in parallel: every stop is requested
// first and then all are awaited against one deadline, so N extensions
// cost one grace period, not N.
//
// Typical use, by the agent's owner:
//   auto tools = std::make_unique<ExtensionSet>(options);
//   Status added = tools->Add(*ExtensionConfigFromJson(body));
//   Agent agent(provider, std::move(tools), ...);   // ending it stops them
//
// Thread safety: all methods from any thread. A Call() does not hold the
// set's lock while it waits for the extension, so Remove()/StopAll() from
// another thread make it return promptly with an error.

#ifndef GOOSE_CORE_EXTENSIONS_EXTENSION_SET_H_
#define GOOSE_CORE_EXTENSIONS_EXTENSION_SET_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/base/thread_annotations.h"
#include "core/extensions/extension_config.h"
#include "core/extensions/extension_policy.h"
#include "core/extensions/stdio_extension.h"
#include "core/model/tool_set.h"

namespace goose {

struct ExtensionSetOptions {
  // How extension processes run (SpawnOptions inside): supervision, shim
  // path, working directory, stop grace, stderr bounds.
  StdioExtensionOptions stdio;
  // Maps a builtin config to the stdio config that runs it; unset: builtin
  // extensions are refused ("builtin extension <name> is not available").
  std::function<Result<ExtensionConfig>(const ExtensionConfig&)> resolve_builtin;
  // Which commands may run (GOOSE_API_EXTENSIONS); judged after a builtin
  // is resolved to its command.
  ExtensionPolicy policy;
};

// The state of one extension, for listings.
struct ExtensionInfo {
  std::string name;
  std::string key;
  Status health;
  size_t tool_count = 0;
};

class ExtensionSet : public ToolSet {
 public:
  explicit ExtensionSet(ExtensionSetOptions options = {});
  // Stops every extension (in parallel).
  ~ExtensionSet() override;
  ExtensionSet(const ExtensionSet&) = delete;
  ExtensionSet& operator=(const ExtensionSet&) = delete;

  // Starts `config` and adds it; an extension with the same key is replaced
  // (and stopped) once the new one is up. Errors as StdioExtension::Start,
  // plus InvalidArgument for a builtin that cannot be resolved. On error
  // the set is unchanged.
  Status Add(const ExtensionConfig& config);

  // Starts every config at once (in parallel: a session with N slow
  // extensions waits for the slowest, not for the sum) and adds them. All
  // or nothing: on the first error the ones that started are stopped and
  // the set is unchanged.
  Status AddAll(const std::vector<ExtensionConfig>& configs);

  // Stops and removes the extension named `name` (or with that key).
  // NotFound if there is none.
  Status Remove(const std::string& name);

  // Names of the extensions, in the order they were added.
  std::vector<std::string> Names() const;
  std::vector<ExtensionInfo> List() const;

  // ToolSet.
  ToolList Tools() override;
  ToolResult<std::vector<Json>> Call(const ToolCall& call) override;

  // Stops and removes every extension; blocked calls fail promptly.
  void StopAll();
  // Asks every extension to stop without waiting: blocked and later calls
  // fail promptly, starts in flight fail, later ones are refused; the
  // processes are reaped when the set goes.
  void Interrupt() override;

 private:
  using Entry = std::shared_ptr<StdioExtension>;
  // `config` with a builtin resolved to its command.
  Result<ExtensionConfig> Resolve(const ExtensionConfig& config) const;
  // Inserts `fresh`, replacing (and stopping) one with the same key.
  void Insert(Entry fresh);
  // The extension whose key prefixes `tool_name`, and the tool's own name.
  Entry Route(const std::string& tool_name, std::string* tool) const;
  void StopInParallel(std::vector<Entry> entries) const;

  // What the cached tool list was built from: per extension, which one, its
  // tool list and whether it was healthy. Equal sources, equal list.
  struct ToolSource {
    const StdioExtension* extension;
    std::shared_ptr<const std::vector<McpTool>> tools;
    bool healthy;
    bool operator==(const ToolSource&) const = default;
  };

  const ExtensionSetOptions options_;
  mutable Mutex mu_;
  std::vector<Entry> extensions_ GUARDED_BY(mu_);  // in order of Add
  Mutex tools_mu_;                                 // taken without mu_
  std::vector<ToolSource> tool_sources_ GUARDED_BY(tools_mu_);
  ToolList tool_list_ GUARDED_BY(tools_mu_);
  StartCanceller starting_;  // the starts in flight
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_EXTENSION_SET_H_
