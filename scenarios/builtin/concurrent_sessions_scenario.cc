// concurrent_sessions: several clients at once, each with its own
// connection, each starting a session, replying twice and ending it, so
// the provider's streams and the server's request threads interleave.
// Heap, fds and threads must stay flat. Canaries: leak_fd (an fd kept per
// request: open_fds grows) and leak_thread (a thread started per request
// and never joined until exit: threads grows).

#include <memory>
#include <thread>
#include <vector>

#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/builtin/client_scenario.h"

namespace goose::scenarios {
namespace {

constexpr int kDefaultClients = 4;

// A short delay per chunk makes the streams of the clients overlap.
constexpr std::string_view kConcurrentSessionsScript = R"({
  "name": "gate_concurrent",
  "loop": true,
  "turns": [
    {"chunk_delay_ms": 1,
     "messages": [{"chunks": 4}, {"text": "Echoing.", "chunks": 2,
                   "tool_calls": [{"name": "ext__echo", "arguments": {"x": 1}, "fragments": 2}]}]},
    {"messages": [{"chunks": 3}, {"chunks": 3}]}
  ]})";

class ConcurrentSessionsScenario : public ClientScenario {
 public:
  ConcurrentSessionsScenario() : ClientScenario({}, kConcurrentSessionsScript) {
    info_.name = "concurrent_sessions";
    info_.description =
        "4 clients at once, each: start a session, reply twice, end it; streams interleave";
    info_.measures = "heap_bytes, open_fds, threads, live_streams, sessions";
    info_.warmup = 5;
    info_.iterations = 50;
    info_.needs.concurrency = true;
    SetConcurrency(kDefaultClients);
  }

  bool SetConcurrency(int clients) override {
    SetClients(clients);
    info_.requests_per_iteration = clients * 4;
    if (clients != kDefaultClients) {
      info_.description = std::to_string(clients) +
                          " clients at once, each: start a session, reply twice, end it; streams "
                          "interleave";
    }
    return true;
  }

  Status Iterate(Target&, int) override {
    return OnEveryClient([this](ApiClient& client) { return OneClient(client); });
  }

 private:
  Status OneClient(ApiClient& client) {
    Result<std::string> id = StartSession(client, "together");
    if (!id.ok()) return id.status();
    if (Status s = Reply(client, *id, "one"); !s.ok()) return s;
    if (Status s = Reply(client, *id, "two"); !s.ok()) return s;
    return EndSession(client, *id);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeConcurrentSessionsScenario() {
  return std::make_unique<ConcurrentSessionsScenario>();
}

}  // namespace goose::scenarios
