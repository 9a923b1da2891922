// GateToolCatalog: an extension catalog of in-process tools, so scenarios
// can run the agent's tool loop without child processes (the extension
// scenario uses real stdio extensions instead).
//
// Tools: "developer__shell" answers "ran: <command>", "ext__echo" echoes
// its arguments. Thread-safe.

#ifndef GOOSE_SCENARIOS_LIB_GATE_TOOLS_H_
#define GOOSE_SCENARIOS_LIB_GATE_TOOLS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/server/extension_catalog.h"

namespace goose::scenarios {

class GateToolCatalog : public ExtensionCatalog {
 public:
  Status Add(const Json& config) override;
  Status Remove(const std::string& name) override;
  std::vector<std::string> Names() const override;
  Result<std::unique_ptr<ToolSet>> MakeToolSet(const std::string& session_id) override;

  // Tool calls served so far, by every tool set made.
  int64_t calls() const { return calls_.load(); }

 private:
  std::atomic<int64_t> calls_{0};
};

}  // namespace goose::scenarios

#endif  // GOOSE_SCENARIOS_LIB_GATE_TOOLS_H_
