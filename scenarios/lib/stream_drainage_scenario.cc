// stream_drainage: every reply is a multi-message, multi-chunk stream with
// a tool loop; each iteration starts a session, replies once more and ends
// it. Clean code drains every stream to its end (mock: every chunk
// produced is consumed, no stream left live), frees every stream (ledger
// live_streams back to its baseline) and keeps a flat heap. Canary:
// partial_drain (goose-api's bug: take the first message, keep the stream).

#include <memory>
#include <thread>
#include <vector>

#include "scenarios/lib/builtin_scenarios.h"
#include "scenarios/lib/gate_client.h"
#include "scenarios/lib/script_util.h"

namespace goose::scenarios {
namespace {

constexpr std::string_view kScript = R"({
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

class StreamDrainageScenario : public Scenario {
 public:
  StreamDrainageScenario() {
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
  }

  const ScenarioInfo& info() const override { return info_; }

  TargetRequirements requirements() const override {
    TargetRequirements r;
    r.script = ScenarioScript(kScript, "gate_stream_drainage");
    r.script_json = std::string(kScript);  // for targets that run mock-llm
    return r;
  }

  // With more than one client, each runs the start-reply-end sequence on
  // its own connection and thread, all at once.
  bool SetConcurrency(int clients) override {
    clients_ = clients;
    info_.requests_per_iteration = 3 * clients;
    return true;
  }

  Status Setup(Target& target) override {
    client_ = std::make_unique<GateClient>(target);
    for (int c = 1; c < clients_; ++c) extra_.push_back(std::make_unique<GateClient>(target));
    results_.resize(extra_.size());
    threads_.resize(extra_.size());
    return Status::Ok();
  }

  Status Iterate(Target&, int) override {
    for (size_t c = 0; c < extra_.size(); ++c) {
      threads_[c] = std::jthread([this, c] { results_[c] = OneSession(*extra_[c]); });
    }
    Status mine = OneSession(*client_);
    for (std::jthread& t : threads_) t.join();
    for (Status& s : results_) {
      if (!s.ok()) return s;
    }
    return mine;
  }

  Status Teardown(Target&) override {
    client_.reset();
    extra_.clear();
    return Status::Ok();
  }

 private:
  static Status OneSession(GateClient& client) {
    Result<std::string> id = client.StartSession("list the files");
    if (!id.ok()) return id.status();
    if (Status s = client.Reply(*id, "and again"); !s.ok()) return s;
    return client.EndSession(*id);
  }

  ScenarioInfo info_;
  int clients_ = 1;
  std::unique_ptr<GateClient> client_;
  std::vector<std::unique_ptr<GateClient>> extra_;  // clients 2..N
  std::vector<Status> results_;
  std::vector<std::jthread> threads_;
};

}  // namespace

std::unique_ptr<Scenario> MakeStreamDrainageScenario() {
  return std::make_unique<StreamDrainageScenario>();
}

}  // namespace goose::scenarios
