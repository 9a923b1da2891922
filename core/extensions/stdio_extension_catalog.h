// StdioExtensionCatalog: the server's list of stdio extensions, from which
// every session's agent gets its own running set.
//
// /extensions/add hands Add() goose-api's JSON body. Add() parses it
// (ExtensionConfigFromJson), resolves a builtin, and test-starts the
// extension once (spawn, initialize, tools/list, stop), so a command that
// cannot run or a server that fails to initialize is refused at once with
// the reason and the child's stderr, not discovered by the next session.
// An extension of the same name is replaced. MakeToolSet() starts every
// configured extension for one session, in parallel, as an ExtensionSet the
// caller owns: destroying it (the agent, when the session ends) stops the
// processes. An Add() applies to sessions made afterwards (a live session's
// tool list does not change under the model mid-conversation); a Remove()
// applies to every live session as well: its processes stop at once.
//
// Thread safety: all methods from any thread.

#ifndef GOOSE_CORE_EXTENSIONS_STDIO_EXTENSION_CATALOG_H_
#define GOOSE_CORE_EXTENSIONS_STDIO_EXTENSION_CATALOG_H_

#include <memory>
#include <string>
#include <vector>

#include "core/base/thread_annotations.h"
#include "core/extensions/extension_config.h"
#include "core/extensions/extension_set.h"
#include "core/model/extension_catalog.h"

namespace goose {

class StdioExtensionCatalog : public ExtensionCatalog {
 public:
  // `options` are given to every ExtensionSet made (spawn options, stop
  // grace, builtin mapping).
  explicit StdioExtensionCatalog(ExtensionSetOptions options = {});

  // Errors: InvalidArgument for a bad config or an unknown builtin; the
  // test start's error otherwise (see StdioExtension::Start).
  Status Add(const Json& config) override;
  // By name or key. NotFound when there is none.
  Status Remove(const std::string& name) override;
  std::vector<std::string> Names() const override;
  std::vector<ExtensionConfig> Configs() const;

  // Starts every configured extension for `session_id`. Fails (and leaves
  // nothing running) if one of them fails to start.
  Result<std::unique_ptr<ToolSet>> MakeToolSet(const std::string& session_id) override;
  // Interrupts the test starts in flight; later Add()s are Unavailable.
  void Shutdown() override;

 private:
  const ExtensionSetOptions options_;
  mutable Mutex mu_;
  std::vector<ExtensionConfig> configs_ GUARDED_BY(mu_);                // in order of Add
  std::vector<std::weak_ptr<ExtensionSet>> live_sets_ GUARDED_BY(mu_);  // one per live session
  std::vector<ExtensionSet*> probes_ GUARDED_BY(mu_);  // the test starts of Add()s in flight
  bool shut_down_ GUARDED_BY(mu_) = false;
};

}  // namespace goose

#endif  // GOOSE_CORE_EXTENSIONS_STDIO_EXTENSION_CATALOG_H_
