// summarization: the context-length path, repeated. The provider answers
// the first prompt, refuses the second with context_length_exceeded; the
// server summarizes the conversation through the provider and retries on
// the summary; then the client asks /session/summarize and ends the
// session. Nothing of the old conversation, the summary or the failed
// stream may stay. Canary: retain_heap (bytes kept reachable per request:
// only a growth gate sees them, LeakSanitizer cannot).

#include <memory>

#include "scenarios/lib/builtin_scenarios.h"
#include "scenarios/lib/gate_client.h"
#include "scenarios/lib/script_util.h"

namespace goose::scenarios {
namespace {

constexpr std::string_view kScript = R"({
  "name": "gate_summarization",
  "loop": true,
  "turns": [
    {"messages": [{"text": "A first answer in several pieces.", "chunks": 5}]},
    {"failure": {"kind": "context_length_exceeded"}, "messages": []},
    {"messages": [{"text": "An answer after the summary.", "chunks": 4}, {"chunks": 3}]}
  ]})";

class SummarizationScenario : public Scenario {
 public:
  SummarizationScenario() {
    info_.name = "summarization";
    info_.description =
        "start; a reply that exceeds the context length (summarize, retry on the summary); "
        "/session/summarize; end";
    info_.measures = "heap_bytes (old conversations and summaries freed), live_streams, agents";
    info_.warmup = 10;
    info_.iterations = 100;
    info_.requests_per_iteration = 4;
  }

  const ScenarioInfo& info() const override { return info_; }

  TargetRequirements requirements() const override {
    TargetRequirements r;
    r.script = ScenarioScript(kScript, "gate_summarization");
    r.script_json = std::string(kScript);  // for targets that run mock-llm
    return r;
  }

  Status Setup(Target& target) override {
    client_ = std::make_unique<GateClient>(target);
    return Status::Ok();
  }

  Status Iterate(Target&, int) override {
    Result<std::string> id = client_->StartSession("a long conversation");
    if (!id.ok()) return id.status();
    HttpAnswer retried =
        client_->Post("/session/reply", {{"session_id", *id}, {"prompt", "too long now"}});
    if (!retried.ok()) return AnswerError("reply past the context length", retried);
    if (!retried.body.is_object() || retried.body.value("status", "") != "warning") {
      return AnswerError("reply past the context length (expected status \"warning\")", retried);
    }
    HttpAnswer summary = client_->Post("/session/summarize", {{"session_id", *id}});
    if (!summary.ok()) return AnswerError("POST /session/summarize", summary);
    return client_->EndSession(*id);
  }

  Status Teardown(Target&) override {
    client_.reset();
    return Status::Ok();
  }

 private:
  ScenarioInfo info_;
  std::unique_ptr<GateClient> client_;
};

}  // namespace

std::unique_ptr<Scenario> MakeSummarizationScenario() {
  return std::make_unique<SummarizationScenario>();
}

}  // namespace goose::scenarios
