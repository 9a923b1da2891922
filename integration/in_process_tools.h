// An extension catalog of in-process tools, for integration tests that
// exercise the tool loop without child processes (those have their own
// tests with mock-mcp).

#ifndef GOOSE_INTEGRATION_IN_PROCESS_TOOLS_H_
#define GOOSE_INTEGRATION_IN_PROCESS_TOOLS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "core/server/extension_catalog.h"

namespace goose::testing {

// Tools "developer__shell" (answers "ran: <command>") and "ext__echo".
class EchoToolSet : public ToolSet {
 public:
  explicit EchoToolSet(std::atomic<int>* calls) : calls_(calls) {}
  std::vector<ToolSpec> Tools() override {
    return {ToolSpec{"developer__shell", "runs a command", {}},
            ToolSpec{"ext__echo", "echoes", {}}};
  }
  ToolResult<std::vector<Json>> Call(const ToolCall& call) override {
    ++*calls_;
    if (call.name == "developer__shell") {
      return ToolResult<std::vector<Json>>::Success(
          {Json{{"type", "text"}, {"text", "ran: " + call.arguments.value("command", "")}}});
    }
    if (call.name == "ext__echo") {
      return ToolResult<std::vector<Json>>::Success(
          {Json{{"type", "text"}, {"text", call.arguments.dump()}}});
    }
    return ToolResult<std::vector<Json>>::Failure("no tool " + call.name);
  }

 private:
  std::atomic<int>* calls_;
};

class InProcessCatalog : public ExtensionCatalog {
 public:
  Status Add(const Json&) override {
    return InvalidArgument("in-process catalog takes no extensions");
  }
  Status Remove(const std::string& name) override { return NotFound("no extension " + name); }
  std::vector<std::string> Names() const override { return {"developer", "ext"}; }
  Result<std::unique_ptr<ToolSet>> MakeToolSet(const std::string&) override {
    return std::unique_ptr<ToolSet>(std::make_unique<EchoToolSet>(&calls));
  }
  std::atomic<int> calls{0};
};

}  // namespace goose::testing

#endif  // GOOSE_INTEGRATION_IN_PROCESS_TOOLS_H_
