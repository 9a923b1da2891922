// timeout_reaping: many sessions, a short TTL, and no traffic at all: only
// the server's reaper can end them. Each iteration starts a batch of
// sessions and waits (bounded) until the live-session count is back where
// it was; the agents and their conversations must be freed with them and
// the heap must come back to its baseline. Canary: no_reap (the reaper
// ends nothing: sessions, agents and conversation bytes grow).
//
// A server that publishes no live-session count (the original goose-api's
// /metrics counts session files) is judged from outside: every session
// gets a mock-mcp extension, so a session not reaped shows as its
// extension process still running (descendants), its fds and its heap.
// The iteration waits the TTL out, then (bounded) for those processes.
// With a user's extension (leakcheck run --extension) every session runs
// it on any server, and its processes are waited for and counted alike.

#include <memory>
#include <thread>

#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/builtin/client_scenario.h"
#include "scenarios/targets/wait.h"

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
        "flat (a server without our ledger: descendants, one mock-mcp extension per session)";
    info_.warmup = 3;
    info_.iterations = 30;
    info_.requests_per_iteration = kSessionsPerIteration;
    info_.needs.session_ttl = true;
    info_.needs.extension = true;
  }

  void Require(TargetRequirements& r) const override {
    r.session_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(ttl_);
    r.extension_in_config = true;  // used only without a ledger
  }

  bool SetSessionTtl(std::chrono::duration<double> ttl) override {
    ttl_ = ttl;
    return true;
  }

  Status Setup(Target& target) override {
    if (Status s = ClientScenario::Setup(target); !s.ok()) return s;
    counted_ = LiveSessions(target) >= 0;
    // A user's extension (--extension) runs in every session, counted or not:
    // its processes must go with the reaped sessions.
    with_extension_ = !counted_ || !extension().is_mock_mcp;
    if (!with_extension_) return Status::Ok();
    at_rest_ = target.Descendants();
    if (Status s = AddExtension(); !s.ok()) {
      if (!counted_) {
        // A server that cannot take the extension is still judged by its heap.
        Notice("POST /extensions/add of a stdio extension failed; judged by the heap alone");
        return Status::Ok();
      }
      return s;
    }
    return Status::Ok();
  }

  Status Iterate(Target& target, int) override {
    const int64_t before = LiveSessions(target);
    for (int k = 0; k < kSessionsPerIteration; ++k) {
      Result<std::string> id = StartSession(client(), "idle");
      if (!id.ok()) return id.status();
    }
    // No request from here on.
    const auto grace = std::chrono::duration_cast<std::chrono::milliseconds>(ttl_) + kReapGrace;
    if (counted_) {
      WaitUntil([&] { return LiveSessions(target) <= before; }, grace);
    } else {
      // Nothing can be reaped before the TTL.
      std::this_thread::sleep_for(ttl_);
    }
    // Then the extensions go (bounded; one left running shows in descendants).
    if (with_extension_) WaitUntil([&] { return target.Descendants() <= at_rest_; }, kReapGrace);
    return Status::Ok();
  }

  Status Teardown(Target& target) override {
    (void)ClientScenario::Teardown(target);
    if (with_extension_) target.KillStrayDescendants();  // a failing run leaves nothing running
    return Status::Ok();
  }

 private:
  std::chrono::duration<double> ttl_ = kTtl;
  bool counted_ = true;  // the target publishes its live-session count
  bool with_extension_ = false;
  int64_t at_rest_ = 0;
};

}  // namespace

std::unique_ptr<Scenario> MakeTimeoutReapingScenario() {
  return std::make_unique<TimeoutReapingScenario>();
}

}  // namespace goose::scenarios
