// concurrent_sessions: several clients at once, each with its own
// connection, each starting a session, replying twice and ending it, so
// the provider's streams and the server's request threads interleave.
// Heap, fds and threads must stay flat. Canaries: leak_fd (an fd kept per
// request: open_fds grows) and leak_thread (a thread started per request
// and never joined until exit: threads grows).

#include <memory>
#include <thread>
#include <vector>

#include "scenarios/lib/builtin_scenarios.h"
#include "scenarios/lib/gate_client.h"
#include "scenarios/lib/script_util.h"

namespace goose::scenarios {
namespace {

constexpr int kDefaultClients = 4;

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
    SetConcurrency(kDefaultClients);
  }

  const ScenarioInfo& info() const override { return info_; }

  TargetRequirements requirements() const override {
    TargetRequirements r;
    r.script = ScenarioScript(kScript, "gate_concurrent");
    r.script_json = std::string(kScript);  // for targets that run mock-llm
    return r;
  }

  bool SetConcurrency(int clients) override {
    clients_.resize(static_cast<size_t>(clients));
    results_.resize(static_cast<size_t>(clients));
    threads_.resize(static_cast<size_t>(clients));
    info_.requests_per_iteration = clients * 4;
    if (clients != kDefaultClients) {
      info_.description = std::to_string(clients) +
                          " clients at once, each: start a session, reply twice, end it; streams "
                          "interleave";
    }
    return true;
  }

  Status Setup(Target& target) override {
    for (auto& client : clients_) client = std::make_unique<GateClient>(target);
    return Status::Ok();
  }

  // The vectors are sized once (SetConcurrency), so an iteration allocates
  // nothing that outlives it.
  Status Iterate(Target&, int) override {
    for (size_t c = 0; c < clients_.size(); ++c) {
      threads_[c] = std::jthread([this, c] { results_[c] = OneClient(*clients_[c]); });
    }
    for (std::jthread& t : threads_) t.join();
    for (Status& s : results_) {
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
  std::vector<std::unique_ptr<GateClient>> clients_;
  std::vector<Status> results_;
  std::vector<std::jthread> threads_;
};

}  // namespace

std::unique_ptr<Scenario> MakeConcurrentSessionsScenario() {
  return std::make_unique<ConcurrentSessionsScenario>();
}

}  // namespace goose::scenarios
