#include "scenarios/leakcheck/scenario_support.h"

namespace goose::leakcheck {

ScenarioSupport SupportOf(const std::string& scenario) {
  ScenarioSupport s;
  if (scenario == "stream_drainage" || scenario == "concurrent_sessions") {
    s.concurrency = true;
  } else if (scenario == "disconnects_and_failures" || scenario == "summarization") {
    s.attach = false;
    s.why_not =
        "it needs the mock provider to play its script (slow turns, failures, "
        "context_length_exceeded), and an attached server's provider is not leakcheck's";
  } else if (scenario == "timeout_reaping" || scenario == "extension_orphans") {
    s.attach = false;
    s.attach_with_ttl = true;
    s.why_not =
        "it waits for the server's reaper, so it must know the session TTL: an attached "
        "server's is stated with --session-ttl SECS";
  } else if (scenario == "server_sigkill") {
    s.command = false;
    s.attach = false;
    s.needs_process_target = true;
    s.why_not = "it SIGKILLs and restarts our goose-api between iterations";
  }
  return s;
}

std::string SupportedKinds(const std::string& scenario) {
  const ScenarioSupport s = SupportOf(scenario);
  std::string kinds;
  if (s.builtin) kinds += "builtin";
  if (s.command) kinds += std::string(kinds.empty() ? "" : ",") + "command";
  if (s.attach) kinds += std::string(kinds.empty() ? "" : ",") + "attach";
  if (s.attach_with_ttl) kinds += std::string(kinds.empty() ? "" : ",") + "attach*";
  return kinds;
}

Status CheckSupported(const std::string& scenario, TargetKind kind, int concurrency,
                      bool ttl_stated) {
  const ScenarioSupport s = SupportOf(scenario);
  const bool ok = kind == TargetKind::kBuiltin   ? s.builtin
                  : kind == TargetKind::kCommand ? s.command
                                                 : s.attach || (s.attach_with_ttl && ttl_stated);
  if (!ok) {
    return InvalidArgument(
        scenario + " cannot run against " +
        (kind == TargetKind::kCommand ? "a --target command" : "an attached server (--url/--pid)") +
        ": " + s.why_not + ". It runs against: " + SupportedKinds(scenario) + " (leakcheck list)");
  }
  if (concurrency > 0 && !s.concurrency) {
    return InvalidArgument(scenario +
                           " has no concurrent form; --concurrency applies to stream_drainage "
                           "and concurrent_sessions only");
  }
  return Status::Ok();
}

}  // namespace goose::leakcheck
