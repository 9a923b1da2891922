// Provider: the LLM behind an agent.
//
// Two calls: Stream() for the agent loop (conversation and tools in, a
// multi-item ReplyStream out) and Complete() for one-shot work such as a
// session description or a summary. Implementations: the scripted mock
// (mock_provider/) and OpenAIProvider (any OpenAI-compatible endpoint).
//
// Thread safety: both calls may be made from several threads at once.
// REQUIRES: a provider outlives every stream it returned.

#ifndef GOOSE_CORE_MODEL_PROVIDER_H_
#define GOOSE_CORE_MODEL_PROVIDER_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/base/json.h"
#include "core/base/status.h"
#include "core/model/cancellation.h"
#include "core/model/message.h"
#include "core/model/provider_error.h"
#include "core/model/reply_stream.h"
#include "core/model/session.h"

namespace goose {

// A tool offered to the model, in MCP's shape (name, description, JSON
// schema of the arguments). Names are goose's "extension__tool" form.
struct ToolSpec {
  std::string name;
  std::string description;
  Json input_schema = Json{{"type", "object"}, {"properties", Json::object()}};
};

// A list of tools, shared rather than copied: an agent offers the same list
// on every turn of every reply, and a tool set keeps handing out one list
// until its tools change. Null means no tools.
using ToolList = std::shared_ptr<const std::vector<ToolSpec>>;

inline ToolList MakeToolList(std::vector<ToolSpec> tools) {
  return std::make_shared<const std::vector<ToolSpec>>(std::move(tools));
}

struct ProviderRequest {
  std::string system;                 // system prompt; may be empty
  std::vector<Message> conversation;  // oldest first
  ToolList tools;                     // null for one-shot calls
  // Complete() stops waiting (kCancelled) when this is cancelled; may be
  // null. (A stream is cancelled through ReplyStream::Cancel.)
  Cancellation* cancellation = nullptr;
};

struct Completion {
  Message message;  // role assistant
  std::optional<TokenUsage> usage;
};

class Provider {
 public:
  virtual ~Provider() = default;

  // Short name ("openai", "mock") and model, as /provider/config shows them.
  virtual std::string name() const = 0;
  virtual std::string model() const = 0;

  // Starts a streamed reply. Never returns null: a failure to connect or a
  // rejected request arrives as the stream's error().
  virtual std::unique_ptr<ReplyStream> Stream(const ProviderRequest& request) = 0;

  // A whole reply at once.
  virtual Result<Completion, ProviderError> Complete(const ProviderRequest& request) = 0;
};

}  // namespace goose

#endif  // GOOSE_CORE_MODEL_PROVIDER_H_
