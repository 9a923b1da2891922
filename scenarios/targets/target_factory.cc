#include "scenarios/targets/target_factory.h"

#include "scenarios/targets/process_target.h"

namespace goose::scenarios {
namespace {

// Start() for every kind that has one.
template <typename T>
Result<std::unique_ptr<Target>> Started(std::unique_ptr<T> target) {
  if (Status s = target->Start(); !s.ok()) return s;
  return std::unique_ptr<Target>(std::move(target));
}

}  // namespace

Result<std::unique_ptr<Target>> StartTarget(const TargetSpec& spec,
                                            TargetRequirements requirements) {
  switch (spec.kind) {
    case TargetSpec::Kind::kInProcess:
      return Started(std::make_unique<InProcessTarget>(std::move(requirements)));
    case TargetSpec::Kind::kProcess:
      return Started(std::make_unique<ProcessTarget>(std::move(requirements), spec.extra_env));
    case TargetSpec::Kind::kCommand:
      return Started(std::make_unique<CommandTarget>(std::move(requirements), spec.command));
    case TargetSpec::Kind::kMcp:
      return Started(std::make_unique<McpTarget>(spec.mcp));
    case TargetSpec::Kind::kAttach: {
      auto attached =
          std::make_unique<AttachedTarget>(spec.url, spec.pid, spec.api_key, spec.mock_url);
      if (Status s = attached->Validate(); !s.ok()) return s;
      return std::unique_ptr<Target>(std::move(attached));
    }
  }
  return InvalidArgument("unknown kind of target");
}

}  // namespace goose::scenarios
