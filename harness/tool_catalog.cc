#include "harness/tool_catalog.h"

namespace goose::testing {
namespace {

class InProcessToolSet : public ToolSet {
 public:
  explicit InProcessToolSet(std::atomic<int64_t>* calls) : calls_(calls) {}

  ToolList Tools() override {
    static const ToolList tools = MakeToolList({ToolSpec{"developer__shell", "runs a command", {}},
                                                ToolSpec{"ext__echo", "echoes its arguments", {}}});
    return tools;
  }

  ToolResult<std::vector<Json>> Call(const ToolCall& call) override {
    calls_->fetch_add(1);
    if (call.name == "developer__shell") {
      return ToolResult<std::vector<Json>>::Success(
          {Json{{"type", "text"}, {"text", "ran: " + call.arguments.value("command", "")}}});
    }
    if (call.name == "ext__echo") {
      return ToolResult<std::vector<Json>>::Success(
          {Json{{"type", "text"}, {"text", JsonDump(call.arguments)}}});
    }
    return ToolResult<std::vector<Json>>::Failure("no tool " + call.name);
  }

  void Interrupt() override {}  // every call returns at once

 private:
  std::atomic<int64_t>* calls_;
};

}  // namespace

Status InProcessToolCatalog::Add(const Json&) {
  return InvalidArgument("the in-process tool catalog takes no extensions");
}

Status InProcessToolCatalog::Remove(const std::string& name) {
  return NotFound("no extension " + name);
}

std::vector<std::string> InProcessToolCatalog::Names() const { return {"developer", "ext"}; }

Result<std::unique_ptr<ToolSet>> InProcessToolCatalog::MakeToolSet(const std::string&) {
  return std::unique_ptr<ToolSet>(std::make_unique<InProcessToolSet>(&calls_));
}

}  // namespace goose::testing
