#include "bench/bench_util.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "core/base/json.h"
#include "mock_provider/script.h"

namespace goose::bench {

std::vector<Message> MakeConversation(int k) {
  std::vector<Message> messages;
  messages.reserve(static_cast<size_t>(k));
  for (int i = 0; i < k; ++i) {
    std::string text = "Message " + std::to_string(i) + ": ";
    while (text.size() < 200) text += "the quick brown fox jumps over the lazy dog ";
    text.resize(200);
    messages.push_back(i % 2 == 0 ? Message::User(std::move(text))
                                  : Message::Assistant(std::move(text)));
  }
  return messages;
}

int64_t ConversationJsonBytes(const std::vector<Message>& messages) {
  int64_t bytes = 0;
  for (const Message& m : messages)
    bytes += static_cast<int64_t>(JsonDump(MessageToJson(m)).size());
  return bytes;
}

IdleRegistry::IdleRegistry(RegistryOptions options) : provider_(mock::DefaultScript()) {
  registry_ = std::make_unique<SessionRegistry>(
      options,
      [this](const std::string&) -> Result<std::unique_ptr<Agent>> {
        return std::make_unique<Agent>(&provider_, nullptr, AgentOptions{});
      },
      [](const std::string& id) -> Result<Session> { return NotFound("no stored session " + id); });
}

mock::Script ToolLoopScript() {
  constexpr const char* kToolLoop = R"({
    "name": "bench_tool_loop", "loop": true,
    "turns": [
      {"messages": [
        {"text": "Let me check that for you.", "chunks": 3},
        {"text": "Asking the tool.", "chunks": 2,
         "tool_calls": [{"name": "mcp__echo", "arguments": {"text": "ping"}, "fragments": 3}]}]},
      {"messages": [{"chunks": 4, "chunk_size": 8}, {"chunks": 4, "chunk_size": 8}]}
    ]})";
  Result<mock::Script> script = mock::ParseScript(Json::parse(kToolLoop), "bench");
  if (!script.ok()) std::abort();  // a constant: cannot fail unless the format changed
  return *script;
}

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

}  // namespace goose::bench
