// summarization: the context-length path, repeated. The provider answers
// the first prompt, refuses the second with context_length_exceeded; the
// server summarizes the conversation through the provider and retries on
// the summary; then the client asks /session/summarize and ends the
// session. Nothing of the old conversation, the summary or the failed
// stream may stay. Canary: retain_heap (bytes kept reachable per request:
// only a growth gate sees them, LeakSanitizer cannot).

#include <memory>

#include "scenarios/builtin/builtin_scenarios.h"
#include "scenarios/builtin/client_scenario.h"

namespace goose::scenarios {
namespace {

constexpr std::string_view kSummarizationScript = R"({
  "name": "gate_summarization",
  "loop": true,
  "turns": [
    {"messages": [{"text": "A first answer in several pieces.", "chunks": 5}]},
    {"failure": {"kind": "context_length_exceeded"}, "messages": []},
    {"messages": [{"text": "An answer after the summary.", "chunks": 4}, {"chunks": 3}]}
  ]})";

class SummarizationScenario : public ClientScenario {
 public:
  SummarizationScenario() : ClientScenario({}, kSummarizationScript) {
    info_.name = "summarization";
    info_.description =
        "start; a reply that exceeds the context length (summarize, retry on the summary); "
        "/session/summarize; end";
    info_.measures = "heap_bytes (old conversations and summaries freed), live_streams, agents";
    info_.warmup = 10;
    info_.iterations = 100;
    info_.requests_per_iteration = 4;
    info_.needs.scripted_provider = true;
  }

  Status Iterate(Target&, int) override {
    Result<std::string> id = StartSession(client(), "a long conversation");
    if (!id.ok()) return id.status();
    HttpAnswer retried =
        client().Post("/session/reply", {{"session_id", *id}, {"prompt", "too long now"}});
    if (retried.status < 0) return AnswerError("reply past the context length", retried);
    if (!retried.ok() || !retried.body.is_object() ||
        retried.body.value("status", "") != "warning") {
      if (Status s = Deviate("POST /session/reply past the context length", retried,
                             " (our goose-api: 200 status \"warning\")");
          !s.ok()) {
        return s;
      }
    }
    HttpAnswer summary = client().Post("/session/summarize", {{"session_id", *id}});
    if (summary.status < 0) return AnswerError("POST /session/summarize", summary);
    if (!summary.ok()) {
      if (Status s = Deviate("POST /session/summarize", summary); !s.ok()) return s;
    } else if (!summary.body.is_object() || !summary.body.contains("summary")) {
      Notice("POST /session/summarize answered without a \"summary\" field");
    }
    return EndSession(client(), *id);
  }
};

}  // namespace

std::unique_ptr<Scenario> MakeSummarizationScenario() {
  return std::make_unique<SummarizationScenario>();
}

}  // namespace goose::scenarios
