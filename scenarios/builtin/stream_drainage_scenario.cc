// stream_drainage: every reply is a multi-message, multi-chunk stream with
// a tool loop; each iteration starts a session, replies once more and ends
// it. Clean code drains every stream to its end (mock: every chunk
// produced is consumed, no stream left live), frees every stream (ledger
// live_streams back to its baseline) and keeps a flat heap. Canary:
// partial_drain (goose-api's bug: take the first message, keep the stream).

#include <memory>
#include <thread>
#include <vector>

#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/builtin/client_scenario.h"

namespace goose::scenarios {
namespace {

constexpr std::string_view kStreamDrainageScript = R"({
  "name": "gate_stream_drainage",
  "loop": true,
  "turns": [
    {"messages": [
       {"text": "I will look at the directory first.", "chunks": 6},
       {"text": "Running ls.", "chunks": 3,
        "tool_calls": [{"name": "developer__shell", "arguments": {"command": "ls -la"},
                        "fragments": 4}]}]},
    {"messages": [
       {"text": "The directory holds the files listed above.", "chunks": 5},
       {"chunks": 6, "chunk_size": 16},
       {"chunks": 4, "chunk_size": 8}]}
  ]})";

class StreamDrainageScenario : public ClientScenario {
 public:
  StreamDrainageScenario() : ClientScenario({}, kStreamDrainageScript) {
    info_.name = "stream_drainage";
    info_.description =
        "start, reply, end a session; every reply is several multi-chunk messages with a tool "
        "call in between";
    info_.measures =
        "live_streams, mock_streams_live and mock_chunks_unread (every stream drained and "
        "freed), heap_bytes (nothing retained per reply)";
    info_.warmup = 20;
    info_.iterations = 150;
    info_.requests_per_iteration = 3;
    info_.needs.concurrency = true;
  }

  // With more than one client, each runs the start-reply-end sequence on
  // its own connection and thread, all at once.
  bool SetConcurrency(int clients) override {
    SetClients(clients);
    info_.requests_per_iteration = 3 * clients;
    return true;
  }

  Status Iterate(Target&, int) override {
    return OnEveryClient([this](ApiClient& client) { return OneSession(client); });
  }

 private:
  Status OneSession(ApiClient& client) {
    Result<std::string> id = StartSession(client, "list the files");
    if (!id.ok()) return id.status();
    if (Status s = Reply(client, *id, "and again"); !s.ok()) return s;
    return EndSession(client, *id);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeStreamDrainageScenario() {
  return std::make_unique<StreamDrainageScenario>();
}

}  // namespace goose::scenarios
