// extension_orphans: sessions whose agents run a real stdio extension
// (mock-mcp, under the server's process supervision) that the model asks
// to spawn grandchildren: one in the extension's process group and one
// double-forked away from it. The session then ends in one of three ways,
// in turn: /session/end, the reaper (short TTL, no traffic), or
// /extensions/remove while it is live (the extension is added back after).
// Every way must leave no descendant and no zombie. Canary: leak_child
// (stopping an extension signals only its direct child: the grandchildren
// survive, re-parented to the harness, and descendants grows).

#include <memory>
#include <thread>

#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/builtin/client_scenario.h"
#include "scenarios/targets/wait.h"

namespace goose::scenarios {
namespace {

constexpr auto kOrphansTtl = std::chrono::milliseconds(500);
constexpr auto kOrphansReapGrace = std::chrono::seconds(5);
constexpr const char* kOrphansScript = "gate_extension_orphans";

class ExtensionOrphansScenario : public ClientScenario {
 public:
  ExtensionOrphansScenario()
      : ClientScenario({}, ExtensionScript(kOrphansScript, MockMcpExtension())) {
    info_.name = "extension_orphans";
    info_.description =
        "a session's mock-mcp extension spawns grandchildren; the session is ended, reaped, or "
        "its extension removed";
    info_.measures =
        "descendants (no orphan, no zombie), child_processes, extensions, open_fds, threads";
    // The heap of the first dozen iterations grows by ~3 KB each and then
    // stays flat (allocator state of the spawner and the extensions'
    // short-lived threads filling up), so the warm-up covers them.
    info_.warmup = 15;
    info_.iterations = 21;
    info_.requests_per_iteration = 2;
    info_.needs.session_ttl = true;
    info_.needs.extension = true;
  }

  void Require(TargetRequirements& r) const override {
    r.session_ttl = std::chrono::duration_cast<std::chrono::milliseconds>(ttl_);
    r.stdio_extensions = true;
    r.extension_in_config = true;
  }

  // A user's extension: no helpers to spawn (its tools are unknown); what
  // it starts by itself is watched the same way.
  bool SetExtension(const ExtensionCommand& extension) override {
    if (!ClientScenario::SetExtension(extension)) return false;
    SetScript(ExtensionScript(kOrphansScript, extension));
    if (!extension.is_mock_mcp) {
      info_.description = "sessions run the extension `" + ExtensionText(extension) +
                          "`; each is ended, reaped, or its extension removed";
    }
    return true;
  }

  bool SetSessionTtl(std::chrono::duration<double> ttl) override {
    ttl_ = ttl;
    return true;
  }

  Status Setup(Target& target) override {
    if (Status s = ClientScenario::Setup(target); !s.ok()) return s;
    // What runs below the harness at rest: nothing for an in-process
    // server; the server and mock-llm themselves for a target of programs.
    at_rest_ = target.Descendants();
    return AddExtension();
  }

  Status Iterate(Target& target, int i) override {
    const int64_t before = LiveSessions(target);
    Result<std::string> id = StartSession(client(), "start the helpers");
    if (!id.ok()) return id.status();
    switch (i % 3) {
      case 0:
        if (Status s = EndSession(client(), *id); !s.ok()) return s;
        break;
      case 1:  // no request: the reaper ends it
        // Bounded; a session never reaped shows in the sessions series. The
        // count drops only once the session's extension has stopped, which
        // under the leak_child canary waits on the orphans' pipes. Without
        // a count (a server we did not write), the TTL is waited out and the
        // descendants wait below shows whether the extension went.
        if (before >= 0) {
          WaitUntil(
              [&] { return LiveSessions(target) <= before; },
              std::chrono::duration_cast<std::chrono::milliseconds>(ttl_) + kOrphansReapGrace);
        } else {
          std::this_thread::sleep_for(ttl_);
        }
        break;
      default: {
        HttpAnswer removed = client().Post("/extensions/remove", Json("mcp"));
        if (removed.status < 0) return AnswerError("POST /extensions/remove", removed);
        if (!removed.ok()) {
          if (Status s = Deviate("POST /extensions/remove", removed); !s.ok()) return s;
        }
        if (Status s = EndSession(client(), *id); !s.ok()) return s;
        if (Status s = AddExtension(); !s.ok()) return s;
        break;
      }
    }
    // Stopping an extension escalates to SIGKILL within its grace; wait
    // for the tree to be gone (bounded) before the runner samples.
    WaitUntil([&] { return target.Descendants() <= at_rest_; }, std::chrono::seconds(5));
    return Status::Ok();
  }

  Status Teardown(Target& target) override {
    (void)ClientScenario::Teardown(target);
    target.KillStrayDescendants();  // a failing gate leaves nothing running
    return Status::Ok();
  }

 private:
  std::chrono::duration<double> ttl_ = kOrphansTtl;
  int64_t at_rest_ = 0;
};

}  // namespace

std::unique_ptr<Scenario> MakeExtensionOrphansScenario() {
  return std::make_unique<ExtensionOrphansScenario>();
}

}  // namespace goose::scenarios
