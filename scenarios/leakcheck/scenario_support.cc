#include "scenarios/leakcheck/scenario_support.h"

#include "core/base/strings.h"
#include "scenarios/builtin/builtin_scenarios.h"

namespace goose::leakcheck {
namespace {

// "a and b" of the built-in scenarios that have a concurrent form.
std::string ConcurrentScenarios() {
  std::vector<std::string> names;
  for (const std::string& name : scenarios::BuiltinScenarioNames()) {
    if (scenarios::MakeBuiltinScenario(name)->info().needs.concurrency) names.push_back(name);
  }
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
  }
  return text;
}

}  // namespace

ScenarioSupport SupportOf(const scenarios::ScenarioNeeds& needs) {
  ScenarioSupport s;
  if (needs.separate_processes) {
    s.command = false;
    s.attach = false;
    s.why_not = "it SIGKILLs and restarts our goose-api between iterations";
  } else if (needs.scripted_provider) {
    s.attach = false;
    s.why_not =
        "it needs the mock provider to play its script (slow turns, failures, "
        "context_length_exceeded), and an attached server's provider is not leakcheck's";
  } else if (needs.session_ttl) {
    s.attach = false;
    s.attach_with_ttl = true;
    s.why_not =
        "it waits for the server's reaper, so it must know the session TTL: an attached "
        "server's is stated with --session-ttl SECS";
  }
  return s;
}

std::string SupportedKinds(const scenarios::ScenarioNeeds& needs) {
  const ScenarioSupport s = SupportOf(needs);
  std::string kinds;
  auto add = [&kinds](bool yes, const char* kind) {
    if (yes) AppendJoined(&kinds, ",", kind);
  };
  add(s.builtin, "builtin");
  add(s.command, "command");
  add(s.attach, "attach");
  add(s.attach_with_ttl, "attach*");
  return kinds;
}

Status CheckSupported(const scenarios::ScenarioInfo& info, TargetKind kind, int concurrency,
                      bool ttl_stated) {
  const ScenarioSupport s = SupportOf(info.needs);
  const bool ok = kind == TargetKind::kBuiltin   ? s.builtin
                  : kind == TargetKind::kCommand ? s.command
                                                 : s.attach || (s.attach_with_ttl && ttl_stated);
  if (!ok) {
    return InvalidArgument(
        info.name + " cannot run against " +
        (kind == TargetKind::kCommand ? "a --target command" : "an attached server (--url/--pid)") +
        ": " + s.why_not + ". It runs against: " + SupportedKinds(info.needs) +
        " (leakcheck list)");
  }
  if (concurrency > 0 && !info.needs.concurrency) {
    return InvalidArgument(info.name + " has no concurrent form; --concurrency applies to " +
                           ConcurrentScenarios() + " only");
  }
  return Status::Ok();
}

}  // namespace goose::leakcheck
