// InProcessToolCatalog: an extension catalog of two in-process tools, so
// tests, gates and benchmarks can run the agent's tool loop without child
// processes (the extension tests use real stdio extensions instead).
//
// Tools: "developer__shell" answers "ran: <command>", "ext__echo" echoes
// its arguments as JSON. Thread-safe.

#ifndef GOOSE_HARNESS_TOOL_CATALOG_H_
#define GOOSE_HARNESS_TOOL_CATALOG_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/model/extension_catalog.h"

namespace goose::testing {

class InProcessToolCatalog : public ExtensionCatalog {
 public:
  // The catalog is fixed: Add is InvalidArgument, Remove NotFound.
  Status Add(const Json& config) override;
  Status Remove(const std::string& name) override;
  std::vector<std::string> Names() const override;
  Result<std::unique_ptr<ToolSet>> MakeToolSet(const std::string& session_id) override;
  void Shutdown() override {}  // nothing waits here

  // Tool calls served so far, by every tool set made.
  int64_t calls() const { return calls_.load(); }

 private:
  std::atomic<int64_t> calls_{0};
};

}  // namespace goose::testing

#endif  // GOOSE_HARNESS_TOOL_CATALOG_H_
