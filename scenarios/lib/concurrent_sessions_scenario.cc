// concurrent_sessions: several clients at once, each with its own
// connection, each starting a session, replying twice and ending it, so
// the provider's streams and the server's request threads interleave.
// Heap, fds and threads must stay flat. Canaries: leak_fd (an fd kept per
// request: open_fds grows) and leak_thread (a thread started per request
// and never joined until exit: threads grows).

#include <array>
#include <memory>
#include <thread>

#include "scenarios/lib/builtin_scenarios.h"
#include "scenarios/lib/gate_client.h"
#include "scenarios/lib/script_util.h"

namespace goose::scenarios {
namespace {

constexpr int kClients = 4;

// A short delay per chunk makes the streams of the clients overlap.
constexpr std::string_view kScript = R"({
  "name": "gate_concurrent",
  "loop": true,
  "turns": [
    {"chunk_delay_ms": 1,
     "messages": [{"chunks": 4}, {"text": "Echoing.", "chunks": 2,
                   "tool_calls": [{"name": "ext__echo", "arguments": {"x": 1}, "fragments": 2}]}]},
    {"messages": [{"chunks": 3}, {"chunks": 3}]}
  ]})";

class ConcurrentSessionsScenario : public Scenario {
 public:
  ConcurrentSessionsScenario() {
    info_.name = "concurrent_sessions";
    info_.description =
        "4 clients at once, each: start a session, reply twice, end it; streams interleave";
    info_.measures = "heap_bytes, open_fds, threads, live_streams, sessions";
    info_.warmup = 5;
    info_.iterations = 50;
    info_.requests_per_iteration = kClients * 4;
  }

  const ScenarioInfo& info() const override { return info_; }

  TargetRequirements requirements() const override {
    TargetRequirements r;
    r.script = ScenarioScript(kScript, "gate_concurrent");
    return r;
  }

  Status Setup(Target& target) override {
    for (auto& client : clients_) client = std::make_unique<GateClient>(target);
    return Status::Ok();
  }

  Status Iterate(Target&, int) override {
    std::array<Status, kClients> results;
    {
      std::array<std::jthread, kClients> threads;
      for (int c = 0; c < kClients; ++c) {
        threads[c] = std::jthread([this, c, &results] { results[c] = OneClient(*clients_[c]); });
      }
    }  // joined
    for (Status& s : results) {
      if (!s.ok()) return s;
    }
    return Status::Ok();
  }

  Status Teardown(Target&) override {
    for (auto& client : clients_) client.reset();
    return Status::Ok();
  }

 private:
  static Status OneClient(GateClient& client) {
    Result<std::string> id = client.StartSession("together");
    if (!id.ok()) return id.status();
    if (Status s = client.Reply(*id, "one"); !s.ok()) return s;
    if (Status s = client.Reply(*id, "two"); !s.ok()) return s;
    return client.EndSession(*id);
  }

  ScenarioInfo info_;
  std::array<std::unique_ptr<GateClient>, kClients> clients_;
};

}  // namespace

std::unique_ptr<Scenario> MakeConcurrentSessionsScenario() {
  return std::make_unique<ConcurrentSessionsScenario>();
}

}  // namespace goose::scenarios
