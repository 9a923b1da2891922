// timeout_reaping: many sessions, a short TTL, and no traffic at all: only
// the server's reaper can end them. Each iteration starts a batch of
// sessions and waits (bounded) until the live-session count is back where
// it was; the agents and their conversations must be freed with them and
// the heap must come back to its baseline. Canary: no_reap (the reaper
// ends nothing: sessions, agents and conversation bytes grow).

#include <memory>

#include "scenarios/lib/builtin_scenarios.h"
#include "scenarios/lib/client_scenario.h"
#include "scenarios/lib/wait.h"

namespace goose::scenarios {
namespace {

constexpr int kSessionsPerIteration = 6;
// The TTL is short so the gate is quick; the reaper must end a session
// promptly after it (its wake-up is TTL-driven, not a fixed sweep).
constexpr auto kTtl = std::chrono::milliseconds(150);
// How long past the TTL a batch may take to be reaped before the
// iteration gives up waiting (the counted series then report the leak).
constexpr auto kReapGrace = std::chrono::milliseconds(2000);

class TimeoutReapingScenario : public ClientScenario {
 public:
  TimeoutReapingScenario() : ClientScenario({}, {}) {
    info_.name = "timeout_reaping";
    info_.description = "start a batch of sessions, send nothing, wait for the reaper to end them";
    info_.measures =
        "sessions, agents, conversation_bytes back to baseline without any request; heap_bytes "
        "flat";
    info_.warmup = 3;
    info_.iterations = 30;
    info_.requests_per_iteration = kSessionsPerIteration;
  }

  void Require(TargetRequirements& r) const override { r.session_ttl = kTtl; }

  Status Iterate(Target& target, int) override {
    const int64_t before = LiveSessions(target);
    for (int k = 0; k < kSessionsPerIteration; ++k) {
      Result<std::string> id = client().StartSession("idle");
      if (!id.ok()) return id.status();
    }
    // No request from here on.
    WaitUntil([&] { return LiveSessions(target) <= before; }, kTtl + kReapGrace);
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeTimeoutReapingScenario() {
  return std::make_unique<TimeoutReapingScenario>();
}

}  // namespace goose::scenarios
