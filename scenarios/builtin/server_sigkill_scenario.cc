// server_sigkill: goose-api and mock-llm as real processes; a session's
// mock-mcp extension spawns grandchildren (one in its process group, one
// double-forked away), then the server is SIGKILLed: nothing can clean up
// in the server itself, so the extension supervision (goose-ext-shim, a
// subreaper with a parent-death signal) must take the whole tree down.
// The harness is the subreaper above everything: any survivor re-parents
// to it and is counted. The server is restarted for the next iteration.
// Canary: leak_child (passed to the server through GOOSE_API_FAILPOINTS:
// the extension runs without the shim, and its grandchildren outlive the
// killed server).

#include <memory>

#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/builtin/client_scenario.h"
#include "scenarios/targets/process_target.h"
#include "scenarios/targets/wait.h"

namespace goose::scenarios {
namespace {

constexpr const char* kSigkillScript = "gate_server_sigkill";

class ServerSigkillScenario : public ClientScenario {
 public:
  ServerSigkillScenario()
      : ClientScenario({}, ExtensionScript(kSigkillScript, MockMcpExtension())) {
    info_.name = "server_sigkill";
    info_.description =
        "goose-api (a real process) runs a session whose mock-mcp extension spawned "
        "grandchildren, and is SIGKILLed";
    info_.measures = "descendants: nothing of the extension's tree survives the server";
    info_.warmup = 1;
    info_.iterations = 6;
    info_.requests_per_iteration = 2;
    info_.needs.separate_processes = true;
    info_.needs.extension = true;
  }

  // A user's extension: no helpers to spawn; the extension's own tree must
  // not survive the server either.
  bool SetExtension(const ExtensionCommand& extension) override {
    if (!ClientScenario::SetExtension(extension)) return false;
    SetScript(ExtensionScript(kSigkillScript, extension));
    return true;
  }

  Status Setup(Target& target) override {
    server_ = dynamic_cast<ProcessTarget*>(&target);
    if (server_ == nullptr) return InvalidArgument("server_sigkill needs a ProcessTarget");
    return Connect();
  }

  Status Iterate(Target& target, int) override {
    const int64_t before = target.Descendants();
    Result<std::string> id = client_->StartSession("start the helpers");
    if (!id.ok()) return id.status();
    if (target.Descendants() <= before) {
      return Internal("the session's extension (" + ExtensionText(extension()) +
                      ") is not running");
    }
    client_.reset();
    server_->KillServer();
    // Everything that was the server's must go: wait (bounded) for the
    // count to fall to what is left without it (mock-llm).
    WaitUntil([&] { return target.Descendants() < before; }, std::chrono::seconds(5));
    if (Status s = server_->RestartServer(); !s.ok()) return s;
    return Connect();
  }

  Status Teardown(Target& target) override {
    client_.reset();
    target.KillStrayDescendants();
    return Status::Ok();
  }

 private:
  Status Connect() {
    // A client of its own: every iteration restarts the server on a new port.
    client_ = ConnectTo(*server_);
    return AddExtension(*client_);
  }

  ProcessTarget* server_ = nullptr;
  std::unique_ptr<ApiClient> client_;
};

}  // namespace

std::unique_ptr<Scenario> MakeServerSigkillScenario() {
  return std::make_unique<ServerSigkillScenario>();
}

}  // namespace goose::scenarios
