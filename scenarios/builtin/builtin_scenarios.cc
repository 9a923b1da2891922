#include "scenarios/builtin/builtin_scenarios.h"

namespace goose::scenarios {

std::vector<std::string> BuiltinScenarioNames() {
  return {"stream_drainage",   "disconnects_and_failures", "timeout_reaping",
          "extension_orphans", "concurrent_sessions",      "summarization",
          "server_sigkill"};
}

std::unique_ptr<Scenario> MakeBuiltinScenario(const std::string& name) {
  if (name == "stream_drainage") return MakeStreamDrainageScenario();
  if (name == "disconnects_and_failures") return MakeDisconnectsAndFailuresScenario();
  if (name == "timeout_reaping") return MakeTimeoutReapingScenario();
  if (name == "extension_orphans") return MakeExtensionOrphansScenario();
  if (name == "concurrent_sessions") return MakeConcurrentSessionsScenario();
  if (name == "summarization") return MakeSummarizationScenario();
  if (name == "server_sigkill") return MakeServerSigkillScenario();
  return nullptr;
}

}  // namespace goose::scenarios
