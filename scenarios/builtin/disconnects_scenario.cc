// disconnects_and_failures: a client that gives up in the middle of a slow
// multi-message reply (its connection closes once the provider's stream
// for the reply has started, while the server is still draining it), then a provider that fails
// mid-stream (an error frame after two chunks: HTTP 500 to the client). Clean code ends both
// streams (completed or failed, never left live), frees them and keeps nothing of either reply.
// Canary: leak_heap (bytes lost per request: heap slope, and LeakSanitizer under asan).

#include <memory>

#include "core/base/loopback.h"
#include "core/base/unique_fd.h"
#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/builtin/client_scenario.h"
#include "scenarios/targets/wait.h"

namespace goose::scenarios {
namespace {

// Turn 0 answers; turn 1 is slow (12 chunks 5 ms apart), so the client
// that leaves as soon as its stream started leaves in the middle; turn 2 breaks off after two
// chunks with an error frame. A failed turn adds no assistant message, so every later reply on the
// session meets turn 2 again.
constexpr std::string_view kDisconnectsScript = R"({
  "name": "gate_disconnects",
  "loop": true,
  "turns": [
    {"messages": [{"chunks": 4}, {"chunks": 4}]},
    {"chunk_delay_ms": 5, "messages": [{"chunks": 6}, {"chunks": 6}]},
    {"messages": [{"text": "This reply breaks off.", "chunks": 4}],
     "failure": {"kind": "error_frame", "after_chunk": 2, "message": "upstream failure"}}
  ]})";

// Sends a POST over a connection of its own and returns the connection
// (the caller closes it to disconnect). Errors when it cannot connect or
// send.
Result<UniqueFd> SendAndKeepOpen(const Target& target, const std::string& path, const Json& body) {
  // Nagle left on, as this client always had: with TCP_NODELAY the gate's
  // heap slope crossed its threshold in 2 of 14 clean runs (a transient
  // growth of ~44 B/iteration seen either way, not yet explained).
  Result<UniqueFd> fd = ConnectLoopback(target.port(), /*receive_buffer=*/0, /*no_delay=*/false);
  if (!fd.ok()) return fd.status();
  const std::string payload = JsonDump(body);
  const std::string request = "POST " + path +
                              " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                              "application/json\r\nx-api-key: " +
                              target.api_key() +
                              "\r\nContent-Length: " + std::to_string(payload.size()) + "\r\n\r\n" +
                              payload;
  if (!SendAll(fd->get(), request)) return IoError("cannot send the request to " + path);
  return fd;
}

class DisconnectsScenario : public ClientScenario {
 public:
  DisconnectsScenario() : ClientScenario({}, kDisconnectsScript) {
    info_.name = "disconnects_and_failures";
    info_.description =
        "a client disconnects in the middle of a slow reply; the provider then fails "
        "mid-stream (error frame after two chunks)";
    info_.measures =
        "live_streams and mock_streams_live (streams ended and freed), pending_requests, "
        "heap_bytes (nothing of an abandoned or failed reply retained)";
    info_.warmup = 10;
    info_.iterations = 60;
    info_.requests_per_iteration = 4;
    info_.needs.scripted_provider = true;
  }

  Status Iterate(Target& target, int) override {
    Result<std::string> id = StartSession(client(), "go");
    if (!id.ok()) return id.status();
    std::optional<mock::MockStats> stats = target.MockStats();
    if (!stats) return Internal("the target shows no mock provider stats");
    const int64_t started = stats->streams_started;
    {
      Result<UniqueFd> left =
          SendAndKeepOpen(target, "/session/reply", {{"session_id", *id}, {"prompt", "slow"}});
      if (!left.ok()) return left.status();
      // Leave once the provider's stream for this reply has started.
      if (!WaitUntil(
              [&] {
                std::optional<mock::MockStats> now = target.MockStats();
                return now && now->streams_started > started;
              },
              std::chrono::seconds(10))) {
        return Internal("the server did not start the reply within 10 s");
      }
    }  // the connection closes here, in the middle of the slow turn
    // The server finishes the abandoned reply on its own; wait for it.
    if (!WaitForQuiet(target, std::chrono::seconds(10))) {
      return Internal("the server still handles the abandoned reply after 10 s");
    }
    HttpAnswer failed = client().Post("/session/reply", {{"session_id", *id}, {"prompt", "break"}});
    if (failed.status < 0) return AnswerError("reply to a failing provider", failed);
    if (failed.status != 500) {
      if (Status s = Deviate("POST /session/reply to a provider failing mid-stream", failed,
                             " (our goose-api: 500)");
          !s.ok()) {
        return s;
      }
    }
    return EndSession(client(), *id);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeDisconnectsAndFailuresScenario() {
  return std::make_unique<DisconnectsScenario>();
}

}  // namespace goose::scenarios
